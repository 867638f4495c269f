package hub_test

// Tests that speak the protocol to a real hub directly, frame by frame, with gorilla/websocket: what
// a hand-written or hostile client would send.

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
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

func wsURL(h *synctest.Hub) string { return "ws" + strings.TrimPrefix(h.URL, "http") + protocol.Path }

func dial(t *testing.T, h *synctest.Hub) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(wsURL(h), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func send(t *testing.T, c *websocket.Conn, m protocol.Message) {
	t.Helper()
	buf, err := protocol.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteMessage(websocket.TextMessage, buf); err != nil {
		t.Fatalf("send %s: %v", m.MessageType(), err)
	}
}

func recv(t *testing.T, c *websocket.Conn) protocol.Message {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, frame, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	m, err := protocol.Decode(frame)
	if err != nil {
		t.Fatalf("decode %s: %v", frame, err)
	}
	return m
}

// expectError reads an error frame with the code, then the close.
func expectError(t *testing.T, c *websocket.Conn, code protocol.Code) {
	t.Helper()
	m := recv(t, c)
	e, ok := m.(protocol.Error)
	if !ok || e.Code != code || e.Message == "" {
		t.Fatalf("got %#v, want error %s", m, code)
	}
	expectClosed(t, c)
}

func expectClosed(t *testing.T, c *websocket.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, frame, err := c.ReadMessage()
	var ne net.Error
	switch {
	case err == nil:
		t.Fatalf("got %s, want the connection closed", frame)
	case errors.As(err, &ne) && ne.Timeout():
		t.Fatal("the hub keeps the connection open")
	}
}

func hello(token, replica string) protocol.Hello {
	return protocol.Hello{Proto: protocol.Version, Schema: protocol.Schema, App: "raw", Replica: replica, Token: token,
		Time: time.Now().UnixMilli()}
}

func welcome(t *testing.T, c *websocket.Conn) protocol.Welcome {
	t.Helper()
	m := recv(t, c)
	w, ok := m.(protocol.Welcome)
	if !ok {
		t.Fatalf("got %#v, want welcome", m)
	}
	return w
}

func codes(t *testing.T, township ledger.Code) []ledger.Code {
	var out []ledger.Code
	for _, v := range synctest.Villages(t, township) {
		out = append(out, v.Code)
	}
	return out
}

func training(topic string, villages ...ledger.Code) ledger.Training {
	return ledger.Training{Kind: ledger.TrainingCourse, Date: "2025-06-01", Villages: villages, Topic: topic, Attendees: 20}
}

// writer makes records as an office replica would send them.
type writer struct {
	replica string
	office  ledger.Code
	n       uint16
}

// record carries the given fields of e (all non-empty ones if none are named), newly versioned.
func (w *writer) record(e ledger.Entity, id string, fields ...string) ledger.Record {
	values := ledger.Values(e)
	if len(fields) == 0 {
		for name, v := range values {
			if v != "" {
				fields = append(fields, name)
			}
		}
	}
	rec := ledger.Record{Kind: e.RecordKind(), ID: id, Fields: map[string]ledger.Field{}}
	for _, name := range fields {
		w.n++
		rec.Fields[name] = ledger.Field{Value: values[name], Version: ledger.Version{Author: "张敏", Office: w.office,
			VersionID: ledger.VersionID{Stamp: ledger.MakeStamp(time.Now().UnixMilli(), w.n), Replica: w.replica}}}
	}
	return rec
}

func record(t *testing.T, st *storage.Store, id string) ledger.Record {
	t.Helper()
	rec, err := st.Record(id)
	if err != nil {
		t.Fatalf("hub: %s: %v", id, err)
	}
	return rec
}

// Guarantee 4: a township's token cannot write another township's villages or trainings, nor the
// rosters; each such record is refused with out_of_scope and changes nothing, while the good record of
// the same batch applies. And it reads only its own scope.
func TestPushOutOfScope(t *testing.T) {
	t.Parallel()
	h := synctest.StartHub(t)
	tok := h.Office("鲁村镇", synctest.Lucun)
	lv, dv := codes(t, synctest.Lucun), codes(t, synctest.Dongli)
	// Dongli's office records a training (the hub owns its store while it runs: records reach it by sync).
	dl := synctest.NewReplica(t, h.URL, h.Office("东里镇", synctest.Dongli), synctest.Dongli, "李强", storage.Options{})
	dl.Sync()
	theirs, err := dl.Store.Create(t.Context(), training("东里镇的培训", dv[0]))
	if err != nil {
		t.Fatal(err)
	}
	dl.Sync()
	heldTraining, heldVillage := record(t, h.Store, theirs), record(t, h.Store, string(dv[1]))
	headBefore, _ := h.Store.Committed()

	w := &writer{replica: storage.NewID(), office: synctest.Lucun}
	c := dial(t, h)
	send(t, c, hello(tok, w.replica))
	wl := welcome(t, c)
	if wl.Scope != synctest.Lucun || wl.Office != "鲁村镇" || wl.Acked != 0 || wl.Epoch != h.Epoch() || wl.Head != headBefore {
		t.Fatalf("welcome %+v", wl)
	}

	newTraining, newAdvisor, good := storage.NewID(), storage.NewID(), storage.NewID()
	taken := training("东里镇的培训", lv[0])
	recs := []ledger.Record{
		w.record(training("写到东里镇的培训", dv[2]), newTraining),                                                      // 1: a new training in Dongli
		w.record(ledger.Village{Code: dv[1], Notes: "鲁村改东里的村"}, string(dv[1]), "notes"),                         // 2: a Dongli village
		w.record(ledger.Advisor{Name: "赵刚", Gender: "男", Group: "林果", Status: ledger.StatusActive}, newAdvisor), // 3: a roster
		w.record(training("鲁村改东里的培训"), theirs, "topic"),                                                         // 4: an edit of a Dongli training
		w.record(taken, theirs, "villages"),                                                                     // 5: taking it over into Lucun
		w.record(ledger.DefaultTarget(2026), "2026"),                                                            // 6: the city's targets
		w.record(training("鲁村镇的培训", lv[0]), good),                                                               // 7: a good one
	}
	send(t, c, protocol.Push{From: 1, To: 7, Seqs: []uint64{1, 2, 3, 4, 5, 6, 7}, Records: recs})
	m := recv(t, c)
	ack, ok := m.(protocol.Ack)
	if !ok {
		t.Fatalf("got %#v, want ack", m)
	}
	if ack.Acked != 7 || len(ack.Refused) != 6 {
		t.Fatalf("ack %+v: want acked 7 with 6 refused", ack)
	}
	for i, r := range ack.Refused {
		if r.Seq != uint64(i+1) || r.ID != recs[i].ID || r.Kind != recs[i].Kind || r.Code != protocol.CodeOutOfScope || r.Message == "" {
			t.Errorf("refusal %d: %+v, want seq %d, %s %s, out_of_scope", i+1, r, i+1, recs[i].Kind, recs[i].ID)
		}
	}

	// Nothing refused changed the hub; the good record applied and was logged once.
	for _, id := range []string{newTraining, newAdvisor, "2026"} {
		if _, err := h.Store.Record(id); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("hub holds refused record %s (err %v)", id, err)
		}
	}
	if got := record(t, h.Store, theirs); !reflect.DeepEqual(got, heldTraining) {
		t.Errorf("the Dongli training changed: %+v", got)
	}
	if got := record(t, h.Store, string(dv[1])); !reflect.DeepEqual(got, heldVillage) {
		t.Errorf("the Dongli village changed: %+v", got)
	}
	if tr, err := storage.Get[ledger.Training](h.Store, good); err != nil || tr.Topic != "鲁村镇的培训" {
		t.Errorf("the good record: %+v, %v", tr, err)
	}
	if head, _ := h.Store.Committed(); head != headBefore+1 {
		t.Errorf("hub log head %d, want %d", head, headBefore+1)
	}

	// The same push again is a replay: acknowledged, nothing applied.
	send(t, c, protocol.Push{From: 1, To: 7, Seqs: []uint64{1, 2, 3, 4, 5, 6, 7}, Records: recs})
	if m := recv(t, c); !reflect.DeepEqual(m, protocol.Ack{T: protocol.TAck, Acked: 7}) {
		t.Errorf("replay: %#v", m)
	}
	if head, _ := h.Store.Committed(); head != headBefore+1 {
		t.Errorf("the replay was logged: head %d", head)
	}

	// Reading: only Lucun's villages; not Dongli's training, not its own record back.
	send(t, c, protocol.Pull{Cursor: 0})
	got := map[string]ledger.Record{}
	for {
		m := recv(t, c)
		ch, ok := m.(protocol.Changes)
		if !ok {
			t.Fatalf("got %#v, want changes", m)
		}
		for _, r := range ch.Records {
			got[r.ID] = r
		}
		if ch.CaughtUp {
			if want, _ := h.Store.Committed(); ch.Cursor != want {
				t.Errorf("caught up at %d, head %d", ch.Cursor, want)
			}
			break
		}
	}
	if len(got) != len(lv) {
		t.Errorf("pulled %d records, want Lucun's %d villages", len(got), len(lv))
	}
	for id, r := range got {
		if r.Kind != ledger.KindVillage || !synctest.Lucun.Contains(ledger.Code(id)) {
			t.Errorf("pulled %s %s outside Lucun", r.Kind, id)
		}
	}

	// A push that skips ahead of what the hub holds is a gap: error, close.
	send(t, c, protocol.Push{From: 9, To: 9, Seqs: []uint64{9}, Records: []ledger.Record{w.record(training("跳号", lv[1]), storage.NewID())}})
	for {
		m := recv(t, c)
		if _, live := m.(protocol.Changes); live {
			continue
		}
		if e, ok := m.(protocol.Error); !ok || e.Code != protocol.CodeGap {
			t.Fatalf("got %#v, want error gap", m)
		}
		break
	}
	expectClosed(t, c)
}

func enc(m protocol.Message) []byte {
	b, err := protocol.Encode(m)
	if err != nil {
		panic(err)
	}
	return b
}

// A replica saying hello again while its old session looks alive: the old one is closed.
func TestSecondSessionReplacesFirst(t *testing.T) {
	t.Parallel()
	h := synctest.StartHub(t)
	tok := h.Office("鲁村镇", synctest.Lucun)
	old := dial(t, h)
	send(t, old, hello(tok, "pc-1"))
	welcome(t, old)
	c := dial(t, h)
	send(t, c, hello(tok, "pc-1"))
	welcome(t, c)
	expectError(t, old, protocol.CodeBadRequest)
	send(t, c, protocol.Ping{Time: 1})
	if m, ok := recv(t, c).(protocol.Pong); !ok || m.Echo != 1 {
		t.Errorf("the new session: %#v", m)
	}
}

// The status page lists every office with what it sent. It is served apart from the sync websocket
// (the city serves it on loopback): the hub's own handler, which faces the network, has no page.
func TestStatusPage(t *testing.T) {
	t.Parallel()
	h := synctest.StartHub(t)
	lu := synctest.NewReplica(t, h.URL, h.Office("鲁村镇", synctest.Lucun), synctest.Lucun, "张敏", storage.Options{})
	dl := synctest.NewReplica(t, h.URL, h.Office("东里镇", synctest.Dongli), synctest.Dongli, "李强", storage.Options{})
	h.Office("车站街道", synctest.Chezhan) // never connects
	lu.Sync()
	dl.Sync()
	for i, r := range []*synctest.Replica{lu, lu, lu, dl, dl} {
		scope := r.Store.Identity().Scope
		if _, err := r.Store.Create(t.Context(), training("培训", codes(t, scope)[i])); err != nil {
			t.Fatal(err)
		}
	}
	lu.Sync()
	dl.Sync()

	for _, path := range []string{"/", "/status", "/status.json"} {
		res, err := http.Get(h.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s next to the sync websocket: %d, want 404", path, res.StatusCode)
		}
	}
	page := httptest.NewServer(h.StatusHandler())
	defer page.Close()
	res, err := http.Get(page.URL + "/status.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var st hub.Status
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil || res.StatusCode != 200 {
		t.Fatalf("status.json: %d, %v", res.StatusCode, err)
	}
	want := map[string]struct {
		received, replicas int
		stale              bool
	}{"鲁村镇": {3, 1, false}, "东里镇": {2, 1, false}, "车站街道": {0, 0, true}}
	if len(st.Offices) != len(want) || st.Epoch != h.Epoch() || st.Scope != synctest.City {
		t.Errorf("status: %+v", st)
	}
	for _, o := range st.Offices {
		w, ok := want[o.Name]
		if !ok || o.Received != w.received || len(o.Replicas) != w.replicas || o.Stale != w.stale || o.Pending != 0 {
			t.Errorf("office %s: received %d, %d replicas, stale %v, pending %d; want %+v", o.Name, o.Received, len(o.Replicas),
				o.Stale, o.Pending, w)
		}
		if w.replicas > 0 && (o.LastSync == nil || o.Replicas[0].Acked != uint64(w.received)) {
			t.Errorf("office %s: last sync %v, replica %+v", o.Name, o.LastSync, o.Replicas[0])
		}
	}

	for _, path := range []string{"/status", "/"} {
		res, err := http.Get(page.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		for _, name := range []string{"鲁村镇", "东里镇", "车站街道", "久未联系"} {
			if !strings.Contains(string(body), name) {
				t.Errorf("%s does not show %s", path, name)
			}
		}
	}
	if res, err := http.Get(page.URL + "/nothing"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("/nothing: %v %v", res, err)
	} else {
		res.Body.Close()
	}
}
