package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"techaid/ledger"
	"techaid/query"
)

// Sheet names of the monthly scheduling report (月度调度).
const (
	SheetMonthly    = "月度调度"
	SheetUnvisited  = "本季度未到村的重点村"
	SheetFewDays    = "服务天数不足的科技指导人员"
	SheetSurveysDue = "需求调研未达标的重点村"
)

// DefaultMinDays is the service days in a month below which an advisor is listed in the monthly report.
const DefaultMinDays = 2

// Monthly builds the monthly scheduling report (月度调度) of a month within under: per township the
// month's activities, the key villages nobody has visited this quarter (up to the month's end), the
// advisors paired with its villages who served fewer than minDays days in the month, and the key
// villages still short of the year's needs surveys; then those villages and advisors by name, so that
// the bureau can call them.
func Monthly(st Store, year, month int, under ledger.Code, minDays int) ([]Table, error) {
	if month < 1 || month > 12 {
		return nil, fmt.Errorf("月份 %d 不在 1 至 12 之间 (month %d is not 1 to 12)", month, month)
	}
	if under.Level() == ledger.LevelCity {
		under = ""
	}
	first := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, ledger.China)
	monthStart, monthEnd := ledger.DateOf(first), ledger.DateOf(first.AddDate(0, 1, -1))
	yearStart := ledger.Date(fmt.Sprintf("%04d-01-01", year))
	q0 := (month - 1) / 3 * 3 // the quarter's first month, from 0
	on := monthEnd
	if today := ledger.DateOf(st.Clock().Today()); today < on {
		on = today
	}

	summary := Table{Name: SheetMonthly, Columns: []string{"区县", "乡镇", "本月开展活动（次）", "本月培训人次", "本月到村服务（村次）",
		"本年累计活动（次）", "省定重点村", "本季度未到村的重点村", fmt.Sprintf("本月服务不足 %d 天的科技指导人员", minDays),
		fmt.Sprintf("需求调研未达 %d 次的重点村", query.SurveysPerKeyVillage)}}
	unvisited := Table{Name: SheetUnvisited, Columns: []string{"区县", "乡镇", "村", "村代码", "结对科技指导人员", "本年最近一次服务"}}
	fewDays := Table{Name: SheetFewDays, Columns: []string{"科技指导人员", "专业组", "派出单位", "电话", "结对乡镇", "本月服务天数", "本年服务天数"}}
	surveys := Table{Name: SheetSurveysDue, Columns: []string{"区县", "乡镇", "村", "村代码", "本年已调研（次）", "还需（次）"}}

	type days struct{ month, year int }
	served := map[string]days{} // advisor → service days, computed once
	advisorTownships := map[string][]string{}
	var total [8]int
	for _, pl := range placesUnder(st, under) {
		if pl.code.Level() != ledger.LevelTownship {
			continue
		}
		p := st.Progress(year, pl.code, on, nil)
		var acts, att, visits, sumActs, notVisited, few, due int
		for _, t := range p.Villages {
			acts += t.TrainingsByMonth[month-1]
			sumActs += sumTo(t.TrainingsByMonth, month)
			visits += t.VisitsByMonth[month-1]
		}
		// Attendees of the month: the tallies keep them by year, so the month's trainings are read.
		n, err := monthAttendees(st, pl.code, monthStart, monthEnd)
		if err != nil {
			return nil, err
		}
		att = n
		keys, _ := st.Villages(query.Villages{Under: pl.code, KeyOnly: true}, nil)
		paired := map[string]bool{}
		for _, v := range keys {
			t := p.Villages[v.Code]
			var advisors []string
			for _, a := range st.Assignments(v.Code, "", on, nil) {
				advisors = append(advisors, advisorName(st, a.Advisor))
			}
			if sum := sumFrom(t.VisitsByMonth, q0, month); sum == 0 {
				notVisited++
				last := ""
				if page, err := st.Trainings(query.Trainings{Village: v.Code, From: yearStart, To: monthEnd, Limit: 1}, nil); err == nil && len(page.Trainings) > 0 {
					last = string(page.Trainings[0].Date)
				}
				unvisited.Rows = append(unvisited.Rows, []any{v.CountyName, v.TownshipName, v.Name, string(v.Code), strings.Join(advisors, "、"), or(last, "本年未服务")})
			}
			if s := t.VisitsByKind.Of(ledger.TrainingSurvey); s < query.SurveysPerKeyVillage {
				due++
				surveys.Rows = append(surveys.Rows, []any{v.CountyName, v.TownshipName, v.Name, string(v.Code), s, query.SurveysPerKeyVillage - s})
			}
		}
		// Advisors paired with any village of the township, key or not.
		for _, a := range st.Assignments("", "", on, nil) {
			if pl.code.Contains(a.Village) {
				paired[a.Advisor] = true
			}
		}
		for id := range paired {
			d, ok := served[id]
			if !ok {
				m, err1 := st.ServiceDays(id, monthStart, monthEnd)
				y, err2 := st.ServiceDays(id, yearStart, monthEnd)
				if err := cmp.Or(err1, err2); err != nil {
					return nil, err
				}
				d = days{m, y}
				served[id] = d
			}
			if d.month < minDays {
				few++
				advisorTownships[id] = append(advisorTownships[id], pl.township)
			}
		}
		summary.Rows = append(summary.Rows, []any{pl.county, pl.township, acts, att, visits, sumActs, len(keys), notVisited, few, due})
		for i, n := range []int{acts, att, visits, sumActs, len(keys), notVisited, few, due} {
			total[i] += n
		}
	}
	if len(summary.Rows) == 0 {
		return nil, fmt.Errorf("%s: 本单位还没有村庄数据，无法统计 (no villages in the store)", SheetMonthly)
	}
	if len(summary.Rows) > 1 {
		row := []any{"合计", ""}
		for _, n := range total {
			row = append(row, n)
		}
		row[8] = len(advisorTownships) // an advisor short in two townships is one advisor
		summary.Rows = append(summary.Rows, row)
	}
	for id, towns := range advisorTownships {
		a, _ := st.Advisor(id)
		d := served[id]
		fewDays.Rows = append(fewDays.Rows, []any{nameOr(a.Name, id), a.Group, a.Employer, a.Phone, strings.Join(towns, "、"), d.month, d.year})
	}
	slices.SortFunc(fewDays.Rows, func(x, y []any) int {
		return cmp.Or(cmp.Compare(x[5].(int), y[5].(int)), strings.Compare(x[0].(string), y[0].(string)))
	})
	return []Table{summary, unvisited, fewDays, surveys}, nil
}

// monthAttendees sums the attendees of the trainings whose primary village lies in under, in [from, to].
func monthAttendees(st Store, under ledger.Code, from, to ledger.Date) (int, error) {
	q := query.Trainings{Under: under, From: from, To: to, Oldest: true, Limit: 1000}
	n := 0
	for {
		page, err := st.Trainings(q, nil)
		if err != nil {
			return 0, err
		}
		for _, t := range page.Trainings {
			n += t.Attendees
		}
		if page.Next == "" {
			return n, nil
		}
		q.After = page.Next
	}
}

func advisorName(st Store, id string) string {
	if a, err := st.Advisor(id); err == nil {
		return a.Name
	}
	return id
}

// sumTo adds the first n months; sumFrom the months [from, to).
func sumTo(m [12]int, n int) int { return sumFrom(m, 0, n) }

func sumFrom(m [12]int, from, to int) int {
	s := 0
	for _, x := range m[from:to] {
		s += x
	}
	return s
}
