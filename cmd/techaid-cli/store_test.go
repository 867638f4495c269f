package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"techaid/storage"
)

// lists is every list the CLI prints, as JSON.
func lists(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, what := range []string{"villages", "advisors", "trainings", "assignments"} {
		out[what] = ok(t, dir, "list", what, "--json")
	}
	return out
}

// siblings lists the names beside dir that start with its name: what a restore keeps or leaves behind.
func siblings(t *testing.T, dir string) []string {
	t.Helper()
	matches, err := filepath.Glob(dir + "*")
	if err != nil {
		t.Fatal(err)
	}
	return matches
}

func TestBackupRestore(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	backup := filepath.Join(t.TempDir(), "techaid.bak")
	wantContains(t, "backup", ok(t, s.dir, "backup", backup), backup)
	want, wantStats := lists(t, s.dir), getStats(t, s.dir)

	restored := filepath.Join(t.TempDir(), "restored")
	wantContains(t, "restore", ok(t, restored, "restore", backup), restored)
	if got := lists(t, restored); len(got) != len(want) {
		t.Fatalf("lists: %v", got)
	} else {
		for what := range want {
			if got[what] != want[what] {
				t.Errorf("list %s --json differs after restore:\ngot  %s\nwant %s", what, got[what], want[what])
			}
		}
	}
	// A restored store is a new replica that the city has acknowledged nothing from.
	gotStats := getStats(t, restored)
	if gotStats.Replica == wantStats.Replica || !uuidRE.MatchString(gotStats.Replica) {
		t.Errorf("restored replica %q, original %q: want a new one", gotStats.Replica, wantStats.Replica)
	}
	if gotStats.Acked != 0 || gotStats.Pending != gotStats.Changes {
		t.Errorf("restored store: acked %d, pending %d of %d changes; want nothing acknowledged", gotStats.Acked, gotStats.Pending, gotStats.Changes)
	}
	gotStats.Replica, gotStats.Acked, gotStats.Pending = wantStats.Replica, wantStats.Acked, wantStats.Pending
	if gotStats != wantStats {
		t.Errorf("stats after restore: got %+v, want %+v", gotStats, wantStats)
	}
	if got, want := ok(t, restored, "changes"), ok(t, s.dir, "changes"); strings.Count(got, "\n") != strings.Count(want, "\n") {
		t.Errorf("restored change log has %d entries, the original %d", strings.Count(got, "\n"), strings.Count(want, "\n"))
	}
	// It is a working store: it takes writes.
	newID(t, restored, "training", "add", "--village", keyVillage, "--date", "2026-06-01", "--kind", "需求调研", "--topic", "需求")

	t.Run("restore over a store keeps the old one", func(t *testing.T) {
		before := lists(t, restored)
		ok(t, restored, "restore", backup)
		if got := lists(t, restored); got["trainings"] != want["trainings"] {
			t.Errorf("trainings after restoring over a store:\n%s", got["trainings"])
		}
		var kept string
		for _, m := range siblings(t, restored) {
			if strings.Contains(m, ".before-restore-") {
				kept = m
			}
		}
		if kept == "" {
			t.Fatalf("the replaced store was not kept: %v", siblings(t, restored))
		}
		if got := lists(t, kept); got["trainings"] != before["trainings"] {
			t.Errorf("the kept store is not the one replaced")
		}
	})

	for _, tc := range []struct {
		name    string
		content func(t *testing.T) []byte
		want    string
	}{
		{"a division list", func(t *testing.T) []byte {
			b, err := os.ReadFile(dataFile(t, "zibo_sample.csv"))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}, "not a techaid backup"},
		{"an empty file", func(*testing.T) []byte { return nil }, "not a techaid backup"},
		{"a backup cut short", func(t *testing.T) []byte {
			b, err := os.ReadFile(backup)
			if err != nil {
				t.Fatal(err)
			}
			return b[:len(b)*2/3]
		}, "damaged"},
		{"a backup with a byte changed", func(t *testing.T) []byte {
			b, err := os.ReadFile(backup)
			if err != nil {
				t.Fatal(err)
			}
			b = bytes.Clone(b)
			b[len(b)-100] ^= 0xff
			return b
		}, "damaged"},
	} {
		t.Run("restore of "+tc.name, func(t *testing.T) {
			dir := s.dir // each failure must leave it as it was, so the next case starts from the same store
			before, beforeStats, beforeSiblings := lists(t, dir), ok(t, dir, "stats", "--json"), siblings(t, dir)
			file := filepath.Join(t.TempDir(), "file")
			if err := os.WriteFile(file, tc.content(t), 0o600); err != nil {
				t.Fatal(err)
			}
			wantContains(t, "error", failure(t, nil, dir, "restore", file), tc.want)
			if got := lists(t, dir); len(got) != len(before) || got["villages"] != before["villages"] || got["trainings"] != before["trainings"] {
				t.Errorf("a failed restore changed the store")
			}
			if got := ok(t, dir, "stats", "--json"); got != beforeStats {
				t.Errorf("a failed restore changed the stats:\n%s\nwas\n%s", got, beforeStats)
			}
			if got := siblings(t, dir); len(got) != len(beforeSiblings) {
				t.Errorf("a failed restore left %v", got)
			}
		})
	}
}

func TestSecondProcessRefused(t *testing.T) {
	t.Parallel()
	dir := newStore(t, "3703")
	ok(t, dir, "import", "villages", "--quiet", dataFile(t, "zibo_sample.csv"))
	before := snapshot(t, dir)

	// This process holds the store open, as the desktop app would.
	held, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { held.Close() })
	backup := filepath.Join(t.TempDir(), "b.bak")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"stats", []string{"stats"}},
		{"list", []string{"list", "villages", "--json"}},
		{"import", []string{"import", "villages", dataFile(t, "zibo_sample.csv")}},
		{"village edit", []string{"village", "edit", keyVillage, "--key"}},
		{"init", []string{"init", "--scope", "3703", "--clerk", "王五"}},
		{"backup", []string{"backup", backup}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := failure(t, nil, dir, tc.args...)
			if !strings.Contains(msg, "另一个") && !strings.Contains(msg, "in use") {
				t.Errorf("want a message saying the store is in use, got %q", msg)
			}
		})
	}
	t.Run("restore of a backup", func(t *testing.T) {
		other := newStore(t, "3703")
		ok(t, other, "backup", backup)
		msg := failure(t, nil, dir, "restore", backup)
		if !strings.Contains(msg, "另一个") && !strings.Contains(msg, "in use") {
			t.Errorf("want a message saying the store is in use, got %q", msg)
		}
		if got := siblings(t, dir); len(got) != 1 {
			t.Errorf("a refused restore left %v", got)
		}
	})
	if st := held.Stats(nil); st.Villages != sampleRows || st.Clerk != "张三" {
		t.Errorf("the store held open: %+v", st)
	}
	if err := held.Close(); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("refused commands changed the store")
	}
}

func TestEncryptedStore(t *testing.T) {
	t.Parallel()
	sample := dataFile(t, "zibo_sample.csv")
	secret := []string{"TECHAID_PASSPHRASE=secret"}
	dir := filepath.Join(t.TempDir(), "data")
	must := func(env []string, args ...string) string {
		t.Helper()
		r := techaidEnv(t, env, dir, args...)
		if r.code != 0 {
			t.Fatalf("techaid-cli %s: %v", strings.Join(args, " "), r)
		}
		return r.stdout
	}
	must(secret, "init", "--scope", "3703", "--clerk", "张三")
	if got := parseSummary(t, must(secret, "import", "villages", "--quiet", sample)); got.Created != sampleRows {
		t.Errorf("import into the encrypted store: %+v", got)
	}
	if vs := decode[[]map[string]any](t, must(secret, "list", "villages", "--json")); len(vs) != sampleRows {
		t.Errorf("%d villages listed, want %d", len(vs), sampleRows)
	}

	for _, tc := range []struct {
		name string
		env  []string
		want []string
	}{
		{"without the passphrase", nil, []string{"口令", "TECHAID_PASSPHRASE"}},
		{"with an empty passphrase", []string{"TECHAID_PASSPHRASE="}, []string{"口令", "TECHAID_PASSPHRASE"}},
		{"with a wrong passphrase", []string{"TECHAID_PASSPHRASE=Secret"}, []string{"口令不正确"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, args := range [][]string{{"list", "villages", "--json"}, {"stats"}, {"import", "villages", sample}} {
				wantContains(t, strings.Join(args, " "), failure(t, tc.env, dir, args...), tc.want...)
			}
		})
	}

	// The failures did no harm, and the data is not readable on disk.
	if st := decode[stats](t, must(secret, "stats", "--json")); st.Villages != sampleRows || st.Changes != sampleRows {
		t.Errorf("encrypted store after refused opens: %+v", st)
	}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte("鲁村一村村委会")) || bytes.Contains(b, []byte(keyVillage)) {
			t.Errorf("%s holds village data in the clear", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSeedAndBench(t *testing.T) {
	t.Parallel()
	sample := dataFile(t, "zibo_sample.csv")
	dir := newStore(t, "3703")
	out := ok(t, dir, "seed", "--villages", sample, "--advisors", "20", "--trainings", "300")
	wantContains(t, "seed", out, "villages", "advisors", "trainings")
	st := getStats(t, dir)
	if st.Villages != sampleRows || st.Advisors != 20 || st.Trainings != 300 || st.Assignments != st.KeyVillages {
		t.Errorf("after seed: %+v", st)
	}
	wantContains(t, "bench", ok(t, dir, "bench", "-n", "20"), "store: 40 villages, 20 advisors, 300 trainings", "p50", "dashboard progress")

	t.Run("advisors in a county store", func(t *testing.T) {
		county := newStore(t, "370323")
		before := snapshot(t, county)
		wantContains(t, "error", failure(t, nil, county, "seed", "--villages", sample), "--advisors 0")
		if after := snapshot(t, county); after != before {
			t.Errorf("a refused seed wrote to the store")
		}
		ok(t, county, "seed", "--villages", sample, "--advisors", "0")
		if st := getStats(t, county); st.Villages != 20 || st.Advisors != 0 {
			t.Errorf("county seed: %+v", st)
		}
	})
}

// TestExportLedger: export ledger writes the work ledger as a workbook with its roll-ups and the
// programme's sheets, and as CSV
// files with a byte-order mark; a bad --out is a usage error.
func TestExportLedger(t *testing.T) {
	t.Parallel()
	dir := newStore(t, "3703")
	ok(t, dir, "seed", "--villages", dataFile(t, "zibo_sample.csv"), "--advisors", "20", "--trainings", "300", "--year", "2026")
	out := filepath.Join(t.TempDir(), "台账.xlsx")
	wantContains(t, "export", ok(t, dir, "export", "ledger", "--year", "2026", "--out", out), "300 rows")
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("工作台账")
	if err != nil || len(rows) != 301 || rows[0][0] != "序号" || rows[300][0] != "300" {
		t.Fatalf("the ledger sheet: %d rows, %v", len(rows), err)
	}
	// The roll-ups, then a sheet per kind of the programme.
	if got := f.GetSheetList(); len(got) != 11 || got[1] != "按科技指导人员" || got[3] != "需求" || got[10] != "星创天地、农科驿站" {
		t.Errorf("sheets %v", got)
	}
	csvOut := filepath.Join(t.TempDir(), "台账.csv")
	ok(t, dir, "export", "ledger", "--year", "2026", "--out", csvOut)
	for _, name := range []string{csvOut, strings.TrimSuffix(csvOut, ".csv") + "-按村.csv", strings.TrimSuffix(csvOut, ".csv") + "-按科技指导人员.csv"} {
		b, err := os.ReadFile(name)
		if err != nil || !strings.HasPrefix(string(b), "\ufeff") {
			t.Errorf("%s: %v, BOM %v", name, err, err == nil && strings.HasPrefix(string(b), "\ufeff"))
		}
	}
	if r := techaid(t, dir, "export", "ledger", "--out", "x.txt"); r.code != 2 {
		t.Errorf("--out x.txt: %v, want a usage error", r)
	}
}

// TestImportLists: the key-village list and the roster exported from one store and imported into a new
// one: the preview prints a line per row and writes nothing; --apply writes them; a file that is not a
// spreadsheet is a one-line error.
func TestImportLists(t *testing.T) {
	t.Parallel()
	src := newStore(t, "3703")
	ok(t, src, "seed", "--villages", dataFile(t, "zibo_sample.csv"), "--advisors", "20", "--trainings", "10", "--year", "2026")
	files := t.TempDir()
	kv, roster := filepath.Join(files, "重点村.xlsx"), filepath.Join(files, "名册.csv")
	ok(t, src, "export", "keyvillages", "--out", kv)
	ok(t, src, "export", "advisors", "--out", roster)

	dst := newStore(t, "3703")
	ok(t, dst, "import", "villages", dataFile(t, "zibo_sample.csv"))
	preview := ok(t, dst, "import", "keyvillages", kv)
	wantContains(t, "preview", preview, "第 2 行", "精确对应", "这只是预览")
	if got := ok(t, dst, "list", "villages", "--key"); !strings.Contains(got, "0 of 0") {
		t.Fatalf("the preview wrote key villages:\n%s", got)
	}
	wantContains(t, "apply", ok(t, dst, "import", "keyvillages", kv, "--apply"), "已导入")
	codes := func(list string) (out []string) { // the first column of the rows (the list has no industries)
		for _, line := range strings.Split(list, "\n") {
			if f := strings.Fields(line); len(f) > 0 && len(f[0]) == 12 {
				out = append(out, f[0])
			}
		}
		return out
	}
	want, got := codes(ok(t, src, "list", "villages", "--key")), codes(ok(t, dst, "list", "villages", "--key"))
	if len(want) == 0 || strings.Join(want, ",") != strings.Join(got, ",") {
		t.Fatalf("key villages after the import: %v, want %v", got, want)
	}
	wantContains(t, "roster", ok(t, dst, "import", "advisors", roster, "--apply"), "新增 20 人", "已导入：新增 20")
	if want, got := ok(t, src, "list", "advisors"), ok(t, dst, "list", "advisors"); want != got {
		t.Fatalf("advisors after the import:\n%s\nwant\n%s", got, want)
	}
	bad := filepath.Join(files, "照片.xlsx")
	if err := os.WriteFile(bad, []byte("\x89PNG\r\n\x1a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := techaid(t, dst, "import", "keyvillages", bad); r.code != 1 || !strings.Contains(r.stderr, "不是 .xlsx 或 CSV") {
		t.Fatalf("a picture: %+v", r)
	}
}

// TestPendingAfterSetUp: an office set up as the desktop app sets one up (its villages copied from the
// division list, import villages --reference) has nothing pending, in stats as in the app's status line;
// a training recorded afterwards is the one change pending.
func TestPendingAfterSetUp(t *testing.T) {
	list := dataFile(t, "zibo_divisions.csv")
	dir := newStore(t, "370323102") // 鲁村镇
	ok(t, dir, "import", "villages", list, "--reference", "--quiet")
	s := getStats(t, dir)
	if s.Villages != 68 || s.Pending != 0 || s.Changes != 0 {
		t.Errorf("stats after set-up: %d villages, %d changes, %d pending; want 68 villages and nothing pending",
			s.Villages, s.Changes, s.Pending)
	}
	if out := ok(t, dir, "changes"); strings.TrimSpace(out) != "" {
		t.Errorf("changes after set-up:\n%s", out)
	}
	// The list again, as an ordinary import: the same values, so nothing changes.
	if got := parseSummary(t, ok(t, dir, "import", "villages", list, "--quiet")); got.Unchanged != 68 {
		t.Errorf("the list imported over its copies: %+v, want 68 unchanged", got)
	}
	newID(t, dir, "training", "add", "--village", "370323102201", "--date", "2026-05-01", "--kind", "技术培训",
		"--topic", "苹果春季修剪", "--attendees", "32")
	if s := getStats(t, dir); s.Pending != 1 || s.Changes != 1 {
		t.Errorf("stats after one training: %d changes, %d pending; want 1", s.Changes, s.Pending)
	}
}
