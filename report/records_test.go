package report

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
)

// programmeStore is a city store with every village of 淄博市, an advisor roster (two of them named
// 王强) and the variety registry's 鲁丽 (alias 鲁丽苹果) and 矮化密植.
func programmeStore(t *testing.T, scope ledger.Code) (*storage.Store, map[string]string) {
	t.Helper()
	st := divisionStore(t, scope)
	ctx := context.Background()
	ids := map[string]string{}
	city := st // the roster is the city's: a township's store receives it by sync
	if scope.Level() != ledger.LevelCity {
		city = divisionStore(t, "3703")
	}
	for _, a := range []ledger.Advisor{{Name: "李红梅", Group: "林果", Phone: "13912345678"}, {Name: "赵刚", Group: "蔬菜", Phone: "13512345678"},
		{Name: "王强", Group: "粮食", Phone: "13700000001"}, {Name: "王强", Group: "畜牧", Phone: "13700000002"}} {
		a.Status = ledger.StatusActive
		id, err := city.Create(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if _, dup := ids[a.Name]; dup {
			ids[a.Name+"2"] = id
		} else {
			ids[a.Name] = id
		}
		if city != st {
			rec, err := city.Record(id)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.ApplyRemote(ctx, []ledger.Record{rec}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if scope.Level() == ledger.LevelCity {
		for _, v := range []ledger.Variety{{Name: "鲁丽", Kind: ledger.VarietyBreed, Group: "林果", Aliases: []string{"鲁丽苹果"}},
			{Name: "矮化密植", Kind: ledger.VarietyTechnique, Group: "林果"}} {
			if _, err := st.Create(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	return st, ids
}

// TestProjectList: the bureau's project list as it comes — a title above the heading, its own words
// for the columns, the county merged down, villages by name (one written loosely), advisors by name,
// a date cell, 已立项 for 立项, amounts in 万元 — is read row by row: good rows new, every bad row refused
// with its reasons in Chinese, nothing written by the preview; applying writes exactly the good rows,
// and the same list again changes nothing; a changed state updates the project.
func TestProjectList(t *testing.T) {
	st, ids := programmeStore(t, "3703")
	ctx := context.Background()
	approved := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	rows := [][]any{
		{"2026年科技扶贫项目汇总表"},
		{"序号", "项目名称", "县（区）", "乡镇（街道）", "项目实施村", "项目负责人", "团队成员", "专业组", "项目来源", "支持金额（万元）",
			"项目状态", "申报时间", "立项时间", "验收时间", "受益农户（户）", "带动就业人数", "引进品种/技术", "备注"},
		{1, "鲁丽苹果矮化密植示范", "沂源县", "鲁村镇", "鲁村一村、鲁村二村", "李红梅", "赵刚", "林果组", "省级", 30, "实施中",
			"2026/2/10", approved, nil, 120, 15, "鲁丽苹果、矮化密植"}, // 3: new; 鲁村二村 loose, 鲁丽苹果 counts as 鲁丽
		{2, "大棚蔬菜提质增效", nil, "鲁村镇", "鲁村三村", "张三", nil, "蔬菜", "市级", 10, "申报", "2026-03-01"}, // 4: no 张三
		{3, "苹果新品种引进", nil, "鲁村镇", "鲁村三村", "李红梅", nil, "林果", "县级", 5, "申报", "2026-03-01", nil, nil, nil, nil,
			"鲁丽果"}, // 5: 鲁丽果 near 鲁丽
		{4, "中药材规范种植", nil, "鲁村镇", "鲁村三村", "李红梅", nil, "经济作物", "县", 8, "进行中", "2026-03-01"}, // 6: state
		{5, "生猪养殖技术推广", nil, "鲁村镇", "不存在村", "李红梅", nil, "畜牧", "县", 8, "申报", "2026-03-01"},   // 7: village
		{6, "小麦一喷三防", nil, "鲁村镇", "鲁村三村", "李红梅", nil, "粮食", "市", 8, "已立项", "2026-03-01"},    // 8: no approval date
		{7, "红富士提质", nil, "鲁村镇", "鲁村三村", "李红梅", "王强", "林果", "县", 8, "申报", "2026-03-01"},     // 9: two 王强
		{8, "红富士提质增效", nil, "鲁村镇", "鲁村三村", "李红梅", nil, "林果", "县", "8万元", "申报", "2026年3月5日", nil, nil,
			"60户", nil, "红富士"}, // 10: new, 红富士 unregistered (not counted)
		{9, "鲁丽苹果矮化密植示范", "沂源县", "鲁村镇", "鲁村一村", "李红梅", nil, "林果", "省级", 30, "实施", "2026-02-10", "2026-03-01"}, // 11: row 3 again
		{10, "果园生草", nil, "鲁村镇", "鲁村三村", "李红梅", nil, "林果", "县", "八万", "申报", "2026-03-01"},                     // 12: amount
	}
	data := xlsxFile(t, rows, func(f *excelize.File) {
		f.MergeCell("Sheet1", "A1", "R1")
		f.MergeCell("Sheet1", "C3", "C12")
		style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		f.SetCellStyle("Sheet1", "M3", "M3", style)
	})
	before := st.Stats(nil)
	plan, err := PlanProjects(st, readBytes(t, "项目.xlsx", data))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]struct {
		a     AdvisorAction
		texts []string
	}{
		3: {AdvisorNew, []string{"鲁村二村 对应为", "「鲁丽苹果」计为登记的 鲁丽"}}, 4: {AdvisorError, []string{"张三 不在科技指导人员名册中"}},
		5: {AdvisorError, []string{"鲁丽果 未登记，是否指 鲁丽"}}, 6: {AdvisorError, []string{"「状态」应为", "进行中"}},
		7: {AdvisorError, []string{"不存在村"}}, 8: {AdvisorError, []string{"请填写立项日期"}},
		9: {AdvisorError, []string{"2 位叫「王强」"}}, 10: {AdvisorNew, []string{"「红富士」未登记，不计入"}},
		11: {AdvisorError, []string{"与第 3 行是同一个项目"}}, 12: {AdvisorError, []string{"「八万」不是金额"}},
	}
	if len(plan.Rows) != len(want) {
		t.Fatalf("%d rows, want %d: %v", len(plan.Rows), len(want), plan.Lines())
	}
	for _, r := range plan.Rows {
		w := want[r.Line]
		for _, text := range w.texts {
			if r.Action != w.a || !strings.Contains(r.Verdict(), text) {
				t.Errorf("row %d: %s %q, want %s with %q", r.Line, r.Action, r.Verdict(), w.a, text)
			}
		}
	}
	if after := st.Stats(nil); after != before {
		t.Fatalf("the preview wrote: %+v → %+v", before, after)
	}
	res, err := plan.Apply(ctx, st, nil)
	if err != nil || res.Created != 2 || len(res.Rejected) != 0 {
		t.Fatalf("apply: %+v %v, want 2 created", res, err)
	}
	ps, n := st.Projects(query.Projects{}, nil)
	if n != 2 {
		t.Fatalf("%d projects after applying, want 2", n)
	}
	var p ledger.Project
	for _, x := range ps {
		if x.Name == "鲁丽苹果矮化密植示范" {
			p = x
		}
	}
	if p.Year != 2026 || len(p.Villages) != 2 || p.Villages[0] != "370323102201" || p.Villages[1] != "370323102202" ||
		p.Lead != ids["李红梅"] || len(p.Team) != 1 || p.Team[0] != ids["赵刚"] || p.Source != ledger.SourceProvince ||
		p.Amount != 30 || p.State != ledger.ProjectRunning || p.Applied != "2026-02-10" || p.Approved != "2026-03-01" ||
		p.Households != 120 || p.Jobs != 15 || p.Group != "林果" {
		t.Fatalf("the project as stored: %+v", p)
	}
	if prog := st.Progress(2026, "", "2026-11-29", nil); prog.Projects.Supported != 1 || prog.Varieties.Count != 2 {
		t.Fatalf("progress after the import: %d supported, %d varieties; want 1 and 2 (鲁丽, 矮化密植)", prog.Projects.Supported, prog.Varieties.Count)
	}

	// The same list again: nothing new; the first project's state changed to 验收 updates it alone.
	rows[2][10], rows[2][13] = "已验收", "2026-11-20"
	plan, err = PlanProjects(st, readBytes(t, "项目.xlsx", xlsxFile(t, rows, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if plan.Count(AdvisorNew) != 0 || plan.Count(AdvisorUpdate) != 1 || plan.Count(AdvisorUnchanged) != 1 {
		t.Fatalf("second plan: %s\n%v", plan.Summary(), plan.Lines())
	}
	res, err = plan.Apply(ctx, st, nil)
	if err != nil || res.Updated != 1 || res.Created != 0 {
		t.Fatalf("second apply: %+v %v", res, err)
	}
	got, err := storage.Get[ledger.Project](st, p.ID)
	if err != nil || got.State != ledger.ProjectAccepted || got.Finished != "2026-11-20" || got.Amount != 30 || len(got.Villages) != 2 {
		t.Fatalf("after the update: %+v %v", got, err)
	}

	// The work ledger's projects sheet, exported as CSV and imported into another store, gives back the
	// same projects (advisors matched by name in its roster).
	tables, err := Ledger(st, 2026, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	files, err := WriteFile(t.TempDir()+"/台账.csv", tables)
	if err != nil {
		t.Fatal(err)
	}
	var file string
	for _, f := range files {
		if strings.HasSuffix(f, "-"+SheetProjects+".csv") {
			file = f
		}
	}
	sheets, err := ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dst, dstIDs := programmeStore(t, "3703")
	back, err := PlanProjects(dst, sheets)
	if err != nil || back.Count(AdvisorNew) != 2 {
		t.Fatalf("round trip: %v %s %v", err, back.Summary(), back.Lines())
	}
	if _, err := back.Apply(ctx, dst, nil); err != nil {
		t.Fatal(err)
	}
	want2, _ := st.Projects(query.Projects{}, nil)
	got2, _ := dst.Projects(query.Projects{}, nil)
	for i := range want2 {
		w, g := want2[i], got2[i]
		if g.Lead != dstIDs["李红梅"] {
			t.Errorf("round trip lead %s", g.Lead)
		}
		w.ID, g.ID, w.Lead, g.Lead, w.Team, g.Team = "", "", "", "", nil, nil
		if ledger.Values(w)["villages"] != ledger.Values(g)["villages"] || fmt.Sprint(ledger.Values(w)) != fmt.Sprint(ledger.Values(g)) {
			t.Errorf("round trip:\n got %+v\nwant %+v", g, w)
		}
	}
}

// TestProjectListScope: a township office reads the city's list: a project of another township is
// skipped, one spanning its township and another is refused (the county writes it), its own is read.
func TestProjectListScope(t *testing.T) {
	st, _ := programmeStore(t, "370323102") // 鲁村镇
	csv := strings.Join([]string{
		"项目名称,区县,乡镇,实施村,实施村代码,项目负责人,专业组,支持来源,状态,申报日期",
		"鲁村苹果,沂源县,鲁村镇,鲁村三村,,李红梅,林果,县级,申报,2026-03-01",
		"昆仑蔬菜,淄川区,昆仑镇,聂村,,李红梅,蔬菜,县级,申报,2026-03-01",
		"跨镇项目,,,,370323102203、370323103201,李红梅,林果,县级,申报,2026-03-01",
	}, "\n")
	plan, err := PlanProjects(st, readBytes(t, "p.csv", []byte(csv)))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Rows) != 2 || plan.Skipped != 1 || plan.Rows[0].Action != AdvisorNew || plan.Rows[1].Action != AdvisorError ||
		!strings.Contains(plan.Rows[1].Problem, "本单位范围以外") {
		t.Fatalf("plan: %s %v", plan.Summary(), plan.Lines())
	}
}

// TestLeaderList: a list of leaders and model households saved by Excel as CSV, with its own headings
// and each kind of mistake: the good rows are written, the bad refused with their reasons, and the
// export's leaders sheet imports back into a new store as the same records.
func TestLeaderList(t *testing.T) {
	st, ids := programmeStore(t, "3703")
	ctx := context.Background()
	csv := strings.Join([]string{
		"科技致富带头人、示范户名单,,,,,,,,",
		"县区,镇,村名,户主姓名,认定类别,性别,联系电话,主导产业,帮带人,认定时间",
		"沂源县,鲁村镇,鲁村一村,王德福,带头人,男,13800000001,苹果,李红梅,2026年4月1日",             // 3: new
		"沂源县,鲁村镇,鲁村二村,李秀英,示范户,女,1.3800000002E+10,蔬菜,赵刚,2026-05-01",        // 4: new, phone recovered, loose village
		"沂源县,鲁村镇,鲁村一村,张大山,能人,男,13800000003,苹果,李红梅,2026-04-01",             // 5: kind
		"沂源县,鲁村镇,某某村,刘二,示范户,男,13800000004,苹果,李红梅,2026-04-01",              // 6: village
		"沂源县,鲁村镇,鲁村一村,孙三,示范户,未知,13800000005,苹果,李红梅,2026-04-01",            // 7: gender
		"沂源县,鲁村镇,鲁村一村,周四,示范户,男,13800000006,苹果,王强,2026-04-01",              // 8: two 王强
		"沂源县,鲁村镇,鲁村一村,吴五,示范户,男,13800000007,苹果,李红梅,",                       // 9: no date
		"沂源县,鲁村镇,鲁村一村,王德福,带头人,男,13800000001,苹果,李红梅,2026-04-01",            // 10: row 3 again
		"沂源县,鲁村镇,鲁村一村,郑六,示范户,男,13800000008,苹果,李红梅,2026-13-01",             // 11: bad date
		"沂源县,鲁村镇,鲁村一村,冯七,示范户,男,13800000009,苹果,李红梅,2026",                   // 12: year only: new, said
		"沂源县,鲁村镇,鲁村一村,陈八,示范户,男,13800000010,苹果,王强（13700000002）,2026-04-01", // 13: the second 王强
	}, "\n")
	plan, err := PlanLeaders(st, readBytes(t, "名单.csv", []byte(csv)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]struct {
		a    AdvisorAction
		text string
	}{
		3: {AdvisorNew, ""}, 4: {AdvisorNew, "鲁村二村 对应为"}, 5: {AdvisorError, "「类别」应为"}, 6: {AdvisorError, "某某村"},
		7: {AdvisorError, "「性别」"}, 8: {AdvisorError, "2 位叫「王强」"}, 9: {AdvisorError, "认定日期"},
		10: {AdvisorError, "与第 3 行是同一个人"}, 11: {AdvisorError, "不是有效的日期"}, 12: {AdvisorNew, "只有年份"},
		13: {AdvisorNew, ""},
	}
	if len(plan.Rows) != len(want) {
		t.Fatalf("%d rows, want %d: %v", len(plan.Rows), len(want), plan.Lines())
	}
	for _, r := range plan.Rows {
		if w := want[r.Line]; r.Action != w.a || !strings.Contains(r.Verdict(), w.text) {
			t.Errorf("row %d: %s %q, want %s with %q", r.Line, r.Action, r.Verdict(), w.a, w.text)
		}
	}
	if _, n := st.Leaders(query.Leaders{}, nil); n != 0 {
		t.Fatalf("the preview wrote %d leaders", n)
	}
	res, err := plan.Apply(ctx, st, nil)
	if err != nil || res.Created != 4 || len(res.Rejected) != 0 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	if ls, _ := st.Leaders(query.Leaders{List: query.List{Search: "陈八"}}, nil); len(ls) != 1 || ls[0].Advisor != ids["王强2"] {
		t.Fatalf("陈八's mentor: %+v, want the 王强 of 13700000002 (%s)", ls, ids["王强2"])
	}
	ls, _ := st.Leaders(query.Leaders{List: query.List{Search: "李秀英"}}, nil)
	if len(ls) != 1 || ls[0].Phone != "13800000002" || ls[0].Village != "370323102202" || ls[0].Kind != ledger.LeaderModel ||
		ls[0].Advisor != ids["赵刚"] || ls[0].Since != "2026-05-01" {
		t.Fatalf("李秀英 as stored: %+v", ls)
	}

	// Exported and imported into another store: the same leaders.
	tables, err := Ledger(st, 2026, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := WriteFile(dir+"/台账.xlsx", tables)
	if err != nil {
		t.Fatal(err)
	}
	sheets, err := ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	dst, _ := programmeStore(t, "3703")
	back, err := PlanLeaders(dst, sheets)
	if err != nil || back.Count(AdvisorNew) != 4 || back.Writes() != 4 {
		t.Fatalf("round trip: %v %s %v", err, back.Summary(), back.Lines())
	}
	// Its projects sheet is empty (no projects in this store): said, not another sheet read instead.
	if _, err := PlanProjects(dst, sheets); err == nil || !strings.Contains(err.Error(), SheetProjects+": 表头下面没有数据行") {
		t.Fatalf("an empty projects sheet: %v", err)
	}
}
