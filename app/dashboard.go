package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// dashboardTab is 目标进度: this year's progress against the targets within the office's scope, with a
// table per township.
type dashboardTab struct {
	u       *UI
	content fyne.CanvasObject
	year    *widget.Select
	bars    *fyne.Container
	table   *widget.Table
	rows    [][]string
	note    *widget.Label
	view    *view[dashboardData]

	mu      sync.Mutex
	forYear int
}

type dashboardData struct {
	p       query.Progress
	targets ledger.Target
	custom  bool // the city set this year's targets; otherwise the programme's defaults
}

// progressLine is one target on the dashboard.
type progressLine struct {
	label      string
	done, goal int
	unit       string
}

func (u *UI) newDashboardTab() *dashboardTab {
	t := &dashboardTab{u: u, forYear: u.year()}
	var years []string
	for y := u.year(); y >= u.year()-4; y-- {
		years = append(years, strconv.Itoa(y))
	}
	t.year = widget.NewSelect(years, func(s string) {
		y, _ := strconv.Atoi(s)
		t.mu.Lock()
		t.forYear = y
		t.mu.Unlock()
		if t.view != nil {
			t.view.refresh()
		}
	})
	t.year.SetSelected(years[0])
	t.bars = container.New(layout.NewFormLayout())
	t.note = widget.NewLabel("")
	t.note.Wrapping = fyne.TextWrapWord
	first, below := T("乡镇（街道）"), T("分乡镇情况")
	if u.id.Scope.Level() == ledger.LevelTownship {
		first, below = T("村"), T("分村情况")
	}
	cols := []string{first, T("活动次数"), T("培训人次"), T("发放资料"), T("引进品种/技术"), T("需求调研"), T("到村服务")}
	t.table = widget.NewTableWithHeaders(func() (int, int) { return len(t.rows), len(cols) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < len(t.rows) {
				o.(*widget.Label).SetText(t.rows[id.Row][id.Col])
			}
		})
	t.table.ShowHeaderColumn = false
	t.table.CreateHeader = func() fyne.CanvasObject { return heading("") }
	t.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 {
			o.(*widget.Label).SetText(cols[id.Col])
		}
	}
	t.table.SetColumnWidth(0, 160)
	for i := 1; i < len(cols); i++ {
		t.table.SetColumnWidth(i, 110)
	}
	top := container.NewHBox(heading(T("%s 年度目标进度", u.places.name(u.id.Scope))), layoutSpacer(), widget.NewLabel(T("年度")), t.year)
	if u.canEditRoster() {
		top.Add(widget.NewButtonWithIcon(T("修改目标"), theme.DocumentCreateIcon(), t.editTargets))
	}
	upper := container.NewVBox(top, t.bars, t.note, widget.NewSeparator(), heading(below))
	t.content = container.NewBorder(upper, nil, nil, nil, t.table)
	t.view = live(u, t.query, t.show)
	return t
}

func (t *dashboardTab) query(ws query.WatchSet) dashboardData {
	u := t.u
	t.mu.Lock()
	year := t.forYear
	t.mu.Unlock()
	under := u.id.Scope
	if under.Level() == ledger.LevelCity {
		under = ""
	}
	d := dashboardData{targets: ledger.DefaultTarget(year)}
	if tg, ok := u.target(year); ok {
		d.targets, d.custom = tg, true
	}
	on := u.today()
	if year != u.year() {
		on = ledger.Date(fmt.Sprintf("%04d-12-31", year))
	}
	d.p = u.st.Progress(year, under, on, ws)
	u.st.Stats(ws) // wake on any write, so edited targets show at once
	return d
}

func (t *dashboardTab) show(d dashboardData) {
	u, p := t.u, d.p
	share := 1.0
	if u.id.Scope.Level() != ledger.LevelCity {
		share = float64(p.KeyVillages) / ledger.ProgrammeKeyVillages
	}
	goal := func(n int) int { return ledger.ShareOf(n, share) }
	lines := []progressLine{
		{T("开展活动"), p.Total.Trainings, goal(d.targets.Activities), T("次")},
		{T("培训农民"), p.Total.Attendees, goal(d.targets.Attendees), T("人次")},
		{T("发放技术资料"), p.Total.Brochures, goal(d.targets.Brochures), T("份")},
		{T("支持项目"), p.Total.VisitsByKind.Of(ledger.TrainingProject), goal(d.targets.Projects), T("个")},
		{T("引进新品种新技术"), p.Total.Varieties, goal(d.targets.Varieties), T("项")},
		{T("重点村需求调研达标（每村 %d 次）", query.SurveysPerKeyVillage), p.KeyVillagesSurveyed, p.KeyVillages, T("个村")},
		{T("重点村有科技指导人员"), p.KeyVillagesCovered, p.KeyVillages, T("个村")},
		{T("重点村已到村服务"), p.KeyVillagesVisited, p.KeyVillages, T("个村")},
	}
	t.bars.Objects = nil
	for _, l := range lines {
		bar := widget.NewProgressBar()
		bar.Max = 1
		l := l
		bar.TextFormatter = func() string {
			switch {
			case l.goal == 0:
				return T("%s %s（无目标）", number(l.done), l.unit)
			case l.done > l.goal:
				return T("%s %s，已超额完成（目标 %s）", number(l.done), l.unit, number(l.goal))
			}
			return fmt.Sprintf("%s / %s %s  %d%%", number(l.done), number(l.goal), l.unit, l.done*100/l.goal)
		}
		if l.goal > 0 {
			bar.SetValue(min(1, float64(l.done)/float64(l.goal)))
		}
		t.bars.Add(widget.NewLabel(l.label))
		t.bars.Add(bar)
	}
	t.bars.Refresh()
	note := ""
	if u.id.Scope.Level() != ledger.LevelCity {
		note = T("本单位有省定重点村 %d 个，目标按全市 %d 个重点村折算。", p.KeyVillages, ledger.ProgrammeKeyVillages)
	}
	if !d.custom {
		note += T("今年的目标市局还没有下达，按项目默认值（全市：活动 %d 次、培训 %d 人次、资料 %d 份、项目 %d 个、品种技术 %d 项）。",
			d.targets.Activities, d.targets.Attendees, d.targets.Brochures, d.targets.Projects, d.targets.Varieties)
	}
	note += T("培育科技带头人、示范户 %d 名和宣传报道 %d 篇不在台账中统计。", d.targets.Leaders, d.targets.Reports)
	t.note.SetText(note)
	// A township office reads its villages; the county and the city their townships.
	byPlace, name := p.Townships, u.places.name
	if u.id.Scope.Level() == ledger.LevelTownship {
		byPlace, name = p.Villages, u.villageName
	}
	places := make([]ledger.Code, 0, len(byPlace))
	for c := range byPlace {
		places = append(places, c)
	}
	slices.Sort(places)
	t.rows = t.rows[:0]
	for _, c := range places {
		s := byPlace[c]
		t.rows = append(t.rows, []string{name(c), number(s.Trainings), number(s.Attendees),
			number(s.Brochures), number(s.Varieties), number(s.VisitsByKind.Of(ledger.TrainingSurvey)),
			number(s.Visits)})
	}
	t.table.Refresh()
}

// target reads the city's targets for a year, if it has set them.
func (u *UI) target(year int) (ledger.Target, bool) {
	rec, err := u.st.Record(strconv.Itoa(year))
	if err != nil || rec.Kind != ledger.KindTarget || rec.Deleted() {
		return ledger.Target{}, false
	}
	tg, err := ledger.As[ledger.Target](rec)
	return tg.WithDefaults(func(f string) bool { _, ok := rec.Fields[f]; return ok }), err == nil
}

// editTargets lets the city office set a year's targets; they reach every office with sync.
func (t *dashboardTab) editTargets() {
	u := t.u
	t.mu.Lock()
	year := t.forYear
	t.mu.Unlock()
	before, exists := u.target(year)
	cur := ledger.DefaultTarget(year)
	if exists {
		cur = before
	}
	fields := []struct {
		field string
		to    *int
	}{{"activities", &cur.Activities}, {"attendees", &cur.Attendees}, {"brochures", &cur.Brochures},
		{"projects", &cur.Projects}, {"varieties", &cur.Varieties}, {"leaders", &cur.Leaders}, {"reports", &cur.Reports}}
	var items []*widget.FormItem
	entries := make([]*field, len(fields))
	for i, f := range fields {
		entries[i] = newField()
		entries[i].SetText(strconv.Itoa(*f.to))
		entries[i].Validator = func(s string) error { _, err := parseCount(s); return err }
		items = append(items, widget.NewFormItem(fieldLabel(ledger.KindTarget, f.field), entries[i]))
	}
	u.showForm(T("%d 年全市目标", year), items, func() {
		for i, f := range fields {
			*f.to, _ = parseCount(entries[i].Text) // the form takes only counts (Validator)
		}
		u.saveWith(func(ctx context.Context) error {
			if exists {
				return u.st.Update(ctx, before, cur)
			}
			_, err := u.st.Create(ctx, cur)
			return err
		}, func(err error) {
			if err != nil {
				u.showError(err)
			}
			t.view.refresh()
		})
	})
}

// number writes a count with thousands separators, as the bureau's tables do: 12,345.
func number(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
