//go:build !windows

package storage

import (
	"context"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"techaid/ledger"
)

// privateModes fails the test unless dir is 0700 and everything in it is 0600 (folders 0700). It
// returns the names it checked.
func privateModes(t *testing.T, what, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: %s is %#o, want %#o", what, path, fi.Mode().Perm(), want)
		}
		names = append(names, filepath.Base(path))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// loosen makes dir 0755 and its files 0644, as an installer, a copied profile or a folder made by hand
// leaves them.
func loosen(t *testing.T, dir string) int {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(path, 0o755)
		}
		files++
		return os.Chmod(path, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// A store in a folder others can read is made private on open, once, and says so; every file written
// afterwards (memtables, tables written by flushes and compactions, value logs, the manifest, backups,
// the salt and format files) is born private, although the process's umask was the usual 022. Not
// parallel: it sets the process's umask.
func TestPrivateFiles(t *testing.T) {
	for _, passphrase := range []string{"", "鲁村镇的口令"} {
		t.Run(map[bool]string{true: "plain", false: "encrypted"}[passphrase == ""], func(t *testing.T) {
			old := syscall.Umask(0o022)
			defer syscall.Umask(old)
			dir := filepath.Join(t.TempDir(), "data")
			var logged strings.Builder
			opts := Options{Passphrase: passphrase, Wall: newTestClock(baseWall).Now, Logger: log.New(&logged, "", 0)}

			s, err := Open(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			if s.Tightened() != nil {
				t.Errorf("a new store reports a change of permissions: %v", s.Tightened())
			}
			if err := s.Init(lucun, clerkName); err != nil {
				t.Fatal(err)
			}
			importSample(t, s)
			privateModes(t, "a new store", dir)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}

			files := loosen(t, dir)
			syscall.Umask(0o022)
			s, err = Open(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			tt := s.Tightened()
			if tt == nil || tt.DirWas != 0o755 || tt.Files != files || tt.Failed != nil {
				t.Fatalf("Tightened after opening a 0755 folder of %d 0644 files: %+v", files, tt)
			}
			if !strings.Contains(logged.String(), "was 0755, now 0700") || !strings.Contains(tt.Chinese(), "只有本用户") {
				t.Errorf("the change is not said: log %q, clerk %q", logged.String(), tt.Chinese())
			}
			privateModes(t, "opened", dir)

			// Writes: trainings with notes long enough for the value log, a memtable flushed to a new
			// table (DropPrefix of a prefix no key has flushes it), a compaction of every level, a
			// value-log GC, a backup into a folder others can read.
			write := func() {
				t.Helper()
				notes := strings.Repeat("修剪要点，", 300) // over the 1 KiB value threshold
				var batch []ledger.Entity
				for i := 0; i < 2000; i++ {
					tr := training(ledger.Date("2026-10-01"), []ledger.Code{lucun1}, nil)
					tr.Notes = notes
					batch = append(batch, tr)
				}
				if _, err := s.Import(context.Background(), batch, nil); err != nil {
					t.Fatal(err)
				}
				if err := s.db.DropPrefix([]byte{0xff}); err != nil {
					t.Fatal(err)
				}
				if err := s.db.Flatten(1); err != nil {
					t.Fatal(err)
				}
				_ = s.db.RunValueLogGC(0.01)
			}
			write()
			shared := t.TempDir()
			os.Chmod(shared, 0o755)
			backup := filepath.Join(shared, "鲁村镇.backup")
			if err := s.BackupFile(backup); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("the backup file: %v, %v; want 0600", fi.Mode(), err)
			}
			names := privateModes(t, "after writes and compaction", dir)
			for _, want := range []string{"MANIFEST", "LOCK", "techaid.format", ".vlog", ".sst", ".mem"} {
				if !slices.ContainsFunc(names, func(n string) bool { return strings.HasSuffix(n, want) }) {
					t.Errorf("no %s among the store's files %v: the test did not reach what it checks", want, names)
				}
			}
			if passphrase != "" && !slices.Contains(names, saltFile) {
				t.Errorf("no %s among %v", saltFile, names)
			}

			// A program that loosens its umask after Open gets new files others could read while it
			// runs (inside the 0700 folder, so still out of their reach); Close makes them private.
			syscall.Umask(0o022)
			write()
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			privateModes(t, "closed after the umask was loosened", dir)

			// Said once: the next open has nothing to change.
			s2, err := Open(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			if s2.Tightened() != nil {
				t.Errorf("the open after the change reports one again: %v", s2.Tightened())
			}
		})
	}
}
