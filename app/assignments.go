package app

import (
	"context"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// assignmentsBox is an advisor's pairings with villages (结对帮扶) in the advisor's detail: the city
// office pairs an advisor with a village and ends a pairing with its reason (动态调整); every other
// office sees them.
type assignmentsBox struct {
	u       *UI
	content *fyne.Container
	rows    *fyne.Container
	village *completer
	from    *field
	message *widget.Label
	mu      sync.Mutex
	advisor string
	view    *view[[]ledger.Assignment]
	hint    *widget.Label
}

func (u *UI) newAssignmentsBox() *assignmentsBox {
	b := &assignmentsBox{u: u, rows: container.NewVBox(), hint: widget.NewLabel(""), message: widget.NewLabel("")}
	b.message.Wrapping = fyne.TextWrapWord
	parts := []fyne.CanvasObject{heading(T("结对村")), b.rows}
	if u.canEditRoster() {
		b.village = newCompleter(false, b.hint, u.villageChoices)
		b.village.SetPlaceHolder(T("输入村名"))
		b.from = newField()
		b.from.SetPlaceHolder(T("开始日期，默认今天"))
		add := widget.NewButtonWithIcon(T("新增结对"), theme.ContentAddIcon(), b.add)
		b.village.onEnter = b.add
		b.from.OnSubmitted = func(string) { b.add() }
		parts = append(parts, container.NewBorder(nil, nil, nil, add, container.NewGridWithColumns(2, b.village, b.from)),
			b.hint, b.message)
	}
	b.content = container.NewVBox(parts...)
	return b
}

// show points the box at an advisor.
func (b *assignmentsBox) show(advisor string) {
	b.mu.Lock()
	b.advisor = advisor
	b.mu.Unlock()
	b.message.SetText("")
	if b.view == nil {
		b.view = live(b.u, func(ws query.WatchSet) []ledger.Assignment {
			if b.currentAdvisor() == "" {
				return nil
			}
			return b.u.st.Assignments("", b.currentAdvisor(), b.u.today(), ws)
		}, b.showRows)
	} else {
		b.view.refresh()
	}
}

func (b *assignmentsBox) currentAdvisor() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.advisor
}

func (b *assignmentsBox) showRows(as []ledger.Assignment) {
	b.rows.Objects = nil
	if len(as) == 0 {
		b.rows.Add(widget.NewLabel(T("暂无结对村")))
	}
	for _, a := range as {
		a := a
		label := widget.NewLabel(T("%s · 自 %s 起", b.u.villageName(a.Village), a.From))
		row := container.NewBorder(nil, nil, nil, nil, label)
		if b.u.canEditRoster() {
			end := widget.NewButtonWithIcon(T("结束结对"), theme.CancelIcon(), func() { b.end(a) })
			row = container.NewBorder(nil, nil, nil, end, label)
		}
		b.rows.Add(row)
	}
	b.rows.Refresh()
}

// add pairs the advisor with the village typed.
func (b *assignmentsBox) add() {
	u := b.u
	vals, unknown := b.village.values()
	var code ledger.Code
	switch {
	case len(vals) == 1:
		code = ledger.Code(vals[0])
	case len(unknown) == 1:
		c, ok := u.resolveVillage(unknown[0])
		if !ok {
			b.fail(T("本单位没有叫“%s”的村，或有重名，请从提示中选择", unknown[0]), b.village)
			return
		}
		code = c
	default:
		b.fail(T("请输入要结对的村。"), b.village)
		return
	}
	from, err := parseDay(b.from.Text, u.today())
	if err != nil {
		b.fail(T("开始日期：")+err.Error(), b.from)
		return
	}
	a := ledger.Assignment{Advisor: b.currentAdvisor(), Village: code, From: from}
	u.saveWith(func(ctx context.Context) error { _, err := u.st.Create(ctx, a); return err }, func(err error) {
		if err != nil {
			b.fail(Sentence(err), problemAt(err, map[string]fyne.Focusable{"village": b.village, "from": b.from}))
			return
		}
		b.village.set(nil)
		b.from.SetText("")
		focusSelected(u.win.Canvas(), b.village) // the next village to pair
		b.message.Importance = widget.SuccessImportance
		b.message.SetText(T("已结对：%s", u.villageName(code)))
	})
}

// end asks why a pairing ends (动态调整) and ends it today.
func (b *assignmentsBox) end(a ledger.Assignment) {
	u := b.u
	reason := newField()
	reason.SetPlaceHolder(T("例如：工作调动、专业不对口"))
	u.showForm(T("结束与%s的结对", u.villageName(a.Village)), []*widget.FormItem{
		widget.NewFormItem(T("调整原因"), reason)}, func() {
		ended := a
		ended.To = u.today()
		ended.Reason = strings.TrimSpace(reason.Text)
		u.saveWith(func(ctx context.Context) error { return u.st.Update(ctx, a, ended) }, func(err error) {
			if err != nil {
				b.fail(Sentence(err), nil)
			}
		})
	})
}

// fail says why the pairing was not saved and puts the keyboard in the field to fix (nil: none).
func (b *assignmentsBox) fail(msg string, at fyne.Focusable) {
	b.u.refuse(b.message, msg, at)
}
