package app

import (
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// fileRequest is a file the clerk is asked for: to open (exts set) or to save under a name (name set).
type fileRequest struct {
	// purpose keys the folder remembered for it: the tables go to one folder, backups often to a USB
	// stick.
	purpose string
	title   string
	name    string   // save: the name suggested; its extension is put back if the clerk drops it
	exts    []string // open: the extensions offered (".xlsx"); none: every file
	kind    string   // what those files are, for the system dialog's filter ("Excel 工作簿或 CSV 文件")
}

// nativeFiles is the system's own file dialogs where the system has them (Windows: filedialog_windows.go,
// the dialogs of Windows itself, in its language); nil elsewhere, where the Chinese dialog of
// filepicker.go is used. Each call blocks until the clerk closes the dialog and returns "" when they
// cancelled it.
var nativeFiles interface {
	open(r fileRequest, dir string) (string, error)
	save(r fileRequest, dir string) (string, error)
}

// pickOpen asks for a file to open, starting in the folder last used for r.purpose, and calls done on
// the UI thread with its path (never with "": a cancel calls nothing).
func (u *UI) pickOpen(r fileRequest, done func(path string)) { u.pickFile(false, r, done) }

// pickSave asks for a name to save under (the system's dialog or ours asks before replacing a file).
func (u *UI) pickSave(r fileRequest, done func(path string)) { u.pickFile(true, r, done) }

func (u *UI) pickFile(save bool, r fileRequest, done func(string)) {
	dir := u.lastFolder(r.purpose)
	finish := func(path string) {
		if path == "" {
			return
		}
		if save {
			path = withExtension(path, filepath.Ext(r.name))
		}
		u.rememberFolder(r.purpose, filepath.Dir(path))
		done(path)
	}
	if nativeFiles == nil {
		u.showPicker(save, r, dir, finish)
		return
	}
	u.nativePick(save, r, dir, finish)
}

// withExtension puts ext back on a name the clerk typed without one ("备份" → "备份.backup").
func withExtension(path, ext string) string {
	if ext == "" || filepath.Ext(path) != "" {
		return path
	}
	return path + ext
}

// lastFolder is where the dialog for purpose starts: the folder last used for it if it still exists
// (a USB stick may be gone), else the clerk's documents folder, else their home folder.
func (u *UI) lastFolder(purpose string) string {
	if dir := u.app.Preferences().String(folderPref(purpose)); isDir(dir) {
		return dir
	}
	return documentsFolder()
}

func (u *UI) rememberFolder(purpose, dir string) {
	u.app.Preferences().SetString(folderPref(purpose), dir)
}

func folderPref(purpose string) string { return "folder." + purpose }

func isDir(path string) bool {
	if path == "" {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// documentsFolder is the clerk's documents folder: Windows' Documents (under the profile), the XDG
// documents folder elsewhere (文档 on a Chinese desktop), else home.
func documentsFolder() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	for _, p := range userFolders(home) {
		if p.documents {
			return p.path
		}
	}
	return home
}

// userFolder is one of the places the Chinese dialog lists on its left.
type userFolder struct {
	label     string
	path      string
	documents bool
	removable bool
}

// userFolders are the clerk's own folders that exist: home, desktop, documents and downloads, named as
// the desktop names them (~/.config/user-dirs.dirs: 桌面, 文档, 下载 on a Chinese desktop, Desktop… on an
// English one, Windows' Desktop, Documents, Downloads).
func userFolders(home string) []userFolder {
	xdg := readUserDirs(home)
	out := []userFolder{{label: T("主文件夹"), path: home}}
	for _, f := range []struct {
		key, label string
		names      []string
	}{
		{"XDG_DESKTOP_DIR", T("桌面"), []string{"桌面", "Desktop"}},
		{"XDG_DOCUMENTS_DIR", T("文档"), []string{"文档", "Documents"}},
		{"XDG_DOWNLOAD_DIR", T("下载"), []string{"下载", "Downloads"}},
	} {
		candidates := []string{xdg[f.key]}
		for _, n := range f.names {
			candidates = append(candidates, filepath.Join(home, n))
		}
		for _, c := range candidates {
			if c != "" && c != home && isDir(c) {
				out = append(out, userFolder{label: f.label, path: c, documents: f.key == "XDG_DOCUMENTS_DIR"})
				break
			}
		}
	}
	return out
}

// readUserDirs reads ~/.config/user-dirs.dirs (XDG_DESKTOP_DIR="$HOME/桌面" lines); missing: none.
func readUserDirs(home string) map[string]string {
	out := map[string]string{}
	config := os.Getenv("XDG_CONFIG_HOME")
	if config == "" {
		config = filepath.Join(home, ".config")
	}
	data, err := os.ReadFile(filepath.Join(config, "user-dirs.dirs"))
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		key, value, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || strings.HasPrefix(key, "#") {
			continue
		}
		value = strings.Trim(value, `"`)
		value = strings.Replace(value, "$HOME", home, 1)
		if filepath.IsAbs(value) {
			out[key] = value
		}
	}
	return out
}

// removableFolders are the USB sticks and discs mounted for the clerk (/media/USER/NAME,
// /run/media/USER/NAME): a backup usually goes to one.
func removableFolders() []userFolder {
	var out []userFolder
	user := os.Getenv("USER")
	for _, base := range []string{filepath.Join("/media", user), filepath.Join("/run/media", user)} {
		if user == "" {
			break
		}
		entries, err := os.ReadDir(base)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if p := filepath.Join(base, e.Name()); isDir(p) {
				out = append(out, userFolder{label: e.Name(), path: p, removable: true})
			}
		}
	}
	return out
}

// nativePick runs the system's dialog off the UI thread (it blocks until the clerk closes it) and
// covers the window meanwhile, so that the clerk does not start a second export under it.
func (u *UI) nativePick(save bool, r fileRequest, dir string, done func(string)) {
	wait := dialog.NewCustomWithoutButtons(r.title, widget.NewLabel(T("请在打开的窗口中选择文件。")), u.win)
	wait.Show()
	u.spawn(func() {
		var path string
		var err error
		if save {
			path, err = nativeFiles.save(r, dir)
		} else {
			path, err = nativeFiles.open(r, dir)
		}
		fyne.Do(func() {
			wait.Hide()
			if err != nil {
				u.showError(err)
				return
			}
			done(path)
		})
	})
}
