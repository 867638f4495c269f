package main

import (
	"strings"
	"testing"

	"techaid/ledger"
	"techaid/query"
)

// TestProgrammeCommands: every kind of the programme through the real binary — added, edited, listed,
// shown, with its history, deleted and undeleted — on a city store, and the progress figures they
// make.
func TestProgrammeCommands(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	dir := s.dir
	lucun2 := "370323102210" // 王村, 鲁村镇
	variety := newID(t, dir, "variety", "add", "--name", "鲁丽", "--aliases", "鲁丽苹果", "--group", "林果")
	wantContains(t, "variety match", ok(t, dir, "variety", "match", "鲁 丽"), "计为 鲁丽", variety)
	wantContains(t, "a near miss", ok(t, dir, "variety", "match", "鲁莉"), "未登记", "是否指", "鲁丽")
	need := newID(t, dir, "need", "add", "--village", keyVillage, "--problem", "苹果腐烂病年年复发", "--group", "林果",
		"--raised", "2026-03-02")
	ok(t, dir, "need", "edit", need, "--state", "已解决", "--advisor", s.advisor, "--closed", "2026-04-01")
	project := newID(t, dir, "project", "add", "--name", "矮化密植示范", "--village", keyVillage+","+lucun2, "--lead", s.advisor,
		"--group", "林果", "--source", "市科技计划", "--amount", "12.5", "--state", "实施", "--approved", "2026-03-01",
		"--varieties", "鲁丽,维纳斯黄金", "--year", "2026")
	intro := newID(t, dir, "introduction", "add", "--variety", "鲁丽苹果", "--village", keyVillage, "--area", "20.5",
		"--households", "12", "--year", "2026")
	leader := newID(t, dir, "leader", "add", "--name", "王德福", "--village", keyVillage, "--advisor", s.advisor,
		"--since", "2026-04-01")
	pub := newID(t, dir, "publicity", "add", "--title", "科技特派员把课堂搬到果园", "--outlet", "淄博日报", "--date", "2026-04-12",
		"--form", "专题", "--org", "370323102", "--village", keyVillage)
	park := newID(t, dir, "park", "add", "--name", "沂源省级农业科技园区", "--county", "370323", "--speciality", "沂源红苹果")
	pairing := newID(t, dir, "park-pairing", "add", "--park", "沂源省级农业科技园区", "--village", keyVillage,
		"--from", "2026-01-01", "--jobs", "12")
	platform := newID(t, dir, "platform", "add", "--name", "鲁村农科驿站", "--kind", "农科驿站", "--level", "省级", "--state", "认定",
		"--date", "2026-05-01", "--location", "370323102", "--village", keyVillage)

	// Lists, as JSON, hold what was written.
	needs := decode[[]ledger.Need](t, ok(t, dir, "list", "needs", "--json", "--under", "370323102"))
	if len(needs) != 1 || needs[0].ID != need || needs[0].State != "已解决" || needs[0].Closed != "2026-04-01" {
		t.Errorf("needs: %+v", needs)
	}
	for _, c := range []struct {
		list, id string
		args     []string
	}{
		{"projects", project, []string{"--supported"}}, {"introductions", intro, []string{"--variety", "鲁丽"}},
		{"leaders", leader, []string{"--year", "2026"}}, {"publicity", pub, []string{"--form", "专题"}},
		{"parks", park, nil}, {"park-pairings", pairing, []string{"--active", "2026-06-01"}}, {"platforms", platform, []string{"--kind", "农科驿站"}},
		{"varieties", variety, []string{"--search", "丽"}},
	} {
		out := ok(t, dir, append([]string{"list", c.list, "--json"}, c.args...)...)
		if !strings.Contains(out, c.id) {
			t.Errorf("list %s %v lacks %s:\n%s", c.list, c.args, c.id, out)
		}
		wantContains(t, "show "+c.list, ok(t, dir, "show", c.id), c.id)
	}
	wantContains(t, "a table of needs", ok(t, dir, "list", "needs"), "提出日期", "苹果腐烂病年年复发", "已解决", "1 of 1")
	wantContains(t, "history", ok(t, dir, "history", need), "新建", "修改", "状态", "待对接", "已解决")
	unlinked := decode[[]query.Unlinked](t, ok(t, dir, "list", "unlinked", "--json", "--year", "2026"))
	if len(unlinked) != 1 || unlinked[0].Name != "维纳斯黄金" {
		t.Errorf("unlinked: %+v", unlinked)
	}

	// The programme's part of progress --json (the trainings' tallies have their own tests).
	type programme struct {
		Needs     query.NeedProgress     `json:"needs"`
		Projects  query.ProjectProgress  `json:"projects"`
		Varieties query.VarietyProgress  `json:"varieties"`
		Leaders   int                    `json:"leaders"`
		Publicity int                    `json:"publicity"`
		Parks     query.ParkProgress     `json:"parks"`
		Platforms query.PlatformProgress `json:"platforms"`
	}
	p := decode[programme](t, ok(t, dir, "progress", "--json", "--year", "2026", "--under", "370323102"))
	if p.Needs.Raised != 1 || p.Needs.Resolved != 1 || p.Projects.Supported != 1 || p.Projects.Amount != 12.5 ||
		p.Varieties.Count != 1 || p.Varieties.Area != 20.5 || p.Leaders != 1 || p.Publicity != 1 ||
		p.Parks.Jobs != 12 || p.Platforms.Stations != 1 {
		t.Errorf("progress: %+v", p)
	}
	wantContains(t, "progress as text", ok(t, dir, "progress", "--year", "2026"), "需求", "支持项目", "新品种新技术", "宣传报道")
	wantContains(t, "stats", ok(t, dir, "stats"), "需求 1", "项目 1")

	// Delete and undelete; a variety named by an introduction is not deleted.
	wantContains(t, "variety in use", failure(t, nil, dir, "delete", variety), "不能删除", "引进推广记录")
	ok(t, dir, "delete", pub)
	if out := ok(t, dir, "list", "publicity", "--json"); strings.Contains(out, pub) {
		t.Errorf("a deleted report is listed: %s", out)
	}
	ok(t, dir, "undelete", pub)
	if out := ok(t, dir, "list", "publicity", "--json"); !strings.Contains(out, pub) {
		t.Errorf("an undeleted report is not listed: %s", out)
	}
}

// TestProgrammeBadInput: bad input to every kind is refused with its fields named in Chinese, and
// nothing is stored; a township office cannot write the city's registries, nor another township's.
func TestProgrammeBadInput(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	dir := s.dir
	newID(t, dir, "variety", "add", "--name", "鲁丽")
	want := snapshot(t, dir)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"need without a problem", []string{"need", "add", "--village", keyVillage, "--group", "林果"}, []string{"需求（群众原话）", "不能为空"}},
		{"need of group 果树", []string{"need", "add", "--village", keyVillage, "--problem", "x", "--group", "果树"}, []string{"专业组", "果树"}},
		{"need resolved without a date", []string{"need", "add", "--village", keyVillage, "--problem", "x", "--group", "林果",
			"--state", "已解决", "--advisor", s.advisor}, []string{"办结日期", "请填写"}},
		{"need in 2099", []string{"need", "add", "--village", keyVillage, "--problem", "x", "--group", "林果", "--raised", "2099-01-01"},
			[]string{"提出日期", "超出范围"}},
		{"need in an unknown village", []string{"need", "add", "--village", "370323102299", "--problem", "x", "--group", "林果"},
			[]string{"370323102299"}},
		{"project of next year", []string{"project", "add", "--name", "x", "--village", keyVillage, "--lead", s.advisor, "--group", "林果",
			"--source", "市科技计划", "--year", "2027"}, []string{"年度", "2027"}},
		{"project with a negative amount", []string{"project", "add", "--name", "x", "--village", keyVillage, "--lead", s.advisor,
			"--group", "林果", "--source", "市科技计划", "--amount", "-1"}, []string{"支持金额（万元）"}},
		{"project from 中央", []string{"project", "add", "--name", "x", "--village", keyVillage, "--lead", s.advisor, "--group", "林果",
			"--source", "中央"}, []string{"支持来源", "中央"}},
		{"a second 鲁丽", []string{"variety", "add", "--name", "鲁 丽"}, []string{"已登记", "别名"}},
		{"introduction of an unknown variety", []string{"introduction", "add", "--variety", "鲁莉", "--village", keyVillage},
			[]string{"鲁莉", "未登记", "是否指"}},
		{"leader of kind 能人", []string{"leader", "add", "--name", "张", "--village", keyVillage, "--kind", "能人"}, []string{"类别", "能人"}},
		{"publicity of form 短视频", []string{"publicity", "add", "--title", "x", "--outlet", "y", "--form", "短视频"}, []string{"形式"}},
		{"park in a township", []string{"park", "add", "--name", "园区", "--county", "370323102"}, []string{"所在区县"}},
		{"pairing of an unknown park", []string{"park-pairing", "add", "--park", "没有的园区", "--village", keyVillage}, []string{"园区"}},
		{"platform at a village code", []string{"platform", "add", "--name", "x", "--kind", "农科驿站", "--level", "省级", "--state", "认定",
			"--date", "2026-01-01", "--location", keyVillage}, []string{"所在地"}},
		{"edit of an unknown need", []string{"need", "edit", "no-such-id", "--state", "已对接"}, []string{"找不到"}},
		{"list needs under a code that is not", []string{"list", "needs", "--under", "37032x"}, []string{"--under"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantContains(t, "error", failure(t, nil, dir, tc.args...), tc.want...)
			if got := snapshot(t, dir); got != want {
				t.Errorf("a refused command changed the store")
				want = got
			}
		})
	}

	town := newStore(t, "370323102")
	ok(t, town, "import", "villages", "--quiet", dataFile(t, "zibo_sample.csv"))
	before := snapshot(t, town)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"a variety", []string{"variety", "add", "--name", "烟富3号"}, []string{"由市局统一维护"}},
		{"a park", []string{"park", "add", "--name", "园区", "--county", "370323"}, []string{"由市局统一维护"}},
		{"a platform", []string{"platform", "add", "--name", "x", "--kind", "农科驿站", "--level", "省级", "--state", "认定",
			"--date", "2026-01-01", "--location", "370323102"}, []string{"由市局统一维护"}},
		{"a need of another township", []string{"need", "add", "--village", otherVillage, "--problem", "x", "--group", "林果"},
			[]string{"不在本单位", otherVillage}},
		{"the county's publicity", []string{"publicity", "add", "--title", "x", "--outlet", "y", "--org", "370323"},
			[]string{"不在本单位", "370323"}},
	} {
		t.Run("township "+tc.name, func(t *testing.T) {
			wantContains(t, "error", failure(t, nil, town, tc.args...), tc.want...)
			if got := snapshot(t, town); got != before {
				t.Errorf("a refused command changed the township's store")
				before = got
			}
		})
	}
	// Its own: a need, a leader, and publicity by default the township's own.
	newID(t, town, "need", "add", "--village", keyVillage, "--problem", "缺技术", "--group", "粮食")
	pub := newID(t, town, "publicity", "add", "--title", "鲁村镇科技帮扶", "--outlet", "沂源报")
	if out := ok(t, town, "show", pub, "--json"); !strings.Contains(out, `"v": "370323102"`) && !strings.Contains(out, "370323102") {
		t.Errorf("publicity's office: %s", out)
	}
}
