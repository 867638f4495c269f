package app

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// 农业科技园区 and 园区结对: the provincial science parks and their pairings with key villages (each
// park with at least two, reaching about five, creating jobs). Both are the city's: a county or
// township office sees them read-only (its county's parks, the pairings of its villages).

func (u *UI) newParksScreen() *kindScreen {
	hint := widget.NewLabel("")
	hint.Wrapping = fyne.TextWrapWord
	type P = ledger.Park
	inputs := []input[P]{
		textIn("name", T("例如：沂源县省级农业科技园区"), func(p *P) *string { return &p.Name }),
		placeIn(u, "county", hint, []ledger.Level{ledger.LevelCounty}, func(p *P) *ledger.Code { return &p.County }),
		textIn("speciality", T("例如：沂源红苹果"), func(p *P) *string { return &p.Speciality }),
		yearIn(u, "year", func(p *P) *int { return &p.Year }),
		textIn("notes", "", func(p *P) *string { return &p.Notes }),
	}
	f := newRecordForm(u, ledger.KindPark, hint, inputs, func() P { return P{Year: u.year()} },
		func(p P) string { return p.Name })
	on := u.today()
	cols := []column[P]{
		{T("园区名称"), 240, func(p P) string { return p.Name }},
		{T("所在区县"), 100, func(p P) string { return u.places.name(p.County) }},
		{T("特色产业"), 180, func(p P) string { return p.Speciality }},
		{T("认定年份"), 80, func(p P) string { return countText(p.Year) }},
		{T("正在结对的村"), 110, func(p P) string { // eight parks, their pairings in memory
			return strconv.Itoa(len(u.st.ParkPairings(query.ParkPairings{Park: p.ID, On: on}, nil)))
		}},
	}
	l := newRecordList(u, T("园区名册"), cols, false, nil, nil,
		func(s listState, ws query.WatchSet) ([]P, int) {
			u.st.ParkPairings(query.ParkPairings{Park: "-"}, ws) // wake on pairings too: the counts
			var out []P
			for _, p := range u.st.Parks(u.under(), ws) {
				if s.search == "" || strings.Contains(p.Name, s.search) || strings.Contains(p.Speciality, s.search) {
					out = append(out, p)
				}
			}
			return page(out, s)
		})
	return newKindScreen(f, l)
}

func (u *UI) newParkPairingsScreen() *kindScreen {
	hint := widget.NewLabel("")
	hint.Wrapping = fyne.TextWrapWord
	type P = ledger.ParkPairing
	inputs := []input[P]{
		parkIn(u, "park", hint, func(p *P) *string { return &p.Park }).kept(),
		villageIn(u, "village", hint, func(p *P) *ledger.Code { return &p.Village }),
		dateIn(u, "from", true, func(p *P) *ledger.Date { return &p.From }).kept(),
		dateIn(u, "to", false, func(p *P) *ledger.Date { return &p.To }),
		textIn("reason", T("结束或调整时必填"), func(p *P) *string { return &p.Reason }),
		countIn("jobs", T("人"), func(p *P) *int { return &p.Jobs }),
		textIn("notes", "", func(p *P) *string { return &p.Notes }),
	}
	f := newRecordForm(u, ledger.KindParkPairing, hint, inputs, func() P { return P{From: u.today()} },
		func(p P) string { return u.parkName(p.Park) + " · " + u.villageName(p.Village) })
	cols := []column[P]{
		{T("园区"), 220, func(p P) string { return u.parkName(p.Park) }},
		{T("村"), 170, func(p P) string { return u.villageName(p.Village) }},
		{T("开始日期"), 100, func(p P) string { return string(p.From) }},
		{T("结束日期"), 100, func(p P) string { return string(p.To) }},
		{T("带动就业（人）"), 110, func(p P) string { return countText(p.Jobs) }},
		{T("结对（调整）原因"), 200, func(p P) string { return p.Reason }},
	}
	l := newRecordList(u, T("园区结对列表"), cols, true, nil, []string{T("只看正在结对的")},
		func(s listState, ws query.WatchSet) ([]P, int) {
			q := query.ParkPairings{Under: u.under(), Year: s.year}
			if s.checks[0] {
				q.On = u.today()
			}
			var out []P
			for _, p := range u.st.ParkPairings(q, ws) {
				if s.search == "" || strings.Contains(u.parkName(p.Park), s.search) ||
					strings.Contains(u.villageName(p.Village), s.search) || strings.Contains(p.Reason, s.search) {
					out = append(out, p)
				}
			}
			return page(out, s)
		})
	return newKindScreen(f, l)
}
