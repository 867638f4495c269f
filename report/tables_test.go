package report

import (
	"context"
	"math"
	"testing"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
)

// TestTargets: the target table's done figures are the store's tallies (the city row equals the
// whole-store progress, and counties and townships each add up to it), goals are the city's targets
// pro-rated by key villages, and percentages are done over goal.
func TestTargets(t *testing.T) {
	st := seeded(t)
	if _, err := st.Create(context.Background(), ledger.Target{Year: "2026", Activities: 200, Attendees: 9000,
		Brochures: 5000, Projects: 30, Varieties: 40, Surveys: 2}); err != nil {
		t.Fatal(err)
	}
	on := ledger.Date("2026-11-29")
	tb, err := Targets(st, 2026, "3703", on)
	if err != nil {
		t.Fatal(err)
	}
	city := st.Progress(2026, "", on, nil)
	if tb.Rows[0][0] != "全市" {
		t.Fatalf("first row %v, want the city", tb.Rows[0])
	}
	acts, att := tb.Col("开展活动（次）·完成"), tb.Col("培训农民（人次）·完成")
	if tb.Rows[0][acts] != city.Total.Trainings || tb.Rows[0][att] != city.Total.Attendees || tb.Rows[0][acts-1] != 200 {
		t.Fatalf("city row %v: want %d trainings, %d attendees, goal 200", tb.Rows[0], city.Total.Trainings, city.Total.Attendees)
	}
	sums := map[string]int{}
	for _, r := range tb.Rows[1:] {
		level := r[0].(string)
		sums[level] += r[acts].(int)
		sums[level+"/att"] += r[att].(int)
		keys := r[tb.Col("省定重点村")].(int)
		if goal := r[acts-1].(int); goal != ledger.ShareOf(200, float64(keys)/ledger.ProgrammeKeyVillages) {
			t.Errorf("%v: goal %d for %d key villages", r[:3], goal, keys)
		}
		pct := r[acts+1]
		if goal := r[acts-1].(int); goal > 0 {
			if p, ok := pct.(Percent); !ok || math.Abs(float64(p)-float64(r[acts].(int))/float64(goal)) > 1e-9 {
				t.Errorf("%v: percentage %v", r[:3], pct)
			}
		} else if pct != "" {
			t.Errorf("%v: percentage %v of no goal", r[:3], pct)
		}
	}
	for _, level := range []string{"区县", "乡镇"} {
		if sums[level] != city.Total.Trainings || sums[level+"/att"] != city.Total.Attendees {
			t.Errorf("%s rows add up to %d trainings, %d attendees; the city has %d, %d", level,
				sums[level], sums[level+"/att"], city.Total.Trainings, city.Total.Attendees)
		}
	}
}

// TestMonthly: every figure of the monthly report is checked against a separate query of the store:
// the month's trainings and attendees per township, the key villages with no training listing them
// this quarter, and the advisors with fewer service days than asked.
func TestMonthly(t *testing.T) {
	st := seeded(t)
	const month, minDays = 5, 3
	villages, _ := st.Villages(query.Villages{}, nil)
	for i, a := range st.Advisors(query.Advisors{}, nil)[:8] {
		if _, err := st.Create(context.Background(), ledger.Assignment{Advisor: a.ID, Village: villages[i*3].Code, From: "2026-01-01"}); err != nil {
			t.Fatal(err)
		}
	}
	tables, err := Monthly(st, 2026, month, "", minDays)
	if err != nil {
		t.Fatal(err)
	}
	sum, unvisited, few := tables[0], tables[1], tables[2]
	from, to := ledger.Date("2026-05-01"), ledger.Date("2026-05-31")
	listed := map[string]bool{}
	for _, r := range unvisited.Rows {
		listed[r[unvisited.Col("村代码")].(string)] = true
	}
	rows := 0
	for _, r := range sum.Rows {
		if r[0] == "合计" {
			continue
		}
		rows++
		township := findTownship(t, st, r[0].(string), r[1].(string))
		n, err := st.CountTrainings(query.Trainings{Under: township, From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		att, err := monthAttendees(st, township, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if r[2] != n || r[3] != att {
			t.Errorf("%s: %v trainings and %v attendees in May, the store has %d and %d", r[1], r[2], r[3], n, att)
		}
		keys, _ := st.Villages(query.Villages{Under: township, KeyOnly: true}, nil)
		notVisited := 0
		for _, v := range keys {
			page, err := st.Trainings(query.Trainings{Village: v.Code, From: "2026-04-01", To: to, Limit: 1}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if none := len(page.Trainings) == 0; none != listed[string(v.Code)] {
				t.Errorf("%s %s: unvisited this quarter %v, listed %v", r[1], v.Name, none, listed[string(v.Code)])
			} else if none {
				notVisited++
			}
		}
		if r[7] != notVisited || r[6] != len(keys) {
			t.Errorf("%s: %v of %v key villages unvisited, want %d of %d", r[1], r[7], r[6], notVisited, len(keys))
		}
	}
	if rows == 0 || len(unvisited.Rows) == 0 {
		t.Fatalf("%d townships, %d key villages unvisited: the sample should have both", rows, len(unvisited.Rows))
	}
	advisors := st.Advisors(query.Advisors{}, nil)
	short := map[string]bool{}
	for _, r := range few.Rows {
		short[r[0].(string)] = true
		if r[5].(int) >= minDays {
			t.Errorf("%v listed with %v service days", r[0], r[5])
		}
	}
	for _, a := range advisors {
		days, err := st.ServiceDays(a.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		paired := len(st.Assignments("", a.ID, "2026-05-31", nil)) > 0
		if want := paired && days < minDays; want != short[a.Name] {
			t.Errorf("%s: %d days in May, paired %v, listed %v", a.Name, days, paired, short[a.Name])
		}
	}
	if len(few.Rows) == 0 || len(few.Rows) == len(advisors) {
		t.Fatalf("%d of %d advisors short of %d days: the test checks nothing", len(few.Rows), len(advisors), minDays)
	}
	t.Logf("%d townships, %d key villages unvisited, %d of %d advisors short", rows, len(unvisited.Rows), len(few.Rows), len(advisors))
	if _, err := Monthly(st, 2026, 13, "", 2); err == nil {
		t.Fatal("month 13 accepted")
	}
}

func findTownship(t *testing.T, st *storage.Store, county, township string) ledger.Code {
	t.Helper()
	vs, _ := st.Villages(query.Villages{}, nil)
	for _, v := range vs {
		if v.CountyName == county && v.TownshipName == township {
			return v.Code.Township()
		}
	}
	t.Fatalf("no township %s %s", county, township)
	return ""
}
