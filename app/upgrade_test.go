package app

import (
	"errors"
	"strings"
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
	installs := 0
	var fail error
	h.install = func() error {
		installs++
		return fail
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

	fail = errors.New("新版本已下载到 /tmp/x.tar.xz；本机的程序由管理员安装")
	test.Tap(b.upgrade)
	if installs != 1 {
		t.Fatalf("one click installed %d times", installs)
	}
	dlg := h.win.Canvas().Overlays().Top()
	if dlg == nil || find(dlg, func(l *widget.Label) bool {
		return strings.Contains(l.Text, "无法安装新版本") && strings.Contains(l.Text, "管理员")
	}) == nil {
		t.Fatal("a failed installation says nothing")
	}
	if b.upgrade.Disabled() {
		t.Error("after a failure the button stays disabled")
	}
	fail = nil
	test.Tap(b.upgrade)
	if installs != 2 || !b.upgrade.Disabled() {
		t.Errorf("the second click: %d installs, disabled %v; want the installation started, the button off", installs, b.upgrade.Disabled())
	}
}
