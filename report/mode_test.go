//go:build !windows

package report

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Exports hold names and phone numbers: each file is written 0600 whatever the umask, into a folder
// others can read and over an older export others could read, and WriteFile names every file it wrote
// by its absolute path, so the clerk is told where they went. Not parallel: it sets the umask.
func TestExportModes(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	tables := []Table{
		{Name: "名册", Columns: []string{"姓名", "电话"}, Rows: [][]any{{"李四", "13912345678"}}},
		{Name: "按村", Columns: []string{"村"}, Rows: [][]any{{"鲁村一村"}}},
	}
	if err := os.WriteFile("名册.xlsx", []byte("an older export"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"名册.xlsx", "名册.csv"} {
		files, err := WriteFile(name, tables) // a relative name, as typed after --out
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{"名册.xlsx": {"名册.xlsx"}, "名册.csv": {"名册.csv", "名册-按村.csv"}}[name]
		if len(files) != len(want) {
			t.Fatalf("%s: wrote %v, want %v", name, files, want)
		}
		for i, f := range files {
			if f != filepath.Join(dir, want[i]) {
				t.Errorf("%s: reported %q, want the absolute %q", name, f, filepath.Join(dir, want[i]))
			}
			fi, err := os.Stat(f)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v (%v), want 0600", f, fi.Mode().Perm(), err)
			}
		}
	}
}
