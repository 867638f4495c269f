package main

// techaid-city is tested as the city runs it: TestMain builds the real techaid-city and techaid-cli
// binaries once, cgo-free, and every test runs them as separate processes (a server among them) on
// data directories under t.TempDir().

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"techaid/sync/hub"
	"techaid/sync/synctest"
)

// cityBin and cliBin are the binaries built by TestMain.
var cityBin, cliBin string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "techaid-city-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	cityBin, cliBin = filepath.Join(tmp, "techaid-city"), filepath.Join(tmp, "techaid-cli")
	// The token key of every run's user (techaid-cli seals the token with it): here, not in $HOME.
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(tmp, "config"))
	// CGO_ENABLED=0: the build failing would mean the server (or a dependency) needs cgo.
	for bin, pkg := range map[string]string{cityBin: ".", cliBin: "../techaid-cli"} {
		build := exec.Command("go", "build", "-o", bin, pkg)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s with CGO_ENABLED=0: %v\n%s", pkg, err, out)
			return 1
		}
	}
	return m.Run()
}

// outcome is what one run of a binary did.
type outcome struct {
	args           []string
	stdout, stderr string
	code           int
}

// String shows a run in a failure message.
func (o outcome) String() string {
	return fmt.Sprintf("%s: exit %d\n--- stdout:\n%s--- stderr:\n%s", strings.Join(o.args, " "), o.code, o.stdout, o.stderr)
}

// nonEmpty is the non-empty lines of s.
func nonEmpty(s string) []string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// testEnv is the environment of every process: the caller's, without its TECHAID_* variables.
func testEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TECHAID_") {
			env = append(env, kv)
		}
	}
	return env
}

// execBin runs bin with --data dir and args, and waits for it (a minute at most).
func execBin(t *testing.T, bin, dir string, args ...string) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	all := append([]string{"--data", dir}, args...)
	cmd := exec.CommandContext(ctx, bin, all...)
	cmd.Env = testEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	o := outcome{args: append([]string{filepath.Base(bin)}, args...), stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok || ctx.Err() != nil {
			t.Fatalf("run %s %q: %v (%v)", bin, args, err, ctx.Err())
		}
		o.code = ee.ExitCode()
	}
	return o
}

// cityRun runs techaid-city on dir; officeRun runs techaid-cli on dir.
func cityRun(t *testing.T, dir string, args ...string) outcome {
	t.Helper()
	return execBin(t, cityBin, dir, args...)
}

func officeRun(t *testing.T, dir string, args ...string) outcome {
	t.Helper()
	return execBin(t, cliBin, dir, args...)
}

// succeeded fails the test unless the run exited 0; it returns stdout.
func succeeded(t *testing.T, o outcome) string {
	t.Helper()
	if o.code != 0 {
		t.Fatalf("want exit 0, got %v", o)
	}
	return o.stdout
}

// failedOnce checks that a run failed as a command fails: exit status 1, nothing on stdout, exactly one
// line on stderr. It returns that line.
func failedOnce(t *testing.T, o outcome) string {
	t.Helper()
	if o.code != 1 {
		t.Fatalf("want exit 1, got %v", o)
	}
	if o.stdout != "" {
		t.Errorf("failed but printed on stdout: %v", o)
	}
	lines := nonEmpty(o.stderr)
	if len(lines) != 1 {
		t.Fatalf("want exactly one line on stderr, got %d: %v", len(lines), o)
	}
	return lines[0]
}

// contains fails unless s contains every one of subs.
func contains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s: want %q in\n%s", what, sub, s)
		}
	}
}

// decodeJSON parses JSON output into a T.
func decodeJSON[T any](t *testing.T, what string, raw []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: not the JSON expected (%T): %v\n%s", what, v, err, raw)
	}
	return v
}

var tokenRE = regexp.MustCompile(`^[a-z2-7]{8}-[a-z2-7]{8}-[a-z2-7]{8}-[a-z2-7]{8}$`)

// addOffice runs office add and checks that it printed the token alone on stdout, one line, and
// nowhere else. It returns the token.
func addOffice(t *testing.T, dir, scope, name string) string {
	t.Helper()
	o := cityRun(t, dir, "office", "add", "--scope", scope, "--name", name)
	out := succeeded(t, o)
	tok := strings.TrimSuffix(out, "\n")
	if !tokenRE.MatchString(tok) || strings.Count(out, "\n") != 1 {
		t.Fatalf("office add: want one line holding the token on stdout, got %q", out)
	}
	if strings.Contains(o.stderr, tok) {
		t.Errorf("office add: the token is on stderr too:\n%s", o.stderr)
	}
	contains(t, "office add: stderr", o.stderr, name, scope)
	return tok
}

// listOffices runs office list --json.
func listOffices(t *testing.T, dir string) map[string]hub.Office {
	t.Helper()
	o := cityRun(t, dir, "office", "list", "--json")
	offices := decodeJSON[[]hub.Office](t, "office list --json", []byte(succeeded(t, o)))
	// By name, the office in force if there is one (a revoked office's name may be given again).
	out := map[string]hub.Office{}
	active := map[string]int{}
	for _, of := range offices {
		if of.TokenHash != "" {
			t.Errorf("office list --json shows the token hash of %s", of.Name)
		}
		if of.Revoked == nil {
			active[of.Name]++
		}
		if prev, seen := out[of.Name]; !seen || prev.Revoked != nil {
			out[of.Name] = of
		}
	}
	for name, n := range active {
		if n > 1 {
			t.Errorf("office list: %d offices named %s in force", n, name)
		}
	}
	return out
}

// zibo is the reference division list, skipping the test if it is missing.
func zibo(t *testing.T) string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "data", "zibo_divisions.csv")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("reference data missing: %v", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// Offices registered with the server stopped: the token once on stdout, a list, refusals on one line.
func TestOfficeCommands(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "city")
	tok := addOffice(t, dir, "370323102", "鲁村镇")
	list := succeeded(t, cityRun(t, dir, "office", "list"))
	contains(t, "office list", list, "鲁村镇", "370323102", "有效")
	if strings.Contains(list, tok) {
		t.Errorf("office list shows the token:\n%s", list)
	}
	offices := listOffices(t, dir)
	if o, ok := offices["鲁村镇"]; len(offices) != 1 || !ok || o.Scope != "370323102" || o.Revoked != nil || o.ID == "" {
		t.Fatalf("office list --json: %+v", offices)
	}

	// The same name again: refused, in Chinese, on one line.
	line := failedOnce(t, cityRun(t, dir, "office", "add", "--scope", "370323103", "--name", "鲁村镇"))
	contains(t, "office add of a name taken", line, "已有同名单位", "鲁村镇")
	// Scopes an office cannot have: not a code, a village, a county of another city.
	for _, scope := range []string{"99", "370323102201", "370402"} {
		o := cityRun(t, dir, "office", "add", "--scope", scope, "--name", "范围有误"+scope)
		if o.code == 0 || o.stdout != "" {
			t.Errorf("office add --scope %s: want a failure and no token, got %v", scope, o)
		}
	}
	if o := cityRun(t, dir, "office", "add", "--name", "没有范围"); o.code != 2 || o.stdout != "" {
		t.Errorf("office add without --scope: want usage (exit 2), got %v", o)
	}
	if n := len(listOffices(t, dir)); n != 1 {
		t.Errorf("after the refused adds: %d offices, want 1", n)
	}

	line = failedOnce(t, cityRun(t, dir, "office", "revoke", "没有的单位"))
	contains(t, "revoke of an unknown office", line, "没有这个单位")
	out := succeeded(t, cityRun(t, dir, "office", "revoke", "鲁村镇"))
	contains(t, "office revoke", out, "已停用", "鲁村镇")
	if o := listOffices(t, dir)["鲁村镇"]; o.Revoked == nil {
		t.Errorf("鲁村镇 is not revoked: %+v", o)
	}
	// The name is free again once its office is revoked.
	if tok2 := addOffice(t, dir, "370323102", "鲁村镇"); tok2 == tok {
		t.Error("the new office got the revoked token")
	}
	if o := listOffices(t, dir)["鲁村镇"]; o.Revoked != nil {
		t.Errorf("the new 鲁村镇 is revoked: %+v", o)
	}

	// No server: status says so.
	line = failedOnce(t, cityRun(t, dir, "status"))
	contains(t, "status without a server", line, "no server")
}

// proc is a process running in the background: a server, an office syncing live.
type proc struct {
	cmd  *exec.Cmd
	log  string        // its stdout and stderr
	done chan struct{} // closed when it has exited
	err  error         // cmd.Wait's, once done
}

// start starts bin with --data dir and args; it is killed when the test ends if still running.
func start(t *testing.T, bin, dir string, args ...string) *proc {
	t.Helper()
	p := &proc{log: filepath.Join(t.TempDir(), filepath.Base(bin)+".log"), done: make(chan struct{})}
	logf, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(bin, append([]string{"--data", dir}, args...)...)
	p.cmd.Env = testEnv()
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// output is what the process printed so far.
func (p *proc) output(t *testing.T) string {
	raw, err := os.ReadFile(p.log)
	if err != nil {
		t.Errorf("read the output of %s: %v", p.cmd.Path, err)
	}
	return string(raw)
}

// stop sends SIGTERM and waits for the process to exit; it returns the exit status.
func (p *proc) stop(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s still runs 30 s after SIGTERM:\n%s", p.cmd.Path, p.output(t))
	}
	return p.cmd.ProcessState.ExitCode()
}

// server is a running techaid-city serve.
type server struct {
	*proc
	sf serveFile
}

// startServe starts techaid-city serve on 127.0.0.1:0 and waits until it has written DIR/serve.json.
func startServe(t *testing.T, dir string) *server {
	t.Helper()
	s := &server{proc: start(t, cityBin, dir, "serve", "--listen", "127.0.0.1:0")}
	synctest.Eventually(t, "serve.json", func() bool {
		select {
		case <-s.done:
			t.Fatalf("serve exited (%v) before writing serve.json:\n%s", s.err, s.output(t))
		default:
		}
		raw, err := os.ReadFile(filepath.Join(dir, "serve.json"))
		return err == nil && json.Unmarshal(raw, &s.sf) == nil && s.sf.URL != ""
	})
	if s.sf.PID != s.cmd.Process.Pid || s.sf.Secret == "" || !strings.HasPrefix(s.sf.URL, "http://127.0.0.1:") ||
		!strings.HasPrefix(s.sf.Admin, "http://127.0.0.1:") || s.sf.Admin == s.sf.URL {
		t.Errorf("serve.json: %+v (pid %d)", s.sf, s.cmd.Process.Pid)
	}
	if fi, err := os.Stat(filepath.Join(dir, "serve.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("serve.json holds the admin secret: want mode 0600 (%v)", err)
	}
	return s
}

// get fetches path from the server's admin listener with an Authorization header if auth is not empty.
func (s *server) get(t *testing.T, path, auth string) (int, []byte) {
	t.Helper()
	return fetch(t, s.sf.Admin+path, auth)
}

// fetch gets url with an Authorization header if auth is not empty.
func fetch(t *testing.T, url, auth string) (int, []byte) {
	t.Helper()
	path := url
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	cl := &http.Client{Timeout: 30 * time.Second}
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, body
}

// status fetches /status.json.
func (s *server) status(t *testing.T) hub.Status {
	t.Helper()
	code, body := s.get(t, "/status.json", "")
	if code != http.StatusOK {
		t.Fatalf("GET /status.json: %d %s", code, body)
	}
	return decodeJSON[hub.Status](t, "/status.json", body)
}

// officeStatus finds an office on the status page.
func officeStatus(t *testing.T, st hub.Status, name string) hub.OfficeStatus {
	t.Helper()
	for _, o := range st.Offices {
		if o.Name == name && !o.Revoked {
			return o
		}
	}
	for _, o := range st.Offices {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("the status has no office %s: %+v", name, st.Offices)
	return hub.OfficeStatus{}
}

// The city's server as it runs: office commands and backups go to it while it holds the store; an
// office syncs with it through techaid-cli; a revoked office is refused; SIGTERM stops it cleanly.
func TestServe(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGTERM")
	}
	t.Parallel()
	divisions := zibo(t)
	dir := filepath.Join(t.TempDir(), "city")
	dlTok := addOffice(t, dir, "370323103", "东里镇") // before the server starts
	srv := startServe(t, dir)

	// Office commands while the server holds the store.
	tok := addOffice(t, dir, "370323102", "鲁村镇")
	line := failedOnce(t, cityRun(t, dir, "office", "add", "--scope", "370323102", "--name", "鲁村镇"))
	contains(t, "office add of a name taken, while serving", line, "已有同名单位")
	list := succeeded(t, cityRun(t, dir, "office", "list"))
	contains(t, "office list while serving", list, "鲁村镇", "东里镇", "370323102", "370323103")
	if offices := listOffices(t, dir); len(offices) != 2 {
		t.Errorf("office list --json while serving: %+v", offices)
	}
	st := decodeJSON[hub.Status](t, "status --json", []byte(succeeded(t, cityRun(t, dir, "status", "--json"))))
	if st.Scope != "3703" || st.Epoch == "" || len(st.Offices) != 2 {
		t.Errorf("status --json: %+v", st)
	}
	officeStatus(t, st, "鲁村镇")
	officeStatus(t, st, "东里镇")
	if page := srv.status(t); len(page.Offices) != 2 || page.Epoch != st.Epoch {
		t.Errorf("/status.json: %+v", page)
	}

	// A backup while serving, which restores into a store holding both offices.
	file := filepath.Join(t.TempDir(), "city.backup")
	out := succeeded(t, cityRun(t, dir, "backup", file))
	contains(t, "backup while serving", out, file, st.Epoch)
	if fi, err := os.Stat(file); err != nil || fi.Size() == 0 {
		t.Fatalf("the backup file: %v", err)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	succeeded(t, cityRun(t, restored, "restore", file))
	if offices := listOffices(t, restored); len(offices) != 2 || offices["鲁村镇"].ID == "" {
		t.Errorf("the backup holds %+v, want both offices", offices)
	}

	// An office syncs with techaid-cli.
	office := filepath.Join(t.TempDir(), "lucun")
	succeeded(t, officeRun(t, office, "init", "--scope", "370323102", "--clerk", "张敏"))
	succeeded(t, officeRun(t, office, "import", "villages", divisions))
	succeeded(t, officeRun(t, office, "training", "add", "--village", "370323102201", "--date", "2026-11-20",
		"--kind", "技术培训", "--topic", "苹果树冬季修剪", "--attendees", "32"))
	ws := "ws://" + strings.TrimPrefix(srv.sf.URL, "http://")
	out = succeeded(t, officeRun(t, office, "sync", "--city", ws, "--token-file", tokenFile(t, tok), "--once"))
	contains(t, "first sync", out, "已同步", "鲁村镇")
	type stats struct {
		Pending   uint64 `json:"pending"`
		Acked     uint64 `json:"acked"`
		Trainings int    `json:"trainings"`
	}
	if s := decodeJSON[stats](t, "stats --json", []byte(succeeded(t, officeRun(t, office, "stats", "--json")))); s.Pending != 0 || s.Acked == 0 {
		t.Errorf("the office after sync: %+v, want nothing pending", s)
	}
	out = succeeded(t, officeRun(t, office, "sync", "--once")) // address and token remembered
	contains(t, "second sync", out, "已同步")
	lu := officeStatus(t, srv.status(t), "鲁村镇")
	if lu.Received == 0 || len(lu.Replicas) != 1 || lu.Pending != 0 || lu.LastContact == nil {
		t.Errorf("/status.json on 鲁村镇 after its sync: %+v", lu)
	}
	contains(t, "status", succeeded(t, cityRun(t, dir, "status")), "鲁村镇", "东里镇")

	// Revoked while serving: the office is refused at once.
	out = succeeded(t, cityRun(t, dir, "office", "revoke", "鲁村镇"))
	contains(t, "office revoke while serving", out, "已停用", "鲁村镇")
	line = failedOnce(t, officeRun(t, office, "sync", "--once"))
	contains(t, "sync with a revoked token", line, "停用")

	// Added again with its name and scope, the office gets a new token for the same registration: its
	// PC syncs under the same replica id (which stays bound to it), the old token stays revoked.
	again := addOffice(t, dir, "370323102", "鲁村镇")
	out = succeeded(t, officeRun(t, office, "sync", "--token-file", tokenFile(t, again), "--once"))
	contains(t, "sync with the reissued token", out, "已同步")
	if lu := officeStatus(t, srv.status(t), "鲁村镇"); lu.Revoked || len(lu.Replicas) != 1 {
		t.Errorf("鲁村镇 after its new token: %+v, want its one PC", lu)
	}
	contains(t, "office list after reissuing", succeeded(t, cityRun(t, dir, "office", "list")), "重新签发")
	line = failedOnce(t, officeRun(t, office, "sync", "--token-file", tokenFile(t, tok), "--once"))
	contains(t, "sync with the old token after reissuing", line, "停用")
	contains(t, "conflicts while serving", succeeded(t, cityRun(t, dir, "conflicts")), "没有冲突记录")
	if cs := decodeJSON[[]json.RawMessage](t, "conflicts --json", []byte(succeeded(t, cityRun(t, dir, "conflicts", "--json")))); len(cs) != 0 {
		t.Errorf("conflicts --json: %d entries", len(cs))
	}
	succeeded(t, cityRun(t, dir, "office", "revoke", "鲁村镇"))

	// Another office stays connected (sync without --once) when the server gets SIGTERM: the server
	// exits 0 all the same, leaving no serve.json; the office is told the server is stopping and keeps
	// trying; SIGTERM ends it too, with status 0.
	east := filepath.Join(t.TempDir(), "dongli")
	succeeded(t, officeRun(t, east, "init", "--scope", "370323103", "--clerk", "李强"))
	live := start(t, cliBin, east, "sync", "--city", ws, "--token-file", tokenFile(t, dlTok))
	synctest.Eventually(t, "东里镇 connected", func() bool { return officeStatus(t, srv.status(t), "东里镇").Connected == 1 })
	synctest.Eventually(t, "东里镇 up to date", func() bool { return strings.Contains(live.output(t), "已送达市局") })
	if code := srv.stop(t); code != 0 {
		t.Errorf("serve exited %d (%v) on SIGTERM, want 0:\n%s", code, srv.err, srv.output(t))
	}
	contains(t, "the server's log", srv.output(t), "shutting down", "stopped")
	if _, err := os.Stat(filepath.Join(dir, "serve.json")); !os.IsNotExist(err) {
		t.Errorf("serve.json is left behind after the server stopped (%v)", err)
	}
	synctest.Eventually(t, "the live office told of the shutdown", func() bool { return strings.Contains(live.output(t), "停机") })
	select {
	case <-live.done:
		t.Fatalf("the live office gave up when the server stopped:\n%s", live.output(t))
	default:
	}
	if code := live.stop(t); code != 0 {
		t.Errorf("techaid-cli sync exited %d (%v) on SIGTERM, want 0:\n%s", code, live.err, live.output(t))
	}

	offices := listOffices(t, dir) // opens the store itself: it must be unlocked
	if o := offices["鲁村镇"]; o.Revoked == nil {
		t.Errorf("after the server stopped, 鲁村镇 is not revoked: %+v", o)
	}
	if o := offices["东里镇"]; o.ID == "" || o.Revoked != nil {
		t.Errorf("after the server stopped, 东里镇: %+v", o)
	}
	contains(t, "office list after the server stopped", succeeded(t, cityRun(t, dir, "office", "list")), "已停用")
	failedOnce(t, cityRun(t, dir, "status"))
}

// The admin endpoint takes only requests with the secret from serve.json, on the loopback admin
// listener; the public listener serves the sync websocket and nothing else: no status page (it lists
// every office and its PCs' replica ids), no admin call even with the secret (behind a reverse proxy
// on the same host every request comes from 127.0.0.1). An admin address off loopback is refused.
func TestAdminEndpoint(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "city")
	addOffice(t, dir, "370323102", "鲁村镇")
	o := cityRun(t, dir, "serve", "--listen", "127.0.0.1:0", "--admin-listen", "0.0.0.0:0")
	if o.code != 2 || !strings.Contains(o.stderr, "admin") {
		t.Errorf("serve --admin-listen 0.0.0.0:0: %v, want a usage error", o)
	}
	srv := startServe(t, dir)
	for _, path := range []string{"/", "/status", "/status.json", "/admin/offices", "/admin/conflicts", "/admin/debug/pprof/"} {
		if code, body := fetch(t, srv.sf.URL+path, "Bearer "+srv.sf.Secret); code != http.StatusNotFound {
			t.Errorf("GET %s on the public listener: %d, want 404: %.200s", path, code, body)
		}
	}
	if code, body := srv.get(t, "/status", ""); code != http.StatusOK || !strings.Contains(string(body), "鲁村镇") {
		t.Errorf("GET /status on the admin listener: %d %.200s", code, body)
	}
	for _, auth := range []string{"", "Bearer ", "Bearer wrong-secret", "Bearer " + srv.sf.Secret + "x", "Basic " + srv.sf.Secret} {
		for _, path := range []string{"/admin/offices", "/admin/debug/pprof/"} {
			if code, body := srv.get(t, path, auth); code != http.StatusForbidden {
				t.Errorf("GET %s with Authorization %q: %d, want 403: %s", path, auth, code, body)
			}
		}
	}
	code, body := srv.get(t, "/admin/offices", "Bearer "+srv.sf.Secret)
	if code != http.StatusOK {
		t.Fatalf("GET /admin/offices with the secret: %d %s", code, body)
	}
	if offices := decodeJSON[[]hub.Office](t, "/admin/offices", body); len(offices) != 1 || offices[0].Name != "鲁村镇" {
		t.Errorf("/admin/offices: %+v", offices)
	}
}

// TestVersion: both commands answer --version, with the version scripts/package.sh stamps into them
// (-ldflags "-X main.version=…"), and in a plain build what the toolchain recorded: the module's
// pseudo-version in a git clone (as CI builds), "dev" where it recorded none (a worktree, an export).
func TestVersion(t *testing.T) {
	t.Parallel()
	info, err := exec.Command("go", "version", "-m", cityBin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	recorded := regexp.MustCompile(`(?m)^\tmod\ttechaid\t(\S+)`).FindSubmatch(info)
	want := "techaid-city dev\n"
	if recorded != nil && string(recorded[1]) != "(devel)" {
		want = "techaid-city " + string(recorded[1]) + "\n"
	}
	if o := cityRun(t, t.TempDir(), "--version"); o.code != 0 || o.stdout != want {
		t.Errorf("plain build: %v, want %q", o, want)
	}
	dir := t.TempDir()
	for name, pkg := range map[string]string{"techaid-city": ".", "techaid-cli": "../techaid-cli"} {
		bin := filepath.Join(dir, name)
		build := exec.Command("go", "build", "-ldflags", "-X main.version=9.9.9+test", "-o", bin, pkg)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", name, err, out)
		}
		out, err := exec.Command(bin, "--version").Output()
		if err != nil || string(out) != name+" 9.9.9+test\n" {
			t.Errorf("%s --version: %q, %v", name, out, err)
		}
	}
}
