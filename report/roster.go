package report

import (
	"strings"

	"techaid/ledger"
	"techaid/query"
)

// Sheet names of the lists an office can export and import back.
const (
	SheetKeyVillages = "省定重点村"
	SheetRoster      = "科技指导人员名册"
)

// KeyVillages is the list of key villages within under, in code order, with their year and the
// advisors paired with them today: the bureau's list as the ledger holds it, in the columns the
// key-village import reads.
func KeyVillages(st Store, under ledger.Code) Table {
	if under.Level() == ledger.LevelCity {
		under = ""
	}
	t := Table{Name: SheetKeyVillages, Columns: []string{"序号", "区县", "乡镇", "村", "村代码", "认定年份", "结对科技指导人员"}}
	vs, _ := st.Villages(query.Villages{Under: under, KeyOnly: true}, nil)
	today := ledger.DateOf(st.Clock().Today())
	for i, v := range vs {
		var names []string
		for _, a := range st.Assignments(v.Code, "", today, nil) {
			names = append(names, advisorName(st, a.Advisor))
		}
		var year any = ""
		if v.KeyYear != 0 {
			year = v.KeyYear
		}
		t.Rows = append(t.Rows, []any{i + 1, v.CountyName, v.TownshipName, v.Name, string(v.Code), year, strings.Join(names, "、")})
	}
	return t
}

// Roster is the advisor roster, by name, in the columns the roster import reads (编号 first, so that a
// roster edited in Excel and imported back updates the same advisors).
func Roster(st Store) Table {
	t := Table{Name: SheetRoster, Columns: []string{"编号", "姓名", "性别", "电话", "派出单位", "职称", "专业特长", "专业组", "专家服务团成员", "状态", "备注"}}
	for _, a := range st.Advisors(query.Advisors{}, nil) {
		t.Rows = append(t.Rows, []any{a.ID, a.Name, a.Gender, a.Phone, a.Employer, a.Title, a.Specialty, a.Group, yesNo(a.Expert), a.Status, a.Notes})
	}
	return t
}
