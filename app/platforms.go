package app

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// 星创天地、农科驿站: the platforms where technology meets farmers, and the villages each serves. The
// city keeps them; other offices see those in (or serving) their place.

func (u *UI) newPlatformsScreen() *kindScreen {
	hint := widget.NewLabel("")
	hint.Wrapping = fyne.TextWrapWord
	type P = ledger.Platform
	inputs := []input[P]{
		textIn("name", "", func(p *P) *string { return &p.Name }),
		choiceIn("kind", hint, ledger.PlatformKinds, func(p *P) *string { return &p.Kind }),
		choiceIn("level", hint, ledger.PlatformLevels, func(p *P) *string { return &p.Level }),
		choiceIn("state", hint, ledger.PlatformStates, func(p *P) *string { return &p.State }),
		dateIn(u, "date", true, func(p *P) *ledger.Date { return &p.Date }),
		placeIn(u, "location", hint, []ledger.Level{ledger.LevelCounty, ledger.LevelTownship}, func(p *P) *ledger.Code { return &p.Location }),
		textIn("address", "", func(p *P) *string { return &p.Address }),
		textIn("operator", T("例如：某某农业专业合作社"), func(p *P) *string { return &p.Operator }),
		villagesIn(u, "villages", hint, func(p *P) *[]ledger.Code { return &p.Villages }),
		textIn("notes", "", func(p *P) *string { return &p.Notes }),
	}
	f := newRecordForm(u, ledger.KindPlatform, hint, inputs,
		func() P {
			return P{Kind: ledger.PlatformStation, Level: ledger.LevelProvincial, State: ledger.PlatformRecognised}
		},
		func(p P) string { return p.Name })
	cols := []column[P]{
		{T("名称"), 240, func(p P) string { return p.Name }},
		{T("类型"), 90, func(p P) string { return T(p.Kind) }},
		{T("级别"), 70, func(p P) string { return T(p.Level) }},
		{T("状态"), 60, func(p P) string { return T(p.State) }},
		{T("认定（筹建）日期"), 120, func(p P) string { return string(p.Date) }},
		{T("所在地"), 110, func(p P) string { return u.places.name(p.Location) }},
		{T("服务村"), 70, func(p P) string { return strconv.Itoa(len(p.Villages)) }},
	}
	l := newRecordList(u, T("平台名册"), cols, false,
		[]choiceFilter{{T("全部类型"), ledger.PlatformKinds}, {T("全部级别"), ledger.PlatformLevels}, {T("全部状态"), ledger.PlatformStates}}, nil,
		func(s listState, ws query.WatchSet) ([]P, int) {
			return u.st.Platforms(query.Platforms{List: u.listQuery(s), Kind: s.picks[0], Level: s.picks[1], State: s.picks[2]}, ws)
		})
	return newKindScreen(f, l)
}
