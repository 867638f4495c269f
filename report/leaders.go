package report

import (
	"fmt"

	"techaid/ledger"
	"techaid/query"
)

var leaderColumns = []column{
	{key: "name", names: []string{"姓名", "带头人姓名", "示范户姓名", "户主姓名", "户主", "名称"}, required: true},
	{key: "kind", names: []string{"类别", "类型", "认定类别"}},
	{key: "county", names: keyVillageColumns[0].names},
	{key: "township", names: keyVillageColumns[1].names},
	{key: "village", names: []string{"村", "村名", "所在村", "村庄", "行政村", "村(居)"}},
	{key: "code", names: []string{"村代码", "区划代码"}},
	{key: "gender", names: []string{"性别"}},
	{key: "phone", names: []string{"电话", "联系电话", "手机", "手机号码", "联系方式"}},
	{key: "industry", names: []string{"产业", "主导产业", "从事产业", "产业类别"}},
	{key: "advisor", names: []string{"帮带的科技指导人员", "帮带科技指导人员", "帮带人", "指导人员", "科技指导人员", "结对科技指导人员"}},
	{key: "since", names: []string{"认定日期", "认定时间", "认定年份", "认定年度"}},
	{key: "notes", names: []string{"备注"}},
}

// PlanLeaders reads the bureau's list of technology leaders and model households (科技致富带头人、
// 科技示范户): the village by name (or code) within the row's county and township, the mentor by name
// from the roster, the kind as lists write it, and when recognised. The same person in the same
// village again is updated with what the row fills in.
func PlanLeaders(st Store, sheets []Sheet) (RecordPlan, error) {
	s, h, err := pickSheet(preferSheet(sheets, SheetLeaders), leaderColumns)
	if err != nil {
		return RecordPlan{}, err
	}
	ri := newRecordImport(st)
	existing := map[string]ledger.Leader{}
	all, _ := st.Leaders(query.Leaders{}, nil)
	for _, l := range all {
		existing[leaderKey(l.Name, l.Village)] = l
	}
	plan := RecordPlan{Kind: ledger.KindLeader, Sheet: s.Name}
	taken := map[string]int{}
	for _, r := range s.Rows {
		if r.Line <= h.line || blank(r) {
			continue
		}
		rr := &rowReader{s: s, h: h, r: r}
		in := ledger.Leader{Name: rr.cell("name"), Industry: rr.cell("industry"), Notes: rr.cell("notes")}
		row := RecordRow{Line: r.Line, Name: in.Name}
		if in.Name == "" {
			rr.fail("「姓名」为空%s", s.formulaNote(r.Line, h.at["name"]))
		}
		villages := ri.villagesOf(rr, "村", "village", "code")
		if ri.outsideOnly(rr, len(villages)) {
			plan.Skipped++
			continue
		}
		if len(villages) > 1 {
			rr.fail("「村」只能填一个村，表中有 %d 个", len(villages))
		} else if len(villages) == 1 {
			in.Village = villages[0]
		}
		in.Kind = rr.choiceOf("kind", "类别", ledger.LeaderKinds, leaderKindWords)
		switch g := rr.cell("gender"); g {
		case "", "男", "女":
			in.Gender = g
		case "男性":
			in.Gender = "男"
		case "女性":
			in.Gender = "女"
		default:
			rr.fail("「性别」应为 男 或 女，表中是「%s」", g)
		}
		phone, err := cleanPhone(rr.cell("phone"))
		if err != nil {
			rr.fail("%s", err.Error())
		}
		in.Phone = phone
		in.Since = rr.dateOf("since", "认定日期")
		key := leaderKey(in.Name, in.Village)
		if first, dup := taken[key]; dup && in.Name != "" && in.Village != "" {
			rr.fail("与第 %d 行是同一个人（姓名和村相同）", first)
		}
		taken[key] = r.Line
		cur, found := existing[key]
		in.Advisor = ri.advisorOf(rr, "帮带的科技指导人员", rr.cell("advisor"), ri.preferFor([]string{cur.Advisor}, villages))
		after := in
		var before ledger.Entity
		write := ledger.Entity(in)
		if found {
			after = mergeLeader(cur, in)
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

func leaderKey(name string, village ledger.Code) string {
	return string(village) + "/" + normName(name)
}

// mergeLeader is cur with what the row fills in.
func mergeLeader(cur, in ledger.Leader) ledger.Leader {
	out := cur
	for _, f := range []struct{ dst, v *string }{{&out.Kind, &in.Kind}, {&out.Gender, &in.Gender}, {&out.Phone, &in.Phone},
		{&out.Industry, &in.Industry}, {&out.Advisor, &in.Advisor}, {&out.Notes, &in.Notes}} {
		if *f.v != "" {
			*f.dst = *f.v
		}
	}
	if in.Since != "" {
		out.Since = in.Since
	}
	return out
}
