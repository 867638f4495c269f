package storage

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/query"
)

// replicas are two city-scope stores (rosters are writable there) with wall clocks the test moves, and
// different clerks. Both imported the sample on their own, as two offices would.
type replicas struct {
	a, b   *Store
	wa, wb *testClock
}

func newReplicas(t *testing.T) replicas {
	t.Helper()
	r := replicas{wa: newTestClock(baseWall), wb: newTestClock(baseWall)}
	r.a = newStore(t, city, Options{Wall: r.wa.Now})
	r.b = newStore(t, city, Options{Wall: r.wb.Now})
	if err := r.b.SetClerk("李四"); err != nil {
		t.Fatal(err)
	}
	return r
}

// sync exchanges every change both ways the way the sync client does: each side's outbox is taken
// before it applies what it receives (push, then pull).
func (r replicas) sync(t *testing.T) (ab, ba ApplyResult) {
	t.Helper()
	return swap(t, r.a, r.b)
}

// swap takes both replicas' changes first, then applies each to the other.
func swap(t *testing.T, a, b *Store) (ab, ba ApplyResult) {
	t.Helper()
	fromA, fromB := records(allChanges(t, a)), records(allChanges(t, b))
	var err error
	if ab, err = b.ApplyRemote(context.Background(), fromA); err != nil {
		t.Fatal(err)
	}
	if ba, err = a.ApplyRemote(context.Background(), fromB); err != nil {
		t.Fatal(err)
	}
	return ab, ba
}

// converged checks that both replicas hold the same records, field by field with versions, and derived
// the same indexes and tallies from them.
func converged(t *testing.T, a, b *Store) {
	t.Helper()
	ra, rb := allRecords(t, a), allRecords(t, b)
	for id, rec := range ra {
		// What each replica alone has seen (ledger.Field.Seen) is its own; the records are the same.
		if !reflect.DeepEqual(replicated(rec), replicated(rb[id])) {
			t.Errorf("record %s differs:\n A %+v\n B %+v", id, rec, rb[id])
		}
	}
	if len(ra) != len(rb) {
		t.Errorf("A holds %d records, B %d", len(ra), len(rb))
	}
	for _, p := range []byte{prefixTraining, prefixTally} {
		if ka, kb := rawKeys(t, a, p), rawKeys(t, b, p); !reflect.DeepEqual(ka, kb) {
			t.Errorf("derived keys %q differ: only on A %q, only on B %q", p, keyDiff(ka, kb), keyDiff(kb, ka))
		}
	}
	sa, sb := a.Stats(nil), b.Stats(nil)
	if sa.Villages != sb.Villages || sa.KeyVillages != sb.KeyVillages || sa.Advisors != sb.Advisors ||
		sa.Assignments != sb.Assignments || sa.Trainings != sb.Trainings {
		t.Errorf("stats differ:\n A %+v\n B %+v", sa, sb)
	}
	checkConsistent(t, a)
	checkConsistent(t, b)
}

func TestApplyRemoteConverges(t *testing.T) {
	t.Parallel()
	r := newReplicas(t)
	wa := newWorkload(t, r.a, 11)
	wb := newWorkload(t, r.b, 12)
	wa.populate(8, 8, 150)
	r.sync(t) // B's trainings may name A's advisors only once B has them
	wb.advisors = slices.Clone(wa.advisors)
	wb.populate(4, 8, 150)
	for range 3 {
		r.wa.Advance(time.Second)
		r.wb.Advance(time.Second)
		for range 50 {
			wa.step()
			wb.step()
		}
		r.sync(t)
	}
	r.sync(t) // changes A took from B in the last round are B's: nothing new, but harmless
	converged(t, r.a, r.b)
	if n := len(allRecords(t, r.a)); n < 300 {
		t.Errorf("only %d records: too few to be telling", n)
	}
	t.Logf("A: %v\nB: %v", wa.ops, wb.ops)
}

// TestConcurrentEdits covers the three ways two offices' edits of one record meet.
func TestConcurrentEdits(t *testing.T) {
	ctx := context.Background()
	r := newReplicas(t)
	r.sync(t)
	set := func(s *Store, field, value string) ledger.Field {
		t.Helper()
		if err := s.SetFields(ctx, ledger.KindVillage, string(lucun1), map[string]string{field: value}); err != nil {
			t.Fatal(err)
		}
		rec, _ := s.Record(string(lucun1))
		return rec.Fields[field]
	}
	value := func(s *Store, field string) ledger.Field {
		rec, err := s.Record(string(lucun1))
		if err != nil {
			t.Fatal(err)
		}
		return rec.Fields[field]
	}
	base := set(r.a, "secretary", "王书记")
	r.sync(t)

	t.Run("same field: the later stamp wins and both log the conflict", func(t *testing.T) {
		r.wb.Advance(time.Second)
		loser := set(r.b, "secretary", "乙书记")
		r.wa.Advance(2 * time.Second)
		winner := set(r.a, "secretary", "甲书记")
		if winner.Stamp <= loser.Stamp || loser.Prev != base.VersionID {
			t.Fatalf("set-up: winner %+v, loser %+v, base %+v", winner, loser, base)
		}
		ab, ba := r.sync(t)
		if ab.Conflicts != 1 || ba.Conflicts != 1 {
			t.Errorf("conflicts found: A→B %d, B→A %d; want 1 each", ab.Conflicts, ba.Conflicts)
		}
		for name, s := range map[string]*Store{"A": r.a, "B": r.b} {
			if got := value(s, "secretary"); !got.Same(winner) {
				t.Errorf("%s holds %+v, want the winner %+v", name, got, winner)
			}
			cs := mustConflicts(t, s, true)
			if len(cs) != 1 {
				t.Fatalf("%s has %d open conflicts, want 1", name, len(cs))
			}
			c := cs[0]
			if c.Kind != ledger.KindVillage || c.ID != string(lucun1) || c.Field != "secretary" || !c.Winner.Same(winner) || !c.Loser.Same(loser) {
				t.Errorf("%s conflict %+v\nwant winner %+v\n     loser  %+v", name, c, winner, loser)
			}
			if c.Winner.Author != clerkName || c.Loser.Author != "李四" || c.Winner.Replica != r.a.Identity().Replica ||
				c.Loser.Replica != r.b.Identity().Replica || c.Detected == 0 {
				t.Errorf("%s conflict authors/replicas: %+v", name, c)
			}
			if st := s.Stats(nil); st.Conflicts != 1 {
				t.Errorf("%s Stats.Conflicts = %d", name, st.Conflicts)
			}
		}
		converged(t, r.a, r.b)
	})

	t.Run("different fields of one record: both survive, no conflict", func(t *testing.T) {
		r.wa.Advance(time.Second)
		r.wb.Advance(time.Second)
		h := set(r.a, "households", "480")
		p := set(r.b, "population", "1650")
		ab, ba := r.sync(t)
		if ab.Conflicts+ba.Conflicts != 0 {
			t.Errorf("%d conflicts from edits of different fields", ab.Conflicts+ba.Conflicts)
		}
		for _, s := range []*Store{r.a, r.b} {
			if !value(s, "households").Same(h) || !value(s, "population").Same(p) {
				t.Errorf("households %+v, population %+v", value(s, "households"), value(s, "population"))
			}
			if v, _ := s.Village(lucun1); v.Households != 480 || v.Population != 1650 {
				t.Errorf("typed village: %+v", v)
			}
			if n := len(mustConflicts(t, s, true)); n != 1 {
				t.Errorf("%d open conflicts, want still the one", n)
			}
		}
		converged(t, r.a, r.b)
	})

	t.Run("an edit made on top of the other's value is no conflict", func(t *testing.T) {
		r.wb.Advance(time.Second)
		later := set(r.b, "notes", "换届后新书记")
		r.sync(t)
		r.wa.Advance(time.Second)
		onTop := set(r.a, "notes", "新书记已到任") // A saw B's value: a plain later edit
		if onTop.Prev != later.VersionID {
			t.Fatalf("the edit's Prev is %+v, want B's version %+v", onTop.Prev, later.VersionID)
		}
		ab := exchange(t, r.a, r.b)
		if ab.Conflicts != 0 || !value(r.b, "notes").Same(onTop) {
			t.Errorf("A→B: %+v; B holds %+v", ab, value(r.b, "notes"))
		}
		// Even when B's clock is ahead of A's: a later edit on top is an edit, whatever the stamps.
		r.wb.Advance(time.Hour)
		mine := set(r.b, "notes", "B 时钟快")
		r.wa.Advance(time.Second)
		r.sync(t)
		if got := value(r.a, "notes"); !got.Same(mine) {
			t.Errorf("A holds %+v, want B's later edit %+v", got, mine)
		}
		for _, s := range []*Store{r.a, r.b} {
			if n := len(mustConflicts(t, s, true)); n != 1 {
				t.Errorf("%d open conflicts, want still the one", n)
			}
		}
		converged(t, r.a, r.b)
	})

	t.Run("same field, B pulls before it pushes", func(t *testing.T) {
		// B takes A's winning value before pushing its own edit. The conflict is B's to see (its clerk
		// lost); whatever A then learns, nothing may be lost and both must converge.
		r.wb.Advance(time.Second)
		loser := set(r.b, "secretary_phone", "13905330002")
		r.wa.Set(r.wb.Now().Add(time.Second)) // A's clerk saves a second later, on whatever A's clock said
		winner := set(r.a, "secretary_phone", "13905330001")
		if winner.Stamp <= loser.Stamp {
			t.Fatalf("set-up: winner %v not after loser %v", winner.Stamp, loser.Stamp)
		}
		nb := len(mustConflicts(t, r.b, false))
		if res := exchange(t, r.a, r.b); res.Conflicts != 1 {
			t.Errorf("A→B logged %d conflicts, want 1", res.Conflicts)
		}
		exchange(t, r.b, r.a)
		cs := mustConflicts(t, r.b, false)
		if len(cs) != nb+1 || !cs[len(cs)-1].Winner.Same(winner) || !cs[len(cs)-1].Loser.Same(loser) {
			t.Errorf("B's conflict log does not hold the lost value: %+v", cs[len(cs)-1])
		}
		for _, s := range []*Store{r.a, r.b} {
			if !value(s, "secretary_phone").Same(winner) {
				t.Errorf("holds %+v, want the winner %+v", value(s, "secretary_phone"), winner)
			}
		}
		converged(t, r.a, r.b)
		// Settle it so the subtests below start from one open conflict on each side.
		if err := r.b.ResolveConflict(ctx, cs[len(cs)-1].Seq, false); err != nil {
			t.Fatal(err)
		}
		for _, c := range mustConflicts(t, r.a, true) {
			if c.Field == "secretary_phone" {
				if err := r.a.ResolveConflict(ctx, c.Seq, false); err != nil {
					t.Fatal(err)
				}
			}
		}
	})

	t.Run("restore the loser, then dismiss", func(t *testing.T) {
		open := mustConflicts(t, r.a, true)
		if len(open) != 1 {
			t.Fatalf("A has %d open conflicts, want 1", len(open))
		}
		ca := open[0]
		if err := r.a.ResolveConflict(ctx, ca.Seq, true); err != nil {
			t.Fatal(err)
		}
		restored := value(r.a, "secretary")
		if restored.Value != "乙书记" || restored.Replica != r.a.Identity().Replica {
			t.Errorf("after restoring on A: %+v", restored)
		}
		if st := r.a.Stats(nil); st.Conflicts != 0 {
			t.Errorf("A Stats.Conflicts = %d after resolving", st.Conflicts)
		}
		if c := conflictBySeq(t, r.a, ca.Seq); c.Resolved != query.ResolvedRestored {
			t.Errorf("A's conflict after restoring: %+v", c)
		}
		if h := mustHistory(t, r.a, string(lucun1)); h[len(h)-1].Op != query.OpRestore {
			t.Errorf("the restore is not in the history: %+v", h[len(h)-1])
		}
		if err := r.a.ResolveConflict(ctx, ca.Seq, true); err == nil {
			t.Error("resolving a conflict twice succeeded")
		}
		if err := r.a.ResolveConflict(ctx, 999, false); !errors.Is(err, ErrNotFound) {
			t.Errorf("resolving an unknown conflict = %v, want ErrNotFound", err)
		}

		// The restored value is a local edit on A: it wins on B with no new conflict.
		ab := exchange(t, r.a, r.b)
		if ab.Conflicts != 0 || !value(r.b, "secretary").Same(restored) {
			t.Errorf("A→B after the restore: %+v; B holds %+v", ab, value(r.b, "secretary"))
		}
		if n := len(mustConflicts(t, r.b, true)); n != 1 {
			t.Errorf("B has %d open conflicts, want still its one", n)
		}

		cb := mustConflicts(t, r.b, true)[0]
		if err := r.b.ResolveConflict(ctx, cb.Seq, false); err != nil {
			t.Fatal(err)
		}
		if st := r.b.Stats(nil); st.Conflicts != 0 {
			t.Errorf("B Stats.Conflicts = %d after dismissing", st.Conflicts)
		}
		if c := conflictBySeq(t, r.b, cb.Seq); c.Resolved != query.ResolvedDismissed {
			t.Errorf("B's conflict after dismissing: %+v", c)
		}
		if !value(r.b, "secretary").Same(restored) {
			t.Error("dismissing changed the value")
		}
		r.sync(t)
		converged(t, r.a, r.b)
		for _, s := range []*Store{r.a, r.b} {
			if n := len(mustConflicts(t, s, true)); n != 0 {
				t.Errorf("%d open conflicts after resolving and syncing", n)
			}
		}
	})
}

func conflictBySeq(t *testing.T, s *Store, seq uint64) query.Conflict {
	t.Helper()
	for _, c := range mustConflicts(t, s, false) {
		if c.Seq == seq {
			return c
		}
	}
	t.Fatalf("no conflict %d", seq)
	return query.Conflict{}
}

// TestApplyRemoteTwice: a replayed batch changes nothing at all.
func TestApplyRemoteTwice(t *testing.T) {
	ctx := context.Background()
	r := newReplicas(t)
	w := newWorkload(t, r.a, 21)
	w.populate(6, 6, 120)
	// A conflict in the batch too, so that replaying it could log one again.
	r.wb.Advance(time.Second)
	if err := r.b.SetFields(ctx, ledger.KindVillage, string(wangcun), map[string]string{"notes": "B"}); err != nil {
		t.Fatal(err)
	}
	r.wa.Advance(2 * time.Second)
	if err := r.a.SetFields(ctx, ledger.KindVillage, string(wangcun), map[string]string{"notes": "A"}); err != nil {
		t.Fatal(err)
	}
	batch := records(allChanges(t, r.a))
	first, err := r.b.ApplyRemote(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if first.Changed == 0 || first.Conflicts != 1 || len(first.Refused) != 0 {
		t.Fatalf("first apply: %+v", first)
	}
	keys, st := rawKeys(t, r.b), r.b.Stats(nil)
	histories := map[string][]query.Audit{}
	for id := range allRecords(t, r.b) {
		histories[id] = mustHistory(t, r.b, id)
	}
	second, err := r.b.ApplyRemote(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if second.Changed != 0 || second.Unchanged != len(batch) || second.Conflicts != 0 || len(second.Refused) != 0 {
		t.Errorf("second apply: %+v, want all %d unchanged", second, len(batch))
	}
	if got := r.b.Stats(nil); got != st {
		t.Errorf("Stats moved: %+v → %+v", st, got)
	}
	for id, h := range histories {
		if got := mustHistory(t, r.b, id); !reflect.DeepEqual(got, h) {
			t.Errorf("history of %s grew from %d to %d", id, len(h), len(got))
		}
	}
	if got := rawKeys(t, r.b); !reflect.DeepEqual(got, keys) {
		t.Errorf("the replay wrote: new %q", keyDiff(got, keys))
	}
	// Replaying in reverse order, or one record at a time, changes nothing either.
	rev := slices.Clone(batch)
	slices.Reverse(rev)
	if res, err := r.b.ApplyRemote(ctx, rev); err != nil || res.Changed != 0 {
		t.Errorf("reversed replay: %+v, %v", res, err)
	}
	for _, rec := range batch[:20] {
		if res, err := r.b.ApplyRemote(ctx, []ledger.Record{rec}); err != nil || res.Changed != 0 || res.Unchanged != 1 {
			t.Errorf("single replay of %s: %+v, %v", rec.ID, res, err)
		}
	}
	if got := rawKeys(t, r.b); !reflect.DeepEqual(got, keys) {
		t.Errorf("the replays wrote: new %q", keyDiff(got, keys))
	}
}

// TestApplyRemoteScope: a township replica refuses records from outside its township, rosters excepted,
// and stores nothing of them, not even a later edit that carries no village.
func TestApplyRemoteScope(t *testing.T) {
	ctx := context.Background()
	cityStore := newStore(t, city, Options{})
	township := newStore(t, lucun, Options{})
	aid := mustCreate(t, cityStore, advisor("王建国", "林果"))
	inside := mustCreate(t, cityStore, training("2026-10-01", []ledger.Code{lucun1}, []string{aid}))
	outside := mustCreate(t, cityStore, training("2026-10-01", []ledger.Code{taisun}, []string{aid}))
	mixed := mustCreate(t, cityStore, training("2026-10-02", []ledger.Code{"370323103201", lucun1}, nil))
	for _, id := range []string{inside, outside} {
		if err := cityStore.SetFields(ctx, ledger.KindTraining, id, map[string]string{"attendees": "77"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := cityStore.SetFields(ctx, ledger.KindVillage, string(taisun), map[string]string{"households": "99"}); err != nil {
		t.Fatal(err)
	}
	if err := cityStore.SetFields(ctx, ledger.KindVillage, string(lucun1), map[string]string{"households": "321"}); err != nil {
		t.Fatal(err)
	}
	pairing := mustCreate(t, cityStore, ledger.Assignment{Advisor: aid, Village: lucun1, From: "2026-01-01"})

	changes := allChanges(t, cityStore)
	res, err := township.ApplyRemote(ctx, records(changes))
	if err != nil {
		t.Fatal(err)
	}
	refused := map[string]bool{}
	for _, re := range res.Refused {
		refused[re.ID] = true
		if !errors.Is(re.Err, ErrScope) && re.ID != outside {
			t.Errorf("row %d (%s) refused for %v, want a scope error", re.Row, re.ID, re.Err)
		}
		if changes[re.Row-1].ID != re.ID {
			t.Errorf("refused row %d names %s, the batch has %s there", re.Row, re.ID, changes[re.Row-1].ID)
		}
	}
	for _, c := range changes {
		in := c.Kind.Roster() || c.ID == inside || c.Kind == ledger.KindVillage && lucun.Contains(ledger.Code(c.ID))
		if refused[c.ID] == in {
			t.Errorf("%s %s (fields %v): refused %v", c.Kind, c.ID, c.Fields, refused[c.ID])
		}
	}
	if !refused[outside] || !refused[mixed] {
		t.Errorf("the trainings outside were not refused: %+v", res)
	}
	for _, id := range []string{outside, mixed, string(taisun)} {
		if _, err := township.Record(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("record %s from outside the township was stored (%v)", id, err)
		}
	}
	if got := mustGet[ledger.Training](t, township, inside); got.Attendees != 77 {
		t.Errorf("the training inside: %+v", got)
	}
	if _, err := township.Advisor(aid); err != nil {
		t.Errorf("the roster did not arrive: %v", err)
	}
	if len(township.Assignments(lucun1, "", "", nil)) != 1 || pairing == "" {
		t.Error("the assignment did not arrive")
	}
	if v, _ := township.Village(lucun1); v.Households != 321 {
		t.Errorf("own village edit: %+v", v)
	}
	if st := township.Stats(nil); st.Trainings != 1 || st.Villages != 2 {
		t.Errorf("township stats %+v, want 1 training and its 2 villages", st)
	}
	checkConsistent(t, township)
}

func TestApplyRemoteMalformed(t *testing.T) {
	ctx := context.Background()
	r := newReplicas(t)
	id := mustCreate(t, r.a, training("2026-10-01", []ledger.Code{lucun1}, nil))
	good := records(allChanges(t, r.a))
	v := func(value string, stamp ledger.Stamp, replica string) ledger.Field {
		return ledger.Field{Value: value, Version: ledger.Version{VersionID: ledger.VersionID{Stamp: stamp, Replica: replica}, Author: "x", Office: city}}
	}
	now := ledger.MakeStamp(baseWall.UnixMilli(), 1)
	bad := []ledger.Record{
		{Kind: "farm", ID: "F-1", Fields: map[string]ledger.Field{"name": v("农场", now, "r")}},
		{Kind: ledger.KindVillage, ID: "", Fields: map[string]ledger.Field{"name": v("无名村", now, "r")}},
		{Kind: ledger.KindVillage, ID: string(wangcun), Fields: map[string]ledger.Field{"notes": v("零戳", 0, "r")}},
		{Kind: ledger.KindVillage, ID: string(wangcun), Fields: map[string]ledger.Field{"notes": v("无副本", now, "")}},
		{Kind: ledger.KindVillage, ID: string(wangcun), Fields: map[string]ledger.Field{"": v("无名字段", now, "r")}},
	}
	// The bad records sit between the good ones.
	batch := append(append([]ledger.Record{good[0]}, bad...), good[1:]...)
	before := rawKeys(t, r.b)
	res, err := r.b.ApplyRemote(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Refused) != len(bad) || res.Changed+res.Unchanged != len(good) {
		t.Errorf("result %+v: want %d refused and the %d good ones applied", res, len(bad), len(good))
	}
	for i, re := range res.Refused {
		if re.Row != i+2 || re.Err == nil {
			t.Errorf("refused %+v, want row %d with a reason", re, i+2)
		}
	}
	if _, err := Get[ledger.Training](r.b, id); err != nil {
		t.Errorf("the good training did not arrive: %v", err)
	}
	if v, _ := r.b.Village(wangcun); v.Notes != "" {
		t.Errorf("a malformed field was stored: %+v", v)
	}
	// Nothing of the bad records is on disk: the only new records are the good ones.
	ids := map[string]bool{}
	for _, g := range good {
		ids[g.ID] = true
	}
	for k := range rawKeys(t, r.b, prefixRecord) {
		if _, ok := before[k]; !ok && !ids[k[2:]] {
			t.Errorf("stored record key %q", k)
		}
	}
	if _, err := r.b.Record("F-1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the record of an unknown kind: %v", err)
	}
}

// TestReferenceVillages: a new office writes its villages from the division list (ImportReference)
// while the city has already corrected one's name and marked it a key village. Whichever way the
// records travel, the city's values win and nobody sees a conflict; the list never overwrites a village
// a store holds; an edit on top of a listed village is an ordinary edit.
func TestReferenceVillages(t *testing.T) {
	ctx := context.Background()
	bare := func(scope ledger.Code) *Store { // no sample villages: the list is the first they get
		s := openStore(t, t.TempDir(), Options{Wall: newTestClock(baseWall).Now, Logger: testLogger(t)})
		if err := s.Init(scope, clerkName); err != nil {
			t.Fatal(err)
		}
		return s
	}
	cityStore := bare(city)
	listed := ledger.Village{Code: lucun1, Name: "鲁村一村村委会", TownshipName: "鲁村镇", CountyName: "沂源县"}
	if _, err := cityStore.ImportReference(ctx, []ledger.Entity{listed}, nil); err != nil {
		t.Fatal(err)
	}
	before := mustGet[ledger.Village](t, cityStore, string(lucun1))
	corrected := before
	corrected.Name, corrected.Key = "鲁村一村", true
	mustUpdate(t, cityStore, before, corrected)

	town := bare(lucun) // offline on its first day: the list's names
	res, err := town.ImportReference(ctx, []ledger.Entity{listed}, nil)
	if err != nil || res.Created != 1 {
		t.Fatalf("ImportReference: %+v, %v", res, err)
	}
	rec, _ := town.Record(string(lucun1))
	if f := rec.Fields["name"]; !f.Reference() || f.Replica != town.Identity().Replica {
		t.Errorf("a listed village's name is stamped %s by %s, want the reference stamp", f.Stamp, f.Replica)
	}
	if res, err := town.ImportReference(ctx, []ledger.Entity{listed}, nil); err != nil || res.Unchanged != 1 {
		t.Errorf("the list again: %+v, %v; want it unchanged", res, err)
	}
	// Nobody changed anything: nothing waits for the city, and nothing is sent to it.
	if st := town.Stats(nil); st.Changes != 0 || st.Pending != 0 {
		t.Errorf("after writing the list: %d changes, %d pending; want none", st.Changes, st.Pending)
	}
	if cs, err := town.Changes(0, 10); err != nil || len(cs) != 0 {
		t.Errorf("the list is in the change log: %+v, %v", cs, err)
	}
	if h, err := town.History(string(lucun1)); err != nil || len(h) != 1 || h[0].Stamp != ledger.ReferenceStamp {
		t.Errorf("history of a listed village: %+v, %v; want its one entry from the list", h, err)
	}

	exchange(t, town, cityStore) // the office's first push
	exchange(t, cityStore, town) // and its first pull
	for _, s := range []*Store{cityStore, town} {
		v := mustGet[ledger.Village](t, s, string(lucun1))
		if v.Name != "鲁村一村" || !v.Key {
			t.Errorf("%s holds %+v, want the city's correction", s.Identity().Scope, v)
		}
		if cs := mustConflicts(t, s, true); len(cs) != 0 {
			t.Errorf("%s logged conflicts about reference data: %+v", s.Identity().Scope, cs)
		}
	}

	// The township edits the village: an ordinary edit, stamped after everything, that wins.
	held := mustGet[ledger.Village](t, town, string(lucun1))
	edited := held
	edited.Households = 320
	mustUpdate(t, town, held, edited)
	if st := town.Stats(nil); st.Pending != 1 {
		t.Errorf("after one edit: %d pending, want 1", st.Pending)
	}
	if cs, err := town.Changes(0, 10); err != nil || len(cs) != 1 || !slices.Equal(cs[0].Fields, []string{"households"}) {
		t.Errorf("change log after one edit: %+v, %v; want the households alone", cs, err)
	}
	exchange(t, town, cityStore)
	if v := mustGet[ledger.Village](t, cityStore, string(lucun1)); v.Households != 320 || v.Name != "鲁村一村" {
		t.Errorf("the city holds %+v after the township's edit", v)
	}
}

// TestImportDivisions: an explicit import of the division list (techaid-cli and techaid-city import
// villages) stamps the list's values with the reference stamp whatever the clock says, fills only the
// fields a store lacks (an edited name stays), and logs them so that they reach replicas that never
// imported the list, where they lose to every edit without a conflict.
func TestImportDivisions(t *testing.T) {
	ctx := context.Background()
	bare := func(scope ledger.Code) *Store {
		s := openStore(t, t.TempDir(), Options{Wall: newTestClock(time.Date(2099, 1, 1, 9, 0, 0, 0, ledger.China)).Now, Logger: testLogger(t)})
		if err := s.Init(scope, clerkName); err != nil {
			t.Fatal(err)
		}
		return s
	}
	cityStore, town := bare(city), bare(lucun)
	listed := ledger.Village{Code: lucun1, Name: "鲁村一村村委会", TownshipName: "鲁村镇", CountyName: "沂源县"}
	if res, err := cityStore.ImportDivisions(ctx, []ledger.Entity{listed}, nil); err != nil || res.Created != 1 {
		t.Fatalf("ImportDivisions: %+v, %v", res, err)
	}
	rec, _ := cityStore.Record(string(lucun1))
	for name, f := range rec.Fields {
		if !f.Reference() {
			t.Errorf("the list's %s is stamped %s by a store at 2099, want the reference stamp", name, f.Stamp.Time())
		}
	}
	if cs, err := cityStore.Changes(0, 10); err != nil || len(cs) != 1 {
		t.Errorf("the explicit import is not logged: %+v, %v", cs, err)
	}
	exchange(t, cityStore, town) // the township never imported the list: it gets the city's copy
	if v := mustGet[ledger.Village](t, town, string(lucun1)); v.Name != listed.Name {
		t.Errorf("the township holds %+v", v)
	}

	held := mustGet[ledger.Village](t, town, string(lucun1))
	edited := held
	edited.Name = "鲁村一村"
	mustUpdate(t, town, held, edited)
	again := listed
	again.Households = 300 // a field the township never wrote
	res, err := town.ImportDivisions(ctx, []ledger.Entity{again}, nil)
	if err != nil || res.Updated != 1 {
		t.Fatalf("the list over an edited village: %+v, %v; want it updated (households only)", res, err)
	}
	v := mustGet[ledger.Village](t, town, string(lucun1))
	if v.Name != "鲁村一村" || v.Households != 300 {
		t.Errorf("after the list over an edited village: %+v, want the edited name kept and households filled", v)
	}
	exchange(t, town, cityStore)
	exchange(t, cityStore, town)
	for _, s := range []*Store{cityStore, town} {
		if v := mustGet[ledger.Village](t, s, string(lucun1)); v.Name != "鲁村一村" || v.Households != 300 {
			t.Errorf("%s holds %+v", s.Identity().Scope, v)
		}
		if cs := mustConflicts(t, s, true); len(cs) != 0 {
			t.Errorf("%s logged conflicts about the list: %+v", s.Identity().Scope, cs)
		}
	}
}
