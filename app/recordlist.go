package app

import (
	"strconv"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// recordList is the list under a record form of the programme's kinds: the office's records of the
// kind, newest first (the registries by name), filtered as the kind's query offers (search, year, its
// states and groups), a page at a time, with how many match. Picking a row hands the record to the
// form. Each kind says its columns, its filters and how they make its query (needs.go, …).
type recordList[R ledger.Entity] struct {
	u       *UI
	content fyne.CanvasObject

	search  *field
	year    *widget.Select
	selects []*widget.Select
	checks  []*widget.Check
	count   *widget.Label
	table   *rowTable
	more    *widget.Button
	rows    []R
	view    *view[listPage[R]]

	mu    sync.Mutex
	state listState

	onSelect func(R) // a row clicked, or opened with Enter or a double click: edited in the form
	onShow   func(R) // a row selected with ↑ ↓: shown in the form, the keyboard stays in the list
	read     func(ws query.WatchSet) listPage[R]
}

// start reads the list and keeps it current from then on: when its screen is first shown, so that
// the nine screens a clerk may never open this session cost nothing at start-up or on each write.
func (l *recordList[R]) start() {
	if l.view == nil {
		l.view = live(l.u, l.read, l.show)
	}
}

// column is one column of a record list.
type column[R any] struct {
	title string
	width float32
	cell  func(R) string
}

// choiceFilter is a drop-down filter: "all" first, then the options (stored values, shown translated).
type choiceFilter struct {
	all     string
	options []string
}

// listState is what a list's filters say: the search text, the year (0: all), the value picked in each
// choice filter ("" for all), each check, and how many rows to show.
type listState struct {
	search string
	year   int
	picks  []string
	checks []bool
	limit  int
}

// listPage is one read of a list.
type listPage[R any] struct {
	rows  []R
	total int
}

// under is where the office's lists look: its scope, or everything for the city.
func (u *UI) under() ledger.Code {
	if u.id.Scope.Level() == ledger.LevelCity {
		return ""
	}
	return u.id.Scope
}

// listQuery is the common part of a kind's query.
func (u *UI) listQuery(s listState) query.List {
	return query.List{Under: u.under(), Year: s.year, Search: s.search, Limit: s.limit}
}

// newRecordList builds a list: years adds the year filter; read makes the kind's query.
func newRecordList[R ledger.Entity](u *UI, title string, cols []column[R], years bool, choices []choiceFilter, checks []string,
	read func(s listState, ws query.WatchSet) ([]R, int)) *recordList[R] {
	l := &recordList[R]{u: u, state: listState{limit: pageRows, picks: make([]string, len(choices)), checks: make([]bool, len(checks))}}
	l.search = newField()
	l.search.SetPlaceHolder(T("查找（名称、内容、备注…）"))
	filters := []fyne.CanvasObject{l.search} // the search and the drop-downs share the line; the checks follow
	changed := func() {
		l.mu.Lock()
		l.state.search = strings.TrimSpace(l.search.Text)
		l.state.year = 0
		if l.year != nil && l.year.SelectedIndex() > 0 {
			l.state.year, _ = strconv.Atoi(l.year.Selected)
		}
		for i, s := range l.selects {
			l.state.picks[i] = ""
			if j := s.SelectedIndex(); j > 0 {
				l.state.picks[i] = choices[i].options[j-1]
			}
		}
		for i, c := range l.checks {
			l.state.checks[i] = c.Checked
		}
		l.state.limit = pageRows
		l.mu.Unlock()
		if l.view != nil {
			l.view.refresh()
		}
	}
	l.search.OnChanged = func(string) { changed() }
	if years {
		opts := []string{T("全部年度")}
		for y := u.year(); y >= u.year()-4; y-- {
			opts = append(opts, strconv.Itoa(y))
		}
		l.year = widget.NewSelect(opts, func(string) { changed() })
		l.year.SetSelected(opts[0])
		filters = append(filters, l.year)
	}
	for _, c := range choices {
		s := widget.NewSelect(append([]string{c.all}, translated(c.options)...), func(string) { changed() })
		s.SetSelected(c.all)
		l.selects = append(l.selects, s)
		filters = append(filters, s)
	}
	var after []fyne.CanvasObject
	for _, text := range checks {
		c := widget.NewCheck(text, func(bool) { changed() })
		l.checks = append(l.checks, c)
		after = append(after, c)
	}
	clear := widget.NewButtonWithIcon(T("清除筛选"), theme.ContentClearIcon(), func() {
		l.search.SetText("")
		if l.year != nil {
			l.year.SetSelectedIndex(0)
		}
		for _, s := range l.selects {
			s.SetSelectedIndex(0)
		}
		for _, c := range l.checks {
			c.SetChecked(false)
		}
	})
	after = append(after, clear)
	l.count = widget.NewLabel("")
	l.more = widget.NewButton(T("再显示 100 条"), func() {
		l.mu.Lock()
		l.state.limit += pageRows
		l.mu.Unlock()
		if l.view != nil {
			l.view.refresh()
		}
	})
	l.more.Hide()
	l.table = l.newTable(cols)
	l.read = func(ws query.WatchSet) listPage[R] {
		l.mu.Lock()
		s := l.state
		s.picks = append([]string(nil), s.picks...)
		s.checks = append([]bool(nil), s.checks...)
		l.mu.Unlock()
		rows, total := read(s, ws)
		return listPage[R]{rows, total}
	}
	line := container.NewBorder(nil, nil, nil, container.NewHBox(after...), container.NewGridWithColumns(len(filters), filters...))
	l.content = container.NewBorder(container.NewVBox(heading(title), line),
		container.NewHBox(l.count, layoutSpacer(), l.more), nil, nil, l.table)
	return l
}

// newTable is the list's table (rowTable): a click or Enter opens a record in the form, ↑ ↓ show it there.
func (l *recordList[R]) newTable(cols []column[R]) *rowTable {
	rc := make([]rowColumn, len(cols))
	for i, c := range cols {
		rc[i] = rowColumn{c.title, c.width}
	}
	table := newRowTable(rc, func() int { return len(l.rows) }, func(row, col int) string { return cols[col].cell(l.rows[row]) })
	table.onSelect = func(row int, byKey bool) {
		if byKey && l.onShow != nil {
			l.onShow(l.rows[row])
			return
		}
		if l.onSelect != nil {
			l.onSelect(l.rows[row])
		}
	}
	table.onOpen = func(row int) {
		if l.onSelect != nil {
			l.onSelect(l.rows[row])
		}
	}
	return table
}

func (l *recordList[R]) show(p listPage[R]) {
	l.keepSelection(p.rows)
	l.rows = p.rows
	l.table.Refresh()
	l.count.Importance = widget.MediumImportance
	if p.total == 0 {
		l.count.SetText(T("没有符合条件的记录。"))
	} else {
		l.count.SetText(T("共 %d 条，显示 %d 条", p.total, len(p.rows)))
	}
	if p.total > len(p.rows) {
		l.more.Show()
	} else {
		l.more.Hide()
	}
}

// page cuts a registry's whole list (varieties, parks: a few hundred at most) to the list's limit.
func page[R any](all []R, s listState) ([]R, int) {
	return all[:min(len(all), s.limit)], len(all)
}

// kindScreen is a kind's screen: its form above, its list below, as 培训与服务记录 is laid out.
type kindScreen struct {
	content fyne.CanvasObject
	// show starts the screen's list (on its first showing) and puts the keyboard in its form.
	show func()
	form any // *recordForm[R] and *recordList[R] of the kind (tests reach them here)
	list any
	open func() // a lazy screen's show, once built (sidebar.go)
}

func newKindScreen[R ledger.Entity](f *recordForm[R], l *recordList[R]) *kindScreen {
	l.onSelect, l.onShow = f.edit, f.show
	// A click opens a record for typing, which takes the keyboard; a read-only form takes none, so the
	// table keeps it for ↑ ↓.
	l.table.tapFocuses = f.readOnly
	f.onLeaveEdit = l.table.ClearSelection
	return &kindScreen{content: container.NewBorder(container.NewVBox(f.content, widget.NewSeparator()), nil, nil, nil, l.content),
		show: func() { l.start(); f.focusForm() }, form: f, list: l}
}

// keepSelection moves the table's selection to where its record is in rows read again (a save, a sync),
// or clears it if the record is no longer listed.
func (l *recordList[R]) keepSelection(rows []R) {
	sel := l.table.Selected()
	if sel < 0 || sel >= len(l.rows) {
		return
	}
	id := l.rows[sel].RecordID()
	for i, r := range rows {
		if r.RecordID() == id {
			l.table.selected = i
			return
		}
	}
	l.table.ClearSelection()
}
