// Package update is the office side of upgrades from the city: offices often reach only the city's
// server, never the internet, so the hub serves the current release of the app (techaid-city release
// add) and names it in its welcome. Fetch downloads it from the hub while the clerk works, resuming
// where a cut left off, and keeps it only once its size and SHA-256 (and its Authenticode signature,
// on Windows, when the city says it is signed) are what the hub announced; Prepare and Launch install
// it when the clerk asks: on Windows the installer runs silently after the app quits; on Linux the
// program file is replaced where the clerk may write it, and started again.
//
// Nothing here touches the data folder: a download lives in its own folder (Dir), a failed or cut one
// changes nothing but its partial file, and the store migrates on the next open as it always does.
package update

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/semver"

	"techaid/sync/protocol"
)

// Platform is this build's platform as a release names it: GOOS-GOARCH.
func Platform() string { return runtime.GOOS + "-" + runtime.GOARCH }

// Newer reports whether release version v is newer than the running version cur. Versions are
// semantic (0.5.0, v0.5.1, 0.5.0+a1b2c3d: the build after + is ignored); a version that is not (dev)
// is never offered, nor offered to: a developer's build does not upgrade itself.
func Newer(v, cur string) bool {
	a, b := canonical(v), canonical(cur)
	return a != "" && b != "" && semver.Compare(a, b) > 0
}

func canonical(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	if !semver.IsValid(v) {
		return ""
	}
	return v
}

// Applies reports whether rel is a release this build should fetch: for its platform, and newer.
func Applies(rel *protocol.Release, cur string) bool {
	return rel != nil && rel.Platform == Platform() && Newer(rel.Version, cur) && Check(*rel) == nil
}

// Check says whether a release's description is one an office can use (protocol.CheckRelease).
func Check(rel protocol.Release) error { return protocol.CheckRelease(rel, true) }

// ErrVerify is a download whose bytes are not the release the hub announced (size, hash or
// signature): it was deleted, and the next attempt starts from the beginning.
var ErrVerify = errors.New("the download does not match the release the city announced")

// Config says where to fetch from and where to keep downloads.
type Config struct {
	Hub   string // the hub's address as the office remembers it (wss://…, ws://…, host:port)
	Token string // the office's token: the hub serves releases to its offices only
	Dir   string // where downloads are kept (not the data folder): DefaultDir
	// Client does the requests; nil: one with Proxy from the environment and no overall timeout (a
	// slow line may take many minutes; a stalled one is cut by the hub).
	Client *http.Client
}

// DefaultDir is the per-user folder for downloads: %LOCALAPPDATA%\techaid\updates on Windows (the
// uninstaller's box removes it with the data), ~/.cache/techaid/updates on Linux.
func DefaultDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "techaid", "updates"), nil
}

// URL is the https:// or http:// address of a release on the hub whose sync address is hub.
func URL(hub string, rel protocol.Release) string {
	u := strings.TrimSpace(hub)
	scheme := "https://"
	for prefix, s := range map[string]string{"ws://": "http://", "http://": "http://", "wss://": "https://", "https://": "https://"} {
		if rest, ok := strings.CutPrefix(u, prefix); ok {
			scheme, u = s, rest
			break
		}
	}
	u = strings.TrimSuffix(strings.TrimRight(u, "/"), protocol.Path)
	return scheme + u + protocol.ReleasePath(rel.Platform, rel.File)
}

// Progress reports a download: bytes held so far of the total.
type Progress func(done, total int64)

// Fetch downloads rel into cfg.Dir and returns the verified file's path. A file already there and
// verified is returned at once; a partial one (FILE.SHA.part) is resumed with a Range request, its
// bytes hashed again first. The file is renamed into place only once its size and SHA-256 match and,
// for a release the city says is signed, its signature checks (Windows); otherwise the partial file is
// removed and ErrVerify returned. Other downloads in Dir (older releases) are removed once one is
// complete.
func Fetch(ctx context.Context, cfg Config, rel protocol.Release, progress Progress) (string, error) {
	if err := Check(rel); err != nil {
		return "", err
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return "", err
	}
	final := filepath.Join(cfg.Dir, rel.File)
	if ok, _ := matches(final, rel); ok {
		return final, nil
	}
	part := filepath.Join(cfg.Dir, rel.File+"."+rel.SHA256[:16]+".part")
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	have, err := io.Copy(h, f) // what an earlier attempt kept
	if err != nil {
		return "", err
	}
	if have > rel.Size {
		if have, err = restart(f, h); err != nil {
			return "", err
		}
	}
	if have < rel.Size {
		if have, err = download(ctx, cfg, rel, f, h, have, progress); err != nil {
			return "", err
		}
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	if have != rel.Size || hex.EncodeToString(h.Sum(nil)) != rel.SHA256 {
		f.Close()
		os.Remove(part)
		return "", fmt.Errorf("%s: %d bytes, sha256 %x: %w", rel.File, have, h.Sum(nil), ErrVerify)
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if rel.Signed {
		if err := verifySignature(part); err != nil {
			os.Remove(part)
			return "", fmt.Errorf("%s: signature: %v: %w", rel.File, err, ErrVerify)
		}
	}
	if err := os.Rename(part, final); err != nil {
		return "", err
	}
	syncDir(cfg.Dir)
	tidy(cfg.Dir, rel.File)
	return final, nil
}

// download appends the bytes after have to f (and h), from the hub.
func download(ctx context.Context, cfg Config, rel protocol.Release, f *os.File, h hashWriter, have int64, progress Progress) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, URL(cfg.Hub, rel), nil)
	if err != nil {
		return have, err
	}
	req.Header.Set("Authorization", "Bearer "+cfg.Token)
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
		req.Header.Set("If-Range", `"`+rel.SHA256+`"`) // another file under the name: send it whole
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, ResponseHeaderTimeout: 30 * time.Second}}
	}
	resp, err := client.Do(req)
	if err != nil {
		return have, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		if start, ok := rangeStart(resp.Header.Get("Content-Range")); !ok || start != have {
			return have, fmt.Errorf("%s: the hub sent bytes from %q, not %d", rel.File, resp.Header.Get("Content-Range"), have)
		}
		if _, err := f.Seek(have, io.SeekStart); err != nil {
			return have, err
		}
	case resp.StatusCode == http.StatusOK:
		if have, err = restart(f, h); err != nil {
			return have, err
		}
	case resp.StatusCode == http.StatusNotFound:
		return have, fmt.Errorf("%s: %w", rel.File, ErrGone)
	default:
		return have, fmt.Errorf("%s: the hub answered %s", rel.File, resp.Status)
	}
	if progress != nil {
		progress(have, rel.Size)
	}
	// Never more than the release's size, whatever the hub sends.
	body := io.LimitReader(resp.Body, rel.Size-have)
	buf := make([]byte, 64<<10)
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if _, err := f.Write(buf[:n]); err != nil {
				return have, err
			}
			h.Write(buf[:n])
			have += int64(n)
			if progress != nil {
				progress(have, rel.Size)
			}
		}
		if rerr == io.EOF {
			return have, nil
		}
		if rerr != nil {
			// What arrived is kept (and durable): the next attempt asks for the rest.
			_ = f.Sync()
			return have, fmt.Errorf("%s: cut after %d of %d bytes: %w", rel.File, have, rel.Size, rerr)
		}
	}
}

// ErrGone is a release the hub no longer serves (the city published another since the welcome).
var ErrGone = errors.New("the city no longer serves this release")

type hashWriter interface {
	io.Writer
	Reset()
}

func restart(f *os.File, h hashWriter) (int64, error) {
	h.Reset()
	if err := f.Truncate(0); err != nil {
		return 0, err
	}
	_, err := f.Seek(0, io.SeekStart)
	return 0, err
}

// rangeStart reads the first byte position of a Content-Range header: "bytes 100-199/200".
func rangeStart(cr string) (int64, bool) {
	rest, ok := strings.CutPrefix(cr, "bytes ")
	if !ok {
		return 0, false
	}
	first, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(first, 10, 64)
	return n, err == nil
}

// matches reports whether path holds rel's bytes.
func matches(path string, rel protocol.Release) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() != rel.Size {
		return false, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == rel.SHA256, nil
}

// tidy removes what Dir holds besides keep and the partial file of the release being fetched: older
// releases, given-up partial files.
func tidy(dir, keep string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Name() != keep && !e.IsDir() {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// Chinese is a sentence for a clerk about a failed fetch or install.
func Chinese(err error) string {
	var pe *os.PathError
	switch {
	case errors.Is(err, ErrVerify):
		return "下载的新版本与市局公布的不一致，已删除，稍后重新下载"
	case errors.Is(err, ErrGone):
		return "市局已换了新的版本，稍后重新下载"
	case errors.Is(err, ErrReadOnly):
		return err.Error()
	case errors.As(err, &pe):
		return "新版本无法保存或打开（" + pe.Path + "）"
	}
	var ue *url.Error
	if errors.As(err, &ue) || strings.Contains(err.Error(), "cut after") {
		return "新版本下载中断，有网络时会接着下载"
	}
	return "新版本下载失败，稍后重试"
}
