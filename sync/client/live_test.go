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
	done := make(chan error, 1)
	go func() { done <- live.Run(ctx) }()
	defer func() { cancel(); <-done }()
	synctest.WaitState(t, live, "the township up to date", synctest.UpToDate)

	proxy.Hold() // the township's pushes wait in the proxy
	if err := lu.Store.SetFields(ctx, ledger.KindTraining, other, map[string]string{"attendees": "45"}); err != nil {
		t.Fatal(err)
	}
	// That push leaves for the stalled uplink and fills the window: the next edit stays in the outbox.
	synctest.Eventually(t, "the push held in the proxy", func() bool { return proxy.Held() > 0 })
	if err := lu.Store.SetFields(ctx, ledger.KindTraining, id, map[string]string{"topic": "镇上改的主题"}); err != nil {
		t.Fatal(err)
	}
	if err := city.Store.SetFields(ctx, ledger.KindTraining, id, map[string]string{"topic": "市局改的主题"}); err != nil {
		t.Fatal(err)
	}
	// The city's edit reaches the hub, which sends it down to the township: a changes frame with the
	// training (hundreds of bytes; a ping is 2, a pong about 50). It is in the township's socket before
	// the ack of its held push can be (one TCP stream, in order), so the township receives it while its
	// own edit is still on the way.
	down := proxy.Down()
	city.Sync()
	synctest.Eventually(t, "the city's edit sent down to the township", func() bool { return proxy.Down()-down >= 200 })
	proxy.Release()

	// Which edit wins is the later stamp's call, and stamps come from clocks corrected by offsets
	// measured to a few milliseconds (more on a loaded machine): the city's edit, made just after the
	// township's, usually wins but need not. What must hold: both end with the hub's winner, and both
	// log the other value as the loser.
	const town, cityTopic = "镇上改的主题", "市局改的主题"
	var winner string
	synctest.Eventually(t, "the township and the hub agree", func() bool {
		tr, err := storage.Get[ledger.Training](lu.Store, id)
		held, herr := storage.Get[ledger.Training](h.Store, id)
		winner = tr.Topic
		return err == nil && herr == nil && tr.Topic == held.Topic && (tr.Topic == cityTopic || tr.Topic == town) &&
			lu.Store.Stats(nil).Pending == 0
	})
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
