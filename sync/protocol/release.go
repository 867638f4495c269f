package protocol

import (
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strings"
)

// Release is a version of the app the city publishes for one platform (techaid-city release add): the
// hub names it in welcome (and in an upgrade error) and serves its file at ReleasePath to offices that
// show their token; the office downloads it and checks it against Size and SHA256 before it installs.
type Release struct {
	Version  string `json:"version"`          // 0.5.0: the office installs it only if newer than its own
	Platform string `json:"platform"`         // GOOS-GOARCH: windows-amd64, linux-amd64
	File     string `json:"file"`             // its file name: techaid-setup-0.5.0-windows-amd64.exe
	Size     int64  `json:"size"`             // in bytes
	SHA256   string `json:"sha256"`           // of the whole file, 64 lower-case hex digits
	Signed   bool   `json:"signed,omitempty"` // an Authenticode signature the office must find good
}

// ReleasePrefix is where the hub serves releases: ReleasePrefix + PLATFORM + "/" + FILE.
const ReleasePrefix = "/release/"

// ReleasePath is where the hub serves the file of a release.
func ReleasePath(platform, file string) string { return ReleasePrefix + platform + "/" + file }

// MaxRelease bounds a release's size, whatever a hub says.
const MaxRelease = 1 << 30

// CheckRelease says whether a release's description is usable: a version, a platform, a plain file
// name (no folder: an office writes it into a folder of its own); with whole, a size and a SHA-256 too.
func CheckRelease(r Release, whole bool) error {
	switch {
	case r.Version == "" || len(r.Version) > 64 || strings.ContainsAny(r.Version, " /\\"):
		return fmt.Errorf("release: version %q", r.Version)
	case r.Platform == "" || len(r.Platform) > 32 || strings.ContainsAny(r.Platform, "/\\. ") || !strings.Contains(r.Platform, "-"):
		return fmt.Errorf("release: platform %q (GOOS-GOARCH)", r.Platform)
	case r.File == "" || len(r.File) > 200 || r.File != path.Base(r.File) || strings.ContainsAny(r.File, "/\\:") || strings.HasPrefix(r.File, "."):
		return fmt.Errorf("release: file name %q", r.File)
	}
	if !whole {
		return nil
	}
	if r.Size <= 0 || r.Size > MaxRelease {
		return fmt.Errorf("release: size %d", r.Size)
	}
	if b, err := hex.DecodeString(r.SHA256); err != nil || len(b) != 32 || strings.ToLower(r.SHA256) != r.SHA256 {
		return errors.New("release: sha256: 64 lower-case hex digits")
	}
	return nil
}
