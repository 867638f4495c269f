package report

import (
	"testing"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
)

func tableNamed(t *testing.T, tables []Table, name string) Table {
	t.Helper()
	for _, tb := range tables {
		if tb.Name == name {
			return tb
		}
	}
	t.Fatalf("no sheet %s", name)
	return Table{}
}

// TestProgrammeSheets: the work ledger's sheets of the programme hold the store's records of the year,
// one row each, and where a target counts them the rows are its figure (Progress, a separate
// computation kept in the write transactions): the varieties introduced, the leaders, the publicity,
// the parks' pairings, the platforms; for the city and for one county.
func TestProgrammeSheets(t *testing.T) {
	st := seeded(t)
	on := ledger.Date("2026-11-29")
	for _, under := range []ledger.Code{"", "370323"} {
		tables, err := Ledger(st, 2026, under, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := st.Progress(2026, under, on, nil)
		list := query.List{Under: under, Year: 2026}
		_, nNeeds := st.Needs(query.Needs{List: list}, nil)
		_, nProjects := st.Projects(query.Projects{List: list}, nil)
		checks := []struct {
			sheet string
			want  int
		}{
			{SheetNeeds, nNeeds},
			{SheetProjects, nProjects},
			{SheetVarieties, p.Varieties.Count},
			{SheetLeaders, p.Leaders},
			{SheetParkPairs, p.Parks.Pairings},
			{SheetUnlinked, len(st.Unlinked(2026, under))},
		}
		if under == "" { // a report of a county's office lies in the county, whoever it is about
			checks = append(checks, struct {
				sheet string
				want  int
			}{SheetPublicity, p.Publicity}, struct {
				sheet string
				want  int
			}{SheetPlatforms, p.Platforms.Stars + p.Platforms.Stations + p.Platforms.Building})
		}
		for _, c := range checks {
			if got := len(tableNamed(t, tables, c.sheet).Rows); got != c.want || c.want == 0 && under == "" {
				t.Errorf("under %q: %s has %d rows, the store counts %d", under, c.sheet, got, c.want)
			}
		}
		// Each need's row: its place, its state, and days waited or taken.
		nt := tableNamed(t, tables, SheetNeeds)
		overdue := 0
		for _, r := range nt.Rows {
			raised, problem := r[nt.Col("提出日期")].(string), r[nt.Col("需求（群众原话）")].(string)
			if raised < "2026-01-01" || raised > "2026-12-31" || problem == "" {
				t.Fatalf("need row %v", r)
			}
			took := r[nt.Col("办理天数")].(int)
			if r[nt.Col("超过 30 天未办结")] == "是" {
				overdue++
				if took <= 30 || !ledger.NeedOpen(r[nt.Col("状态")].(string)) {
					t.Errorf("need row %v called overdue", r)
				}
			}
		}
		if overdue == 0 {
			t.Errorf("under %q: no need overdue: the sample should have some", under)
		}
		// The varieties sheet names each registered variety once, and only registered ones.
		vt := tableNamed(t, tables, SheetVarieties)
		seen := map[string]bool{}
		for _, r := range vt.Rows {
			name := r[vt.Col("品种/技术")].(string)
			if seen[name] || st.MatchVariety(name).Variety == nil {
				t.Errorf("variety row %v: twice or not registered", r)
			}
			seen[name] = true
		}
	}
}

// TestTargetsProgramme: every figure of the programme in the targets table is the store's Progress of
// the place, and the city's goals are its targets.
func TestTargetsProgramme(t *testing.T) {
	st := seeded(t)
	on := ledger.Date("2026-11-29")
	tb, err := Targets(st, 2026, "", on)
	if err != nil {
		t.Fatal(err)
	}
	target := ledger.DefaultTarget(2026)
	done := map[string]func(p query.Progress) int{
		"支持项目（个）":        func(p query.Progress) int { return p.Projects.Supported },
		"引进新品种新技术（项）":    func(p query.Progress) int { return p.Varieties.Count },
		"培育科技带头人、示范户（名）": func(p query.Progress) int { return p.Leaders },
		"结对重点村达 2 个的园区":  func(p query.Progress) int { return p.Parks.Paired },
		"园区带动就业（人）":      func(p query.Progress) int { return p.Parks.Jobs },
		"星创天地（个）":        func(p query.Progress) int { return p.Platforms.Stars },
		"农科驿站（个）":        func(p query.Progress) int { return p.Platforms.Stations },
		"宣传报道（篇）":        func(p query.Progress) int { return p.Publicity },
	}
	goals := map[string]int{"支持项目（个）": target.Projects, "引进新品种新技术（项）": target.Varieties,
		"培育科技带头人、示范户（名）": target.Leaders, "园区带动就业（人）": target.ParkJobs, "星创天地（个）": target.Stars,
		"农科驿站（个）": target.Stations, "宣传报道（篇）": target.Reports}
	if len(TargetMetrics(target)) != 14 {
		t.Fatalf("%d figures", len(TargetMetrics(target)))
	}
	nonzero := map[string]bool{}
	for _, r := range tb.Rows {
		var p query.Progress
		switch r[0] {
		case "全市":
			p = st.Progress(2026, "", on, nil)
		case "区县":
			p = st.Progress(2026, findCounty(t, st, r[1].(string)), on, nil)
		default:
			p = st.Progress(2026, findTownship(t, st, r[1].(string), r[2].(string)), on, nil)
		}
		for name, f := range done {
			c := tb.Col(name + "·完成")
			if c < 0 {
				t.Fatalf("no column %s·完成 in %v", name, tb.Columns)
			}
			if r[c] != f(p) {
				t.Errorf("%v %s: %v, the store counts %d", r[:3], name, r[c], f(p))
			}
			if f(p) > 0 {
				nonzero[name] = true
			}
			if r[0] == "全市" {
				if g, ok := goals[name]; ok && r[c-1] != g {
					t.Errorf("city goal of %s: %v, want %d", name, r[c-1], g)
				}
			}
		}
		if g := r[tb.Col("结对重点村达 2 个的园区·目标")]; g != p.Parks.Parks {
			t.Errorf("%v park goal %v, want the %d parks there", r[:3], g, p.Parks.Parks)
		}
	}
	for name := range done {
		if !nonzero[name] {
			t.Errorf("%s is 0 everywhere: the sample should count it", name)
		}
	}
}

func findCounty(t *testing.T, st *storage.Store, county string) ledger.Code {
	t.Helper()
	vs, _ := st.Villages(query.Villages{}, nil)
	for _, v := range vs {
		if v.CountyName == county {
			return v.Code.County()
		}
	}
	t.Fatalf("no county %s", county)
	return ""
}

// TestMonthlyNeeds: the monthly report's needs and projects agree with the store: open and overdue
// needs per township add up to the city's, the groups' ages add up to their open needs, the overdue
// list is the store's open needs older than the target's days on the month's end, and the projects by
// state per township are each township's Progress.
func TestMonthlyNeeds(t *testing.T) {
	st := seeded(t)
	tables, err := Monthly(st, 2026, 9, "", 2)
	if err != nil {
		t.Fatal(err)
	}
	on := ledger.Date("2026-09-30")
	city := st.Progress(2026, "", on, nil)
	sum := tables[0]
	open, overdue := sum.Col("待办结需求"), sum.Col("超过 30 天未办结的需求")
	total := sum.Rows[len(sum.Rows)-1]
	if total[0] != "合计" || total[open] != city.Needs.Open || total[overdue] != city.Needs.Overdue || city.Needs.Overdue == 0 {
		t.Fatalf("合计 %v: open %v overdue %v, the city has %d and %d", total, total[open], total[overdue], city.Needs.Open, city.Needs.Overdue)
	}
	groups := tableNamed(t, tables, SheetNeedGroups)
	for _, r := range groups.Rows {
		if r[0] == "合计" {
			if r[1] != city.Needs.Open {
				t.Errorf("groups' 合计 %v, want %d open", r, city.Needs.Open)
			}
			continue
		}
		g := city.Needs.ByGroup[r[0].(string)]
		ages := 0
		for i := range len(query.NeedAges) + 1 {
			ages += r[2+i].(int)
		}
		if r[1] != g.Open || ages != g.Open || r[groups.Col("超过 30 天未办结")] != g.Overdue || r[groups.Col("最久已等待（天）")] != g.Oldest {
			t.Errorf("group row %v, the store has %+v", r, g)
		}
	}
	list := tableNamed(t, tables, SheetOverdue)
	if len(list.Rows) != city.Needs.Overdue {
		t.Errorf("%d overdue needs listed, the city counts %d", len(list.Rows), city.Needs.Overdue)
	}
	for _, r := range list.Rows {
		if r[list.Col("已等待（天）")].(int) <= 30 || !ledger.NeedOpen(r[list.Col("状态")].(string)) {
			t.Errorf("listed as overdue: %v", r)
		}
	}
	projects := tableNamed(t, tables, SheetProjStates)
	for _, r := range projects.Rows {
		p := city.Projects
		if r[0] != "合计" {
			p = st.Progress(2026, findTownship(t, st, r[0].(string), r[1].(string)), on, nil).Projects
		}
		for i, s := range ledger.ProjectStates {
			if r[2+i] != p.ByState[s] {
				t.Errorf("projects %v: %s %v, want %d", r[:2], s, r[2+i], p.ByState[s])
			}
		}
		if r[projects.Col("支持项目（个）")] != p.Supported {
			t.Errorf("projects %v: supported %v, want %d", r[:2], r[projects.Col("支持项目（个）")], p.Supported)
		}
	}
	if city.Projects.Supported == 0 {
		t.Fatal("no supported projects: the test checks nothing")
	}
}
