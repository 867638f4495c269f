package app

import (
	"context"
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

// villagesTab is 村庄: the office's villages, searchable by name or code and filtered by township and the
// key-village flag; a village's detail and edit form, its advisors and its recent trainings.
type villagesTab struct {
	u       *UI
	content fyne.CanvasObject

	search  *field
	town    *widget.Select
	keyOnly *widget.Check
	list    *rowTable
	count   *widget.Label
	rows    []ledger.Village
	view    *view[villageList]

	mu     sync.Mutex
	query  query.Villages
	picked ledger.Code

	form    *villageForm
	detail  *fyne.Container
	related *related
}

type villageList struct {
	rows  []ledger.Village
	total int
}

// villageForm edits one village.
type villageForm struct {
	before                                                        *ledger.Village // nil: a new village
	code, name, keyYear, industries, households, population, poor *field
	farmland, secretary, phone, notes                             *field
	key                                                           *widget.Check
	message                                                       *widget.Label
	save                                                          *widget.Button
	title                                                         *widget.Label
}

func (u *UI) newVillagesTab() *villagesTab {
	t := &villagesTab{u: u, query: query.Villages{Under: u.id.Scope, Limit: 500}}
	t.search = newField()
	t.search.SetPlaceHolder(T("按村名或代码查找"))
	towns := u.places.townships(u.id.Scope)
	allTowns := T("全部乡镇（街道）")
	opts := []string{allTowns}
	for _, c := range towns {
		opts = append(opts, u.places.name(c))
	}
	t.town = widget.NewSelect(opts, nil)
	t.town.SetSelected(allTowns)
	t.keyOnly = widget.NewCheck(T("只看省定重点村"), nil)
	changed := func() {
		t.mu.Lock()
		t.query.Search = strings.TrimSpace(t.search.Text)
		t.query.KeyOnly = t.keyOnly.Checked
		t.query.Under = u.id.Scope
		if i := t.town.SelectedIndex(); i > 0 {
			t.query.Under = towns[i-1]
		}
		t.mu.Unlock()
		if t.view != nil {
			t.view.refresh()
		}
	}
	t.search.OnChanged = func(string) { changed() }
	t.town.OnChanged = func(string) { changed() }
	t.keyOnly.OnChanged = func(bool) { changed() }
	t.count = widget.NewLabel("")
	t.list = t.newTable()
	add := widget.NewButtonWithIcon(T("新增村"), theme.ContentAddIcon(), func() { t.list.ClearSelection(); t.openNew() })
	filters := container.NewVBox(t.search, t.town, t.keyOnly)
	if u.id.Scope.Level() == ledger.LevelTownship {
		filters = container.NewVBox(t.search, t.keyOnly)
	}
	left := container.NewBorder(filters, container.NewHBox(t.count, layoutSpacer(), add), nil, nil, t.list)
	t.related = newRelated()
	t.form = u.newVillageForm(t)
	t.detail = container.NewStack(container.NewCenter(widget.NewLabel(T("在左边选一个村，查看和修改它的情况。"))))
	split := container.NewHSplit(left, t.detail)
	split.Offset = 0.32
	if u.id.Scope.Level() != ledger.LevelTownship {
		split.Offset = 0.37 // the township's column too
	}
	t.content = split
	t.view = live(u, func(ws query.WatchSet) villageList {
		t.mu.Lock()
		q := t.query
		t.mu.Unlock()
		rows, total := u.st.Villages(q, ws)
		return villageList{rows, total}
	}, func(l villageList) {
		t.rows = l.rows
		t.list.follow(slices.IndexFunc(t.rows, func(v ledger.Village) bool { return v.Code == t.pickedCode() }))
		t.list.Refresh()
		if l.total > len(l.rows) {
			t.count.SetText(T("共 %d 个村，显示前 %d 个", l.total, len(l.rows)))
		} else {
			t.count.SetText(T("共 %d 个村", l.total))
		}
	})
	return t
}

// newTable is the list of villages (rowTable): a click or ↑ ↓ show a village on the right, the keyboard
// staying in the list; Enter or a double click opens it: the cursor goes to its name.
func (t *villagesTab) newTable() *rowTable {
	township := t.u.id.Scope.Level() == ledger.LevelTownship // the township is the office's own
	// Widths that show a whole code, a village's usual name and the mark at the window's default size.
	cols := []rowColumn{{T("村代码"), 112}, {T("村名"), 124}, {T("重点村"), 60}}
	if !township {
		cols = append([]rowColumn{{T("乡镇"), 84}}, cols...)
	}
	table := newRowTable(cols, func() int { return len(t.rows) }, func(row, col int) string {
		v := t.rows[row]
		if !township {
			col--
		}
		switch col {
		case -1:
			return v.TownshipName
		case 0:
			return string(v.Code)
		case 1:
			return v.Name
		}
		if v.Key {
			return T("重点村")
		}
		return ""
	})
	table.onSelect = func(row int, _ bool) { t.open(t.rows[row]) }
	table.tapFocuses = true
	table.onOpen = func(row int) {
		t.open(t.rows[row])
		focusSelected(t.u.win.Canvas(), t.form.name)
	}
	return table
}

// pickedCode is the village shown on the right, "" if none.
func (t *villagesTab) pickedCode() ledger.Code {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.picked
}

func (u *UI) newVillageForm(t *villagesTab) *villageForm {
	f := &villageForm{title: heading("")}
	entries := []**field{&f.code, &f.name, &f.keyYear, &f.industries, &f.households, &f.population, &f.poor,
		&f.farmland, &f.secretary, &f.phone, &f.notes}
	for _, e := range entries {
		*e = newField()
		(*e).OnSubmitted = func(string) { t.saveForm() }
	}
	f.industries.SetPlaceHolder(T("例如：蔬菜、林果"))
	f.code.SetPlaceHolder(T("12 位统计用区划代码"))
	f.keyYear.SetPlaceHolder(T("年份"))
	f.key = widget.NewCheck(T("省定扶贫工作重点村"), nil)
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.save = widget.NewButtonWithIcon(T("保存（回车）"), theme.DocumentSaveIcon(), t.saveForm)
	f.save.Importance = widget.HighImportance
	return f
}

// fields are the form's fields by the record field they edit, for the problems validation names.
func (f *villageForm) fields() map[string]fyne.Focusable {
	return map[string]fyne.Focusable{"id": f.code, "name": f.name, "key": f.key, "key_year": f.keyYear,
		"industries": f.industries, "households": f.households, "population": f.population,
		"poor_households": f.poor, "farmland": f.farmland, "secretary": f.secretary,
		"secretary_phone": f.phone, "notes": f.notes}
}

// open shows a village's detail: the edit form, its advisors and its latest trainings.
func (t *villagesTab) open(v ledger.Village) {
	f := t.form
	f.before = &v
	f.title.SetText(v.Name + " · " + v.CountyName + v.TownshipName)
	f.code.SetText(string(v.Code))
	f.code.Disable()
	f.name.SetText(v.Name)
	f.key.SetChecked(v.Key)
	f.keyYear.SetText(countText(v.KeyYear))
	f.industries.SetText(strings.Join(v.Industries, listSep))
	f.households.SetText(countText(v.Households))
	f.population.SetText(countText(v.Population))
	f.poor.SetText(countText(v.PoorHouseholds))
	f.farmland.SetText(floatText(v.Farmland))
	f.secretary.SetText(v.Secretary)
	f.phone.SetText(v.SecretaryPhone)
	f.notes.SetText(v.Notes)
	f.message.SetText("")
	t.mu.Lock()
	t.picked = v.Code
	t.mu.Unlock()
	t.showDetail(true)
}

func (t *villagesTab) openNew() {
	f := t.form
	f.before = nil
	f.title.SetText(T("新增村"))
	f.code.Enable()
	for _, e := range []*field{f.code, f.name, f.keyYear, f.industries, f.households, f.population, f.poor,
		f.farmland, f.secretary, f.phone, f.notes} {
		e.SetText("")
	}
	f.key.SetChecked(false)
	f.message.SetText("")
	t.mu.Lock()
	t.picked = ""
	t.mu.Unlock()
	t.showDetail(false)
	focusSelected(t.u.win.Canvas(), f.code)
}

func (t *villagesTab) showDetail(existing bool) {
	f := t.form
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(T("村代码")), f.code,
		widget.NewLabel(T("村名")), f.name,
		widget.NewLabel(T("重点村")), container.NewHBox(f.key, widget.NewLabel(T("认定年份")), container.NewGridWrap(fyne.NewSize(90, 36), f.keyYear)),
		widget.NewLabel(T("主导产业")), f.industries,
		widget.NewLabel(T("户数")), container.NewGridWithColumns(5, f.households, widget.NewLabel(T("人口")), f.population, widget.NewLabel(T("贫困户数")), f.poor),
		widget.NewLabel(T("耕地面积（亩）")), f.farmland,
		widget.NewLabel(T("党支部书记")), container.NewGridWithColumns(3, f.secretary, widget.NewLabel(T("书记电话")), f.phone),
		widget.NewLabel(T("备注")), f.notes,
	)
	parts := []fyne.CanvasObject{f.title, form, f.message, container.NewHBox(layoutSpacer(), f.save)}
	if existing {
		history := widget.NewButtonWithIcon(T("修改历史"), theme.HistoryIcon(), func() {
			if f.before != nil {
				t.u.showHistory(ledger.KindVillage, string(f.before.Code), f.before.Name)
			}
		})
		parts[3] = container.NewHBox(history, layoutSpacer(), f.save)
		parts = append(parts, widget.NewSeparator(), t.related.label)
		t.related.follow(t.u, t.relatedText)
	}
	t.detail.Objects = []fyne.CanvasObject{container.NewVScroll(container.NewVBox(parts...))}
	t.detail.Refresh()
}

// relatedText lists the picked village's advisors and its latest trainings.
func (t *villagesTab) relatedText(ws query.WatchSet) string {
	u := t.u
	t.mu.Lock()
	code := t.picked
	t.mu.Unlock()
	if code == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString(T("结对科技指导人员："))
	as := u.st.Assignments(code, "", u.today(), ws)
	if len(as) == 0 && u.canEditRoster() {
		b.WriteString(T("暂无（在“科技指导人员”里为人员新增结对）"))
	} else if len(as) == 0 {
		b.WriteString(T("暂无（请市局安排）"))
	}
	for i, a := range as {
		if i > 0 {
			b.WriteString(listSep)
		}
		b.WriteString(u.advisorName(a.Advisor))
	}
	page, err := u.st.Trainings(query.Trainings{Village: code, Limit: 10}, ws)
	if err != nil {
		return b.String()
	}
	n, _ := u.st.CountTrainings(query.Trainings{Village: code, From: u.yearStart()})
	b.WriteString("\n\n" + T("今年培训与服务 %d 次；最近的记录：", n))
	u.writeRecent(&b, page.Trainings, func(tr ledger.Training) string { return u.advisorNames(tr.Advisors) })
	return b.String()
}

func floatText(f float64) string {
	if f == 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// saveForm saves the village form.
func (t *villagesTab) saveForm() {
	u, f := t.u, t.form
	var v ledger.Village
	if f.before != nil {
		v = *f.before
	}
	var probs []string
	var at fyne.Focusable // the first field with a problem
	bad := func(w fyne.Focusable, text string) {
		probs = append(probs, text)
		if at == nil {
			at = w
		}
	}
	v.Code = ledger.Code(strings.TrimSpace(f.code.Text))
	if f.before == nil {
		if v.Code.Level() != ledger.LevelVillage {
			bad(f.code, T("村代码：请填写 12 位统计用区划代码"))
		} else {
			v.TownshipName = u.places.name(v.Code.Township())
			v.CountyName = u.places.name(v.Code.County())
		}
	}
	v.Name = strings.TrimSpace(f.name.Text)
	v.Key = f.key.Checked
	v.Industries = splitList(f.industries.Text)
	v.Secretary = strings.TrimSpace(f.secretary.Text)
	v.SecretaryPhone = strings.TrimSpace(f.phone.Text)
	v.Notes = strings.TrimSpace(f.notes.Text)
	for _, n := range []struct {
		e     *field
		label string
		to    *int
	}{{f.keyYear, T("认定年份"), &v.KeyYear}, {f.households, T("户数"), &v.Households},
		{f.population, T("人口"), &v.Population}, {f.poor, T("贫困户数"), &v.PoorHouseholds}} {
		var err error
		if *n.to, err = parseCount(n.e.Text); err != nil {
			bad(n.e, n.label+"："+err.Error())
		}
	}
	if s := strings.TrimSpace(f.farmland.Text); s != "" {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || x < 0 {
			bad(f.farmland, T("耕地面积：请填写不小于 0 的数字"))
		}
		v.Farmland = x
	}
	if len(probs) > 0 {
		u.refuse(f.message, strings.Join(probs, "；"), at)
		return
	}
	before := f.before
	f.save.Disable()
	u.saveWith(func(ctx context.Context) error {
		if before != nil {
			return u.st.Update(ctx, *before, v)
		}
		_, err := u.st.Create(ctx, v)
		return err
	}, func(err error) {
		f.save.Enable()
		if err != nil {
			u.refuse(f.message, Sentence(err), problemAt(err, f.fields()))
			return
		}
		t.open(v)
		reselect(u.win.Canvas())
		f.message.Importance = widget.SuccessImportance
		f.message.SetText(T("已保存：%s", v.Name))
	})
}
