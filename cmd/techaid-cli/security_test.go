package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
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
