package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// recordForm is the entry form of one of the programme's kinds (需求, 科技扶贫项目, the registries, …),
// built as the training form is: keyboard only, type-ahead for villages, advisors, groups and
// varieties (suggestions in the hint box beside it, nothing pops up), Enter in any field saves, every
// problem listed at once in the clerk's language with the cursor put in the first, nothing stored while
// anything is wrong. A record picked from the list below loads into it to edit, delete or see its
// history. Each kind describes its fields once (inputs, in the order the clerk fills them in); the
// form lays them out in two columns.
type recordForm[R ledger.Entity] struct {
	u       *UI
	kind    ledger.Kind
	content fyne.CanvasObject

	title   *widget.Label
	inputs  []input[R]
	hint    *widget.Label
	message *widget.Label
	save    *widget.Button
	cancel  *widget.Button
	remove  *widget.Button
	history *widget.Button
	extra   *fyne.Container // buttons of the kind's own beside 修改历史 (a survey's 登记需求)

	// blank is a new record as the form starts it (today's date, this year, the first state).
	blank func() R
	// describe names a record in a sentence: the saved message, the delete question, the history.
	describe func(R) string
	// saved, if set, runs after a record is saved (the survey's needs count, the form's next defaults).
	saved func(R)
	// adjust, if set, completes a record read from the form before it is checked (a need closed today
	// gets today as its closing date).
	adjust func(r *R)
	// readOnly: a roster this office reads but only the city keeps.
	readOnly bool

	// evidence is the record's 佐证材料, for the kinds that keep it (needs, projects, park pairings).
	evidence *evidencePane

	editing     *R
	saving      bool
	onLeaveEdit func()
}

// evidencePane is the form's evidence pane, nil for a kind without one (the drop target, evidence.go).
func (f *recordForm[R]) evidencePane() *evidencePane { return f.evidence }

// input is one field of a record form: the record field it edits, the label beside it, what takes the
// keyboard, whether it keeps its value for the next record, and how a record's value goes in and out.
type input[R any] struct {
	name  string
	label string
	entry *field
	focus fyne.Focusable
	keep  bool
	fill  func(R)
	read  func(r *R, bad func(error))
}

func (in input[R]) kept() input[R] { in.keep = true; return in }

// newRecordForm builds the form of kind k from its inputs.
func newRecordForm[R ledger.Entity](u *UI, k ledger.Kind, hint *widget.Label, inputs []input[R],
	blank func() R, describe func(R) string) *recordForm[R] {
	f := &recordForm[R]{u: u, kind: k, inputs: inputs, hint: hint, blank: blank, describe: describe,
		readOnly: k.Roster() && !u.canEditRoster()}
	f.title = heading(f.newTitle())
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	for i := range f.inputs {
		in := &f.inputs[i]
		if in.label == "" {
			in.label = fieldLabel(k, in.name)
		}
		in.entry.AlwaysShowValidationError = true
		if c, ok := in.focus.(*completer); ok {
			c.onEnter = f.submit
			continue
		}
		e := in.entry
		e.OnChanged = func(string) { e.SetValidationError(nil) }
		e.OnSubmitted = func(string) { f.submit() }
	}
	f.save = widget.NewButtonWithIcon(T("保存（回车）"), theme.DocumentSaveIcon(), f.submit)
	f.save.Importance = widget.HighImportance
	f.cancel = widget.NewButtonWithIcon(T("放弃修改"), theme.CancelIcon(), f.newRecord)
	f.remove = widget.NewButtonWithIcon(T("删除"), theme.DeleteIcon(), f.confirmDelete)
	f.remove.Importance = widget.DangerImportance
	f.history = widget.NewButtonWithIcon(T("修改历史"), theme.HistoryIcon(), func() {
		if f.editing != nil {
			u.showHistory(k, (*f.editing).RecordID(), f.describe(*f.editing))
		}
	})
	f.extra = container.NewHBox()
	f.cancel.Hide()
	f.remove.Hide()
	f.history.Hide()

	half := (len(f.inputs) + 1) / 2
	column := func(ins []input[R]) fyne.CanvasObject {
		var objs []fyne.CanvasObject
		for _, in := range ins {
			objs = append(objs, widget.NewLabel(in.label), in.focus.(fyne.CanvasObject))
		}
		return container.New(layout.NewFormLayout(), objs...)
	}
	var buttons fyne.CanvasObject
	if f.readOnly {
		for _, in := range f.inputs {
			in.entry.Disable()
		}
		f.message.SetText(T("%s由市局统一维护，本单位只能查看，会随同步自动更新。", ledger.KindName(k)))
		buttons = container.NewBorder(nil, nil, nil, container.NewHBox(f.history), f.message)
	} else {
		buttons = container.NewBorder(nil, nil, container.NewHBox(f.save, f.cancel),
			container.NewHBox(f.extra, f.history, f.remove), f.message)
	}
	body := container.NewGridWithColumns(2, column(f.inputs[:half]), column(f.inputs[half:]))
	var side fyne.CanvasObject = container.NewGridWrap(fyne.NewSize(260, 160), container.NewVBox(heading(T("提示")), f.hint))
	if k.HasEvidence() {
		f.evidence = u.newEvidencePane(k)
		if f.readOnly {
			f.evidence.add.Hide() // the city's record: its files are seen here, kept by the city
		}
		side = container.NewGridWrap(fyne.NewSize(300, 200), container.NewBorder(
			container.NewBorder(nil, nil, heading(T("提示")), nil, f.hint), nil, nil, nil, f.evidence.content))
	}
	f.content = container.NewBorder(f.title, buttons, nil, side, body)
	if f.readOnly {
		var none R // nothing to show until a record is picked: a new record's defaults would read as one
		f.fillRecord(none)
	} else {
		f.fillRecord(f.blank())
	}
	return f
}

func (f *recordForm[R]) newTitle() string {
	if f.readOnly {
		return T("%s（只读）", ledger.KindName(f.kind))
	}
	return T("新增%s", ledger.KindName(f.kind))
}

// input is the form's input for a record field; nil if the form has none.
func (f *recordForm[R]) input(name string) *input[R] {
	for i := range f.inputs {
		if f.inputs[i].name == name {
			return &f.inputs[i]
		}
	}
	return nil
}

// order is a field's place in the form; past the end for a field it does not show.
func (f *recordForm[R]) order(name string) int {
	if i := slices.IndexFunc(f.inputs, func(in input[R]) bool { return in.name == name }); i >= 0 {
		return i
	}
	return len(f.inputs)
}

// problemInput is where a problem with a record field is shown: its input, or the last one (备注) for a
// field the form does not show, so that it is still said and the cursor goes somewhere.
func (f *recordForm[R]) problemInput(name string) *input[R] {
	if in := f.input(name); in != nil {
		return in
	}
	return &f.inputs[len(f.inputs)-1]
}

func (f *recordForm[R]) fillRecord(r R) {
	for _, in := range f.inputs {
		in.fill(r)
	}
}

// focusForm puts the cursor in the first field, its text selected.
func (f *recordForm[R]) focusForm() {
	if !f.readOnly {
		focusSelected(f.u.win.Canvas(), f.inputs[0].focus)
	}
}

// read turns the form into a record, or says what is wrong, field by field, in the form's order: the
// form's own reading first, then the ledger's rules for the fields read without a problem.
func (f *recordForm[R]) read() (R, []fieldProblem) {
	r := f.blank()
	if f.editing != nil {
		r = *f.editing
	}
	var probs []fieldProblem
	reported := map[string]bool{}
	for _, in := range f.inputs {
		in.read(&r, func(err error) {
			probs = append(probs, fieldProblem{in.name, in.focus, in.label + "：" + err.Error()})
			reported[in.name] = true
		})
	}
	if f.adjust != nil {
		f.adjust(&r)
	}
	var ve *ledger.ValidationError
	if errors.As(ledger.Validate(r, formChecker{f.u}), &ve) {
		for _, p := range f.validationProblems(ve) {
			if !reported[p.name] {
				probs = append(probs, p)
				reported[p.name] = true
			}
		}
	}
	slices.SortStableFunc(probs, func(a, b fieldProblem) int { return f.order(a.name) - f.order(b.name) })
	return r, probs
}

func (f *recordForm[R]) validationProblems(ve *ledger.ValidationError) []fieldProblem {
	probs := make([]fieldProblem, len(ve.Fields))
	for i, fe := range ve.Fields {
		text := fe.Zh
		if english() {
			text = fe.En
		}
		probs[i] = fieldProblem{fe.Field, f.problemInput(fe.Field).focus, fieldLabel(f.kind, fe.Field) + "：" + text}
	}
	return probs
}

func (f *recordForm[R]) showProblems(probs []fieldProblem) {
	f.clearMarks()
	lines := make([]string, len(probs))
	for i, p := range probs {
		lines[i] = p.text
		if e := entryOf(p.field); e != nil {
			e.SetValidationError(errors.New(p.text))
		}
	}
	f.message.Importance = widget.DangerImportance
	f.message.SetText(T("没有保存：") + strings.Join(lines, "；"))
	if len(probs) > 0 && probs[0].field != nil {
		focusSelected(f.u.win.Canvas(), probs[0].field)
	}
}

func (f *recordForm[R]) clearMarks() {
	for _, in := range f.inputs {
		in.entry.SetValidationError(nil)
	}
}

// submit saves the form: Enter in any field, or the button.
func (f *recordForm[R]) submit() {
	if f.saving || f.readOnly {
		return
	}
	r, probs := f.read()
	if len(probs) > 0 {
		f.showProblems(probs)
		return
	}
	f.saving = true
	f.save.Disable()
	editing := f.editing
	u := f.u
	var pending []query.Attachment
	if f.evidence != nil {
		pending = f.evidence.pending
	}
	u.saveWith(func(ctx context.Context) error {
		if editing != nil {
			return u.st.Update(ctx, *editing, r)
		}
		id, err := u.st.Create(ctx, r)
		if err != nil {
			return err
		}
		if f.evidence != nil {
			if err := f.evidence.attachPending(ctx, id, pending); err != nil {
				return fmt.Errorf("%w（%s）", plainError(T("记录已保存，但佐证材料没有保存，请打开记录重新添加")), Sentence(err))
			}
		}
		if rec, err := u.st.Record(id); err == nil {
			if saved, err := ledger.As[R](rec); err == nil {
				r = saved
			}
		}
		return nil
	}, func(err error) {
		f.saving = false
		f.save.Enable()
		var ve *ledger.ValidationError
		if errors.As(err, &ve) {
			f.showProblems(f.validationProblems(ve))
			return
		}
		if err != nil {
			f.message.Importance = widget.DangerImportance
			f.message.SetText(T("没有保存：") + Sentence(err))
			return
		}
		verb := T("已保存")
		if editing != nil {
			verb = T("已修改")
		}
		f.clearMarks()
		if editing != nil {
			f.leaveEdit()
		}
		f.clearDetails()
		if f.evidence != nil {
			f.evidence.show("")
		}
		f.message.Importance = widget.SuccessImportance
		f.message.SetText(fmt.Sprintf("%s：%s", verb, f.describe(r)))
		if f.saved != nil {
			f.saved(r)
		}
		f.focusForm()
	})
}

// clearDetails starts the next record: the kept fields stay, the rest take a new record's values.
func (f *recordForm[R]) clearDetails() {
	b := f.blank()
	for _, in := range f.inputs {
		if !in.keep {
			in.fill(b)
		}
	}
}

// edit loads a record into the form and puts the keyboard there.
func (f *recordForm[R]) edit(r R) {
	f.show(r)
	f.focusForm()
}

// show loads a record into the form to edit, leaving the keyboard where it is (the list's ↑ ↓).
func (f *recordForm[R]) show(r R) {
	f.editing = &r
	f.title.SetText(T("修改%s：%s", ledger.KindName(f.kind), f.describe(r)))
	if f.readOnly {
		f.title.SetText(T("%s（只读）：%s", ledger.KindName(f.kind), f.describe(r)))
	}
	f.clearMarks()
	f.fillRecord(r)
	f.save.SetText(T("保存修改（回车）"))
	f.cancel.Show()
	f.remove.Show()
	f.history.Show()
	if f.evidence != nil {
		f.evidence.show(r.RecordID())
	}
	if !f.readOnly {
		f.message.SetText("")
	}
}

// newRecord leaves editing and empties the form for a new record.
func (f *recordForm[R]) newRecord() {
	f.leaveEdit()
	f.clearMarks()
	f.fillRecord(f.blank())
	f.message.SetText("")
	f.focusForm()
}

func (f *recordForm[R]) leaveEdit() {
	f.editing = nil
	if f.evidence != nil {
		f.evidence.show("")
	}
	f.title.SetText(f.newTitle())
	f.save.SetText(T("保存（回车）"))
	f.cancel.Hide()
	f.remove.Hide()
	f.history.Hide()
	if f.onLeaveEdit != nil {
		f.onLeaveEdit()
	}
}

func (f *recordForm[R]) confirmDelete() {
	if f.editing == nil {
		return
	}
	u, r := f.u, *f.editing
	what := heading(ledger.KindName(f.kind) + " · " + f.describe(r))
	what.Wrapping = fyne.TextWrapWord
	note := widget.NewLabel(T("删除后仍可在修改历史中查到，市局也会同步删除。"))
	note.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomWithoutButtons(T("确定删除这条记录吗？"), container.NewVBox(what, note), u.win)
	cancel := widget.NewButtonWithIcon(T("取消"), theme.CancelIcon(), d.Hide)
	del := widget.NewButtonWithIcon(T("删除"), theme.DeleteIcon(), func() {
		d.Hide()
		f.delete(r)
	})
	del.Importance = widget.DangerImportance
	d.SetButtons([]fyne.CanvasObject{cancel, del})
	d.Resize(fyne.NewSize(460, 200))
	d.Show()
	u.win.Canvas().Focus(cancel) // Space cancels: deleting takes a deliberate click
}

// delete deletes a record; one still named by others is refused with the sentence that says by what.
func (f *recordForm[R]) delete(r R) {
	u := f.u
	u.saveWith(func(ctx context.Context) error { return u.st.Delete(ctx, r.RecordID()) }, func(err error) {
		if err != nil {
			f.message.Importance = widget.DangerImportance
			f.message.SetText(T("没有删除：") + Sentence(err))
			return
		}
		f.newRecord()
		f.message.Importance = widget.SuccessImportance
		f.message.SetText(T("已删除：%s", f.describe(r)))
	})
}
