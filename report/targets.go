package report

import (
	"fmt"
	"strconv"

	"techaid/ledger"
	"techaid/query"
)

// Percent is a cell holding a ratio (0.5 is 50%): a number in a workbook, formatted as a percentage.
type Percent float64

// SheetTargets is the target table's sheet.
const SheetTargets = "目标完成情况"

// YearTarget is the city's targets for a year, or the programme's defaults when it has set none
// (custom false).
func YearTarget(st Store, year int) (t ledger.Target, custom bool) {
	rec, err := st.Record(strconv.Itoa(year))
	if err == nil && rec.Kind == ledger.KindTarget && !rec.Deleted() {
		if t, err := ledger.As[ledger.Target](rec); err == nil {
			return t.WithDefaults(func(f string) bool { _, ok := rec.Fields[f]; return ok }), true
		}
	}
	return ledger.DefaultTarget(year), false
}

// place is a county or township of a report, with its names.
type place struct {
	code             ledger.Code
	county, township string
}

// placesUnder lists the counties and townships of the villages the store holds within under, each
// county before its townships.
func placesUnder(st Store, under ledger.Code) []place {
	vs, _ := st.Villages(query.Villages{Under: under}, nil)
	seen := map[ledger.Code]bool{}
	var out []place
	for _, v := range vs { // in code order: a county's townships follow it
		c, t := v.Code.County(), v.Code.Township()
		if !seen[c] && under.Level() != ledger.LevelTownship {
			seen[c] = true
			out = append(out, place{code: c, county: v.CountyName})
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, place{code: t, county: v.CountyName, township: v.TownshipName})
		}
	}
	return out
}

// Metric is one figure of the target table: its heading, its goal for a place (share: the place's part
// of the city, by key villages) and what the records say is done.
type Metric struct {
	Name string
	Goal func(p query.Progress, share float64) int
	Done func(p query.Progress) int
}

// TargetMetrics are the programme's twelve yearly figures (the 星创天地 and 农科驿站 as two), in the
// plan's order, each counted from records, and the key villages visited at all. Below the city a count
// goal is the city's pro-rated by key villages (ledger.ShareOf, as the dashboard does); the key-village
// goals are the place's own key villages, and the park goal the parks lying in it.
func TargetMetrics(target ledger.Target) []Metric {
	share := func(n int) func(query.Progress, float64) int {
		return func(_ query.Progress, s float64) int { return ledger.ShareOf(n, s) }
	}
	keys := func(p query.Progress, _ float64) int { return p.KeyVillages }
	return []Metric{
		{"开展活动（次）", share(target.Activities), func(p query.Progress) int { return p.Total.Trainings }},
		{"培训农民（人次）", share(target.Attendees), func(p query.Progress) int { return p.Total.Attendees }},
		{"发放技术资料（份）", share(target.Brochures), func(p query.Progress) int { return p.Total.Brochures }},
		{"支持项目（个）", share(target.Projects), func(p query.Progress) int { return p.Projects.Supported }},
		{"引进新品种新技术（项）", share(target.Varieties), func(p query.Progress) int { return p.Varieties.Count }},
		{fmt.Sprintf("需求调研达标的重点村（每村 %d 次）", query.SurveysPerKeyVillage), keys,
			func(p query.Progress) int { return p.KeyVillagesSurveyed }},
		{"培育科技带头人、示范户（名）", share(target.Leaders), func(p query.Progress) int { return p.Leaders }},
		{"有科技指导人员的重点村", keys, func(p query.Progress) int { return p.KeyVillagesCovered }},
		{"已到村服务的重点村", keys, func(p query.Progress) int { return p.KeyVillagesVisited }},
		{fmt.Sprintf("结对重点村达 %d 个的园区", target.ParkVillages), func(p query.Progress, _ float64) int { return p.Parks.Parks },
			func(p query.Progress) int { return p.Parks.Paired }},
		{"园区带动就业（人）", share(target.ParkJobs), func(p query.Progress) int { return p.Parks.Jobs }},
		{"星创天地（个）", share(target.Stars), func(p query.Progress) int { return p.Platforms.Stars }},
		{"农科驿站（个）", share(target.Stations), func(p query.Progress) int { return p.Platforms.Stations }},
		{"宣传报道（篇）", share(target.Reports), func(p query.Progress) int { return p.Publicity }},
	}
}

// Targets builds the year's target table within under: a row for the city (when under is the city),
// each county and each township, with its key villages and, for every figure of TargetMetrics, the
// goal, what is done and the percentage. on is the day assignments and open needs are read on (today,
// or the year's last day for a past year).
func Targets(st Store, year int, under ledger.Code, on ledger.Date) (Table, error) {
	if under.Level() == ledger.LevelCity {
		under = ""
	}
	target, _ := YearTarget(st, year)
	metrics := TargetMetrics(target)
	t := Table{Name: SheetTargets, Columns: []string{"单位", "区县", "乡镇", "省定重点村"}}
	for _, m := range metrics {
		t.Columns = append(t.Columns, m.Name+"·目标", m.Name+"·完成", m.Name+"·完成率")
	}
	row := func(level, county, township string, p query.Progress) {
		share := float64(p.KeyVillages) / ledger.ProgrammeKeyVillages
		if p.Under == "" {
			share = 1
		}
		r := []any{level, county, township, p.KeyVillages}
		for _, m := range metrics {
			goal, done := m.Goal(p, share), m.Done(p)
			var pct any = ""
			if goal > 0 {
				pct = Percent(float64(done) / float64(goal))
			}
			r = append(r, goal, done, pct)
		}
		t.Rows = append(t.Rows, r)
	}
	if under == "" {
		row("全市", "", "", st.Progress(year, "", on, nil))
	}
	for _, pl := range placesUnder(st, under) {
		level := "乡镇"
		if pl.code.Level() == ledger.LevelCounty {
			level = "区县"
		}
		row(level, pl.county, pl.township, st.Progress(year, pl.code, on, nil))
	}
	if len(t.Rows) == 0 {
		return t, fmt.Errorf("%s: 本单位还没有村庄数据，无法统计 (no villages in the store)", SheetTargets)
	}
	return t, nil
}

// yearEnd is on for a year's figures: today within the year, the year's last day for a past one.
func yearEnd(st Store, year int) ledger.Date {
	today := st.Clock().Today()
	if today.Year() == year {
		return ledger.DateOf(today)
	}
	return ledger.Date(fmt.Sprintf("%04d-12-31", year))
}
