package hub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"techaid/sync/protocol"
)

// The releases of the app the hub serves to its offices live in a folder of their own (techaid-city:
// DATA/releases), one file per platform, named by releases.json:
//
//	DIR/releases.json                                  {"windows-amd64": {version, file, size, sha256, signed}, …}
//	DIR/windows-amd64/techaid-setup-0.5.0-windows-amd64.exe
//	DIR/linux-amd64/techaid-0.5.0-linux-amd64.tar.xz
//
// AddRelease writes both (the file first, each through a temporary file, fsync and rename), so a
// running hub never names a file that is not whole; it reads releases.json again when it changes.

const releasesFile = "releases.json"

// AddRelease copies the file at src into dir as the current release for platform, with its version,
// size and SHA-256 (computed here) and whether it is signed; the platform's previous file is removed.
func AddRelease(dir, src, version, platform string, signed bool) (protocol.Release, error) {
	rel := protocol.Release{Version: version, Platform: platform, File: filepath.Base(src), Signed: signed}
	if err := protocol.CheckRelease(rel, false); err != nil {
		return rel, err
	}
	in, err := os.Open(src)
	if err != nil {
		return rel, err
	}
	defer in.Close()
	pdir := filepath.Join(dir, platform)
	if err := os.MkdirAll(pdir, 0o755); err != nil {
		return rel, err
	}
	tmp, err := os.CreateTemp(pdir, ".add-*")
	if err != nil {
		return rel, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), in)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return rel, err
	}
	rel.Size, rel.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	if err := protocol.CheckRelease(rel, true); err != nil {
		return rel, err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(pdir, rel.File)); err != nil {
		return rel, err
	}
	syncDir(pdir)
	all, err := ReadReleases(dir)
	if err != nil {
		return rel, err
	}
	old, had := all[platform]
	all[platform] = rel
	if err := writeJSON(filepath.Join(dir, releasesFile), all); err != nil {
		return rel, err
	}
	if had && old.File != rel.File {
		os.Remove(filepath.Join(pdir, old.File))
	}
	return rel, nil
}

// ReadReleases reads the current release of each platform; none if the folder has none.
func ReadReleases(dir string) (map[string]protocol.Release, error) {
	all := map[string]protocol.Release{}
	buf, err := os.ReadFile(filepath.Join(dir, releasesFile))
	if errors.Is(err, fs.ErrNotExist) {
		return all, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(buf, &all); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, releasesFile), err)
	}
	for p, r := range all {
		if r.Platform != p || protocol.CheckRelease(r, true) != nil {
			return nil, fmt.Errorf("%s: release %q: %v", filepath.Join(dir, releasesFile), p, protocol.CheckRelease(r, true))
		}
	}
	return all, nil
}

func writeJSON(path string, v any) error {
	buf, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".releases-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(append(buf, '\n'))
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// releases is the hub's view of its releases folder: read again when releases.json changes.
type releases struct {
	dir  string
	mod  time.Time
	size int64
	all  map[string]protocol.Release
}

// current is the release for platform, if any. h.mu must be held.
func (h *Hub) currentRelease(platform string) *protocol.Release {
	r := &h.releases
	if r.dir == "" || platform == "" {
		return nil
	}
	fi, err := os.Stat(filepath.Join(r.dir, releasesFile))
	if err != nil {
		r.all, r.mod = nil, time.Time{}
		return nil
	}
	if !fi.ModTime().Equal(r.mod) || fi.Size() != r.size {
		all, err := ReadReleases(r.dir)
		if err != nil {
			h.log.Printf("hub: releases: %v", err)
			return nil
		}
		r.all, r.mod, r.size = all, fi.ModTime(), fi.Size()
	}
	rel, ok := r.all[platform]
	if !ok {
		return nil
	}
	return &rel
}

// Releases lists the current releases, by platform.
func (h *Hub) Releases() []protocol.Release {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.currentRelease("-") // reads the folder again if it changed
	var out []protocol.Release
	for _, r := range h.releases.all {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b protocol.Release) int { return strings.Compare(a.Platform, b.Platform) })
	return out
}

// serveRelease serves the current release of a platform, GET /release/PLATFORM/FILE, to an office
// with a good token (Authorization: Bearer TOKEN), with ranges so that a cut download resumes. Only
// the current file of each platform is served.
func (h *Hub) serveRelease(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	platform, file, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, protocol.ReleasePrefix), "/")
	token, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	h.mu.Lock()
	o := h.offices[HashToken(strings.TrimSpace(token))]
	rel := h.currentRelease(platform)
	dir := h.releases.dir
	h.mu.Unlock()
	if !bearer || o == nil || o.Revoked != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="techaid"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if !ok || rel == nil || rel.File != file {
		http.NotFound(w, r)
		return
	}
	f, err := os.Open(filepath.Join(dir, platform, file))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() != rel.Size {
		h.log.Printf("hub: release %s/%s is not the file releases.json describes", platform, file)
		http.NotFound(w, r)
		return
	}
	h.log.Printf("hub: %s (%s) downloads %s %s", o.Name, o.Scope, file, r.Header.Get("Range"))
	w.Header().Set("ETag", `"`+rel.SHA256+`"`)
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(&rollingDeadline{ResponseWriter: w, rc: http.NewResponseController(w)}, r, file, fi.ModTime(), f)
}

// rollingDeadline lets a download take as long as the line needs while data moves: the server's
// write timeout (a minute) would cut a 10 MB installer on a slow township line at every attempt.
// Each write may take a minute; a client that stops reading is cut then.
type rollingDeadline struct {
	http.ResponseWriter
	rc *http.ResponseController
}

func (d *rollingDeadline) Write(p []byte) (int, error) {
	_ = d.rc.SetWriteDeadline(time.Now().Add(time.Minute))
	return d.ResponseWriter.Write(p)
}
