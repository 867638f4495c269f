package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// trainingsTab is 培训与服务记录: the entry form on top, built to copy a paper sign-in sheet in well under
// 30 seconds by keyboard alone, and the list below, filtered by date range, village, advisor and kind.
// Picking a row loads it into the form to edit, delete or see its history.
type trainingsTab struct {
	u       *UI
	content fyne.CanvasObject

	title     *widget.Label
	date      *field
	kind      *completer
	villages  *completer
	advisors  *completer
	topic     *field
	text      *field
	attendees *field
	poor      *field
	brochures *field
	varieties *field
	notes     *field
	hint      *widget.Label
	message   *widget.Label
	save      *widget.Button
	cancel    *widget.Button
	remove    *widget.Button
	history   *widget.Button

	editing *ledger.Training // the record in the form; nil for a new one
	saving  bool

	fromF, toF, villageF, advisorF *field
	kindF                          *widget.Select
	count                          *widget.Label
	table                          *widget.Table
	more                           *widget.Button
	rows                           []trainingRow
	list                           *view[trainingList]

	mu     sync.Mutex
	filter trainingFilter

	onFirstShow func()
}

// trainingFilter is what the list's filter fields say, as typed.
type trainingFilter struct {
	from, to, village, advisor, kind string
	limit                            int
}

type trainingRow struct {
	t                  ledger.Training
	villages, advisors string
}

type trainingList struct {
	rows    []trainingRow
	total   int
	more    bool
	problem string
}

// lastTraining is what the form remembers between records and between runs.
type lastTraining struct {
	Kind     string        `json:"kind"`
	Villages []ledger.Code `json:"villages"`
	Advisors []string      `json:"advisors"`
}

const (
	uiDocs       = "ui"
	lastTrainDoc = "last-training"
	pageRows     = 100
)

func (u *UI) newTrainingsTab() *trainingsTab {
	t := &trainingsTab{u: u, filter: trainingFilter{limit: pageRows}}
	t.hint = widget.NewLabel("")
	t.hint.Truncation = fyne.TextTruncateEllipsis
	t.message = widget.NewLabel("")
	t.message.Wrapping = fyne.TextWrapWord
	t.title = heading(T("新增培训与服务记录"))

	t.date = newField()
	t.date.SetPlaceHolder(T("今天；也可填 5-3 或 2026-05-03"))
	t.date.SetText(string(u.today()))
	t.kind = newCompleter(false, t.hint, kindChoices)
	t.kind.SetPlaceHolder(T("技术培训、现场指导…（可输入 1–7）"))
	t.villages = newCompleter(true, t.hint, u.villageChoices)
	t.villages.SetPlaceHolder(T("输入村名，几个村用、隔开"))
	t.advisors = newCompleter(true, t.hint, u.advisorChoices)
	t.advisors.SetPlaceHolder(T("输入姓名，几个人用、隔开"))
	t.topic = newField()
	t.topic.SetPlaceHolder(T("例如：大棚蔬菜病虫害防治"))
	t.text = newField()
	t.text.SetPlaceHolder(T("服务内容（可简写）"))
	t.attendees = newField()
	t.attendees.SetPlaceHolder("0")
	t.poor = newField()
	t.poor.SetPlaceHolder("0")
	t.brochures = newField()
	t.brochures.SetPlaceHolder("0")
	t.varieties = newField()
	t.varieties.SetPlaceHolder(T("品种或技术，用、隔开"))
	t.notes = newField()

	for _, e := range t.entries() {
		e.AlwaysShowValidationError = true // marked by submit, not by a validator (no green ticks)
	}
	for _, e := range []*field{t.date, t.topic, t.text, t.attendees, t.poor, t.brochures, t.varieties, t.notes} {
		e.OnChanged = func(string) { e.SetValidationError(nil) }
	}
	submit := func(string) { t.submit() }
	for _, e := range []*field{t.date, t.topic, t.text, t.attendees, t.poor, t.brochures, t.varieties, t.notes} {
		e.OnSubmitted = submit
	}
	for _, c := range []*completer{t.kind, t.villages, t.advisors} {
		c.onEnter = t.submit
	}

	t.save = widget.NewButtonWithIcon(T("保存（回车）"), theme.DocumentSaveIcon(), t.submit)
	t.save.Importance = widget.HighImportance
	t.cancel = widget.NewButtonWithIcon(T("放弃修改"), theme.CancelIcon(), t.newRecord)
	t.remove = widget.NewButtonWithIcon(T("删除"), theme.DeleteIcon(), t.confirmDelete)
	t.remove.Importance = widget.DangerImportance
	t.history = widget.NewButtonWithIcon(T("修改历史"), theme.HistoryIcon(), func() {
		if t.editing != nil {
			u.showHistory(ledger.KindTraining, t.editing.ID, string(t.editing.Date)+" "+u.villageNames(t.editing.Villages))
		}
	})
	t.cancel.Hide()
	t.remove.Hide()
	t.history.Hide()

	left := container.New(layout.NewFormLayout(),
		widget.NewLabel(T("日期")), t.date,
		widget.NewLabel(T("服务形式")), t.kind,
		widget.NewLabel(T("村")), t.villages,
		widget.NewLabel(T("科技指导人员")), t.advisors,
		widget.NewLabel(T("主题")), t.topic,
	)
	right := container.New(layout.NewFormLayout(),
		widget.NewLabel(T("服务内容")), t.text,
		widget.NewLabel(T("培训人次")), container.NewGridWithColumns(3, t.attendees, widget.NewLabel(T("其中贫困户")), t.poor),
		widget.NewLabel(T("发放资料")), container.NewGridWithColumns(3, t.brochures, widget.NewLabel(T("份")), layoutSpacer()),
		widget.NewLabel(T("引进品种/技术")), t.varieties,
		widget.NewLabel(T("备注")), t.notes,
	)
	buttons := container.NewBorder(nil, nil, container.NewHBox(t.save, t.cancel), container.NewHBox(t.history, t.remove), t.message)
	hintBox := container.NewVBox(heading(T("提示")), t.hint)
	form := container.NewBorder(t.title, buttons, nil, container.NewGridWrap(fyne.NewSize(280, 200), hintBox),
		container.NewGridWithColumns(2, left, right))
	t.content = container.NewBorder(container.NewVBox(form, widget.NewSeparator()), nil, nil, nil, t.listPane())
	t.loadLast()
	return t
}

// loadLast fills kind, villages and advisors with what was used last.
func (t *trainingsTab) loadLast() {
	var last lastTraining
	if err := t.u.st.GetDoc(uiDocs, lastTrainDoc, &last); err != nil {
		return
	}
	t.fillKind(last.Kind)
	t.fillVillages(last.Villages)
	t.fillAdvisors(last.Advisors)
}

func (t *trainingsTab) fillKind(k string) {
	if k != "" {
		t.kind.set([]choice{{text: k, value: k}})
	} else {
		t.kind.set(nil)
	}
}

func (t *trainingsTab) fillVillages(codes []ledger.Code) {
	var cs []choice
	for _, c := range codes {
		if v, err := t.u.st.Village(c); err == nil {
			cs = append(cs, t.u.villageChoice(v))
		}
	}
	t.villages.set(cs)
}

func (t *trainingsTab) fillAdvisors(ids []string) {
	var cs []choice
	for _, id := range ids {
		if a, err := t.u.st.Advisor(id); err == nil {
			cs = append(cs, advisorChoice(a))
		}
	}
	t.advisors.set(cs)
}

// focusForm puts the cursor in the first field, its date selected so that the next sheet's date
// replaces it.
func (t *trainingsTab) focusForm() {
	focusSelected(t.u.win.Canvas(), t.date)
}

// fieldProblem is a problem with one field of the form, found before or by validation.
type fieldProblem struct {
	name  string // the record field
	field fyne.Focusable
	text  string
}

// read turns the form into a training, or says what is wrong, field by field.
func (t *trainingsTab) read() (ledger.Training, []fieldProblem) {
	var tr ledger.Training
	var probs []fieldProblem
	bad := func(name string, label string, err error) {
		probs = append(probs, fieldProblem{name, t.fieldWidget(name), label + "：" + err.Error()})
	}
	if t.editing != nil {
		tr = *t.editing
		tr.Villages, tr.Advisors, tr.Varieties = nil, nil, nil
	}
	var err error
	if tr.Date, err = parseDay(t.date.Text, t.u.today()); err != nil {
		bad("date", T("日期"), err)
	}
	if kinds, unknown := t.kind.values(); len(kinds) > 0 {
		tr.Kind = kinds[0]
	} else if len(unknown) > 0 {
		tr.Kind = unknown[0] // a kind of the clerk's own
	}
	vals, unknown := t.villages.values()
	for _, v := range vals {
		tr.Villages = append(tr.Villages, ledger.Code(v))
	}
	for _, p := range unknown {
		if c, ok := t.u.resolveVillage(p); ok {
			tr.Villages = append(tr.Villages, c)
		} else {
			bad("villages", T("村"), fmt.Errorf("%s", T("本单位没有叫“%s”的村，或有重名，请从提示中选择", p)))
		}
	}
	ids, unknown := t.advisors.values()
	tr.Advisors = append(tr.Advisors, ids...)
	for _, p := range unknown {
		if id, ok := t.u.resolveAdvisor(p); ok {
			tr.Advisors = append(tr.Advisors, id)
		} else {
			bad("advisors", T("科技指导人员"), fmt.Errorf("%s", T("名册里没有“%s”，或有重名，请从提示中选择", p)))
		}
	}
	tr.Topic = strings.TrimSpace(t.topic.Text)
	tr.Content = strings.TrimSpace(t.text.Text)
	for _, n := range []struct {
		e     *field
		name  string
		label string
		to    *int
	}{{t.attendees, "attendees", T("培训人次"), &tr.Attendees}, {t.poor, "poor_attendees", T("其中贫困户"), &tr.PoorAttendees},
		{t.brochures, "brochures", T("发放资料"), &tr.Brochures}} {
		if *n.to, err = parseCount(n.e.Text); err != nil {
			bad(n.name, n.label, err)
		}
	}
	tr.Varieties = splitList(t.varieties.Text)
	tr.Notes = strings.TrimSpace(t.notes.Text)
	// The ledger's own rules, for the fields read without a problem, so that the clerk sees everything
	// wrong at once (the store checks again when it saves).
	reported := map[string]bool{}
	for _, p := range probs {
		reported[p.name] = true
	}
	var ve *ledger.ValidationError
	if errors.As(ledger.Validate(tr, formChecker{t.u}), &ve) {
		for _, p := range t.validationProblems(ve) {
			if !reported[p.name] {
				probs = append(probs, p)
				reported[p.name] = true
			}
		}
	}
	slices.SortStableFunc(probs, func(a, b fieldProblem) int { return formOrder(a.name) - formOrder(b.name) })
	return tr, probs
}

// formOrder is a field's place in the form, so that problems are listed (and the first one focused) in
// the order the clerk fills the form in.
func formOrder(field string) int {
	order := []string{"date", "kind", "villages", "advisors", "topic", "content", "attendees", "poor_attendees",
		"brochures", "varieties", "notes"}
	if i := slices.Index(order, field); i >= 0 {
		return i
	}
	return len(order)
}

// validationProblems lists the ledger's field errors as the form shows them.
func (t *trainingsTab) validationProblems(ve *ledger.ValidationError) []fieldProblem {
	probs := make([]fieldProblem, len(ve.Fields))
	for i, fe := range ve.Fields {
		text := fe.Zh
		if english() {
			text = fe.En
		}
		probs[i] = fieldProblem{fe.Field, t.fieldWidget(fe.Field), fieldLabel(ledger.KindTraining, fe.Field) + "：" + text}
	}
	return probs
}

// formChecker is what validation needs to know, from this office's store.
type formChecker struct{ u *UI }

func (c formChecker) Today() time.Time { return c.u.st.Wall() }
func (c formChecker) VillageKnown(code ledger.Code) bool {
	_, err := c.u.st.Village(code)
	return err == nil
}
func (c formChecker) AdvisorKnown(id string) bool { _, err := c.u.st.Advisor(id); return err == nil }

// fieldWidget is the form field of a record field, for validation errors.
func (t *trainingsTab) fieldWidget(field string) fyne.Focusable {
	switch field {
	case "date":
		return t.date
	case "kind":
		return t.kind
	case "villages":
		return t.villages
	case "advisors":
		return t.advisors
	case "topic":
		return t.topic
	case "content":
		return t.text
	case "attendees":
		return t.attendees
	case "poor_attendees":
		return t.poor
	case "brochures":
		return t.brochures
	case "varieties":
		return t.varieties
	}
	return t.notes
}

func (t *trainingsTab) showProblems(probs []fieldProblem) {
	t.clearMarks()
	lines := make([]string, len(probs))
	for i, p := range probs {
		lines[i] = p.text
		if e := entryOf(p.field); e != nil {
			e.SetValidationError(errors.New(p.text))
		}
	}
	t.message.Importance = widget.DangerImportance
	t.message.SetText(T("没有保存：") + strings.Join(lines, "；"))
	if len(probs) > 0 && probs[0].field != nil {
		focusSelected(t.u.win.Canvas(), probs[0].field) // selected, so that typing replaces what is wrong
	}
}

// entries are the form's text fields, for marking and clearing problems.
func (t *trainingsTab) entries() []*field {
	return []*field{t.date, &t.kind.field, &t.villages.field, &t.advisors.field, t.topic, t.text, t.attendees,
		t.poor, t.brochures, t.varieties, t.notes}
}

// clearMarks takes the red problem marks off every field.
func (t *trainingsTab) clearMarks() {
	for _, e := range t.entries() {
		e.SetValidationError(nil)
	}
}

func entryOf(f fyne.Focusable) *field {
	switch e := f.(type) {
	case *field:
		return e
	case *completer:
		return &e.field
	}
	return nil
}

// submit saves the form: Enter in any field, or the button.
func (t *trainingsTab) submit() {
	if t.saving {
		return
	}
	tr, probs := t.read()
	if len(probs) > 0 {
		t.showProblems(probs)
		return
	}
	t.saving = true
	t.save.Disable()
	editing := t.editing
	t.u.saveWith(func(ctx context.Context) error {
		if editing != nil {
			return t.u.st.Update(ctx, *editing, tr)
		}
		id, err := t.u.st.Create(ctx, tr)
		tr.ID = id
		return err
	}, func(err error) {
		t.saving = false
		t.save.Enable()
		var ve *ledger.ValidationError
		if errors.As(err, &ve) {
			t.showProblems(t.validationProblems(ve))
			return
		}
		if err != nil {
			t.message.Importance = widget.DangerImportance
			t.message.SetText(T("没有保存：") + Sentence(err))
			return
		}
		t.u.spawn(func() { // remembered for the next record and the next run; losing it costs nothing
			_ = t.u.st.PutDoc(uiDocs, lastTrainDoc, lastTraining{Kind: tr.Kind, Villages: tr.Villages, Advisors: tr.Advisors})
		})
		verb := T("已保存")
		if editing != nil {
			verb = T("已修改")
		}
		t.clearMarks()
		t.message.Importance = widget.SuccessImportance
		t.message.SetText(fmt.Sprintf("%s：%s %s %s %s", verb, tr.Date, t.u.villageNames(tr.Villages), T(tr.Kind),
			T("（%d 人次）", tr.Attendees)))
		t.clearDetails()
		t.date.SetText(string(tr.Date)) // as read: 5-3 becomes 2026-05-03 for the next sheet
		if editing != nil {
			t.leaveEdit()
		}
		t.focusForm()
	})
}

// clearDetails empties the fields that differ from one sign-in sheet to the next; date, kind, villages
// and advisors stay, as the next sheet often shares them.
func (t *trainingsTab) clearDetails() {
	for _, e := range []*field{t.topic, t.text, t.attendees, t.poor, t.brochures, t.varieties, t.notes} {
		e.SetText("")
	}
}

// edit loads a record into the form.
func (t *trainingsTab) edit(tr ledger.Training) {
	t.editing = &tr
	t.title.SetText(T("修改记录：%s %s", tr.Date, t.u.villageNames(tr.Villages)))
	t.date.SetText(string(tr.Date))
	t.fillKind(tr.Kind)
	t.fillVillages(tr.Villages)
	t.fillAdvisors(tr.Advisors)
	t.topic.SetText(tr.Topic)
	t.text.SetText(tr.Content)
	t.attendees.SetText(countText(tr.Attendees))
	t.poor.SetText(countText(tr.PoorAttendees))
	t.brochures.SetText(countText(tr.Brochures))
	t.varieties.SetText(strings.Join(tr.Varieties, listSep))
	t.notes.SetText(tr.Notes)
	t.save.SetText(T("保存修改（回车）"))
	t.cancel.Show()
	t.remove.Show()
	t.history.Show()
	t.message.SetText("")
	t.focusForm()
}

func countText(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// newRecord leaves editing and empties the form for a new record.
func (t *trainingsTab) newRecord() {
	t.leaveEdit()
	t.clearDetails()
	t.loadLast()
	t.date.SetText(string(t.u.today()))
	t.message.SetText("")
	t.focusForm()
}

func (t *trainingsTab) leaveEdit() {
	t.editing = nil
	t.title.SetText(T("新增培训与服务记录"))
	t.save.SetText(T("保存（回车）"))
	t.cancel.Hide()
	t.remove.Hide()
	t.history.Hide()
	t.table.UnselectAll()
}

func (t *trainingsTab) confirmDelete() {
	if t.editing == nil {
		return
	}
	tr := *t.editing
	what := heading(fmt.Sprintf("%s · %s · %s", tr.Date, t.u.villageNames(tr.Villages), T(tr.Kind)))
	what.Wrapping = fyne.TextWrapWord
	note := widget.NewLabel(T("删除后仍可在修改历史中查到，市局也会同步删除。"))
	note.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomWithoutButtons(T("确定删除这条记录吗？"), container.NewVBox(what, note), t.u.win)
	cancel := widget.NewButtonWithIcon(T("取消"), theme.CancelIcon(), d.Hide)
	del := widget.NewButtonWithIcon(T("删除"), theme.DeleteIcon(), func() {
		d.Hide()
		t.u.saveWith(func(ctx context.Context) error { return t.u.st.Delete(ctx, tr.ID) }, func(err error) {
			if err != nil {
				t.u.showError(err)
				return
			}
			t.newRecord()
			t.message.Importance = widget.SuccessImportance
			t.message.SetText(T("已删除：%s %s", tr.Date, t.u.villageNames(tr.Villages)))
		})
	})
	del.Importance = widget.DangerImportance
	d.SetButtons([]fyne.CanvasObject{cancel, del})
	d.Resize(fyne.NewSize(460, 200))
	d.Show()
	t.u.win.Canvas().Focus(cancel) // Space cancels: deleting takes a deliberate click
}

// listPane is the filter line, the table of records and the count.
func (t *trainingsTab) listPane() fyne.CanvasObject {
	u := t.u
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
		if t.list != nil {
			t.list.refresh()
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
		t.list.refresh()
	})
	t.more.Hide()

	cols := []struct {
		title string
		width float32
	}{{T("日期"), 100}, {T("服务形式"), 90}, {T("村"), 170}, {T("科技指导人员"), 150}, {T("主题"), 260},
		{T("培训人次"), 80}, {T("发放资料"), 80}}
	t.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(t.rows), len(cols) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row >= len(t.rows) {
				return
			}
			r := t.rows[id.Row]
			o.(*widget.Label).SetText([]string{string(r.t.Date), T(r.t.Kind), r.villages, r.advisors, r.t.Topic,
				countText(r.t.Attendees), countText(r.t.Brochures)}[id.Col])
		})
	t.table.ShowHeaderColumn = false
	t.table.CreateHeader = func() fyne.CanvasObject { return heading("") }
	t.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 {
			o.(*widget.Label).SetText(cols[id.Col].title)
		}
	}
	for i, c := range cols {
		t.table.SetColumnWidth(i, c.width)
	}
	t.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(t.rows) {
			t.edit(t.rows[id.Row].t)
		}
	}
	t.list = live(u, t.query, t.showList)
	filters := container.NewGridWithColumns(6, t.fromF, t.toF, t.villageF, t.advisorF, t.kindF, clear)
	return container.NewBorder(container.NewVBox(heading(T("记录列表")), filters), container.NewHBox(t.count, layoutSpacer(), t.more), nil, nil, t.table)
}

// query reads the list as the filter says (off the UI thread).
func (t *trainingsTab) query(ws query.WatchSet) trainingList {
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
			return trainingList{problem: T("起始日期：") + err.Error()}
		}
	}
	if strings.TrimSpace(f.to) != "" {
		if q.To, err = parseDay(f.to, u.today()); err != nil {
			return trainingList{problem: T("截止日期：") + err.Error()}
		}
	}
	if v := strings.TrimSpace(f.village); v != "" {
		c, ok := u.resolveVillage(v)
		if !ok {
			if _, n := u.st.Villages(query.Villages{Under: u.id.Scope, Search: v}, nil); n > 1 {
				return trainingList{problem: T("有 %d 个村的名字含“%s”，请多写几个字", n, v)}
			}
			return trainingList{problem: T("本单位没有名字含“%s”的村", v)}
		}
		q.Village = c
	}
	if a := strings.TrimSpace(f.advisor); a != "" {
		id, ok := u.resolveAdvisor(a)
		if !ok {
			if n := len(u.st.Advisors(query.Advisors{Search: a}, nil)); n > 1 {
				return trainingList{problem: T("有 %d 位科技指导人员的名字含“%s”，请多写几个字", n, a)}
			}
			return trainingList{problem: T("名册里没有“%s”", a)}
		}
		q.Advisor = id
	}
	page, err := u.st.Trainings(q, ws)
	if err != nil {
		return trainingList{problem: Sentence(err)}
	}
	var total int
	if q.Village == "" && q.Advisor == "" && q.From == "" && q.To == "" && q.Kind == "" {
		total = u.st.Stats(nil).Trainings // the store holds the office's scope: no need to scan 100k keys
	} else if total, err = u.st.CountTrainings(q); err != nil {
		return trainingList{problem: Sentence(err)}
	}
	l := trainingList{total: total, more: page.Next != ""}
	for _, tr := range page.Trainings {
		l.rows = append(l.rows, trainingRow{t: tr, villages: u.villageNames(tr.Villages), advisors: u.advisorNames(tr.Advisors)})
	}
	return l
}

func (t *trainingsTab) showList(l trainingList) {
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
