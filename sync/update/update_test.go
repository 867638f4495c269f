package update_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ulikunitz/xz"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/hub"
	"techaid/sync/protocol"
	"techaid/sync/synctest"
	"techaid/sync/update"
)

const township = ledger.Code("370323102") // 沂源县鲁村镇

// cityWithRelease serves a real hub whose releases folder holds file (named name) for this platform.
func cityWithRelease(t *testing.T, name string, content []byte, version string) (*synctest.Hub, string, protocol.Release) {
	t.Helper()
	dir := t.TempDir()
	st := synctest.Open(t, dir, synctest.City, "市局", storage.Options{})
	t.Cleanup(func() { st.Close() })
	rels := filepath.Join(t.TempDir(), "releases")
	src := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(src, content, 0o644); err != nil {
		t.Fatal(err)
	}
	rel, err := hub.AddRelease(rels, src, version, update.Platform(), false)
	if err != nil {
		t.Fatalf("add release: %v", err)
	}
	h := synctest.ServeConfig(t, hub.Config{Store: st, Releases: rels}, dir)
	return h, h.Office("沂源县鲁村镇", township), rel
}

func random(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7919 + i/251)
	}
	return b
}

// The office learns of the release in the welcome of a real session, downloads it through a line
// that cuts twice, resumes each time from what it kept, and keeps the file only once its hash checks.
func TestFetchResumesAfterCuts(t *testing.T) {
	content := random(3<<20 + 12345)
	h, token, rel := cityWithRelease(t, "techaid-setup-0.9.0-windows-amd64.exe", content, "0.9.0")

	// The welcome names it, for this platform only.
	office := synctest.Open(t, t.TempDir(), township, "王芳", storage.Options{})
	defer office.Close()
	cl := client.New(client.Config{URL: h.URL, Token: token, Store: office, App: "0.8.0", Platform: update.Platform(), Logger: synctest.Logger(t)})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := cl.Once(ctx); err != nil {
		t.Fatalf("sync: %v", err)
	}
	got := cl.State().Release
	if got == nil || *got != rel {
		t.Fatalf("welcome named %+v, want %+v", got, rel)
	}
	if !update.Applies(got, "0.8.0") || update.Applies(got, "0.9.0") || update.Applies(got, "1.0.0+abc") || update.Applies(got, "dev") {
		t.Error("Applies: want 0.9.0 offered to 0.8.0 only")
	}
	other := client.New(client.Config{URL: h.URL, Token: token, Store: office, App: "0.8.0", Platform: "plan9-mips", Logger: synctest.Logger(t)})
	if _, err := other.Once(ctx); err != nil {
		t.Fatalf("sync: %v", err)
	}
	if r := other.State().Release; r != nil {
		t.Errorf("another platform was named %+v", r)
	}

	// Two cuts, then a whole line.
	cuts := []int64{1 << 20, 900 << 10}
	var requests []string
	var n atomic.Int32
	hc := &http.Client{Transport: roundTrip(func(req *http.Request) (*http.Response, error) {
		requests = append(requests, req.Header.Get("Range"))
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			return resp, err
		}
		if i := int(n.Add(1)) - 1; i < len(cuts) {
			resp.Body = &cutBody{r: resp.Body, left: cuts[i]}
		}
		return resp, nil
	})}
	dir := t.TempDir()
	cfg := update.Config{Hub: h.URL, Token: token, Dir: dir, Client: hc}
	var fetchErrs []error
	var path string
	for range 5 {
		p, err := update.Fetch(ctx, cfg, *got, nil)
		if err == nil {
			path = p
			break
		}
		fetchErrs = append(fetchErrs, err)
		if !strings.Contains(update.Chinese(err), "中断") {
			t.Errorf("a cut says %q", update.Chinese(err))
		}
	}
	if path == "" || len(fetchErrs) != 2 {
		t.Fatalf("fetch: %d failures %v, path %q; want two cuts then the file", len(fetchErrs), fetchErrs, path)
	}
	want := []string{"", "bytes=1048576-", "bytes=1970176-"}
	if strings.Join(requests, ",") != strings.Join(want, ",") {
		t.Errorf("requests asked for %q, want %q: each resumes where the cut left it", requests, want)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, content) {
		t.Fatal("the download is not the release")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d files, want the release alone", len(entries))
	}
	// Fetched again: the file is there and checks, nothing is asked of the hub.
	before := len(requests)
	if p, err := update.Fetch(ctx, cfg, *got, nil); err != nil || p != path || len(requests) != before {
		t.Errorf("fetch again: %q %v, %d requests", p, err, len(requests)-before)
	}
}

// A download whose bytes are not the announced ones (the file changed on the city's disk, or a line
// that corrupts) is deleted and changes nothing; a token the hub does not know gets nothing; a
// release the city replaced is gone.
func TestFetchRefuses(t *testing.T) {
	content := random(200 << 10)
	h, token, rel := cityWithRelease(t, "techaid-setup-0.9.0-windows-amd64.exe", content, "0.9.0")
	ctx := context.Background()
	dir := t.TempDir()

	bad := rel
	bad.SHA256 = strings.Repeat("ab", 32)
	_, err := update.Fetch(ctx, update.Config{Hub: h.URL, Token: token, Dir: dir}, bad, nil)
	if !errors.Is(err, update.ErrVerify) {
		t.Fatalf("a wrong hash: %v, want ErrVerify", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("after a failed check the folder holds %v", entries)
	}
	if !strings.Contains(update.Chinese(err), "不一致") {
		t.Errorf("a failed check says %q", update.Chinese(err))
	}

	signed := rel
	signed.Signed = true // the file carries no signature
	if _, err := update.Fetch(ctx, update.Config{Hub: h.URL, Token: token, Dir: dir}, signed, nil); !errors.Is(err, update.ErrVerify) {
		t.Errorf("a release said to be signed without a signature: %v, want ErrVerify", err)
	}

	if _, err := update.Fetch(ctx, update.Config{Hub: h.URL, Token: "not-a-token", Dir: dir}, rel, nil); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("an unknown token: %v, want 401", err)
	}
	for _, evil := range []string{"../x.exe", "..", ".hidden", `a\b.exe`} {
		r := rel
		r.File = evil
		if _, err := update.Fetch(ctx, update.Config{Hub: h.URL, Token: token, Dir: dir}, r, nil); err == nil {
			t.Errorf("file name %q accepted", evil)
		}
	}
	gone := rel
	gone.File = "techaid-setup-0.8.0-windows-amd64.exe"
	if _, err := update.Fetch(ctx, update.Config{Hub: h.URL, Token: token, Dir: dir}, gone, nil); !errors.Is(err, update.ErrGone) {
		t.Errorf("a file the hub does not serve: %v, want ErrGone", err)
	}
}

// On Linux the release is the package package.sh makes: its program replaces the running one's file
// (where the clerk may write it) and Launch starts it, a real process, with the same arguments.
func TestPrepareLinuxPackage(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "started")
	program := "#!/bin/sh\necho \"$@\" > " + marker + "\n"
	tarball := filepath.Join(dir, "techaid-0.9.0-linux-amd64.tar.xz")
	writeTarball(t, tarball, program)

	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	exe := filepath.Join(bin, "techaid")
	os.WriteFile(exe, []byte("#!/bin/sh\necho old\n"), 0o755)
	p, err := update.Prepare(tarball, exe, []string{"--data", "/somewhere"})
	if err != nil {
		t.Fatalf("prepare: %v", err)
	}
	if b, _ := os.ReadFile(exe); string(b) != program {
		t.Fatalf("the program file holds %q, want the new one", b)
	}
	if fi, _ := os.Stat(exe); fi.Mode().Perm() != 0o755 {
		t.Errorf("mode %v", fi.Mode())
	}
	if err := p.Launch(); err != nil {
		t.Fatalf("launch: %v", err)
	}
	synctest.Eventually(t, "the new program to start", func() bool {
		b, _ := os.ReadFile(marker)
		return string(b) == "--data /somewhere\n"
	})

	// A program the clerk may not replace: nothing changes, and the clerk is told where the package is.
	if os.Geteuid() != 0 {
		os.Chmod(bin, 0o555)
		defer os.Chmod(bin, 0o755)
		before, _ := os.ReadFile(exe)
		_, err := update.Prepare(tarball, exe, nil)
		if !errors.Is(err, update.ErrReadOnly) || !strings.Contains(err.Error(), tarball) {
			t.Errorf("read-only: %v", err)
		}
		if after, _ := os.ReadFile(exe); !bytes.Equal(before, after) {
			t.Error("a refused install changed the program")
		}
	}

	// The Windows installer runs silently and starts the new version itself.
	if p, err := update.Prepare(filepath.Join(dir, "techaid-setup-0.9.0-windows-amd64.exe"), exe, nil); err != nil ||
		strings.Join(p.Args, " ") != "/S /RUN" {
		t.Errorf("installer: %+v %v", p, err)
	}
	if _, err := update.Prepare(filepath.Join(dir, "notes.txt"), exe, nil); err == nil {
		t.Error("a file that is no installer was accepted")
	}
}

func writeTarball(t *testing.T, path, program string) {
	t.Helper()
	var buf bytes.Buffer
	xw, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(xw)
	for _, f := range []struct{ name, body string }{
		{"techaid/Makefile", "install:\n"},
		{"techaid/usr/local/bin/techaid", program},
	} {
		tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o755, Size: int64(len(f.body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(f.body))
	}
	tw.Close()
	xw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("tar"); err == nil { // the package is one tar itself reads
		if out, err := exec.Command("tar", "-tJf", path).CombinedOutput(); err != nil {
			t.Fatalf("tar: %v %s", err, out)
		}
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// cutBody ends a response after left bytes with an error, as a line that drops does.
type cutBody struct {
	r    io.ReadCloser
	left int64
}

func (c *cutBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errors.New("connection reset by peer")
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *cutBody) Close() error { return c.r.Close() }
