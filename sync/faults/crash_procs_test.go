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
	"net"
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
// passphrase or data directory of the caller's must not leak in), and with the user's configuration
// folder (where techaid-cli keeps the key that seals an office's token) beside the binaries.
func crashEnv() []string {
	env := []string{"XDG_CONFIG_HOME=" + filepath.Join(crashBinDir, "config")}
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

// crashProc is a running command.
type crashProc struct {
	t              *testing.T
	cmd            *exec.Cmd
	run            crashRun
	stdout, stderr lockedBuf
	began          time.Time
	mu             sync.Mutex // guards killed against the exit
	exited         bool
	killed         bool
	cancel         context.CancelFunc
	ctx            context.Context
}

// crashStart starts bin with args (a minute at most).
func crashStart(t *testing.T, bin string, args ...string) *crashProc {
	t.Helper()
	p := &crashProc{t: t, run: crashRun{args: append([]string{filepath.Base(bin)}, args...)}}
	p.ctx, p.cancel = context.WithTimeout(context.Background(), time.Minute)
	p.cmd = exec.CommandContext(p.ctx, bin, args...)
	p.cmd.Env = crashEnv()
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	p.began = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	return p
}

// kill sends SIGKILL unless the process has been waited for; safe from any goroutine, any number of
// times.
func (p *crashProc) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.exited && !p.killed && p.cmd.Process.Signal(syscall.SIGKILL) == nil {
		p.killed = true
	}
}

// wait waits for the process and returns what it did.
func (p *crashProc) wait() crashRun {
	p.t.Helper()
	defer p.cancel()
	err := p.cmd.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.exited = true
	r := p.run
	r.elapsed = time.Since(p.began)
	r.stdout, r.stderr = p.stdout.String(), p.stderr.String()
	if p.ctx.Err() != nil {
		p.t.Fatalf("%s still ran after a minute:\n%s", r.args[0], r)
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode() // -1 when a signal ended it
	default:
		p.t.Fatalf("run %s: %v", r.args[0], err)
	}
	r.killed = p.killed && r.code == -1 // else it ended on its own before the signal landed
	return r
}

// tokenFile writes an office's token to a file for --token-file: a token is never a process argument.
func tokenFile(t *testing.T, token string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "office.token")
	if err := os.WriteFile(f, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// crashExec runs bin with args and SIGKILLs it after killAfter unless it ended before (killAfter < 0:
// never). It returns what it printed.
func crashExec(t *testing.T, killAfter time.Duration, bin string, args ...string) crashRun {
	t.Helper()
	p := crashStart(t, bin, args...)
	if killAfter >= 0 {
		timer := time.AfterFunc(killAfter, p.kill)
		defer timer.Stop()
	}
	return p.wait()
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

// killProxy forwards a port of 127.0.0.1 to a server and calls a function once a chosen number of
// bytes has gone through in one direction: it aims a kill at a random point of a transfer (a push, a
// pull) rather than of a process's life, most of which is opening and closing its store.
type killProxy struct {
	ln     net.Listener
	up     bool  // count office → city bytes; else city → office
	rate   int64 // bytes per second the counted way (0: no limit): a township's slow line
	mu     sync.Mutex
	target string
	at     int64 // fire when n reaches it; < 0: disarmed
	n      int64 // bytes counted since arm
	fire   func()
	conns  map[net.Conn]bool
	wg     sync.WaitGroup
}

// startKillProxy forwards to target (host:port) until the test ends, the counted way at most rate
// bytes a second (0: as fast as it goes).
func startKillProxy(t *testing.T, target string, up bool, rate int64) *killProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &killProxy{ln: ln, up: up, rate: rate, target: target, at: -1, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		_ = ln.Close()
		p.mu.Lock()
		for c := range p.conns {
			_ = c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

// URL is the proxy's address for techaid-cli sync --city.
func (p *killProxy) URL() string { return "ws://" + p.ln.Addr().String() }

// retarget points new connections at target (a restarted server listens on a new port).
func (p *killProxy) retarget(target string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.target = target
}

// arm counts from zero and calls fire once at bytes have gone the counted way.
func (p *killProxy) arm(at int64, fire func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.at, p.n, p.fire = at, 0, fire
}

// counted is the bytes counted since arm.
func (p *killProxy) counted() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

func (p *killProxy) accept() {
	defer p.wg.Done()
	for {
		down, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		target := p.target
		p.mu.Unlock()
		up, err := net.Dial("tcp", target)
		if err != nil {
			_ = down.Close()
			continue
		}
		p.mu.Lock()
		p.conns[down], p.conns[up] = true, true
		p.mu.Unlock()
		done := func() {
			p.mu.Lock()
			delete(p.conns, down)
			delete(p.conns, up)
			p.mu.Unlock()
			_ = down.Close()
			_ = up.Close()
		}
		p.wg.Add(2)
		go func() { defer p.wg.Done(); defer done(); p.copy(up, down, p.up) }()
		go func() { defer p.wg.Done(); defer done(); p.copy(down, up, !p.up) }()
	}
}

// copy forwards src to dst, counting the bytes if count; it fires the armed function when the count
// reaches its mark, before the bytes that reach it are passed on.
func (p *killProxy) copy(dst, src net.Conn, count bool) {
	buf := make([]byte, 8<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && count {
			p.mu.Lock()
			p.n += int64(n)
			var fire func()
			if p.at >= 0 && p.n >= p.at {
				fire, p.at = p.fire, -1
			}
			p.mu.Unlock()
			if fire != nil {
				fire()
			}
			if p.rate > 0 {
				time.Sleep(time.Duration(int64(n) * int64(time.Second) / p.rate))
			}
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
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
	mu     sync.Mutex // guards cmd: a proxy or a timer may kill the server from its goroutine
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
	cmd := exec.Command(crashCity, "--data", c.dir, "serve", "--listen", "127.0.0.1:0")
	cmd.Env = crashEnv()
	c.stderr = &lockedBuf{}
	pr, pw := io.Pipe()
	cmd.Stdout = c.stderr
	cmd.Stderr = io.MultiWriter(c.stderr, pw)
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start techaid-city: %v", err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		pw.Close()
		close(done)
	}()
	c.mu.Lock()
	c.cmd, c.done = cmd, done
	c.mu.Unlock()
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
	case <-done:
		c.t.Fatalf("techaid-city exited before serving:\n%s", c.stderr)
	case <-time.After(30 * time.Second):
		c.t.Fatalf("techaid-city not serving after 30 s:\n%s", c.stderr)
	}
}

// kill SIGKILLs the server (if it runs) and waits for it to be gone; safe from any goroutine.
func (c *cityServer) kill() {
	c.mu.Lock()
	defer c.mu.Unlock()
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
	c.mu.Lock()
	cmd, done := c.cmd, c.done
	c.cmd = nil
	c.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		c.t.Fatalf("techaid-city still ran 30 s after SIGTERM:\n%s", c.stderr)
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		c.t.Fatalf("techaid-city exited %d after SIGTERM:\n%s", code, c.stderr)
	}
}

// running reports whether the server process is up.
func (c *cityServer) running() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cmd != nil
}

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
