package storage

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"techaid/ledger"
	"techaid/query"
)

// Codes of the sample beyond those helpers_test.go names.
const (
	dongli1   ledger.Code = "370323103201" // 东里镇 of 沂源县: another township of the county 鲁村镇 is in
	tianzhenB ledger.Code = "370322001007" // another village of 田镇街道
)

// newOffice is an office replica of scope that took its villages from hub, the way a new office PC gets
// them: by pulling. Its change log starts empty, and it holds the hub's versions, so its edits are made
// on top of them.
func newOffice(t *testing.T, hub *Store, scope ledger.Code, clerk string, wall *testClock) *Store {
	t.Helper()
	s := openStore(t, t.TempDir(), Options{Wall: wall.Now, Logger: testLogger(t)})
	if err := s.Init(scope, clerk); err != nil {
		t.Fatalf("Init(%s): %v", scope, err)
	}
	res, err := s.ApplyRemote(context.Background(), records(allChanges(t, hub)))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Refused {
		if !errors.Is(r.Err, ErrScope) {
			t.Fatalf("office %s refused %s from the hub: %v", scope, r.ID, r.Err)
		}
	}
	if seq, _ := s.Committed(); seq != 0 {
		t.Fatalf("a new office has %d changes of its own", seq)
	}
	return s
}

// pushOf is the push an office would send of its changes after..upto.
func pushOf(t *testing.T, office *Store, after, upto uint64) Push {
	t.Helper()
	cs, err := office.Changes(after, int(upto-after))
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(cs)) != upto-after {
		t.Fatalf("office has %d changes after %d, want %d", len(cs), after, upto-after)
	}
	id := office.Identity()
	p := Push{Replica: id.Replica, Scope: id.Scope, From: after + 1, To: upto}
	for _, c := range cs {
		p.Seqs = append(p.Seqs, c.Seq)
		p.Records = append(p.Records, c.Record)
	}
	return p
}

// restamped is rec as if replica had written it: what an office that edited records it may not write
// (with a store of a wider scope, or by hand) would push. A hub leaves out fields whose versions name
// another office's replica before it looks at scope, so a scope test pushes the office's own versions.
func restamped(rec ledger.Record, replica string) ledger.Record {
	out := rec.Clone()
	for name, f := range out.Fields {
		f.Replica = replica
		out.Fields[name] = f
	}
	return out
}

func mustPush(t *testing.T, hub *Store, p Push) PushResult {
	t.Helper()
	res, err := hub.ApplyPush(context.Background(), p)
	if err != nil {
		t.Fatalf("ApplyPush %d..%d: %v", p.From, p.To, err)
	}
	return res
}

// loggedEntry is one entry of a change log as LogPlaces reports it.
type loggedEntry struct {
	Seq   uint64
	Kind  ledger.Kind
	Place ledger.Code
}

func logPlaces(t *testing.T, s *Store, after uint64) []loggedEntry {
	t.Helper()
	var out []loggedEntry
	if err := s.LogPlaces(after, func(seq uint64, k ledger.Kind, p ledger.Code) {
		out = append(out, loggedEntry{seq, k, p})
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkLogged checks that the hub's change log after `after` is exactly what the pushes reported, with
// the given kinds.
func checkLogged(t *testing.T, hub *Store, after uint64, logged []Logged, kinds []ledger.Kind) {
	t.Helper()
	got := logPlaces(t, hub, after)
	var want []loggedEntry
	for i, l := range logged {
		want = append(want, loggedEntry{l.Seq, kinds[i], l.Place})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("hub change log after %d:\n got  %+v\n want %+v", after, got, want)
	}
	if seq, _ := hub.Committed(); len(logged) > 0 && seq != logged[len(logged)-1].Seq {
		t.Errorf("hub Committed seq %d, the last logged entry is %d", seq, logged[len(logged)-1].Seq)
	}
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func field(t *testing.T, s *Store, id, name string) ledger.Field {
	t.Helper()
	rec, err := s.Record(id)
	if err != nil {
		t.Fatalf("Record(%s): %v", id, err)
	}
	return rec.Fields[name]
}

func setFields(t *testing.T, s *Store, k ledger.Kind, id string, values map[string]string) {
	t.Helper()
	if err := s.SetFields(context.Background(), k, id, values); err != nil {
		t.Fatalf("SetFields %s %s %v: %v", k, id, values, err)
	}
}

func TestPlace(t *testing.T) {
	t.Parallel()
	tr := func(vs ...ledger.Code) ledger.Training { return training("2026-10-01", vs, nil) }
	tests := []struct {
		name string
		e    ledger.Entity
		want ledger.Code
	}{
		{"village: its township", ledger.Village{Code: lucun1}, lucun},
		{"training in one village", tr(lucun1), lucun},
		{"training in two villages of one township", tr(lucun1, wangcun), lucun},
		{"training over two townships of one county", tr(lucun1, dongli1), yiyuan},
		{"training over two townships, back in the first", tr(lucun1, dongli1, wangcun), yiyuan},
		{"training over two counties", tr(lucun1, taisun), city},
		{"training over two counties, then one inside", tr(lucun1, taisun, wangcun, tianzhenB), city},
		{"training with no villages: only the city", tr(), "-"},
		{"advisor: roster", advisor("王建国", "林果"), ""},
		{"assignment: roster", ledger.Assignment{Advisor: "a", Village: lucun1, From: "2026-01-01"}, ""},
	}
	for _, tt := range tests {
		if got := Place(tt.e); got != tt.want {
			t.Errorf("%s: Place = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestApplyPush follows one office's pushes: a batch, its replay, an overlapping batch, a gap, and the
// acknowledgement across a restart of the hub.
func TestApplyPush(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hubWall := newTestClock(baseWall)
	hub := newStore(t, city, Options{Wall: hubWall.Now})
	office := newOffice(t, hub, lucun, "李四", newTestClock(baseWall.Add(time.Minute)))
	replica := office.Identity().Replica

	tid := mustCreate(t, office, training("2026-10-01", []ledger.Code{lucun1, wangcun}, nil))      // 1
	setFields(t, office, ledger.KindVillage, string(lucun1), map[string]string{"notes": "鲁村一村走访"}) // 2
	setFields(t, office, ledger.KindTraining, tid, map[string]string{"attendees": "88"})           // 3: same record as 1

	start, woke := hub.Committed()
	res := mustPush(t, hub, pushOf(t, office, 0, 3))
	if res.Acked != 3 || res.Replay || res.Changed != 2 || len(res.Refused) != 0 || res.Conflicts != 0 {
		t.Errorf("first push: %+v, want acked 3, 2 records changed", res)
	}
	// Changes 1 and 3 are one record: the batch carries it twice with its current fields, the second
	// copy changes nothing, so the record is logged once.
	want := []Logged{{start + 1, lucun}, {start + 2, lucun}}
	if !reflect.DeepEqual(res.Logged, want) {
		t.Errorf("logged %+v, want %+v", res.Logged, want)
	}
	checkLogged(t, hub, start, res.Logged, []ledger.Kind{ledger.KindTraining, ledger.KindVillage})
	if !closed(woke) {
		t.Error("a push that added to the hub's change log did not close Committed's channel")
	}
	if got := mustGet[ledger.Training](t, hub, tid); got.Attendees != 88 || !slices.Equal(got.Villages, []ledger.Code{lucun1, wangcun}) {
		t.Errorf("hub holds %+v", got)
	}
	if v, _ := hub.Village(lucun1); v.Notes != "鲁村一村走访" {
		t.Errorf("hub village notes %q", v.Notes)
	}
	if n, err := hub.PeerAcked(replica); err != nil || n != 3 {
		t.Errorf("PeerAcked = %d, %v; want 3", n, err)
	}
	if n, _ := hub.PeerAcked("another replica"); n != 0 {
		t.Errorf("PeerAcked of an unknown replica = %d", n)
	}

	t.Run("replay", func(t *testing.T) {
		seq, ch := hub.Committed()
		keys := rawKeys(t, hub)
		res := mustPush(t, hub, pushOf(t, office, 0, 3))
		if !res.Replay || res.Acked != 3 || len(res.Logged) != 0 || res.Changed != 0 || len(res.Refused) != 0 {
			t.Errorf("replayed push: %+v, want a replay acked at 3", res)
		}
		if now, _ := hub.Committed(); now != seq || closed(ch) {
			t.Errorf("a replay moved the hub's change log from %d to %d", seq, now)
		}
		if got := rawKeys(t, hub); !reflect.DeepEqual(got, keys) {
			t.Errorf("a replay wrote: new %q, gone %q", keyDiff(got, keys), keyDiff(keys, got))
		}
		// A part of an acknowledged batch is a replay too.
		if res := mustPush(t, hub, pushOf(t, office, 1, 2)); !res.Replay || res.Acked != 3 {
			t.Errorf("push 2..2 after 3: %+v", res)
		}
	})

	t.Run("overlap", func(t *testing.T) {
		setFields(t, office, ledger.KindTraining, tid, map[string]string{"topic": "苹果树春季管理"})             // 4
		setFields(t, office, ledger.KindVillage, string(wangcun), map[string]string{"households": "321"}) // 5
		p := pushOf(t, office, 1, 5)                                                                      // 2..5; 2 and 3 are held
		// Change 2 is held already and must not be applied again: make it say something else, with a
		// later version, so that applying it would show.
		held := p.Records[0].Fields["notes"]
		forged := held
		forged.Value, forged.Stamp, forged.Prev = "篡改", held.Stamp+1, held.VersionID
		p.Records[0] = ledger.Record{Kind: ledger.KindVillage, ID: string(lucun1), Fields: map[string]ledger.Field{"notes": forged}}
		seq, _ := hub.Committed()
		res := mustPush(t, hub, p)
		if res.Replay || res.Acked != 5 || res.Changed != 2 || len(res.Refused) != 0 {
			t.Errorf("overlapping push: %+v, want acked 5 and the 2 new changes applied", res)
		}
		if !reflect.DeepEqual(res.Logged, []Logged{{seq + 1, lucun}, {seq + 2, lucun}}) {
			t.Errorf("logged %+v", res.Logged)
		}
		checkLogged(t, hub, seq, res.Logged, []ledger.Kind{ledger.KindTraining, ledger.KindVillage})
		if v, _ := hub.Village(lucun1); v.Notes != "鲁村一村走访" {
			t.Errorf("a change the hub held already was applied again: notes %q", v.Notes)
		}
		if v, _ := hub.Village(wangcun); v.Households != 321 {
			t.Errorf("the new change 5 did not apply: %+v", v)
		}
		if got := mustGet[ledger.Training](t, hub, tid); got.Topic != "苹果树春季管理" {
			t.Errorf("the new change 4 did not apply: %+v", got)
		}
	})

	t.Run("gap", func(t *testing.T) {
		setFields(t, office, ledger.KindVillage, string(wangcun), map[string]string{"population": "1100"}) // 6
		setFields(t, office, ledger.KindVillage, string(lucun1), map[string]string{"households": "456"})   // 7
		seq, ch := hub.Committed()
		keys := rawKeys(t, hub)
		res, err := hub.ApplyPush(ctx, pushOf(t, office, 6, 7))
		if !errors.Is(err, ErrGap) {
			t.Fatalf("push 7..7 after 5: %+v, %v; want ErrGap", res, err)
		}
		if !reflect.DeepEqual(res, PushResult{}) {
			t.Errorf("a gap returned %+v", res)
		}
		if got := rawKeys(t, hub); !reflect.DeepEqual(got, keys) {
			t.Errorf("a refused batch wrote: new %q, gone %q", keyDiff(got, keys), keyDiff(keys, got))
		}
		if now, _ := hub.Committed(); now != seq || closed(ch) {
			t.Error("a refused batch moved the hub's change log")
		}
		if n, _ := hub.PeerAcked(replica); n != 5 {
			t.Errorf("PeerAcked = %d after a gap, want 5", n)
		}
		if res := mustPush(t, hub, pushOf(t, office, 5, 7)); res.Acked != 7 || res.Changed != 2 {
			t.Errorf("push 6..7: %+v", res)
		}
	})

	t.Run("bad batches", func(t *testing.T) {
		p := pushOf(t, office, 5, 7)
		for name, bad := range map[string]Push{
			"from 0":         {Replica: replica, Scope: lucun, From: 0, To: 2, Seqs: p.Seqs, Records: p.Records},
			"to before from": {Replica: replica, Scope: lucun, From: 8, To: 7},
			"seqs ≠ records": {Replica: replica, Scope: lucun, From: 6, To: 7, Seqs: p.Seqs[:1], Records: p.Records},
		} {
			if _, err := hub.ApplyPush(ctx, bad); err == nil || errors.Is(err, ErrGap) {
				t.Errorf("%s: %v, want an error", name, err)
			}
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := hub.ApplyPush(cctx, p); !errors.Is(err, context.Canceled) {
			t.Errorf("ApplyPush with a cancelled context: %v", err)
		}
	})

	checkConsistent(t, hub)

	t.Run("acked survives a restart", func(t *testing.T) {
		dir := hub.Dir()
		seq, _ := hub.Committed()
		before := logPlaces(t, hub, 0)
		if err := hub.Close(); err != nil {
			t.Fatal(err)
		}
		hub = openStore(t, dir, Options{Wall: hubWall.Now, Logger: testLogger(t)})
		if n, err := hub.PeerAcked(replica); err != nil || n != 7 {
			t.Errorf("PeerAcked after reopening = %d, %v; want 7", n, err)
		}
		if now, _ := hub.Committed(); now != seq {
			t.Errorf("Committed after reopening = %d, want %d", now, seq)
		}
		if got := logPlaces(t, hub, 0); !reflect.DeepEqual(got, before) {
			t.Error("the hub's change log differs after reopening")
		}
		if res := mustPush(t, hub, pushOf(t, office, 5, 7)); !res.Replay || res.Acked != 7 {
			t.Errorf("replay after reopening: %+v", res)
		}
		checkConsistent(t, hub)
	})
}

// TestApplyPushPlaces: every change is logged with the place that decides who receives it.
func TestApplyPushPlaces(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hub := newStore(t, city, Options{})
	county := newOffice(t, hub, yiyuan, "李四", newTestClock(baseWall.Add(time.Minute)))
	cityOffice := newOffice(t, hub, city, "王五", newTestClock(baseWall.Add(2*time.Minute)))

	mustCreate(t, county, training("2026-10-01", []ledger.Code{lucun1, dongli1}, nil))          // 1: two townships
	local := mustCreate(t, county, training("2026-10-02", []ledger.Code{wangcun}, nil))         // 2
	setFields(t, county, ledger.KindVillage, string(dongli1), map[string]string{"notes": "东里"}) // 3
	if err := county.Delete(ctx, local); err != nil {                                           // 4: the tombstone keeps its place
		t.Fatal(err)
	}
	start, _ := hub.Committed()
	res := mustPush(t, hub, pushOf(t, county, 0, 4))
	want := []Logged{{start + 1, yiyuan}, {start + 2, lucun}, {start + 3, dongli1.Township()}, {start + 4, lucun}}
	if res.Changed != 4 || !reflect.DeepEqual(res.Logged, want) {
		t.Errorf("county push: %+v, want logged %+v", res, want)
	}
	checkLogged(t, hub, start, res.Logged, []ledger.Kind{ledger.KindTraining, ledger.KindTraining, ledger.KindVillage, ledger.KindTraining})
	if rec, _ := hub.Record(local); !rec.Deleted() {
		t.Error("the deletion did not reach the hub")
	}

	aid := mustCreate(t, cityOffice, advisor("王建国", "林果"))                                          // 1
	mustCreate(t, cityOffice, training("2026-10-03", []ledger.Code{taisun, lucun1}, []string{aid})) // 2
	mustCreate(t, cityOffice, ledger.Assignment{Advisor: aid, Village: lucun1, From: "2026-01-01"}) // 3
	start, _ = hub.Committed()
	res = mustPush(t, hub, pushOf(t, cityOffice, 0, 3))
	want = []Logged{{start + 1, ""}, {start + 2, city}, {start + 3, ""}}
	if res.Changed != 3 || len(res.Refused) != 0 || !reflect.DeepEqual(res.Logged, want) {
		t.Errorf("city push: %+v, want logged %+v", res, want)
	}
	checkLogged(t, hub, start, res.Logged, []ledger.Kind{ledger.KindAdvisor, ledger.KindTraining, ledger.KindAssignment})
	checkConsistent(t, hub)
}

// TestApplyPushScope: a record outside the pushing office's scope is refused and reported, the rest of
// the batch applies, and the batch is acknowledged.
func TestApplyPushScope(t *testing.T) {
	t.Parallel()
	hub := newStore(t, city, Options{})
	cityOffice := newOffice(t, hub, city, "王五", newTestClock(baseWall.Add(time.Minute)))
	office := newOffice(t, hub, lucun, "李四", newTestClock(baseWall.Add(2*time.Minute)))

	// What the hub holds: an advisor and a training in 田镇街道, from the city office.
	aid := mustCreate(t, cityOffice, advisor("王建国", "林果"))
	other := mustCreate(t, cityOffice, training("2026-10-01", []ledger.Code{taisun}, nil))
	mustPush(t, hub, pushOf(t, cityOffice, 0, 2))
	acked := uint64(2)
	recordOf := func(id string) ledger.Record { // the city office's last change, as it would push it
		t.Helper()
		seq, _ := cityOffice.Committed()
		p := pushOf(t, cityOffice, seq-1, seq)
		if p.Records[0].ID != id {
			t.Fatalf("last change is of %s, want %s", p.Records[0].ID, id)
		}
		return p.Records[0]
	}

	// Records an office of 鲁村镇 must not write, made where they can be made.
	setFields(t, cityOffice, ledger.KindVillage, string(taisun), map[string]string{"households": "99"})
	otherVillage := recordOf(string(taisun))
	newOther := mustCreate(t, cityOffice, training("2026-10-02", []ledger.Code{taisun}, nil))
	newOtherTraining := recordOf(newOther)
	setFields(t, cityOffice, ledger.KindTraining, other, map[string]string{"attendees": "77"})
	editOther := recordOf(other)
	// Moving 田镇's training into 鲁村镇: after the change it lies in the office's scope, but the hub
	// holds it in another township, and an office cannot take a record over.
	setFields(t, cityOffice, ledger.KindTraining, other, map[string]string{"villages": villagesValue(lucun1)})
	takeOver := recordOf(other)
	setFields(t, cityOffice, ledger.KindAdvisor, aid, map[string]string{"phone": "13905339999"})
	roster := recordOf(aid)
	noVersion := ledger.Record{Kind: ledger.KindVillage, ID: string(lucun1),
		Fields: map[string]ledger.Field{"notes": {Value: "无版本"}}}

	// And the office's own changes around them.
	own := mustCreate(t, office, training("2026-10-05", []ledger.Code{lucun1}, nil))
	setFields(t, office, ledger.KindVillage, string(wangcun), map[string]string{"notes": "王村"})
	mine := pushOf(t, office, 0, 2)

	p := Push{Replica: office.Identity().Replica, Scope: lucun, From: 1, To: 8, Seqs: []uint64{1, 2, 3, 4, 5, 6, 7, 8},
		Records: []ledger.Record{mine.Records[0], otherVillage, newOtherTraining, editOther, takeOver, roster, noVersion, mine.Records[1]}}
	for i := 1; i <= 5; i++ {
		p.Records[i] = restamped(p.Records[i], p.Replica)
	}
	start, _ := hub.Committed()
	hubBefore := map[string]ledger.Record{}
	for _, id := range []string{string(taisun), other, aid, string(lucun1)} {
		hubBefore[id], _ = hub.Record(id)
	}
	res := mustPush(t, hub, p)
	if res.Acked != 8 || res.Changed != 2 || res.Replay {
		t.Errorf("push: %+v, want acked 8 with the 2 own changes applied", res)
	}
	wantRefused := map[int]string{2: string(taisun), 3: newOther, 4: other, 5: other, 6: aid, 7: string(lucun1)}
	if len(res.Refused) != len(wantRefused) {
		t.Errorf("refused %+v, want seqs 2..7", res.Refused)
	}
	for _, r := range res.Refused {
		if wantRefused[r.Row] != r.ID {
			t.Errorf("refused seq %d (%s), want %s there", r.Row, r.ID, wantRefused[r.Row])
		}
		var se *ScopeError
		switch r.Row {
		case 7:
			if r.Err == nil || errors.Is(r.Err, ErrScope) || errors.As(r.Err, &se) {
				t.Errorf("the record with no version refused for %v, want it invalid", r.Err)
			}
		default:
			if !errors.As(r.Err, &se) || se.Scope != lucun {
				t.Errorf("seq %d (%s) refused for %v, want a *ScopeError for %s", r.Row, r.ID, r.Err, lucun)
			}
		}
	}
	if want := []Logged{{start + 1, lucun}, {start + 2, lucun}}; !reflect.DeepEqual(res.Logged, want) {
		t.Errorf("logged %+v, want %+v", res.Logged, want)
	}
	checkLogged(t, hub, start, res.Logged, []ledger.Kind{ledger.KindTraining, ledger.KindVillage})
	for id, rec := range hubBefore {
		if got, _ := hub.Record(id); !reflect.DeepEqual(got, rec) {
			t.Errorf("a refused record changed %s on the hub:\n was %+v\n now %+v", id, rec, got)
		}
	}
	if _, err := hub.Record(newOther); !errors.Is(err, ErrNotFound) {
		t.Errorf("a refused new training was stored: %v", err)
	}
	if got := mustGet[ledger.Training](t, hub, other); !slices.Equal(got.Villages, []ledger.Code{taisun}) || got.Attendees == 77 {
		t.Errorf("田镇's training on the hub: %+v", got)
	}
	if _, err := Get[ledger.Training](hub, own); err != nil {
		t.Errorf("the office's own training: %v", err)
	}
	if n, _ := hub.PeerAcked(office.Identity().Replica); n != 8 {
		t.Errorf("PeerAcked = %d, want 8: refused records are acknowledged too", n)
	}

	// The city office may write all of them.
	start, _ = hub.Committed()
	res = mustPush(t, hub, pushOf(t, cityOffice, acked, acked+5))
	// The move is logged where the training lies now.
	want := []Logged{{start + 1, tianzhen}, {start + 2, tianzhen}, {start + 3, tianzhen}, {start + 4, lucun}, {start + 5, ""}}
	if len(res.Refused) != 0 || res.Changed != 5 || !reflect.DeepEqual(res.Logged, want) {
		t.Errorf("the same records from the city office: %+v, want logged %+v", res, want)
	}
	if got := mustGet[ledger.Training](t, hub, other); !slices.Equal(got.Villages, []ledger.Code{lucun1}) || got.Attendees != 77 {
		t.Errorf("after the city office's push: %+v", got)
	}
	checkConsistent(t, hub)
}

// TestApplyPushAcksWhatChangesNothing: a batch that changes nothing on the hub (every record refused, or
// every record held already, as when a restored office offers everything again) is still
// acknowledged, durably: PushResult.Acked says so, and the office's next batch starts after it.
func TestApplyPushAcksWhatChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hub := newStore(t, city, Options{})
	cityOffice := newOffice(t, hub, city, "王五", newTestClock(baseWall.Add(time.Minute)))
	office := newOffice(t, hub, lucun, "李四", newTestClock(baseWall.Add(2*time.Minute)))
	aid := mustCreate(t, cityOffice, advisor("王建国", "林果"))
	roster := pushOf(t, cityOffice, 0, 1).Records[0]

	t.Run("every record refused", func(t *testing.T) {
		p := Push{Replica: office.Identity().Replica, Scope: lucun, From: 1, To: 1, Seqs: []uint64{1},
			Records: []ledger.Record{restamped(roster, office.Identity().Replica)}}
		res := mustPush(t, hub, p)
		if res.Acked != 1 || len(res.Refused) != 1 || res.Refused[0].ID != aid {
			t.Fatalf("push of a roster record from a township: %+v", res)
		}
		if n, _ := hub.PeerAcked(p.Replica); n != 1 {
			t.Errorf("PeerAcked = %d, but the push answered acked %d", n, res.Acked)
		}
		mustCreate(t, office, training("2026-10-05", []ledger.Code{lucun1}, nil))
		next := pushOf(t, office, 0, 1)
		next.From, next.To, next.Seqs = 2, 2, []uint64{2}
		if _, err := hub.ApplyPush(ctx, next); err != nil {
			t.Errorf("the batch after it: %v", err)
		}
	})

	t.Run("every record held already", func(t *testing.T) {
		mustPush(t, hub, pushOf(t, cityOffice, 0, 1))
		again := pushOf(t, cityOffice, 0, 1)
		again.Replica = "restored-" + again.Replica // a restored store is a new replica with nothing acked
		res := mustPush(t, hub, again)
		if res.Acked != 1 || res.Changed != 0 {
			t.Fatalf("replay under a new replica id: %+v", res)
		}
		if n, _ := hub.PeerAcked(again.Replica); n != 1 {
			t.Errorf("PeerAcked = %d, but the push answered acked %d", n, res.Acked)
		}
	})
}

// TestApplyPushMalformedVillageCode: a training whose later village is not a village code (here a
// county code, which a city scope contains) must be refused or applied, never crash the hub.
func TestApplyPushMalformedVillageCode(t *testing.T) {
	t.Parallel()
	hub := newStore(t, city, Options{})
	cityOffice := newOffice(t, hub, city, "王五", newTestClock(baseWall.Add(time.Minute)))
	id := mustCreate(t, cityOffice, training("2026-10-01", []ledger.Code{lucun1}, nil))
	p := pushOf(t, cityOffice, 0, 1)
	f := p.Records[0].Fields["villages"]
	f.Value = villagesValue(lucun1, yiyuan) // however an office came to send it
	p.Records[0].Fields["villages"] = f
	var res PushResult
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("ApplyPush of training %s with villages %q panicked: %v", id, f.Value, r)
			}
		}()
		res, err = hub.ApplyPush(context.Background(), p)
	}()
	if err != nil || res.Acked != 1 {
		t.Errorf("push: %+v, %v", res, err)
	}
}

// TestChangesAt: what the hub serves from its change log.
func TestChangesAt(t *testing.T) {
	t.Parallel()
	hub := newStore(t, city, Options{})
	office := newOffice(t, hub, lucun, "李四", newTestClock(baseWall.Add(time.Minute)))
	replica := office.Identity().Replica

	setFields(t, office, ledger.KindVillage, string(lucun1), map[string]string{"notes": "一"})
	r1 := mustPush(t, hub, pushOf(t, office, 0, 1))
	setFields(t, office, ledger.KindVillage, string(lucun1), map[string]string{"households": "480"})
	tid := mustCreate(t, office, training("2026-10-01", []ledger.Code{lucun1}, nil))
	r2 := mustPush(t, hub, pushOf(t, office, 1, 3))
	setFields(t, hub, ledger.KindVillage, string(lucun1), map[string]string{"secretary": "王书记"}) // the hub's own edit
	hubEdit, _ := hub.Committed()
	if len(r1.Logged) != 1 || len(r2.Logged) != 2 {
		t.Fatalf("pushes logged %+v and %+v", r1.Logged, r2.Logged)
	}
	notes, households, tr := r1.Logged[0].Seq, r2.Logged[0].Seq, r2.Logged[1].Seq
	if got := logPlaces(t, hub, tr); len(got) != 1 || got[0].Seq != hubEdit || got[0].Place != lucun || got[0].Kind != ledger.KindVillage {
		t.Errorf("the hub's own edit is logged as %+v", got)
	}
	village, _ := hub.Record(string(lucun1))
	trainingRec, _ := hub.Record(tid)
	only := func(rec ledger.Record, names ...string) ledger.Record {
		out := ledger.Record{Kind: rec.Kind, ID: rec.ID, Fields: map[string]ledger.Field{}}
		for _, n := range names {
			out.Fields[n] = rec.Fields[n]
		}
		return out
	}
	trainingFields := slices.Collect(func(yield func(string) bool) {
		for n := range trainingRec.Fields {
			if !yield(n) {
				return
			}
		}
	})

	got, err := hub.ChangesAt([]uint64{notes, households, tr, hubEdit}, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []ledger.Record{only(village, "notes", "households", "secretary"), only(trainingRec, trainingFields...)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ChangesAt:\n got  %+v\n want %+v", got, want)
	}
	if !reflect.DeepEqual(trainingRec, want[1]) {
		t.Errorf("the new training is not served whole: %+v", got[1])
	}

	// The office that wrote a field has it: only the hub's edit goes back to it, and the training,
	// all of it the office's, not at all.
	got, err = hub.ChangesAt([]uint64{notes, households, tr, hubEdit}, replica)
	if err != nil {
		t.Fatal(err)
	}
	if want := []ledger.Record{only(village, "secretary")}; !reflect.DeepEqual(got, want) {
		t.Errorf("ChangesAt skipping %s:\n got  %+v\n want %+v", replica, got, want)
	}
	if got, err := hub.ChangesAt([]uint64{tr}, replica); err != nil || len(got) != 0 {
		t.Errorf("ChangesAt of the office's own training: %+v, %v; want nothing", got, err)
	}
	if got, err := hub.ChangesAt(nil, ""); err != nil || len(got) != 0 {
		t.Errorf("ChangesAt(nil) = %+v, %v", got, err)
	}
	if _, err := hub.ChangesAt([]uint64{hubEdit + 100}, ""); err == nil {
		t.Error("ChangesAt of an entry past the log succeeded")
	}
	// An entry naming a record the store does not hold (a damaged store): said as such, not "<nil>".
	lost := hubEdit + 50
	if err := hub.db.Update(func(txn *badger.Txn) error {
		return txn.Set(seqKey(prefixChange, lost), encodeChange(Change{Kind: ledger.KindTraining, ID: "missing", Fields: []string{"topic"}}))
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := hub.ChangesAt([]uint64{lost}, ""); !errors.Is(err, ErrNotFound) || strings.Contains(err.Error(), "<nil>") {
		t.Errorf("ChangesAt of an entry whose record is missing: %v; want ErrNotFound", err)
	}
}

// TestApplyPulled: the pull cursor moves with the data it covers.
func TestApplyPulled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hub := newStore(t, city, Options{})
	wall := newTestClock(baseWall.Add(time.Minute))
	office := newOffice(t, hub, lucun, "李四", wall)
	if pc, err := office.Pulled(); err != nil || pc.Epoch != "" || pc.Cursor != 0 {
		t.Errorf("Pulled of a replica that never pulled: %+v, %v", pc, err)
	}
	from, _ := hub.Committed()
	setFields(t, hub, ledger.KindVillage, string(lucun1), map[string]string{"secretary": "王书记"})
	tid := mustCreate(t, hub, training("2026-10-01", []ledger.Code{wangcun}, nil))
	to, _ := hub.Committed()
	var seqs []uint64
	for s := from + 1; s <= to; s++ {
		seqs = append(seqs, s)
	}
	recs, err := hub.ChangesAt(seqs, office.Identity().Replica)
	if err != nil {
		t.Fatal(err)
	}
	seq, woke := office.Committed()
	res, err := office.ApplyPulled(ctx, recs, "epoch-1", to)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed != 2 || len(res.Refused) != 0 {
		t.Errorf("first apply: %+v", res)
	}
	pc, err := office.Pulled()
	if err != nil || pc.Epoch != "epoch-1" || pc.Cursor != to || pc.At.IsZero() {
		t.Errorf("Pulled = %+v, %v; want epoch-1 at %d", pc, err, to)
	}
	if now, _ := office.Committed(); now != seq || closed(woke) {
		t.Error("pulled changes went into the office's own change log")
	}

	// The same batch again (a cut after the apply, before the next request) changes nothing.
	records := rawKeys(t, office, prefixRecord, prefixHistory, prefixChange, prefixTraining, prefixTally, prefixConflict)
	res, err = office.ApplyPulled(ctx, recs, "epoch-1", to)
	if err != nil || res.Changed != 0 || res.Unchanged != 2 || res.Conflicts != 0 {
		t.Errorf("second apply: %+v, %v", res, err)
	}
	if got := rawKeys(t, office, prefixRecord, prefixHistory, prefixChange, prefixTraining, prefixTally, prefixConflict); !reflect.DeepEqual(got, records) {
		t.Errorf("applying a batch twice wrote: new %q", keyDiff(got, records))
	}
	// An empty batch still moves the cursor.
	if _, err := office.ApplyPulled(ctx, nil, "epoch-1", to+5); err != nil {
		t.Fatal(err)
	}
	if pc, _ := office.Pulled(); pc.Cursor != to+5 {
		t.Errorf("cursor after an empty batch: %+v", pc)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := office.ApplyPulled(cctx, recs, "epoch-2", 1); !errors.Is(err, context.Canceled) {
		t.Errorf("ApplyPulled with a cancelled context: %v", err)
	}

	dir := office.Dir()
	if err := office.Close(); err != nil {
		t.Fatal(err)
	}
	office = openStore(t, dir, Options{Wall: wall.Now, Logger: testLogger(t)})
	if pc, _ := office.Pulled(); pc.Epoch != "epoch-1" || pc.Cursor != to+5 {
		t.Errorf("Pulled after reopening: %+v", pc)
	}
	if v, _ := office.Village(lucun1); v.Secretary != "王书记" {
		t.Errorf("the pulled village after reopening: %+v", v)
	}
	if _, err := Get[ledger.Training](office, tid); err != nil {
		t.Errorf("the pulled training after reopening: %v", err)
	}
	checkConsistent(t, office)
}

func TestSetAcked(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	wall := newTestClock(baseWall)
	s := openStore(t, dir, Options{Wall: wall.Now, Logger: testLogger(t)})
	if err := s.Init(city, clerkName); err != nil {
		t.Fatal(err)
	}
	importSample(t, s)
	st := s.Stats(nil)
	if st.Changes != 40 || st.Pending != 40 {
		t.Fatalf("after the import: %+v", st)
	}
	if err := s.Ack(40); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(nil); st.Acked != 40 || st.Pending != 0 {
		t.Errorf("after Ack(40): %+v", st)
	}
	// A hub restored from an older backup holds less than it acknowledged: the rest is pending again.
	if err := s.SetAcked(25); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(nil); st.Acked != 25 || st.Pending != 15 {
		t.Errorf("after SetAcked(25): %+v", st)
	}
	if err := s.SetAcked(41); err == nil {
		t.Error("SetAcked above the last change succeeded")
	}
	if st := s.Stats(nil); st.Acked != 25 {
		t.Errorf("a refused SetAcked moved Acked to %d", st.Acked)
	}
	if err := s.SetAcked(30); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir, Options{Wall: wall.Now, Logger: testLogger(t)})
	if st := s.Stats(nil); st.Acked != 30 || st.Pending != 10 {
		t.Errorf("after reopening: %+v", st)
	}
}

func TestSetClockOffset(t *testing.T) {
	t.Parallel()
	wall := newTestClock(baseWall)
	s := newStore(t, city, Options{Wall: wall.Now})
	if d := s.Clock().Offset(); d != 0 {
		t.Errorf("offset of a new store: %v", d)
	}
	const offset = 90 * time.Second
	if err := s.SetClockOffset(offset); err != nil {
		t.Fatal(err)
	}
	if d := s.Clock().Offset(); d != offset {
		t.Errorf("Offset() = %v, want %v", d, offset)
	}
	if !s.Wall().Equal(baseWall) {
		t.Errorf("Wall() = %v, want the uncorrected %v", s.Wall(), baseWall)
	}
	if got := s.Clock().Now().Time(); got.Before(baseWall.Add(offset)) {
		t.Errorf("Now after the offset: %v, want at least %v", got, baseWall.Add(offset))
	}
	dir := s.Dir()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir, Options{Wall: wall.Now, Logger: testLogger(t)})
	if d := s.Clock().Offset(); d != offset {
		t.Errorf("Offset() after reopening = %v, want %v", d, offset)
	}
	if err := s.SetClockOffset(-time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir, Options{Wall: wall.Now, Logger: testLogger(t)})
	if d := s.Clock().Offset(); d != -time.Hour {
		t.Errorf("Offset() after the second reopening = %v, want -1h", d)
	}
}

// TestCommitted: the channel wakes sync when there is something new to push, and only then.
func TestCommitted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newReplicas(t)
	seq, ch := r.a.Committed()
	if seq != 40 || closed(ch) {
		t.Fatalf("Committed after the import = %d (closed %v), want 40 open", seq, closed(ch))
	}

	// Writes that add nothing to the change log.
	setFields(t, r.b, ledger.KindVillage, string(lucun1), map[string]string{"notes": "B"})
	last, _ := r.b.Committed()
	if res, err := r.a.ApplyRemote(ctx, pushOf(t, r.b, last-1, last).Records); err != nil || res.Changed != 1 {
		t.Fatalf("ApplyRemote: %+v, %v", res, err)
	}
	if _, err := r.a.ApplyPulled(ctx, nil, "e", 3); err != nil {
		t.Fatal(err)
	}
	if err := r.a.PutDoc("settings", "sync", map[string]string{"hub": "wss://example"}); err != nil {
		t.Fatal(err)
	}
	if err := r.a.SetAcked(10); err != nil {
		t.Fatal(err)
	}
	if err := r.a.SetFields(ctx, ledger.KindVillage, string(lucun1), map[string]string{"notes": "B"}); err != nil { // no change
		t.Fatal(err)
	}
	if now, ch2 := r.a.Committed(); now != seq || closed(ch) || ch2 != ch {
		t.Errorf("writes that log nothing moved Committed to %d or closed its channel (%v)", now, closed(ch))
	}

	id := mustCreate(t, r.a, advisor("王建国", "林果"))
	if !closed(ch) {
		t.Error("a local write did not close Committed's channel")
	}
	now, ch2 := r.a.Committed()
	if now != seq+1 || closed(ch2) {
		t.Errorf("after the write: Committed = %d (closed %v), want %d and a fresh channel", now, closed(ch2), seq+1)
	}
	// A waiter is woken from another goroutine.
	done := make(chan struct{})
	go func() {
		<-ch2
		close(done)
	}()
	setFields(t, r.a, ledger.KindAdvisor, id, map[string]string{"phone": "13905331111"})
	select {
	case <-done:
	case <-time.After(time.Minute): // only a hang reaches it, a loaded machine never
		t.Fatal("the waiter was not woken by a local write")
	}
}

func TestDocs(t *testing.T) {
	t.Parallel()
	type office struct {
		Name  string      `json:"name"`
		Scope ledger.Code `json:"scope"`
	}
	s := newStore(t, city, Options{})
	var got office
	if err := s.GetDoc("offices", "a", &got); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetDoc of nothing: %v, want ErrNotFound", err)
	}
	offices := map[string]office{"b": {"沂源县农业局", yiyuan}, "a": {"鲁村镇农技站", lucun}, "c": {"高青县", gaoqing}}
	for k, v := range offices {
		if err := s.PutDoc("offices", k, v); err != nil {
			t.Fatal(err)
		}
	}
	// Collections whose names share a prefix stay apart.
	if err := s.PutDoc("office", "a", office{Name: "other"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutDoc("offices2", "z", office{Name: "other"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutDoc("offices", "c", office{"高青县农业局", gaoqing}); err != nil { // replaces
		t.Fatal(err)
	}
	offices["c"] = office{"高青县农业局", gaoqing}
	check := func(s *Store) {
		t.Helper()
		for k, want := range offices {
			var got office
			if err := s.GetDoc("offices", k, &got); err != nil || got != want {
				t.Errorf("GetDoc(offices, %s) = %+v, %v; want %+v", k, got, err, want)
			}
		}
		var keys []string
		err := s.Docs("offices", func(key string, raw []byte) error {
			keys = append(keys, key)
			var o office
			if err := json.Unmarshal(raw, &o); err != nil || o != offices[key] {
				t.Errorf("Docs: %s = %s (%v)", key, raw, err)
			}
			return nil
		})
		if err != nil || !slices.Equal(keys, []string{"a", "b", "c"}) {
			t.Errorf("Docs(offices) keys %v, %v; want a b c in order", keys, err)
		}
		stop := errors.New("stop")
		if err := s.Docs("offices", func(string, []byte) error { return stop }); !errors.Is(err, stop) {
			t.Errorf("Docs does not pass fn's error on: %v", err)
		}
		n := 0
		if err := s.Docs("nothing", func(string, []byte) error { n++; return nil }); err != nil || n != 0 {
			t.Errorf("Docs of an empty collection: %d, %v", n, err)
		}
	}
	check(s)
	if err := s.PutDoc("offices", "bad", func() {}); err == nil {
		t.Error("PutDoc of a value JSON cannot hold succeeded")
	}
	seq, _ := s.Committed()
	if st := s.Stats(nil); st.Changes != seq || seq != 40 {
		t.Errorf("documents went into the change log: %+v", st)
	}

	file := filepath.Join(t.TempDir(), "backup.tab")
	if err := s.BackupFile(file); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(dir, file, Options{}); err != nil {
		t.Fatal(err)
	}
	restored := openStore(t, dir, Options{Wall: newTestClock(baseWall).Now, Logger: testLogger(t)})
	check(restored)
}

// TestClockFarAhead: an office PC whose clock said 2099 wrote records stamped 2099. Another replica,
// corrected by the hub's time, takes them without its clock jumping to 2099, and its edits of them are
// still stamped above them, so they win everywhere.
func TestClockFarAhead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	y2099 := time.Date(2099, 3, 1, 9, 0, 0, 0, ledger.China)
	wrong := newStore(t, city, Options{Wall: newTestClock(y2099).Now})
	fixed := newStore(t, city, Options{Wall: time.Now})
	if err := fixed.SetClockOffset(0); err != nil {
		t.Fatal(err)
	}
	tid := mustCreate(t, wrong, training("2026-10-01", []ledger.Code{lucun1}, nil))
	only := func(s *Store, id string) []ledger.Record {
		var out []ledger.Record
		for _, c := range allChanges(t, s) {
			if c.ID == id {
				out = append(out, c.Record)
			}
		}
		return out
	}
	far, _ := wrong.Record(tid)
	farStamp := far.MaxStamp()
	if farStamp.Time().Year() != 2099 {
		t.Fatalf("set-up: the record is stamped %v", farStamp.Time())
	}
	plausible := func(what string) {
		t.Helper()
		if last := fixed.Clock().Last().Time(); last.After(time.Now().Add(ledger.MaxAhead)) {
			t.Errorf("%s: the corrected replica's clock was dragged to %v", what, last)
		}
	}

	res, err := fixed.ApplyRemote(ctx, only(wrong, tid))
	if err != nil || res.Changed != 1 || len(res.Refused) != 0 {
		t.Fatalf("ApplyRemote of the 2099 record: %+v, %v", res, err)
	}
	plausible("after taking the 2099 record")
	if got := mustGet[ledger.Training](t, fixed, tid); got.Attendees != 30 {
		t.Errorf("the record arrived as %+v", got)
	}

	setFields(t, fixed, ledger.KindTraining, tid, map[string]string{"attendees": "88"})
	plausible("after editing it")
	edit := field(t, fixed, tid, "attendees")
	if edit.Stamp <= farStamp {
		t.Errorf("the edit is stamped %v, not above the record's %v", edit.Stamp, farStamp)
	}
	if edit.Prev != far.Fields["attendees"].VersionID {
		t.Errorf("the edit's Prev is %+v, want the 2099 version %+v", edit.Prev, far.Fields["attendees"].VersionID)
	}
	// A new record on the corrected replica is stamped in its own time, not 2099.
	aid := mustCreate(t, fixed, advisor("王建国", "林果"))
	if rec, _ := fixed.Record(aid); rec.MaxStamp().Time().After(time.Now().Add(ledger.MaxAhead)) {
		t.Errorf("a new record on the corrected replica is stamped %v", rec.MaxStamp().Time())
	}

	// Back on the PC of 2099, the edit wins: it was made on top of that version.
	res, err = wrong.ApplyRemote(ctx, only(fixed, tid))
	if err != nil || res.Changed != 1 || res.Conflicts != 0 {
		t.Errorf("ApplyRemote of the edit on the 2099 PC: %+v, %v", res, err)
	}
	if got := field(t, wrong, tid, "attendees"); !got.Same(edit) {
		t.Errorf("the 2099 PC holds %+v, want the edit %+v", got, edit)
	}
	for name, s := range map[string]*Store{"2099": wrong, "corrected": fixed} {
		if cs := mustConflicts(t, s, false); len(cs) != 0 {
			t.Errorf("%s replica logged conflicts: %+v", name, cs)
		}
		if got := mustGet[ledger.Training](t, s, tid); got.Attendees != 88 {
			t.Errorf("%s replica holds %+v", name, got)
		}
	}

	// A second edit on the corrected replica goes on above the first.
	setFields(t, fixed, ledger.KindTraining, tid, map[string]string{"attendees": "90"})
	if again := field(t, fixed, tid, "attendees"); again.Stamp <= edit.Stamp {
		t.Errorf("the second edit is stamped %v, not above the first %v", again.Stamp, edit.Stamp)
	}
	plausible("after the second edit")

	// And the clock stays sane across a restart (the offset is applied again on open).
	dir := fixed.Dir()
	if err := fixed.Close(); err != nil {
		t.Fatal(err)
	}
	fixed = openStore(t, dir, Options{Wall: time.Now, Logger: testLogger(t)})
	plausible("after reopening")
	if d := fixed.Clock().Offset(); d != 0 {
		t.Errorf("offset after reopening: %v", d)
	}
}

// TestHistoryBesideFarAheadStamps: every remote change of a record is kept in its history, even when the
// record holds a stamp too far ahead to move the clock.
func TestHistoryBesideFarAheadStamps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, city, Options{Wall: time.Now})
	if err := s.SetClockOffset(0); err != nil {
		t.Fatal(err)
	}
	ver := func(value string, at time.Time, replica string) ledger.Field {
		return ledger.Field{Value: value, Version: ledger.Version{Author: "x", Office: city,
			VersionID: ledger.VersionID{Stamp: ledger.MakeStamp(at.UnixMilli(), 0), Replica: replica}}}
	}
	now := time.Now()
	for i, rec := range []ledger.Record{
		{Kind: ledger.KindVillage, ID: string(lucun1), Fields: map[string]ledger.Field{"notes": ver("2099", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), "pc2099")}},
		{Kind: ledger.KindVillage, ID: string(lucun1), Fields: map[string]ledger.Field{"secretary": ver("王书记", now, "other")}},
		{Kind: ledger.KindVillage, ID: string(lucun1), Fields: map[string]ledger.Field{"households": ver("480", now.Add(time.Millisecond), "other")}},
	} {
		if res, err := s.ApplyRemote(ctx, []ledger.Record{rec}); err != nil || res.Changed != 1 {
			t.Fatalf("remote change %d: %+v, %v", i, res, err)
		}
	}
	setFields(t, s, ledger.KindVillage, string(lucun1), map[string]string{"population": "1650"})
	h := mustHistory(t, s, string(lucun1))
	var ops []string
	for _, a := range h {
		ops = append(ops, a.Op)
	}
	if want := []string{query.OpImport, query.OpSync, query.OpSync, query.OpSync, query.OpUpdate}; !slices.Equal(ops, want) {
		t.Errorf("history of %s: %v, want %v", lucun1, ops, want)
	}
}

// villagesValue is the stored form of a training's village list.
func villagesValue(vs ...ledger.Code) string {
	return ledger.Values(training("2026-10-01", vs, nil))["villages"]
}
