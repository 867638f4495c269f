package faults

// Crash tests with real processes: techaid-cli (an office PC) and techaid-city serve (the city's
// server), built from this checkout and killed with SIGKILL at random, seeded moments. After every kill
// the test opens the stores the processes left behind and checks guarantee 2 of DESIGN.md: an
// acknowledged write survives, and every change reaches the city exactly once, whatever was killed on
// the way. The short version runs a handful of kills per scenario; TECHAID_LONG=1 (make test-long) runs
// hundreds. TECHAID_CRASH_SEED replays a run; a failed test prints its seed.

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/synctest"
)

// crashVillages is the village codes of the division list inside scope.
func crashVillages(t *testing.T, scope ledger.Code) []ledger.Code {
	t.Helper()
	f, err := os.Open(crashDivisions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	divs, err := ledger.ReadDivisions(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []ledger.Code
	for _, d := range divs {
		if scope.Contains(d.Village) {
			out = append(out, d.Village)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no village in %s", scope)
	}
	return out
}

// officeLog follows an office's change log between kills: which record each entry names.
type officeLog struct {
	last uint64
	ids  map[string][]uint64 // record id → its entries
}

// read reads the entries after the last one read.
func (l *officeLog) read(t *testing.T, st *storage.Store) {
	t.Helper()
	if l.ids == nil {
		l.ids = map[string][]uint64{}
	}
	for {
		chs, err := st.Changes(l.last, 1000)
		if err != nil {
			t.Fatalf("read the change log: %v", err)
		}
		if len(chs) == 0 {
			return
		}
		for _, ch := range chs {
			if ch.Seq != l.last+1 {
				t.Fatalf("the change log jumps from %d to %d", l.last, ch.Seq)
			}
			l.ids[ch.ID] = append(l.ids[ch.ID], ch.Seq)
			l.last = ch.Seq
		}
	}
}

// hubEntries returns the hub's change-log entries after seq, with the record each names.
func hubEntries(t *testing.T, st *storage.Store, after uint64) []storage.Change {
	t.Helper()
	var out []storage.Change
	for {
		chs, err := st.Changes(after, 1000)
		if err != nil {
			t.Fatalf("read the hub's change log: %v", err)
		}
		if len(chs) == 0 {
			return out
		}
		out = append(out, chs...)
		after = chs[len(chs)-1].Seq
	}
}

type ackedTraining struct {
	attendees int
	topic     string
}

// TestCrashOfficeWrites kills techaid-cli while it writes as fast as it can (one training add or village
// edit after another, as a script entering a backlog does) and, every other round, in the middle of
// `sync --once`: every write it acknowledged must be in the store after the kill, and once the office
// has synced, the city must hold each of its trainings exactly once, with its values.
func TestCrashOfficeWrites(t *testing.T) {
	began := time.Now()
	crashBinaries(t)
	t.Logf("binaries ready after %v", time.Since(began).Round(time.Millisecond))
	seed, rng := crashSeed(t)
	rounds := 8
	if crashLong() {
		rounds = 300
	}
	const scope = synctest.Lucun
	cityDir, tokens := newCity(t, map[ledger.Code]string{scope: "鲁村镇"})
	city := startCity(t, cityDir)
	office, replica := newOfficeDir(t, scope, "王芳")
	syncOnce := func(killAfter time.Duration) crashRun {
		return crashExec(t, killAfter, crashCLI, "--data", office, "sync", "--once", "--city", city.URL, "--token", tokens[scope])
	}
	if r := syncOnce(-1); r.code != 0 { // the office's villages come from the city
		t.Fatalf("first sync: %s", r)
	}
	codes := crashVillages(t, scope)
	t.Logf("city and office ready after %v", time.Since(began).Round(time.Millisecond))

	acked := map[string]ackedTraining{} // training id → what the acknowledged save wrote
	notes := map[ledger.Code]int{}      // village → the last notes counter acknowledged
	var olog officeLog
	life := 40 * time.Millisecond // how long one command lives; measured as it goes
	syncTook := 200 * time.Millisecond
	var writes, kills, killedAfterSave, syncKills, syncMissed int
	start := time.Now()
	n := 0
	for round := range rounds {
		// Write until a command is killed: commands before the victim run whole; from the victim on,
		// each is killed at a random moment of its life (opening the store, saving, closing), until one
		// is still running when the signal lands.
		victim := rng.IntN(30)
		for i := 0; ; i++ {
			n++
			var args []string
			var village ledger.Code
			if n%4 == 3 {
				village = codes[rng.IntN(len(codes))]
				args = []string{"village", "edit", string(village), "--notes", fmt.Sprint("n", n)}
			} else {
				vs := []string{string(codes[rng.IntN(len(codes))])}
				if rng.IntN(4) == 0 {
					if v := string(codes[rng.IntN(len(codes))]); v != vs[0] {
						vs = append(vs, v)
					}
				}
				args = []string{"training", "add", "--village", strings.Join(vs, ","), "--kind", ledger.TrainingKinds[n%5],
					"--topic", fmt.Sprint("压力测试第", n, "次"), "--attendees", fmt.Sprint(1 + n%500)}
			}
			kill := time.Duration(-1)
			if i >= victim {
				kill = randDelay(rng, life*5/4)
			}
			r := crashExec(t, kill, crashCLI, append([]string{"--data", office}, args...)...)
			if !r.killed {
				life = (7*life + r.elapsed) / 8
				if r.code != 0 {
					t.Fatalf("round %d: %s", round, r)
				}
			}
			if village != "" {
				if !r.killed {
					notes[village] = n
					writes++
				}
			} else if ls := r.lines(); len(ls) == 1 {
				// The id is printed once the save returned: acknowledged, even if the kill came after.
				acked[ls[0]] = ackedTraining{attendees: 1 + n%500, topic: fmt.Sprint("压力测试第", n, "次")}
				writes++
				if r.killed {
					killedAfterSave++
				}
			}
			if r.killed {
				kills++
				break
			}
		}
		if round%2 == 1 {
			// Killed in the middle of pushing what it wrote (or opening, or pulling).
			r := syncOnce(randDelay(rng, syncTook))
			if r.killed {
				syncKills++
			} else {
				syncMissed++
				if r.code != 0 {
					t.Fatalf("round %d: %s", round, r)
				}
				syncTook = max(r.elapsed, 50*time.Millisecond)
			}
		}
		verifyWrites(t, round, office, acked, notes, &olog)
		if t.Failed() {
			t.Fatalf("round %d: the office lost acknowledged writes (seed %d)", round, seed)
		}
	}

	// Now everything goes to the city, uncut: it must hold every training once, as the office does.
	if r := syncOnce(-1); r.code != 0 {
		t.Fatalf("last sync: %s", r)
	}
	city.stop()
	hub := crashOpen(t, cityDir)
	defer hub.Close()
	st := crashOpen(t, office)
	defer st.Close()
	olog.read(t, st)
	stats := st.Stats(nil)
	if stats.Pending != 0 || stats.Acked != stats.Changes {
		t.Errorf("after the last sync the office has %d changes, %d acknowledged, %d pending", stats.Changes, stats.Acked, stats.Pending)
	}
	if got, err := hub.PeerAcked(stats.Replica); err != nil || got != stats.Changes {
		t.Errorf("the city holds the office's changes up to %d (%v); the office made %d", got, err, stats.Changes)
	}
	if stats.Replica != replica {
		t.Errorf("the office took a new replica id (%s, was %s): the city held changes it never made", stats.Replica, replica)
	}
	perID := map[string]int{}   // the city's change-log entries per record
	theirs := map[string]bool{} // the trainings in the city's log (a hub keeps no training index)
	for _, ch := range hubEntries(t, hub, 0) {
		perID[ch.ID]++
		if ch.Kind == ledger.KindTraining {
			theirs[ch.ID] = true
		}
	}
	mine := synctest.Records(t, st)
	trainings := 0
	for id, rec := range mine {
		held, err := hub.Record(id)
		if err != nil {
			t.Errorf("the city lacks the office's %s %s: %v", rec.Kind, id, err)
			continue
		}
		if !maps.Equal(held.Fields, rec.Fields) {
			t.Errorf("%s %s differs:\n office %v\n city   %v", rec.Kind, id, rec.Fields, held.Fields)
		}
		if rec.Kind == ledger.KindTraining {
			trainings++
			if perID[id] != 1 {
				t.Errorf("training %s is in the city's change log %d times, want once", id, perID[id])
			}
		}
	}
	for id, a := range acked {
		if _, ok := mine[id]; !ok {
			t.Errorf("acknowledged training %s (%s) is gone", id, a.topic)
		}
	}
	for id := range theirs {
		if _, ok := mine[id]; !ok {
			t.Errorf("the city holds training %s, which the office does not", id)
		}
	}
	if len(theirs) != trainings {
		t.Errorf("the city holds %d trainings, the office %d", len(theirs), trainings)
	}
	t.Logf("%d kills of a writing techaid-cli (%d after the save returned), %d of sync --once (%d runs ended first); "+
		"%d acknowledged writes (%d trainings), all in the city once; %v",
		kills, killedAfterSave, syncKills, syncMissed, writes, len(acked), time.Since(start).Round(time.Millisecond))
	if len(acked) == 0 || kills < rounds {
		t.Errorf("%d trainings acknowledged, %d kills in %d rounds: the test tested too little", len(acked), kills, rounds)
	}
}

// verifyWrites opens the office's store after a kill and checks the acknowledged writes: each training
// is there with what was saved and has its change-log entry, each edited village holds its last
// acknowledged notes or a later one, and the counters agree with the log.
func verifyWrites(t *testing.T, round int, dir string, acked map[string]ackedTraining, notes map[ledger.Code]int, olog *officeLog) {
	t.Helper()
	st := crashOpen(t, dir)
	defer st.Close()
	olog.read(t, st)
	for id, a := range acked {
		tr, err := storage.Get[ledger.Training](st, id)
		if err != nil {
			t.Errorf("round %d: acknowledged training %s: %v", round, id, err)
			continue
		}
		if tr.Attendees != a.attendees || tr.Topic != a.topic {
			t.Errorf("round %d: training %s holds %d attendees, %q; the save wrote %d, %q", round, id, tr.Attendees, tr.Topic, a.attendees, a.topic)
		}
		if len(olog.ids[id]) != 1 {
			t.Errorf("round %d: training %s has %d change-log entries, want 1", round, id, len(olog.ids[id]))
		}
	}
	for code, n := range notes {
		v, err := st.Village(code)
		if err != nil {
			t.Errorf("round %d: village %s: %v", round, code, err)
			continue
		}
		if got, _ := strconv.Atoi(strings.TrimPrefix(v.Notes, "n")); got < n {
			t.Errorf("round %d: village %s notes %q, an acknowledged edit wrote n%d", round, code, v.Notes, n)
		}
	}
	stats := st.Stats(nil)
	if stats.Changes != olog.last {
		t.Errorf("round %d: the change log ends at %d, the counters say %d", round, olog.last, stats.Changes)
	}
	if stats.Acked > stats.Changes {
		t.Errorf("round %d: %d changes acknowledged of %d made", round, stats.Acked, stats.Changes)
	}
	if n := len(slices.Collect(maps.Keys(acked))); stats.Trainings < n {
		t.Errorf("round %d: the store counts %d trainings, %d were acknowledged", round, stats.Trainings, n)
	}
}
