package ledger_test

import (
	"slices"
	"testing"

	"techaid/ledger"
)

// onTop is what replica writes over held, having seen seen besides, with the context a store gives
// it (ledger.OnTop).
func onTop(replica string, stamp ledger.Stamp, value string, held ledger.Field, seen ...ledger.VersionID) ledger.Field {
	f := edit(replica, stamp, value, ledger.VersionID{})
	f.Prev, f.Context = ledger.OnTop(held, seen, replica)
	return f
}

// Issue 14, item 8: a value replaced at two removes or more is no conflict, wherever it arrives; two
// versions neither of whose writers had seen the other still are, on both sides.
func TestResolveCausal(t *testing.T) {
	a := edit("city", 100, "甲", ledger.VersionID{})
	b := onTop("county", 200, "乙", a)  // A→B at the county
	c := onTop("county2", 300, "丙", b) // B→C on a second PC, which had received B
	if c.Prev != b.VersionID || !slices.Equal(c.Context, []ledger.VersionID{a.VersionID}) {
		t.Fatalf("C's context: prev %+v, context %+v; want B, then A", c.Prev, c.Context)
	}
	d := onTop("county2", 400, "丁", c) // the second PC again: its own earlier write is implied
	if d.Prev != b.VersionID || !slices.Equal(d.Context, []ledger.VersionID{a.VersionID}) {
		t.Fatalf("D's context: prev %+v, context %+v; want B, then A, and not C", d.Prev, d.Context)
	}
	for _, tt := range []struct {
		name           string
		held, incoming ledger.Field
		want           ledger.Overwrite
	}{
		{"C arrives where A is held (two removes)", a, c, ledger.TakeNew},
		{"A arrives where C is held", c, a, ledger.KeepHeld},
		{"D arrives where A is held (three removes)", a, d, ledger.TakeNew},
		{"D arrives where B is held", b, d, ledger.TakeNew},
		{"concurrent with B, from the city again", b, onTop("city", 250, "戊", a), ledger.Conflict},
	} {
		if got, _, _ := ledger.Resolve(tt.held, tt.incoming); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}

	// A replica that held L and received W over it (a conflict) has seen L: its clerk's next edit V
	// follows both, so the office that wrote L, receiving V, logs nothing; the hub, holding W, neither.
	l := onTop("town", 300, "乡镇的", a)
	w := onTop("city", 310, "市局的", a)
	got, kept, loser := ledger.Resolve(l, w)
	if got != ledger.Conflict || !kept.Same(w) || !loser.Same(l) {
		t.Fatalf("W over L: %v, keeps %q, loses %q", got, kept.Value, loser.Value)
	}
	seen := ledger.Remember(nil, kept, l, w)
	if !slices.Equal(seen, []ledger.VersionID{l.VersionID}) {
		t.Errorf("after the conflict the replica has seen %+v, want L", seen)
	}
	v := onTop("county", 400, "县里定的", kept, seen...)
	if !v.Covers(l.VersionID) || !v.Covers(w.VersionID) || !v.Covers(a.VersionID) {
		t.Fatalf("V (prev %+v, context %+v) does not cover L, W and A", v.Prev, v.Context)
	}
	if got, _, _ := ledger.Resolve(l, v); got != ledger.TakeNew {
		t.Errorf("V where L is held: %v, want a plain edit", got)
	}
	if got, _, _ := ledger.Resolve(w, v); got != ledger.TakeNew {
		t.Errorf("V where W is held: %v, want a plain edit", got)
	}
	// Keeping the held version over a concurrent one remembers it too, and a later version that covers
	// it all leaves nothing to remember.
	got, kept, _ = ledger.Resolve(w, l)
	if seen := ledger.Remember(nil, kept, w, l); got != ledger.Conflict || !kept.Same(w) || !slices.Equal(seen, []ledger.VersionID{l.VersionID}) {
		t.Errorf("L where W is held: %v, keeps %q having seen %+v", got, kept.Value, seen)
	}
	if _, next, _ := ledger.Resolve(kept, v); !next.Same(v) || ledger.Remember(seen, next, kept, v) != nil {
		t.Errorf("V over W that had seen L: %q, seen %+v; want V, nothing more", next.Value, ledger.Remember(seen, next, kept, v))
	}
	// An equal value written concurrently is no conflict, but it is remembered: an edit on top of it
	// must not be a conflict where it is held.
	same := onTop("town2", 305, "市局的", a)
	got, kept, _ = ledger.Resolve(w, same)
	seen = ledger.Remember(nil, kept, w, same)
	if got != ledger.KeepHeld || !slices.Equal(seen, []ledger.VersionID{same.VersionID}) {
		t.Errorf("an equal value where W is held: %v, seen %+v", got, seen)
	}
	if got, _, _ := ledger.Resolve(same, onTop("city", 500, "再改", kept, seen...)); got != ledger.TakeNew {
		t.Errorf("an edit on top of both equal values, where the other is held: %v", got)
	}
}

// An office from before the context sends prev alone: a receiver decides by it, one remove, as the
// office itself does.
func TestResolvePrevOnly(t *testing.T) {
	a := edit("city", 100, "甲", ledger.VersionID{})
	b := edit("county", 200, "乙", a.VersionID)
	c := edit("county2", 300, "丙", b.VersionID) // no context: an older office
	if got, _, _ := ledger.Resolve(b, c); got != ledger.TakeNew {
		t.Errorf("one remove: %v", got)
	}
	if got, _, _ := ledger.Resolve(a, c); got != ledger.Conflict {
		t.Errorf("two removes without a context: %v, want the conflict an older office would log", got)
	}
}
