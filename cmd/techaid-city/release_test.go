package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/protocol"
	"techaid/sync/synctest"
	"techaid/sync/update"
)

// welcomeRelease runs one session of an office PC of version app against the hub at url and returns
// the release the hub named.
func welcomeRelease(t *testing.T, url, token, app string) *protocol.Release {
	t.Helper()
	st := synctest.Open(t, t.TempDir(), "370323102", "王芳", storage.Options{})
	defer st.Close()
	cl := client.New(client.Config{URL: url, Token: token, Store: st, App: app, Platform: update.Platform(), Logger: synctest.Logger(t)})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := cl.Once(ctx); err != nil {
		t.Fatalf("sync: %v", err)
	}
	return cl.State().Release
}

// Upgrades from the city, with real processes: the city publishes a release with release add, its
// running server names it in the welcome and serves it; an office's download cut by the server being
// killed (SIGKILL) resumes from the server started again, and the file checks; a release published
// while the server runs replaces the old one at once.
func TestReleaseFromTheCity(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "city")
	tok := addOffice(t, dir, "370323102", "沂源县鲁村镇")
	files := t.TempDir()
	content := make([]byte, 24<<20) // more than the sockets hold, so that a kill cuts it
	for i := range content {
		content[i] = byte(i*31 + i>>13)
	}
	sum := sha256.Sum256(content)
	pkg := filepath.Join(files, "techaid-0.9.0-"+update.Platform()+".tar.xz")
	os.WriteFile(pkg, content, 0o644)

	// Bad input: a clear error, nothing published.
	odd := filepath.Join(files, "new-version.tar.xz")
	os.WriteFile(odd, content[:10], 0o644)
	contains(t, "release add without a version", failedOnce(t, cityRun(t, dir, "release", "add", odd)), "--version", "--platform")
	contains(t, "release add --version latest", failedOnce(t, cityRun(t, dir, "release", "add", "--version", "latest", "--platform", update.Platform(), odd)), "0.5.0")
	contains(t, "release add of an installer as Linux", failedOnce(t, cityRun(t, dir, "release", "add", "--platform", "linux-amd64", "--version", "1.0.0", pkg+".exe")), "tar.xz")
	if _, err := os.Stat(filepath.Join(dir, "releases")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refused release adds left %s", filepath.Join(dir, "releases"))
	}
	contains(t, "release list, none", succeeded(t, cityRun(t, dir, "release", "list")), "没有发布")

	out := succeeded(t, cityRun(t, dir, "release", "add", pkg))
	contains(t, "release add", out, "0.9.0", hex.EncodeToString(sum[:]), update.Platform(), "未签名")
	list := decodeJSON[map[string]protocol.Release](t, "release list --json", []byte(succeeded(t, cityRun(t, dir, "release", "list", "--json"))))
	want := protocol.Release{Version: "0.9.0", Platform: update.Platform(), File: filepath.Base(pkg), Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:])}
	if list[update.Platform()] != want {
		t.Fatalf("release list: %+v, want %+v", list, want)
	}

	srv := startServe(t, dir)
	rel := welcomeRelease(t, srv.sf.URL, tok, "0.8.0")
	if rel == nil || *rel != want {
		t.Fatalf("welcome named %+v, want %+v", rel, want)
	}
	if !update.Applies(rel, "0.8.0") {
		t.Fatal("0.9.0 not offered to 0.8.0")
	}
	// The status page shows the office's app version.
	if st := officeStatus(t, srv.status(t), "沂源县鲁村镇"); len(st.Replicas) == 0 || st.Replicas[0].App != "0.8.0" {
		t.Errorf("status page: %+v, want the PC's version 0.8.0", st.Replicas)
	}
	if code, _ := fetch(t, srv.sf.URL+protocol.ReleasePath(rel.Platform, rel.File), ""); code != 401 {
		t.Errorf("a download without a token: %d, want 401", code)
	}

	// The server is killed while the office downloads.
	downloads := t.TempDir()
	killed := false
	_, err := update.Fetch(context.Background(), update.Config{Hub: srv.sf.URL, Token: tok, Dir: downloads}, *rel, func(done, total int64) {
		if done > 0 && !killed {
			killed = true
			_ = srv.cmd.Process.Signal(syscall.SIGKILL)
			<-srv.done
		}
	})
	if err == nil {
		t.Fatal("the download finished although the server was killed in the middle of it")
	}
	part, _ := filepath.Glob(filepath.Join(downloads, "*.part"))
	var kept int64
	if len(part) == 1 {
		fi, _ := os.Stat(part[0])
		kept = fi.Size()
	}
	if kept <= 0 || kept >= int64(len(content)) {
		t.Fatalf("after the kill the folder holds %v, %d bytes; want part of the file", part, kept)
	}
	if _, err := os.Stat(filepath.Join(downloads, rel.File)); !errors.Is(err, os.ErrNotExist) {
		t.Error("a cut download is in place as if it were whole")
	}

	os.Remove(filepath.Join(dir, "serve.json")) // a killed server leaves it
	srv = startServe(t, dir)                    // another port
	var first int64 = -1
	path, err := update.Fetch(context.Background(), update.Config{Hub: srv.sf.URL, Token: tok, Dir: downloads}, *rel, func(done, total int64) {
		if first < 0 {
			first = done
		}
	})
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, srv.output(t))
	}
	if first != kept {
		t.Errorf("the second download started at %d, want %d (what the first kept)", first, kept)
	}
	if got, _ := os.ReadFile(path); sha256.Sum256(got) != sum {
		t.Fatal("the resumed download is not the release")
	}
	contains(t, "the server's log", srv.output(t), "沂源县鲁村镇", "bytes="+strconv.FormatInt(kept, 10)+"-")
	t.Logf("killed after %d of %d bytes; resumed from there", kept, len(content))

	// A newer release published while the server runs: named at once, the old file no longer served.
	newer := filepath.Join(files, "techaid-0.9.1-"+update.Platform()+".tar.xz")
	os.WriteFile(newer, content[:1000], 0o644)
	succeeded(t, cityRun(t, dir, "release", "add", newer))
	if rel2 := welcomeRelease(t, srv.sf.URL, tok, "0.8.0"); rel2 == nil || rel2.Version != "0.9.1" {
		t.Fatalf("after a new release add the welcome names %+v", rel2)
	}
	if _, err := update.Fetch(context.Background(), update.Config{Hub: srv.sf.URL, Token: tok, Dir: t.TempDir()}, *rel, nil); !errors.Is(err, update.ErrGone) {
		t.Errorf("the replaced release: %v, want ErrGone", err)
	}
	if code := srv.stop(t); code != 0 {
		t.Errorf("serve exited %d", code)
	}
}
