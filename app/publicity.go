package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// 宣传报道: reports about the programme, counted for the office that sent them (报送单位: this office or
// one under it).

func (u *UI) newPublicityScreen() *kindScreen {
	hint := widget.NewLabel("")
	hint.Wrapping = fyne.TextWrapWord
	type P = ledger.Publicity
	levels := []ledger.Level{ledger.LevelCity, ledger.LevelCounty, ledger.LevelTownship}
	inputs := []input[P]{
		textIn("title", "", func(p *P) *string { return &p.Title }),
		textIn("outlet", T("例如：淄博日报、学习强国"), func(p *P) *string { return &p.Outlet }),
		dateIn(u, "date", true, func(p *P) *ledger.Date { return &p.Date }),
		choiceIn("form", hint, ledger.PublicityForms, func(p *P) *string { return &p.Form }),
		placeIn(u, "org", hint, levels, func(p *P) *ledger.Code { return &p.Org }).kept(),
		advisorsIn(u, "advisors", hint, func(p *P) *[]string { return &p.Advisors }),
		villagesIn(u, "villages", hint, func(p *P) *[]ledger.Code { return &p.Villages }),
		textIn("link", T("网址，或报刊的版面期号"), func(p *P) *string { return &p.Link }),
		textIn("notes", "", func(p *P) *string { return &p.Notes }),
	}
	f := newRecordForm(u, ledger.KindPublicity, hint, inputs,
		func() P { return P{Date: u.today(), Form: ledger.PublicityNews, Org: u.id.Scope} },
		func(p P) string { return string(p.Date) + " " + short(p.Title, 24) })
	cols := []column[P]{
		{T("刊发日期"), 100, func(p P) string { return string(p.Date) }},
		{T("标题"), 300, func(p P) string { return p.Title }},
		{T("刊发媒体"), 140, func(p P) string { return p.Outlet }},
		{T("形式"), 60, func(p P) string { return T(p.Form) }},
		{T("报送单位"), 120, func(p P) string { return u.places.name(p.Org) }},
		{T("涉及村"), 160, func(p P) string { return u.villageNames(p.Villages) }},
	}
	l := newRecordList(u, T("宣传报道列表"), cols, true,
		[]choiceFilter{{T("全部形式"), ledger.PublicityForms}}, nil,
		func(s listState, ws query.WatchSet) ([]P, int) {
			return u.st.PublicityList(query.Publicity{List: u.listQuery(s), Form: s.picks[0]}, ws)
		})
	return newKindScreen(f, l)
}
