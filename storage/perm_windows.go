//go:build windows

package storage

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// makePrivate on Windows changes nothing: file modes do not exist there (os.Chmod only sets the
// read-only flag), and access is decided by the folder's ACL. The default folder,
// %LOCALAPPDATA%\techaid\data, inherits the ACL of the user's profile (C:\Users\NAME), which lets in
// only that user, SYSTEM and the administrators. A --data or %TECHAID_DATA% folder outside the profile
// (D:\台账) inherits its drive's ACL, which on most PCs lets every user read it: that is reported.
func makePrivate(dir string) *Tightened {
	if outsideProfile(dir, os.Getenv("USERPROFILE"), os.Getenv("LOCALAPPDATA")) {
		abs, _ := filepath.Abs(dir)
		return &Tightened{Dir: abs, Failed: errors.New("the folder is outside this user's profile, whose permissions keep other users out")}
	}
	return nil
}

// outsideProfile reports whether dir lies outside every one of the user's own folders given.
func outsideProfile(dir string, own ...string) bool {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	abs = strings.ToLower(filepath.Clean(abs))
	known := false
	for _, o := range own {
		if o == "" {
			continue
		}
		known = true
		o = strings.ToLower(filepath.Clean(o))
		if abs == o || strings.HasPrefix(abs, o+string(filepath.Separator)) {
			return false
		}
	}
	return known
}
