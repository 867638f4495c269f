package client_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/synctest"
)

// A live office whose own edit has not reached the hub yet (its uplink stalled) receives another
// office's concurrent edit of the same field. It must not apply it before the hub holds its own edit:
// otherwise it would push the winner instead of its value, and only one side would ever log the
// conflict. Both the hub and the office log it.
func TestLiveConflictLoggedOnBothSides(t *testing.T) {
	t.Parallel()
	h := synctest.StartHub(t)
	lucunTok := h.Office("鲁村镇", synctest.Lucun)
	lu := synctest.NewReplica(t, h.URL, lucunTok, synctest.Lucun, "张敏", storage.Options{})
	city := synctest.NewReplica(t, h.URL, h.Office("市局", synctest.City), synctest.City, "刘洋", storage.Options{})
	lu.Sync()
	id := create(t, lu.Store, training("苹果树冬季修剪", codes(t, synctest.Lucun)[0]))
	lu.Sync()
	city.Sync()

	other := create(t, lu.Store, training("果园病虫害防治", codes(t, synctest.Lucun)[1]))
	lu.Sync()

	// One push in flight at a time, one change per push: with the uplink held, a second edit stays in
	// the outbox, not yet encoded, when the city's edit arrives.
	proxy := synctest.StartProxy(t, strings.TrimPrefix(h.URL, "http://"))
	live := client.New(client.Config{URL: proxy.URL, Token: lucunTok, Store: lu.Store, App: "test", Window: 1, Batch: 1,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Logger: synctest.Logger(t)})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go live.Run(ctx)
	waitFor(t, live, func(s client.State) bool { return s.Phase == client.UpToDate })

	proxy.Hold() // the township's pushes wait in the proxy
	if err := lu.Store.SetFields(ctx, ledger.KindTraining, other, map[string]string{"attendees": "45"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // that push leaves for the stalled uplink and fills the window
	if err := lu.Store.SetFields(ctx, ledger.KindTraining, id, map[string]string{"topic": "镇上改的主题"}); err != nil {
		t.Fatal(err)
	}
	if err := city.Store.SetFields(ctx, ledger.KindTraining, id, map[string]string{"topic": "市局改的主题"}); err != nil {
		t.Fatal(err)
	}
	city.Sync()                        // the city's edit is at the hub and fanned out to the township
	time.Sleep(500 * time.Millisecond) // …which receives it while its own edit is still held
	proxy.Release()

	// Which edit wins is the later stamp's call, and stamps come from clocks corrected by offsets
	// measured to a few milliseconds (more on a loaded machine): the city's edit, made just after the
	// township's, usually wins but need not. What must hold: both end with the hub's winner, and both
	// log the other value as the loser.
	const town, cityTopic = "镇上改的主题", "市局改的主题"
	var winner string
	deadline := time.Now().Add(20 * time.Second)
	for {
		tr, err := storage.Get[ledger.Training](lu.Store, id)
		held, herr := storage.Get[ledger.Training](h.Store, id)
		if err == nil && herr == nil && tr.Topic == held.Topic && (tr.Topic == cityTopic || tr.Topic == town) &&
			lu.Store.Stats(nil).Pending == 0 {
			winner = tr.Topic
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the township and the hub never agreed (township %q, hub %q; %v, %v)", tr.Topic, held.Topic, err, herr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	loser := town
	if winner == town {
		loser = cityTopic
	}
	for name, st := range map[string]*storage.Store{"hub": h.Store, "township": lu.Store} {
		conflicts, err := st.Conflicts(false)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range conflicts {
			if c.ID == id && c.Field == "topic" && c.Loser.Value == loser && c.Winner.Value == winner {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: the conflict is not logged (log: %+v)", name, conflicts)
		}
	}
}

// waitFor waits until the client reports a state that ok accepts.
func waitFor(t *testing.T, c *client.Client, ok func(client.State) bool) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		if ok(c.State()) {
			return
		}
		select {
		case <-c.States():
		case <-time.After(50 * time.Millisecond):
		case <-timeout:
			t.Fatalf("client never reached the state; last %+v", c.State())
		}
	}
}
