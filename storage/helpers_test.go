package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"techaid/ledger"
	"techaid/query"
)

// The Zibo sample: 40 real villages of 高青县 (370322) and 沂源县 (370323).
var sampleCSV = filepath.Join("..", "..", "shared", "data", "zibo_sample.csv")

const (
	city      ledger.Code = "3703"
	gaoqing   ledger.Code = "370322"    // 高青县
	yiyuan    ledger.Code = "370323"    // 沂源县
	lucun     ledger.Code = "370323102" // 鲁村镇: 鲁村一村, 王村
	lucun1    ledger.Code = "370323102201"
	wangcun   ledger.Code = "370323102210"
	tianzhen  ledger.Code = "370322001" // 田镇街道 of 高青县
	taisun    ledger.Code = "370322001202"
	clerkName             = "张三"
)

// baseWall is the wall clock of most test stores: a fixed instant, so that dates and stamps are
// reproducible. Trainings are dated up to this day.
var baseWall = time.Date(2026, 11, 1, 10, 0, 0, 0, ledger.China)

// testClock is a wall clock a test moves by hand.
type testClock struct{ ms atomic.Int64 }

func newTestClock(t time.Time) *testClock {
	c := &testClock{}
	c.ms.Store(t.UnixMilli())
	return c
}

func (c *testClock) Now() time.Time          { return time.UnixMilli(c.ms.Load()) }
func (c *testClock) Set(t time.Time)         { c.ms.Store(t.UnixMilli()) }
func (c *testClock) Advance(d time.Duration) { c.ms.Add(d.Milliseconds()) }

// sampleVillages reads the Zibo sample, skipping the test if the file is not there.
func sampleVillages(t testing.TB) []ledger.Village {
	t.Helper()
	f, err := os.Open(sampleCSV)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("reference data %s is missing", sampleCSV)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", sampleCSV, err)
	}
	if len(rows) < 2 || strings.Join(rows[0], ",") != "county_code,county,township_code,township,village_code,village" {
		t.Fatalf("%s: unexpected header %v", sampleCSV, rows[0])
	}
	var out []ledger.Village
	for _, r := range rows[1:] {
		out = append(out, ledger.Village{Code: ledger.Code(r[4]), Name: r[5], TownshipName: r[3], CountyName: r[1]})
	}
	if len(out) != 40 {
		t.Fatalf("%s: %d villages, want 40", sampleCSV, len(out))
	}
	return out
}

func sampleCodes(t testing.TB) []ledger.Code {
	var out []ledger.Code
	for _, v := range sampleVillages(t) {
		out = append(out, v.Code)
	}
	return out
}

// openStore opens dir and closes it when the test ends.
func openStore(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// newStore opens a store in a new temporary directory, initialises it for scope with the clerk 张三 and
// imports the sample villages (those outside the scope are refused, and the test checks that they are).
func newStore(t testing.TB, scope ledger.Code, opts Options) *Store {
	t.Helper()
	if opts.Wall == nil {
		opts.Wall = newTestClock(baseWall).Now
	}
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	s := openStore(t, t.TempDir(), opts)
	if err := s.Init(scope, clerkName); err != nil {
		t.Fatalf("Init(%s): %v", scope, err)
	}
	importSample(t, s)
	return s
}

// importSample imports the sample villages into s and checks the result against the store's scope.
func importSample(t testing.TB, s *Store) {
	t.Helper()
	villages := sampleVillages(t)
	scope := s.Identity().Scope
	var in []ledger.Entity
	want := 0
	for _, v := range villages {
		in = append(in, v)
		if scope.Contains(v.Code) {
			want++
		}
	}
	res, err := s.Import(context.Background(), in, nil)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if res.Created != want || len(res.Rejected) != len(villages)-want {
		t.Fatalf("Import into %s: %+v, want %d created and %d rejected", scope, res, want, len(villages)-want)
	}
	for _, r := range res.Rejected {
		if !errors.Is(r.Err, ErrScope) {
			t.Fatalf("Import into %s rejected row %d (%s) for %v, want a scope error", scope, r.Row, r.ID, r.Err)
		}
	}
}

// testLogger sends Badger's warnings to the test log.
func testLogger(t testing.TB) *log.Logger { return log.New(&logWriter{t: t}, "", 0) }

// mustCreate creates e and returns its id.
func mustCreate(t testing.TB, s *Store, e ledger.Entity) string {
	t.Helper()
	id, err := s.Create(context.Background(), e)
	if err != nil {
		t.Fatalf("Create %s %s: %v", e.RecordKind(), e.RecordID(), err)
	}
	return id
}

func mustGet[T ledger.Entity](t testing.TB, s *Store, id string) T {
	t.Helper()
	v, err := Get[T](s, id)
	if err != nil {
		t.Fatalf("Get %s: %v", id, err)
	}
	return v
}

func mustUpdate(t testing.TB, s *Store, before, after ledger.Entity) {
	t.Helper()
	if err := s.Update(context.Background(), before, after); err != nil {
		t.Fatalf("Update %s %s: %v", after.RecordKind(), after.RecordID(), err)
	}
}

func mustHistory(t testing.TB, s *Store, id string) []query.Audit {
	t.Helper()
	h, err := s.History(id)
	if err != nil {
		t.Fatalf("History(%s): %v", id, err)
	}
	return h
}

func allChanges(t testing.TB, s *Store) []Change {
	t.Helper()
	c, err := s.Changes(0, 1<<30)
	if err != nil {
		t.Fatalf("Changes: %v", err)
	}
	return c
}

func mustConflicts(t testing.TB, s *Store, open bool) []query.Conflict {
	t.Helper()
	c, err := s.Conflicts(open)
	if err != nil {
		t.Fatalf("Conflicts: %v", err)
	}
	return c
}

// advisor is a valid advisor of the given group.
func advisor(name, group string) ledger.Advisor {
	return ledger.Advisor{Name: name, Gender: "男", Phone: "13905330000", Employer: "淄博市农业科学研究院",
		Group: group, Status: ledger.StatusActive, Since: "2024-03-01"}
}

// training is a valid training in the given villages.
func training(date ledger.Date, villages []ledger.Code, advisors []string) ledger.Training {
	return ledger.Training{Kind: ledger.TrainingCourse, Date: date, Start: "09:00", End: "11:30",
		Villages: villages, Advisors: advisors, Topic: "苹果树冬季修剪", Content: "现场讲解修剪要点",
		Attendees: 30, PoorAttendees: 5, Brochures: 50, Varieties: []string{"烟富3号"}}
}

// records returns the Record of every change, as sync would send them.
func records(changes []Change) []ledger.Record {
	out := make([]ledger.Record, len(changes))
	for i, c := range changes {
		out[i] = c.Record
	}
	return out
}

// exchange sends every local change of from to to, the way sync does.
func exchange(t testing.TB, from, to *Store) ApplyResult {
	t.Helper()
	res, err := to.ApplyRemote(context.Background(), records(allChanges(t, from)))
	if err != nil {
		t.Fatalf("ApplyRemote: %v", err)
	}
	return res
}

// allRecords reads every record on disk (live and deleted) by id.
func allRecords(t testing.TB, s *Store) map[string]ledger.Record {
	t.Helper()
	out := map[string]ledger.Record{}
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range ledger.Kinds {
			if err := scanRecords(txn, k, func(r ledger.Record) error { out[r.ID] = r; return nil }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scan records: %v", err)
	}
	return out
}

// rawKeys dumps every key and value in Badger whose key starts with one of the prefixes (all if none).
func rawKeys(t testing.TB, s *Store, prefixes ...byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().KeyCopy(nil)
			if len(prefixes) > 0 && !slices.Contains(prefixes, k[0]) {
				continue
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[string(k)] = string(v)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("dump keys: %v", err)
	}
	return out
}

// expectedTallies recomputes the per-village yearly tallies from scratch from every live training on
// disk, following the documented rule (sums for the primary village, a visit for every listed one).
// It is written independently of tally.go on purpose.
func expectedTallies(t testing.TB, recs map[string]ledger.Record) map[string]query.Tally {
	t.Helper()
	out := map[string]query.Tally{}
	for _, rec := range recs {
		if rec.Kind != ledger.KindTraining || rec.Deleted() {
			continue
		}
		tr, err := ledger.As[ledger.Training](rec)
		if err != nil {
			t.Fatal(err)
		}
		d, err := time.ParseInLocation("2006-01-02", string(tr.Date), ledger.China)
		if err != nil {
			continue // not indexed, not counted
		}
		m := int(d.Month()) - 1
		for i, v := range tr.Villages {
			id := fmt.Sprintf("%04d/%s", d.Year(), v)
			ty := out[id]
			ty.Year, ty.Village = d.Year(), v
			if i == 0 {
				ty.Trainings++
				ty.Attendees += tr.Attendees
				ty.PoorAttendees += tr.PoorAttendees
				ty.Brochures += tr.Brochures
				ty.Varieties += len(tr.Varieties)
				ty.TrainingsByMonth[m]++
			}
			ty.Visits++
			ty.VisitsByMonth[m]++
			k := slices.Index(ledger.TrainingKinds, tr.Kind)
			if k < 0 {
				k = slices.Index(ledger.TrainingKinds, ledger.TrainingOther)
			}
			ty.VisitsByKind[k]++
			out[id] = ty
		}
	}
	return out
}

// persistedTallies reads the tally keys ('g') as they are on disk.
func persistedTallies(t testing.TB, s *Store) map[string]query.Tally {
	t.Helper()
	out := map[string]query.Tally{}
	for k, v := range rawKeys(t, s, prefixTally) {
		year := int(binary.BigEndian.Uint32([]byte(k[1:5])))
		ty := query.Tally{Year: year, Village: ledger.Code(k[5:])}
		if err := decodeTally([]byte(v), &ty); err != nil {
			t.Fatalf("tally %q: %v", k, err)
		}
		out[tallyID(year, ty.Village)] = ty
	}
	return out
}

// memTallies reads the tallies memdb holds.
func memTallies(t testing.TB, s *Store) map[string]query.Tally {
	t.Helper()
	out := map[string]query.Tally{}
	it, err := s.mem.Txn(false).Get(tableTallies, indexID)
	if err != nil {
		t.Fatal(err)
	}
	for obj := it.Next(); obj != nil; obj = it.Next() {
		ty := *obj.(*tally)
		out[ty.ID] = ty.Tally
	}
	return out
}

func normTallies(m map[string]query.Tally) map[string]query.Tally {
	out := make(map[string]query.Tally, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// expectedIndexKeys lists the training index keys ('t') every live training should have, written from
// the layout documented in keys.go.
func expectedIndexKeys(recs map[string]ledger.Record) map[string]string {
	out := map[string]string{}
	for _, rec := range recs {
		if rec.Kind != ledger.KindTraining || rec.Deleted() {
			continue
		}
		tr, _ := ledger.As[ledger.Training](rec)
		if !tr.Date.Valid() {
			continue
		}
		for _, v := range tr.Villages {
			out["tv"+string(v)+string(tr.Date)+tr.ID] = ""
		}
		for _, a := range tr.Advisors {
			out["ta"+a+"\x00"+string(tr.Date)+tr.ID] = ""
		}
		out["td"+string(tr.Date)+string(tr.Village())+tr.ID] = ""
		out["tw"+string(tr.Village().Township())+string(tr.Date)+tr.ID] = ""
		out["tk"+tr.Kind+"\x00"+string(tr.Date)+tr.ID] = ""
	}
	return out
}

// checkConsistent checks everything derived from the records against the records themselves: the
// training index keys, the tallies on disk and in memory, the live-training counter and the memdb
// tables.
func checkConsistent(t testing.TB, s *Store) {
	t.Helper()
	recs := allRecords(t, s)

	if got, want := rawKeys(t, s, prefixTraining), expectedIndexKeys(recs); !reflect.DeepEqual(got, want) {
		t.Errorf("training index keys: %d on disk, %d expected; extra %q, missing %q",
			len(got), len(want), keyDiff(got, want), keyDiff(want, got))
	}
	want := normTallies(expectedTallies(t, recs))
	if got := normTallies(persistedTallies(t, s)); !reflect.DeepEqual(got, want) {
		t.Errorf("persisted tallies differ from a recount:\n%s", tallyDiff(got, want))
	}
	if got := normTallies(memTallies(t, s)); !reflect.DeepEqual(got, want) {
		t.Errorf("memdb tallies differ from a recount:\n%s", tallyDiff(got, want))
	}

	live := map[ledger.Kind][]string{}
	for id, r := range recs {
		if !r.Deleted() {
			live[r.Kind] = append(live[r.Kind], id)
		}
	}
	st := s.Stats(nil)
	if st.Trainings != len(live[ledger.KindTraining]) {
		t.Errorf("Stats.Trainings = %d, a full scan finds %d live trainings", st.Trainings, len(live[ledger.KindTraining]))
	}
	for _, c := range []struct {
		kind  ledger.Kind
		table string
		n     int
	}{
		{ledger.KindVillage, tableVillages, st.Villages},
		{ledger.KindAdvisor, tableAdvisors, st.Advisors},
		{ledger.KindAssignment, tableAssignments, st.Assignments},
	} {
		var ids []string
		it, err := s.mem.Txn(false).Get(c.table, indexID)
		if err != nil {
			t.Fatal(err)
		}
		for obj := it.Next(); obj != nil; obj = it.Next() {
			e := obj
			if row, ok := obj.(*villageRow); ok {
				e = row.Village
			}
			var ent ledger.Entity
			switch r := e.(type) {
			case ledger.Village:
				ent = r
			case *ledger.Advisor:
				ent = *r
			case *ledger.Assignment:
				ent = *r
			}
			ids = append(ids, ent.RecordID())
			// The row is the record as it is on disk.
			want, err := ledger.Decode(c.kind, ent.RecordID(), recs[ent.RecordID()].Values())
			if err != nil || !reflect.DeepEqual(want, ent) {
				t.Errorf("memdb %s row %s = %+v, disk has %+v", c.kind, ent.RecordID(), ent, want)
			}
		}
		sort.Strings(ids)
		wantIDs := slices.Sorted(slices.Values(live[c.kind]))
		if !slices.Equal(ids, wantIDs) {
			t.Errorf("memdb %s: %d rows, %d live records on disk", c.table, len(ids), len(wantIDs))
		}
		if c.n != len(wantIDs) {
			t.Errorf("Stats counts %d %ss, disk has %d live", c.n, c.kind, len(wantIDs))
		}
	}
	if !s.Identity().Lean {
		checkProgrammeConsistent(t, s, recs)
	}
}

func keyDiff(a, b map[string]string) []string {
	var out []string
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	if len(out) > 5 {
		out = append(out[:5], "…")
	}
	return out
}

func tallyDiff(got, want map[string]query.Tally) string {
	var b strings.Builder
	n := 0
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		seen := map[string]bool{}
		for k := range got {
			seen[k] = true
		}
		for k := range want {
			seen[k] = true
		}
		for k := range seen {
			if !yield(k) {
				return
			}
		}
	}) {
		g, gok := got[id]
		w, wok := want[id]
		if gok == wok && reflect.DeepEqual(g, w) {
			continue
		}
		if n++; n > 5 {
			b.WriteString("  …\n")
			break
		}
		fmt.Fprintf(&b, "  %s: got %+v (present %v)\n  %s want %+v (present %v)\n", id, g, gok, strings.Repeat(" ", len(id)), w, wok)
	}
	return b.String()
}

// diffState reports the keys of two query snapshots whose values differ.
func diffState(t testing.TB, what string, got, want map[string]any) {
	t.Helper()
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range want {
			if !yield(k) {
				return
			}
		}
	}) {
		if !reflect.DeepEqual(got[k], want[k]) {
			t.Errorf("%s: %s differs:\n got  %s\n want %s", what, k, short(got[k]), short(want[k]))
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d results, want %d", what, len(got), len(want))
	}
}

func short(v any) string {
	s := fmt.Sprintf("%+v", v)
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}

// snapshot runs every query the UI makes and collects the answers, to compare two states of a store.
func snapshot(t testing.TB, s *Store) map[string]any {
	t.Helper()
	out := map[string]any{}
	put := func(name string, v any) { out[name] = v }
	for _, q := range []query.Villages{
		{}, {Under: city}, {Under: gaoqing}, {Under: yiyuan}, {Under: lucun}, {Under: tianzhen}, {KeyOnly: true},
		{Under: yiyuan, KeyOnly: true}, {Search: "村委会"}, {Search: "370322"}, {Search: "大"}, {Offset: 5, Limit: 7},
		{Under: gaoqing, Offset: 3, Limit: 4},
	} {
		vs, n := s.Villages(q, nil)
		put(fmt.Sprintf("Villages %+v", q), fmt.Sprint(n, vs))
	}
	put("VillagesByName 大", s.VillagesByName("大", 10))
	put("VillagesByName 东", s.VillagesByName("东", 2))
	advisorIDs := map[string]bool{}
	for _, q := range []query.Advisors{{}, {Status: ledger.StatusAdjusting}, {ExpertOnly: true}, {Search: "王"}} {
		as := s.Advisors(q, nil)
		put(fmt.Sprintf("Advisors %+v", q), as)
		for _, a := range as {
			advisorIDs[a.ID] = true
		}
	}
	for _, g := range ledger.Groups {
		put("Advisors group "+g, s.Advisors(query.Advisors{Group: g}, nil))
	}
	put("AdvisorsByName 王", s.AdvisorsByName("王", 5))
	put("Assignments all", s.Assignments("", "", "", nil))
	put("Assignments on 2026-06-01", s.Assignments("", "", "2026-06-01", nil))
	codes := sampleCodes(t)
	for _, c := range codes {
		put("Assignments village "+string(c), s.Assignments(c, "", "", nil))
	}
	for id := range advisorIDs {
		put("Assignments advisor "+id, s.Assignments("", id, "", nil))
	}
	queries := map[string]query.Trainings{
		"all newest":       {Limit: 37},
		"all oldest":       {Limit: 37, Oldest: true},
		"yiyuan 2026":      {Under: yiyuan, From: "2026-01-01", To: "2026-12-31", Limit: 11},
		"gaoqing H1 old":   {Under: gaoqing, From: "2025-01-01", To: "2025-06-30", Oldest: true, Limit: 13},
		"onsite":           {Kind: ledger.TrainingOnSite, Limit: 9},
		"lucun1 survey":    {Village: lucun1, Kind: ledger.TrainingSurvey},
		"all 2025 by kind": {From: "2025-01-01", To: "2025-12-31", Kind: ledger.TrainingCourse, Limit: 17},
	}
	for _, c := range codes {
		queries["village "+string(c)] = query.Trainings{Village: c, Limit: 1000}
	}
	for id := range advisorIDs {
		queries["advisor "+id] = query.Trainings{Advisor: id, Limit: 1000}
		for _, r := range [][2]ledger.Date{{"2025-01-01", "2025-12-31"}, {"2026-01-01", "2026-12-31"}} {
			n, err := s.ServiceDays(id, r[0], r[1])
			if err != nil {
				t.Fatal(err)
			}
			put(fmt.Sprintf("ServiceDays %s %s", id, r[0]), n)
		}
	}
	for name, q := range queries {
		put("Trainings "+name, allPages(t, s, q))
		n, err := s.CountTrainings(q)
		if err != nil {
			t.Fatal(err)
		}
		put("CountTrainings "+name, n)
	}
	for _, year := range []int{2025, 2026} {
		for _, under := range []ledger.Code{"", gaoqing, yiyuan, lucun} {
			put(fmt.Sprintf("Progress %d %s", year, under), s.Progress(year, under, "2026-06-01", nil))
		}
	}
	snapshotProgramme(t, s, put)
	put("Stats", s.Stats(nil))
	put("tallies", memTallies(t, s))
	put("conflicts", mustConflicts(t, s, false))
	return out
}

// allPages follows the Next cursors of a training query to the end, and returns every page.
func allPages(t testing.TB, s *Store, q query.Trainings) []query.TrainingPage {
	t.Helper()
	var pages []query.TrainingPage
	for {
		p, err := s.Trainings(q, nil)
		if err != nil {
			t.Fatalf("Trainings(%+v): %v", q, err)
		}
		pages = append(pages, p)
		if p.Next == "" {
			return pages
		}
		if len(pages) > 10000 {
			t.Fatalf("Trainings(%+v): more than 10000 pages; the cursor does not advance", q)
		}
		q.After = p.Next
	}
}

// workload makes random but reproducible edits of every kind in a city-scope store: the mix of a
// township's year, compressed. Villages and advisors that trainings refer to are never deleted, so that
// every edit of a training stays valid; a few spare ones are deleted and restored instead.
type workload struct {
	t         testing.TB
	s         *Store
	rng       *rand.Rand
	villages  []ledger.Code // may appear in trainings and assignments
	spare     []ledger.Code // never referred to; deleted and restored
	advisors  []string      // may appear in trainings and assignments
	extra     []string      // spare advisors: deleted and restored
	trainings []string
	assigns   []string
	prog      map[ledger.Kind][]string // records of the programme's kinds (programme_helpers_test.go)
	ops       map[string]int
}

func newWorkload(t testing.TB, s *Store, seed uint64) *workload {
	codes := sampleCodes(t)
	return &workload{t: t, s: s, rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), villages: codes[:36], spare: codes[36:],
		ops: map[string]int{}}
}

func (w *workload) pick(n int) int { return w.rng.IntN(n) }

func (w *workload) date() ledger.Date {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, ledger.China)
	return ledger.DateOf(start.AddDate(0, 0, w.pick(669))) // up to 2026-10-31
}

func (w *workload) someVillages() []ledger.Code {
	n := 1 + w.pick(3)
	perm := w.rng.Perm(len(w.villages))[:n]
	out := make([]ledger.Code, n)
	for i, p := range perm {
		out[i] = w.villages[p]
	}
	return out
}

func (w *workload) someAdvisors() []string {
	if len(w.advisors) == 0 {
		return nil
	}
	n := w.pick(min(4, len(w.advisors)+1))
	perm := w.rng.Perm(len(w.advisors))[:n]
	out := make([]string, n)
	for i, p := range perm {
		out[i] = w.advisors[p]
	}
	return out
}

var surnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"}

func (w *workload) addAdvisor(spare bool) {
	a := advisor(surnames[w.pick(len(surnames))]+fmt.Sprint("老师", len(w.advisors)+len(w.extra)), ledger.Groups[w.pick(len(ledger.Groups))])
	a.Expert = w.pick(4) == 0
	a.Status = ledger.Statuses[w.pick(2)]
	id := mustCreate(w.t, w.s, a)
	if spare {
		w.extra = append(w.extra, id)
	} else {
		w.advisors = append(w.advisors, id)
	}
	w.ops["create advisor"]++
}

func (w *workload) addTraining() {
	tr := training(w.date(), w.someVillages(), w.someAdvisors())
	tr.Kind = ledger.TrainingKinds[w.pick(len(ledger.TrainingKinds))]
	tr.Attendees = w.pick(200)
	tr.PoorAttendees = w.pick(tr.Attendees + 1)
	tr.Brochures = w.pick(300)
	tr.Varieties = []string{"烟富3号", "鲁丽", "维纳斯黄金"}[:w.pick(4)]
	w.trainings = append(w.trainings, mustCreate(w.t, w.s, tr))
	w.ops["create training"]++
}

func (w *workload) addAssignment() {
	if len(w.advisors) == 0 {
		return
	}
	a := ledger.Assignment{Advisor: w.advisors[w.pick(len(w.advisors))], Village: w.villages[w.pick(len(w.villages))],
		From: w.date(), Reason: "结对帮扶"}
	if w.pick(2) == 0 {
		a.To = ledger.DateOf(a.From.Time().AddDate(0, w.pick(18), 0))
	}
	w.assigns = append(w.assigns, mustCreate(w.t, w.s, a))
	w.ops["create assignment"]++
}

func (w *workload) editTraining() {
	if len(w.trainings) == 0 {
		return
	}
	id := w.trainings[w.pick(len(w.trainings))]
	before, err := Get[ledger.Training](w.s, id)
	if errors.Is(err, ErrNotFound) {
		return // deleted
	}
	if err != nil {
		w.t.Fatal(err)
	}
	after := before
	after.Villages = slices.Clone(before.Villages)
	switch w.pick(5) {
	case 0:
		after.Date = w.date()
	case 1:
		after.Villages = w.someVillages()
	case 2:
		after.Attendees = w.pick(300)
		after.PoorAttendees = w.pick(after.Attendees + 1)
	case 3:
		after.Kind = ledger.TrainingKinds[w.pick(len(ledger.TrainingKinds))]
	case 4: // several at once
		after.Date, after.Villages, after.Kind = w.date(), w.someVillages(), ledger.TrainingKinds[w.pick(len(ledger.TrainingKinds))]
		after.Brochures = w.pick(100)
	}
	mustUpdate(w.t, w.s, before, after)
	w.ops["edit training"]++
}

func (w *workload) editVillage() {
	code := w.villages[w.pick(len(w.villages))]
	before, err := w.s.Village(code)
	if err != nil {
		w.t.Fatal(err)
	}
	after := before
	switch w.pick(3) {
	case 0:
		after.Key = !before.Key
		if after.Key {
			after.KeyYear = 2016
		}
	case 1:
		after.Households = 100 + w.pick(900)
		after.Population = after.Households * 3
	case 2:
		after.Industries = []string{"苹果", "蔬菜", "畜牧"}[:1+w.pick(3)]
		after.Notes = fmt.Sprint("第", w.pick(100), "次走访")
	}
	mustUpdate(w.t, w.s, before, after)
	w.ops["edit village"]++
}

func (w *workload) editAdvisor() {
	if len(w.advisors) == 0 {
		return
	}
	id := w.advisors[w.pick(len(w.advisors))]
	before := mustGet[ledger.Advisor](w.t, w.s, id)
	after := before
	after.Status = ledger.Statuses[w.pick(len(ledger.Statuses))]
	after.Group = ledger.Groups[w.pick(len(ledger.Groups))]
	mustUpdate(w.t, w.s, before, after)
	w.ops["edit advisor"]++
}

// toggle deletes a live record of the list or restores a deleted one.
func (w *workload) toggle(what string, ids []string) {
	if len(ids) == 0 {
		return
	}
	id := ids[w.pick(len(ids))]
	rec, err := w.s.Record(id)
	if err != nil {
		w.t.Fatal(err)
	}
	ctx := context.Background()
	if rec.Deleted() {
		err = w.s.Undelete(ctx, id)
		w.ops["undelete "+what]++
	} else {
		err = w.s.Delete(ctx, id)
		w.ops["delete "+what]++
		if tolerateInUse(err) {
			w.ops["delete "+what]--
			w.ops["in use "+what]++
			return
		}
	}
	if err != nil {
		w.t.Fatalf("toggle %s %s: %v", what, id, err)
	}
}

// step makes one random edit.
func (w *workload) step() {
	switch r := w.pick(130); {
	case r < 40:
		w.addTraining()
	case r < 60:
		w.editTraining()
	case r < 68:
		w.toggle("training", w.trainings)
	case r < 73:
		w.editVillage()
	case r < 75:
		codes := make([]string, len(w.spare))
		for i, c := range w.spare {
			codes[i] = string(c)
		}
		w.toggle("village", codes)
	case r < 80:
		w.addAssignment()
	case r < 84:
		w.toggle("assignment", w.assigns)
	case r < 88:
		w.editAdvisor()
	case r < 90:
		w.toggle("advisor", w.extra)
	case r < 93:
		w.addAdvisor(w.pick(3) == 0)
	case r < 100:
		w.addTraining()
	default:
		w.programmeStep()
	}
}

// populate creates the given numbers of advisors and assignments, then makes n random edits.
func (w *workload) populate(advisors, assignments, n int) {
	for i := range advisors {
		w.addAdvisor(i%4 == 3)
	}
	for range assignments {
		w.addAssignment()
	}
	for range n {
		w.step()
	}
}

// logWriter routes a *log.Logger to t.Log.
type logWriter struct {
	t testing.TB
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}
