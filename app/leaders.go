package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// 带头人示范户: the technology leaders (科技致富带头人) and model households (科技示范户) the programme
// cultivates, each mentored by an advisor, counted in the year recognised.

func (u *UI) newLeadersScreen() *kindScreen {
	hint := widget.NewLabel("")
	hint.Wrapping = fyne.TextWrapWord
	type L = ledger.Leader
	inputs := []input[L]{
		textIn("name", "", func(l *L) *string { return &l.Name }),
		choiceIn("kind", hint, ledger.LeaderKinds, func(l *L) *string { return &l.Kind }).kept(),
		villageIn(u, "village", hint, func(l *L) *ledger.Code { return &l.Village }),
		choiceIn("gender", hint, []string{"男", "女"}, func(l *L) *string { return &l.Gender }),
		textIn("phone", "", func(l *L) *string { return &l.Phone }),
		textIn("industry", T("例如：苹果"), func(l *L) *string { return &l.Industry }),
		advisorIn(u, "advisor", hint, func(l *L) *string { return &l.Advisor }),
		dateIn(u, "since", true, func(l *L) *ledger.Date { return &l.Since }).kept(),
		textIn("notes", "", func(l *L) *string { return &l.Notes }),
	}
	f := newRecordForm(u, ledger.KindLeader, hint, inputs, func() L { return L{Kind: ledger.LeaderRich, Since: u.today()} },
		func(l L) string { return l.Name + " · " + u.villageName(l.Village) })
	cols := []column[L]{
		{T("认定日期"), 100, func(l L) string { return string(l.Since) }},
		{T("姓名"), 90, func(l L) string { return l.Name }},
		{T("类别"), 120, func(l L) string { return T(l.Kind) }},
		{T("村"), 160, func(l L) string { return u.villageName(l.Village) }},
		{T("产业"), 110, func(l L) string { return l.Industry }},
		{T("帮带的科技指导人员"), 140, func(l L) string { return u.advisorNameOrEmpty(l.Advisor) }},
		{T("电话"), 120, func(l L) string { return l.Phone }},
	}
	l := newRecordList(u, T("带头人、示范户列表"), cols, true,
		[]choiceFilter{{T("全部类别"), ledger.LeaderKinds}}, nil,
		func(s listState, ws query.WatchSet) ([]L, int) {
			return u.st.Leaders(query.Leaders{List: u.listQuery(s), Kind: s.picks[0]}, ws)
		})
	return newKindScreen(f, l)
}
