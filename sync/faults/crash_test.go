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
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/query"
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

type ackedTraining struct {
	attendees int
	topic     string
}

// TestCrashOfficeWrites kills techaid-cli while it writes as fast as it can (one training add or village
// edit after another, as a script entering a backlog does) and, every other round, in the middle of
// `sync --once`: every write it acknowledged must be in the store after the kill, and once the office
// has synced, the city must hold each of its trainings exactly once, with its values.
func TestCrashOfficeWrites(t *testing.T) {
	t.Parallel() // each waits on its processes and their disks most of the time
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
		return crashExec(t, killAfter, crashCLI, "--data", office, "sync", "--once", "--city", city.URL, "--token-file", tokenFile(t, tokens[scope]))
	}
	if r := syncOnce(-1); r.code != 0 { // the office's villages come from the city
		t.Fatalf("first sync: %s", r)
	}
	codes := crashVillages(t, scope)
	t.Logf("city and office ready after %v", time.Since(began).Round(time.Millisecond))

	acked := map[string]ackedTraining{} // training id → what the acknowledged save wrote
	notes := map[ledger.Code]int{}      // village → the last notes counter acknowledged
	needs := map[string]string{}        // need id → the problem its acknowledged save wrote
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
			need := n%8 == 5 // a need: its list and counts move in the same transaction as the record
			switch {
			case n%4 == 3:
				village = codes[rng.IntN(len(codes))]
				args = []string{"village", "edit", string(village), "--notes", fmt.Sprint("n", n)}
			case need:
				args = []string{"need", "add", "--village", string(codes[rng.IntN(len(codes))]), "--group", "林果",
					"--problem", fmt.Sprint("压力测试第", n, "次")}
			default:
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
			} else if ls := r.lines(); len(ls) == 1 && need {
				needs[ls[0]] = fmt.Sprint("压力测试第", n, "次")
				writes++
			} else if len(ls) == 1 {
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
		verifyWrites(t, round, office, acked, notes, needs, &olog)
		if t.Failed() {
			t.Fatalf("round %d: the office lost acknowledged writes (seed %d)", round, seed)
		}
		if round%50 == 49 {
			t.Logf("round %d: %d kills, %d acknowledged writes, %v", round+1, kills+syncKills, writes, time.Since(start).Round(time.Second))
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
	for _, ch := range changesAfter(t, hub, 0) {
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
		if !maps.EqualFunc(held.Fields, rec.Fields, ledger.Field.Same) {
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
	for id := range needs {
		if _, ok := mine[id]; !ok {
			t.Errorf("acknowledged need %s is gone", id)
		}
	}
	t.Logf("%d kills of a writing techaid-cli (%d after the save returned), %d of sync --once (%d runs ended first); "+
		"%d acknowledged writes (%d trainings, %d needs), all in the city once; %v",
		kills, killedAfterSave, syncKills, syncMissed, writes, len(acked), len(needs), time.Since(start).Round(time.Millisecond))
	if len(acked) == 0 || kills < rounds {
		t.Errorf("%d trainings acknowledged, %d kills in %d rounds: the test tested too little", len(acked), kills, rounds)
	}
}

// verifyWrites opens the office's store after a kill and checks the acknowledged writes: each training
// is there with what was saved and has its change-log entry, each edited village holds its last
// acknowledged notes or a later one, and the counters agree with the log.
func verifyWrites(t *testing.T, round int, dir string, acked map[string]ackedTraining, notes map[ledger.Code]int,
	needs map[string]string, olog *officeLog) {
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
	for id, problem := range needs {
		n, err := storage.Get[ledger.Need](st, id)
		if err != nil || n.Problem != problem {
			t.Errorf("round %d: acknowledged need %s: %+v, %v", round, id, n, err)
		}
		if len(olog.ids[id]) != 1 {
			t.Errorf("round %d: need %s has %d change-log entries, want 1", round, id, len(olog.ids[id]))
		}
	}
	if listed, _ := st.Needs(query.Needs{}, nil); len(listed) < len(needs) {
		t.Errorf("round %d: %d needs listed, %d acknowledged", round, len(listed), len(needs))
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
	if stats.Trainings < len(acked) {
		t.Errorf("round %d: the store counts %d trainings, %d were acknowledged", round, stats.Trainings, len(acked))
	}
}

// hubView is what the test knows of the city's data, read from its store while the server is stopped.
type hubView struct {
	head    uint64
	records map[string]ledger.Record // by id: the records of an office's scope, as the city holds them
}

// readHub stops the server, reads the city's change log after seq (each entry with the fields it
// touched) and the records those entries name, and serves again.
func readHub(t *testing.T, city *cityServer, after uint64) ([]storage.Change, map[string]ledger.Record, uint64) {
	t.Helper()
	city.stop()
	defer city.start()
	hub := crashOpen(t, city.dir)
	defer hub.Close()
	entries := changesAfter(t, hub, after)
	recs := map[string]ledger.Record{}
	for _, ch := range entries {
		if _, ok := recs[ch.ID]; ok {
			continue
		}
		rec, err := hub.Record(ch.ID)
		if err != nil {
			t.Fatalf("the city's log names %s %s: %v", ch.Kind, ch.ID, err)
		}
		recs[ch.ID] = rec
	}
	head, _ := hub.Committed()
	return entries, recs, head
}

// readScope stops the server, reads the city's records of scope (one scan) and its head, and serves
// again.
func readScope(t *testing.T, city *cityServer, scope ledger.Code) (map[string]ledger.Record, uint64) {
	t.Helper()
	city.stop()
	defer city.start()
	hub := crashOpen(t, city.dir)
	defer hub.Close()
	out := map[string]ledger.Record{}
	err := hub.Snapshot(func(rec ledger.Record, _ ledger.Code) error {
		if synctest.InScope(scope, rec) {
			out[rec.ID] = rec
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	head, _ := hub.Committed()
	return out, head
}

// pullKills counts where the kills of a pulling office landed.
type pullKills struct {
	total, timed, none, mid, done, missed int // by time; no batch applied since the last; some; all; the run ended first
}

// aimedKill runs the office's `sync --once` through the proxy and kills it: one time in four at a random
// moment of its life (opening the store, connecting, pulling, closing), otherwise once a random number
// of bytes up to est (about the rest of the pull) has come from the city. The proxy paces the city's
// bytes like a slow line, so the office applies each batch as it arrives and a random byte is a random
// point of the pull; at full speed the city sends everything before the office has applied the first
// batch, and every kill would land there. kill false runs it whole.
func aimedKill(t *testing.T, rng *rand.Rand, p *killProxy, life time.Duration, est int64, kill bool, args ...string) (crashRun, bool) {
	t.Helper()
	proc := crashStart(t, crashCLI, args...)
	timed := false
	switch {
	case !kill:
		p.arm(-1, nil)
	case rng.IntN(4) == 0:
		p.arm(-1, nil)
		timed = true
		timer := time.AfterFunc(randDelay(rng, life), proc.kill)
		defer timer.Stop()
	default:
		at := rng.Int64N(max(est, 1) + 1)
		p.arm(at, proc.kill)
	}
	return proc.wait(), timed
}

// TestCrashOfficePull kills techaid-cli `sync --once` while it applies what it pulls from a real
// techaid-city serve: first a new county office's first pull (the whole scope, served from a scan of
// the city's records), then backlogs of thousands of changes (new trainings, edits and deletions made
// by the city's own office, half of them outside the county). After each kill the office must hold
// exactly the city's data up to its saved cursor and nothing after it: a batch is applied with its
// cursor or not at all. After the last run it must hold exactly the city's data of its scope.
func TestCrashOfficePull(t *testing.T) {
	t.Parallel() // each waits on its processes and their disks most of the time
	began := time.Now()
	crashBinaries(t)
	seed, rng := crashSeed(t)
	backlogs, killsPer, firstKills, size := 1, 4, 2, 2000
	if crashLong() {
		backlogs, killsPer, firstKills = 25, 10, 30
	}
	const county ledger.Code = "370323"
	cityDir, tokens := newCity(t, map[ledger.Code]string{synctest.City: "市局", county: "沂源县"})
	city := startCity(t, cityDir)
	feeder, _ := newOfficeDir(t, synctest.City, "刘洋")
	cli(t, feeder, "seed", "--villages", crashDivisions(t), "--advisors", "40", "--trainings", fmt.Sprint(size), "--rand", fmt.Sprint(rng.Uint64()))
	feederSync := func() {
		t.Helper()
		r := crashExec(t, -1, crashCLI, "--data", feeder, "sync", "--once", "--city", city.URL, "--token-file", tokenFile(t, tokens[synctest.City]))
		if r.code != 0 {
			t.Fatalf("the city office's sync: %s", r)
		}
	}
	feederSync()
	scope, head := readScope(t, city, county)
	proxy := startKillProxy(t, strings.TrimPrefix(city.URL, "ws://"), false, 768<<10)
	life, perRecord := 500*time.Millisecond, int64(400) // a run's life, the bytes of a record pulled; measured by whole runs
	pull := func(dir string, records int, kill bool) (crashRun, bool) {
		r, timed := aimedKill(t, rng, proxy, life, int64(records)*perRecord, kill, "--data", dir, "sync", "--once", "--city", proxy.URL(), "--token-file", tokenFile(t, tokens[county]))
		if !r.killed && r.code == 0 && records > 0 {
			life, perRecord = r.elapsed, max(proxy.counted()/int64(records), 1)
		}
		return r, timed
	}
	t.Logf("city ready after %v: %d changes, %d records in %s", time.Since(began).Round(time.Millisecond), head, len(scope), county)
	var kills pullKills
	count := func(r crashRun, timed bool, before, after, head uint64, applied bool) {
		switch {
		case !r.killed:
			kills.missed++
			return
		case timed:
			kills.timed++
		}
		kills.total++
		switch {
		case after == head:
			kills.done++
		case after > before || applied:
			kills.mid++
		default:
			kills.none++
		}
	}

	// A new office's first pull comes from cursor 0 in frames that carry cursor 0 until the last: after
	// a kill the office holds some of the city's records, each as the city holds it, with cursor 0, or
	// all of them with the head.
	var victim string
	for first := 0; first < firstKills; {
		victim, _ = newOfficeDir(t, county, "孙丽")
		for k := 0; ; k++ {
			kill := first < firstKills
			r, timed := pull(victim, len(scope), kill)
			if !r.killed && r.code != 0 {
				t.Fatalf("first pull: %s", r)
			}
			st := crashOpen(t, victim)
			pc, err := st.Pulled()
			if err != nil {
				t.Fatal(err)
			}
			held := synctest.Records(t, st)
			count(r, timed, 0, pc.Cursor, head, len(held) > 0)
			if r.killed {
				first++
			}
			if pc.Cursor != 0 && (pc.Cursor != head || pc.Epoch != city.Epoch) {
				t.Errorf("first pull, run %d: cursor %s/%d; the city is at %s/%d", k, pc.Epoch, pc.Cursor, city.Epoch, head)
			}
			for id, rec := range held {
				if want, ok := scope[id]; !ok {
					t.Errorf("first pull, run %d: the office holds %s %s, outside its scope", k, rec.Kind, id)
				} else if !maps.EqualFunc(rec.Fields, want.Fields, ledger.Field.Same) {
					t.Errorf("first pull, run %d: %s %s differs from the city's", k, rec.Kind, id)
				}
			}
			if pc.Cursor != 0 || !r.killed {
				checkScope(t, "first pull", st, scope)
			}
			if n := st.Stats(nil).Changes; n != 0 {
				t.Errorf("first pull, run %d: %d local changes; what is pulled must not be pushed back", k, n)
			}
			st.Close()
			if t.Failed() {
				t.Fatalf("the first pull went wrong (seed %d)", seed)
			}
			if !r.killed {
				break
			}
		}
	}

	// Backlogs: the city's office writes, the county office pulls and is killed on the way.
	cursor := head
	for b := range backlogs {
		feed(t, rng, feeder, scope, size)
		feederSync()
		entries, recs, head := readHub(t, city, cursor)
		proxy.retarget(strings.TrimPrefix(city.URL, "ws://"))
		var mine []storage.Change // the entries of the county
		for _, ch := range entries {
			if synctest.InScope(county, recs[ch.ID]) {
				mine = append(mine, ch)
			}
		}
		st := crashOpen(t, victim)
		prev := map[string]ledger.Record{} // the office's records before the backlog; absent: none
		for _, ch := range mine {
			if rec, err := st.Record(ch.ID); err == nil {
				prev[ch.ID] = rec
			}
		}
		st.Close()
		for k := 0; ; k++ {
			rest := 0 // the county's entries after the cursor
			for _, ch := range mine {
				if ch.Seq > cursor {
					rest++
				}
			}
			r, timed := pull(victim, rest, k < killsPer)
			if !r.killed && r.code != 0 {
				t.Fatalf("backlog %d: %s", b, r)
			}
			st := crashOpen(t, victim)
			pc, err := st.Pulled()
			if err != nil {
				t.Fatal(err)
			}
			count(r, timed, cursor, pc.Cursor, head, false)
			if pc.Epoch != city.Epoch || pc.Cursor < cursor || pc.Cursor > head || !r.killed && pc.Cursor != head {
				t.Errorf("backlog %d, run %d: cursor %s/%d; it was %d, the city is at %s/%d", b, k, pc.Epoch, pc.Cursor, cursor, city.Epoch, head)
			}
			cursor = pc.Cursor
			checkPrefix(t, fmt.Sprintf("backlog %d, run %d", b, k), st, entries, recs, prev, county, cursor)
			if n := st.Stats(nil).Changes; n != 0 {
				t.Errorf("backlog %d, run %d: %d local changes; what is pulled must not be pushed back", b, k, n)
			}
			st.Close()
			if t.Failed() {
				t.Fatalf("backlog %d: the office is not the city's data up to its cursor (seed %d)", b, seed)
			}
			if !r.killed {
				break
			}
		}
		for _, ch := range mine {
			scope[ch.ID] = recs[ch.ID]
		}
		st = crashOpen(t, victim)
		checkScope(t, fmt.Sprintf("backlog %d", b), st, scope)
		if c := st.Stats(nil).Conflicts; c != 0 {
			t.Errorf("backlog %d: %d conflicts; pulling the city's own edits again must log none", b, c)
		}
		st.Close()
		if t.Failed() {
			t.Fatalf("backlog %d: the office does not hold the city's data of its scope (seed %d)", b, seed)
		}
		if backlogs > 1 {
			t.Logf("backlog %d: %d kills so far (%d in the middle of a pull), %v", b+1, kills.total, kills.mid, time.Since(began).Round(time.Second))
		}
	}
	t.Logf("%d kills of a pulling techaid-cli (%d at a random moment, the rest at a random byte of the pull; %d before a batch "+
		"was applied, %d in the middle, %d after the last; %d runs ended first); %d records of %s identical to the city's; %v",
		kills.total, kills.timed, kills.none, kills.mid, kills.done, kills.missed, len(scope), county, time.Since(began).Round(time.Millisecond))
	// A kill lands between two applied batches perhaps one time in three: the short run may miss, the
	// long one must not.
	if crashLong() && kills.mid < kills.total/10 {
		t.Errorf("%d of %d kills landed in the middle of a pull: the test tested too little", kills.mid, kills.total)
	}
}

// feed makes the city's office write a backlog with techaid-cli: seed again (every village rewritten,
// new advisors and pairings, n new trainings across the city), and edit and delete a few trainings the
// county holds, as a day's catching up at the city does.
func feed(t *testing.T, rng *rand.Rand, dir string, scope map[string]ledger.Record, n int) {
	t.Helper()
	cli(t, dir, "seed", "--villages", crashDivisions(t), "--advisors", "10", "--trainings", fmt.Sprint(n), "--rand", fmt.Sprint(rng.Uint64()))
	// A training that a live need or introduction names cannot be deleted (storage.InUseError): the
	// deletions pick among the others. (Those records name trainings of their own village, so the
	// scope's records are all that can name one of the scope's trainings.)
	named := map[string]bool{}
	for id, rec := range scope {
		if rec.Fields["deleted"].Value != "" {
			continue
		}
		e, err := ledger.Decode(rec.Kind, id, rec.Values())
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range ledger.References(e) {
			if ref.Kind == ledger.KindTraining {
				named[ref.ID] = true
			}
		}
	}
	var ids []string
	for id, rec := range scope {
		if rec.Kind == ledger.KindTraining && rec.Fields["deleted"].Value == "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	deletes, edits := 2, 2
	for _, p := range rng.Perm(len(ids)) {
		switch {
		case deletes > 0 && !named[ids[p]]:
			deletes--
			cli(t, dir, "delete", ids[p])
		case edits > 0:
			edits--
			cli(t, dir, "training", "edit", ids[p], "--attendees", fmt.Sprint(90+rng.IntN(100)))
		}
		if deletes+edits == 0 {
			break
		}
	}
}

// checkPrefix checks an office killed while pulling the city's log entries: the fields that entries up
// to the cursor touched hold the city's versions, every other field of those records what the office
// held before the backlog. (That records outside its scope are not there checkScope checks once the
// backlog is pulled.)
func checkPrefix(t *testing.T, what string, st *storage.Store, entries []storage.Change, recs, prev map[string]ledger.Record,
	scope ledger.Code, cursor uint64) {
	t.Helper()
	want := map[string]ledger.Record{}
	for _, ch := range entries {
		rec := recs[ch.ID]
		if !synctest.InScope(scope, rec) {
			continue
		}
		w, ok := want[ch.ID]
		if !ok {
			w = ledger.Record{Kind: rec.Kind, ID: rec.ID, Fields: map[string]ledger.Field{}}
			maps.Copy(w.Fields, prev[ch.ID].Fields)
			want[ch.ID] = w
		}
		if ch.Seq <= cursor {
			for _, f := range ch.Fields {
				w.Fields[f] = rec.Fields[f]
			}
		}
	}
	for id, w := range want {
		got, err := st.Record(id)
		ch := storage.Change{Kind: w.Kind, ID: id}
		switch {
		case len(w.Fields) == 0 && err == nil:
			t.Errorf("%s: the office holds %s %s, which the city logged after its cursor %d", what, ch.Kind, ch.ID, cursor)
		case len(w.Fields) == 0:
		case err != nil:
			t.Errorf("%s: %s %s, logged up to the cursor %d: %v", what, ch.Kind, ch.ID, cursor, err)
		case !maps.EqualFunc(got.Fields, w.Fields, ledger.Field.Same):
			t.Errorf("%s: %s %s is not the city's up to the cursor %d:\n got  %v\n want %v", what, ch.Kind, ch.ID, cursor, got.Fields, w.Fields)
		}
		if t.Failed() {
			return
		}
	}
}

// checkScope checks that the office holds exactly the city's data of its scope: every record as the
// city holds it, and nothing else.
func checkScope(t *testing.T, what string, st *storage.Store, scope map[string]ledger.Record) {
	t.Helper()
	for id, want := range scope {
		got, err := st.Record(id)
		if err != nil {
			t.Errorf("%s: %s %s: %v", what, want.Kind, id, err)
		} else if !maps.EqualFunc(got.Fields, want.Fields, ledger.Field.Same) {
			t.Errorf("%s: %s %s differs:\n office %v\n city   %v", what, want.Kind, id, got.Fields, want.Fields)
		}
		if t.Failed() {
			return
		}
	}
	for id, rec := range synctest.Records(t, st) {
		if _, ok := scope[id]; !ok {
			t.Errorf("%s: the office holds %s %s, which the city does not give it", what, rec.Kind, id)
		}
	}
}

// officeBacklog makes an office enter n trainings in its villages while offline (one import, as a
// clerk's spreadsheet would come in): changes to push.
func officeBacklog(t *testing.T, rng *rand.Rand, st *storage.Store, n int) {
	t.Helper()
	vs, _ := st.Villages(query.Villages{}, nil)
	var codes []ledger.Code
	for _, v := range vs {
		codes = append(codes, v.Code)
	}
	if len(codes) == 0 {
		t.Fatal("the office holds no village")
	}
	now := time.Now()
	trs := ledger.SampleTrainings(rng, n, now.Year(), now, codes, []string{"-"}, storage.NewID)
	for i := range trs {
		trs[i].Advisors = nil // an office does not write the roster; none is needed
	}
	res, err := st.Import(t.Context(), ledger.Entities(trs), nil)
	if err != nil || len(res.Rejected) > 0 {
		t.Fatalf("backlog of %d trainings: %v %v", n, err, res.Rejected)
	}
}

// pushOffice is an office PC of the city-kill test, with what the test knows of it.
type pushOffice struct {
	name    string
	scope   ledger.Code
	dir     string
	replica string
	log     officeLog
	checked uint64 // its changes up to here were found at the city
}

// TestCrashCityPush kills techaid-city serve with SIGKILL while two offices (a township and its county)
// push backlogs of trainings to it and pull each other's, at a random byte of their pushes or a random
// moment, and restarts it on the same data directory. After every kill: no office believes the city
// holds more than it does, the city holds each change of an office up to the acknowledged sequence
// number it keeps for that office and none after (a push is applied with its acknowledgement or not at
// all), and no change is in the city's log twice. At the end, after the offices resynced, the city
// holds every change exactly once and each office holds exactly the city's data of its scope.
func TestCrashCityPush(t *testing.T) {
	t.Parallel() // each waits on its processes and their disks most of the time
	began := time.Now()
	crashBinaries(t)
	seed, rng := crashSeed(t)
	rounds, size := 5, 300 // the township enters size trainings a round, the county twice as many
	if crashLong() {
		rounds, size = 150, 100 // smaller backlogs, or the stores opened after each kill grow too large
	}
	offices := []*pushOffice{{name: "鲁村镇", scope: synctest.Lucun}, {name: "沂源县", scope: "370323"}}
	names := map[ledger.Code]string{}
	for _, o := range offices {
		names[o.scope] = o.name
	}
	cityDir, tokens := newCity(t, names)
	city := startCity(t, cityDir)
	proxy := startKillProxy(t, strings.TrimPrefix(city.URL, "ws://"), true, 1<<20)
	for _, o := range offices {
		o.dir, o.replica = newOfficeDir(t, o.scope, "王芳")
		if r := crashExec(t, -1, crashCLI, "--data", o.dir, "sync", "--once", "--city", city.URL, "--token-file", tokenFile(t, tokens[o.scope])); r.code != 0 {
			t.Fatalf("%s's first sync: %s", o.name, r)
		}
	}
	t.Logf("city and offices ready after %v", time.Since(began).Round(time.Millisecond))
	// syncAll runs every office's sync --once at once, through the proxy; kill is called as armed.
	syncAll := func() []crashRun {
		procs := make([]*crashProc, len(offices))
		for i, o := range offices {
			procs[i] = crashStart(t, crashCLI, "--data", o.dir, "sync", "--once", "--city", proxy.URL(), "--token-file", tokenFile(t, tokens[o.scope]))
		}
		runs := make([]crashRun, len(offices))
		for i, p := range procs {
			runs[i] = p.wait()
		}
		return runs
	}

	perID := map[string]int{} // the city's change-log entries per record, over the whole test
	var hubSeq uint64         // read up to here
	life, perRecord := time.Second, int64(600)
	var kills, timed, missed, mid, behind int
	for i, o := range offices {
		st := crashOpen(t, o.dir)
		officeBacklog(t, rng, st, size*(i+1))
		st.Close()
	}
	for round := range rounds {
		pending := 0 // changes the offices have to push
		for i := range offices {
			pending += size * (i + 1)
		}
		killed := false
		kill := city.kill
		start := time.Now()
		if rng.IntN(4) == 0 {
			timed++
			timer := time.AfterFunc(randDelay(rng, life), kill)
			syncAll()
			if killed = !timer.Stop(); killed {
				city.kill() // waits for the timer's kill to finish: the store must be free below
			}
		} else {
			proxy.arm(rng.Int64N(int64(pending)*perRecord+1), kill)
			syncAll()
			killed = !city.running() // waits for a kill the proxy fired to finish
		}
		proxy.arm(-1, nil)
		if !killed {
			missed++
			life, perRecord = time.Since(start), max(proxy.counted()/int64(pending), 1)
			city.stop()
		} else {
			kills++
		}

		// The city is down: read its store and each office's.
		hub := crashOpen(t, cityDir)
		entries := changesAfter(t, hub, hubSeq)
		for _, ch := range entries {
			hubSeq = ch.Seq
			if perID[ch.ID]++; ch.Kind == ledger.KindTraining && perID[ch.ID] > 1 {
				t.Errorf("round %d: training %s is in the city's change log %d times", round, ch.ID, perID[ch.ID])
			}
		}
		midPush := false
		for _, o := range offices {
			st := crashOpen(t, o.dir)
			o.log.read(t, st)
			stats := st.Stats(nil)
			held, err := hub.PeerAcked(o.replica)
			if err != nil {
				t.Fatal(err)
			}
			if stats.Replica != o.replica {
				t.Errorf("round %d: %s took a new replica id", round, o.name)
			}
			if stats.Acked > held || held > stats.Changes {
				t.Errorf("round %d: %s made %d changes and believes the city holds %d; the city holds %d", round, o.name, stats.Changes, stats.Acked, held)
			}
			if held > o.checked && held < stats.Changes {
				midPush = true
			}
			if stats.Acked < held {
				behind++ // the city applied a push whose ack died with it: the office sends it again
			}
			// Each change after the last check: at the city, as the office holds it, up to the city's
			// acknowledgement; not at the city after it (offices here only create trainings).
			chs, err := st.Changes(o.checked, int(stats.Changes-o.checked))
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range chs {
				rec, err := hub.Record(ch.ID)
				switch {
				case ch.Seq <= held && err != nil:
					t.Errorf("round %d: %s's change %d (%s %s) is acknowledged by the city (%d) but not there: %v", round, o.name, ch.Seq, ch.Kind, ch.ID, held, err)
				case ch.Seq > held && err == nil && ch.Kind == ledger.KindTraining:
					t.Errorf("round %d: %s's change %d (training %s) is at the city, which acknowledged only %d: applied without its acknowledgement", round, o.name, ch.Seq, ch.ID, held)
				case ch.Seq <= held:
					for name, f := range ch.Record.Fields {
						if !rec.Fields[name].Same(f) {
							t.Errorf("round %d: %s %s field %s: the city holds %v, the office %v", round, ch.Kind, ch.ID, name, rec.Fields[name], f)
						}
					}
				}
				if t.Failed() {
					break
				}
			}
			o.checked = held
			if round < rounds-1 {
				officeBacklog(t, rng, st, size*(1+slices.Index(offices, o))) // the next round's, while the store is open
			}
			st.Close()
		}
		hub.Close()
		if midPush {
			mid++
		}
		if t.Failed() {
			t.Fatalf("round %d: the city or an office is inconsistent after the kill (seed %d)", round, seed)
		}
		city.start()
		proxy.retarget(strings.TrimPrefix(city.URL, "ws://"))
		if round%25 == 24 {
			t.Logf("round %d: %d kills (%d with a push half taken), %v", round+1, kills, mid, time.Since(began).Round(time.Second))
		}
	}

	// The offices resync, uncut: the township, the county (which receives the township's), the
	// township again (which receives the county's in its villages).
	for _, o := range []*pushOffice{offices[0], offices[1], offices[0]} {
		if r := crashExec(t, -1, crashCLI, "--data", o.dir, "sync", "--once", "--city", city.URL, "--token-file", tokenFile(t, tokens[o.scope])); r.code != 0 {
			t.Fatalf("%s's last sync: %s", o.name, r)
		}
	}
	city.stop()
	hub := crashOpen(t, cityDir)
	defer hub.Close()
	for _, ch := range changesAfter(t, hub, hubSeq) {
		perID[ch.ID]++
	}
	all := map[string]ledger.Record{}
	err := hub.Snapshot(func(rec ledger.Record, _ ledger.Code) error {
		all[rec.ID] = rec
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	trainings := 0
	for _, o := range offices {
		st := crashOpen(t, o.dir)
		stats := st.Stats(nil)
		held, err := hub.PeerAcked(o.replica)
		if err != nil || stats.Acked != stats.Changes || held != stats.Changes || stats.Replica != o.replica {
			t.Errorf("%s: %d changes, %d acknowledged; the city holds %d (%v); replica %s, was %s", o.name, stats.Changes, stats.Acked, held, err, stats.Replica, o.replica)
		}
		o.log.read(t, st)
		for id, seqs := range o.log.ids {
			if rec, ok := all[id]; !ok {
				t.Errorf("%s's %s (change %v) is not at the city", o.name, id, seqs)
			} else if mine, err := st.Record(id); err != nil || !maps.EqualFunc(mine.Fields, rec.Fields, ledger.Field.Same) {
				t.Errorf("%s's %s differs from the city's (%v)", o.name, id, err)
			}
			if perID[id] != 1 {
				t.Errorf("%s's training %s is in the city's log %d times, want once", o.name, id, perID[id])
			}
			trainings++
		}
		// Exactly the city's data of its scope.
		scope := map[string]ledger.Record{}
		for id, rec := range all {
			if synctest.InScope(o.scope, rec) {
				scope[id] = rec
			}
		}
		checkScope(t, o.name, st, scope)
		st.Close()
	}
	t.Logf("%d kills of techaid-city serve (%d at a random moment, the rest at a random byte of the offices' pushes; %d with an office's backlog "+
		"half taken; %d times an office had not heard the ack of a push the city had applied; %d rounds ended first); "+
		"%d trainings from 2 offices, each in the city once; %v", kills, timed, mid, behind, missed, trainings, time.Since(began).Round(time.Millisecond))
	if kills == 0 {
		t.Error("the city was never killed: the test tested nothing")
	}
}
