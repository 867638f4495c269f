// Package faults proves the sync guarantees (DESIGN.md, 2 and 3) under faults: connections cut, reset
// and dropped at random points by a proxy, and random schedules of offline edits on replicas of
// overlapping scopes. Everything is real: a hub on a real store over a websocket on 127.0.0.1, office
// stores on Badger in temp dirs. It holds tests only.
package faults

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/protocol"
	"techaid/sync/synctest"
)

var bg = context.Background()

// day is the date of every training the tests record: in the past, whatever the clocks say.
const day ledger.Date = "2025-06-01"

// County is 沂源县, which holds both test townships (鲁村镇 and 东里镇).
const County ledger.Code = "370323"

// startTownshipHub starts a hub whose store holds villages of two townships of one county (Lucun and
// Dongli), the first n of each (all if n is 0), rather than the whole city: cheap enough to start
// hundreds, and to compare every record of every replica after each random schedule.
func startTownshipHub(t testing.TB, n int) *synctest.Hub {
	t.Helper()
	dir := t.TempDir()
	st := synctest.Open(t, dir, synctest.City, "市局", storage.Options{})
	var in []ledger.Entity
	for _, scope := range []ledger.Code{synctest.Lucun, synctest.Dongli} {
		vs := synctest.Villages(t, scope)
		if n > 0 {
			vs = vs[:n]
		}
		for _, v := range vs {
			in = append(in, v)
		}
	}
	if _, err := st.Import(bg, in, nil); err != nil {
		t.Fatalf("import villages into the hub: %v", err)
	}
	return synctest.Serve(t, st, dir) // after the import: the hub indexes its change log when it starts
}

// villageCodes returns the codes of the first n villages of scope (all if n is 0).
func villageCodes(t testing.TB, scope ledger.Code, n int) []ledger.Code {
	var out []ledger.Code
	for _, v := range synctest.Villages(t, scope) {
		out = append(out, v.Code)
	}
	if len(out) < max(n, 8) {
		t.Fatalf("%s has %d villages", scope, len(out))
	}
	if n > 0 {
		out = out[:n]
	}
	return out
}

func training(topic string, villages ...ledger.Code) ledger.Training {
	return ledger.Training{Kind: ledger.TrainingCourse, Date: day, Start: "09:00", End: "11:30", Villages: villages,
		Topic: topic, Content: "现场讲解修剪要点", Attendees: 30, PoorAttendees: 5, Brochures: 50}
}

// permanent reports whether err is a hub refusal that no retry can cure (a token or version problem):
// a fault on the wire must never turn into one.
func permanent(err error) bool {
	var pe protocol.Error
	return errors.As(err, &pe) && pe.Code.Permanent()
}

// syncQuiet syncs the replicas directly until every replica has nothing pending and has pulled up to
// the hub's last change, syncing in each round only those that have changes to push or to pull: those
// with changes to push first, so that one more round brings everything to everyone. It fails the test
// if that takes more than rounds rounds.
func syncQuiet(t testing.TB, h *synctest.Hub, rounds int, reps ...*synctest.Replica) {
	t.Helper()
	behind := func(r *synctest.Replica) (push, pull bool) {
		pc, err := r.Store.Pulled()
		if err != nil {
			t.Fatalf("pull cursor of %s: %v", r.Store.Identity().Scope, err)
		}
		head, _ := h.Store.Committed()
		return r.Store.Stats(nil).Pending > 0, pc.Cursor != head
	}
	for range rounds {
		for _, r := range reps {
			if push, _ := behind(r); push {
				r.Sync()
			}
		}
		quiet := true
		for _, r := range reps {
			if push, pull := behind(r); push || pull {
				r.Sync()
				quiet = false
			}
		}
		if quiet {
			return
		}
	}
	t.Fatalf("still moving changes after %d rounds of sync", rounds)
}

// checkConverged compares every replica with the hub: a replica holds exactly the hub's records in its
// scope (the rosters everywhere), each identical to the hub's in values and versions, deleted ones
// included, and nothing else, and has no change the hub lacks.
func checkConverged(t testing.TB, h *synctest.Hub, reps ...*synctest.Replica) {
	t.Helper()
	all := synctest.Logged(t, h.Store)
	for _, r := range reps {
		scope := r.Store.Identity().Scope
		name := fmt.Sprintf("%s (%s)", scope, r.Store.Identity().Clerk)
		held := synctest.Records(t, r.Store) // the live ones
		live := 0
		for _, id := range slices.Sorted(maps.Keys(all)) {
			hr := all[id]
			got, ok := held[id]
			if !synctest.InScope(scope, hr) {
				if ok {
					t.Errorf("%s holds %s %s outside its scope", name, hr.Kind, id)
				}
				continue
			}
			if hr.Deleted() {
				var err error
				if got, err = r.Store.Record(id); err != nil {
					t.Errorf("%s lacks deleted %s %s: %v", name, hr.Kind, id, err)
					continue
				}
			} else if !ok {
				t.Errorf("%s lacks %s %s", name, hr.Kind, id)
				continue
			} else {
				live++
			}
			if !reflect.DeepEqual(got, hr) {
				t.Errorf("%s and the hub differ on %s %s:%s", name, hr.Kind, id, fieldDiff(got, hr))
			}
		}
		for id, rec := range held {
			if _, ok := all[id]; !ok {
				t.Errorf("%s holds %s %s, which the hub does not", name, rec.Kind, id)
			}
		}
		if len(held) != live {
			t.Errorf("%s holds %d live records; the hub holds %d in its scope", name, len(held), live)
		}
		if p := r.Store.Stats(nil).Pending; p != 0 {
			t.Errorf("%s: %d changes pending after sync", name, p)
		}
	}
}

func fieldDiff(got, want ledger.Record) string {
	var b strings.Builder
	names := map[string]bool{}
	for n := range got.Fields {
		names[n] = true
	}
	for n := range want.Fields {
		names[n] = true
	}
	for _, n := range slices.Sorted(maps.Keys(names)) {
		if g, w := got.Fields[n], want.Fields[n]; !reflect.DeepEqual(g, w) {
			fmt.Fprintf(&b, "\n  %s: replica %+v\n  %s: hub     %+v", n, g, n, w)
		}
	}
	return b.String()
}

// envInt reads a whole number from the environment; def if unset.
func envInt(t testing.TB, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s=%q: not a whole number", name, s)
	}
	return n
}

// once runs one session of c (push all, pull until caught up) and returns its summary and error.
func once(c *client.Client) (client.Summary, error) {
	ctx, cancel := context.WithTimeout(bg, time.Minute)
	defer cancel()
	return c.Once(ctx)
}

// changesAfter reads st's whole change log after seq, each entry with the record it names, and fails
// the test if the log has a gap.
func changesAfter(t *testing.T, st *storage.Store, after uint64) []storage.Change {
	t.Helper()
	var out []storage.Change
	for {
		chs, err := st.Changes(after, 1000)
		if err != nil {
			t.Fatalf("read the change log: %v", err)
		}
		if len(chs) == 0 {
			return out
		}
		for _, c := range chs {
			if c.Seq != after+1 {
				t.Fatalf("change log: %d after %d", c.Seq, after)
			}
			after = c.Seq
		}
		out = append(out, chs...)
	}
}
