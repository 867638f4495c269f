package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"techaid/ledger"
)

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	dir := newStore(t, "3703")
	want := snapshot(t, dir)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no command", nil},
		{"unknown command", []string{"frobnicate"}},
		{"unknown global flag", []string{"--frob", "stats"}},
		{"init without clerk", []string{"init", "--scope", "3703"}},
		{"init without scope", []string{"init", "--clerk", "张三"}},
		{"import without file", []string{"import", "villages"}},
		{"import with two files", []string{"import", "villages", "a.csv", "b.csv"}},
		{"village without verb", []string{"village"}},
		{"village with unknown verb", []string{"village", "remove", keyVillage}},
		{"village edit without code", []string{"village", "edit", "--key"}},
		{"training without verb", []string{"training"}},
		{"training add with a number that is not", []string{"training", "add", "--attendees", "thirty"}},
		{"training add with an unknown flag", []string{"training", "add", "--colour", "red"}},
		{"list without what", []string{"list"}},
		{"list of something unknown", []string{"list", "farmers"}},
		{"show without id", []string{"show"}},
		{"history without id", []string{"history"}},
		{"delete without id", []string{"delete"}},
		{"delete with two ids", []string{"delete", "a", "b"}},
		{"stats with an argument", []string{"stats", "now"}},
		{"backup without file", []string{"backup"}},
		{"restore without file", []string{"restore"}},
		{"changes with a bad number", []string{"changes", "--after", "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := techaid(t, dir, tc.args...)
			if r.code != 2 {
				t.Fatalf("want exit 2, got %v", r)
			}
			if r.stdout != "" {
				t.Errorf("usage error printed on stdout: %q", r.stdout)
			}
			wantContains(t, "stderr", r.stderr, "usage")
			if got := snapshot(t, dir); got != want {
				t.Errorf("a usage error changed the store")
				want = got // so that the next case is judged on its own
			}
		})
	}
}

// replaceLine returns the lines with line n (1-based, the header is line 1) replaced.
func replaceLine(lines []string, n int, with string) []string {
	out := append([]string(nil), lines...)
	out[n-1] = with
	return out
}

func TestImportMalformedCSV(t *testing.T) {
	t.Parallel()
	sample := readLines(t, dataFile(t, "zibo_sample.csv"))
	if sample[4] != "370322,高青县,370322001,田镇街道,370322001268,杜郭胡村村民委员会" {
		t.Fatalf("zibo_sample.csv changed: line 5 is %q", sample[4])
	}
	for _, tc := range []struct {
		name  string
		lines []string
		want  []string // in the one line on stderr
	}{
		{"too few columns on line 5", replaceLine(sample, 5, "370322,高青县,370322001,田镇街道,370322001268"),
			[]string{"第 5 行", "line 5", "columns"}},
		{"a bad quote on line 5", replaceLine(sample, 5, `370322,高青县,370322001,田镇街道,370322001268,"杜郭胡村"村民委员会`),
			[]string{"第 5 行", "line 5", `"`}},
		{"a 13-digit village code on line 5", replaceLine(sample, 5, "370322,高青县,370322001,田镇街道,3703220012681,杜郭胡村村民委员会"),
			[]string{"第 5 行", "line 5", "village_code", "3703220012681"}},
		{"a village not inside its township on line 5", replaceLine(sample, 5, "370322,高青县,370322001,田镇街道,370322002268,杜郭胡村村民委员会"),
			[]string{"第 5 行", "line 5", "370322002268", "370322001"}},
		{"a township not inside its county on line 5", replaceLine(sample, 5, "370322,高青县,370323001,田镇街道,370323001268,杜郭胡村村民委员会"),
			[]string{"第 5 行", "line 5", "370323001"}},
		{"a village without a name on line 5", replaceLine(sample, 5, "370322,高青县,370322001,田镇街道,370322001268,"),
			[]string{"第 5 行", "line 5", "name"}},
		{"a bad line at the end", append(append([]string(nil), sample...), "370323,沂源县,370323111,x镇,37032311120A,x村"),
			[]string{"第 42 行", "line 42", "37032311120A"}},
		{"a header without village_code", replaceLine(sample, 1, "county_code,county,township_code,township,code,village"),
			[]string{"第 1 行", "village_code"}},
		{"an empty file", []string{""}, []string{"第 1 行", "empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := newStore(t, "3703")
			before := snapshot(t, dir)
			file := writeLines(t, "villages.csv", tc.lines)
			msg := failure(t, nil, dir, "import", "villages", file)
			wantContains(t, "error", msg, tc.want...)
			wantContains(t, "error", msg, "未导入任何记录")
			if after := snapshot(t, dir); after != before {
				t.Errorf("a rejected file changed the store:\nbefore %s\nafter %s", before, after)
			}
			if st := getStats(t, dir); st.Villages != 0 || st.Changes != 0 {
				t.Errorf("villages imported from a rejected file: %+v", st)
			}
		})
	}
}

func TestImportRejectedRowNamesItsLine(t *testing.T) {
	t.Parallel()
	sample := readLines(t, dataFile(t, "zibo_sample.csv"))
	const line = 28 // 王村村委会, 370323102210, the second village of 鲁村镇
	if !strings.Contains(sample[line-1], "370323102210") {
		t.Fatalf("zibo_sample.csv changed: line %d is %q", line, sample[line-1])
	}
	// A name too long for validation: the file reads, the store rejects the one record.
	long := strings.Repeat("长", ledger.MaxName+10)
	file := writeLines(t, "villages.csv", replaceLine(sample, line, "370323,沂源县,370323102,鲁村镇,370323102210,"+long))
	for _, tc := range []struct {
		scope   string
		created int
		skipped int
	}{
		{"3703", sampleRows - 1, 0},
		{"370323102", 1, sampleRows - 2}, // rows outside the scope must not shift the line named
	} {
		t.Run(tc.scope, func(t *testing.T) {
			dir := newStore(t, tc.scope)
			r := techaid(t, dir, "import", "villages", "--quiet", file)
			if r.code != 0 {
				t.Fatalf("want exit 0 (the other rows are imported), got %v", r)
			}
			want := importSummary{Read: sampleRows, Created: tc.created, Skipped: tc.skipped, Rejected: 1}
			if got := parseSummary(t, r.stdout); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			wantContains(t, "stderr", r.stderr, "第 28 行", "370323102210", "村名")
			if st := getStats(t, dir); st.Villages != tc.created {
				t.Errorf("%d villages stored, want %d", st.Villages, tc.created)
			}
		})
	}
}

func TestBadInputStoresNothing(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	want := snapshot(t, s.dir)
	training := func(args ...string) []string {
		base := map[string]string{"--village": keyVillage, "--advisor": s.advisor, "--date": "2026-05-02",
			"--kind": "技术培训", "--topic": "桃树修剪", "--attendees": "20"}
		for i := 0; i+1 < len(args); i += 2 {
			base[args[i]] = args[i+1]
		}
		out := []string{"training", "add"}
		for k, v := range base {
			out = append(out, k, v)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"training in an unknown village", training("--village", "370323102299"), []string{"370323102299", "村", "not known"}},
		{"training with negative attendees", training("--attendees", "-5"), []string{"培训人次", "不能为负数", "attendees"}},
		{"training in 2099", training("--date", "2099-01-01"), []string{"日期", "2099-01-01", "out of range"}},
		{"training with a date that is not", training("--date", "2026-13-45"), []string{"日期", "2026-13-45"}},
		{"training with a 13-digit village code", training("--village", "3703231022011"), []string{"3703231022011", "12 位"}},
		{"training by an unknown advisor", training("--advisor", "01234567-89ab-7cde-8f01-23456789abcd"),
			[]string{"科技指导人员", "01234567-89ab-7cde-8f01-23456789abcd", "不存在"}},
		{"training with more poor attendees than attendees", training("--poor", "25"), []string{"其中贫困户"}},
		{"training without a topic", training("--topic", ""), []string{"主题", "不能为空"}},
		{"edit of an unknown village", []string{"village", "edit", "370323102299", "--households", "10"}, []string{"找不到", "370323102299"}},
		{"village edit with implausible households", []string{"village", "edit", keyVillage, "--households", "999999"}, []string{"户数"}},
		{"village add without a name", []string{"village", "add", "370323102299"}, []string{"村名", "不能为空"}},
		{"village add of one that exists", []string{"village", "add", keyVillage, "--name", "x"}, []string{keyVillage, "exists"}},
		{"show of an unknown id", []string{"show", "no-such-id"}, []string{"找不到", "no-such-id"}},
		{"history of an unknown id", []string{"history", "no-such-id"}, []string{"找不到"}},
		{"delete of an unknown id", []string{"delete", "no-such-id"}, []string{"找不到"}},
		{"training edit of an unknown id", []string{"training", "edit", "no-such-id", "--topic", "x"}, []string{"找不到"}},
		{"advisor with a bad phone", []string{"advisor", "add", "--name", "赵六", "--group", "林果", "--phone", "12345"}, []string{"电话", "12345"}},
		{"advisor in an unknown group", []string{"advisor", "add", "--name", "赵六", "--group", "园艺"}, []string{"专业组", "园艺"}},
		{"assignment of an unknown advisor", []string{"assignment", "add", "--advisor", "nobody", "--village", keyVillage}, []string{"科技指导人员", "nobody"}},
		{"assignment ending before it starts", []string{"assignment", "edit", s.assignment, "--to", "2026-01-01"}, []string{"结束日期"}},
		{"conflict that does not exist", []string{"conflicts", "restore", "99"}, []string{"99"}},
		{"import of a missing file", []string{"import", "villages", "/nonexistent/villages.csv"}, []string{"/nonexistent/villages.csv"}},
		{"list trainings from a date that is not", []string{"list", "trainings", "--from", "2026-5-1x"}, []string{"--from", "2026-5-1x"}},
		{"list trainings of a code that is not a village", []string{"list", "trainings", "--village", "370323102"}, []string{"--village", "370323102"}},
		{"list trainings under a code that is not", []string{"list", "trainings", "--under", "37032x"}, []string{"--under", "37032x"}},
		{"list villages under a code that is not", []string{"list", "villages", "--under", "3703231"}, []string{"--under", "3703231"}},
		{"list assignments active on a date that is not", []string{"list", "assignments", "--active", "soon"}, []string{"--active", "soon"}},
		{"progress under a code that is not", []string{"progress", "--under", "zibo"}, []string{"--under", "zibo"}},
		{"init for another office", []string{"init", "--scope", "370323", "--clerk", "张三"}, []string{"另一个单位", "3703"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := failure(t, nil, s.dir, tc.args...)
			wantContains(t, "error", msg, tc.want...)
			if got := snapshot(t, s.dir); got != want {
				t.Errorf("a refused command changed the store:\nbefore %s\nafter %s", want, got)
				want = got // so that the next case is judged on its own
			}
		})
	}
	// The same kind of training, with good input, is stored: the refusals above were the input's fault.
	newID(t, s.dir, training()...)
	if st := getStats(t, s.dir); st.Trainings != 3 {
		t.Errorf("after a good training add: %d trainings, want 3", st.Trainings)
	}
}

func TestTownshipScope(t *testing.T) {
	t.Parallel()
	dir := newStore(t, "370323102")
	ok(t, dir, "import", "villages", "--quiet", dataFile(t, "zibo_sample.csv"))
	want := snapshot(t, dir)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"advisor add", []string{"advisor", "add", "--name", "李四", "--group", "林果"},
			[]string{"科技指导人员名单由市局统一维护", "370323102"}},
		{"assignment add", []string{"assignment", "add", "--advisor", "x", "--village", keyVillage, "--from", "2026-03-01"},
			[]string{"由市局统一维护"}},
		{"training in another township's village", []string{"training", "add", "--village", otherVillage, "--date", "2026-05-01",
			"--kind", "技术培训", "--topic", "x"}, []string{"不在本单位", "370322001007", "370323102", "管辖范围"}},
		{"training listing another township's village second", []string{"training", "add", "--village", keyVillage + "," + otherVillage,
			"--date", "2026-05-01", "--kind", "技术培训", "--topic", "x"}, []string{"不在本单位", "370322001007"}},
		{"village add in another township", []string{"village", "add", "370323103299", "--name", "新村"},
			[]string{"不在本单位", "370323103299"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := failure(t, nil, dir, tc.args...)
			wantContains(t, "error", msg, tc.want...)
			if got := snapshot(t, dir); got != want {
				t.Errorf("a refused write changed the store")
				want = got
			}
		})
	}
	// Its own village is its to write.
	newID(t, dir, "training", "add", "--village", keyVillage, "--date", "2026-05-01", "--kind", "技术培训", "--topic", "苹果修剪")
	if st := getStats(t, dir); st.Trainings != 1 || st.Advisors != 0 {
		t.Errorf("township store: %+v", st)
	}
}

func TestImportScopeFiltering(t *testing.T) {
	t.Parallel()
	file := dataFile(t, "zibo_divisions.csv")
	lines := readLines(t, file)
	rows := len(lines) - 1
	for _, scope := range []string{"370323102", "370323", "3703"} {
		t.Run(scope, func(t *testing.T) {
			inside := 0
			for _, l := range lines[1:] {
				if f := strings.Split(l, ","); len(f) == 6 && strings.HasPrefix(f[4], scope) {
					inside++
				}
			}
			if inside == 0 {
				t.Fatalf("no village of %s in %s", scope, file)
			}
			dir := newStore(t, scope)
			got := parseSummary(t, ok(t, dir, "import", "villages", "--quiet", file))
			if want := (importSummary{Read: rows, Created: inside, Skipped: rows - inside}); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			vs := decode[[]ledger.Village](t, ok(t, dir, "list", "villages", "--json"))
			if len(vs) != inside {
				t.Errorf("%d villages stored, want %d", len(vs), inside)
			}
			for _, v := range vs {
				if !strings.HasPrefix(string(v.Code), scope) {
					t.Errorf("village %s %s stored in the store of %s", v.Code, v.Name, scope)
				}
			}
		})
	}
}

func TestNotInitialised(t *testing.T) {
	t.Parallel()
	sample := dataFile(t, "zibo_sample.csv")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"stats", []string{"stats"}},
		{"list villages", []string{"list", "villages", "--json"}},
		{"import", []string{"import", "villages", sample}},
		{"training add", []string{"training", "add", "--village", keyVillage, "--kind", "技术培训", "--topic", "x"}},
		{"changes", []string{"changes"}},
		{"backup", []string{"backup", filepath.Join(t.TempDir(), "b.bak")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			missing := filepath.Join(t.TempDir(), "never")
			wantContains(t, "missing directory", failure(t, nil, missing, tc.args...), "init", "尚未设置")
			if _, err := os.Stat(missing); !os.IsNotExist(err) {
				t.Errorf("a refused command created %s", missing)
			}
			empty := t.TempDir()
			wantContains(t, "empty directory", failure(t, nil, empty, tc.args...), "init", "尚未设置")
			if entries, _ := os.ReadDir(empty); len(entries) != 0 {
				t.Errorf("a refused command left files in the empty directory: %v", entries)
			}
		})
	}
}
