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
	SheetNeedGroups = "需求办理（按专业组）"
	SheetOverdue    = "超期未办结的需求"
	SheetProjStates = "科技扶贫项目（按状态）"
)

// DefaultMinDays is the service days in a month below which an advisor is listed in the monthly report.
const DefaultMinDays = 2

// Monthly builds the monthly scheduling report (月度调度) of a month within under: per township the
// month's activities, the key villages nobody has visited this quarter (up to the month's end), the
// advisors paired with its villages who served fewer than minDays days in the month, and the key
// villages still short of the year's needs surveys; then those villages and advisors by name, so that
// the bureau can call them. Then the needs: open needs by professional group and by age (query.NeedAges),
// and every need open longer than the year's Target.NeedDays, oldest first; and the year's projects by
// state per township.
func Monthly(st Store, year, month int, under ledger.Code, minDays int) ([]Table, error) {
	if month < 1 || month > 12 {
		return nil, fmt.Errorf("月份 %d 不在 1 至 12 之间 (month %d is not 1 to 12)", month, month)
	}
	if under.Level() == ledger.LevelCity {
		under = ""
	}
	m := newMonthly(st, year, month, minDays)
	for _, pl := range placesUnder(st, under) {
		if pl.code.Level() == ledger.LevelTownship {
			if err := m.township(pl); err != nil {
				return nil, err
			}
		}
	}
	if len(m.summary.Rows) == 0 {
		return nil, fmt.Errorf("%s: 本单位还没有村庄数据，无法统计 (no villages in the store)", SheetMonthly)
	}
	m.needs(under)
	return m.tables(), nil
}

// monthly is the monthly report being built, a township at a time.
type monthly struct {
	st                              Store
	year, month, minDays            int
	yearStart, monthStart, monthEnd ledger.Date
	on                              ledger.Date // the month's end, or today if earlier: pairings and coverage as of then
	q0                              int         // the quarter's first month, from 0

	summary, unvisited, fewDays, surveys Table
	groups, overdue, projects            Table
	total                                [10]int // the summary's sums, for its 合计 row
	days                                 int     // the year's Target.NeedDays

	served           map[string]serviceDays // advisor → service days, computed once
	advisorTownships map[string][]string    // advisors short of minDays → the townships they serve
}

type serviceDays struct{ month, year int }

func newMonthly(st Store, year, month, minDays int) *monthly {
	first := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, ledger.China)
	m := &monthly{st: st, year: year, month: month, minDays: minDays, yearStart: ledger.Date(fmt.Sprintf("%04d-01-01", year)),
		monthStart: ledger.DateOf(first), monthEnd: ledger.DateOf(first.AddDate(0, 1, -1)), q0: (month - 1) / 3 * 3,
		served: map[string]serviceDays{}, advisorTownships: map[string][]string{}}
	m.on = m.monthEnd
	if today := ledger.DateOf(st.Clock().Today()); today < m.on {
		m.on = today
	}
	target, _ := YearTarget(st, year)
	m.days = target.NeedDays
	m.summary = Table{Name: SheetMonthly, Columns: []string{"区县", "乡镇", "本月开展活动（次）", "本月培训人次", "本月到村服务（村次）",
		"本年累计活动（次）", "省定重点村", "本季度未到村的重点村", fmt.Sprintf("本月服务不足 %d 天的科技指导人员", minDays),
		fmt.Sprintf("需求调研未达 %d 次的重点村", query.SurveysPerKeyVillage), "待办结需求",
		fmt.Sprintf("超过 %d 天未办结的需求", m.days)}}
	ages := NeedAgeColumns()
	m.groups = Table{Name: SheetNeedGroups, Columns: append(append([]string{"专业组", "待办结需求"}, ages...),
		fmt.Sprintf("超过 %d 天未办结", m.days), "最久已等待（天）", "本年提出", "本年办结")}
	m.overdue = Table{Name: SheetOverdue, Columns: []string{"序号", "区县", "乡镇", "村", "专业组", "产业", "需求（群众原话）", "承接人",
		"状态", "提出日期", "已等待（天）"}}
	m.projects = Table{Name: SheetProjStates, Columns: append(append([]string{"区县", "乡镇"}, ledger.ProjectStates...),
		"合计", "支持项目（个）", "支持金额（万元）", "受益户数", "带动就业（人）")}
	m.unvisited = Table{Name: SheetUnvisited, Columns: []string{"区县", "乡镇", "村", "村代码", "结对科技指导人员", "本年最近一次服务"}}
	m.fewDays = Table{Name: SheetFewDays, Columns: []string{"科技指导人员", "专业组", "派出单位", "电话", "结对乡镇", "本月服务天数", "本年服务天数"}}
	m.surveys = Table{Name: SheetSurveysDue, Columns: []string{"区县", "乡镇", "村", "村代码", "本年已调研（次）", "还需（次）"}}
	return m
}

// township adds a township's line to the summary, and its key villages and short advisors to the lists.
func (m *monthly) township(pl place) error {
	p := m.st.Progress(m.year, pl.code, m.on, nil)
	var acts, visits, sumActs int
	for _, t := range p.Villages {
		acts += t.TrainingsByMonth[m.month-1]
		sumActs += sumTo(t.TrainingsByMonth, m.month)
		visits += t.VisitsByMonth[m.month-1]
	}
	// Attendees of the month: the tallies keep them by year, so the month's trainings are read.
	att, err := monthAttendees(m.st, pl.code, m.monthStart, m.monthEnd)
	if err != nil {
		return err
	}
	keys, notVisited, due := m.keyVillages(pl, p)
	few, err := m.shortAdvisors(pl)
	if err != nil {
		return err
	}
	line := []int{acts, att, visits, sumActs, keys, notVisited, few, due, p.Needs.Open, p.Needs.Overdue}
	m.summary.Rows = append(m.summary.Rows, append([]any{pl.county, pl.township}, ints(line)...))
	for i, n := range line {
		m.total[i] += n
	}
	m.projects.Rows = append(m.projects.Rows, projectRow(pl.county, pl.township, p.Projects))
	return nil
}

// projectRow is a place's projects of the year by state, and the sums of the supported ones.
func projectRow(county, township string, p query.ProjectProgress) []any {
	row := []any{county, township}
	n := 0
	for _, s := range ledger.ProjectStates {
		row = append(row, p.ByState[s])
		n += p.ByState[s]
	}
	var amount any = ""
	if p.Amount != 0 {
		amount = p.Amount
	}
	return append(row, n, p.Supported, amount, p.Households, p.Jobs)
}

// NeedAgeColumns are the headings of the open needs' age groups (query.NeedAges): 30 天以内, 31–60 天, ...
func NeedAgeColumns() []string {
	out := []string{fmt.Sprintf("%d 天以内", query.NeedAges[0])}
	for i := 1; i < len(query.NeedAges); i++ {
		out = append(out, fmt.Sprintf("%d–%d 天", query.NeedAges[i-1]+1, query.NeedAges[i]))
	}
	return append(out, fmt.Sprintf("%d 天以上", query.NeedAges[len(query.NeedAges)-1]))
}

// needs adds the open needs of the place by group and age, those overdue by name, and the place's
// projects in all when it has several townships.
func (m *monthly) needs(under ledger.Code) {
	p := m.st.Progress(m.year, under, m.on, nil)
	var total []int
	groups := slices.Clone(ledger.Groups)
	for _, g := range sortedKeys(p.Needs.ByGroup) {
		if !slices.Contains(groups, g) { // a group an older record holds
			groups = append(groups, g)
		}
	}
	for _, g := range groups {
		gn := p.Needs.ByGroup[g]
		line := append(append([]int{gn.Open}, gn.Ages[:]...), gn.Overdue, gn.Oldest, gn.Raised, gn.Closed)
		if total == nil {
			total = make([]int, len(line))
		}
		m.groups.Rows = append(m.groups.Rows, append([]any{g}, ints(line)...))
		for i, n := range line {
			if i == 1+len(gn.Ages)+1 { // the oldest, not a sum
				total[i] = max(total[i], n)
			} else {
				total[i] += n
			}
		}
	}
	m.groups.Rows = append(m.groups.Rows, append([]any{"合计"}, ints(total)...))
	needs, _ := m.st.Needs(query.Needs{List: query.List{Under: under}, Open: true, Older: m.days, On: m.on}, nil)
	n := newNames(m.st)
	for i, nd := range oldestFirst(needs) {
		v := n.village(nd.Village)
		m.overdue.Rows = append(m.overdue.Rows, []any{i + 1, v.CountyName, v.TownshipName, v.Name, nd.Group, nd.Industry, nd.Problem,
			n.advisor(nd.Advisor), nd.State, string(nd.Raised), daysBetween(nd.Raised, m.on)})
	}
	if len(m.projects.Rows) > 1 {
		// The place's own figures, not the townships' sum: a project in two townships is one project.
		m.projects.Rows = append(m.projects.Rows, projectRow("合计", "", p.Projects))
	}
}

// keyVillages lists the township's key villages nobody visited this quarter and those short of the
// year's needs surveys; it returns how many key villages it has and how many of each.
func (m *monthly) keyVillages(pl place, p query.Progress) (keys, notVisited, due int) {
	vs, _ := m.st.Villages(query.Villages{Under: pl.code, KeyOnly: true}, nil)
	for _, v := range vs {
		t := p.Villages[v.Code]
		if sumFrom(t.VisitsByMonth, m.q0, m.month) == 0 {
			notVisited++
			var advisors []string
			for _, a := range m.st.Assignments(v.Code, "", m.on, nil) {
				advisors = append(advisors, advisorName(m.st, a.Advisor))
			}
			last := ""
			if page, err := m.st.Trainings(query.Trainings{Village: v.Code, From: m.yearStart, To: m.monthEnd, Limit: 1}, nil); err == nil && len(page.Trainings) > 0 {
				last = string(page.Trainings[0].Date)
			}
			m.unvisited.Rows = append(m.unvisited.Rows, []any{v.CountyName, v.TownshipName, v.Name, string(v.Code), strings.Join(advisors, "、"), or(last, "本年未服务")})
		}
		if s := t.VisitsByKind.Of(ledger.TrainingSurvey); s < query.SurveysPerKeyVillage {
			due++
			m.surveys.Rows = append(m.surveys.Rows, []any{v.CountyName, v.TownshipName, v.Name, string(v.Code), s, query.SurveysPerKeyVillage - s})
		}
	}
	return len(vs), notVisited, due
}

// shortAdvisors counts the advisors paired with any village of the township, key or not, who served
// fewer than minDays days in the month, and remembers them for the list.
func (m *monthly) shortAdvisors(pl place) (int, error) {
	paired := map[string]bool{}
	for _, a := range m.st.Assignments("", "", m.on, nil) {
		if pl.code.Contains(a.Village) {
			paired[a.Advisor] = true
		}
	}
	few := 0
	for id := range paired {
		d, ok := m.served[id]
		if !ok {
			month, err1 := m.st.ServiceDays(id, m.monthStart, m.monthEnd)
			year, err2 := m.st.ServiceDays(id, m.yearStart, m.monthEnd)
			if err := cmp.Or(err1, err2); err != nil {
				return 0, err
			}
			d = serviceDays{month, year}
			m.served[id] = d
		}
		if d.month < m.minDays {
			few++
			m.advisorTownships[id] = append(m.advisorTownships[id], pl.township)
		}
	}
	return few, nil
}

// tables finishes the report: the 合计 row below several townships, and the short advisors by name.
func (m *monthly) tables() []Table {
	if len(m.summary.Rows) > 1 {
		row := append([]any{"合计", ""}, ints(m.total[:])...)
		row[8] = len(m.advisorTownships) // an advisor short in two townships is one advisor
		m.summary.Rows = append(m.summary.Rows, row)
	}
	for id, towns := range m.advisorTownships {
		a, _ := m.st.Advisor(id)
		d := m.served[id]
		m.fewDays.Rows = append(m.fewDays.Rows, []any{nameOr(a.Name, id), a.Group, a.Employer, a.Phone, strings.Join(towns, "、"), d.month, d.year})
	}
	slices.SortFunc(m.fewDays.Rows, func(x, y []any) int {
		return cmp.Or(cmp.Compare(x[5].(int), y[5].(int)), strings.Compare(x[0].(string), y[0].(string)))
	})
	return []Table{m.summary, m.unvisited, m.fewDays, m.surveys, m.groups, m.overdue, m.projects}
}

// ints is a row's numbers as cells.
func ints(ns []int) []any {
	out := make([]any, len(ns))
	for i, n := range ns {
		out[i] = n
	}
	return out
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
