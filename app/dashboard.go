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
	table   *rowTable
	rows    [][]string
	note    *widget.Label
	// needs is the open needs by professional group with their ages (the groups' duty: answer them).
	needs     *rowTable
	needRows  [][]string
	needsNote *widget.Label
	view      *view[dashboardData]

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
	// Figures to read, not records to open: a click or the keyboard marks a row (rowTable), and the
	// columns share the pane's width as the window changes.
	rc := []rowColumn{{first, 128}}
	for _, c := range cols[1:] {
		rc = append(rc, rowColumn{c, 84})
	}
	t.table = newRowTable(rc, func() int { return len(t.rows) }, func(row, col int) string { return t.rows[row][col] })
	t.table.tapFocuses = true
	top := container.NewHBox(heading(T("%s 年度目标进度", u.places.name(u.id.Scope))), layoutSpacer(), widget.NewLabel(T("年度")), t.year)
	if u.canEditRoster() {
		top.Add(widget.NewButtonWithIcon(T("修改目标"), theme.DocumentCreateIcon(), t.editTargets))
	}
	t.needsNote = widget.NewLabel("")
	t.needsNote.Wrapping = fyne.TextWrapWord
	t.needs = t.newNeedsTable()
	left := container.NewVScroll(container.NewVBox(t.bars, t.note))
	needs := container.NewBorder(container.NewVBox(heading(T("各专业组需求办理")), t.needsNote), nil, nil, nil, t.needs)
	places := container.NewBorder(heading(below), nil, nil, nil, t.table)
	right := container.NewVSplit(needs, places)
	right.Offset = 0.72 // the groups' eight rows (seven and the total) in full
	split := container.NewHSplit(left, right)
	split.Offset = 0.44
	t.content = container.NewBorder(container.NewVBox(top, widget.NewSeparator()), nil, nil, nil, split)
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
	on := u.today()
	if year != u.year() {
		on = ledger.Date(fmt.Sprintf("%04d-12-31", year))
	}
	d := dashboardData{p: u.st.Progress(year, under, on, ws)}
	d.targets, d.custom = u.st.YearTarget(year)
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
	tg := d.targets
	lines := []progressLine{
		{T("开展活动"), p.Total.Trainings, goal(tg.Activities), T("次")},
		{T("培训农民"), p.Total.Attendees, goal(tg.Attendees), T("人次")},
		{T("发放技术资料"), p.Total.Brochures, goal(tg.Brochures), T("份")},
		{T("支持项目"), p.Projects.Supported, goal(tg.Projects), T("个")},
		{T("引进新品种新技术"), p.Varieties.Count, goal(tg.Varieties), T("项")},
		{T("重点村需求调研达标（每村 %d 次）", query.SurveysPerKeyVillage), p.KeyVillagesSurveyed, p.KeyVillages, T("个村")},
		{T("培育科技带头人、示范户"), p.Leaders, goal(tg.Leaders), T("名")},
		{T("重点村有科技指导人员"), p.KeyVillagesCovered, p.KeyVillages, T("个村")},
		{T("重点村已到村服务"), p.KeyVillagesVisited, p.KeyVillages, T("个村")},
		{T("园区结对达标（每个园区 %d 个重点村）", tg.ParkVillages), p.Parks.Paired, p.Parks.Parks, T("个园区")},
		{T("园区带动就业"), p.Parks.Jobs, goal(tg.ParkJobs), T("人")},
		{T("星创天地"), p.Platforms.Stars, goal(tg.Stars), T("个")},
		{T("农科驿站"), p.Platforms.Stations, goal(tg.Stations), T("个")},
		{T("宣传报道"), p.Publicity, goal(tg.Reports), T("篇")},
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
		note += T("今年的目标市局还没有下达，按项目默认值。")
	}
	note += T("项目 %d 个已支持，支持金额 %s 万元，受益 %s 户；引进推广 %s 亩；另有 %d 个品种名称名册中没有，暂不计入。",
		p.Projects.Supported, amountText(p.Projects.Amount), number(p.Projects.Households),
		amountText(p.Varieties.Area), p.Varieties.Unlinked)
	t.note.SetText(note)
	t.showNeeds(p.Needs)
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
		{"projects", &cur.Projects}, {"varieties", &cur.Varieties}, {"surveys", &cur.Surveys}, {"leaders", &cur.Leaders},
		{"park_villages", &cur.ParkVillages}, {"park_jobs", &cur.ParkJobs}, {"star_platforms", &cur.Stars},
		{"stations", &cur.Stations}, {"reports", &cur.Reports}, {"need_days", &cur.NeedDays}}
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

// newNeedsTable is the open needs by professional group: how many, their ages, the overdue ones, the
// oldest, and the year's raised and closed.
func (t *dashboardTab) newNeedsTable() *rowTable {
	cols := []struct {
		title string
		width float32
	}{{T("专业组"), 70}, {T("未办结"), 60}, {T("≤%d天", query.NeedAges[0]), 60},
		{T("%d–%d天", query.NeedAges[0]+1, query.NeedAges[1]), 66}, {T("%d–%d天", query.NeedAges[1]+1, query.NeedAges[2]), 66},
		{T(">%d天", query.NeedAges[2]), 60}, {T("超期"), 50}, {T("最久（天）"), 76}, {T("今年提出"), 70}, {T("今年办结"), 70}}
	rc := make([]rowColumn, len(cols))
	for i, c := range cols {
		rc[i] = rowColumn{c.title, c.width}
	}
	table := newRowTable(rc, func() int { return len(t.needRows) }, func(row, col int) string { return t.needRows[row][col] })
	table.tapFocuses = true
	return table
}

// showNeeds fills the needs table, a row per group in the programme's order and a total.
func (t *dashboardTab) showNeeds(n query.NeedProgress) {
	t.needsNote.SetText(T("今年提出需求 %d 条，已解决 %d 条，无法解决 %d 条；现有未办结 %d 条，其中超过 %d 天未办结 %d 条。",
		n.Raised, n.Resolved, n.Unsolvable, n.Open, n.Days, n.Overdue))
	if n.Overdue > 0 {
		t.needsNote.Importance = widget.DangerImportance
	} else {
		t.needsNote.Importance = widget.MediumImportance
	}
	t.needsNote.Refresh()
	t.needRows = t.needRows[:0]
	var total query.GroupNeeds
	for _, g := range ledger.Groups {
		x := n.ByGroup[g]
		total.Open += x.Open
		total.Overdue += x.Overdue
		total.Oldest = max(total.Oldest, x.Oldest)
		total.Raised += x.Raised
		total.Closed += x.Closed
		for i := range x.Ages {
			total.Ages[i] += x.Ages[i]
		}
		t.needRows = append(t.needRows, needRow(T(g), x))
	}
	t.needRows = append(t.needRows, needRow(T("合计"), total))
	t.needs.Refresh()
}

func needRow(name string, x query.GroupNeeds) []string {
	oldest := ""
	if x.Open > 0 {
		oldest = number(x.Oldest)
	}
	return []string{name, number(x.Open), number(x.Ages[0]), number(x.Ages[1]), number(x.Ages[2]), number(x.Ages[3]),
		number(x.Overdue), oldest, number(x.Raised), number(x.Closed)}
}
