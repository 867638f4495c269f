//go:build !windows

package storage

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// makePrivate makes dir (created if missing) and everything in it private to this user, and makes the
// process create its files private from now on. It returns nil if nothing had to change.
func makePrivate(dir string) *Tightened {
	old := syscall.Umask(0o077)
	syscall.Umask(old | 0o077) // never loosen what the caller chose
	t := &Tightened{Dir: dir}
	if abs, err := filepath.Abs(dir); err == nil {
		t.Dir = abs
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil // Badger's open reports it
	}
	var failed []error
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			failed = append(failed, err)
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 || !(d.IsDir() || d.Type().IsRegular()) {
			return nil // a link's mode is not its target's; Badger makes no links
		}
		fi, err := d.Info()
		if err != nil {
			failed = append(failed, err)
			return nil
		}
		perm := fi.Mode().Perm()
		if perm&0o077 == 0 {
			return nil
		}
		want := perm &^ 0o077
		if d.IsDir() {
			want = 0o700
		}
		if err := os.Chmod(path, want); err != nil {
			failed = append(failed, err)
			return nil
		}
		if path == dir {
			t.DirWas = perm
		} else {
			t.Files++
		}
		return nil
	})
	if err != nil {
		failed = append(failed, err)
	}
	t.Failed = errors.Join(failed...)
	if t.DirWas == 0 && t.Files == 0 && t.Failed == nil {
		return nil
	}
	return t
}
