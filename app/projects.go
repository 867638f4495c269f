package app

import (
	"errors"
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// 科技扶贫项目: "人才+团队+项目", a lead advisor and a team bringing a project to villages; it counts as
// supported (the 支持项目 target) once approved (立项, 实施, 验收).

func (u *UI) projectInputs(hint *widget.Label) []input[ledger.Project] {
	type P = ledger.Project
	return []input[P]{
		textIn("name", T("例如：沂源红苹果矮砧密植示范"), func(p *P) *string { return &p.Name }),
		yearIn(u, "year", func(p *P) *int { return &p.Year }).kept(),
		villagesIn(u, "villages", hint, func(p *P) *[]ledger.Code { return &p.Villages }),
		advisorIn(u, "lead", hint, func(p *P) *string { return &p.Lead }),
		advisorsIn(u, "team", hint, func(p *P) *[]string { return &p.Team }),
		groupIn(hint, func(p *P) *string { return &p.Group }),
		choiceIn("source", hint, ledger.ProjectSources, func(p *P) *string { return &p.Source }),
		amountIn("amount", T("万元，可带小数"), func(p *P) *float64 { return &p.Amount }),
		choiceIn("state", hint, ledger.ProjectStates, func(p *P) *string { return &p.State }),
		dateIn(u, "applied", false, func(p *P) *ledger.Date { return &p.Applied }),
		dateIn(u, "approved", false, func(p *P) *ledger.Date { return &p.Approved }),
		dateIn(u, "finished", false, func(p *P) *ledger.Date { return &p.Finished }),
		countIn("households", T("户"), func(p *P) *int { return &p.Households }),
		countIn("jobs", T("人"), func(p *P) *int { return &p.Jobs }),
		varietyTextsIn(u, "varieties", hint, func(p *P) *[]string { return &p.Varieties }),
		textIn("notes", "", func(p *P) *string { return &p.Notes }),
	}
}

func (u *UI) newProjectsScreen() *kindScreen {
	hint := widget.NewLabel("")
	hint.Wrapping = fyne.TextWrapWord
	blank := func() ledger.Project { return ledger.Project{Year: u.year(), State: ledger.ProjectApplied} }
	f := newRecordForm(u, ledger.KindProject, hint, u.projectInputs(hint), blank,
		func(p ledger.Project) string { return fmt.Sprintf("%d %s", p.Year, p.Name) })
	cols := []column[ledger.Project]{
		{T("年度"), 60, func(p ledger.Project) string { return strconv.Itoa(p.Year) }},
		{T("项目名称"), 240, func(p ledger.Project) string { return p.Name }},
		{T("实施村"), 170, func(p ledger.Project) string { return u.villageNames(p.Villages) }},
		{T("负责人"), 80, func(p ledger.Project) string { return u.advisorNameOrEmpty(p.Lead) }},
		{T("专业组"), 70, func(p ledger.Project) string { return T(p.Group) }},
		{T("支持来源"), 100, func(p ledger.Project) string { return T(p.Source) }},
		{T("金额（万元）"), 90, func(p ledger.Project) string { return amountText(p.Amount) }},
		{T("状态"), 60, func(p ledger.Project) string { return T(p.State) }},
	}
	l := newRecordList(u, T("项目列表"), cols, true,
		[]choiceFilter{{T("全部专业组"), ledger.Groups}, {T("全部状态"), ledger.ProjectStates}, {T("全部来源"), ledger.ProjectSources}},
		[]string{T("只看已支持")},
		func(s listState, ws query.WatchSet) ([]ledger.Project, int) {
			return u.st.Projects(query.Projects{List: u.listQuery(s), Group: s.picks[0], State: s.picks[1],
				Source: s.picks[2], Supported: s.checks[0]}, ws)
		})
	return newKindScreen(f, l)
}

func amountText(v float64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// projectsIn is the projects that served a need, by name.
func projectsIn[R any](u *UI, name string, hint *widget.Label, get func(*R) *[]string) input[R] {
	c := newCompleter(true, hint, u.projectChoices)
	return completerIn(name, T("输入项目名称，几个用、隔开"), c,
		func(r R) {
			var cs []choice
			for _, id := range *get(&r) {
				cs = append(cs, choice{text: u.projectName(id), value: id})
			}
			c.set(cs)
		},
		func(r *R, bad func(error)) {
			ids, unknown := c.values()
			*get(r) = append([]string(nil), ids...)
			for _, p := range unknown {
				ps, _ := u.st.Projects(query.Projects{List: query.List{Under: u.under(), Search: p}}, nil)
				var found []string
				for _, x := range ps {
					if x.Name == p || len(ps) == 1 {
						found = append(found, x.ID)
					}
				}
				if len(found) == 1 {
					*get(r) = append(*get(r), found[0])
				} else {
					bad(errors.New(T("本单位没有叫“%s”的项目，或有重名，请从提示中选择", p)))
				}
			}
		})
}

func (u *UI) projectChoices(part string) []choice {
	ps, _ := u.st.Projects(query.Projects{List: query.List{Under: u.under(), Search: part, Limit: 6}}, nil)
	out := make([]choice, len(ps))
	for i, p := range ps {
		out[i] = choice{label: fmt.Sprintf("%s · %d · %s", p.Name, p.Year, T(p.State)), text: p.Name, value: p.ID}
	}
	return out
}

func (u *UI) projectName(id string) string {
	if rec, err := u.st.Record(id); err == nil && rec.Kind == ledger.KindProject {
		if p, err := ledger.As[ledger.Project](rec); err == nil {
			return p.Name
		}
	}
	return id
}
