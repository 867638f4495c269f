package storage

import (
	"fmt"
	"os"
	"reflect"
	"testing"
	"time"

	"techaid/ledger"
)

// TestReopenSameIndexes: memdb is rebuilt from Badger on open, so every query answers the same after a
// reopen, and nothing on disk moves.
func TestReopenSameIndexes(t *testing.T) {
	t.Parallel()
	wall := newTestClock(baseWall)
	s := newStore(t, city, Options{Wall: wall.Now})
	w := newWorkload(t, s, 1)
	w.populate(200, 200, 700)
	t.Logf("workload: %v", w.ops)
	if err := s.Ack(s.Stats(nil).Changes / 2); err != nil {
		t.Fatal(err)
	}
	checkConsistent(t, s)
	st := s.Stats(nil)
	if st.Advisors < 100 || st.Assignments < 100 || st.Trainings < 200 {
		t.Fatalf("too small a store to be telling: %+v", st)
	}
	want := snapshot(t, s)
	wantKeys := rawKeys(t, s)
	lastStamp := s.Clock().Last()
	dir := s.Dir()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.Create(t.Context(), advisor("王建国", "林果")); err == nil {
		t.Error("a write to a closed store succeeded")
	}

	// The PC comes back in the year 2000: the clock must not go back with it.
	wall.Set(time.Date(2000, 1, 1, 0, 0, 0, 0, ledger.China))
	s = openStore(t, dir, Options{Wall: wall.Now, Logger: testLogger(t)})
	diffState(t, "after reopen", snapshot(t, s), want)
	if got := rawKeys(t, s); !reflect.DeepEqual(got, wantKeys) {
		t.Errorf("reopening changed the disk: extra %q, missing %q", keyDiff(got, wantKeys), keyDiff(wantKeys, got))
	}
	checkConsistent(t, s)
	if now := s.Clock().Now(); now <= lastStamp {
		t.Errorf("first stamp after reopen %v is not above the last before it %v", now, lastStamp)
	}
}

// TestTalliesMatchRecount: after any sequence of creates, edits (date, villages, attendees, kind),
// deletes and undeletes, the persisted tallies equal tallies recomputed from the live trainings.
func TestTalliesMatchRecount(t *testing.T) {
	t.Parallel()
	seeds := []uint64{2, 3, 4}
	steps := 400
	if os.Getenv("TECHAID_LONG") == "1" {
		seeds = []uint64{2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
		steps = 2000
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			s := newStore(t, city, Options{})
			w := newWorkload(t, s, seed)
			w.populate(10, 5, 0)
			for i := range steps {
				w.step()
				if i%200 == 199 {
					checkConsistent(t, s)
					if t.Failed() {
						t.Fatalf("seed %d: inconsistent after %d steps: %v", seed, i+1, w.ops)
					}
				}
			}
			t.Logf("seed %d: %v", seed, w.ops)
			checkConsistent(t, s)
			if w.ops["edit training"] == 0 || w.ops["delete training"] == 0 || w.ops["undelete training"] == 0 {
				t.Errorf("the mix missed an operation: %v", w.ops)
			}
			if len(persistedTallies(t, s)) == 0 {
				t.Error("no tallies at all")
			}
			dir := s.Dir()
			s.Close()
			s = openStore(t, dir, Options{Wall: newTestClock(baseWall).Now, Logger: testLogger(t)})
			checkConsistent(t, s)
		})
	}
}
