package hub_test

// Hostile clients against a live hub (guarantees 7 and 4): raw websocket clients that send what no
// correct office sends, each beside a well-behaved office syncing at the same time. Every attack is
// refused with its protocol code, the good office's sync completes with its data at the hub, and the
// hub's store holds exactly what it held before plus the good office's records.

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/hub"
	"techaid/sync/protocol"
	"techaid/sync/synctest"
)

// goodOffice is a well-behaved office (东里镇) beside an attack: it saves a training and syncs, round
// after round, until told to stop (after two rounds at least).
type goodOffice struct {
	r    *synctest.Replica
	ids  []string // written by the goroutine; read once done has delivered
	stop chan struct{}
	done chan error
}

func startGoodOffice(t *testing.T, url, token string) *goodOffice {
	t.Helper()
	g := &goodOffice{r: synctest.NewReplica(t, url, token, synctest.Dongli, "李强", storage.Options{}),
		stop: make(chan struct{}), done: make(chan error, 1)}
	villages := codes(t, synctest.Dongli)
	go func() {
		// A new office first receives its villages: a training can only name villages it holds.
		if _, err := g.r.SyncErr(); err != nil {
			g.done <- fmt.Errorf("first sync: %w", err)
			return
		}
		for round := range 50 {
			if round >= 2 {
				select {
				case <-g.stop:
					g.done <- nil
					return
				default:
				}
			}
			id, err := g.r.Store.Create(context.Background(), training(fmt.Sprintf("东里镇第%d次培训", round+1), villages[round%len(villages)]))
			if err != nil {
				g.done <- fmt.Errorf("round %d: save: %w", round+1, err)
				return
			}
			g.ids = append(g.ids, id)
			if _, err := g.r.SyncErr(); err != nil {
				g.done <- fmt.Errorf("round %d: sync: %w", round+1, err)
				return
			}
		}
		g.done <- nil
	}()
	return g
}

// finish stops the rounds and checks that each one completed and every training the office saved is at
// the hub exactly as the office holds it. It returns their ids.
func (g *goodOffice) finish(t *testing.T, hubStore *storage.Store) []string {
	t.Helper()
	close(g.stop)
	if err := <-g.done; err != nil {
		t.Fatalf("the good office beside the attack: %v", err)
	}
	for _, id := range g.ids {
		mine, err := g.r.Store.Record(id)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := hubStore.Record(id); err != nil || !reflect.DeepEqual(got.Fields, mine.Fields) {
			t.Errorf("the good office's training %s at the hub: %+v (%v), want %+v", id, got, err, mine)
		}
	}
	return g.ids
}

// held is what a hub's store holds: every record its change log names, and the log's head.
type held struct {
	records map[string]ledger.Record
	head    uint64
}

func holding(t *testing.T, st *storage.Store) held {
	t.Helper()
	head, _ := st.Committed()
	return held{records: synctest.Logged(t, st), head: head}
}

// expectHolding checks that the hub holds what it held before, plus the records named in added (one
// change each) and nothing else: no attack applied anything.
func expectHolding(t *testing.T, st *storage.Store, before held, added ...string) {
	t.Helper()
	now := holding(t, st)
	if now.head != before.head+uint64(len(added)) {
		t.Errorf("hub log head %d, want %d + %d changes of the good office", now.head, before.head, len(added))
	}
	for id, rec := range now.records {
		if slices.Contains(added, id) {
			continue
		}
		if was, ok := before.records[id]; !ok {
			t.Errorf("the hub took a new record %s %s: %+v", rec.Kind, id, rec)
		} else if !reflect.DeepEqual(rec, was) {
			t.Errorf("the hub's %s %s changed:\nwas %+v\nnow %+v", rec.Kind, id, was, rec)
		}
	}
	if len(now.records) != len(before.records)+len(added) {
		t.Errorf("the hub holds %d records, want %d + %d", len(now.records), len(before.records), len(added))
	}
}

// testHub is a hub with a configuration of the test's own (synctest.StartHub takes the defaults), on a
// real store holding every village of the city, served on 127.0.0.1.
type testHub struct {
	*hub.Hub
	Store *storage.Store
	URL   string
}

func startHub(t *testing.T, cfg hub.Config) *testHub {
	t.Helper()
	st := synctest.Open(t, t.TempDir(), synctest.City, "市局", storage.Options{})
	var in []ledger.Entity
	for _, v := range synctest.Villages(t, synctest.City) {
		in = append(in, v)
	}
	if _, err := st.Import(context.Background(), in, nil); err != nil {
		t.Fatal(err)
	}
	cfg.Store, cfg.App, cfg.Logger = st, "test", synctest.Logger(t)
	h, err := hub.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		_ = h.Close()
		srv.CloseClientConnections()
		srv.Close()
	})
	return &testHub{Hub: h, Store: st, URL: srv.URL}
}

func (h *testHub) office(t *testing.T, name string, scope ledger.Code) string {
	t.Helper()
	_, token, err := h.AddOffice(name, scope)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func (h *testHub) wsURL() string { return "ws" + strings.TrimPrefix(h.URL, "http") + protocol.Path }

// session opens a connection, says hello and reads the welcome.
func session(t *testing.T, url, token, replica string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	send(t, c, hello(token, replica))
	welcome(t, c)
	return c
}

// pushAll pushes recs as seqs from..from+len(recs)-1 in frames of per records, reading each ack.
func pushAll(t *testing.T, c *websocket.Conn, from uint64, per int, recs []ledger.Record) {
	t.Helper()
	for len(recs) > 0 {
		n := min(per, len(recs))
		p := protocol.Push{From: from, To: from + uint64(n) - 1}
		for i := range n {
			p.Seqs = append(p.Seqs, from+uint64(i))
		}
		p.Records = recs[:n]
		send(t, c, p)
		for {
			m := recv(t, c)
			if _, live := m.(protocol.Changes); live {
				continue
			}
			if a, ok := m.(protocol.Ack); !ok || a.Acked != p.To || len(a.Refused) > 0 {
				t.Fatalf("push %d..%d: %#v", p.From, p.To, m)
			}
			break
		}
		from, recs = from+uint64(n), recs[n:]
	}
}

// Offices that pull and then never read, while the hub has far more to send them than a socket holds.
// The hub must go on serving everyone else: each session holds at most the frame it is writing, and a
// write that cannot finish must not keep other offices' catch-ups or live changes waiting. The write
// timeout is made long here, so the hub cannot have got out of it by cutting the readers off: the good
// office syncs while they still hang, or not at all.
func TestSlowReaders(t *testing.T) {
	t.Parallel()
	h := startHub(t, hub.Config{WriteTimeout: 10 * time.Minute})
	city := h.office(t, "市局", synctest.City)

	// About 8 MB for the city: trainings of 张店区车站街道 with long notes (the hub does not judge values).
	w := &writer{replica: storage.NewID(), office: synctest.City}
	cv := codes(t, synctest.Chezhan)
	var big []ledger.Record
	for i := range 16 {
		tr := training(fmt.Sprintf("车站街道的长记录 %d", i), cv[i%len(cv)])
		tr.Notes = strings.Repeat("记", 170_000) // 510 kB of UTF-8
		big = append(big, w.record(tr, storage.NewID()))
	}
	loader := session(t, h.wsURL(), city, w.replica)
	pushAll(t, loader, 1, 4, big)
	_ = loader.Close()

	// More slow readers than the hub has slots for building batches.
	slowDialer := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			_ = c.(*net.TCPConn).SetReadBuffer(4 << 10)
		}
		return c, err
	}}
	slow := runtime.GOMAXPROCS(0) + 3
	for i := range slow {
		c, _, err := slowDialer.Dial(h.wsURL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		send(t, c, hello(city, fmt.Sprintf("slow-%d", i)))
		send(t, c, protocol.Pull{}) // and never read the welcome, nor anything after
	}

	before := holding(t, h.Store)
	good := startGoodOffice(t, h.URL, h.office(t, "东里镇", synctest.Dongli))
	added := good.finish(t, h.Store)
	expectHolding(t, h.Store, before, added...)
	st, err := h.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Sessions < slow {
		t.Errorf("%d sessions: the hub cut the slow readers (%d) before the good office was done", st.Sessions, slow)
	}
}
