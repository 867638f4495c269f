package storage

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"techaid/ledger"
	"techaid/query"
)

// The crash test runs this test binary again as a child that writes as fast as it can and reports each
// save on stdout as soon as Save returned; the parent SIGKILLs it at a random moment and checks that
// every reported save survived. The child is this test, skipped unless the parent set the variable.
const crashEnv = "TECHAID_CRASH_CHILD"

// TestCrashChild is the child half of TestCrash; on its own it skips.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("runs only as the child of TestCrash")
	}
	base, _ := strconv.Atoi(os.Getenv(crashEnv + "_BASE"))
	seed, _ := strconv.ParseUint(os.Getenv(crashEnv+"_SEED"), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 1))
	s, err := Open(dir, Options{Wall: newTestClock(baseWall).Now})
	if err != nil {
		fmt.Printf("error %v\n", err)
		t.Fatal(err)
	}
	defer s.Close()
	codes := sampleCodes(t)
	advisors := s.Advisors(query.Advisors{}, nil)
	variety := s.Varieties(query.Varieties{}, nil)[0].ID
	fmt.Println("ready")
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second) // the parent kills long before; never outlive it
	for n := base; time.Now().Before(deadline); n++ {
		if n%4 == 3 {
			v := codes[rng.IntN(len(codes))]
			if err := s.SetFields(ctx, ledger.KindVillage, string(v), map[string]string{"notes": fmt.Sprint("n", n)}); err != nil {
				fmt.Printf("error %v\n", err)
				t.Fatal(err)
			}
			fmt.Printf("v %s %d\n", v, n)
			continue
		}
		if n%8 == 5 { // a need or an introduction: their lists and counts move in the same transaction
			date := ledger.DateOf(baseWall.AddDate(0, 0, -rng.IntN(500)))
			var e ledger.Entity = ledger.Need{Village: codes[rng.IntN(len(codes))], Problem: "缺技术", Group: "林果",
				State: ledger.NeedWaiting, Raised: date, Notes: fmt.Sprint("p", n)}
			if n%16 == 13 {
				e = ledger.Introduction{Variety: variety, Year: date.Year(), Villages: []ledger.Code{codes[rng.IntN(20)], codes[20+rng.IntN(20)]},
					Area: float64(n % 100), Notes: fmt.Sprint("p", n)}
			}
			id, err := s.Create(ctx, e)
			if err != nil {
				fmt.Printf("error %v\n", err)
				t.Fatal(err)
			}
			fmt.Printf("p %s %d\n", id, n)
			continue
		}
		tr := training(ledger.DateOf(baseWall.AddDate(0, 0, -rng.IntN(500))),
			[]ledger.Code{codes[rng.IntN(20)], codes[20+rng.IntN(20)]}, []string{advisors[rng.IntN(len(advisors))].ID})
		tr.Attendees = 1 + n%1000
		tr.PoorAttendees = 0
		tr.Kind = ledger.TrainingKinds[n%len(ledger.TrainingKinds)]
		id, err := s.Create(ctx, tr)
		if err != nil {
			fmt.Printf("error %v\n", err)
			t.Fatal(err)
		}
		fmt.Printf("t %s %d\n", id, tr.Attendees)
	}
}

func TestCrash(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		t.Skip("this is the child")
	}
	// Every round checks the saves acknowledged since the last kill; a full check (every save ever
	// acknowledged, the whole change log, every index and tally) runs every fullEvery rounds and after
	// the last. The normal run checks fully every round; the long one would otherwise spend its hour
	// re-reading a store that grows to tens of thousands of trainings.
	rounds, fullEvery := 20, 1
	if os.Getenv("TECHAID_LONG") == "1" {
		rounds, fullEvery = 1000, 25
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))

	dir := t.TempDir()
	s := openStore(t, dir, Options{Wall: newTestClock(baseWall).Now, Logger: testLogger(t)})
	if err := s.Init(city, clerkName); err != nil {
		t.Fatal(err)
	}
	importSample(t, s)
	for i := range 3 {
		mustCreate(t, s, advisor(fmt.Sprint("王", i), "林果"))
	}
	mustCreate(t, s, ledger.Variety{Name: "鲁丽", Kind: ledger.VarietyBreed})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	acked := map[string]int{}        // training id → attendees the child saved
	notes := map[ledger.Code]int{}   // village → the last notes counter acknowledged
	others := map[string]int{}       // need or introduction id → its notes counter
	kills, inOpen, writes := 0, 0, 0 // kills before the child was ready; saves acknowledged
	var logged uint64                // the change log up to here was checked
	start := time.Now()
	startup := 300 * time.Millisecond // how long the child takes to be ready; measured each round
	for round := range rounds {
		lines, stderr, readyAfter := runChild(t, rng, dir, round, startup)
		if readyAfter > 0 {
			startup = readyAfter
		}
		ready := false
		fresh := map[string]int{} // acknowledged in this round
		for _, l := range lines {
			f := strings.Fields(l)
			switch {
			case len(f) == 1 && f[0] == "ready":
				ready = true
			case len(f) == 3 && f[0] == "t":
				n, _ := strconv.Atoi(f[2])
				acked[f[1]], fresh[f[1]] = n, n
				writes++
			case len(f) == 3 && f[0] == "v":
				n, _ := strconv.Atoi(f[2])
				notes[ledger.Code(f[1])] = max(notes[ledger.Code(f[1])], n)
				writes++
			case len(f) == 3 && f[0] == "p":
				n, _ := strconv.Atoi(f[2])
				others[f[1]] = n
				writes++
			case len(f) > 0 && f[0] == "error":
				t.Fatalf("round %d: the child failed: %s\n%s", round, l, stderr)
			}
		}
		kills++
		if !ready {
			inOpen++
		}
		check := fresh
		full := round%fullEvery == fullEvery-1 || round == rounds-1
		if full {
			check = acked
		}
		logged = verifyAfterCrash(t, dir, round, check, notes, others, logged, full)
		if t.Failed() {
			t.Fatalf("round %d: the store lost acknowledged writes or is inconsistent (seed %d)", round, seed)
		}
	}
	t.Logf("%d kills (%d before the child was ready), %d acknowledged saves (%d trainings), %v",
		kills, inOpen, writes, len(acked), time.Since(start).Round(time.Millisecond))
	if len(acked) == 0 {
		t.Error("no save was ever acknowledged: the test tested nothing")
	}
}

// runChild starts the child on dir, kills it with SIGKILL after a random number of acknowledged saves or
// a random time, and returns every line it printed (each one printed after its save returned).
// startup is how long the last child took to open the store, so that a kill can be aimed inside Open.
// It returns how long this one took (0 if it never got that far).
func runChild(t *testing.T, rng *rand.Rand, dir string, round int, startup time.Duration) ([]string, string, time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir, fmt.Sprint(crashEnv, "_BASE=", round*1_000_000),
		fmt.Sprint(crashEnv, "_SEED=", rng.Uint64()))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	var readyAfter time.Duration
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// Kill at a random moment of start-up (often inside Open), after a random number of saves (0: as
	// soon as it is ready), or at a random moment up to 300 ms after it is ready.
	afterSaves, afterReady := -1, time.Duration(-1)
	var timer <-chan time.Time
	switch r := rng.IntN(10); {
	case r < 2:
		timer = time.After(time.Duration(rng.Int64N(int64(startup) + 1)))
	case r < 6:
		afterSaves = rng.IntN(40)
	default:
		afterReady = time.Duration(rng.IntN(300)) * time.Millisecond
	}
	var got []string
	saves, killed := 0, false
	kill := func() {
		if !killed {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			killed = true
		}
	}
	for lines != nil {
		select {
		case l, ok := <-lines:
			if !ok {
				lines = nil
				break
			}
			got = append(got, l) // printed before the kill landed: acknowledged
			switch {
			case l == "ready" && afterReady >= 0:
				readyAfter = time.Since(began)
				timer = time.After(afterReady)
			case l == "ready":
				readyAfter = time.Since(began)
				if afterSaves == 0 {
					kill()
				}
			case strings.HasPrefix(l, "t ") || strings.HasPrefix(l, "v "):
				if saves++; saves == afterSaves {
					kill()
				}
			}
		case <-timer:
			timer = nil
			kill()
		}
	}
	kill()
	_ = cmd.Wait()
	if !killed {
		t.Fatalf("round %d: the child ended on its own:\n%s", round, stderr.String())
	}
	return got, stderr.String(), readyAfter
}

// verifyAfterCrash opens the store the child was killed on and checks the acknowledged saves given: each
// training is there as saved and has its change-log entry (in the part of the log after logged, unless
// full), every village holds its last acknowledged notes or a later one, and Stats counts the trainings
// on disk, every need and introduction acknowledged is there and listed. With full it also checks every
// index, tally, count and list against a recount. It returns the last change-log sequence number.
func verifyAfterCrash(t *testing.T, dir string, round int, acked map[string]int, notes map[ledger.Code]int,
	others map[string]int, logged uint64, full bool) uint64 {
	t.Helper()
	s, err := Open(dir, Options{Wall: newTestClock(baseWall).Now, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("round %d: open after the kill: %v", round, err)
	}
	defer s.Close()
	for id, attendees := range acked {
		tr, err := Get[ledger.Training](s, id)
		if err != nil {
			t.Errorf("round %d: acknowledged training %s: %v", round, id, err)
			continue
		}
		if tr.Attendees != attendees {
			t.Errorf("round %d: training %s has %d attendees, the child saved %d", round, id, tr.Attendees, attendees)
		}
	}
	for id, n := range others {
		rec, err := s.Record(id)
		if err != nil || rec.Deleted() || rec.Fields["notes"].Value != fmt.Sprint("p", n) {
			t.Errorf("round %d: acknowledged %s %s: %+v, %v", round, rec.Kind, id, rec.Fields["notes"], err)
		}
	}
	// A save may be on disk and the child killed before it said so: the lists hold every such record on
	// disk, so at least the acknowledged ones.
	onDisk := 0
	for key := range rawKeys(t, s, prefixRecord) {
		if key[1] == kindByte[ledger.KindNeed] || key[1] == kindByte[ledger.KindIntroduction] {
			onDisk++
		}
	}
	if st := s.Stats(nil); st.Needs+st.Introductions != onDisk || onDisk < len(others) {
		t.Errorf("round %d: %d needs and %d introductions listed, %d on disk, %d acknowledged", round, st.Needs, st.Introductions,
			onDisk, len(others))
	}
	if full {
		logged = 0
	}
	inLog := map[string]bool{} // read the log's own entries: Changes would read every record too
	last := logged
	err = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixChange}, PrefetchValues: true})
		defer it.Close()
		for it.Seek(seqKey(prefixChange, logged+1)); it.Valid(); it.Next() {
			seq := keySeq(it.Item().Key())
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			c, err := decodeChange(seq, v)
			if err != nil {
				return fmt.Errorf("change-log entry %d: %w", seq, err)
			}
			inLog[c.ID], last = true, seq
		}
		return nil
	})
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	for id := range acked {
		if !inLog[id] {
			t.Errorf("round %d: acknowledged training %s has no change-log entry", round, id)
		}
	}
	if st := s.Stats(nil); last != st.Changes {
		t.Errorf("round %d: the change log ends at %d, Stats says %d changes", round, last, st.Changes)
	}
	for code, n := range notes {
		v, err := s.Village(code)
		if err != nil {
			t.Errorf("round %d: village %s: %v", round, code, err)
			continue
		}
		got, _ := strconv.Atoi(strings.TrimPrefix(v.Notes, "n"))
		if got < n {
			t.Errorf("round %d: village %s notes %q, the child had saved n%d", round, code, v.Notes, n)
		}
	}
	if full {
		checkConsistent(t, s) // Stats.Trainings against a full scan, tallies against a recount, indexes
	} else {
		// The child never deletes, so every training record is live: count the keys.
		n := 0
		err := s.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: recordPrefix(ledger.KindTraining)})
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				n++
			}
			return nil
		})
		if err != nil || n != s.Stats(nil).Trainings {
			t.Errorf("round %d: %d training records on disk, Stats says %d (%v)", round, n, s.Stats(nil).Trainings, err)
		}
	}
	return last
}
