package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	rev := debug.BuildSetting{Key: "vcs.revision", Value: "f47b31fdfec49c5eb5899343e13d935a6da63b34"}
	clean := debug.BuildSetting{Key: "vcs.modified", Value: "false"}
	dirty := debug.BuildSetting{Key: "vcs.modified", Value: "true"}
	for _, c := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"no build information", nil, "dev"},
		{"go run, go test: no version, no commit", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
		{"go build in a checkout: the pseudo-version names the commit",
			&debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261203140928-f47b31fdfec4"}, Settings: []debug.BuildSetting{rev, clean}},
			"v0.0.0-20261203140928-f47b31fdfec4"},
		{"changed files", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261203140928-f47b31fdfec4+dirty"}, Settings: []debug.BuildSetting{rev, dirty}},
			"v0.0.0-20261203140928-f47b31fdfec4+dirty"},
		{"a tag", &debug.BuildInfo{Main: debug.Module{Version: "v0.5.0"}, Settings: []debug.BuildSetting{rev, clean}}, "v0.5.0"},
		{"a commit without a module version", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{rev, clean}},
			"dev+f47b31fdfec4"},
		{"a changed commit without a module version", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{rev, dirty}},
			"dev+f47b31fdfec4.dirty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := FromBuildInfo(c.bi); got != c.want {
				t.Errorf("FromBuildInfo = %q, want %q", got, c.want)
			}
		})
	}
}

func TestStampedWins(t *testing.T) {
	if got := Version("0.4.0+f47b31f"); got != "0.4.0+f47b31f" {
		t.Errorf("Version(stamped) = %q", got)
	}
	// A test binary carries no module version and no commit.
	if got := Version("dev"); got != "dev" {
		t.Errorf(`Version("dev") in a test = %q, want "dev"`, got)
	}
}
