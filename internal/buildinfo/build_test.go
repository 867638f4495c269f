package buildinfo

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPlainBuild builds the commands as a developer would, with a plain go build and no version
// stamped, and checks that --version says what the toolchain recorded instead of "dev": in a git
// checkout the module's pseudo-version, which names the commit.
func TestPlainBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two commands")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rev, _ := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	// Go 1.26 stamps no VCS information in a git worktree (.git is a file there), only in a clone.
	gitDir, _ := os.Stat(filepath.Join(root, ".git"))
	clone := len(rev) >= 12 && gitDir != nil && gitDir.IsDir()
	for _, name := range []string{"techaid-cli", "techaid-city"} {
		bin := filepath.Join(dir, name)
		// -buildvcs=auto is go build's default; it is spelled out because a GOFLAGS of the environment
		// may say otherwise.
		build := exec.Command("go", "build", "-buildvcs=auto", "-o", bin, "./cmd/"+name)
		build.Dir = root
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", name, err, out)
		}
		info, err := exec.Command("go", "version", "-m", bin).Output()
		if err != nil {
			t.Fatalf("go version -m: %v", err)
		}
		recorded := regexp.MustCompile(`(?m)^\tmod\ttechaid\t(\S+)`).FindSubmatch(info)
		if recorded == nil {
			t.Fatalf("go version -m %s names no main module:\n%s", name, info)
		}
		out, err := exec.Command(bin, "--version").Output()
		if err != nil {
			t.Fatalf("%s --version: %v", name, err)
		}
		got := strings.TrimSpace(string(out))
		want := name + " " + string(recorded[1])
		if string(recorded[1]) == "(devel)" {
			want = name + " dev"
		}
		if got != want {
			t.Errorf("%s --version = %q, want %q (go version -m:\n%s)", name, got, want, info)
		}
		if clone {
			if !strings.Contains(got, string(rev[:12])) {
				t.Errorf("%s --version = %q: a build in a git clone should name the commit %s", name, got, rev[:12])
			}
		} else {
			t.Logf("%s: not a git clone (a worktree or an export): %q", name, got)
		}
	}
}
