package hub_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/hub"
	"techaid/sync/protocol"
	"techaid/sync/synctest"
)

// Records the fuzzer's seeds aim at, held by the hub under fixed ids: another township's training,
// another township's deleted training, and a training of the fuzzed office's own.
const (
	fuzzTheirs  = "fuzz-dongli-training"
	fuzzDeleted = "fuzz-dongli-deleted"
	fuzzOwn     = "fuzz-lucun-training"
)

// FuzzSession feeds a live hub, over a real websocket, the first frames of a session: a good hello of
// a township (鲁村镇) followed by two fuzzed frames, or two fuzzed frames instead of the hello; bit 0
// and 1 of kinds send the first and second as binary frames. After each session:
//   - the hub did not panic (a panic in a session's handler is caught here, one elsewhere ends the
//     process) and it ended the session with an error frame or kept it answering;
//   - a good office is served (hello, ping, pong);
//   - everything the hub logged is a record the township may write (not a roster, placed in its scope
//     now and, if the hub held it before, then too), with every field stamped and named.
func FuzzSession(f *testing.F) {
	var panics atomic.Value
	h, st, url := startFuzzHub(f, &panics)
	_, lucun, err := h.AddOffice("鲁村镇", synctest.Lucun)
	if err != nil {
		f.Fatal(err)
	}
	_, good, err := h.AddOffice("东里镇", synctest.Dongli)
	if err != nil {
		f.Fatal(err)
	}

	// Where every record the hub holds lies; a township's push may only touch records placed in it.
	places := map[string]ledger.Code{}
	for id, rec := range synctest.Logged(f, st) {
		places[id] = placeOf(rec)
	}
	head, _ := st.Committed()

	f.Fuzz(func(t *testing.T, sayHello bool, kinds uint8, first, second []byte) {
		c, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		replica := storage.NewID()
		if sayHello {
			send(t, c, hello(lucun, replica))
			welcome(t, c)
		}
		for i, frame := range [][]byte{first, second} {
			kind := websocket.TextMessage
			if kinds&(1<<i) != 0 {
				kind = websocket.BinaryMessage
			}
			if err := c.WriteMessage(kind, frame); err != nil {
				break // the hub closed already
			}
		}
		// A frame that always ends the session, so that it has handled the two before once it closes.
		_ = c.WriteMessage(websocket.BinaryMessage, []byte{0})
		ended := false
		_ = c.SetReadDeadline(time.Now().Add(time.Minute))
		for !ended {
			_, frame, err := c.ReadMessage()
			if err != nil {
				break
			}
			m, err := protocol.Decode(frame)
			if err != nil {
				t.Fatalf("the hub sent a frame it cannot decode: %q", frame)
			}
			if e, ok := m.(protocol.Error); ok {
				if e.Code == protocol.CodeInternal {
					t.Errorf("the hub failed: %s", e.Message)
				}
				ended = true
			}
		}
		if !ended {
			t.Fatal("the session ended without an error frame")
		}
		if p := panics.Load(); p != nil {
			t.Fatalf("the hub panicked: %v", p)
		}

		g := session(t, url, good, "fuzz-good-office")
		send(t, g, protocol.Ping{Time: 42})
		if m, ok := recv(t, g).(protocol.Pong); !ok || m.Echo != 42 {
			t.Fatalf("a good office after the fuzzed session: %#v", m)
		}
		_ = g.Close()

		for {
			chs, err := st.Changes(head, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(chs) == 0 {
				break
			}
			for _, ch := range chs {
				if ch.Seq <= head {
					t.Fatalf("change %d listed after %d", ch.Seq, head)
				}
				head = ch.Seq
				if ch.Kind.Roster() || !ch.Kind.Valid() || ch.ID == "" || len(ch.ID) > 64 {
					t.Errorf("the hub took %s %q from a township", ch.Kind, ch.ID)
				}
				if was, held := places[ch.ID]; held && !synctest.Lucun.Contains(was) {
					t.Errorf("a township changed %s %s, held in %q", ch.Kind, ch.ID, was)
				}
				if !synctest.Lucun.Contains(ch.Place) {
					t.Errorf("a township put %s %s in %q", ch.Kind, ch.ID, ch.Place)
				}
				places[ch.ID] = ch.Place
				for name, fl := range ch.Record.Fields {
					if name == "" || fl.Stamp == 0 || fl.Replica == "" {
						t.Errorf("%s %s: field %q taken without a version: %+v", ch.Kind, ch.ID, name, fl)
					}
				}
			}
		}
	})
}

// placeOf is where the hub places rec (see storage.Place); "" for rosters.
func placeOf(rec ledger.Record) ledger.Code {
	e, err := ledger.Decode(rec.Kind, rec.ID, rec.Values())
	if err != nil {
		return "?"
	}
	return storage.Place(e)
}

// startFuzzHub starts a hub holding the city's villages and the records fuzzSeeds aim at, served on
// 127.0.0.1 by a handler that records a panic instead of letting net/http swallow it. It logs nowhere:
// the fuzzing engine forbids using f once the fuzz target runs.
func startFuzzHub(f *testing.F, panics *atomic.Value) (*hub.Hub, *storage.Store, string) {
	st := synctest.Open(f, f.TempDir(), synctest.City, "市局", storage.Options{})
	var in []ledger.Entity
	for _, v := range synctest.Villages(f, synctest.City) {
		in = append(in, v)
	}
	if _, err := st.Import(f.Context(), in, nil); err != nil {
		f.Fatal(err)
	}
	h, err := hub.New(hub.Config{Store: st, App: "fuzz", Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		f.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				panics.CompareAndSwap(nil, fmt.Sprint(p))
			}
		}()
		h.ServeHTTP(w, r)
	}))
	f.Cleanup(func() {
		_ = h.Close()
		srv.CloseClientConnections()
		srv.Close()
	})
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + protocol.Path

	// The city writes the seeds' targets.
	w := &writer{replica: "fuzz-city", office: synctest.City}
	lv, dv := synctest.Villages(f, synctest.Lucun), synctest.Villages(f, synctest.Dongli)
	gone := w.record(training("东里镇删掉的培训", dv[1].Code), fuzzDeleted)
	gone.Fields["deleted"] = w.record(ledger.Training{Deleted: true}, fuzzDeleted, "deleted").Fields["deleted"]
	_, token, err := h.AddOffice("市局", synctest.City)
	if err != nil {
		f.Fatal(err)
	}
	c, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	if err := c.WriteMessage(websocket.TextMessage, enc(hello(token, w.replica))); err != nil {
		f.Fatal(err)
	}
	recs := []ledger.Record{w.record(training("东里镇的培训", dv[0].Code), fuzzTheirs), gone, w.record(training("鲁村镇的培训", lv[0].Code), fuzzOwn)}
	// Stamped in 2025, so that every seed's edit (stamped when it was written) is later and applies
	// unless the hub refuses it.
	n := uint16(0)
	for _, rec := range recs {
		for name, fl := range rec.Fields {
			n++
			fl.Stamp = ledger.MakeStamp(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), n)
			rec.Fields[name] = fl
		}
	}
	if err := c.WriteMessage(websocket.TextMessage, enc(protocol.Push{From: 1, To: 3, Seqs: []uint64{1, 2, 3}, Records: recs})); err != nil {
		f.Fatal(err)
	}
	for range 2 { // welcome, ack
		_, frame, err := c.ReadMessage()
		if err != nil {
			f.Fatal(err)
		}
		if m, err := protocol.Decode(frame); err != nil || m.MessageType() == protocol.TError {
			f.Fatalf("loading the fuzz hub: %s", frame)
		}
	}
	return h, st, url
}
