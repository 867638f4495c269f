package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
)

// trainingForm is the upper half of 培训与服务记录: the entry form, built to copy a paper sign-in sheet in
// well under 30 seconds by keyboard alone, which also edits a record picked from the list, deletes it
// and shows its history.
type trainingForm struct {
	u       *UI
	content fyne.CanvasObject

	title                                          *widget.Label
	date                                           *field
	kind, villages, advisors, varieties            *completer
	topic, text, attendees, poor, brochures, notes *field
	// fields describes every field above once, in the order the clerk fills them in.
	fields  []formField
	hint    *widget.Label
	message *widget.Label
	save    *widget.Button
	cancel  *widget.Button
	remove  *widget.Button
	history *widget.Button
	// raise opens the need form for the 需求调研 in survey: the one being edited, or the one just saved.
	raise  *widget.Button
	survey *ledger.Training

	// evidence is the record's 佐证材料: thumbnails, 添加文件…, and files dropped on the window.
	evidence *evidencePane

	editing     *ledger.Training // the record in the form; nil for a new one
	saving      bool
	onLeaveEdit func() // the list lets go of the record it handed over
}

// formField is one field of the training form: the record field it edits, the label the clerk reads
// beside it (and in the problems the form finds itself), what it shows while empty, whether it stays
// for the next sheet after a save, and how a record's value goes in and comes out.
type formField struct {
	name        string
	label       string
	placeholder string
	keep        bool           // date, kind, villages and advisors: the next sheet often shares them
	entry       *field         // its text
	focus       fyne.Focusable // what takes the keyboard: the entry, or the completer around it
	fill        func(tr ledger.Training)
	read        func(tr *ledger.Training, bad func(error))
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
)

func (u *UI) newTrainingForm() *trainingForm {
	t := &trainingForm{u: u, title: heading(T("新增培训与服务记录"))}
	t.hint = widget.NewLabel("")
	t.hint.Truncation = fyne.TextTruncateEllipsis
	t.message = widget.NewLabel("")
	t.message.Wrapping = fyne.TextWrapWord
	t.kind = newCompleter(false, t.hint, kindChoices)
	t.villages = newCompleter(true, t.hint, u.villageChoices)
	t.advisors = newCompleter(true, t.hint, u.advisorChoices)
	// Varieties stay the sheet's free text: the registry's names are suggested, and a text it lacks is
	// said not to count (and what it may mean), never registered from here.
	t.varieties = newCompleter(true, t.hint, u.varietyChoices)
	t.varieties.free = true
	t.varieties.note = u.varietyNote
	for _, e := range []**field{&t.date, &t.topic, &t.text, &t.attendees, &t.poor, &t.brochures, &t.notes} {
		*e = newField()
	}
	t.fields = t.describe()
	for _, f := range t.fields {
		f.entry.SetPlaceHolder(f.placeholder)
		f.entry.AlwaysShowValidationError = true // marked by submit, not by a validator (no green ticks)
		if c, ok := f.focus.(*completer); ok {
			c.onEnter = t.submit // the completer clears its own mark as it suggests
			continue
		}
		e := f.entry
		e.OnChanged = func(string) { e.SetValidationError(nil) }
		e.OnSubmitted = func(string) { t.submit() }
	}
	t.date.SetText(string(u.today()))
	t.evidence = u.newEvidencePane(ledger.KindTraining)

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
	t.raise = widget.NewButtonWithIcon(T("登记调研需求"), theme.ContentAddIcon(), func() {
		if t.survey != nil {
			u.raiseNeeds(*t.survey)
		}
	})
	t.cancel.Hide()
	t.remove.Hide()
	t.history.Hide()
	t.raise.Hide()

	label := func(name string) fyne.CanvasObject { return widget.NewLabel(t.field(name).label) }
	row := func(name string) []fyne.CanvasObject {
		return []fyne.CanvasObject{label(name), t.field(name).focus.(fyne.CanvasObject)}
	}
	left := container.New(layout.NewFormLayout(),
		slices.Concat(row("date"), row("kind"), row("villages"), row("advisors"), row("topic"))...)
	right := container.New(layout.NewFormLayout(), slices.Concat(row("content"),
		[]fyne.CanvasObject{label("attendees"), container.NewGridWithColumns(3, t.attendees, label("poor_attendees"), t.poor)},
		[]fyne.CanvasObject{label("brochures"), container.NewGridWithColumns(3, t.brochures, widget.NewLabel(T("份")), layoutSpacer())},
		row("varieties"), row("notes"))...)
	buttons := container.NewBorder(nil, nil, container.NewHBox(t.save, t.cancel), container.NewHBox(t.raise, t.history, t.remove), t.message)
	side := container.NewBorder(container.NewBorder(nil, nil, heading(T("提示")), nil, t.hint), nil, nil, nil, t.evidence.content)
	t.content = container.NewBorder(t.title, buttons, nil, container.NewGridWrap(fyne.NewSize(300, 230), side),
		container.NewGridWithColumns(2, left, right))
	return t
}

// describe is the form's one description of its eleven fields.
func (t *trainingForm) describe() []formField {
	u := t.u
	plain := func(name, label, placeholder string, e *field, fill func(ledger.Training) string,
		read func(tr *ledger.Training, text string) error) formField {
		return formField{name: name, label: label, placeholder: placeholder, entry: e, focus: e,
			fill: func(tr ledger.Training) { e.SetText(fill(tr)) },
			read: func(tr *ledger.Training, bad func(error)) {
				if err := read(tr, e.Text); err != nil {
					bad(err)
				}
			}}
	}
	text := func(name, label, placeholder string, e *field, value func(*ledger.Training) *string) formField {
		return plain(name, label, placeholder, e, func(tr ledger.Training) string { return *value(&tr) },
			func(tr *ledger.Training, s string) error { *value(tr) = strings.TrimSpace(s); return nil })
	}
	count := func(name, label string, e *field, value func(*ledger.Training) *int) formField {
		return plain(name, label, "0", e, func(tr ledger.Training) string { return countText(*value(&tr)) },
			func(tr *ledger.Training, s string) (err error) { *value(tr), err = parseCount(s); return err })
	}
	chosen := func(name, label, placeholder string, c *completer, fill func(ledger.Training),
		read func(tr *ledger.Training, bad func(error))) formField {
		return formField{name: name, label: label, placeholder: placeholder, keep: true, entry: &c.field, focus: c,
			fill: fill, read: read}
	}
	date := plain("date", T("日期"), T("今天；也可填 5-3 或 2026-05-03"), t.date,
		func(tr ledger.Training) string { return string(tr.Date) },
		func(tr *ledger.Training, s string) (err error) { tr.Date, err = parseDay(s, u.today()); return err })
	date.keep = true
	return []formField{
		date,
		chosen("kind", T("服务形式"), T("技术培训、现场指导…（可输入 1–7）"), t.kind,
			func(tr ledger.Training) { t.fillKind(tr.Kind) }, t.readKind),
		chosen("villages", T("村"), T("输入村名，几个村用、隔开"), t.villages,
			func(tr ledger.Training) { t.fillVillages(tr.Villages) }, t.readVillages),
		chosen("advisors", T("科技指导人员"), T("输入姓名，几个人用、隔开"), t.advisors,
			func(tr ledger.Training) { t.fillAdvisors(tr.Advisors) }, t.readAdvisors),
		text("topic", T("主题"), T("例如：大棚蔬菜病虫害防治"), t.topic, func(tr *ledger.Training) *string { return &tr.Topic }),
		text("content", T("服务内容"), T("服务内容（可简写）"), t.text, func(tr *ledger.Training) *string { return &tr.Content }),
		count("attendees", T("培训人次"), t.attendees, func(tr *ledger.Training) *int { return &tr.Attendees }),
		count("poor_attendees", T("其中贫困户"), t.poor, func(tr *ledger.Training) *int { return &tr.PoorAttendees }),
		count("brochures", T("发放资料"), t.brochures, func(tr *ledger.Training) *int { return &tr.Brochures }),
		{name: "varieties", label: T("引进品种/技术"), placeholder: T("品种或技术，用、隔开"), entry: &t.varieties.field,
			focus: t.varieties,
			fill: func(tr ledger.Training) {
				t.varieties.set(nil)
				t.varieties.SetText(strings.Join(tr.Varieties, listSep))
			},
			read: func(tr *ledger.Training, _ func(error)) { tr.Varieties = splitList(t.varieties.Text) }},
		text("notes", T("备注"), "", t.notes, func(tr *ledger.Training) *string { return &tr.Notes }),
	}
}

// field is the form field of a record field; the last one (备注) for a record field the form does not
// show, so that a problem with it is still said and the cursor goes somewhere.
func (t *trainingForm) field(name string) formField {
	if i := t.order(name); i < len(t.fields) {
		return t.fields[i]
	}
	return t.fields[len(t.fields)-1]
}

// order is a record field's place in the form, so that problems are listed (and the first one focused)
// in the order the clerk fills the form in; past the end for a field the form does not show.
func (t *trainingForm) order(name string) int {
	if i := slices.IndexFunc(t.fields, func(f formField) bool { return f.name == name }); i >= 0 {
		return i
	}
	return len(t.fields)
}

// readKind takes the kind chosen or typed; an empty field leaves the record's kind as it is.
func (t *trainingForm) readKind(tr *ledger.Training, _ func(error)) {
	if kinds, unknown := t.kind.values(); len(kinds) > 0 {
		tr.Kind = kinds[0]
	} else if len(unknown) > 0 {
		tr.Kind = unknown[0] // a kind of the clerk's own
	}
}

func (t *trainingForm) readVillages(tr *ledger.Training, bad func(error)) {
	vals, unknown := t.villages.values()
	tr.Villages = nil
	for _, v := range vals {
		tr.Villages = append(tr.Villages, ledger.Code(v))
	}
	for _, p := range unknown {
		if c, ok := t.u.resolveVillage(p); ok {
			tr.Villages = append(tr.Villages, c)
		} else {
			bad(errors.New(T("本单位没有叫“%s”的村，或有重名，请从提示中选择", p)))
		}
	}
}

func (t *trainingForm) readAdvisors(tr *ledger.Training, bad func(error)) {
	ids, unknown := t.advisors.values()
	tr.Advisors = append([]string(nil), ids...)
	for _, p := range unknown {
		if id, ok := t.u.resolveAdvisor(p); ok {
			tr.Advisors = append(tr.Advisors, id)
		} else {
			bad(errors.New(T("名册里没有“%s”，或有重名，请从提示中选择", p)))
		}
	}
}

// loadLast fills kind, villages and advisors with what was used last.
func (t *trainingForm) loadLast() {
	var last lastTraining
	if err := t.u.st.GetDoc(uiDocs, lastTrainDoc, &last); err != nil {
		return
	}
	t.fillKind(last.Kind)
	t.fillVillages(last.Villages)
	t.fillAdvisors(last.Advisors)
}

func (t *trainingForm) fillKind(k string) {
	if k != "" {
		t.kind.set([]choice{{text: k, value: k}})
	} else {
		t.kind.set(nil)
	}
}

func (t *trainingForm) fillVillages(codes []ledger.Code) {
	var cs []choice
	for _, c := range codes {
		if v, err := t.u.st.Village(c); err == nil {
			cs = append(cs, t.u.villageChoice(v))
		}
	}
	t.villages.set(cs)
}

func (t *trainingForm) fillAdvisors(ids []string) {
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
func (t *trainingForm) focusForm() {
	focusSelected(t.u.win.Canvas(), t.date)
}

// fieldProblem is a problem with one field of the form, found before or by validation.
type fieldProblem struct {
	name  string // the record field
	field fyne.Focusable
	text  string
}

// read turns the form into a training, or says what is wrong, field by field.
func (t *trainingForm) read() (ledger.Training, []fieldProblem) {
	var tr ledger.Training
	if t.editing != nil {
		tr = *t.editing
	}
	var probs []fieldProblem
	for _, f := range t.fields {
		f.read(&tr, func(err error) { probs = append(probs, fieldProblem{f.name, f.focus, f.label + "：" + err.Error()}) })
	}
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
	slices.SortStableFunc(probs, func(a, b fieldProblem) int { return t.order(a.name) - t.order(b.name) })
	return tr, probs
}

// validationProblems lists the ledger's field errors as the form shows them.
func (t *trainingForm) validationProblems(ve *ledger.ValidationError) []fieldProblem {
	probs := make([]fieldProblem, len(ve.Fields))
	for i, fe := range ve.Fields {
		text := fe.Zh
		if english() {
			text = fe.En
		}
		probs[i] = fieldProblem{fe.Field, t.field(fe.Field).focus, fieldLabel(ledger.KindTraining, fe.Field) + "：" + text}
	}
	return probs
}

// formChecker is what validation needs to know, from this office's store.
type formChecker struct{ u *UI }

func (c formChecker) Today() time.Time { return c.u.st.Clock().Today() }
func (c formChecker) Doubtful() bool   { return c.u.st.Clock().Doubtful() }
func (c formChecker) VillageKnown(code ledger.Code) bool {
	_, err := c.u.st.Village(code)
	return err == nil
}
func (c formChecker) AdvisorKnown(id string) bool { _, err := c.u.st.Advisor(id); return err == nil }
func (c formChecker) Known(k ledger.Kind, id string) bool {
	rec, err := c.u.st.Record(id)
	return err == nil && rec.Kind == k && !rec.Deleted()
}

// Named finds a variety already registered under a name or an other name, so that the form says so
// with its other problems (the store checks again when the record is saved).
func (c formChecker) Named(k ledger.Kind, name string) string {
	if k != ledger.KindVariety {
		return ""
	}
	if m := c.u.st.MatchVariety(name); m.Variety != nil {
		return m.Variety.ID
	}
	return ""
}

func (t *trainingForm) showProblems(probs []fieldProblem) {
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

// clearMarks takes the red problem marks off every field.
func (t *trainingForm) clearMarks() {
	for _, f := range t.fields {
		f.entry.SetValidationError(nil)
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
func (t *trainingForm) submit() {
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
	pending := t.evidence.pending
	t.u.saveWith(func(ctx context.Context) error {
		if editing != nil {
			return t.u.st.Update(ctx, *editing, tr)
		}
		id, err := t.u.st.Create(ctx, tr)
		tr.ID = id
		if err != nil {
			return err
		}
		// The files picked or dropped while the sheet was new: attached once it exists (a crash in
		// between leaves the record without them, never a record naming files that are not there).
		if err := t.evidence.attachPending(ctx, id, pending); err != nil {
			return fmt.Errorf("%w（%s）", plainError(T("记录已保存，但佐证材料没有保存，请打开记录重新添加")), Sentence(err))
		}
		return nil
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
		t.evidence.show("")
		t.date.SetText(string(tr.Date)) // as read: 5-3 becomes 2026-05-03 for the next sheet
		if editing != nil {
			t.leaveEdit()
		}
		if tr.Kind == ledger.TrainingSurvey { // the needs the survey found are entered next
			t.offerNeeds(&tr)
		}
		t.focusForm()
	})
}

// clearDetails empties the fields that differ from one sign-in sheet to the next.
func (t *trainingForm) clearDetails() {
	for _, f := range t.fields {
		if !f.keep {
			f.entry.SetText("")
		}
	}
}

// edit loads a record into the form.
func (t *trainingForm) edit(tr ledger.Training) {
	t.show(tr)
	t.focusForm()
}

// show loads a record into the form to edit, leaving the keyboard where it is (the list's ↑ ↓).
func (t *trainingForm) show(tr ledger.Training) {
	t.editing = &tr
	t.title.SetText(T("修改记录：%s %s", tr.Date, t.u.villageNames(tr.Villages)))
	for _, f := range t.fields {
		f.fill(tr)
	}
	t.save.SetText(T("保存修改（回车）"))
	t.evidence.show(tr.ID)
	t.cancel.Show()
	t.remove.Show()
	t.history.Show()
	t.offerNeeds(nil)
	if tr.Kind == ledger.TrainingSurvey {
		t.offerNeeds(&tr)
	}
	t.message.SetText("")
}

// offerNeeds shows 登记调研需求 for a 需求调研 (nil hides it).
func (t *trainingForm) offerNeeds(survey *ledger.Training) {
	t.survey = survey
	if survey == nil {
		t.raise.Hide()
		return
	}
	t.raise.Show()
}

func countText(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// newRecord leaves editing and empties the form for a new record.
func (t *trainingForm) newRecord() {
	t.leaveEdit()
	t.clearDetails()
	t.loadLast()
	t.date.SetText(string(t.u.today()))
	t.message.SetText("")
	t.focusForm()
}

func (t *trainingForm) leaveEdit() {
	t.editing = nil
	t.evidence.show("")
	t.offerNeeds(nil)
	t.title.SetText(T("新增培训与服务记录"))
	t.save.SetText(T("保存（回车）"))
	t.cancel.Hide()
	t.remove.Hide()
	t.history.Hide()
	if t.onLeaveEdit != nil {
		t.onLeaveEdit()
	}
}

func (t *trainingForm) confirmDelete() {
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
