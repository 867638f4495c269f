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

// Targets builds the year's target table within under: a row for the city (when under is the city),
// each county and each township, with its key villages and, for every target, the goal, what is done
// and the percentage. Below the city a goal is the city's pro-rated by key villages, as the dashboard
// shows it; the key-village targets are the place's own key villages. on is the day assignments are
// read on (today, or the year's last day for a past year).
func Targets(st Store, year int, under ledger.Code, on ledger.Date) (Table, error) {
	if under.Level() == ledger.LevelCity {
		under = ""
	}
	target, _ := YearTarget(st, year)
	metrics := []struct {
		name string
		goal func(p query.Progress, share float64) int
		done func(p query.Progress) int
	}{
		{"开展活动（次）", func(_ query.Progress, s float64) int { return ledger.ShareOf(target.Activities, s) },
			func(p query.Progress) int { return p.Total.Trainings }},
		{"培训农民（人次）", func(_ query.Progress, s float64) int { return ledger.ShareOf(target.Attendees, s) },
			func(p query.Progress) int { return p.Total.Attendees }},
		{"发放技术资料（份）", func(_ query.Progress, s float64) int { return ledger.ShareOf(target.Brochures, s) },
			func(p query.Progress) int { return p.Total.Brochures }},
		{"支持项目（个）", func(_ query.Progress, s float64) int { return ledger.ShareOf(target.Projects, s) },
			func(p query.Progress) int { return p.Total.VisitsByKind.Of(ledger.TrainingProject) }},
		{"引进新品种新技术（项）", func(_ query.Progress, s float64) int { return ledger.ShareOf(target.Varieties, s) },
			func(p query.Progress) int { return p.Total.Varieties }},
		{fmt.Sprintf("需求调研达标的重点村（每村 %d 次）", query.SurveysPerKeyVillage), func(p query.Progress, _ float64) int { return p.KeyVillages },
			func(p query.Progress) int { return p.KeyVillagesSurveyed }},
		{"有科技指导人员的重点村", func(p query.Progress, _ float64) int { return p.KeyVillages },
			func(p query.Progress) int { return p.KeyVillagesCovered }},
		{"已到村服务的重点村", func(p query.Progress, _ float64) int { return p.KeyVillages },
			func(p query.Progress) int { return p.KeyVillagesVisited }},
	}
	t := Table{Name: SheetTargets, Columns: []string{"单位", "区县", "乡镇", "省定重点村"}}
	for _, m := range metrics {
		t.Columns = append(t.Columns, m.name+"·目标", m.name+"·完成", m.name+"·完成率")
	}
	row := func(level, county, township string, p query.Progress) {
		share := float64(p.KeyVillages) / ledger.ProgrammeKeyVillages
		if p.Under == "" {
			share = 1
		}
		r := []any{level, county, township, p.KeyVillages}
		for _, m := range metrics {
			goal, done := m.goal(p, share), m.done(p)
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
