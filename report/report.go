// Package report makes the bureau's tables from the ledger — the work ledger (工作台账) with its
// roll-ups per advisor and per village — and writes them as .xlsx (excelize) or as CSV with a UTF-8 BOM,
// which Excel on a Chinese Windows opens without garbling. It reads the store and never writes to it.
package report

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"techaid/ledger"
	"techaid/query"
)

// Store is what the reports read and the imports write, in the plain terms of package query: so report
// carries no storage engine into the app. *storage.Store provides it (report_test.go checks), and so does
// the desktop app's view of it.
type Store interface {
	Identity() query.Identity
	Clock() *ledger.Clock
	Villages(q query.Villages, ws query.WatchSet) ([]ledger.Village, int)
	Village(code ledger.Code) (ledger.Village, error)
	Advisors(q query.Advisors, ws query.WatchSet) []ledger.Advisor
	Advisor(id string) (ledger.Advisor, error)
	Assignments(village ledger.Code, advisor string, on ledger.Date, ws query.WatchSet) []ledger.Assignment
	Trainings(q query.Trainings, ws query.WatchSet) (query.TrainingPage, error)
	CountTrainings(q query.Trainings) (int, error)
	ServiceDays(advisor string, from, to ledger.Date) (int, error)
	Progress(year int, under ledger.Code, on ledger.Date, ws query.WatchSet) query.Progress
	Record(id string) (ledger.Record, error)
	Import(ctx context.Context, records []ledger.Entity, progress func(done int)) (query.ImportResult, error)
	Update(ctx context.Context, before, after ledger.Entity) error

	// The rest of the programme (issue 15): its lists and the variety registry's tolerant match.
	Needs(q query.Needs, ws query.WatchSet) ([]ledger.Need, int)
	Projects(q query.Projects, ws query.WatchSet) ([]ledger.Project, int)
	Varieties(q query.Varieties, ws query.WatchSet) []ledger.Variety
	Introductions(q query.Introductions, ws query.WatchSet) ([]ledger.Introduction, int)
	Leaders(q query.Leaders, ws query.WatchSet) ([]ledger.Leader, int)
	PublicityList(q query.Publicity, ws query.WatchSet) ([]ledger.Publicity, int)
	Parks(under ledger.Code, ws query.WatchSet) []ledger.Park
	ParkPairings(q query.ParkPairings, ws query.WatchSet) []ledger.ParkPairing
	Platforms(q query.Platforms, ws query.WatchSet) ([]ledger.Platform, int)
	MatchVariety(text string) query.VarietyMatch
	Unlinked(year int, under ledger.Code) []query.Unlinked
}

// Table is one sheet: a name, its column headings and its rows (each cell a string or an int).
type Table struct {
	Name    string
	Columns []string
	Rows    [][]any
}

// Col is the position of the column named name, or -1.
func (t Table) Col(name string) int { return slices.Index(t.Columns, name) }

// Sheet names of the work ledger and its roll-ups.
const (
	SheetLedger   = "工作台账"
	SheetAdvisors = "按科技指导人员"
	SheetVillages = "按村"
)

// LedgerColumns are the work ledger's columns, as the bureau's form has them.
var LedgerColumns = []string{"序号", "区县", "乡镇", "村", "科技指导人员", "专业组", "日期", "服务形式", "服务内容",
	"培训人次", "资料份数", "引进品种/技术", "备注"}

// Ledger builds a year's work ledger within under ("" for all the store holds), one row per live
// training in date order, and its roll-ups: per advisor (trainings listing them, service days,
// attendees, brochures) and per village (visits, attendees and brochures as the primary village,
// needs surveys); then a sheet per kind of the rest of the programme (programmeSheets): needs,
// projects, the varieties introduced and the texts the registry lacks, leaders and model households,
// publicity, the parks' pairings and the platforms. progress, if not nil, is told how many of the year's trainings are read.
func Ledger(st Store, year int, under ledger.Code, progress func(done, total int)) ([]Table, error) {
	if under.Level() == ledger.LevelCity {
		under = ""
	}
	q := query.Trainings{Under: under, From: ledger.Date(fmt.Sprintf("%04d-01-01", year)),
		To: ledger.Date(fmt.Sprintf("%04d-12-31", year)), Oldest: true, Limit: 1000}
	main := Table{Name: SheetLedger, Columns: LedgerColumns}
	type advisorSum struct {
		trainings, attendees, brochures int
		days                            map[ledger.Date]bool
	}
	type villageSum struct{ visits, attendees, brochures, surveys int }
	advisors := map[string]*advisorSum{}
	villages := map[ledger.Code]*villageSum{}
	varietyTexts := map[string]int{} // what the trainings call varieties, for the varieties sheet
	surveys := map[string]string{}   // needs surveys → date and topic, for the needs sheet
	total := 0
	if progress != nil {
		n, err := st.CountTrainings(q)
		if err != nil {
			return nil, fmt.Errorf("work ledger %d: %w", year, err)
		}
		total = n
	}
	for {
		page, err := st.Trainings(q, nil)
		if err != nil {
			return nil, fmt.Errorf("work ledger %d: %w", year, err)
		}
		for _, t := range page.Trainings {
			main.Rows = append(main.Rows, ledgerRow(st, len(main.Rows)+1, t))
			for _, v := range t.Varieties {
				varietyTexts[v]++
			}
			if t.Kind == ledger.TrainingSurvey {
				surveys[t.ID] = surveyText(t)
			}
			for _, id := range t.Advisors {
				a := advisors[id]
				if a == nil {
					a = &advisorSum{days: map[ledger.Date]bool{}}
					advisors[id] = a
				}
				a.trainings++
				a.attendees += t.Attendees
				a.brochures += t.Brochures
				a.days[t.Date] = true
			}
			for i, code := range t.Villages {
				v := villages[code]
				if v == nil {
					v = &villageSum{}
					villages[code] = v
				}
				v.visits++
				if t.Kind == ledger.TrainingSurvey {
					v.surveys++
				}
				if i == 0 { // sums count once, for the primary village (as the tallies do)
					v.attendees += t.Attendees
					v.brochures += t.Brochures
				}
			}
		}
		if progress != nil {
			progress(len(main.Rows), max(total, len(main.Rows)))
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}

	byAdvisor := Table{Name: SheetAdvisors, Columns: []string{"科技指导人员", "专业组", "派出单位", "服务次数", "服务天数", "培训人次", "资料份数"}}
	for _, id := range slices.Collect(maps.Keys(advisors)) {
		a := advisors[id]
		adv, err := st.Advisor(id)
		if err != nil {
			adv = ledger.Advisor{Name: "（已不在名册）" + id}
		}
		byAdvisor.Rows = append(byAdvisor.Rows, []any{adv.Name, adv.Group, adv.Employer, a.trainings, len(a.days), a.attendees, a.brochures})
	}
	slices.SortFunc(byAdvisor.Rows, func(x, y []any) int {
		return cmp.Or(cmp.Compare(y[3].(int), x[3].(int)), strings.Compare(x[0].(string), y[0].(string)))
	})

	byVillage := Table{Name: SheetVillages, Columns: []string{"区县", "乡镇", "村", "村代码", "省定重点村", "服务次数", "培训人次", "资料份数", "需求调研"}}
	codes := slices.Collect(maps.Keys(villages))
	slices.Sort(codes)
	for _, code := range codes {
		v := villages[code]
		vil, _ := st.Village(code)
		key := ""
		if vil.Key {
			key = "是"
		}
		byVillage.Rows = append(byVillage.Rows, []any{vil.CountyName, vil.TownshipName, nameOr(vil.Name, string(code)),
			string(code), key, v.visits, v.attendees, v.brochures, v.surveys})
	}
	return append([]Table{main, byAdvisor, byVillage}, programmeSheets(st, year, under, varietyTexts, surveys)...), nil
}

// ledgerRow is one line of the work ledger.
func ledgerRow(st Store, n int, t ledger.Training) []any {
	var county, township string
	var names []string
	for i, code := range t.Villages {
		v, err := st.Village(code)
		if err != nil {
			names = append(names, string(code))
			continue
		}
		if i == 0 {
			county, township = v.CountyName, v.TownshipName
		}
		names = append(names, v.Name)
	}
	var advisors, groups []string
	for _, id := range t.Advisors {
		a, err := st.Advisor(id)
		if err != nil {
			continue
		}
		advisors = append(advisors, a.Name)
		if a.Group != "" && !slices.Contains(groups, a.Group) {
			groups = append(groups, a.Group)
		}
	}
	content := t.Topic
	if t.Content != "" {
		content += "：" + t.Content
	}
	return []any{n, county, township, strings.Join(names, "、"), strings.Join(advisors, "、"), strings.Join(groups, "、"),
		string(t.Date), t.Kind, content, t.Attendees, t.Brochures, strings.Join(t.Varieties, "、"), t.Notes}
}

func nameOr(name, fallback string) string {
	if name == "" {
		return fallback
	}
	return name
}
