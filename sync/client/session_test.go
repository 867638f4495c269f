package client_test

// The steps of a session one at a time (hello, reconcile, push and ack, apply and hold, pong), against
// a real hub where the step talks to one and a real store always: what the end-to-end tests can only
// reach by chance of timing, each step here is driven to it in order.

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/protocol"
	"techaid/sync/synctest"
)

// stepSession dials the hub for replica r and returns a session to drive by hand, closed when the test
// ends.
func stepSession(t *testing.T, c *client.Client) *client.Session {
	t.Helper()
	s := c.NewSession()
	t.Cleanup(s.Close)
	if err := s.Dial(bg); err != nil {
		t.Fatal(err)
	}
	return s
}

// begin says hello and reconciles.
func begin(t *testing.T, s *client.Session) protocol.Welcome {
	t.Helper()
	w, err := s.Hello(bg)
	if err != nil {
		t.Fatalf("hello: %v", err)
	}
	if err := s.Reconcile(w); err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	return w
}

// receive takes the next frame, which must be a T.
func receive[T protocol.Message](t *testing.T, s *client.Session) T {
	t.Helper()
	m, err := s.Receive(bg)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	got, ok := m.(T)
	if !ok {
		var want T
		t.Fatalf("received %T, want %T", m, want)
	}
	return got
}

// offlineStore is a township's store with its villages (as set-up copies them: no changes) and n
// trainings of its own, never synced.
func offlineStore(t *testing.T, n int) *storage.Store {
	t.Helper()
	st := synctest.Open(t, t.TempDir(), synctest.Lucun, "张敏", storage.Options{})
	var in []ledger.Entity
	for _, v := range synctest.Villages(t, synctest.Lucun) {
		in = append(in, v)
	}
	if _, err := st.ImportReference(bg, in, nil); err != nil {
		t.Fatal(err)
	}
	lv := codes(t, synctest.Lucun)
	for i := range n {
		create(t, st, training(fmt.Sprintf("培训%d", i), lv[i%len(lv)]))
	}
	return st
}

// Hello: the welcome names the office and the hub's epoch, and the clock offset measured against the
// hub's time is stored, so the store's clock reads the hub's time even on a PC two hours slow.
func TestSessionHello(t *testing.T) {
	t.Parallel()
	h := synctest.StartHub(t)
	tok := h.Office("鲁村镇", synctest.Lucun)
	var clock synctest.Clock
	clock.Set(time.Now().Add(-2 * time.Hour))
	lu := synctest.NewReplica(t, h.URL, tok, synctest.Lucun, "张敏", storage.Options{Wall: clock.Now})

	s := stepSession(t, lu.Client)
	w, err := s.Hello(bg)
	if err != nil {
		t.Fatal(err)
	}
	if w.Office != "鲁村镇" || w.Scope != synctest.Lucun || w.Epoch != h.Epoch() || w.Acked != 0 {
		t.Errorf("welcome %+v: want 鲁村镇 %s, epoch %s, nothing acknowledged", w, synctest.Lucun, h.Epoch())
	}
	if off := s.Progress().Offset; off < 2*time.Hour-time.Minute || off > 2*time.Hour+time.Minute {
		t.Errorf("offset %s, want about 2h", off)
	}
	if off := lu.Store.Clock().Offset(); off != s.Progress().Offset {
		t.Errorf("the store's clock offset is %s, the session measured %s", off, s.Progress().Offset)
	}

	// A token the hub does not know is its answer to the hello.
	stranger := synctest.NewReplica(t, h.URL, "not-a-token", synctest.Lucun, "李四", storage.Options{})
	var pe protocol.Error
	if _, err := stepSession(t, stranger.Client).Hello(bg); !errors.As(err, &pe) || pe.Code != protocol.CodeUnauthorized {
		t.Errorf("hello with an unknown token: %v, want %s", err, protocol.CodeUnauthorized)
	}
}

// Reconcile, on welcomes of every kind, against a store with three changes, two of them acknowledged,
// that pulled to cursor 40 of epoch e1.
func TestSessionReconcile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		welcome    func(mark string) protocol.Welcome // mark: the fingerprint of change 2
		reidentify bool
		cursor     uint64 // where the session pulls from
		acked      uint64 // what the store then holds as acknowledged
	}{
		{"as the store left it", func(mark string) protocol.Welcome {
			return protocol.Welcome{Epoch: "e1", Head: 100, Acked: 2, AckedMark: mark}
		}, false, 40, 2},
		{"a hub without marks", func(string) protocol.Welcome {
			return protocol.Welcome{Epoch: "e1", Head: 100, Acked: 2}
		}, false, 40, 2},
		{"nothing acknowledged", func(string) protocol.Welcome {
			return protocol.Welcome{Epoch: "e1", Head: 100}
		}, false, 40, 0},
		{"the hub never had as many changes as the cursor says", func(mark string) protocol.Welcome {
			return protocol.Welcome{Epoch: "e1", Head: 10, Acked: 2, AckedMark: mark}
		}, false, 0, 2},
		{"the hub restored from an older backup", func(string) protocol.Welcome {
			return protocol.Welcome{Epoch: "e2", Head: 100, Acked: 1}
		}, false, 0, 1},
		{"the hub holds more changes than the store made", func(string) protocol.Welcome {
			return protocol.Welcome{Epoch: "e1", Head: 100, Acked: 5}
		}, true, 0, 0},
		{"the hub holds another change under the acknowledged number", func(string) protocol.Welcome {
			return protocol.Welcome{Epoch: "e1", Head: 100, Acked: 2, AckedMark: "not the same change"}
		}, true, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := offlineStore(t, 3)
			if err := st.Ack(2); err != nil {
				t.Fatal(err)
			}
			if _, err := st.ApplyPulled(bg, nil, "e1", 40); err != nil {
				t.Fatal(err)
			}
			ch, err := st.ChangeAt(2)
			if err != nil {
				t.Fatal(err)
			}
			replica := st.Identity().Replica
			s := synctest.NewClient(t, st, "ws://127.0.0.1:1", "token").NewSession()
			if _, err := s.Holding(); err != nil {
				t.Fatal(err)
			}
			err = s.Reconcile(tc.welcome(storage.ChangeMark(ch.Kind, ch.ID, ch.Fields)))
			if tc.reidentify {
				if err == nil || st.Identity().Replica == replica || st.Stats(nil).Acked != 0 {
					t.Fatalf("reconcile: %v, replica %s (was %s), acked %d: want a new replica id with nothing acknowledged",
						err, st.Identity().Replica, replica, st.Stats(nil).Acked)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p := s.Progress()
			if p.Cursor != tc.cursor || p.Acked != tc.acked || p.Next != tc.acked || st.Stats(nil).Acked != tc.acked ||
				st.Identity().Replica != replica {
				t.Errorf("pull from %d, acknowledged %d, push after %d, the store's acknowledged %d; want %d, %d, %d, %d, the same replica",
					p.Cursor, p.Acked, p.Next, st.Stats(nil).Acked, tc.cursor, tc.acked, tc.acked, tc.acked)
			}
		})
	}
}

// Push and ack: a window of two pushes of five changes each; every ack frees a place in the window,
// and the store records what the hub holds. Once everything is acknowledged the session pulls, and it
// is up to date when the hub says it caught up.
func TestSessionPushAndAck(t *testing.T) {
	t.Parallel()
	h := synctest.StartHub(t)
	tok := h.Office("鲁村镇", synctest.Lucun)
	lu := synctest.NewReplica(t, h.URL, tok, synctest.Lucun, "张敏", storage.Options{})
	lu.Sync() // the villages
	lv := codes(t, synctest.Lucun)
	const n = 23
	for i := range n {
		create(t, lu.Store, training(fmt.Sprintf("培训%d", i), lv[i%len(lv)]))
	}
	c := client.New(client.Config{URL: h.URL, Token: tok, Store: lu.Store, App: "test", Window: 2, Batch: 5,
		Logger: synctest.Logger(t)})
	s := stepSession(t, c)
	if w := begin(t, s); w.Acked != 0 {
		t.Fatalf("welcome: %d acknowledged, want none", w.Acked)
	}
	if err := s.Step(bg); err != nil {
		t.Fatal(err)
	}
	if p := s.Progress(); p.Next != 10 || p.Inflight != 2 || p.Pulling {
		t.Fatalf("after the first step: pushed to %d, %d in flight, pulling %v; want 10, 2, not pulling", p.Next, p.Inflight, p.Pulling)
	}
	for want := uint64(5); ; want = min(want+5, n) {
		ack := receive[protocol.Ack](t, s)
		inflight := 1 // of two: the other is on its way
		if want == n {
			inflight = 0
		}
		if ack.Acked != want || lu.Store.Stats(nil).Acked != want || s.Progress().Inflight != inflight {
			t.Fatalf("ack %d, the store's acknowledged %d, %d in flight; want %d, %d, %d", ack.Acked, lu.Store.Stats(nil).Acked,
				s.Progress().Inflight, want, want, inflight)
		}
		if err := s.Step(bg); err != nil {
			t.Fatal(err)
		}
		if want == n {
			break
		}
		if p := s.Progress(); p.Pulling || p.Inflight != 2 && p.Next < n {
			t.Fatalf("after ack %d: %d in flight, pulling %v; want the window full, not pulling", want, p.Inflight, p.Pulling)
		}
	}
	if p := s.Progress(); !p.Pulling || p.Inflight != 0 || p.Summary.Pushed != n || s.UpToDate() {
		t.Fatalf("all acknowledged: pulling %v, %d in flight, %d pushed, up to date %v; want pulling, none, %d, not yet",
			p.Pulling, p.Inflight, p.Summary.Pushed, s.UpToDate(), n)
	}
	for !s.Progress().CaughtUp {
		receive[protocol.Changes](t, s)
	}
	if !s.UpToDate() {
		t.Error("caught up both ways, but not up to date")
	}
	if got, _ := h.Store.CountTrainings(query.Trainings{}); got != n {
		t.Errorf("the hub holds %d trainings, want %d", got, n)
	}
	if err := s.Ack(protocol.Ack{Acked: n}); err == nil {
		t.Error("an ack with nothing in flight was taken")
	}
}

// The next push holds as many changes as fit in protocol.BatchBytes: one more would not. Long texts are
// cut by the estimate of their size; texts that JSON escapes (six bytes for a <) by the encoded size.
func TestSessionPushSize(t *testing.T) {
	t.Parallel()
	for _, text := range []string{strings.Repeat("𠮷", ledger.MaxText), strings.Repeat("<&>", ledger.MaxText/3)} {
		st := offlineStore(t, 0)
		lv := codes(t, synctest.Lucun)
		in := make([]ledger.Entity, 80)
		for i := range in {
			tr := training(fmt.Sprintf("%04d %s", i, strings.Repeat("𠮷", 190)), lv[i%len(lv)])
			tr.Content, tr.Notes = text, text
			in[i] = tr
		}
		if res, err := st.Import(bg, in, nil); err != nil || res.Created != len(in) {
			t.Fatalf("import: %+v, %v", res, err)
		}
		s := synctest.NewClient(t, st, "ws://127.0.0.1:1", "token").NewSession()
		p, buf, err := s.NextPush()
		if err != nil {
			t.Fatal(err)
		}
		n := len(p.Seqs)
		if p.From != 1 || p.To != uint64(n) || len(buf) > protocol.BatchBytes || n < 2 || n >= len(in) {
			t.Fatalf("%.9q…: push %d..%d of %d changes, %d bytes: want 1..%d within %d bytes", text, p.From, p.To, n, len(buf), n, protocol.BatchBytes)
		}
		if more := pushSize(t, st, n+1); more <= protocol.BatchBytes {
			t.Errorf("%.9q…: %d changes make %d bytes, %d make %d: the push could hold more", text, n, len(buf), n+1, more)
		}
	}
}

// Apply and hold: the hub's changes are applied at once while this office has nothing unsent; a live
// change that arrives while an edit of the office's is not yet at the hub waits until the hub holds the
// edit, so the hub sees the two concurrent edits and both sides log the conflict.
func TestSessionHoldsLiveChanges(t *testing.T) {
	t.Parallel()
	h := synctest.StartHub(t)
	tok := h.Office("鲁村镇", synctest.Lucun)
	lu := synctest.NewReplica(t, h.URL, tok, synctest.Lucun, "张敏", storage.Options{})
	city := synctest.NewReplica(t, h.URL, h.Office("市局", synctest.City), synctest.City, "刘洋", storage.Options{})
	lu.Sync()
	id := create(t, lu.Store, training("苹果树冬季修剪", codes(t, synctest.Lucun)[0]))
	lu.Sync()
	city.Sync()

	s := stepSession(t, lu.Client)
	begin(t, s)
	if err := s.Step(bg); err != nil { // nothing to push: pull
		t.Fatal(err)
	}
	for !s.Progress().CaughtUp {
		receive[protocol.Changes](t, s)
		if s.Progress().Waiting != 0 {
			t.Fatal("a batch was held with nothing unsent")
		}
	}

	const town, cityTopic = "镇上改的主题", "市局改的主题"
	set(t, lu.Store, ledger.KindTraining, id, map[string]string{"topic": town}) // not pushed yet
	set(t, city.Store, ledger.KindTraining, id, map[string]string{"topic": cityTopic})
	city.Sync() // the hub holds the city's edit and sends it to the township's session
	receive[protocol.Changes](t, s)
	if p := s.Progress(); p.Waiting != 1 || value(t, lu.Store, id, "topic") != town {
		t.Fatalf("the city's edit arrived before the township's left: %d batches held, topic %q; want 1 held, %q",
			p.Waiting, value(t, lu.Store, id, "topic"), town)
	}
	if err := s.Step(bg); err != nil { // the township's edit goes
		t.Fatal(err)
	}
	receive[protocol.Ack](t, s)
	if err := s.Step(bg); err != nil { // the hub holds it: the held batch applies
		t.Fatal(err)
	}
	if p := s.Progress(); p.Waiting != 0 {
		t.Fatalf("%d batches still held once the hub holds the township's edit", p.Waiting)
	}
	hub, local := conflictsOn(t, h.Store, id, "topic"), conflictsOn(t, lu.Store, id, "topic")
	if len(hub) != 1 || len(local) != 1 || hub[0].Loser.Value != local[0].Loser.Value ||
		hub[0].Winner.Value != local[0].Winner.Value || hub[0].Loser.Value == hub[0].Winner.Value {
		t.Errorf("conflict logs: hub %+v, township %+v; want the same one conflict of %q and %q on both", hub, local, town, cityTopic)
	}
}

// Pong: a fresh measurement of the offset is kept when it moved by more than a second, not otherwise.
func TestSessionPong(t *testing.T) {
	t.Parallel()
	st := offlineStore(t, 0)
	s := synctest.NewClient(t, st, "ws://127.0.0.1:1", "token").NewSession()
	now := st.Wall().UnixMilli()
	if err := s.Pong(protocol.Pong{Echo: now, Time: now + time.Hour.Milliseconds()}); err != nil {
		t.Fatal(err)
	}
	hour := s.Progress().Offset
	if hour < time.Hour-time.Minute || hour > time.Hour+time.Minute || st.Clock().Offset() != hour {
		t.Fatalf("after a pong an hour ahead: offset %s, the store's %s; want about 1h in both", hour, st.Clock().Offset())
	}
	now = st.Wall().UnixMilli()
	if err := s.Pong(protocol.Pong{Echo: now, Time: now + time.Hour.Milliseconds() + 500}); err != nil {
		t.Fatal(err)
	}
	if s.Progress().Offset != hour || st.Clock().Offset() != hour {
		t.Errorf("a pong half a second off moved the offset from %s to %s (store %s)", hour, s.Progress().Offset, st.Clock().Offset())
	}
}
