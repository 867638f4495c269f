package client_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/hub"
	"techaid/sync/synctest"
)

// The hub pings every session (every hub.Config.Ping); the client answers from a ping handler that must
// be in place before its reader goroutine starts. It was set just after, a data race that -race
// reported whenever a ping came in during a session (found by sync/faults' random schedules, whose hubs
// live long enough to ping). Here a hub pings every 10 ms: first sessions back to back, each with a
// change to push, so that pings land early in sessions; then a live session through a proxy that
// counts the bytes each way: the hub's pings go down (2 bytes each), the office's pongs come up (6
// each, masked), and the office never opens another session. The test waits for fifty of each rather
// than for a time, and the hub's idle timeout is its default (90 s), so no load on the machine can
// make the hub cut the session: only an office that does not answer fails it.
func TestHubPings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st := synctest.Open(t, dir, synctest.City, "市局", storage.Options{})
	var in []ledger.Entity
	for _, v := range synctest.Villages(t, synctest.Lucun) {
		in = append(in, v)
	}
	if _, err := st.Import(bg, in, nil); err != nil {
		t.Fatal(err)
	}
	h := synctest.ServeConfig(t, hub.Config{Store: st, Ping: 10 * time.Millisecond}, dir)
	tok := h.Office("鲁村镇", synctest.Lucun)
	lu := synctest.NewReplica(t, h.URL, tok, synctest.Lucun, "张敏", storage.Options{})
	lu.Sync()

	lv := codes(t, synctest.Lucun)
	for i := range 60 {
		create(t, lu.Store, training(fmt.Sprintf("培训%d", i), lv[i%len(lv)]))
		if _, err := lu.SyncErr(); err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
	}

	proxy := synctest.StartProxy(t, strings.TrimPrefix(h.URL, "http://"))
	lu.Connect(proxy.URL, tok)
	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() { done <- lu.Client.Run(ctx) }()
	synctest.WaitState(t, lu.Client, "up to date", synctest.UpToDate)
	up, down := proxy.Up(), proxy.Down()
	synctest.Eventually(t, "fifty pings down and fifty pongs up", func() bool {
		return proxy.Down()-down >= 50*2 && proxy.Up()-up >= 50*6
	})
	status, err := h.Status()
	if err != nil {
		t.Fatal(err)
	}
	if proxy.Conns() != 1 || status.Sessions != 1 || lu.Client.State().Phase != client.UpToDate {
		t.Errorf("after fifty pings: %d connections through the proxy, %d sessions at the hub, the office %s (%v); want the one session up",
			proxy.Conns(), status.Sessions, lu.Client.State().Phase, lu.Client.State().Err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v, want context.Canceled", err)
	}
}
