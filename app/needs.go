package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// 需求跟踪: the needs villages raise (mostly at a 需求调研), who takes each, and its outcome. The list
// filters by group and state, the open ones, and those open past the target's days (the 调度's
// overdue list).

// needInputs are the need form's fields, in the order the clerk fills them in.
func (u *UI) needInputs(hint *widget.Label) []input[ledger.Need] {
	type N = ledger.Need
	return []input[N]{
		villageIn(u, "village", hint, func(n *N) *ledger.Code { return &n.Village }).kept(),
		dateIn(u, "raised", true, func(n *N) *ledger.Date { return &n.Raised }).kept(),
		textIn("industry", T("例如：苹果、大棚蔬菜"), func(n *N) *string { return &n.Industry }),
		textIn("problem", T("按群众的原话写"), func(n *N) *string { return &n.Problem }),
		groupIn(hint, func(n *N) *string { return &n.Group }),
		advisorIn(u, "advisor", hint, func(n *N) *string { return &n.Advisor }),
		choiceIn("state", hint, ledger.NeedStates, func(n *N) *string { return &n.State }),
		dateIn(u, "closed", false, func(n *N) *ledger.Date { return &n.Closed }),
		textIn("reason", T("无法解决时必填"), func(n *N) *string { return &n.Reason }),
		projectsIn(u, "projects", hint, func(n *N) *[]string { return &n.Projects }),
		textIn("notes", "", func(n *N) *string { return &n.Notes }),
	}
}

// newNeedForm is the need form; survey, if set, is the 需求调研 the needs are raised at.
func (u *UI) newNeedForm(hint *widget.Label, survey *ledger.Training) *recordForm[ledger.Need] {
	blank := func() ledger.Need {
		n := ledger.Need{State: ledger.NeedWaiting, Raised: u.today()}
		if survey != nil {
			n.Survey, n.Raised = survey.ID, survey.Date
			if len(survey.Villages) > 0 {
				n.Village = survey.Villages[0]
			}
		}
		return n
	}
	f := newRecordForm(u, ledger.KindNeed, hint, u.needInputs(hint), blank, u.describeNeed)
	f.adjust = func(n *ledger.Need) {
		if !ledger.NeedOpen(n.State) && n.Closed == "" && f.input("closed").entry.Text == "" {
			n.Closed = u.today() // marked solved today
		}
	}
	return f
}

func (u *UI) describeNeed(n ledger.Need) string {
	return u.villageName(n.Village) + " · " + short(n.Problem, 24)
}

// short cuts a text to n characters with an ellipsis.
func short(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}

func (u *UI) newNeedsScreen() *kindScreen {
	hint := widget.NewLabel("")
	hint.Wrapping = fyne.TextWrapWord
	f := u.newNeedForm(hint, nil)
	today := u.today()
	cols := []column[ledger.Need]{
		{T("提出日期"), 100, func(n ledger.Need) string { return string(n.Raised) }},
		{T("村"), 150, func(n ledger.Need) string { return u.villageName(n.Village) }},
		{T("专业组"), 70, func(n ledger.Need) string { return T(n.Group) }},
		{T("需求"), 280, func(n ledger.Need) string { return n.Problem }},
		{T("承接人"), 90, func(n ledger.Need) string { return u.advisorNameOrEmpty(n.Advisor) }},
		{T("状态"), 80, func(n ledger.Need) string { return T(n.State) }},
		{T("已等待 / 办结"), 120, func(n ledger.Need) string {
			if n.Open() {
				return T("%d 天", daysBetween(n.Raised, today))
			}
			return string(n.Closed)
		}},
	}
	l := newRecordList(u, T("需求列表"), cols, true,
		[]choiceFilter{{T("全部专业组"), ledger.Groups}, {T("全部状态"), ledger.NeedStates}},
		[]string{T("只看未办结"), T("只看超期")},
		func(s listState, ws query.WatchSet) ([]ledger.Need, int) {
			q := query.Needs{List: u.listQuery(s), Group: s.picks[0], State: s.picks[1], Open: s.checks[0]}
			if s.checks[1] {
				tg, _ := u.st.YearTarget(u.year())
				q.Older = tg.NeedDays
			}
			return u.st.Needs(q, ws)
		})
	return newKindScreen(f, l)
}

func (u *UI) advisorNameOrEmpty(id string) string {
	if id == "" {
		return ""
	}
	return u.advisorName(id)
}

// daysBetween is how many days lie from a to b (0 if either is not a date or b is before a).
func daysBetween(a, b ledger.Date) int {
	x, ok1 := a.Days()
	y, ok2 := b.Days()
	if !ok1 || !ok2 || y < x {
		return 0
	}
	return y - x
}

// raiseNeeds is the need form for a 需求调研, in a dialog over the training form: each need the survey
// found is typed and saved with Enter, the village and the date taken from the survey, until 完成.
func (u *UI) raiseNeeds(survey ledger.Training) {
	hint := widget.NewLabel("")
	hint.Wrapping = fyne.TextWrapWord
	f := u.newNeedForm(hint, &survey)
	count := widget.NewLabel("")
	counted := func() {
		_, n := u.st.Needs(query.Needs{Training: survey.ID}, nil)
		count.SetText(T("这次调研已登记需求 %d 条", n))
	}
	f.saved = func(ledger.Need) { counted() }
	counted()
	title := T("需求调研 %s %s：登记需求", survey.Date, u.villageNames(survey.Villages))
	d := dialog.NewCustom(title, T("完成"), container.NewBorder(nil, count, nil, nil, f.content), u.win)
	d.Resize(fyne.NewSize(1100, 480))
	u.needDialog = f
	d.SetOnClosed(func() { u.needDialog = nil })
	d.Show()
	f.focusForm()
}
