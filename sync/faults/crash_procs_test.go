package faults

// The real processes of the crash tests: techaid-cli and techaid-city, built once per test binary
// without -race (the processes stand for the PCs; the race detector would only slow them down, and the
// test binary that checks them runs with it), started on data directories under t.TempDir() and killed
// with SIGKILL.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/storage"
)

var (
	crashBuildOnce sync.Once
	crashBuildErr  error
	crashBinDir    string // removed by TestMain
	crashCLI       string // techaid-cli
	crashCity      string // techaid-city
)

// crashBinaries builds techaid-cli and techaid-city once per test binary: cgo-free, as they ship, and
// without -race.
func crashBinaries(t *testing.T) {
	t.Helper()
	crashBuildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = "/usr/local/go/bin/go"
		}
		if crashBinDir, crashBuildErr = os.MkdirTemp("", "techaid-faults-"); crashBuildErr != nil {
			return
		}
		crashCLI, crashCity = filepath.Join(crashBinDir, "techaid-cli"), filepath.Join(crashBinDir, "techaid-city")
		for bin, pkg := range map[string]string{crashCLI: "techaid/cmd/techaid-cli", crashCity: "techaid/cmd/techaid-city"} {
			build := exec.Command(goTool, "build", "-o", bin, pkg)
			build.Env = append(crashEnv(), "CGO_ENABLED=0")
			if out, err := build.CombinedOutput(); err != nil {
				crashBuildErr = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
				return
			}
		}
	})
	if crashBuildErr != nil {
		t.Fatal(crashBuildErr)
	}
}

// crashEnv is the environment of every process: the test's, without its TECHAID_* variables (a
// passphrase or data directory of the caller's must not leak in).
func crashEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TECHAID_") {
			env = append(env, kv)
		}
	}
	return env
}

// crashDivisions is the division list the commands import: the repository's own copy.
func crashDivisions(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "assets", "zibo_divisions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("division list: %v", err)
	}
	return p
}

// crashRun is one run of a binary: what it printed and how it ended.
type crashRun struct {
	args    []string
	stdout  string
	stderr  string
	code    int           // exit status; -1 if killed
	killed  bool          // the test killed it (it may have exited on its own just before)
	elapsed time.Duration // from start to exit
}

func (r crashRun) String() string {
	return fmt.Sprintf("%s: exit %d (killed %v, %v)\n--- stdout:\n%s--- stderr:\n%s",
		strings.Join(r.args, " "), r.code, r.killed, r.elapsed.Round(time.Millisecond), r.stdout, r.stderr)
}

// lines is the non-empty lines of the run's stdout; a last line cut short by the kill is left out (a
// line is reported only once its newline is out).
func (r crashRun) lines() []string {
	out := r.stdout
	if i := strings.LastIndexByte(out, '\n'); i >= 0 {
		out = out[:i]
	} else {
		out = ""
	}
	var ls []string
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimSpace(l) != "" {
			ls = append(ls, l)
		}
	}
	return ls
}

// lockedBuf is a buffer the process's output goroutine and the test share.
type lockedBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// crashExec runs bin with args and SIGKILLs it after killAfter unless it ended before (killAfter < 0:
// never; it then has a minute). It returns what it printed.
func crashExec(t *testing.T, killAfter time.Duration, bin string, args ...string) crashRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = crashEnv()
	var stdout, stderr lockedBuf
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	r := crashRun{args: append([]string{filepath.Base(bin)}, args...)}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	var mu sync.Mutex
	var timer *time.Timer
	if killAfter >= 0 {
		timer = time.AfterFunc(killAfter, func() {
			mu.Lock()
			defer mu.Unlock()
			if cmd.Process.Signal(syscall.SIGKILL) == nil {
				r.killed = true
			}
		})
	}
	err := cmd.Wait()
	r.elapsed = time.Since(began)
	if timer != nil {
		timer.Stop()
	}
	mu.Lock()
	defer mu.Unlock()
	r.stdout, r.stderr = stdout.String(), stderr.String()
	if ctx.Err() != nil {
		t.Fatalf("%s still ran after a minute:\n%s", bin, r)
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode() // -1 when a signal ended it
	default:
		t.Fatalf("run %s: %v", bin, err)
	}
	if r.code != -1 {
		r.killed = false // it ended on its own before the signal landed
	}
	return r
}

// cli runs techaid-cli on dir and fails the test unless it succeeds.
func cli(t *testing.T, dir string, args ...string) string {
	t.Helper()
	r := crashExec(t, -1, crashCLI, append([]string{"--data", dir}, args...)...)
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	return r.stdout
}

// cityCmd runs a techaid-city command on dir and fails the test unless it succeeds.
func cityCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	r := crashExec(t, -1, crashCity, append([]string{"--data", dir}, args...)...)
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	return r.stdout
}

// cityServer is a running `techaid-city serve` on a data directory.
type cityServer struct {
	t      *testing.T
	dir    string
	cmd    *exec.Cmd
	URL    string // ws://127.0.0.1:port
	Epoch  string
	stderr *lockedBuf
	done   chan struct{}
	starts int
}

var servingLine = regexp.MustCompile(`serving \S+ \(epoch (\S+)\) on (ws://[0-9.:]+)/sync`)

// startCity serves the city's store in dir on a free port of 127.0.0.1 and waits until it listens.
func startCity(t *testing.T, dir string) *cityServer {
	t.Helper()
	c := &cityServer{t: t, dir: dir}
	c.start()
	t.Cleanup(func() { c.kill() })
	return c
}

func (c *cityServer) start() {
	c.t.Helper()
	c.cmd = exec.Command(crashCity, "--data", c.dir, "serve", "--listen", "127.0.0.1:0")
	c.cmd.Env = crashEnv()
	c.stderr = &lockedBuf{}
	pr, pw := io.Pipe()
	c.cmd.Stdout = c.stderr
	c.cmd.Stderr = io.MultiWriter(c.stderr, pw)
	if err := c.cmd.Start(); err != nil {
		c.t.Fatalf("start techaid-city: %v", err)
	}
	c.done = make(chan struct{})
	go func() {
		_ = c.cmd.Wait()
		pw.Close()
		close(c.done)
	}()
	found := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m
				break
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case m := <-found:
		if c.Epoch != "" && m[1] != c.Epoch {
			c.t.Fatalf("techaid-city came back with epoch %s, was %s: a restart is not a restore", m[1], c.Epoch)
		}
		c.Epoch, c.URL = m[1], m[2]
	case <-c.done:
		c.t.Fatalf("techaid-city exited before serving:\n%s", c.stderr)
	case <-time.After(30 * time.Second):
		c.t.Fatalf("techaid-city not serving after 30 s:\n%s", c.stderr)
	}
	c.starts++
}

// kill SIGKILLs the server (if it runs) and waits for it to be gone.
func (c *cityServer) kill() {
	if c.cmd == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
	c.cmd = nil
}

// stop stops the server as the city does (SIGTERM) and requires a clean exit.
func (c *cityServer) stop() {
	c.t.Helper()
	if c.cmd == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		c.kill()
		c.t.Fatalf("techaid-city still ran 30 s after SIGTERM:\n%s", c.stderr)
	}
	if code := c.cmd.ProcessState.ExitCode(); code != 0 {
		c.t.Fatalf("techaid-city exited %d after SIGTERM:\n%s", code, c.stderr)
	}
	c.cmd = nil
}

// running reports whether the server process is up.
func (c *cityServer) running() bool { return c.cmd != nil }

// crashOpen opens a store the processes have let go of, for the test to read; closed with close().
func crashOpen(t *testing.T, dir string) *storage.Store {
	t.Helper()
	st, err := storage.Open(dir, storage.Options{Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatalf("open %s after the kill: %v", dir, err)
	}
	return st
}

// newCity makes the city's data directory with the division list imported, and registers offices
// (scope → name); it returns each office's token by scope.
func newCity(t *testing.T, offices map[ledger.Code]string) (string, map[ledger.Code]string) {
	t.Helper()
	dir := t.TempDir()
	cityCmd(t, dir, "import", "villages", crashDivisions(t))
	tokens := map[ledger.Code]string{}
	for scope, name := range offices {
		tokens[scope] = strings.TrimSpace(cityCmd(t, dir, "office", "add", "--scope", string(scope), "--name", name))
	}
	return dir, tokens
}

// newOfficeDir initialises an office store of scope with techaid-cli; it returns the directory and the
// replica id init printed.
func newOfficeDir(t *testing.T, scope ledger.Code, clerk string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	out := strings.Fields(cli(t, dir, "init", "--scope", string(scope), "--clerk", clerk))
	if len(out) == 0 {
		t.Fatal("init printed nothing")
	}
	return dir, out[len(out)-1]
}

// crashSeed is the seed of a crash test: $TECHAID_CRASH_SEED to replay one, else the clock. A failed
// test says how to replay it.
func crashSeed(t *testing.T) (uint64, *rand.Rand) {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("TECHAID_CRASH_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("TECHAID_CRASH_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("seed %d", seed)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replay: TECHAID_CRASH_SEED=%d go test -race -tags ci -run '^%s$' ./sync/faults/", seed, t.Name())
		}
	})
	return seed, rand.New(rand.NewPCG(seed, 0x7ec4a1d))
}

// crashLong reports whether the long version runs (make test-long sets TECHAID_LONG=1).
func crashLong() bool { return os.Getenv("TECHAID_LONG") == "1" }

// randDelay is a random duration in [0, d].
func randDelay(rng *rand.Rand, d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(rng.Int64N(int64(d) + 1))
}
