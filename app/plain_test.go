package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"techaid/sync/client"
)

// recordingSync is a Syncer that records what the UI configured; which addresses are unencrypted is
// the sync client's own rule.
type recordingSync struct {
	states     chan SyncState
	configured []configured
}

type configured struct {
	url, token string
	plain      bool
}

func (r *recordingSync) States() <-chan SyncState    { return r.states }
func (r *recordingSync) Config() (string, string)    { return "", "" }
func (r *recordingSync) Unencrypted(url string) bool { return client.Plain(url) }
func (r *recordingSync) Configure(url, token string, plain bool) (string, error) {
	r.configured = append(r.configured, configured{url, token, plain})
	return "", nil
}

// An unencrypted address to another machine is used only after the clerk ticked that they know what it
// means and pressed 仍然使用; cancelling configures nothing. wss://, an address without a scheme and
// ws:// on this PC need no confirmation.
func TestPlainAddressConfirm(t *testing.T) {
	st := townStore(t, baseWall)
	h := newApp(t)
	rec := &recordingSync{states: make(chan SyncState)}
	h.sync = rec
	u := h.open(st)
	t.Cleanup(func() { close(rec.states) }) // before the window closes: the UI reads states until then
	u.Show("设置")
	settings := u.tabs.Selected().Content
	server := find(settings, func(e *field) bool { return e.PlaceHolder == "wss://kjj.zibo.gov.cn" })
	token := find(settings, func(e *field) bool { return e.Password })
	if server == nil || token == nil {
		t.Fatal("设置 has no server address and token entries")
	}
	connect := mustButton(t, settings, "保存并连接")
	h.retype(token, "k7wq2xzb-m4nt6pjr-c3vh5sdy-e2gu7lfa")

	h.retype(server, "http://192.168.1.10:8750")
	test.Tap(connect)
	dlg := h.win.Canvas().Overlays().Top()
	if dlg == nil || len(rec.configured) != 0 {
		t.Fatalf("an unencrypted address to another machine: dialog %v, configured %+v; want a question first", dlg != nil, rec.configured)
	}
	msg := find(dlg, func(l *widget.Label) bool { return strings.Contains(l.Text, "不加密") })
	if msg == nil || !strings.Contains(msg.Text, "http://192.168.1.10:8750") {
		t.Error("the question does not say, in Chinese, which address is unencrypted")
	}
	use := mustButton(t, dlg, "仍然使用")
	if !use.Disabled() {
		t.Error("仍然使用 can be pressed before the clerk ticked the box")
	}
	test.Tap(mustButton(t, dlg, "取消"))
	if h.win.Canvas().Overlays().Top() != nil || len(rec.configured) != 0 {
		t.Fatalf("cancelled, yet configured %+v", rec.configured)
	}

	test.Tap(connect)
	dlg = h.win.Canvas().Overlays().Top()
	if dlg == nil {
		t.Fatal("no question the second time")
	}
	test.Tap(find(dlg, func(c *widget.Check) bool { return strings.Contains(c.Text, "风险") }))
	use = mustButton(t, dlg, "仍然使用")
	if use.Disabled() {
		t.Fatal("ticked, yet 仍然使用 cannot be pressed")
	}
	test.Tap(use)
	if want := (configured{"http://192.168.1.10:8750", "k7wq2xzb-m4nt6pjr-c3vh5sdy-e2gu7lfa", true}); len(rec.configured) != 1 || rec.configured[0] != want {
		t.Fatalf("configured %+v, want %+v", rec.configured, want)
	}
	if find(settings, func(l *widget.Label) bool { return strings.Contains(l.Text, "不加密的地址") }) == nil {
		t.Error("设置 does not say the address in use is unencrypted")
	}

	for _, addr := range []string{"wss://kjj.zibo.gov.cn", "kjj.zibo.gov.cn:8750", "ws://127.0.0.1:8750"} {
		h.retype(server, addr)
		test.Tap(connect)
		last := rec.configured[len(rec.configured)-1]
		if top := h.win.Canvas().Overlays().Top(); top != nil || last.url != addr || last.plain {
			t.Errorf("%s: dialog %v, configured %+v; want it used as it is", addr, top != nil, last)
		}
	}
}
