package app

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/sqweek/dialog"
)

// On Windows the file dialogs are the system's own (GetOpenFileName/GetSaveFileName through
// github.com/sqweek/dialog, cgo-free): in the language of Windows, with the clerk's usual places, USB
// sticks and network shares; the system asks before replacing a file.
func init() { nativeFiles = windowsFiles{} }

type windowsFiles struct{}

func (windowsFiles) open(r fileRequest, dir string) (string, error) {
	b := dialog.File().Title(r.title).SetStartDir(dir)
	if len(r.exts) > 0 {
		var exts []string
		for _, e := range lowerExts(r.exts) {
			exts = append(exts, strings.TrimPrefix(e, "."))
		}
		b = b.Filter(r.kind, exts...)
	}
	return run(b.Load)
}

func (windowsFiles) save(r fileRequest, dir string) (string, error) {
	b := dialog.File().Title(r.title).SetStartDir(dir).SetStartFile(r.name)
	if ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(r.name)), "."); ext != "" {
		kind := r.kind
		if kind == "" {
			kind = T("%s 文件", strings.ToUpper(ext))
		}
		b = b.Filter(kind, ext)
	}
	return run(b.Save)
}

// run shows the dialog on a thread of its own (the dialog runs its own message loop there until it
// closes); a cancel is "", nil.
func run(show func() (string, error)) (string, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	path, err := show()
	if errors.Is(err, dialog.ErrCancelled) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("%s%w", T("系统的文件窗口打不开："), err)
	}
	return path, nil
}
