package report

import (
	"fmt"
	"slices"
	"strings"

	"techaid/ledger"
	"techaid/query"
)

var projectColumns = []column{
	{key: "name", names: []string{"项目名称", "名称", "项目"}, required: true},
	{key: "year", names: []string{"年度", "年份", "项目年度", "立项年度"}},
	{key: "county", names: keyVillageColumns[0].names},
	{key: "township", names: keyVillageColumns[1].names},
	{key: "villages", names: []string{"实施村", "项目实施村", "受益村", "实施地点", "重点村", "村", "村名", "所在村"}},
	{key: "codes", names: []string{"实施村代码", "村代码", "区划代码"}},
	{key: "lead", names: []string{"项目负责人", "负责人", "牵头人", "科技指导人员"}},
	{key: "team", names: []string{"团队成员", "团队", "项目团队", "参与人员", "成员"}},
	{key: "group", names: []string{"专业组", "所属专业组"}},
	{key: "source", names: []string{"支持来源", "项目来源", "资金来源", "计划类别", "来源"}},
	{key: "amount", names: []string{"支持金额（万元）", "支持金额(万元)", "支持金额", "扶持资金（万元）", "资金（万元）", "金额（万元）", "金额"}},
	{key: "state", names: []string{"状态", "项目状态", "进展情况", "进展"}},
	{key: "applied", names: []string{"申报日期", "申报时间"}},
	{key: "approved", names: []string{"立项日期", "立项时间"}},
	{key: "finished", names: []string{"验收（终止）日期", "验收日期", "验收时间", "终止日期", "结题日期"}},
	{key: "households", names: []string{"受益户数", "带动户数", "受益农户（户）", "受益农户"}},
	{key: "jobs", names: []string{"带动就业（人）", "带动就业", "就业人数", "带动就业人数"}},
	{key: "varieties", names: []string{"引进品种/技术", "引进品种技术", "新品种新技术", "引进品种", "品种/技术"}},
	{key: "notes", names: []string{"备注"}},
}

var (
	sourceWords = map[string]string{"省": ledger.SourceProvince, "省级": ledger.SourceProvince, "省科技厅": ledger.SourceProvince,
		"省级科技计划": ledger.SourceProvince, "市": ledger.SourceCity, "市级": ledger.SourceCity, "市科技局": ledger.SourceCity,
		"市级科技计划": ledger.SourceCity, "县": ledger.SourceCounty, "区县": ledger.SourceCounty, "县区": ledger.SourceCounty,
		"区县级": ledger.SourceCounty, "县级科技计划": ledger.SourceCounty, "其它": ledger.SourceOther}
	projectStateWords = map[string]string{"已申报": ledger.ProjectApplied, "申报中": ledger.ProjectApplied,
		"已立项": ledger.ProjectApproved, "实施中": ledger.ProjectRunning, "在实施": ledger.ProjectRunning, "在建": ledger.ProjectRunning,
		"已验收": ledger.ProjectAccepted, "已结题": ledger.ProjectAccepted, "结题": ledger.ProjectAccepted,
		"已终止": ledger.ProjectTerminated}
	leaderKindWords = map[string]string{"带头人": ledger.LeaderRich, "致富带头人": ledger.LeaderRich, "科技带头人": ledger.LeaderRich,
		"示范户": ledger.LeaderModel, "科技示范户": ledger.LeaderModel}
)

// PlanProjects reads the bureau's list of projects (科技扶贫项目): the villages by name (or code) within
// the row's county and township, the lead and the team by name from the roster, the group, source and
// state as the list writes them, amounts in 万元, dates as Excel keeps them, and the varieties against
// the registry. A project the store has (the same name and year) is updated with what the row fills in.
func PlanProjects(st Store, sheets []Sheet) (RecordPlan, error) {
	s, h, err := pickSheet(preferSheet(sheets, SheetProjects), projectColumns)
	if err != nil {
		return RecordPlan{}, err
	}
	ri := newRecordImport(st)
	existing := map[string]ledger.Project{}
	all, _ := st.Projects(query.Projects{}, nil)
	for _, p := range all {
		existing[projectKey(p.Name, p.Year)] = p
	}
	plan := RecordPlan{Kind: ledger.KindProject, Sheet: s.Name}
	taken := map[string]int{}
	for _, r := range s.Rows {
		if r.Line <= h.line || blank(r) {
			continue
		}
		rr := &rowReader{s: s, h: h, r: r}
		in := ledger.Project{Name: rr.cell("name"), Group: strings.TrimSuffix(rr.cell("group"), "组"), Notes: rr.cell("notes")}
		row := RecordRow{Line: r.Line, Name: in.Name}
		if in.Name == "" {
			rr.fail("「项目名称」为空%s", s.formulaNote(r.Line, h.at["name"]))
		}
		in.Villages = ri.villagesOf(rr, "实施村", "villages", "codes")
		if ri.outsideOnly(rr, len(in.Villages)) {
			plan.Skipped++
			continue
		}
		in.Year = rr.intOf("year", "年度", "年", "年度")
		in.Source = rr.choiceOf("source", "支持来源", ledger.ProjectSources, sourceWords)
		in.Amount = rr.amountOf("amount", "支持金额（万元）")
		in.State = rr.choiceOf("state", "状态", ledger.ProjectStates, projectStateWords)
		in.Applied = rr.dateOf("applied", "申报日期")
		in.Approved = rr.dateOf("approved", "立项日期")
		in.Finished = rr.dateOf("finished", "验收（终止）日期")
		in.Households = rr.intOf("households", "受益户数", "户")
		in.Jobs = rr.intOf("jobs", "带动就业（人）", "人")
		in.Varieties = ri.varietiesOf(rr, "varieties", "引进品种/技术")
		if in.Year == 0 { // the list has no year column: the year it was approved, or applied for
			for _, d := range []ledger.Date{in.Approved, in.Applied} {
				if d != "" {
					in.Year = d.Year()
					break
				}
			}
			if in.Year == 0 {
				in.Year = ri.today.Year()
			}
		}
		key := projectKey(in.Name, in.Year)
		if first, dup := taken[key]; dup && in.Name != "" {
			rr.fail("与第 %d 行是同一个项目（项目名称和年度相同）", first)
		}
		taken[key] = r.Line
		cur, found := existing[key]
		prefer := ri.preferFor(append([]string{cur.Lead}, cur.Team...), in.Villages)
		in.Lead = ri.advisorOf(rr, "项目负责人", rr.cell("lead"), prefer)
		for _, name := range splitList(rr.cell("team")) {
			if id := ri.advisorOf(rr, "团队成员", name, prefer); id != "" && id != in.Lead && !slices.Contains(in.Team, id) {
				in.Team = append(in.Team, id)
			}
		}
		after := in
		var before ledger.Entity
		write := ledger.Entity(in)
		if found {
			after = mergeProject(cur, in)
			before = cur
			in.ID = cur.ID
			write = in
		}
		ri.finish(&row, rr, before, after, write)
		plan.Rows = append(plan.Rows, row)
	}
	if len(plan.Rows) == 0 && plan.Skipped == 0 {
		return plan, fmt.Errorf("%s: 表头下面没有数据行 (no rows under the heading)", s.Name)
	}
	return plan, nil
}

// preferSheet puts the sheet named name first: a work ledger exported by techaid has the list on its
// own sheet, and another sheet's headings (需求's 支持项目) must not be taken for it.
func preferSheet(sheets []Sheet, name string) []Sheet {
	for i, s := range sheets {
		if s.Name == name && i > 0 {
			return append(append([]Sheet{s}, sheets[:i]...), sheets[i+1:]...)
		}
	}
	return sheets
}

func projectKey(name string, year int) string { return fmt.Sprintf("%d/%s", year, normName(name)) }

// mergeProject is cur with what the row fills in.
func mergeProject(cur, in ledger.Project) ledger.Project {
	out := cur
	setS := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	setS(&out.Group, in.Group)
	setS(&out.Lead, in.Lead)
	setS(&out.Source, in.Source)
	setS(&out.State, in.State)
	setS(&out.Notes, in.Notes)
	for _, d := range []struct{ dst, v *ledger.Date }{{&out.Applied, &in.Applied}, {&out.Approved, &in.Approved}, {&out.Finished, &in.Finished}} {
		if *d.v != "" {
			*d.dst = *d.v
		}
	}
	if len(in.Villages) > 0 {
		out.Villages = in.Villages
	}
	if len(in.Team) > 0 {
		out.Team = in.Team
	}
	if len(in.Varieties) > 0 {
		out.Varieties = in.Varieties
	}
	if in.Amount != 0 {
		out.Amount = in.Amount
	}
	if in.Households != 0 {
		out.Households = in.Households
	}
	if in.Jobs != 0 {
		out.Jobs = in.Jobs
	}
	return out
}
