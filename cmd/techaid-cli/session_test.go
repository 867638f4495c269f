package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"techaid/ledger"
)

const (
	keyVillage   = "370323102201" // 鲁村一村村委会, 鲁村镇, 沂源县: made a key village in the session
	otherVillage = "370322001007" // 青苑社区居委会, 田镇街道, 高青县
	sampleRows   = 40             // villages in zibo_sample.csv
)

// session is a city store after the documented session, and the ids it made.
type session struct {
	dir        string
	advisor    string
	assignment string
	training   string // 2026-05-01 in keyVillage by the advisor: 技术培训, 30 attendees, 50 brochures
	other      string // 2026-03-15 in otherVillage, no advisor: 现场指导, 12 attendees, 5 brochures
}

// newSession runs the documented session on a new city store, checking what each step prints.
func newSession(t *testing.T) session {
	t.Helper()
	sample := dataFile(t, "zibo_sample.csv")
	s := session{dir: newStore(t, "3703")}

	r := techaid(t, s.dir, "import", "villages", sample)
	if r.code != 0 {
		t.Fatalf("import: %v", r)
	}
	if got, want := parseSummary(t, r.stdout), (importSummary{Read: sampleRows, Created: sampleRows}); got != want {
		t.Errorf("first import: got %+v, want %+v", got, want)
	}
	wantContains(t, "import progress on stderr", r.stderr, "imported 40/40")
	if strings.Contains(r.stdout, "imported 40/40") {
		t.Errorf("import progress went to stdout:\n%s", r.stdout)
	}
	again := parseSummary(t, ok(t, s.dir, "import", "villages", "--quiet", sample))
	if want := (importSummary{Read: sampleRows, Unchanged: sampleRows}); again != want {
		t.Errorf("re-import: got %+v, want all unchanged %+v", again, want)
	}

	if out := ok(t, s.dir, "village", "edit", keyVillage, "--key", "--industries", "苹果,桃", "--households", "320"); out != "" {
		t.Errorf("village edit printed %q", out)
	}
	s.advisor = newID(t, s.dir, "advisor", "add", "--name", "李四", "--group", "林果", "--phone", "13912345678")
	s.assignment = newID(t, s.dir, "assignment", "add", "--advisor", s.advisor, "--village", keyVillage, "--from", "2026-03-01")
	s.training = newID(t, s.dir, "training", "add", "--village", keyVillage, "--advisor", s.advisor, "--date", "2026-05-01",
		"--kind", "技术培训", "--topic", "苹果修剪", "--attendees", "30", "--brochures", "50")
	s.other = newID(t, s.dir, "training", "add", "--village", otherVillage, "--date", "2026-03-15",
		"--kind", "现场指导", "--topic", "大棚蔬菜", "--attendees", "12", "--brochures", "5")
	return s
}

// sessionChanges is the number of local changes the session makes: 40 villages imported, one edited,
// an advisor, an assignment and two trainings.
const sessionChanges = sampleRows + 1 + 1 + 1 + 2

func trainingIDs(ts []ledger.Training) []string {
	ids := []string{}
	for _, t := range ts {
		ids = append(ids, t.ID)
	}
	return ids
}

func TestSession(t *testing.T) {
	t.Parallel()
	s := newSession(t)

	t.Run("list villages", func(t *testing.T) {
		vs := decode[[]ledger.Village](t, ok(t, s.dir, "list", "villages", "--json"))
		if len(vs) != sampleRows {
			t.Fatalf("got %d villages, want %d", len(vs), sampleRows)
		}
		i := slices.IndexFunc(vs, func(v ledger.Village) bool { return v.Code == keyVillage })
		if i < 0 {
			t.Fatalf("%s missing", keyVillage)
		}
		v := vs[i]
		if !v.Key || v.Households != 320 || !slices.Equal(v.Industries, []string{"苹果", "桃"}) || v.Name != "鲁村一村村委会" ||
			v.TownshipName != "鲁村镇" || v.CountyName != "沂源县" {
			t.Errorf("edited village: %+v", v)
		}
		keys := decode[[]ledger.Village](t, ok(t, s.dir, "list", "villages", "--key", "--json"))
		if len(keys) != 1 || keys[0].Code != keyVillage {
			t.Errorf("list villages --key: %+v", keys)
		}
		town := decode[[]ledger.Village](t, ok(t, s.dir, "list", "villages", "--under", "370323102", "--json"))
		if len(town) != 2 || town[0].Code.Township() != "370323102" || town[1].Code.Township() != "370323102" {
			t.Errorf("list villages --under 370323102: %+v", town)
		}
		if out := ok(t, s.dir, "list", "villages"); !strings.Contains(out, "鲁村一村村委会") || !strings.Contains(out, "苹果、桃") {
			t.Errorf("list villages (table) lacks the edited village:\n%s", out)
		}
	})

	t.Run("list advisors", func(t *testing.T) {
		as := decode[[]ledger.Advisor](t, ok(t, s.dir, "list", "advisors", "--json"))
		want := ledger.Advisor{ID: s.advisor, Name: "李四", Group: "林果", Phone: "13912345678", Status: ledger.StatusActive}
		if len(as) != 1 || as[0] != want {
			t.Errorf("got %+v, want [%+v]", as, want)
		}
		if as := decode[[]ledger.Advisor](t, ok(t, s.dir, "list", "advisors", "--group", "粮食", "--json")); len(as) != 0 {
			t.Errorf("list advisors --group 粮食: %+v", as)
		}
	})

	t.Run("list assignments", func(t *testing.T) {
		as := decode[[]ledger.Assignment](t, ok(t, s.dir, "list", "assignments", "--json"))
		want := ledger.Assignment{ID: s.assignment, Advisor: s.advisor, Village: keyVillage, From: "2026-03-01"}
		if len(as) != 1 || as[0] != want {
			t.Errorf("got %+v, want [%+v]", as, want)
		}
		if as := decode[[]ledger.Assignment](t, ok(t, s.dir, "list", "assignments", "--village", otherVillage, "--json")); len(as) != 0 {
			t.Errorf("list assignments --village %s: %+v", otherVillage, as)
		}
		if as := decode[[]ledger.Assignment](t, ok(t, s.dir, "list", "assignments", "--active", "2026-02-01", "--json")); len(as) != 0 {
			t.Errorf("list assignments --active 2026-02-01 (before it starts): %+v", as)
		}
	})

	t.Run("list trainings", func(t *testing.T) {
		all := decode[[]ledger.Training](t, ok(t, s.dir, "list", "trainings", "--json"))
		want := ledger.Training{ID: s.training, Kind: "技术培训", Date: "2026-05-01", Villages: []ledger.Code{keyVillage},
			Advisors: []string{s.advisor}, Topic: "苹果修剪", Attendees: 30, Brochures: 50}
		i := slices.IndexFunc(all, func(x ledger.Training) bool { return x.ID == s.training })
		if i < 0 {
			t.Fatalf("training %s missing from %+v", s.training, all)
		}
		if got := all[i]; got.Kind != want.Kind || got.Date != want.Date || !slices.Equal(got.Villages, want.Villages) ||
			!slices.Equal(got.Advisors, want.Advisors) || got.Topic != want.Topic || got.Attendees != want.Attendees ||
			got.Brochures != want.Brochures {
			t.Errorf("got %+v, want %+v", got, want)
		}
		for _, tc := range []struct {
			name string
			args []string
			want []string
		}{
			{"all, newest first", nil, []string{s.training, s.other}},
			{"oldest first", []string{"--oldest"}, []string{s.other, s.training}},
			{"village", []string{"--village", keyVillage}, []string{s.training}},
			{"other village", []string{"--village", otherVillage}, []string{s.other}},
			{"advisor", []string{"--advisor", s.advisor}, []string{s.training}},
			{"from", []string{"--from", "2026-04-01"}, []string{s.training}},
			{"to", []string{"--to", "2026-04-01"}, []string{s.other}},
			{"from and to", []string{"--from", "2026-03-01", "--to", "2026-03-31"}, []string{s.other}},
			{"from and to, oldest first", []string{"--from", "2026-03-16", "--to", "2026-12-31", "--oldest"}, []string{s.training}},
			{"kind", []string{"--kind", "现场指导"}, []string{s.other}},
			{"kind nobody used", []string{"--kind", "需求调研"}, []string{}},
			{"under a county", []string{"--under", "370322"}, []string{s.other}},
			{"under a township", []string{"--under", "370323102"}, []string{s.training}},
			{"under the city", []string{"--under", "3703"}, []string{s.training, s.other}},
			{"village and kind", []string{"--village", keyVillage, "--kind", "现场指导"}, []string{}},
			{"limit", []string{"--limit", "1"}, []string{s.training}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				args := append([]string{"list", "trainings", "--json"}, tc.args...)
				got := trainingIDs(decode[[]ledger.Training](t, ok(t, s.dir, args...)))
				if !slices.Equal(got, tc.want) {
					t.Errorf("%s: got %v, want %v", strings.Join(tc.args, " "), got, tc.want)
				}
			})
		}
	})

	t.Run("show", func(t *testing.T) {
		rec := decode[ledger.Record](t, ok(t, s.dir, "show", s.training, "--json"))
		if rec.Kind != ledger.KindTraining || rec.ID != s.training {
			t.Fatalf("show %s: got %s %s", s.training, rec.Kind, rec.ID)
		}
		for name, value := range map[string]string{"topic": "苹果修剪", "attendees": "30", "brochures": "50", "date": "2026-05-01"} {
			f := rec.Fields[name]
			if f.Value != value || f.Author != "张三" || f.Office != "3703" || f.Stamp == 0 {
				t.Errorf("field %s: got %+v, want value %q by 张三 of 3703", name, f, value)
			}
		}
		wantContains(t, "show (table)", ok(t, s.dir, "show", keyVillage), "鲁村一村村委会", "苹果、桃", "张三")
	})

	t.Run("history", func(t *testing.T) {
		out := ok(t, s.dir, "history", keyVillage)
		wantContains(t, "history", out, "导入", "修改", "张三（3703）", `户数: "" → "320"`, `主导产业: "" → "苹果、桃"`)
		hist := decode[[]struct {
			Op     string `json:"op"`
			Author string `json:"author"`
		}](t, ok(t, s.dir, "history", keyVillage, "--json"))
		if len(hist) != 2 || hist[0].Author != "张三" || hist[1].Author != "张三" {
			t.Errorf("history --json: want an import and an edit by 张三, got %+v", hist)
		}
	})

	t.Run("stats", func(t *testing.T) {
		out := ok(t, s.dir, "stats", "--json")
		keys := decode[map[string]json.RawMessage](t, out)
		for _, k := range []string{"villages", "advisors", "trainings", "pending", "conflicts", "key_villages",
			"assignments", "changes", "acked", "replica", "scope", "clerk"} {
			if _, ok := keys[k]; !ok {
				t.Errorf("stats --json has no %q: %s", k, out)
			}
		}
		st := decode[stats](t, out)
		want := stats{Replica: st.Replica, Scope: "3703", Clerk: "张三", Villages: sampleRows, KeyVillages: 1, Advisors: 1,
			Assignments: 1, Trainings: 2, Changes: sessionChanges, Pending: sessionChanges}
		if st != want {
			t.Errorf("got %+v, want %+v", st, want)
		}
		if !uuidRE.MatchString(st.Replica) {
			t.Errorf("replica %q is not a UUID", st.Replica)
		}
		wantContains(t, "stats (text)", ok(t, s.dir, "stats"), "村庄 40（重点村 1）", "待上报 45")
	})

	t.Run("progress", func(t *testing.T) {
		type tally struct {
			Trainings int `json:"trainings"` // matched case-insensitively
			Attendees int `json:"attendees"`
			Brochures int `json:"brochures"`
			Visits    int `json:"visits"`
		}
		type progress struct {
			Year               int              `json:"year"`
			Total              tally            `json:"total"`
			Townships          map[string]tally `json:"townships"`
			KeyVillages        int              `json:"key_villages"`
			KeyVillagesCovered int              `json:"key_villages_covered"`
			KeyVillagesVisited int              `json:"key_villages_visited"`
		}
		for _, tc := range []struct {
			args                           []string
			trainings, attendees, brochure int
			keyVillages, covered, visited  int
		}{
			{[]string{"--year", "2026"}, 2, 42, 55, 1, 1, 1},
			{[]string{"--year", "2026", "--under", "370323"}, 1, 30, 50, 1, 1, 1},
			{[]string{"--year", "2026", "--under", "370322"}, 1, 12, 5, 0, 0, 0},
			{[]string{"--year", "2025"}, 0, 0, 0, 1, 1, 0},
		} {
			t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
				p := decode[progress](t, ok(t, s.dir, append([]string{"progress", "--json"}, tc.args...)...))
				if p.Total.Trainings != tc.trainings || p.Total.Attendees != tc.attendees || p.Total.Brochures != tc.brochure {
					t.Errorf("total: got %+v, want %d trainings, %d attendees, %d brochures", p.Total, tc.trainings, tc.attendees, tc.brochure)
				}
				if p.KeyVillages != tc.keyVillages || p.KeyVillagesCovered != tc.covered || p.KeyVillagesVisited != tc.visited {
					t.Errorf("key villages: got %d, covered %d, visited %d; want %d, %d, %d", p.KeyVillages, p.KeyVillagesCovered,
						p.KeyVillagesVisited, tc.keyVillages, tc.covered, tc.visited)
				}
			})
		}
		p := decode[progress](t, ok(t, s.dir, "progress", "--year", "2026", "--json"))
		if got := p.Townships["370323102"]; got.Attendees != 30 || got.Visits != 1 {
			t.Errorf("township 370323102: %+v", got)
		}
		if got := p.Townships["370322001"]; got.Attendees != 12 || got.Visits != 1 {
			t.Errorf("township 370322001: %+v", got)
		}
		if p.Year != 2026 || len(p.Townships) != 2 {
			t.Errorf("year %d, townships %v", p.Year, p.Townships)
		}
	})

	t.Run("changes", func(t *testing.T) {
		type change struct {
			Seq    uint64        `json:"seq"`
			Record ledger.Record `json:"record"`
		}
		lines := strings.Split(strings.TrimSpace(ok(t, s.dir, "changes")), "\n")
		if len(lines) != sessionChanges {
			t.Fatalf("%d change lines, want %d", len(lines), sessionChanges)
		}
		var prev uint64
		seen := map[string]bool{}
		for _, l := range lines {
			c := decode[change](t, l)
			if c.Seq <= prev {
				t.Errorf("seq %d after %d: not increasing", c.Seq, prev)
			}
			prev = c.Seq
			seen[c.Record.ID] = true
		}
		for _, id := range []string{keyVillage, s.advisor, s.assignment, s.training, s.other} {
			if !seen[id] {
				t.Errorf("no change of %s", id)
			}
		}
		page := strings.Split(strings.TrimSpace(ok(t, s.dir, "changes", "--after", "40", "--limit", "2")), "\n")
		if len(page) != 2 || decode[change](t, page[0]).Seq != 41 || decode[change](t, page[1]).Seq != 42 {
			t.Errorf("changes --after 40 --limit 2: %q", page)
		}
	})

	t.Run("conflicts", func(t *testing.T) {
		wantContains(t, "conflicts", ok(t, s.dir, "conflicts"), "没有待处理的冲突")
		if cs := decode[[]json.RawMessage](t, ok(t, s.dir, "conflicts", "--json")); len(cs) != 0 {
			t.Errorf("conflicts --json: %s", cs)
		}
	})

	// The writes come last: the reads above are of the session as it was.
	t.Run("delete and undelete", func(t *testing.T) {
		before := getStats(t, s.dir)
		if out := ok(t, s.dir, "delete", s.other); out != "" {
			t.Errorf("delete printed %q", out)
		}
		after := getStats(t, s.dir)
		if after.Trainings != before.Trainings-1 || after.Changes != before.Changes+1 {
			t.Errorf("after delete: %d trainings, %d changes; want %d, %d", after.Trainings, after.Changes, before.Trainings-1, before.Changes+1)
		}
		if got := trainingIDs(decode[[]ledger.Training](t, ok(t, s.dir, "list", "trainings", "--json"))); !slices.Equal(got, []string{s.training}) {
			t.Errorf("list trainings after delete: %v", got)
		}
		wantContains(t, "show of a deleted training", ok(t, s.dir, "show", s.other), "已删除")
		wantContains(t, "history of a deleted training", ok(t, s.dir, "history", s.other), "删除")

		ok(t, s.dir, "undelete", s.other)
		restored := getStats(t, s.dir)
		if restored.Trainings != before.Trainings || restored.Changes != before.Changes+2 {
			t.Errorf("after undelete: %d trainings, %d changes; want %d, %d", restored.Trainings, restored.Changes, before.Trainings, before.Changes+2)
		}
		if got := trainingIDs(decode[[]ledger.Training](t, ok(t, s.dir, "list", "trainings", "--json"))); !slices.Equal(got, []string{s.training, s.other}) {
			t.Errorf("list trainings after undelete: %v", got)
		}
	})

	t.Run("clerk", func(t *testing.T) {
		ok(t, s.dir, "clerk", "王五")
		if st := getStats(t, s.dir); st.Clerk != "王五" {
			t.Errorf("clerk after switching: %q", st.Clerk)
		}
		ok(t, s.dir, "training", "edit", s.training, "--attendees", "31")
		rec := decode[ledger.Record](t, ok(t, s.dir, "show", s.training, "--json"))
		if f := rec.Fields["attendees"]; f.Value != "31" || f.Author != "王五" {
			t.Errorf("attendees after an edit by 王五: %+v", f)
		}
		if f := rec.Fields["topic"]; f.Value != "苹果修剪" || f.Author != "张三" {
			t.Errorf("topic, not edited, should still be 张三's: %+v", f)
		}
	})
}

func TestDataDirectoryFromEnvironment(t *testing.T) {
	t.Parallel()
	dir := newStore(t, "370323")
	// Without --data the CLI uses $TECHAID_DATA.
	cmd := exec.Command(binary, "stats", "--json")
	cmd.Env = append(os.Environ(), "TECHAID_DATA="+dir, "TECHAID_PASSPHRASE=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("stats with TECHAID_DATA: %v", err)
	}
	if st := decode[stats](t, string(out)); st.Scope != "370323" || st.Clerk != "张三" {
		t.Errorf("stats with TECHAID_DATA=%s: %+v", dir, st)
	}
}

// TestTargets: the city sets a year's targets (unset counts take the programme's defaults) and edits
// them; a township office cannot, and a year out of range is refused.
func TestTargets(t *testing.T) {
	city := newStore(t, "3703")
	if id := strings.TrimSpace(ok(t, city, "target", "add", "2026", "--attendees", "2400")); id != "2026" {
		t.Fatalf("target add printed %q, want the year", id)
	}
	ok(t, city, "target", "edit", "2026", "--reports", "12")
	rec := decode[ledger.Record](t, ok(t, city, "show", "2026", "--json"))
	got, err := ledger.As[ledger.Target](rec)
	if err != nil {
		t.Fatal(err)
	}
	want := ledger.DefaultTarget(2026)
	want.Attendees, want.Reports = 2400, 12
	if got != want {
		t.Errorf("targets %+v, want %+v", got, want)
	}
	wantContains(t, "a year out of range", failure(t, nil, city, "target", "add", "1999"), "年度")
	town := newStore(t, "370323102")
	wantContains(t, "a township setting targets", failure(t, nil, town, "target", "add", "2026"), "市局")
}
