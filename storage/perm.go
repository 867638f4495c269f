package storage

import (
	"fmt"
	"io/fs"
	"strings"
)

// The data folder is private to the user who runs the program: it holds advisors' phone numbers and,
// without a passphrase, everything else in plain bytes. Open makes it so on every open (perm_unix.go):
// the folder 0700, every file in it 0600, and the process's umask 077 so that the files Badger and
// this package create later (tables, value logs, the manifest, backups) are born private: Badger creates
// its tables and logs with mode 0666 less the umask and has no option for a mode. On Windows the
// default folder, under %LOCALAPPDATA%, is private by its inherited ACL (perm_windows.go).

// Tightened says what Open had to change to make the data private, or why it could not.
type Tightened struct {
	Dir    string      // absolute
	DirWas fs.FileMode // the folder's permissions before, if they let others in; 0 if they did not
	Files  int         // files (and folders inside) whose group or other permissions were removed
	Failed error       // what could not be changed (a file of another user), or a folder Open cannot make private
}

// String is the line for a log.
func (t *Tightened) String() string {
	var parts []string
	if t.DirWas != 0 {
		parts = append(parts, fmt.Sprintf("the data folder %s was %#o, now 0700", t.Dir, t.DirWas.Perm()))
	}
	if t.Files > 0 {
		parts = append(parts, fmt.Sprintf("%d files in %s could be read by others, now 0600", t.Files, t.Dir))
	}
	if t.Failed != nil {
		parts = append(parts, fmt.Sprintf("could not make %s private: %v", t.Dir, t.Failed))
	}
	return "storage: " + strings.Join(parts, "; ")
}

// Chinese is the sentence a clerk sees, once: after the change the next open finds nothing to do.
func (t *Tightened) Chinese() string {
	if t.Failed != nil {
		return fmt.Sprintf("数据文件夹（%s）本机其他用户可能可以读取，且本程序无法改正（%v）。请让管理员把它改为只有本用户可以访问，或把数据放在本用户自己的文件夹里。", t.Dir, t.Failed)
	}
	return fmt.Sprintf("数据文件夹（%s）原来本机其他用户也能读取（里面有人员电话等信息），现已改为只有本用户可以访问。", t.Dir)
}

// Tightened reports what Open changed to make the data folder private; nil if it was private already.
func (s *Store) Tightened() *Tightened { return s.tightened }
