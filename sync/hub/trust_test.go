package hub_test

// What the hub checks of an office's word (PROTOCOL.md §13): raw websocket clients against a real hub,
// one test per class. A replica id belongs to the office that first used it; a version speaks for
// its office only; a reference version merges like any other; a value the ledger refuses is refused
// by field while the rest of the batch applies; a record the hub does not hold yet waits for the rest
// of it instead of reaching anyone half-made.

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"
	"unicode"

	"github.com/gorilla/websocket"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/hub"
	"techaid/sync/protocol"
	"techaid/sync/synctest"
)

// pull sends pull from cursor on a session and collects the records until caught up, by id (later
// frames over earlier ones).
func pull(t *testing.T, c *websocket.Conn, cursor uint64) map[string]ledger.Record {
	t.Helper()
	send(t, c, protocol.Pull{Cursor: cursor})
	got := map[string]ledger.Record{}
	for {
		ch, ok := recv(t, c).(protocol.Changes)
		if !ok {
			t.Fatal("want changes")
		}
		for _, r := range ch.Records {
			got[r.ID] = ledger.Merge(got[r.ID], r)
		}
		if ch.CaughtUp {
			return got
		}
	}
}

// attempt says hello as replica with token and returns the error code the hub answers with, "" for a
// welcome.
func attempt(t *testing.T, url, token, replica string) protocol.Code {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	send(t, c, hello(token, replica))
	switch m := recv(t, c).(type) {
	case protocol.Welcome:
		return ""
	case protocol.Error:
		expectClosed(t, c)
		return m.Code
	default:
		t.Fatalf("got %#v, want welcome or error", m)
	}
	return ""
}

// A replica id belongs to the office that first used it. Another office's token (any scope, the
// city's too) saying hello with it is refused with replica_taken before anything happens: the
// owner's live session goes on, its acknowledged position and its records are as they were, and
// nothing of them is shown. The binding is durable (a restarted hub keeps it), outlives a revoked
// token, and follows the office to a new token issued to the same registration. The hub's own id
// belongs to nobody.
func TestForeignReplica(t *testing.T) {
	t.Parallel()
	h := startHub(t, hub.Config{})
	lucun := h.office(t, "鲁村镇", synctest.Lucun)
	dongli := h.office(t, "东里镇", synctest.Dongli)
	city := h.office(t, "市局", synctest.City)
	lv := codes(t, synctest.Lucun)

	w := &writer{replica: storage.NewID(), office: synctest.Lucun}
	owner := session(t, h.wsURL(), lucun, w.replica)
	first, second := storage.NewID(), storage.NewID()
	pushAll(t, owner, 1, 2, []ledger.Record{w.record(training("鲁村镇第一次", lv[0]), first), w.record(training("鲁村镇第二次", lv[1]), second)})
	before := holding(t, h.Store)

	for name, token := range map[string]string{"another township": dongli, "the city": city} {
		if code := attempt(t, h.wsURL(), token, w.replica); code != protocol.CodeReplicaTaken {
			t.Errorf("%s saying hello as 鲁村镇's replica: %q, want %s", name, code, protocol.CodeReplicaTaken)
		}
	}
	// The owner's session was not cut: it still answers, and its next change follows on.
	send(t, owner, protocol.Ping{Time: 7})
	if m, ok := recv(t, owner).(protocol.Pong); !ok || m.Echo != 7 {
		t.Fatalf("the owner's session after the attempts: %#v", m)
	}
	third := storage.NewID()
	if ack := pushExpect(t, owner, protocol.Push{From: 3, To: 3, Seqs: []uint64{3},
		Records: []ledger.Record{w.record(training("鲁村镇第三次", lv[2]), third)}}); ack.Acked != 3 || len(ack.Refused) != 0 {
		t.Fatalf("the owner's push after the attempts: %+v", ack)
	}
	expectHolding(t, h.Store, before, third)
	if n, _ := h.Store.PeerAcked(w.replica); n != 3 {
		t.Errorf("the hub holds the owner up to %d, want 3", n)
	}
	st, err := h.Status()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range st.Offices {
		want := 0
		if o.Name == "鲁村镇" {
			want = 1
		}
		if len(o.Replicas) != want {
			t.Errorf("the status page shows %s with replicas %+v, want %d", o.Name, o.Replicas, want)
		}
	}

	// The hub's own replica id writes what the city imports on the server: nobody's.
	if code := attempt(t, h.wsURL(), city, h.Epoch()); code != protocol.CodeReplicaTaken {
		t.Errorf("hello as the hub's own replica: %q", code)
	}

	// A hub restarted on the same store keeps the binding.
	owner.Close()
	if err := h.Hub.Close(); err != nil {
		t.Fatal(err)
	}
	again := synctest.ServeConfig(t, hub.Config{Store: h.Store}, "")
	url := (&testHub{URL: again.URL}).wsURL()
	if code := attempt(t, url, dongli, w.replica); code != protocol.CodeReplicaTaken {
		t.Errorf("after a restart, another office as 鲁村镇's replica: %q", code)
	}

	// Revoked, the office still owns its replicas; added again (same name and scope) it gets a new
	// token for the same registration, whose PC says hello as before and finds what the hub holds.
	if _, err := again.Revoke("鲁村镇"); err != nil {
		t.Fatal(err)
	}
	if code := attempt(t, url, dongli, w.replica); code != protocol.CodeReplicaTaken {
		t.Errorf("after 鲁村镇 was revoked, another office as its replica: %q", code)
	}
	o, reissued, err := again.AddOffice("鲁村镇", synctest.Lucun)
	if err != nil || o.Reissued == nil {
		t.Fatalf("adding 鲁村镇 again: %+v, %v", o, err)
	}
	if code := attempt(t, url, lucun, w.replica); code != protocol.CodeRevoked {
		t.Errorf("the old token after reissuing: %q, want revoked", code)
	}
	c := session(t, url, reissued, w.replica)
	send(t, c, protocol.Ping{})
	if _, ok := recv(t, c).(protocol.Pong); !ok {
		t.Error("the reissued token's session does not answer")
	}
	c.Close()
	c, _, err = websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	send(t, c, hello(reissued, w.replica))
	if wl := welcome(t, c); wl.Acked != 3 || wl.Office != "鲁村镇" {
		t.Errorf("welcome with the reissued token: %+v, want acked 3", wl)
	}
	if _, _, err := again.AddOffice("鲁村镇", synctest.Lucun); !errors.Is(err, hub.ErrOfficeExists) {
		t.Errorf("adding 鲁村镇 while it has a valid token: %v", err)
	}
	// Another scope is another office: a registration of its own, which owns none of these replicas.
	c.Close()
	if _, err := again.Revoke("鲁村镇"); err != nil {
		t.Fatal(err)
	}
	other, otherTok, err := again.AddOffice("鲁村镇", yiyuan)
	if err != nil || other.Reissued != nil || other.ID == o.ID {
		t.Fatalf("鲁村镇 added with another scope: %+v, %v; want a new registration", other, err)
	}
	if code := attempt(t, url, otherTok, w.replica); code != protocol.CodeReplicaTaken {
		t.Errorf("a new registration of the name with another scope, as the old one's replica: %q", code)
	}
}

// yiyuan is 沂源县, the county of 鲁村镇 and 东里镇.
const yiyuan ledger.Code = "370323"

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// A version speaks for its office only. The office of a version naming the pushing replica is the
// token's scope, whatever it said (the author is the office's word: the hub cannot know its clerks).
// A field whose version names a replica of another office (the city's PC here) is left out: never
// stored, never refused; a record made of nothing else is not stored at all. A replica id first named
// in a version is bound to the office that pushed it. And what a version claims never hides a record:
// every replica, the city's PC included, receives every record of its scope, whole, from a pull from 0
// or from a cursor; all that is left out of a catch-up is what the pulling replica wrote itself.
func TestForgedVersions(t *testing.T) {
	t.Parallel()
	h := startHub(t, hub.Config{})
	lucun := h.office(t, "鲁村镇", synctest.Lucun)
	dongli := h.office(t, "东里镇", synctest.Dongli)
	cityTok := h.office(t, "市局", synctest.City)
	lv := codes(t, synctest.Lucun)

	// The city's PC syncs first, with an edit of its own: its replica id is bound to the city.
	cityPC := synctest.NewReplica(t, h.URL, cityTok, synctest.City, "刘洋", storage.Options{})
	cityPC.Sync()
	if err := cityPC.Store.SetFields(context.Background(), ledger.KindVillage, string(lv[3]), map[string]string{"notes": "市局核实"}); err != nil {
		t.Fatal(err)
	}
	cityPC.Sync()
	cityReplica := cityPC.Store.Identity().Replica
	villageBefore := record(t, h.Store, string(lv[4]))

	forger := &writer{replica: storage.NewID(), office: "3703"} // claims the city's office
	c := session(t, h.wsURL(), lucun, forger.replica)
	asCity := &writer{replica: cityReplica, office: "3703"}
	stranger := &writer{replica: storage.NewID(), office: synctest.Lucun}
	claimed, inCityName, mixed, strangers := storage.NewID(), storage.NewID(), storage.NewID(), storage.NewID()
	mixedRec := forger.record(training("一半是自己的", lv[1]), mixed)
	mixedRec.Fields["notes"] = asCity.record(ledger.Training{Notes: "冒充市局的备注"}, mixed, "notes").Fields["notes"]
	recs := []ledger.Record{
		forger.record(training("署名市局的培训", lv[0]), claimed),                                  // 1: its own, claiming the city's office
		asCity.record(training("冒充市局电脑的培训", lv[0]), inCityName),                             // 2: every field in the city PC's name
		asCity.record(ledger.Village{Code: lv[4], Notes: "冒充市局改的"}, string(lv[4]), "notes"), // 3: a village edit in its name
		mixedRec, // 4: its own fields and one in the city PC's name
		stranger.record(training("一台从未连接的电脑", lv[2]), strangers), // 5: a replica nobody has used
	}
	if ack := pushExpect(t, c, protocol.Push{From: 1, To: 5, Seqs: []uint64{1, 2, 3, 4, 5}, Records: recs}); ack.Acked != 5 || len(ack.Refused) != 0 {
		t.Fatalf("ack %+v: want everything acknowledged, nothing refused", ack)
	}

	got := record(t, h.Store, claimed)
	for name, f := range got.Fields {
		if f.Office != synctest.Lucun || f.Replica != forger.replica || f.Author != "张敏" {
			t.Errorf("%s at the hub: office %s, replica %s, author %s; want 鲁村镇's office, the pushing replica, the author as sent",
				name, f.Office, f.Replica, f.Author)
		}
	}
	if _, err := h.Store.Record(inCityName); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a training written wholly in the city PC's name was stored: %v", err)
	}
	if now := record(t, h.Store, string(lv[4])); !reflect.DeepEqual(now, villageBefore) {
		t.Errorf("a village edit in the city PC's name changed the village:\nwas %+v\nnow %+v", villageBefore, now)
	}
	m := record(t, h.Store, mixed)
	if _, ok := m.Fields["notes"]; ok || m.Fields["topic"].Value != "一半是自己的" {
		t.Errorf("the mixed training at the hub: %+v; want its own fields and not the one in the city's name", m.Fields)
	}
	if s := record(t, h.Store, strangers); s.Fields["topic"].Office != synctest.Lucun {
		t.Errorf("a training of a replica nobody used: %+v", s.Fields["topic"])
	}
	if code := attempt(t, h.wsURL(), dongli, stranger.replica); code != protocol.CodeReplicaTaken {
		t.Errorf("a replica 鲁村镇 named first in a version, said hello by 东里镇: %q", code)
	}

	// Every replica receives every record of its scope, whole: the city's PC by sync and from 0 in a
	// session of its own id, 鲁村镇 (the forger itself) from its cursor.
	cityPC.Sync()
	hubHolds := synctest.Logged(t, h.Store)
	mine := synctest.Records(t, cityPC.Store)
	for id, rec := range hubHolds {
		if rec.Deleted() {
			continue
		}
		if !reflect.DeepEqual(mine[id].Fields, rec.Fields) {
			t.Errorf("the city's PC holds %s as %+v, the hub as %+v", id, mine[id].Fields, rec.Fields)
		}
	}
	own := session(t, h.wsURL(), cityTok, cityReplica)
	fromZero := pull(t, own, 0)
	if len(fromZero) != len(hubHolds) {
		t.Errorf("the city's PC pulling from 0 got %d records, the hub holds %d", len(fromZero), len(hubHolds))
	}
	if v := fromZero[string(lv[3])]; len(v.Fields) == 0 || v.Fields["notes"].Value != "" {
		t.Errorf("the city PC's pull from 0 of the village it edited: %+v; want the village without the field it wrote", v.Fields)
	}
	for _, id := range []string{claimed, mixed, strangers} {
		if !reflect.DeepEqual(fromZero[id].Fields, hubHolds[id].Fields) {
			t.Errorf("%s pulled from 0 by the city's PC: %+v, want %+v", id, fromZero[id].Fields, hubHolds[id].Fields)
		}
	}
	other := synctest.NewReplica(t, h.URL, lucun, synctest.Lucun, "王芳", storage.Options{})
	other.Sync()
	for _, id := range []string{claimed, mixed, strangers} {
		if got, err := other.Store.Record(id); err != nil || !reflect.DeepEqual(got.Fields, hubHolds[id].Fields) {
			t.Errorf("%s at another PC of 鲁村镇: %+v (%v), want it as the hub holds it", id, got.Fields, err)
		}
	}
}

// A reference version (a value copied from the division list) pushed by an office merges by the rule:
// it fills a field the hub never had and loses to any other. Acknowledged, never refused, never
// dropped unseen. (Offices no longer send their copies of the list, since the city imports the same
// one; an older office's or another client's still reach a hub that lacks them, and the next PC of the
// township receives them.)
func TestReferencePushed(t *testing.T) {
	t.Parallel()
	h := synctest.StartEmptyHub(t)
	tok := h.Office("鲁村镇", synctest.Lucun)
	villages := synctest.Villages(t, synctest.Lucun)
	w := &writer{replica: storage.NewID(), office: synctest.Lucun}
	c := session(t, wsURL(h), tok, w.replica)
	copies := protocol.Push{From: 1, To: uint64(len(villages))}
	for i, v := range villages {
		rec := w.record(v, string(v.Code))
		for name, f := range rec.Fields {
			f.Stamp = ledger.ReferenceStamp
			rec.Fields[name] = f
		}
		copies.Seqs, copies.Records = append(copies.Seqs, uint64(i+1)), append(copies.Records, rec)
	}
	if ack := pushExpect(t, c, copies); ack.Acked != copies.To || len(ack.Refused) != 0 {
		t.Fatalf("the office's copies of the list: %+v", ack)
	}
	for _, v := range villages {
		rec, err := h.Store.Record(string(v.Code))
		if err != nil || rec.Fields["name"].Value != v.Name || !rec.Fields["name"].Reference() {
			t.Fatalf("the hub's %s after the office's first sync: %+v, %v; want the listed name, as reference", v.Code, rec, err)
		}
	}

	// A field the hub holds from a real edit is not replaced; a field it never had is filled.
	n := copies.To
	lv := villages[0].Code
	edit := w.record(ledger.Village{Code: lv, Name: "鲁村一村（已核）", Households: 320}, string(lv), "name", "households")
	if ack := pushExpect(t, c, protocol.Push{From: n + 1, To: n + 1, Seqs: []uint64{n + 1}, Records: []ledger.Record{edit}}); len(ack.Refused) != 0 {
		t.Fatalf("a real edit: %+v", ack)
	}
	ref := w.record(ledger.Village{Code: lv, Name: "列表里的名字", Secretary: "赵立新"}, string(lv), "name", "secretary")
	for name, f := range ref.Fields {
		f.Stamp = ledger.ReferenceStamp
		ref.Fields[name] = f
	}
	head, _ := h.Store.Committed()
	if ack := pushExpect(t, c, protocol.Push{From: n + 2, To: n + 2, Seqs: []uint64{n + 2}, Records: []ledger.Record{ref}}); ack.Acked != n+2 || len(ack.Refused) != 0 {
		t.Fatalf("a reference version: %+v", ack)
	}
	got := record(t, h.Store, string(lv))
	if got.Fields["name"].Value != "鲁村一村（已核）" || got.Fields["secretary"].Value != "赵立新" || !got.Fields["secretary"].Reference() {
		t.Errorf("after the reference version: name %+v, secretary %+v", got.Fields["name"], got.Fields["secretary"])
	}
	if now, _ := h.Store.Committed(); now != head+1 {
		t.Errorf("the reference version was logged %d times, want once", now-head)
	}

	second := synctest.NewReplica(t, h.URL, tok, synctest.Lucun, "王芳", storage.Options{})
	second.Sync()
	mine := synctest.Records(t, second.Store)
	if len(mine) != len(villages) || !reflect.DeepEqual(mine[string(lv)].Fields, got.Fields) {
		t.Errorf("a second PC of 鲁村镇 holds %d records, %s as %+v; want every village, that one as the hub holds it",
			len(mine), lv, mine[string(lv)].Fields)
	}
}

// Values the ledger refuses are refused at the hub with invalid, naming the fields, and the rest of
// the batch applies: a bad date, a date beyond the hub's today, negative and implausible numbers, a
// bad time, a village listed twice, a bad village code. What the ledger allows is not refused: a
// kind of the clerk's own, and two fields breaking a rule that relates them (two offices' valid
// concurrent edits can do that; the offices check it when a clerk saves). A new training carrying
// only its villages reaches nobody: the hub keeps it aside, counts it on its status page, and takes
// it in whole once the rest arrives (an edit of a record the hub lost in a restore, before the office
// that made the record sends it again).
func TestInvalidValues(t *testing.T) {
	t.Parallel()
	h := startHub(t, hub.Config{})
	tok := h.office(t, "鲁村镇", synctest.Lucun)
	county := h.office(t, "沂源县", yiyuan)
	lv := codes(t, synctest.Lucun)
	good := synctest.NewReplica(t, h.URL, tok, synctest.Lucun, "李强", storage.Options{})
	good.Sync()

	w := &writer{replica: storage.NewID(), office: synctest.Lucun}
	c := session(t, h.wsURL(), tok, w.replica)
	today := ledger.DateOf(time.Now())
	tr := func(edit func(*ledger.Training)) ledger.Training {
		t := training("培训", lv[0])
		t.Date = today
		edit(&t)
		return t
	}
	ok, onlyVillages := storage.NewID(), storage.NewID()
	ids := make([]string, 14)
	for i := range ids {
		ids[i] = storage.NewID()
	}
	ids[0], ids[3] = ok, onlyVillages
	recs := []ledger.Record{
		w.record(tr(func(*ledger.Training) {}), ok), // 1: applied
		w.record(tr(func(t *ledger.Training) { t.Date = "2026-13-45" }), ids[1]),
		w.record(tr(func(t *ledger.Training) { t.Attendees = -5 }), ids[2]),
		w.record(tr(func(*ledger.Training) {}), onlyVillages, "villages"), // 4: kept aside
		w.record(tr(func(t *ledger.Training) { t.Date = ledger.DateOf(time.Now().AddDate(0, 0, 3)) }), ids[4]),
		w.record(ledger.Village{Code: lv[5], Households: -1}, string(lv[5]), "households"),
		w.record(ledger.Training{Attendees: 40}, ok, "attendees"), // 7: an edit of 1, applied
		w.record(tr(func(t *ledger.Training) {
			t.Kind = "一个长到任何表格都装不下的服务形式名称真的很长"
		}), ids[7]),
		w.record(tr(func(t *ledger.Training) { t.Villages = []ledger.Code{lv[0], lv[0]} }), ids[8]),
		w.record(tr(func(t *ledger.Training) { t.Start, t.End = "08:00", "25:00" }), ids[9]),
		w.record(tr(func(t *ledger.Training) { t.Attendees, t.Brochures = ledger.MaxAttendees+1, -1 }), ids[10]),
		w.record(tr(func(t *ledger.Training) { t.Attendees, t.PoorAttendees = 10, 12 }), ids[11]), // 12: a relation: applied
		w.record(tr(func(t *ledger.Training) { t.Kind = "跳舞" }), ids[12]),                         // 13: the clerk's own kind: applied
		w.record(tr(func(t *ledger.Training) { t.Villages = []ledger.Code{"3703231022"} }), ids[13]),
	}
	wantRefused := map[uint64][]string{2: {"date"}, 3: {"attendees"}, 5: {"date"}, 6: {"households"}, 8: {"kind"}, 9: {"villages"},
		10: {"end"}, 11: {"attendees", "brochures"}, 14: {"villages"}}
	before := holding(t, h.Store)
	p := protocol.Push{From: 1, To: uint64(len(recs)), Records: recs}
	for i := range recs {
		p.Seqs = append(p.Seqs, uint64(i+1))
	}
	ack := pushExpect(t, c, p)
	if ack.Acked != uint64(len(recs)) {
		t.Errorf("acked %d, want %d", ack.Acked, len(recs))
	}
	refused := map[uint64][]string{}
	for _, r := range ack.Refused {
		refused[r.Seq] = r.Fields
		if r.Code != protocol.CodeInvalid || r.ID != recs[r.Seq-1].ID || !hasHan(r.Message) {
			t.Errorf("refusal %+v: want invalid, the record's id and a Chinese message", r)
		}
	}
	if !reflect.DeepEqual(refused, wantRefused) {
		t.Errorf("refused (seq → fields) %v, want %v", refused, wantRefused)
	}
	after := holding(t, h.Store)
	if after.head != before.head+4 {
		t.Errorf("the hub logged %d changes, want 4 (the good training, its edit, the two the ledger allows)", after.head-before.head)
	}
	for id := range after.records {
		if _, was := before.records[id]; !was && id != ok && id != ids[11] && id != ids[12] {
			t.Errorf("the hub took %s", id)
		}
	}
	if !reflect.DeepEqual(after.records[string(lv[5])], before.records[string(lv[5])]) {
		t.Errorf("a refused village edit changed the village")
	}
	if tr, err := storage.Get[ledger.Training](h.Store, ok); err != nil || tr.Attendees != 40 {
		t.Errorf("the good training with its edit: %+v, %v", tr, err)
	}
	if _, err := h.Store.Record(onlyVillages); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a training of villages only is held: %v", err)
	}
	if st, err := h.Status(); err != nil || st.Parked != 1 {
		t.Errorf("the status page counts %d records kept aside (%v), want 1", st.Parked, err)
	}
	good.Sync()
	if _, err := good.Store.Record(onlyVillages); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("another PC of 鲁村镇 received the training of villages only: %v", err)
	}

	// The county's edit of a training the hub does not hold waits; the training, when it comes, is
	// taken in with the edit, and reaches every PC whole.
	cw := &writer{replica: storage.NewID(), office: yiyuan}
	cc := session(t, h.wsURL(), county, cw.replica)
	lateID := storage.NewID()
	late := tr(func(t *ledger.Training) { t.Topic = "恢复前的培训" })
	made := w.record(late, lateID)
	time.Sleep(5 * time.Millisecond) // the county's edit is stamped after the training it edits
	late.Topic = "县里改过的主题"
	if ack := pushExpect(t, cc, protocol.Push{From: 1, To: 1, Seqs: []uint64{1}, Records: []ledger.Record{cw.record(late, lateID, "topic")}}); len(ack.Refused) != 0 {
		t.Fatalf("the county's edit: %+v", ack)
	}
	if _, err := h.Store.Record(lateID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("an edit of a training the hub lacks is held as a record: %v", err)
	}
	n := uint64(len(recs)) + 1
	if ack := pushExpect(t, c, protocol.Push{From: n, To: n, Seqs: []uint64{n}, Records: []ledger.Record{made}}); len(ack.Refused) != 0 {
		t.Fatalf("the training itself: %+v", ack)
	}
	whole, err := storage.Get[ledger.Training](h.Store, lateID)
	if err != nil || whole.Topic != "县里改过的主题" || whole.Kind != ledger.TrainingCourse || whole.Date != today {
		t.Errorf("the training once whole: %+v, %v", whole, err)
	}
	if st, err := h.Status(); err != nil || st.Parked != 1 {
		t.Errorf("kept aside now: %d (%v), want 1 (the villages-only one)", st.Parked, err)
	}
	good.Sync()
	if mine, err := good.Store.Record(lateID); err != nil || !reflect.DeepEqual(mine.Fields, record(t, h.Store, lateID).Fields) {
		t.Errorf("another PC of 鲁村镇 holds the training as %+v (%v), want it whole as the hub holds it", mine, err)
	}
	if fields := slices.Sorted(maps.Keys(record(t, h.Store, lateID).Fields)); !slices.Contains(fields, "topic") || !slices.Contains(fields, "villages") {
		t.Errorf("fields at the hub: %v", fields)
	}
}
