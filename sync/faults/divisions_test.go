package faults

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"techaid/ledger"
)

// Issue 14, item 6: the division list's values carry the reference stamp (PROTOCOL.md section 4),
// whatever the clock of the PC that imports them says. A city server whose clock says 2099 imports the
// list and an office PC at 2099 imports it with techaid-cli: before, every village name was stamped 2099
// (and would have won over every real edit, or been refused by the hub); now each is stamped
// ledger.ReferenceStamp at the city, at the office that pulled them, and at the office that imported
// them itself, and a real edit made afterwards wins without a conflict.
func TestClockImportVillages(t *testing.T) {
	tool := clockSetup(t)
	const village = "370323102201"
	offset := time.Until(in2099).String()

	// The city's server, its clock at 2099, imports the list and registers the office.
	cityDir := t.TempDir()
	city := func(args ...string) crashRun {
		t.Helper()
		r := crashExec(t, -1, tool, append([]string{"--offset", offset, "--", crashCity, "--data", cityDir}, args...)...)
		if r.code != 0 {
			t.Fatalf("%s", r)
		}
		return r
	}
	city("import", "villages", crashDivisions(t))
	token := strings.TrimSpace(city("office", "add", "--scope", "370323102", "--name", "鲁村镇").stdout)
	var offices []struct {
		Created time.Time `json:"created"`
	}
	if err := json.Unmarshal([]byte(city("office", "list", "--json").stdout), &offices); err != nil {
		t.Fatal(err)
	}
	if len(offices) != 1 || offices[0].Created.Year() != 2099 {
		t.Fatalf("the city's clock was set to %s, its server registered the office at %+v", in2099, offices)
	}
	server := startCity(t, cityDir) // serving with the real clock

	referenced := func(who string, p *officePC) {
		t.Helper()
		stamps := p.stamps(village)
		if len(stamps) == 0 {
			t.Fatalf("%s holds no village %s", who, village)
		}
		for field, st := range stamps {
			if st != ledger.ReferenceStamp {
				t.Errorf("%s holds village %s's %s stamped %s, want the reference stamp %s", who, village, field, st.Time(), ledger.ReferenceStamp.Time())
			}
		}
	}

	// An office PC with a right clock that never imported the list pulls it from the city.
	pulled := &officePC{t: t, tool: tool, dir: t.TempDir(), token: tokenFile(t, token)}
	pulled.must("init", "--scope", "370323102", "--clerk", "李强")
	pulled.must("sync", "--once", "--insecure", "--city", server.URL, "--token-file", pulled.token)
	referenced("a PC that pulled the city's import at 2099", pulled)

	// An office PC at 2099 imports the list itself, explicitly, as techaid-cli's README shows.
	wrong := &officePC{t: t, tool: tool, dir: t.TempDir(), offset: time.Until(in2099), token: tokenFile(t, token)}
	wrong.must("init", "--scope", "370323102", "--clerk", "王芳")
	if seen := wrong.clock(); seen.Wall.Year() != 2099 {
		t.Fatalf("the PC's clock was set to %s, the process saw %s", in2099, seen.Wall)
	}
	wrong.must("import", "villages", crashDivisions(t), "--quiet")
	referenced("a PC at 2099 that imported the list", wrong)

	// A real edit afterwards, at the PC that pulled, wins everywhere without a conflict.
	pulled.must("village", "edit", village, "--name", "鲁村新村")
	pulled.must("sync", "--once", "--insecure", "--city", server.URL, "--token-file", pulled.token)
	out := wrong.must("sync", "--once", "--insecure", "--city", server.URL, "--token-file", wrong.token)
	if !strings.Contains(out, "市局未接收 0 条") {
		t.Errorf("the city refused the import of a PC at 2099:\n%s", out)
	}
	if got := wrong.value(village, "name"); got != "鲁村新村" {
		t.Errorf("the PC at 2099 holds the name %q after the real edit, want 鲁村新村", got)
	}
	if c := wrong.must("conflicts"); strings.Contains(c, village) {
		t.Errorf("the list's copy and the real edit are logged as a conflict:\n%s", c)
	}
}
