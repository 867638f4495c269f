package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/hub"
	"techaid/sync/synctest"
)

// The hub pings every session (every Idle/3); the client answers from a ping handler that must be in
// place before its reader goroutine starts. It was set just after, a data race that -race reported
// whenever a ping came in during a session (found by sync/faults' random schedules, whose hubs live
// long enough to ping). Here a hub pings every 100 ms a live office that answers each one, or the
// hub, hearing nothing for 300 ms, would cut it.
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
	h, err := hub.New(hub.Config{Store: st, App: "test", Logger: synctest.Logger(t), Idle: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { _ = h.Close(); srv.CloseClientConnections(); srv.Close() })
	_, tok, err := h.AddOffice("鲁村镇", synctest.Lucun)
	if err != nil {
		t.Fatal(err)
	}
	lu := synctest.NewReplica(t, srv.URL, tok, synctest.Lucun, "张敏", storage.Options{})
	lu.Sync()

	// Sessions back to back for a while, each with a change to push, so that pings land early in
	// sessions, before the reader has handed over many frames (which would order it after the
	// handler's setting); then a live session that must survive its pings.
	lv := codes(t, synctest.Lucun)
	for i := range 60 {
		create(t, lu.Store, training(fmt.Sprintf("培训%d", i), lv[i%len(lv)]))
		if _, err := lu.SyncErr(); err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
	}

	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() { done <- lu.Client.Run(ctx) }()
	synctest.WaitState(t, lu.Client, "up to date", synctest.UpToDate)
	time.Sleep(time.Second) // ten pings
	status, err := h.Status()
	if err != nil {
		t.Fatal(err)
	}
	if status.Sessions != 1 || lu.Client.State().Phase != client.UpToDate {
		t.Errorf("after a second of pings: %d sessions at the hub, the office %s (%v); want the session up",
			status.Sessions, lu.Client.State().Phase, lu.Client.State().Err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v, want context.Canceled", err)
	}
}
