package main

import (
	"bytes"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"techaid/sync/synctest"
)

// A store whose folder others can read (an installer made it, a profile was copied, --data points at a
// shared folder) is made private by the next command, which says so once on stderr; an export is
// private too and names where it went.
func TestPrivateDataFolder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes: Windows decides by the folder's ACL")
	}
	t.Parallel()
	dir := newStore(t, "370323102")
	ok(t, dir, "import", "villages", dataFile(t, "zibo_sample.csv"))
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(path, 0o755)
		}
		return os.Chmod(path, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}

	r := techaid(t, dir, "list", "villages")
	if r.code != 0 || strings.Count(r.stderr, "注意") != 1 || !strings.Contains(r.stderr, "只有本用户") {
		t.Fatalf("the first command after the folder was opened up: want one notice on stderr, got %v", r)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the data folder: %v (%v), want 0700", fi.Mode().Perm(), err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if fi, err := e.Info(); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, want 0600", e.Name(), fi.Mode().Perm())
		}
	}
	if r := techaid(t, dir, "list", "villages"); r.code != 0 || strings.Contains(r.stderr, "注意") {
		t.Errorf("the notice again on the next command: %v", r)
	}

	out := filepath.Join(t.TempDir(), "名册.xlsx")
	printed := ok(t, dir, "export", "keyvillages", "--out", out)
	wantContains(t, "export", printed, out)
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the export: %v (%v), want 0600", fi.Mode().Perm(), err)
	}
}

// inFiles names the files under dir that hold needle in their bytes.
func inFiles(t *testing.T, dir, needle string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(raw, []byte(needle)) {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// syncedOffice is a township store with the sample villages and a hub on 127.0.0.1 that knows it.
func syncedOffice(t *testing.T) (dir, url, token string, h *synctest.Hub) {
	t.Helper()
	h = synctest.StartEmptyHub(t)
	token = h.Office("鲁村镇", "370323102")
	dir = newStore(t, "370323102")
	ok(t, dir, "import", "villages", dataFile(t, "zibo_sample.csv"))
	return dir, "ws://" + strings.TrimPrefix(h.URL, "http://"), token, h
}

// The token reaches sync without ever being a process argument: from $TECHAID_TOKEN, from a file
// (one others can read is warned about), from standard input; --token itself is refused, and a script
// that gives none is told how. Once remembered it is sealed: no file of the store, nor a backup,
// holds it.
func TestTokenSources(t *testing.T) {
	t.Parallel()
	dir, url, token, _ := syncedOffice(t)

	line := failure(t, nil, dir, "sync", "--city", url, "--token", token, "--once")
	wantContains(t, "--token", line, "--token-file", "TECHAID_TOKEN")
	line = failure(t, nil, dir, "sync", "--city", url, "--once")
	wantContains(t, "no token, no terminal", line, "--token-file", "TECHAID_TOKEN")

	r := techaidEnv(t, []string{"TECHAID_TOKEN=" + token}, dir, "sync", "--city", url, "--once")
	if r.code != 0 || !strings.Contains(r.stdout, "已同步") {
		t.Fatalf("sync with $TECHAID_TOKEN: %v", r)
	}
	wantContains(t, "sync with nothing given: the remembered token", ok(t, dir, "sync", "--once"), "已同步")

	file := filepath.Join(t.TempDir(), "lucun.token")
	if err := os.WriteFile(file, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(file, 0o644); err != nil { // this process's umask is 077 since the hub opened its store
		t.Fatal(err)
	}
	r = techaid(t, dir, "sync", "--token-file", file, "--once")
	if r.code != 0 || (runtime.GOOS != "windows" && !strings.Contains(r.stderr, "chmod 600")) {
		t.Errorf("sync --token-file of a file others can read: want it done with a warning, got %v", r)
	}
	cmd := exec.Command(binary, "--data", dir, "sync", "--token-file", "-", "--once")
	cmd.Stdin = strings.NewReader(token + "\n")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "已同步") {
		t.Errorf("sync --token-file -: %v\n%s", err, out)
	}
	if err := os.Chmod(file, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("wrong-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	failure(t, nil, dir, "sync", "--token-file", file, "--once") // the hub refuses it: it was used

	backup := filepath.Join(t.TempDir(), "lucun.backup")
	ok(t, dir, "backup", backup)
	if found := append(inFiles(t, dir, token), inFiles(t, filepath.Dir(backup), token)...); len(found) > 0 {
		t.Errorf("the token in plain bytes in %v", found)
	}
}

// Typed at the prompt, the token is not echoed: the terminal (a real pseudo-terminal) shows nothing
// of it, and sync uses it.
func TestTokenPrompt(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("a pseudo-terminal through /dev/ptmx")
	}
	t.Parallel()
	dir, url, token, _ := syncedOffice(t)
	master, slave := openPTY(t)
	cmd := exec.Command(binary, "--data", dir, "sync", "--city", url, "--once")
	cmd.Env = append(os.Environ(), "TECHAID_TOKEN=")
	var stdout bytes.Buffer
	stderr := &lockedBuffer{}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, &stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()                                // the child holds it; the master reads EOF (EIO) when the child is gone
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // if the prompt never comes
	synctest.Eventually(t, "the prompt", func() bool { return strings.Contains(stderr.String(), "token:") })
	if _, err := master.Write([]byte(token + "\n")); err != nil {
		t.Fatal(err)
	}
	shown, _ := io.ReadAll(master) // until the child has closed the terminal
	if err := cmd.Wait(); err != nil || !strings.Contains(stdout.String(), "已同步") {
		t.Fatalf("sync with the token typed at the prompt: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	if strings.Contains(string(shown), token) || strings.Contains(string(shown), token[:8]) {
		t.Errorf("the terminal echoed the token: %q", shown)
	}
	wantContains(t, "the remembered token", ok(t, dir, "sync", "--once"), "已同步")
}

// An address without a scheme is wss://; plain ws:// to another machine is refused before anything is
// sent, unless --insecure says it is meant (then remembered with that address, and forgotten when
// the address changes); ws:// on loopback needs nothing.
func TestPlainAddressRefused(t *testing.T) {
	t.Parallel()
	dir, url, token, _ := syncedOffice(t)
	env := []string{"TECHAID_TOKEN=" + token}
	other := nonLoopback(t)
	ln, err := net.Listen("tcp", other+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	plain := "ws://" + ln.Addr().String()
	for _, addr := range []string{plain, "http://" + ln.Addr().String()} {
		line := failure(t, env, dir, "sync", "--city", addr, "--once")
		wantContains(t, "sync --city "+addr, line, "不加密", "--insecure")
	}
	if n := accepted.Load(); n != 0 {
		t.Errorf("the refused address got %d connections: the token may have been sent", n)
	}
	r := techaidEnv(t, env, dir, "sync", "--city", plain, "--insecure", "--once")
	if r.code != 1 || accepted.Load() == 0 {
		t.Errorf("with --insecure the address is dialled (and this listener is no hub): %v, %d connections", r, accepted.Load())
	}
	r = techaidEnv(t, env, dir, "sync", "--city", ln.Addr().String(), "--once")
	if r.code != 1 || !strings.Contains(r.stderr, "wss://"+ln.Addr().String()) {
		t.Errorf("an address without a scheme: want wss:// dialled, got %v", r)
	}
	// The loopback hub, by ws://: no flag needed; the acceptance of another address is not carried over.
	wantContains(t, "ws:// on loopback", ok(t, dir, "sync", "--city", url, "--once"), "已同步")
	before := accepted.Load()
	line := failure(t, env, dir, "sync", "--city", plain, "--once")
	wantContains(t, "the plain address again without --insecure", line, "不加密")
	if accepted.Load() != before {
		t.Error("dialled without --insecure")
	}
}

// nonLoopback is an address of this machine that is not loopback, skipping the test if it has none.
func nonLoopback(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLoopback() && !ipn.IP.IsLinkLocalUnicast() {
			return ipn.IP.String()
		}
	}
	t.Skip("this machine has no address but loopback: cannot stand in for another machine")
	return ""
}

// The token is never a process argument in what we tell people to run: the README's commands and the
// scripts give it by file or environment, never by --token or $(cat FILE) on the command line.
func TestNoTokenArguments(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "..", "scripts", "*.sh"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts found (%v)", err)
	}
	files = append(files, filepath.Join("..", "..", "README.md"), filepath.Join("..", "..", "Makefile"))
	bad := regexp.MustCompile(`--token(\s|=)|--token$|sync .*\$\(cat [^)]*token`)
	for _, f := range files {
		lines := readLines(t, f)
		for i, l := range lines {
			if bad.MatchString(l) && !strings.Contains(l, "--token-file") {
				t.Errorf("%s:%d gives the token as an argument: %s", f, i+1, strings.TrimSpace(l))
			}
		}
	}
}

// The Windows side of the privacy code (DPAPI sealing, the profile check) builds and vets for Windows,
// tests included; make test cannot run it (it was run under wine: RELIABILITY.md).
func TestWindowsBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles for Windows")
	}
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	vet := exec.Command(goTool, "vet", "techaid/storage", "techaid/sync/client", "techaid/cmd/techaid-cli", "techaid/cmd/techaid-city",
		"techaid/app",         // app: the Windows file dialogs (sqweek/dialog), cgo-free
		"techaid/sync/update") // the installer started detached, WinVerifyTrust
	vet.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := vet.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=windows go vet: %v\n%s", err, out)
	}
}
