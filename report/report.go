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
	// Stream, if not nil, gives the rows instead of Rows, one at a time, read from the store as they
	// are written (the work ledger's 100,000 rows are never all in memory); the writers call it once.
	// More, if not nil, is called once every row is given and returns the tables that follow this one,
	// summed up along the way (the work ledger's roll-ups).
	Stream func(yield func(row []any) error) error
	More   func() ([]Table, error)
}

// Expand turns a streamed table and what follows it into tables holding their rows.
func (t Table) Expand() ([]Table, error) {
	if t.Stream == nil {
		return []Table{t}, nil
	}
	whole := Table{Name: t.Name, Columns: t.Columns, Rows: t.Rows}
	if err := t.Stream(func(row []any) error { whole.Rows = append(whole.Rows, row); return nil }); err != nil {
		return nil, err
	}
	out := []Table{whole}
	if t.More != nil {
		more, err := t.More()
		if err != nil {
			return nil, err
		}
		for _, m := range more {
			ms, err := m.Expand()
			if err != nil {
				return nil, err
			}
			out = append(out, ms...)
		}
	}
	return out, nil
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
	"培训人次", "资料份数", "引进品种/技术", "备注", ColumnEvidence}

// Ledger builds a year's work ledger within under ("" for all the store holds), one row per live
// training in date order, and its roll-ups: per advisor (trainings listing them, service days,
// attendees, brochures) and per village (visits, attendees and brochures as the primary village,
// needs surveys); then a sheet per kind of the rest of the programme (programmeSheets): needs,
// projects, the varieties introduced and the texts the registry lacks, leaders and model households,
// publicity, the parks' pairings and the platforms. progress, if not nil, is told how many of the year's trainings are read.
// LedgerStream is the same, streamed: what a file is written from.
func Ledger(st Store, year int, under ledger.Code, progress func(done, total int)) ([]Table, error) {
	return LedgerStream(st, year, under, progress).Expand()
}

// LedgerStream is the work ledger as a streamed table (Table.Stream): its rows are made from the
// store a page of 1,000 trainings at a time as the writer takes them, and the roll-ups and the
// programme's sheets (Table.More) from what was summed meanwhile. Only the sums are held: a 100,000-row
// ledger is written in about the memory of one page.
func LedgerStream(st Store, year int, under ledger.Code, progress func(done, total int)) Table {
	if under.Level() == ledger.LevelCity {
		under = ""
	}
	q := query.Trainings{Under: under, From: ledger.Date(fmt.Sprintf("%04d-01-01", year)),
		To: ledger.Date(fmt.Sprintf("%04d-12-31", year)), Oldest: true, Limit: 1000}
	type advisorSum struct {
		trainings, attendees, brochures int
		days                            map[ledger.Date]bool
	}
	type villageSum struct{ visits, attendees, brochures, surveys int }
	advisors := map[string]*advisorSum{}
	villages := map[ledger.Code]*villageSum{}
	varietyTexts := map[string]int{} // what the trainings call varieties, for the varieties sheet
	surveys := map[string]string{}   // needs surveys → date and topic, for the needs sheet
	streamed := false
	main := Table{Name: SheetLedger, Columns: LedgerColumns}
	main.Stream = func(yield func(row []any) error) error {
		if streamed {
			return fmt.Errorf("work ledger %d: streamed twice", year)
		}
		streamed = true
		total, rows := 0, 0
		if progress != nil {
			n, err := st.CountTrainings(q)
			if err != nil {
				return fmt.Errorf("work ledger %d: %w", year, err)
			}
			total = n
		}
		r := newRowNames(st)
		pages, stop := readPages(st, q)
		defer stop()
		for p := range pages {
			if p.err != nil {
				return fmt.Errorf("work ledger %d: %w", year, p.err)
			}
			for _, t := range p.Trainings {
				rows++
				if err := yield(r.ledgerRow(rows, t)); err != nil {
					return err
				}
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
				progress(rows, max(total, rows))
			}
		}
		return nil
	}
	main.More = func() ([]Table, error) {
		if !streamed {
			return nil, fmt.Errorf("work ledger %d: roll-ups asked for before the rows", year)
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
		return append([]Table{byAdvisor, byVillage}, programmeSheets(st, year, under, varietyTexts, surveys)...), nil
	}
	return main
}

// page is a page of trainings read, or the error that ended the reading.
type page struct {
	query.TrainingPage
	err error
}

// readPages reads the pages of q on a goroutine of its own, one page ahead of the caller, so that one
// core reads the store while the other makes and writes the rows. stop ends the reading early and
// waits for it.
func readPages(st Store, q query.Trainings) (pages <-chan page, stop func()) {
	ch := make(chan page, 1)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer close(ch)
		for {
			p, err := st.Trainings(q, nil)
			select {
			case ch <- page{p, err}:
			case <-done:
				return
			}
			if err != nil || p.Next == "" {
				return
			}
			q.After = p.Next
		}
	}()
	return ch, func() {
		close(done)
		<-finished
	}
}

// rowNames looks up the villages and advisors the ledger's rows name, each once per export: 100,000
// rows name the same few thousand.
type rowNames struct {
	st       Store
	villages map[ledger.Code]*ledger.Village // nil: not held
	advisors map[string]*ledger.Advisor      // nil: not held
}

func newRowNames(st Store) *rowNames {
	return &rowNames{st: st, villages: map[ledger.Code]*ledger.Village{}, advisors: map[string]*ledger.Advisor{}}
}

func (r *rowNames) village(code ledger.Code) *ledger.Village {
	v, ok := r.villages[code]
	if !ok {
		if got, err := r.st.Village(code); err == nil {
			v = &got
		}
		r.villages[code] = v
	}
	return v
}

func (r *rowNames) advisor(id string) *ledger.Advisor {
	a, ok := r.advisors[id]
	if !ok {
		if got, err := r.st.Advisor(id); err == nil {
			a = &got
		}
		r.advisors[id] = a
	}
	return a
}

// ledgerRow is one line of the work ledger.
func (r *rowNames) ledgerRow(n int, t ledger.Training) []any {
	var county, township string
	var names []string
	for i, code := range t.Villages {
		v := r.village(code)
		if v == nil {
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
		a := r.advisor(id)
		if a == nil {
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
		string(t.Date), t.Kind, content, t.Attendees, t.Brochures, strings.Join(t.Varieties, "、"), t.Notes, evidenceNames(t)}
}

func nameOr(name, fallback string) string {
	if name == "" {
		return fallback
	}
	return name
}
