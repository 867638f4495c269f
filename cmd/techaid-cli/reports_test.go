package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"techaid/ledger"
	"techaid/report"
)

// TestImportProjectsAndLeaders: the bureau's project and leader lists through the real binary. The
// preview prints every row's verdict (bad rows with their reasons in Chinese) and stores nothing;
// --apply writes exactly the good rows; a list of only bad rows stores nothing even with --apply; the
// same list again changes nothing.
func TestImportProjectsAndLeaders(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	dir := s.dir
	newID(t, dir, "variety", "add", "--name", "鲁丽", "--aliases", "鲁丽苹果", "--group", "林果")
	// Saved by Excel on a Chinese Windows: GB18030, its own headings, a title row.
	projects := strings.Join([]string{
		"2026年科技扶贫项目,,,,,,,,,,",
		"项目名称,县区,乡镇,项目实施村,项目负责人,专业组,项目来源,支持金额（万元）,项目状态,申报时间,立项时间,引进品种/技术",
		"鲁丽苹果提质增效,沂源县,鲁村镇,鲁村一村、王村,李四,林果组,市级,12.5,实施中,2026/2/1,2026年3月1日,鲁丽苹果", // 3: good
		"大棚蔬菜,沂源县,鲁村镇,王村,张三,蔬菜,县级,5,申报,2026-02-01,,",                          // 4: no 张三
		"苹果引种,沂源县,鲁村镇,王村,李四,林果,县级,5,申报,2026-02-01,,鲁丽果",                       // 5: near 鲁丽
		"小麦示范,沂源县,鲁村镇,不存在村,李四,粮食,县级,5,申报,2026-02-01,,",                        // 6: village
		"果园生草,沂源县,鲁村镇,王村,李四,林果,县级,5,已立项,2026-02-01,,",                         // 7: no approval date
	}, "\r\n")
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(projects)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "项目.csv")
	writeFile(t, file, gb)
	before := snapshot(t, dir)
	out := ok(t, dir, "import", "projects", file)
	wantContains(t, "the preview", out, "第 3 行 鲁丽苹果提质增效：新增", "王村 对应为", "「鲁丽苹果」计为登记的 鲁丽",
		"第 4 行 大棚蔬菜：错误，不导入：「项目负责人」张三 不在科技指导人员名册中",
		"第 5 行 苹果引种：错误，不导入：「引进品种/技术」鲁丽果 未登记，是否指 鲁丽",
		"第 6 行 小麦示范：错误，不导入：「实施村」不存在村", "第 7 行 果园生草：错误，不导入", "请填写立项日期",
		"新增 1 个项目，修改 0，无变化 0，有错误 4 行", "这只是预览")
	if snapshot(t, dir) != before {
		t.Fatal("the preview stored something")
	}
	out = ok(t, dir, "import", "projects", file, "--apply")
	wantContains(t, "apply", out, "已导入：新增 1，修改 0，无变化 0，未导入 0")
	ps := decode[[]ledger.Project](t, ok(t, dir, "list", "projects", "--json"))
	if len(ps) != 1 || ps[0].Name != "鲁丽苹果提质增效" || ps[0].Lead != s.advisor || len(ps[0].Villages) != 2 ||
		ps[0].Source != ledger.SourceCity || ps[0].State != ledger.ProjectRunning || ps[0].Amount != 12.5 ||
		ps[0].Approved != "2026-03-01" || ps[0].Applied != "2026-02-01" || ps[0].Year != 2026 {
		t.Fatalf("projects after the import: %+v", ps)
	}
	again := snapshot(t, dir)
	wantContains(t, "the same list again", ok(t, dir, "import", "projects", file, "--apply"), "无变化 1", "已导入：新增 0，修改 0")
	if snapshot(t, dir) != again {
		t.Fatal("importing the same list again stored something")
	}

	// Only bad rows, with --apply: nothing stored, each refused in Chinese.
	leaders := filepath.Join(t.TempDir(), "带头人.csv")
	writeFile(t, leaders, strings.Join([]string{
		"姓名,类别,乡镇,村,性别,电话,产业,帮带人,认定日期",
		"王德福,能人,鲁村镇,鲁村一村,男,13800000001,苹果,李四,2026-04-01",
		"李秀英,示范户,鲁村镇,鲁村一村,女,1.38E+10,蔬菜,李四,2026-04-01",
		"赵三,示范户,鲁村镇,鲁村一村,男,13800000003,蔬菜,李四,2026-13-01",
	}, "\n"))
	before = snapshot(t, dir)
	out = ok(t, dir, "import", "leaders", leaders, "--apply")
	wantContains(t, "bad leaders", out, "「类别」应为 科技致富带头人、科技示范户 之一，表中是「能人」", "科学计数法", "不是有效的日期",
		"已导入：新增 0，修改 0，无变化 0，未导入 0")
	if snapshot(t, dir) != before {
		t.Fatal("a list of bad rows stored something")
	}
	writeFile(t, leaders, "姓名,类别,乡镇,村,性别,电话,产业,帮带人,认定日期\n王德福,带头人,鲁村镇,鲁村一村,男,13800000001,苹果,李四,2026-04-01\n")
	wantContains(t, "a good leader", ok(t, dir, "import", "leaders", leaders, "--apply"), "已导入：新增 1")
	ls := decode[[]ledger.Leader](t, ok(t, dir, "list", "leaders", "--json"))
	if len(ls) != 1 || ls[0].Kind != ledger.LeaderRich || ls[0].Village != keyVillage || ls[0].Advisor != s.advisor {
		t.Fatalf("leaders: %+v", ls)
	}

	// The work ledger and the targets table as the command writes them hold the imported records.
	xlsx := filepath.Join(t.TempDir(), "台账.xlsx")
	ok(t, dir, "export", "ledger", "--year", "2026", "--out", xlsx)
	sheets, err := report.ReadFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, sh := range sheets {
		for _, r := range sh.Rows {
			for _, c := range r.Cells {
				found[sh.Name+"/"+c] = true
			}
		}
	}
	for _, want := range []string{report.SheetProjects + "/鲁丽苹果提质增效", report.SheetLeaders + "/王德福", report.SheetVarieties + "/鲁丽"} {
		if !found[want] {
			t.Errorf("the exported ledger lacks %s", want)
		}
	}
	targets := filepath.Join(t.TempDir(), "目标.csv")
	ok(t, dir, "export", "targets", "--year", "2026", "--out", targets)
	tsheets, err := report.ReadFile(targets)
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(tsheets[0].Rows[0].Cells, ",")
	wantContains(t, "the targets' headings", head, "支持项目（个）·完成", "引进新品种新技术（项）·完成", "培育科技带头人、示范户（名）·完成",
		"园区带动就业（人）·完成", "星创天地（个）·完成", "农科驿站（个）·完成", "宣传报道（篇）·完成")
	city := tsheets[0].Rows[1].Cells
	col := func(name string) string {
		for i, h := range tsheets[0].Rows[0].Cells {
			if h == name {
				return city[i]
			}
		}
		t.Fatalf("no column %s", name)
		return ""
	}
	if col("支持项目（个）·完成") != "1" || col("培育科技带头人、示范户（名）·完成") != "1" || col("引进新品种新技术（项）·完成") != "1" {
		t.Errorf("the city's row: %v", city)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
