package faults

// Wrong clocks, with real processes: techaid-cli runs under a shifted wall clock (internal/faketime:
// ptrace, since Go reads the clock through the vDSO), against a techaid-city serving with the real one.
// Each test first reads what the process sees (techaid-cli clock --json), so a test that passes has
// shown that its clock reached the process.

import (
	"encoding/json"

	"regexp"
	"strings"
	"testing"
	"time"

	"techaid/internal/faketime"
	"techaid/ledger"
)

// officePC is an office's PC whose wall clock runs offset off the real one (0: right).
type officePC struct {
	t      *testing.T
	tool   string
	dir    string
	offset time.Duration
	token  string // a file holding the office's token
}

// run runs techaid-cli on the PC's data under its clock.
func (p *officePC) run(args ...string) crashRun {
	p.t.Helper()
	args = append([]string{"--data", p.dir}, args...)
	if p.offset == 0 {
		return crashExec(p.t, -1, crashCLI, args...)
	}
	return crashExec(p.t, -1, p.tool, append([]string{"--offset", p.offset.String(), "--", crashCLI}, args...)...)
}

// must runs techaid-cli and fails the test unless it succeeds; it returns stdout.
func (p *officePC) must(args ...string) string {
	p.t.Helper()
	r := p.run(args...)
	if r.code != 0 {
		p.t.Fatalf("%s", r)
	}
	return r.stdout
}

// clockSeen is what techaid-cli clock --json reports.
type clockSeen struct {
	Wall      time.Time   `json:"wall"`
	Corrected time.Time   `json:"corrected"`
	Known     bool        `json:"known"`
	OffsetMS  int64       `json:"offset_ms"`
	Reset     bool        `json:"reset"`
	Doubtful  bool        `json:"doubtful"`
	Today     ledger.Date `json:"today"`
	Warning   string      `json:"warning"`
}

func (p *officePC) clock() clockSeen {
	p.t.Helper()
	var c clockSeen
	if err := json.Unmarshal([]byte(p.must("clock", "--json")), &c); err != nil {
		p.t.Fatal(err)
	}
	return c
}

// stamps is every field stamp of a record as the PC holds it.
func (p *officePC) stamps(id string) map[string]ledger.Stamp {
	p.t.Helper()
	var rec ledger.Record
	if err := json.Unmarshal([]byte(p.must("show", id, "--json")), &rec); err != nil {
		p.t.Fatal(err)
	}
	out := map[string]ledger.Stamp{}
	for name, f := range rec.Fields {
		out[name] = f.Stamp
	}
	return out
}

// value is a field's value on the PC.
func (p *officePC) value(id, field string) string {
	p.t.Helper()
	var rec ledger.Record
	if err := json.Unmarshal([]byte(p.must("show", id, "--json")), &rec); err != nil {
		p.t.Fatal(err)
	}
	return rec.Fields[field].Value
}

// clockSetup builds the binaries and the faketime tool, skipping where ptrace is not permitted.
func clockSetup(t *testing.T) string {
	t.Helper()
	crashBinaries(t)
	tool := faketime.Tool(t)
	faketime.Require(t, tool)
	return tool
}

// newPC initialises an office PC of 鲁村镇 with the division list, under its clock.
func newPC(t *testing.T, tool string, offset time.Duration, token, clerk string) *officePC {
	t.Helper()
	p := &officePC{t: t, tool: tool, dir: t.TempDir(), offset: offset, token: tokenFile(t, token)}
	p.must("init", "--scope", "370323102", "--clerk", clerk)
	p.must("import", "villages", crashDivisions(t), "--reference")
	return p
}

// sane reports whether a stamp is a real time of this test: not before it began, not ahead of now.
func sane(s ledger.Stamp, began time.Time) bool {
	return !s.Time().Before(began.Add(-time.Second)) && !s.Time().After(time.Now().Add(ledger.MaxAhead))
}

var (
	in2000 = time.Date(2000, 1, 1, 9, 0, 0, 0, ledger.China)
	in2099 = time.Date(2099, 1, 1, 9, 0, 0, 0, ledger.China)
	idRE   = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// yesterday is the real date of yesterday in China: a date any clerk may record.
func yesterday() string { return string(ledger.DateOf(time.Now().AddDate(0, 0, -1))) }

// addTraining records a training on the PC and returns its id.
func (p *officePC) addTraining(date, topic string) (string, crashRun) {
	p.t.Helper()
	r := p.run("training", "add", "--village", "370323102201", "--date", date, "--kind", "技术培训", "--topic", topic)
	if r.code != 0 {
		p.t.Fatalf("a clerk could not record a training dated %s: %s", date, r)
	}
	id := idRE.FindString(r.stdout)
	if id == "" {
		p.t.Fatalf("training add printed no id: %s", r)
	}
	return id, r
}

// Issue 14, items 1 and 5: a PC whose CMOS battery died (its clock says 2000-01-01) and that has never
// synced lets its clerk record real work, says plainly that the clock is wrong, and, once it learns the
// city's time, sends the records stamped with the real time they were made.
func TestClockFreshPCAt2000(t *testing.T) {
	tool := clockSetup(t)
	began := time.Now()
	cityDir, tokens := newCity(t, map[ledger.Code]string{"370323102": "鲁村镇"})
	city := startCity(t, cityDir)
	pc := newPC(t, tool, time.Until(in2000), tokens["370323102"], "王芳")

	seen := pc.clock()
	if seen.Wall.Year() != 2000 {
		t.Fatalf("the PC's clock was set to %s, the process saw %s", in2000, seen.Wall)
	}
	if !seen.Doubtful || seen.Known || !strings.Contains(seen.Warning, "明显不对") {
		t.Errorf("a never-synced PC at 2000 is not told its clock is wrong: %+v", seen)
	}
	if seen.Today < "2026-01-01" {
		t.Errorf("today at a PC at 2000 = %s", seen.Today)
	}
	id, r := pc.addTraining(yesterday(), "苹果冬季修剪")
	if !strings.Contains(r.stderr, "明显不对") {
		t.Errorf("the clerk saving at a PC at 2000 is not told the clock is wrong:\n%s", r)
	}
	if st := pc.stamps(id)["topic"]; st.Time().Year() != 2000 {
		t.Fatalf("before its first sync the training is stamped %s, want the PC's 2000", st.Time())
	}

	out := pc.must("sync", "--once", "--insecure", "--city", city.URL, "--token-file", pc.token)
	if !regexp.MustCompile(`本机时钟比市局慢约 2[67] 年：请校准`).MatchString(out) {
		t.Errorf("sync at a PC at 2000 does not say the clock is about 26 years slow in words:\n%s", out)
	}
	for field, st := range pc.stamps(id) {
		if !sane(st, began) {
			t.Errorf("after the first sync, field %s is stamped %s: not the real time it was recorded", field, st.Time())
		}
	}
	if seen := pc.clock(); !seen.Known || seen.Doubtful || time.Since(seen.Corrected).Abs() > time.Minute {
		t.Errorf("after syncing, the PC's corrected clock = %+v, want the real time", seen)
	}

	// What the city holds, through another PC of the township with a right clock.
	other := newPC(t, tool, 0, tokens["370323102"], "李强")
	other.must("sync", "--once", "--insecure", "--city", city.URL, "--token-file", other.token)
	for field, st := range other.stamps(id) {
		if !sane(st, began) {
			t.Errorf("the city holds field %s stamped %s", field, st.Time())
		}
	}
	var history []struct{ Stamp ledger.Stamp }
	if err := json.Unmarshal([]byte(pc.must("history", id, "--json")), &history); err != nil {
		t.Fatal(err)
	}
	for _, h := range history {
		if !sane(h.Stamp, began) {
			t.Errorf("the training's history on the PC says %s", h.Stamp.Time())
		}
	}
}

// Issue 14, item 2: after a sync at 2000 the clerk sets the clock right, as the README says; the offset
// measured at 2000 must not correct it a second time (stamps in ~2053, dates up to 2053 accepted).
func TestClockSetRightAfterSync(t *testing.T) {
	tool := clockSetup(t)
	began := time.Now()
	cityDir, tokens := newCity(t, map[ledger.Code]string{"370323102": "鲁村镇"})
	city := startCity(t, cityDir)
	pc := newPC(t, tool, time.Until(in2000), tokens["370323102"], "王芳")
	if seen := pc.clock(); seen.Wall.Year() != 2000 {
		t.Fatalf("the PC's clock was set to %s, the process saw %s", in2000, seen.Wall)
	}
	pc.must("sync", "--once", "--insecure", "--city", city.URL, "--token-file", pc.token)
	if seen := pc.clock(); !seen.Known || seen.OffsetMS < int64(20*365*24*time.Hour/time.Millisecond) {
		t.Fatalf("the sync at 2000 measured no offset of years: %+v", seen)
	}

	pc.offset = 0 // the clerk set the PC's clock right
	seen := pc.clock()
	if time.Since(seen.Wall).Abs() > time.Minute {
		t.Fatalf("the PC's clock was set right, the process saw %s", seen.Wall)
	}
	if time.Since(seen.Corrected).Abs() > time.Minute {
		t.Errorf("a clock set right is corrected a second time: it reads %s", seen.Corrected)
	}
	if seen.Warning != "" || seen.Today != ledger.DateOf(time.Now()) {
		t.Errorf("a clock set right: %+v", seen)
	}
	r := pc.run("training", "add", "--village", "370323102201", "--date", "2040-01-01", "--kind", "技术培训", "--topic", "未来")
	if r.code == 0 || !strings.Contains(r.stderr, "超出范围") {
		t.Errorf("a training dated 2040 is accepted after the clock was set right:\n%s", r)
	}
	id, r := pc.addTraining(yesterday(), "大棚蔬菜病虫害防治")
	if strings.Contains(r.stderr, "时钟") {
		t.Errorf("a clock set right is still warned about:\n%s", r)
	}
	for field, st := range pc.stamps(id) {
		if !sane(st, began) {
			t.Errorf("a training recorded after the clock was set right has %s stamped %s", field, st.Time())
		}
	}
	out := pc.must("sync", "--once", "--insecure", "--city", city.URL, "--token-file", pc.token)
	if strings.Contains(out, "时钟") {
		t.Errorf("sync after the clock was set right warns about it:\n%s", out)
	}
	other := newPC(t, tool, 0, tokens["370323102"], "李强")
	other.must("sync", "--once", "--insecure", "--city", city.URL, "--token-file", other.token)
	for field, st := range other.stamps(id) {
		if !sane(st, began) {
			t.Errorf("the city holds field %s stamped %s", field, st.Time())
		}
	}
}

// Issue 14, item 3: a PC at 2099 that never synced records a training dated 2099-01-01 (its clerk's
// today). The city refuses it (a date beyond the city's today is no ledger date anywhere) and keeps
// the PC's real work, stamped with the real time.
func TestClockFutureDate(t *testing.T) {
	tool := clockSetup(t)
	began := time.Now()
	cityDir, tokens := newCity(t, map[ledger.Code]string{"370323102": "鲁村镇"})
	city := startCity(t, cityDir)
	pc := newPC(t, tool, time.Until(in2099), tokens["370323102"], "王芳")
	if seen := pc.clock(); seen.Wall.Year() != 2099 {
		t.Fatalf("the PC's clock was set to %s, the process saw %s", in2099, seen.Wall)
	}
	future, _ := pc.addTraining("2099-01-01", "未来的培训")
	real, _ := pc.addTraining(yesterday(), "果树嫁接")
	out := pc.must("sync", "--once", "--insecure", "--city", city.URL, "--token-file", pc.token)
	if !strings.Contains(out, "市局未接收 training "+future) {
		t.Errorf("the city did not refuse a training dated 2099-01-01:\n%s", out)
	}
	if strings.Contains(out, real) {
		t.Errorf("the city refused a training dated yesterday:\n%s", out)
	}
	if !regexp.MustCompile(`本机时钟比市局快约 7[23] 年`).MatchString(out) {
		t.Errorf("sync at a PC at 2099 does not say the clock is about 73 years fast:\n%s", out)
	}
	other := newPC(t, tool, 0, tokens["370323102"], "李强")
	other.must("sync", "--once", "--insecure", "--city", city.URL, "--token-file", other.token)
	if r := other.run("show", future); r.code == 0 {
		t.Errorf("the city keeps a training dated 2099-01-01:\n%s", r.stdout)
	}
	for field, st := range other.stamps(real) {
		if !sane(st, began) {
			t.Errorf("the city holds field %s of the PC at 2099 stamped %s", field, st.Time())
		}
	}
}

// Issue 14, item 4: a PC whose clock jumped to 2099 after it synced edits a field; a right PC edits the
// same field a second later in real time without having seen that edit. The real later edit wins
// everywhere; the 2099 stamp reaches nobody.
func TestClockAheadLoses(t *testing.T) {
	tool := clockSetup(t)
	began := time.Now()
	cityDir, tokens := newCity(t, map[ledger.Code]string{"370323102": "鲁村镇"})
	city := startCity(t, cityDir)
	sync := func(p *officePC) string {
		return p.must("sync", "--once", "--insecure", "--city", city.URL, "--token-file", p.token)
	}
	right := newPC(t, tool, 0, tokens["370323102"], "李强")
	id, _ := right.addTraining(yesterday(), "小麦良种推广")
	sync(right)
	wrong := newPC(t, tool, 0, tokens["370323102"], "王芳")
	sync(wrong)

	wrong.offset = time.Until(in2099) // someone typed the year wrong
	if seen := wrong.clock(); seen.Wall.Year() != 2099 {
		t.Fatalf("the PC's clock was set to %s, the process saw %s", in2099, seen.Wall)
	}
	wrong.must("training", "edit", id, "--topic", "2099 的改动")
	time.Sleep(time.Second) // the right PC's edit is a second later in real time
	right.must("training", "edit", id, "--topic", "真实的后来改动")
	sync(wrong)
	sync(right)
	sync(wrong)
	for _, p := range []*officePC{wrong, right} {
		if got := p.value(id, "topic"); got != "真实的后来改动" {
			t.Errorf("%s holds topic %q: the edit of a PC at 2099 won over a real later edit", p.dir, got)
		}
		if st := p.stamps(id)["topic"]; !sane(st, began) {
			t.Errorf("%s holds the topic stamped %s", p.dir, st.Time())
		}
	}
	other := newPC(t, tool, 0, tokens["370323102"], "赵敏")
	sync(other)
	if got := other.value(id, "topic"); got != "真实的后来改动" {
		t.Errorf("the city holds topic %q", got)
	}
	if st := other.stamps(id)["topic"]; !sane(st, began) {
		t.Errorf("the city holds the topic stamped %s", st.Time())
	}
	if conflicts := wrong.must("conflicts", "--json"); !strings.Contains(conflicts, "2099 的改动") {
		t.Logf("conflicts at the PC at 2099: %s", conflicts)
	}

}
