// Package buildinfo says which build of techaid a program is, for --version, the status line and the
// hub's status page. It reads only what the Go toolchain and the release script put into the binary.
package buildinfo

import (
	"runtime/debug"
	"strings"
)

// Version is the version of this build: stamped, when scripts/package.sh stamped one into the
// command (-ldflags "-X main.version=…"; "dev" and "" mean none), else what the Go toolchain recorded
// (see FromBuildInfo), else "dev".
func Version(stamped string) string {
	if stamped != "" && stamped != "dev" {
		return stamped
	}
	bi, _ := debug.ReadBuildInfo()
	return FromBuildInfo(bi)
}

// FromBuildInfo is the version a binary's build information names: a plain `go build` or `go install`
// in a git checkout records the module's version (a tag, or a pseudo-version such as
// v0.0.0-20261203140928-f47b31fdfec4 that names the commit) and "+dirty" when files were changed. When
// the module version is missing (a build with -buildvcs=false, or from a git worktree, which Go 1.26
// does not stamp) but the commit is known, "dev+" and its first 12 digits; with neither, "dev".
func FromBuildInfo(bi *debug.BuildInfo) string {
	if bi == nil {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	v := "dev+" + rev[:min(12, len(rev))]
	if dirty && !strings.HasSuffix(v, "+dirty") {
		v += ".dirty"
	}
	return v
}
