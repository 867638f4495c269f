package main

// The CLI is tested as a user runs it: TestMain builds the real binary once, cgo-free, and every test runs
// it as a separate process on its own data directory under t.TempDir().

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// binary is the CLI built by TestMain.
var binary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "techaid-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	binary = filepath.Join(tmp, "techaid-cli")
	// The token key of every run's user (sync/client seals the token with it): here, not in $HOME.
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(tmp, "config"))
	// CGO_ENABLED=0: the build failing would mean the CLI (or a dependency) needs cgo.
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build techaid-cli with CGO_ENABLED=0: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// result is what one run of the CLI did.
type result struct {
	stdout, stderr string
	code           int
}

// String shows a run in a failure message.
func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// stderrLines is the non-empty lines on stderr.
func (r result) stderrLines() []string {
	var lines []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// techaidEnv runs the CLI on dir with args and extra environment variables (NAME=value). The caller's
// TECHAID_* variables are never passed on: the environment of each run is exactly what the test says.
func techaidEnv(t *testing.T, env []string, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"--data", dir}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TECHAID_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("run techaid-cli %q: %v", args, err)
		}
		r.code = ee.ExitCode()
	}
	return r
}

// techaid runs the CLI on dir without a passphrase.
func techaid(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return techaidEnv(t, nil, dir, args...)
}

// ok runs the CLI and fails the test unless it exits 0; it returns stdout.
func ok(t *testing.T, dir string, args ...string) string {
	t.Helper()
	r := techaid(t, dir, args...)
	if r.code != 0 {
		t.Fatalf("techaid-cli %s: want exit 0, got %v", strings.Join(args, " "), r)
	}
	return r.stdout
}

// failure runs the CLI and checks that it failed as a command fails: exit status 1, nothing on stdout,
// exactly one line on stderr. It returns that line.
func failure(t *testing.T, env []string, dir string, args ...string) string {
	t.Helper()
	r := techaidEnv(t, env, dir, args...)
	if r.code != 1 {
		t.Fatalf("techaid-cli %s: want exit 1, got %v", strings.Join(args, " "), r)
	}
	if r.stdout != "" {
		t.Errorf("techaid-cli %s: failed but printed on stdout: %q", strings.Join(args, " "), r.stdout)
	}
	if lines := r.stderrLines(); len(lines) != 1 {
		t.Fatalf("techaid-cli %s: want exactly one line on stderr, got %d:\n%s", strings.Join(args, " "), len(lines), r.stderr)
	}
	return strings.TrimSpace(r.stderr)
}

// wantContains fails unless s contains every one of subs.
func wantContains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s: want %q in\n%s", what, sub, s)
		}
	}
}

// decode parses JSON output into a T.
func decode[T any](t *testing.T, out string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("output is not the JSON expected (%T): %v\n%s", v, err, out)
	}
	return v
}

// dataFile is a file of shared/data, skipping the test if it is missing.
func dataFile(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "data", name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("reference data missing: %v", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// readLines reads a text file's lines.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// writeLines writes lines as a file in a new temporary directory and returns its path.
func writeLines(t *testing.T, name string, lines []string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// newStore initialises a store of the given scope in a new directory, with the clerk 张三.
func newStore(t *testing.T, scope string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	out := ok(t, dir, "init", "--scope", scope, "--clerk", "张三")
	wantContains(t, "init", out, scope, "张三")
	return dir
}

// snapshot is everything a write could change that the CLI shows: the headline numbers and the change
// log. Two equal snapshots mean nothing was stored in between.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	return ok(t, dir, "stats", "--json") + ok(t, dir, "changes")
}

// stats is the stats --json output, as numbers.
type stats struct {
	Replica     string `json:"replica"`
	Scope       string `json:"scope"`
	Clerk       string `json:"clerk"`
	Villages    int    `json:"villages"`
	KeyVillages int    `json:"key_villages"`
	Advisors    int    `json:"advisors"`
	Assignments int    `json:"assignments"`
	Trainings   int    `json:"trainings"`
	Changes     uint64 `json:"changes"`
	Acked       uint64 `json:"acked"`
	Pending     uint64 `json:"pending"`
	Conflicts   int    `json:"conflicts"`
}

func getStats(t *testing.T, dir string) stats {
	t.Helper()
	return decode[stats](t, ok(t, dir, "stats", "--json"))
}

// importSummary reads the counts from import's summary line.
type importSummary struct {
	Read, Created, Updated, Unchanged, Skipped, Rejected int
}

var summaryRE = regexp.MustCompile(`(\d+) villages read: (\d+) created, (\d+) updated, (\d+) unchanged, (\d+) outside \d+ skipped, (\d+) rejected`)

func parseSummary(t *testing.T, out string) importSummary {
	t.Helper()
	m := summaryRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no import summary line in:\n%s", out)
	}
	var n [6]int
	for i := range n {
		fmt.Sscan(m[i+1], &n[i])
	}
	return importSummary{n[0], n[1], n[2], n[3], n[4], n[5]}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// newID runs an add command and checks that it printed one id, a UUID.
func newID(t *testing.T, dir string, args ...string) string {
	t.Helper()
	id := strings.TrimSpace(ok(t, dir, args...))
	if !uuidRE.MatchString(id) {
		t.Fatalf("techaid-cli %s: want a UUID on stdout, got %q", strings.Join(args, " "), id)
	}
	return id
}
