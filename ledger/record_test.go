package ledger_test

import (
	"maps"
	"math/rand/v2"
	"testing"

	"techaid/ledger"
)

// The property tests draw from small sets so that equal stamps, equal values and equal replicas meet often.
var (
	propFields   = []string{"name", "households", "notes", ledger.FieldDeleted}
	propReplicas = []string{"r1", "r2", "r3"}
	propValues   = []string{"", "a", "b", "甲村"}
	propAuthors  = []string{"张", "李"}
	propOffices  = []ledger.Code{"370323102", "370323"}
)

const propSeeds = 3000

func randVersionID(rng *rand.Rand) ledger.VersionID {
	return ledger.VersionID{
		Stamp:   ledger.MakeStamp(int64(rng.IntN(3)), uint16(rng.IntN(2))),
		Replica: propReplicas[rng.IntN(len(propReplicas))],
	}
}

func randField(rng *rand.Rand) ledger.Field {
	f := ledger.Field{
		Value: propValues[rng.IntN(len(propValues))],
		Version: ledger.Version{
			VersionID: randVersionID(rng),
			Author:    propAuthors[rng.IntN(len(propAuthors))],
			Office:    propOffices[rng.IntN(len(propOffices))],
		},
	}
	if rng.IntN(2) == 0 {
		f.Prev = randVersionID(rng)
	}
	return f
}

// randRecord is a partial record: a random subset of the fields, as one change carries.
func randRecord(rng *rand.Rand) ledger.Record {
	r := ledger.Record{Kind: ledger.KindVillage, ID: "370323102201", Fields: map[string]ledger.Field{}}
	for _, name := range propFields {
		if rng.IntN(2) == 0 {
			r.Fields[name] = randField(rng)
		}
	}
	return r
}

// sameFields reports whether two records hold the same fields; a nil map equals an empty one.
func sameFields(a, b ledger.Record) bool {
	return maps.EqualFunc(a.Fields, b.Fields, ledger.Field.Same)
}

func TestMergeCommutative(t *testing.T) {
	for seed := range uint64(propSeeds) {
		rng := rand.New(rand.NewPCG(seed, 1))
		a, b := randRecord(rng), randRecord(rng)
		if ab, ba := ledger.Merge(a, b), ledger.Merge(b, a); !sameFields(ab, ba) {
			t.Fatalf("seed %d: Merge(a, b) != Merge(b, a)\na  = %v\nb  = %v\nab = %v\nba = %v", seed, a, b, ab, ba)
		}
	}
}

func TestMergeAssociative(t *testing.T) {
	for seed := range uint64(propSeeds) {
		rng := rand.New(rand.NewPCG(seed, 2))
		a, b, c := randRecord(rng), randRecord(rng), randRecord(rng)
		left := ledger.Merge(ledger.Merge(a, b), c)
		right := ledger.Merge(a, ledger.Merge(b, c))
		if !sameFields(left, right) {
			t.Fatalf("seed %d: (a+b)+c != a+(b+c)\na = %v\nb = %v\nc = %v\nleft  = %v\nright = %v", seed, a, b, c, left, right)
		}
	}
}

func TestMergeIdempotent(t *testing.T) {
	for seed := range uint64(propSeeds) {
		rng := rand.New(rand.NewPCG(seed, 3))
		a, b := randRecord(rng), randRecord(rng)
		if aa := ledger.Merge(a, a); !sameFields(aa, a) {
			t.Fatalf("seed %d: Merge(a, a) != a\na  = %v\naa = %v", seed, a, aa)
		}
		ab := ledger.Merge(a, b)
		if abb := ledger.Merge(ab, b); !sameFields(abb, ab) {
			t.Fatalf("seed %d: merging b again changed the result\nab  = %v\nabb = %v", seed, ab, abb)
		}
	}
}

func TestMergeDoesNotChangeItsInputs(t *testing.T) {
	for seed := range uint64(propSeeds) {
		rng := rand.New(rand.NewPCG(seed, 4))
		a, b := randRecord(rng), randRecord(rng)
		a0, b0 := a.Clone(), b.Clone()
		ledger.Merge(a, b)
		if !sameFields(a, a0) || !sameFields(b, b0) {
			t.Fatalf("seed %d: Merge modified an input", seed)
		}
	}
}

// TestMergeConverges is guarantee 3: replicas that have seen the same changes, in any order and any
// number of times, hold the same record, and in it each field is the latest version written.
func TestMergeConverges(t *testing.T) {
	for seed := range uint64(propSeeds) {
		rng := rand.New(rand.NewPCG(seed, 5))
		changes := make([]ledger.Record, 1+rng.IntN(8))
		for i := range changes {
			changes[i] = randRecord(rng)
		}
		// Each replica receives every change at least once, some several times, in its own order.
		deliver := func() []ledger.Record {
			var out []ledger.Record
			for _, c := range changes {
				for range 1 + rng.IntN(3) {
					out = append(out, c)
				}
			}
			rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
			return out
		}
		apply := func(in []ledger.Record) ledger.Record {
			var r ledger.Record
			for _, c := range in {
				r = ledger.Merge(r, c)
			}
			return r
		}

		first := apply(deliver())
		for replica := range 3 {
			if got := apply(deliver()); !sameFields(got, first) {
				t.Fatalf("seed %d: replica %d diverged\nwant %v\ngot  %v", seed, replica+1, first, got)
			}
		}
		if first.Kind != ledger.KindVillage || first.ID != "370323102201" {
			t.Fatalf("seed %d: merged record is %s/%s", seed, first.Kind, first.ID)
		}

		// Later version wins: each field carries the highest version id written to it.
		for name, got := range first.Fields {
			var latest ledger.VersionID
			written := false
			for _, c := range changes {
				if f, ok := c.Fields[name]; ok {
					if !written || f.VersionID.Compare(latest) > 0 {
						latest = f.VersionID
					}
					written = true
				}
			}
			if !written || got.VersionID != latest {
				t.Fatalf("seed %d: field %s holds version %+v, want the latest %+v", seed, name, got.VersionID, latest)
			}
		}
		for _, c := range changes {
			for name := range c.Fields {
				if _, ok := first.Fields[name]; !ok {
					t.Fatalf("seed %d: field %s was written but is missing after the merge", seed, name)
				}
			}
		}
	}
}

func TestMergeKeepsFirstKindAndID(t *testing.T) {
	b := ledger.Record{Kind: ledger.KindVillage, ID: "370323102201"}
	if got := ledger.Merge(ledger.Record{}, b); got.Kind != b.Kind || got.ID != b.ID {
		t.Errorf("Merge into an empty record: %s/%s, want %s/%s", got.Kind, got.ID, b.Kind, b.ID)
	}
	a := ledger.Record{Kind: ledger.KindVillage, ID: "370323102202"}
	if got := ledger.Merge(a, b); got.ID != a.ID {
		t.Errorf("Merge(a, b).ID = %s, want a's %s", got.ID, a.ID)
	}
}

func TestMergeLaterStampWinsTiesByReplica(t *testing.T) {
	field := func(stamp ledger.Stamp, replica, value string) ledger.Record {
		return ledger.Record{Fields: map[string]ledger.Field{"name": {
			Value:   value,
			Version: ledger.Version{VersionID: ledger.VersionID{Stamp: stamp, Replica: replica}},
		}}}
	}
	tests := []struct {
		name string
		a, b ledger.Record
		want string
	}{
		{"later stamp", field(10, "r9", "old"), field(11, "r1", "new"), "new"},
		{"same stamp, higher replica id", field(10, "r1", "low"), field(10, "r2", "high"), "high"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, got := range []ledger.Record{ledger.Merge(tt.a, tt.b), ledger.Merge(tt.b, tt.a)} {
				if v := got.Fields["name"].Value; v != tt.want {
					t.Errorf("merged value %q, want %q", v, tt.want)
				}
			}
		})
	}
}

// edit is a field written by replica at stamp on top of prev.
func edit(replica string, stamp ledger.Stamp, value string, prev ledger.VersionID) ledger.Field {
	return ledger.Field{
		Value: value,
		Version: ledger.Version{
			VersionID: ledger.VersionID{Stamp: stamp, Replica: replica},
			Author:    "王会计",
			Office:    "370323102",
		},
		Prev: prev,
	}
}

func TestResolve(t *testing.T) {
	base := edit("city", 100, "旧名", ledger.VersionID{})
	townA := edit("townA", 200, "新名甲", base.VersionID)
	townB := edit("townB", 300, "新名乙", base.VersionID) // concurrent with townA, and later
	onTopOfA := edit("townB", 300, "新名乙", townA.VersionID)
	sameAsA := edit("townB", 300, "新名甲", base.VersionID)
	againA := edit("townA", 300, "又改", base.VersionID) // townA again, with a stale Prev
	// A new office's villages from the division list: older than any edit, and never a conflict.
	listed := edit("townC", ledger.ReferenceStamp, "列表里的名", ledger.VersionID{})
	listedElsewhere := edit("townD", ledger.ReferenceStamp, "另一版列表的名", ledger.VersionID{})

	tests := []struct {
		name           string
		held, incoming ledger.Field
		want           ledger.Overwrite
		winner, loser  ledger.Field
	}{
		{"first write", ledger.Field{}, base, ledger.TakeNew, base, ledger.Field{}},
		{"plain edit on top of the held version", base, townA, ledger.TakeNew, townA, ledger.Field{}},
		{"plain edit across replicas", townA, onTopOfA, ledger.TakeNew, onTopOfA, ledger.Field{}},
		{"concurrent edit arrives at townA", townA, townB, ledger.Conflict, townB, townA},
		{"concurrent edit arrives at townB", townB, townA, ledger.Conflict, townB, townA},
		{"concurrent, same value, later", townA, sameAsA, ledger.TakeNew, sameAsA, ledger.Field{}},
		{"concurrent, same value, earlier", sameAsA, townA, ledger.KeepHeld, sameAsA, ledger.Field{}},
		{"same replica, later", townA, againA, ledger.TakeNew, againA, ledger.Field{}},
		{"same replica, earlier", againA, townA, ledger.KeepHeld, againA, ledger.Field{}},
		{"older version the held one overwrote", townA, base, ledger.KeepHeld, townA, ledger.Field{}},
		{"duplicate", townA, townA, ledger.KeepHeld, townA, ledger.Field{}},
		{"nothing incoming", townA, ledger.Field{}, ledger.KeepHeld, townA, ledger.Field{}},
		{"a real edit replaces a reference value", listed, townA, ledger.TakeNew, townA, ledger.Field{}},
		{"a reference value never replaces a real one", townA, listed, ledger.KeepHeld, townA, ledger.Field{}},
		{"two reference values: the order decides, silently", listed, listedElsewhere, ledger.TakeNew, listedElsewhere, ledger.Field{}},
		{"two reference values, the other way", listedElsewhere, listed, ledger.KeepHeld, listedElsewhere, ledger.Field{}},
		{"a reference value fills a field never written", ledger.Field{}, listed, ledger.TakeNew, listed, ledger.Field{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, winner, loser := ledger.Resolve(tt.held, tt.incoming)
			if got != tt.want {
				t.Errorf("outcome %v, want %v", got, tt.want)
			}
			if !winner.Same(tt.winner) {
				t.Errorf("winner %+v, want %+v", winner, tt.winner)
			}
			if !loser.Same(tt.loser) {
				t.Errorf("loser %+v, want %+v", loser, tt.loser)
			}
		})
	}
}

// TestResolveBothSidesAgree: two offices edit the same field without seeing each other; when they
// exchange edits both must keep the same value and both must report the conflict.
func TestResolveBothSidesAgree(t *testing.T) {
	base := edit("city", 100, "5", ledger.VersionID{})
	tests := []struct {
		name string
		a, b ledger.Field
	}{
		{"different stamps", edit("townA", 200, "12", base.VersionID), edit("townB", 250, "15", base.VersionID)},
		{"equal stamps", edit("townA", 200, "12", base.VersionID), edit("townB", 200, "15", base.VersionID)},
		{"wall clock behind", edit("townA", 900, "12", base.VersionID), edit("townB", 200, "15", base.VersionID)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			atA, winA, loseA := ledger.Resolve(tt.a, tt.b)
			atB, winB, loseB := ledger.Resolve(tt.b, tt.a)
			if atA != ledger.Conflict || atB != ledger.Conflict {
				t.Fatalf("outcomes %v at A and %v at B, want a conflict at both", atA, atB)
			}
			if !winA.Same(winB) || !loseA.Same(loseB) {
				t.Fatalf("A keeps %q (loses %q), B keeps %q (loses %q)", winA.Value, loseA.Value, winB.Value, loseB.Value)
			}
			later := tt.a
			if tt.b.VersionID.Compare(tt.a.VersionID) > 0 {
				later = tt.b
			}
			if !winA.Same(later) {
				t.Errorf("winner %q, want the later version %q", winA.Value, later.Value)
			}
		})
	}
}

// TestResolveAgreesWithMerge: whatever Resolve reports, the value it keeps is the one Merge keeps, and
// swapping held and incoming gives the same winner and the same verdict on a conflict.
func TestResolveAgreesWithMerge(t *testing.T) {
	for seed := range uint64(propSeeds) {
		rng := rand.New(rand.NewPCG(seed, 6))
		held, incoming := randField(rng), randField(rng)
		if rng.IntN(10) == 0 {
			incoming = held
		}
		if rng.IntN(10) == 0 {
			incoming.Prev = held.VersionID
		}

		outcome, winner, loser := ledger.Resolve(held, incoming)
		merged := ledger.Merge(
			ledger.Record{Fields: map[string]ledger.Field{"f": held}},
			ledger.Record{Fields: map[string]ledger.Field{"f": incoming}},
		).Fields["f"]
		if !winner.Same(merged) {
			t.Fatalf("seed %d: Resolve keeps %+v, Merge keeps %+v", seed, winner, merged)
		}
		switch outcome {
		case ledger.KeepHeld:
			if !winner.Same(held) || !loser.Same(ledger.Field{}) {
				t.Fatalf("seed %d: KeepHeld with winner %+v, loser %+v", seed, winner, loser)
			}
		case ledger.TakeNew:
			if !winner.Same(incoming) || !loser.Same(ledger.Field{}) {
				t.Fatalf("seed %d: TakeNew with winner %+v, loser %+v", seed, winner, loser)
			}
		case ledger.Conflict:
			if held.Replica == incoming.Replica || held.Value == incoming.Value {
				t.Fatalf("seed %d: conflict between %+v and %+v", seed, held, incoming)
			}
			other := held
			if winner.Same(held) {
				other = incoming
			}
			if !loser.Same(other) {
				t.Fatalf("seed %d: conflict loser %+v, want %+v", seed, loser, other)
			}
		}

		if held.Same(incoming) {
			continue
		}
		back, winner2, loser2 := ledger.Resolve(incoming, held)
		if (outcome == ledger.Conflict) != (back == ledger.Conflict) || !winner2.Same(winner) || !loser2.Same(loser) {
			t.Fatalf("seed %d: Resolve(held, incoming) = %v, Resolve(incoming, held) = %v; winners %+v / %+v",
				seed, outcome, back, winner, winner2)
		}
	}
}

func TestTombstone(t *testing.T) {
	r := ledger.Record{Kind: ledger.KindVillage, ID: "370323102201", Fields: map[string]ledger.Field{
		"name": edit("townA", 100, "鲁村一村", ledger.VersionID{}),
	}}
	if r.Deleted() {
		t.Fatal("a record without a tombstone is deleted")
	}

	del := ledger.Record{Fields: map[string]ledger.Field{ledger.FieldDeleted: edit("townA", 200, "true", ledger.VersionID{})}}
	r = ledger.Merge(r, del)
	if !r.Deleted() {
		t.Fatal("merging a tombstone did not delete the record")
	}
	if r.Fields["name"].Value != "鲁村一村" {
		t.Error("deleting lost the other fields (an undo needs them)")
	}

	// An older undelete loses; a later one wins, from either side.
	undo := func(stamp ledger.Stamp) ledger.Record {
		return ledger.Record{Fields: map[string]ledger.Field{ledger.FieldDeleted: edit("townB", stamp, "", ledger.VersionID{})}}
	}
	if !ledger.Merge(r, undo(150)).Deleted() || !ledger.Merge(undo(150), r).Deleted() {
		t.Error("an older undelete won over the tombstone")
	}
	if ledger.Merge(r, undo(250)).Deleted() || ledger.Merge(undo(250), r).Deleted() {
		t.Error("a later undelete did not win over the tombstone")
	}
	if (ledger.Record{Fields: map[string]ledger.Field{ledger.FieldDeleted: {Value: "yes"}}}).Deleted() {
		t.Error(`a tombstone value other than "true" counts as deleted`)
	}
}

func TestRecordHelpers(t *testing.T) {
	a := edit("r1", 100, "x", ledger.VersionID{})
	b := edit("r2", 300, "y", ledger.VersionID{})
	c := edit("r3", 200, "z", ledger.VersionID{})
	r := ledger.Record{Kind: ledger.KindVillage, ID: "370323102201", Fields: map[string]ledger.Field{"a": a, "b": b, "c": c}}

	if got := r.Latest(); !got.Same(b) {
		t.Errorf("Latest() = %+v, want %+v", got, b)
	}
	if got := (ledger.Record{}).Latest(); !got.Same(ledger.Field{}) {
		t.Errorf("Latest() of an empty record = %+v", got)
	}
	if got, want := r.Values(), map[string]string{"a": "x", "b": "y", "c": "z"}; !maps.Equal(got, want) {
		t.Errorf("Values() = %v, want %v", got, want)
	}

	clone := r.Clone()
	clone.Fields["a"] = c
	if !r.Fields["a"].Same(a) {
		t.Error("changing a clone changed the original")
	}
	if empty := (ledger.Record{}).Clone(); empty.Fields == nil {
		t.Error("Clone of a record without fields has a nil map; writing to it would panic")
	}
}

func TestVersionID(t *testing.T) {
	tests := []struct {
		v, w ledger.VersionID
		want int
	}{
		{ledger.VersionID{Stamp: 1, Replica: "b"}, ledger.VersionID{Stamp: 2, Replica: "a"}, -1},
		{ledger.VersionID{Stamp: 2, Replica: "a"}, ledger.VersionID{Stamp: 1, Replica: "b"}, 1},
		{ledger.VersionID{Stamp: 2, Replica: "a"}, ledger.VersionID{Stamp: 2, Replica: "b"}, -1},
		{ledger.VersionID{Stamp: 2, Replica: "b"}, ledger.VersionID{Stamp: 2, Replica: "a"}, 1},
		{ledger.VersionID{Stamp: 2, Replica: "a"}, ledger.VersionID{Stamp: 2, Replica: "a"}, 0},
	}
	for _, tt := range tests {
		if got := tt.v.Compare(tt.w); got != tt.want {
			t.Errorf("%+v.Compare(%+v) = %d, want %d", tt.v, tt.w, got, tt.want)
		}
	}
	if !(ledger.VersionID{}).IsZero() {
		t.Error("the zero VersionID is not zero")
	}
	if (ledger.VersionID{Replica: "r1"}).IsZero() || (ledger.VersionID{Stamp: 1}).IsZero() {
		t.Error("a VersionID with a stamp or a replica is zero")
	}
}

func TestKinds(t *testing.T) {
	for _, k := range ledger.Kinds {
		if !k.Valid() {
			t.Errorf("Kind %q is not valid", k)
		}
		if len(ledger.Fields(k)) == 0 {
			t.Errorf("Kind %q has no fields", k)
		}
	}
	if ledger.Kind("farm").Valid() || ledger.Kind("").Valid() {
		t.Error("an unknown kind is valid")
	}
	roster := map[ledger.Kind]bool{ledger.KindAdvisor: true, ledger.KindAssignment: true, ledger.KindTarget: true,
		ledger.KindVariety: true, ledger.KindPark: true, ledger.KindParkPairing: true, ledger.KindPlatform: true}
	for _, k := range ledger.Kinds {
		if k.Roster() != roster[k] {
			t.Errorf("%s.Roster() = %v, want %v", k, k.Roster(), roster[k])
		}
	}
}
