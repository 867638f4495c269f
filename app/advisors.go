package app

import (
	"context"
	"slices"
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

// advisorsTab is 科技指导人员: the roster by professional group; an advisor's detail with the villages
// they serve, their service days this year and their service history. The roster is the city's: only
// the city office edits it, every office reads it.
type advisorsTab struct {
	u       *UI
	content fyne.CanvasObject

	search *field
	group  *widget.Select
	list   *rowTable
	count  *widget.Label
	rows   []ledger.Advisor
	view   *view[[]ledger.Advisor]

	mu     sync.Mutex
	query  query.Advisors
	ours   bool // only advisors paired with a village of this office
	picked string
	mine   *widget.Check

	detail  *fyne.Container
	related *related
	form    *advisorForm
	assign  *assignmentsBox
}

type advisorForm struct {
	before                                                *ledger.Advisor
	name, phone, employer, title, specialty, since, notes *field
	gender, group, status                                 *widget.Select
	expert                                                *widget.Check
	message                                               *widget.Label
	save                                                  *widget.Button
	heading                                               *widget.Label
}

// canEditRoster reports whether this office keeps the shared rosters: only the city does.
func (u *UI) canEditRoster() bool { return u.id.Scope.Level() == ledger.LevelCity }

func (u *UI) newAdvisorsTab() *advisorsTab {
	t := &advisorsTab{u: u}
	t.search = newField()
	t.search.SetPlaceHolder(T("按姓名、电话或单位查找"))
	allGroups := T("全部专业组")
	groups := []string{allGroups}
	for _, g := range ledger.Groups {
		groups = append(groups, T(g)+T("组"))
	}
	t.group = widget.NewSelect(groups, nil)
	t.group.SetSelected(allGroups)
	changed := func() {
		t.mu.Lock()
		t.query.Search = strings.TrimSpace(t.search.Text)
		t.query.Group = ""
		if i := t.group.SelectedIndex(); i > 0 {
			t.query.Group = ledger.Groups[i-1]
		}
		t.ours = t.mine.Checked
		t.mu.Unlock()
		if t.view != nil {
			t.view.refresh()
		}
	}
	// A township or county sees the city's whole roster; the advisors serving its own villages are the
	// ones its clerks record, so that is where the list starts.
	t.mine = widget.NewCheck(T("只看本单位结对的人员"), nil)
	t.search.OnChanged = func(string) { changed() }
	t.group.OnChanged = func(string) { changed() }
	t.mine.OnChanged = func(bool) { changed() }
	if !u.canEditRoster() {
		t.mine.SetChecked(true)
	}
	t.count = widget.NewLabel("")
	t.list = t.newTable()
	bottom := container.NewHBox(t.count, layoutSpacer())
	if u.canEditRoster() {
		bottom.Add(widget.NewButtonWithIcon(T("新增人员"), theme.ContentAddIcon(), func() { t.list.ClearSelection(); t.openNew() }))
	}
	filters := container.NewVBox(t.search, t.group)
	if !u.canEditRoster() {
		filters.Add(t.mine)
	}
	left := container.NewBorder(filters, bottom, nil, nil, t.list)
	t.related = newRelated()
	t.form = t.newForm()
	t.assign = u.newAssignmentsBox()
	note := T("在左边选一位科技指导人员，查看结对村和服务记录。")
	if !u.canEditRoster() {
		note += "\n" + T("人员名册由市局统一维护，会随同步自动更新。")
	}
	hint := widget.NewLabel(note)
	hint.Alignment = fyne.TextAlignCenter
	t.detail = container.NewStack(container.NewCenter(hint))
	split := container.NewHSplit(left, t.detail)
	split.Offset = 0.32
	t.content = split
	t.view = live(u, func(ws query.WatchSet) []ledger.Advisor {
		t.mu.Lock()
		q, ours := t.query, t.ours
		t.mu.Unlock()
		all := u.st.Advisors(q, ws)
		if !ours {
			return all
		}
		serving := map[string]bool{}
		for _, a := range u.st.Assignments("", "", u.today(), ws) {
			if u.id.Scope.Contains(a.Village) {
				serving[a.Advisor] = true
			}
		}
		return slices.DeleteFunc(all, func(a ledger.Advisor) bool { return !serving[a.ID] })
	}, func(rows []ledger.Advisor) {
		t.rows = rows
		t.list.follow(slices.IndexFunc(t.rows, func(a ledger.Advisor) bool { return a.ID == t.pickedID() }))
		t.list.Refresh()
		t.count.SetText(T("共 %d 人", len(rows)))
	})
	return t
}

// newTable is the roster (rowTable): a click or ↑ ↓ show an advisor on the right, the keyboard staying
// in the list; Enter or a double click opens them: the cursor goes to the name where the roster is
// this office's to edit.
func (t *advisorsTab) newTable() *rowTable {
	cols := []rowColumn{{T("姓名"), 72}, {T("派出单位"), 130}, {T("专业组"), 96}}
	table := newRowTable(cols, func() int { return len(t.rows) }, func(row, col int) string {
		a := t.rows[row]
		switch col {
		case 0:
			return a.Name
		case 1:
			return a.Employer
		}
		tag := T(a.Group)
		if a.Expert {
			tag += " · " + T("专家")
		}
		if a.Status != "" && a.Status != ledger.StatusActive {
			tag += " · " + T(a.Status)
		}
		return tag
	})
	table.onSelect = func(row int, _ bool) { t.open(t.rows[row]) }
	table.tapFocuses = true
	table.onOpen = func(row int) {
		t.open(t.rows[row])
		if t.u.canEditRoster() {
			focusSelected(t.u.win.Canvas(), t.form.name)
		}
	}
	return table
}

// pickedID is the advisor shown on the right, "" if none.
func (t *advisorsTab) pickedID() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.picked
}

func (t *advisorsTab) newForm() *advisorForm {
	f := &advisorForm{heading: heading("")}
	for _, e := range []**field{&f.name, &f.phone, &f.employer, &f.title, &f.specialty, &f.since, &f.notes} {
		*e = newField()
		(*e).OnSubmitted = func(string) { t.saveForm() }
	}
	f.since.SetPlaceHolder("2026-03-01")
	f.gender = widget.NewSelect([]string{T("男"), T("女")}, nil)
	f.group = widget.NewSelect(ledger.Groups, nil)
	f.status = widget.NewSelect(ledger.Statuses, nil)
	f.expert = widget.NewCheck(T("专家服务团成员"), nil)
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.save = widget.NewButtonWithIcon(T("保存（回车）"), theme.DocumentSaveIcon(), t.saveForm)
	f.save.Importance = widget.HighImportance
	return f
}

// fields are the form's fields by the record field they edit, for the problems validation names.
func (f *advisorForm) fields() map[string]fyne.Focusable {
	return map[string]fyne.Focusable{"name": f.name, "gender": f.gender, "phone": f.phone, "employer": f.employer,
		"title": f.title, "specialty": f.specialty, "group": f.group, "status": f.status, "since": f.since,
		"expert": f.expert, "notes": f.notes}
}

func (t *advisorsTab) open(a ledger.Advisor) {
	f := t.form
	f.before = &a
	f.heading.SetText(a.Name)
	f.name.SetText(a.Name)
	f.phone.SetText(a.Phone)
	f.employer.SetText(a.Employer)
	f.title.SetText(a.Title)
	f.specialty.SetText(a.Specialty)
	f.since.SetText(string(a.Since))
	f.notes.SetText(a.Notes)
	f.gender.SetSelected(T(a.Gender))
	f.group.SetSelected(a.Group)
	f.status.SetSelected(a.Status)
	f.expert.SetChecked(a.Expert)
	f.message.SetText("")
	t.mu.Lock()
	t.picked = a.ID
	t.mu.Unlock()
	t.showDetail(true)
}

func (t *advisorsTab) openNew() {
	f := t.form
	f.before = nil
	f.heading.SetText(T("新增科技指导人员"))
	for _, e := range []*field{f.name, f.phone, f.employer, f.title, f.specialty, f.since, f.notes} {
		e.SetText("")
	}
	f.gender.ClearSelected()
	f.group.ClearSelected()
	f.status.SetSelected(ledger.StatusActive)
	f.expert.SetChecked(false)
	f.message.SetText("")
	t.mu.Lock()
	t.picked = ""
	t.mu.Unlock()
	t.showDetail(false)
	focusSelected(t.u.win.Canvas(), f.name)
}

func (t *advisorsTab) showDetail(existing bool) {
	f := t.form
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(T("姓名")), container.NewGridWithColumns(3, f.name, widget.NewLabel(T("性别")), f.gender),
		widget.NewLabel(T("电话")), f.phone,
		widget.NewLabel(T("派出单位")), f.employer,
		widget.NewLabel(T("职称")), container.NewGridWithColumns(3, f.title, widget.NewLabel(T("专业特长")), f.specialty),
		widget.NewLabel(T("专业组")), container.NewGridWithColumns(3, f.group, widget.NewLabel(T("状态")), f.status),
		widget.NewLabel(T("选派日期")), container.NewGridWithColumns(3, f.since, layoutSpacer(), f.expert),
		widget.NewLabel(T("备注")), f.notes,
	)
	var buttons fyne.CanvasObject = container.NewHBox()
	if t.u.canEditRoster() {
		buttons = container.NewHBox(layoutSpacer(), f.save)
	} else {
		for _, w := range []fyne.Disableable{f.name, f.phone, f.employer, f.title, f.specialty, f.since, f.notes,
			f.gender, f.group, f.status, f.expert} {
			w.Disable()
		}
	}
	if existing {
		history := widget.NewButtonWithIcon(T("修改历史"), theme.HistoryIcon(), func() {
			if f.before != nil {
				t.u.showHistory(ledger.KindAdvisor, f.before.ID, f.before.Name)
			}
		})
		buttons = container.NewHBox(history, layoutSpacer())
		if t.u.canEditRoster() {
			buttons.(*fyne.Container).Add(f.save)
		}
	}
	parts := []fyne.CanvasObject{f.heading, form, f.message, buttons}
	if existing {
		t.assign.show(t.picked)
		parts = append(parts, widget.NewSeparator(), t.assign.content, widget.NewSeparator(), t.related.label)
		t.related.follow(t.u, t.relatedText)
	}
	t.detail.Objects = []fyne.CanvasObject{container.NewVScroll(container.NewVBox(parts...))}
	t.detail.Refresh()
}

// relatedText lists the villages an advisor serves, their service days this year and their latest
// trainings.
func (t *advisorsTab) relatedText(ws query.WatchSet) string {
	u := t.u
	t.mu.Lock()
	id := t.picked
	t.mu.Unlock()
	if id == "" {
		return ""
	}
	var b strings.Builder
	days, err := u.st.ServiceDays(id, u.yearStart(), u.today())
	if err == nil {
		b.WriteString(T("今年服务天数：%d 天", days))
	}
	page, err := u.st.Trainings(query.Trainings{Advisor: id, Limit: 15}, ws)
	if err != nil {
		return b.String()
	}
	b.WriteString("\n\n" + T("服务记录（最近 15 条）："))
	u.writeRecent(&b, page.Trainings, func(tr ledger.Training) string { return u.villageNames(tr.Villages) })
	return b.String()
}

func (t *advisorsTab) saveForm() {
	u, f := t.u, t.form
	if !u.canEditRoster() {
		return
	}
	var a ledger.Advisor
	if f.before != nil {
		a = *f.before
	}
	a.Name = strings.TrimSpace(f.name.Text)
	a.Phone = strings.TrimSpace(f.phone.Text)
	a.Employer = strings.TrimSpace(f.employer.Text)
	a.Title = strings.TrimSpace(f.title.Text)
	a.Specialty = strings.TrimSpace(f.specialty.Text)
	a.Notes = strings.TrimSpace(f.notes.Text)
	a.Gender = []string{"", "男", "女"}[f.gender.SelectedIndex()+1] // stored in Chinese whatever the UI shows
	a.Group = f.group.Selected
	a.Status = f.status.Selected
	a.Expert = f.expert.Checked
	a.Since = ""
	if s := strings.TrimSpace(f.since.Text); s != "" {
		d, err := parseDay(s, u.today())
		if err != nil {
			u.refuse(f.message, T("选派日期")+"："+err.Error(), f.since)
			return
		}
		a.Since = d
	}
	before := f.before
	f.save.Disable()
	u.saveWith(func(ctx context.Context) error {
		if before != nil {
			return u.st.Update(ctx, *before, a)
		}
		id, err := u.st.Create(ctx, a)
		a.ID = id
		return err
	}, func(err error) {
		f.save.Enable()
		if err != nil {
			u.refuse(f.message, Sentence(err), problemAt(err, f.fields()))
			return
		}
		t.open(a)
		reselect(u.win.Canvas())
		f.message.Importance = widget.SuccessImportance
		f.message.SetText(T("已保存：%s", a.Name))
	})
}
