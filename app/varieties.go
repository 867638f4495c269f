package app

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// 新品种新技术名册 (the city's registry) and 引进推广 (a year's introduction of a registered variety in
// some villages). A training's or a project's varieties are free text that counts as a registered
// variety when it is its name or an other name: the city adds an other name and the old records count
// at once; no form registers a variety by itself.

func (u *UI) newVarietiesScreen() *kindScreen {
	hint := widget.NewLabel("")
	hint.Wrapping = fyne.TextWrapWord
	type V = ledger.Variety
	inputs := []input[V]{
		textIn("name", T("例如：鲁丽苹果"), func(v *V) *string { return &v.Name }),
		choiceIn("kind", hint, ledger.VarietyKinds, func(v *V) *string { return &v.Kind }),
		groupIn(hint, func(v *V) *string { return &v.Group }),
		textIn("industry", T("例如：苹果"), func(v *V) *string { return &v.Industry }),
		listIn("aliases", T("培训记录里的其他写法，用、隔开"), func(v *V) *[]string { return &v.Aliases }),
		textIn("source", "", func(v *V) *string { return &v.Source }),
		textIn("description", "", func(v *V) *string { return &v.Description }),
		textIn("notes", "", func(v *V) *string { return &v.Notes }),
	}
	f := newRecordForm(u, ledger.KindVariety, hint, inputs, func() V { return V{Kind: ledger.VarietyBreed} },
		func(v V) string { return v.Name })
	cols := []column[V]{
		{T("名称"), 180, func(v V) string { return v.Name }},
		{T("类别"), 70, func(v V) string { return T(v.Kind) }},
		{T("专业组"), 70, func(v V) string { return T(v.Group) }},
		{T("产业"), 100, func(v V) string { return v.Industry }},
		{T("别名"), 220, func(v V) string { return strings.Join(v.Aliases, listSep) }},
		{T("选育（研发）单位"), 220, func(v V) string { return v.Source }},
	}
	l := newRecordList(u, T("名册"), cols, false,
		[]choiceFilter{{T("全部类别"), ledger.VarietyKinds}, {T("全部专业组"), ledger.Groups}}, nil,
		func(s listState, ws query.WatchSet) ([]V, int) {
			return page(u.st.Varieties(query.Varieties{Search: s.search, Kind: s.picks[0], Group: s.picks[1]}, ws), s)
		})
	return newKindScreen(f, l)
}

func (u *UI) newIntroductionsScreen() *kindScreen {
	hint := widget.NewLabel("")
	hint.Wrapping = fyne.TextWrapWord
	type I = ledger.Introduction
	inputs := []input[I]{
		varietyIn(u, "variety", hint, func(i *I) *string { return &i.Variety }),
		yearIn(u, "year", func(i *I) *int { return &i.Year }).kept(),
		dateIn(u, "date", false, func(i *I) *ledger.Date { return &i.Date }),
		villagesIn(u, "villages", hint, func(i *I) *[]ledger.Code { return &i.Villages }),
		amountIn("area", T("亩，可带小数"), func(i *I) *float64 { return &i.Area }),
		countIn("households", T("户"), func(i *I) *int { return &i.Households }),
		textIn("notes", "", func(i *I) *string { return &i.Notes }),
	}
	f := newRecordForm(u, ledger.KindIntroduction, hint, inputs, func() I { return I{Year: u.year()} },
		func(i I) string {
			return fmt.Sprintf("%d %s · %s", i.Year, u.varietyName(i.Variety), u.villageNames(i.Villages))
		})
	cols := []column[I]{
		{T("年度"), 60, func(i I) string { return strconv.Itoa(i.Year) }},
		{T("品种/技术"), 180, func(i I) string { return u.varietyName(i.Variety) }},
		{T("推广村"), 240, func(i I) string { return u.villageNames(i.Villages) }},
		{T("面积（亩）"), 90, func(i I) string { return amountText(i.Area) }},
		{T("带动户数"), 80, func(i I) string { return countText(i.Households) }},
		{T("引进日期"), 100, func(i I) string { return string(i.Date) }},
	}
	l := newRecordList(u, T("引进推广记录"), cols, true, nil, nil,
		func(s listState, ws query.WatchSet) ([]I, int) {
			return u.st.Introductions(query.Introductions{List: u.listQuery(s)}, ws)
		})
	return newKindScreen(f, l)
}
