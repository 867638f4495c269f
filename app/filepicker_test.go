package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"techaid/storage"
)

// pickerFolder is a folder as a clerk's might look: a sub-folder, last week's backup, a table, a
// hidden file.
func pickerFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"旧备份.backup", "工作台账-2026.xlsx", "说明.txt", ".hidden.backup"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "U盘备份"), 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

func listed(p *picker) []string {
	var names []string
	for _, e := range p.items {
		names = append(names, e.Name())
	}
	return names
}

// The Chinese dialog: its places are the clerk's folders in Chinese, a save lists the folders and the
// files of its kind, a typed name without its extension gets it back, and the folder used is
// remembered for the next time.
func TestPickerSave(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	for _, d := range []string{".config", "桌面", "文档"} {
		if err := os.Mkdir(filepath.Join(home, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(home, ".config", "user-dirs.dirs"),
		[]byte("# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR=\"$HOME/桌面\"\nXDG_DOCUMENTS_DIR=\"$HOME/文档\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, townStore(t, baseWall))
	var labels []string
	for _, f := range userFolders(home) {
		labels = append(labels, f.label)
	}
	if !slices.Equal(labels, []string{"主文件夹", "桌面", "文档"}) {
		t.Errorf("places: %v", labels)
	}
	if got := h.u.lastFolder("backup"); got != filepath.Join(home, "文档") {
		t.Errorf("nothing remembered: starts in %q, want the documents folder", got)
	}

	dir := pickerFolder(t)
	var saved []string
	req := fileRequest{purpose: "backup", title: "备份到文件", name: "科技帮扶台账备份-20261101.backup"}
	p := h.u.showPicker(true, req, dir, func(path string) { saved = append(saved, path) })
	if got := listed(p); !slices.Equal(got, []string{"U盘备份", "旧备份.backup"}) {
		t.Errorf("listed %v: want the folder, then the backups (no table, no hidden file)", got)
	}
	if p.name.Text != req.name {
		t.Errorf("suggested name %q", p.name.Text)
	}
	p.list.Select(0) // into the sub-folder
	if p.dir != filepath.Join(dir, "U盘备份") || len(p.items) != 0 {
		t.Fatalf("after tapping the folder: in %q with %v", p.dir, listed(p))
	}
	test.Tap(mustButton(t, h.win.Canvas().Overlays().Top(), "上一级"))
	if p.dir != dir {
		t.Fatalf("上一级: in %q", p.dir)
	}

	// An existing name asks first; 取消 keeps the dialog.
	p.list.Select(1)
	if p.name.Text != "旧备份.backup" {
		t.Fatalf("tapping a file names it: %q", p.name.Text)
	}
	test.Tap(p.ok)
	ask := h.win.Canvas().Overlays().Top()
	if find(ask, func(l *widget.Label) bool { return l.Text == "“旧备份.backup”已经存在，要替换它吗？" }) == nil {
		t.Fatal("no question before replacing a file")
	}
	test.Tap(mustButton(t, ask, "取消"))
	if len(saved) != 0 {
		t.Fatalf("saved after 取消: %v", saved)
	}

	// A name typed without its extension.
	h.retype(p.name, "周备份")
	h.press("Return")
	if want := filepath.Join(dir, "周备份.backup"); !slices.Equal(saved, []string{want}) {
		t.Fatalf("saved %v, want %s", saved, want)
	}

	// Through pickSave: the folder is remembered for backups, not for tables.
	h.u.pickSave(req, func(string) {})
	p2 := find(h.win.Canvas().Overlays().Top(), func(f *field) bool { return f.Text == req.name })
	if p2 == nil {
		t.Fatal("pickSave showed no dialog with the suggested name")
	}
	h.retype(p2, "二号")
	h.press("Return")
	if got := h.u.lastFolder("backup"); got != filepath.Join(home, "文档") {
		t.Errorf("remembered %q after saving in the documents folder", got)
	}
	h.u.rememberFolder("backup", filepath.Join(dir, "U盘备份"))
	if got := h.u.lastFolder("backup"); got != filepath.Join(dir, "U盘备份") {
		t.Errorf("remembered %q", got)
	}
	if got := h.u.lastFolder("sheets"); got != filepath.Join(home, "文档") {
		t.Errorf("the tables' folder followed the backups': %q", got)
	}
	// A folder that went away (the USB stick was pulled) is not where the next dialog starts.
	if err := os.Remove(filepath.Join(dir, "U盘备份")); err != nil {
		t.Fatal(err)
	}
	if got := h.u.lastFolder("backup"); got != filepath.Join(home, "文档") {
		t.Errorf("starts in %q, a folder that is gone", got)
	}
}

func TestPickerOpen(t *testing.T) {
	h := newHarness(t, townStore(t, baseWall))
	dir := pickerFolder(t)
	var opened []string
	p := h.u.showPicker(false, fileRequest{purpose: "sheets", title: "导入省定重点村名单", exts: []string{".xlsx", ".csv"},
		kind: "Excel 工作簿或 CSV 文件"}, dir, func(path string) { opened = append(opened, path) })
	if got := listed(p); !slices.Equal(got, []string{"U盘备份", "工作台账-2026.xlsx"}) {
		t.Errorf("listed %v", got)
	}
	if !p.ok.Disabled() {
		t.Error("打开 is enabled before a file is picked")
	}
	p.list.Select(1)
	test.Tap(p.ok)
	if want := filepath.Join(dir, "工作台账-2026.xlsx"); !slices.Equal(opened, []string{want}) {
		t.Fatalf("opened %v", opened)
	}
	if h.win.Canvas().Overlays().Top() != nil {
		t.Error("the dialog stayed open")
	}
	// A folder that cannot be read is said, and the dialog stays where it was.
	p = h.u.showPicker(false, fileRequest{purpose: "sheets", title: "导入"}, dir, func(string) {})
	p.open(filepath.Join(dir, "没有这个文件夹"))
	if p.dir != dir || p.msg.Text == "" {
		t.Errorf("a missing folder: in %q, message %q", p.dir, p.msg.Text)
	}
}

// TestFirstRunRestore: a new PC replacing a broken one opens on the set-up screen, which offers the
// old PC's backup; restoring it opens the office with its records, with no set-up asked.
func TestFirstRunRestore(t *testing.T) {
	old := townStore(t, baseWall)
	backup := filepath.Join(t.TempDir(), "科技帮扶台账备份.backup")
	if err := old.BackupFile(backup); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	opts := storage.Options{Wall: fixedWall(baseWall)}
	st, err := storage.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	h := newApp(t)
	h.st = st
	h.win = h.app.NewWindow("科技帮扶台账")
	u := New(h.app, h.win, st, Options{Divisions: divisions, Version: "test",
		Restore: func(ctx context.Context, path string) (Ledger, error) { // as main.go does
			if err := st.Close(); err != nil {
				return nil, err
			}
			_, rerr := storage.Restore(dir, path, opts)
			reopened, err := storage.Open(dir, opts)
			if err != nil {
				return nil, errors.Join(rerr, err)
			}
			st = reopened
			return st, rerr
		}})
	t.Cleanup(u.Close)
	u.Start()
	content := h.win.Content()
	mustButton(t, content, "开始使用")
	mustButton(t, content, "从备份恢复…")

	u.restore(backup) // what the button leads to once the file is picked
	confirm := h.win.Canvas().Overlays().Top()
	if find(confirm, func(l *widget.Label) bool { return l.Text != "" && l.Wrapping != 0 }) == nil {
		t.Fatal("no confirmation")
	}
	test.Tap(mustButton(t, confirm, "恢复"))
	h.eventually("the restored office opens", func() bool {
		return u.trainings != nil && u.id.Scope == lucun && u.villages.count.Text != ""
	})
	if got := st.Identity().Clerk; got != clerkName {
		t.Errorf("restored clerk %q", got)
	}
}
