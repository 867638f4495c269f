package faults

// Guarantee 2 under cuts: offices push and pull large batches through a proxy that truncates frames,
// resets and drops connections at random points (and delays some); each office retries until a
// session goes through. Afterwards every replica holds exactly the hub's data in its scope, and the
// hub's change log holds every office change exactly once: the same (kind, id, fields) entries as the
// offices' change logs together, none twice, none missing, and the hub acknowledges each office up to
// its last change.
//
// Run: go test -race -tags ci -run '^TestCuts$' ./sync/faults/ (seed 1, two rounds); TECHAID_LONG=1 for
// seeds 1..10 of five rounds each; TECHAID_SEED=S replays seed S.

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
	"techaid/sync/synctest"
)

func TestCuts(t *testing.T) {
	t.Parallel()
	first, last, rounds := 1, 1, 2
	if envInt(t, "TECHAID_LONG", 0) == 1 {
		last, rounds = 10, 5
	}
	if s := envInt(t, "TECHAID_SEED", 0); s > 0 {
		first, last = s, s
	}
	for seed := first; seed <= last; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("replay: TECHAID_SEED=%d go test -race -tags ci -run '^TestCuts$' -v ./sync/faults/", seed)
				}
			})
			runCuts(t, uint64(seed), rounds)
		})
	}
}

// cutFaults cuts most connections somewhere in the first max bytes of one direction (truncating the
// frame in flight, or resetting), drops some outright, and slows some down.
func cutFaults(max int64) func(r *rand.Rand) synctest.Fault {
	cut := synctest.RandomCuts(0.65, max)
	return func(r *rand.Rand) synctest.Fault {
		f := cut(r)
		if f.Kind == synctest.Pass && r.IntN(3) == 0 {
			f.Delay = 100 * time.Microsecond // per chunk read: frames arrive in dribs
		}
		return f
	}
}

type cutOffice struct {
	name  string
	scope ledger.Code
	rep   *synctest.Replica
}

func runCuts(t *testing.T, seed uint64, rounds int) {
	rng := rand.New(rand.NewPCG(seed, 0x63757473))
	h := startTownshipHub(t, 0)
	base, _ := h.Store.Committed() // the villages imported
	px := synctest.StartFaultProxy(t, h.Server.Listener.Addr().String(), seed)
	px.Random(cutFaults(3 << 20))
	lucun := h.Office("鲁村镇", synctest.Lucun)
	var offices []*cutOffice
	for _, o := range []struct {
		name, token string
		scope       ledger.Code
	}{
		{"鲁村镇", lucun, synctest.Lucun},
		{"东里镇", h.Office("东里镇", synctest.Dongli), synctest.Dongli},
		{"市局", h.Office("市局", synctest.City), synctest.City},
		{"鲁村镇2", lucun, synctest.Lucun},
	} {
		rep := synctest.NewReplica(t, px.URL, o.token, o.scope, o.name, storage.Options{})
		offices = append(offices, &cutOffice{name: o.name, scope: o.scope, rep: rep})
	}
	lu, dl, city := offices[0], offices[1], offices[2]
	reps := []*synctest.Replica{lu.rep, dl.rep, city.rep, offices[3].rep}

	var sessions, failed int
	// syncThrough syncs every office through the proxy, each retrying until a session goes through,
	// round after round until nothing moves.
	syncThrough := func() {
		t.Helper()
		for range 8 {
			for _, o := range offices {
				for attempt := 1; ; attempt++ {
					if attempt > 200 {
						t.Fatalf("%s: no session through in %d attempts", o.name, attempt-1)
					}
					sessions++
					_, err := once(o.rep.Client)
					if err == nil {
						break
					}
					if permanent(err) {
						t.Fatalf("%s: a cut turned into a permanent refusal: %v", o.name, err)
					}
					failed++
				}
			}
			head, _ := h.Store.Committed()
			quiet := true
			for _, o := range offices {
				pc, _ := o.rep.Store.Pulled()
				quiet = quiet && o.rep.Store.Stats(nil).Pending == 0 && pc.Cursor == head
			}
			if quiet {
				return
			}
		}
		t.Fatal("still moving changes after 8 rounds")
	}
	syncThrough() // every office holds its villages

	lv, dv := villageCodes(t, synctest.Lucun, 0), villageCodes(t, synctest.Dongli, 0)
	imported := map[*cutOffice][]string{}
	bulk := func(o *cutOffice, vs []ledger.Code, n int, round int) {
		t.Helper()
		in := make([]ledger.Entity, n)
		for i := range in {
			tr := training(fmt.Sprintf("%s第%d轮批量录入 %04d", o.name, round, i), vs[rng.IntN(len(vs))])
			tr.Content = strings.Repeat("讲解要点。", 60+rng.IntN(100)) // 0.9 to 2.4 kB: 鲁村镇 pushes two frames of 1 MiB or so
			in[i] = tr
		}
		res, err := o.rep.Store.Import(bg, in, nil)
		if err != nil || res.Created != n {
			t.Fatalf("%s imports %d trainings: %+v, %v", o.name, n, res, err)
		}
		ids := trainingIDs(t, o.rep.Store)
		imported[o] = ids
	}
	for round := 1; round <= rounds; round++ {
		// Large pushes from the townships, then large pulls everywhere (the city takes them all, the
		// second PC of 鲁村镇 takes 鲁村镇's), all through the proxy.
		bulk(lu, lv, 600, round)
		bulk(dl, dv, 300, round)
		syncThrough()
		// Edits of what is now everywhere: topics on 鲁村镇, deletions on 东里镇, villages and rosters
		// from the city.
		for _, id := range pick(rng, imported[lu], 150) {
			set(t, lu.rep.Store, ledger.KindTraining, id, map[string]string{"topic": fmt.Sprintf("改过的主题 %d %s", round, id[len(id)-6:])})
		}
		for _, id := range pick(rng, imported[dl], 60) {
			if rec, err := dl.rep.Store.Record(id); err == nil && !rec.Deleted() {
				if err := dl.rep.Store.Delete(bg, id); err != nil {
					t.Fatalf("东里镇 deletes %s: %v", id, err)
				}
			}
		}
		for i, v := range pick(rng, append(slices.Clone(lv), dv...), 30) {
			set(t, city.rep.Store, ledger.KindVillage, string(v), map[string]string{"notes": fmt.Sprintf("市局第%d轮核实 %d", round, i)})
		}
		for i := range 20 {
			a := ledger.Advisor{Name: fmt.Sprintf("专家%d-%d", round, i), Gender: "女", Phone: "13905330000",
				Employer: "淄博市农业科学研究院", Group: "蔬菜", Status: ledger.StatusActive, Since: "2024-03-01"}
			if _, err := city.rep.Store.Create(bg, a); err != nil {
				t.Fatalf("the city creates an advisor: %v", err)
			}
		}
		syncThrough()
	}

	checkConverged(t, h, reps...)
	checkOnce(t, h, base, offices)
	st := px.Stats()
	t.Logf("seed %d: %d rounds; %d sessions through the proxy, %d of them failed; %d connections: %d truncated, "+
		"%d reset, %d dropped, %d passed (some slowed)", seed, rounds, sessions, failed, st.Conns,
		st.Cut[synctest.Truncate], st.Cut[synctest.Reset], st.Cut[synctest.Drop], st.Conns-st.Cut[synctest.Truncate]-st.Cut[synctest.Reset]-st.Cut[synctest.Drop])
	if st.Cut[synctest.Truncate]+st.Cut[synctest.Reset] == 0 || failed == 0 {
		t.Errorf("the proxy cut nothing (%+v): the test proved nothing", st)
	}
}

// checkOnce compares the hub's change log after base with the offices' change logs: every office
// change is there once (kind, id and fields), nothing else is, and the hub holds each office up to its
// last change.
func checkOnce(t *testing.T, h *synctest.Hub, base uint64, offices []*cutOffice) {
	t.Helper()
	key := func(c storage.Change) string {
		return fmt.Sprintf("%s %s %s", c.Kind, c.ID, strings.Join(slices.Sorted(slices.Values(c.Fields)), ","))
	}
	count := map[string]int{}
	changes := 0
	for _, o := range offices {
		chs := changesAfter(t, o.rep.Store, 0)
		for _, c := range chs {
			count[key(c)]++
		}
		changes += len(chs)
		last := uint64(len(chs))
		if acked, err := h.Store.PeerAcked(o.rep.Store.Identity().Replica); err != nil || acked != last {
			t.Errorf("the hub holds %s up to %d (%v), want its last change %d", o.name, acked, err, last)
		}
	}
	logged := changesAfter(t, h.Store, base)
	for _, c := range logged {
		count[key(c)]--
	}
	bad := 0
	for _, k := range slices.Sorted(maps.Keys(count)) {
		switch n := count[k]; {
		case n > 0 && bad < 10:
			t.Errorf("the hub's change log lacks %s (%d times)", k, n)
		case n < 0 && bad < 10:
			t.Errorf("the hub's change log holds %s %d times too many", k, -n)
		}
		if count[k] != 0 {
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d changes of %d are not in the hub's change log exactly once", bad, changes)
	}
	t.Logf("%d office changes, %d hub change-log entries after the villages; each once", changes, len(logged))
}

// trainingIDs lists the ids of the live trainings st holds.
func trainingIDs(t *testing.T, st *storage.Store) []string {
	t.Helper()
	var ids []string
	q := query.Trainings{Limit: 1000}
	for {
		page, err := st.Trainings(q, nil)
		if err != nil {
			t.Fatalf("list trainings: %v", err)
		}
		for _, tr := range page.Trainings {
			ids = append(ids, tr.ID)
		}
		if page.Next == "" {
			return ids
		}
		q.After = page.Next
	}
}

// pick returns n of xs (all if fewer) in a random order.
func pick[T any](rng *rand.Rand, xs []T, n int) []T {
	xs = slices.Clone(xs)
	rng.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
	return xs[:min(n, len(xs))]
}

func set(t *testing.T, st *storage.Store, k ledger.Kind, id string, values map[string]string) {
	t.Helper()
	if err := st.SetFields(bg, k, id, values); err != nil {
		t.Fatalf("edit %s %s: %v", k, id, err)
	}
}
