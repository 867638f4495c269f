package app

import (
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// trainingList is the lower half of 培训与服务记录: the office's trainings, newest first, filtered by date
// range, village, advisor and kind, a page at a time. Picking a row hands the record to onSelect (the
// form above, to edit it).
type trainingList struct {
	u       *UI
	content fyne.CanvasObject

	fromF, toF, villageF, advisorF *field
	kindF                          *widget.Select
	count                          *widget.Label
	table                          *rowTable
	more                           *widget.Button
	rows                           []trainingRow
	view                           *view[trainingRows]

	mu     sync.Mutex
	filter trainingFilter

	onSelect    func(ledger.Training) // a row clicked: opened in the form to edit
	onShow      func(ledger.Training) // a row selected with ↑ ↓: shown in the form, the keyboard stays
	onOpen      func(ledger.Training) // Enter or a double click on a row: opened in the form to edit
	onFirstShow func()                // once, when the first read is on screen (start-up measurement)
}

// trainingFilter is what the list's filter fields say, as typed.
type trainingFilter struct {
	from, to, village, advisor, kind string
	limit                            int
}

// trainingRows is one read of the list.
type trainingRows struct {
	rows    []trainingRow
	total   int
	more    bool
	problem string
}

type trainingRow struct {
	t                  ledger.Training
	villages, advisors string
}

// pageRows is how many more rows 再显示 shows.
const pageRows = 100

// newTrainingList is the filter line, the table of records and the count.
func (u *UI) newTrainingList() *trainingList {
	t := &trainingList{u: u, filter: trainingFilter{limit: pageRows}}
	t.fromF = newField()
	t.fromF.SetPlaceHolder(T("起始日期"))
	t.toF = newField()
	t.toF.SetPlaceHolder(T("截止日期"))
	t.villageF = newField()
	t.villageF.SetPlaceHolder(T("村名"))
	t.advisorF = newField()
	t.advisorF.SetPlaceHolder(T("指导人员"))
	allKinds := T("全部服务形式")
	kinds := []string{allKinds}
	for _, k := range ledger.TrainingKinds {
		kinds = append(kinds, T(k))
	}
	t.kindF = widget.NewSelect(kinds, nil)
	t.kindF.SetSelected(allKinds)
	changed := func(string) {
		t.mu.Lock()
		t.filter = trainingFilter{from: t.fromF.Text, to: t.toF.Text, village: t.villageF.Text,
			advisor: t.advisorF.Text, limit: pageRows}
		if i := t.kindF.SelectedIndex(); i > 0 {
			t.filter.kind = ledger.TrainingKinds[i-1]
		}
		t.mu.Unlock()
		if t.view != nil {
			t.view.refresh()
		}
	}
	for _, e := range []*field{t.fromF, t.toF, t.villageF, t.advisorF} {
		e.OnChanged = changed
	}
	t.kindF.OnChanged = changed
	clear := widget.NewButtonWithIcon(T("清除筛选"), theme.ContentClearIcon(), func() {
		for _, e := range []*field{t.fromF, t.toF, t.villageF, t.advisorF} {
			e.SetText("")
		}
		t.kindF.SetSelected(allKinds)
	})
	t.count = widget.NewLabel("")
	t.more = widget.NewButton(T("再显示 100 条"), func() {
		t.mu.Lock()
		t.filter.limit += pageRows
		t.mu.Unlock()
		t.view.refresh()
	})
	t.more.Hide()
	signIn := widget.NewButtonWithIcon(T("签到表情况"), theme.FileImageIcon(), u.showSignInSheets)

	t.table = t.newTable()
	t.view = live(u, t.query, t.show)
	filters := container.NewGridWithColumns(6, t.fromF, t.toF, t.villageF, t.advisorF, t.kindF, clear)
	t.content = container.NewBorder(container.NewVBox(heading(T("记录列表")), filters), container.NewHBox(t.count, layoutSpacer(), signIn, t.more), nil, nil, t.table)
	return t
}

// newTable is the list's table: a row per training; a click opens it in the form to edit; ↑ ↓ move
// the selection and show each record in the form, and Enter or a double click opens it (rowTable).
func (t *trainingList) newTable() *rowTable {
	cols := []rowColumn{{T("日期"), 100}, {T("服务形式"), 90}, {T("村"), 170}, {T("科技指导人员"), 150}, {T("主题"), 260},
		{T("培训人次"), 80}, {T("发放资料"), 80}, {T("佐证"), 50}}
	table := newRowTable(cols, func() int { return len(t.rows) }, func(row, col int) string {
		r := t.rows[row]
		return []string{string(r.t.Date), T(r.t.Kind), r.villages, r.advisors, r.t.Topic,
			countText(r.t.Attendees), countText(r.t.Brochures), countText(len(r.t.Evidence))}[col]
	})
	table.onSelect = func(row int, byKey bool) {
		if byKey && t.onShow != nil {
			t.onShow(t.rows[row].t) // the keyboard stays in the table
			return
		}
		t.onSelect(t.rows[row].t)
	}
	table.onOpen = func(row int) {
		if t.onOpen != nil {
			t.onOpen(t.rows[row].t)
		}
	}
	return table
}

// query reads the list as the filter says (off the UI thread).
func (t *trainingList) query(ws query.WatchSet) trainingRows {
	u := t.u
	t.mu.Lock()
	f := t.filter
	t.mu.Unlock()
	q := query.Trainings{Under: u.id.Scope, Kind: f.kind, Limit: f.limit}
	if u.id.Scope.Level() == ledger.LevelCity {
		q.Under = ""
	}
	var err error
	if strings.TrimSpace(f.from) != "" {
		if q.From, err = parseDay(f.from, u.today()); err != nil {
			return trainingRows{problem: T("起始日期：") + err.Error()}
		}
	}
	if strings.TrimSpace(f.to) != "" {
		if q.To, err = parseDay(f.to, u.today()); err != nil {
			return trainingRows{problem: T("截止日期：") + err.Error()}
		}
	}
	if v := strings.TrimSpace(f.village); v != "" {
		c, ok := u.resolveVillage(v)
		if !ok {
			if _, n := u.st.Villages(query.Villages{Under: u.id.Scope, Search: v}, nil); n > 1 {
				return trainingRows{problem: T("有 %d 个村的名字含“%s”，请多写几个字", n, v)}
			}
			return trainingRows{problem: T("本单位没有名字含“%s”的村", v)}
		}
		q.Village = c
	}
	if a := strings.TrimSpace(f.advisor); a != "" {
		id, ok := u.resolveAdvisor(a)
		if !ok {
			if n := len(u.st.Advisors(query.Advisors{Search: a}, nil)); n > 1 {
				return trainingRows{problem: T("有 %d 位科技指导人员的名字含“%s”，请多写几个字", n, a)}
			}
			return trainingRows{problem: T("名册里没有“%s”", a)}
		}
		q.Advisor = id
	}
	page, err := u.st.Trainings(q, ws)
	if err != nil {
		return trainingRows{problem: Sentence(err)}
	}
	var total int
	if q.Village == "" && q.Advisor == "" && q.From == "" && q.To == "" && q.Kind == "" {
		total = u.st.Stats(nil).Trainings // the store holds the office's scope: no need to scan 100k keys
	} else if total, err = u.st.CountTrainings(q); err != nil {
		return trainingRows{problem: Sentence(err)}
	}
	l := trainingRows{total: total, more: page.Next != ""}
	for _, tr := range page.Trainings {
		l.rows = append(l.rows, trainingRow{t: tr, villages: u.villageNames(tr.Villages), advisors: u.advisorNames(tr.Advisors)})
	}
	return l
}

// show puts a read of the list on screen (on the UI thread).
func (t *trainingList) show(l trainingRows) {
	t.keepSelection(l.rows)
	t.rows = l.rows
	t.table.Refresh()
	switch {
	case l.problem != "":
		t.count.Importance = widget.DangerImportance
		t.count.SetText(l.problem)
	case l.total == 0:
		t.count.Importance = widget.MediumImportance
		t.count.SetText(T("还没有记录：在上面填写第一条，回车保存。"))
	default:
		t.count.Importance = widget.MediumImportance
		t.count.SetText(T("共 %d 条，显示 %d 条", l.total, len(l.rows)))
	}
	if l.more {
		t.more.Show()
	} else {
		t.more.Hide()
	}
	if t.onFirstShow != nil {
		ready := t.onFirstShow
		t.onFirstShow = nil
		ready()
	}
}

// keepSelection moves the table's selection to where its record is in rows read again (a save, a sync),
// or clears it if the record is no longer listed.
func (t *trainingList) keepSelection(rows []trainingRow) {
	sel := t.table.Selected()
	if sel < 0 || sel >= len(t.rows) {
		return
	}
	id := t.rows[sel].t.ID
	for i, r := range rows {
		if r.t.ID == id {
			t.table.selected = i
			return
		}
	}
	t.table.ClearSelection()
}
