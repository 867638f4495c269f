package app

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// A new version the city publishes: while it downloads the status bar says how far it has come,
// quietly; once verified it offers 有新版本 … and one click installs it. If the installation cannot
// start, the clerk is told why and may try again.
func TestUpgradeOffer(t *testing.T) {
	st := townStore(t, baseWall)
	h := newApp(t)
	rec := &recordingSync{states: make(chan SyncState)}
	h.sync = rec
	var installs atomic.Int32
	var fail atomic.Pointer[error]
	h.install = func() error { // runs off the UI thread
		installs.Add(1)
		if e := fail.Load(); e != nil {
			return *e
		}
		return nil
	}
	u := h.open(st)
	t.Cleanup(func() { close(rec.states) })
	b := u.status

	if b.upgrade.Visible() || b.fetching.Visible() {
		t.Fatal("an upgrade is offered before the city named one")
	}
	rec.states <- SyncState{Phase: SyncUpToDate, AsOf: baseWall, Upgrade: Upgrade{Version: "0.9.0", Done: 4 << 20, Total: 10 << 20}}
	h.eventually("the download's progress", func() bool {
		return b.fetching.Visible() && b.fetching.Text == "正在下载新版本 0.9.0（40%）" && !b.upgrade.Visible()
	})
	rec.states <- SyncState{Phase: SyncOffline, Upgrade: Upgrade{Version: "0.9.0", Done: 5 << 20, Total: 10 << 20, Problem: "新版本下载中断，有网络时会接着下载"}}
	h.eventually("the cut", func() bool {
		return b.fetching.Visible() && strings.Contains(b.fetching.Text, "中断") && !b.upgrade.Visible()
	})
	rec.states <- SyncState{Phase: SyncUpToDate, AsOf: baseWall, Upgrade: Upgrade{Version: "0.9.0", Done: 10 << 20, Total: 10 << 20, Ready: true}}
	h.eventually("the offer", func() bool {
		return b.upgrade.Visible() && b.upgrade.Text == "有新版本 0.9.0，点击安装" && !b.fetching.Visible()
	})

	failed := errors.New("新版本已下载到 /tmp/x.tar.xz；本机的程序由管理员安装")
	fail.Store(&failed)
	test.Tap(b.upgrade)
	h.eventually("a failed installation is said", func() bool {
		dlg := h.win.Canvas().Overlays().Top()
		return dlg != nil && find(dlg, func(l *widget.Label) bool {
			return strings.Contains(l.Text, "无法安装新版本") && strings.Contains(l.Text, "管理员")
		}) != nil
	})
	if installs.Load() != 1 {
		t.Fatalf("one click installed %d times", installs.Load())
	}
	if b.upgrade.Disabled() || b.upgrade.Text != "有新版本 0.9.0，点击安装" {
		t.Errorf("after a failure the button says %q, disabled %v", b.upgrade.Text, b.upgrade.Disabled())
	}
	h.win.Canvas().Overlays().Top().Hide()
	fail.Store(nil)
	test.Tap(b.upgrade)
	h.eventually("the second click starts the installation", func() bool { return installs.Load() == 2 })
	if !b.upgrade.Disabled() || b.upgrade.Text != "正在准备安装新版本…" {
		t.Errorf("while the installation starts the button says %q, disabled %v", b.upgrade.Text, b.upgrade.Disabled())
	}
}
