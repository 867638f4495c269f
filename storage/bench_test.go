package storage

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"techaid/ledger"
	"techaid/query"
)

// The benchmarks behind the README's performance section. The fixture is the programme at full size:
// all 2,931 Zibo villages, 300 advisors and 100,000 trainings in one city-scope store.
//
//	go test -run '^$' -bench . -benchtime 2000x ./storage

const (
	fixtureAdvisors  = 300
	fixtureTrainings = 100_000
	fixtureYear      = 2026
)

var fixtureToday = time.Date(fixtureYear, 12, 31, 10, 0, 0, 0, ledger.China)

type fixture struct {
	villages  []ledger.Village
	advisors  []ledger.Advisor
	trainings []ledger.Training
}

var (
	fixtureOnce sync.Once
	fixtureData fixture
)

func loadFixture(b *testing.B) fixture {
	b.Helper()
	fixtureOnce.Do(func() {
		f, err := os.Open(filepath.Join("..", "..", "shared", "data", "zibo_divisions.csv"))
		if err != nil {
			return
		}
		defer f.Close()
		divisions, err := ledger.ReadDivisions(f)
		if err != nil {
			panic(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		fixtureData.villages = ledger.SampleVillages(rng, divisions)
		fixtureData.advisors = ledger.SampleAdvisors(rng, fixtureAdvisors, NewID)
		codes := make([]ledger.Code, len(fixtureData.villages))
		for i, v := range fixtureData.villages {
			codes[i] = v.Code
		}
		ids := make([]string, len(fixtureData.advisors))
		for i, a := range fixtureData.advisors {
			ids[i] = a.ID
		}
		fixtureData.trainings = ledger.SampleTrainings(rng, fixtureTrainings, fixtureYear, fixtureToday, codes, ids, NewID)
	})
	if fixtureData.villages == nil {
		b.Skip("shared/data/zibo_divisions.csv not found beside the repository")
	}
	return fixtureData
}

func benchStore(b *testing.B, dir string) *Store {
	b.Helper()
	s, err := Open(dir, Options{Wall: func() time.Time { return fixtureToday }})
	if err != nil {
		b.Fatal(err)
	}
	if s.Identity().Replica == "" {
		if err := s.Init("3703", "基准"); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// seeded returns a store holding the whole fixture, built once per benchmark binary run.
var (
	seededOnce sync.Once
	seededDir  string
)

func seeded(b *testing.B) string {
	b.Helper()
	fx := loadFixture(b)
	seededOnce.Do(func() {
		dir, err := os.MkdirTemp("", "techaid-bench-")
		if err != nil {
			b.Fatal(err)
		}
		s := benchStore(b, dir)
		defer s.Close()
		ctx := context.Background()
		for _, batch := range [][]ledger.Entity{ledger.Entities(fx.villages), ledger.Entities(fx.advisors), ledger.Entities(fx.trainings)} {
			if res, err := s.Import(ctx, batch, nil); err != nil || len(res.Rejected) > 0 {
				b.Fatalf("seed: %v %+v", err, res.Rejected[:min(3, len(res.Rejected))])
			}
		}
		seededDir = dir
	})
	return seededDir
}

func percentile(d []time.Duration, p float64) time.Duration {
	slices.Sort(d)
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

func reportLatency(b *testing.B, lat []time.Duration) {
	b.ReportMetric(float64(percentile(lat, 0.50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds()), "p99-µs")
}

// BenchmarkFsync is the floor under a durable save: write 300 bytes and fsync, on the same disk.
func BenchmarkFsync(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "fsync"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 300)
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t := time.Now()
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	reportLatency(b, lat)
}

// BenchmarkSaveTraining is one clerk's save on the full store: validation, record, change log, audit,
// index keys and tallies in one synced Badger transaction.
func BenchmarkSaveTraining(b *testing.B) {
	fx := loadFixture(b)
	dir := b.TempDir()
	copyDir(b, seeded(b), dir)
	s := benchStore(b, dir)
	defer s.Close()
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		t := fx.trainings[i%len(fx.trainings)]
		t.ID = ""
		i++
		start := time.Now()
		if _, err := s.Create(ctx, t); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	reportLatency(b, lat)
}

// BenchmarkImportTrainings is a bulk import of the 100k trainings into a store holding the villages
// and advisors; BenchmarkRawWriteBatch writes the same keys and values with Badger alone.
func BenchmarkImportTrainings(b *testing.B) {
	fx := loadFixture(b)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s := benchStore(b, b.TempDir())
		if _, err := s.Import(ctx, append(ledger.Entities(fx.villages), ledger.Entities(fx.advisors)...), nil); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.Import(ctx, ledger.Entities(fx.trainings), nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(fx.trainings)*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkRawWriteBatch is the physical limit beside BenchmarkImportTrainings: Badger's own WriteBatch
// writing exactly the keys and values the import wrote (records, change log, audit, index keys, tallies),
// with the same options, and nothing else. records/s counts trainings, as the import does.
func BenchmarkRawWriteBatch(b *testing.B) {
	fx := loadFixture(b)
	var keys, vals [][]byte
	bytes := 0
	src, err := badger.Open(mustOptions(b, seeded(b)))
	if err != nil {
		b.Fatal(err)
	}
	err = src.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			keys, vals = append(keys, it.Item().KeyCopy(nil)), append(vals, v)
			bytes += len(keys[len(keys)-1]) + len(v)
		}
		return nil
	})
	src.Close()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		db, err := badger.Open(mustOptions(b, b.TempDir()))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		wb := db.NewWriteBatch()
		for i := range keys {
			if err := wb.Set(keys[i], vals[i]); err != nil {
				b.Fatal(err)
			}
		}
		if err := wb.Flush(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(fx.trainings)*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(len(keys))/float64(len(fx.trainings)), "keys/record")
	b.ReportMetric(float64(bytes)/float64(len(fx.trainings)), "bytes/record")
}

func mustOptions(b *testing.B, dir string) badger.Options {
	b.Helper()
	opts, err := badgerOptions(dir, "", nil)
	if err != nil {
		b.Fatal(err)
	}
	return opts.WithLogger(nil)
}

// BenchmarkOpen opens the full store: Badger's start-up plus the memdb rebuild. RSS is measured in a
// fresh process by `techaid-cli bench`, since a benchmark binary's heap holds the fixture.
func BenchmarkOpen(b *testing.B) {
	dir := seeded(b)
	for b.Loop() {
		s, err := Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

// BenchmarkOpenProgramme opens the full store with the programme's other records (10,000 needs, 1,000
// projects, 5,000 introductions, …): the rebuild of their sorted lists and open-need counts on top of
// BenchmarkOpen's.
func BenchmarkOpenProgramme(b *testing.B) {
	dir := seededProgramme(b)
	for b.Loop() {
		s, err := Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

func BenchmarkQueries(b *testing.B) {
	fx := loadFixture(b)
	s := benchStore(b, seeded(b))
	defer s.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	queries := []struct {
		name string
		run  func() int
	}{
		{"village+3months", func() int {
			v := fx.villages[rng.IntN(len(fx.villages))].Code
			m := 1 + rng.IntN(10)
			p, err := s.Trainings(query.Trainings{Village: v, From: ledger.Date(fmt.Sprintf("%d-%02d-01", fixtureYear, m)),
				To: ledger.Date(fmt.Sprintf("%d-%02d-31", fixtureYear, m+2))}, nil)
			if err != nil {
				b.Fatal(err)
			}
			return len(p.Trainings)
		}},
		{"advisor+year", func() int {
			a := fx.advisors[rng.IntN(len(fx.advisors))].ID
			p, err := s.Trainings(query.Trainings{Advisor: a, From: "2026-01-01", To: "2026-12-31"}, nil)
			if err != nil {
				b.Fatal(err)
			}
			return len(p.Trainings)
		}},
		{"township-page", func() int {
			v := fx.villages[rng.IntN(len(fx.villages))].Code
			p, err := s.Trainings(query.Trainings{Under: v.Township()}, nil)
			if err != nil {
				b.Fatal(err)
			}
			return len(p.Trainings)
		}},
		{"count-kind-city", func() int { // the city's needs surveys: format 2 counts index keys only
			n, err := s.CountTrainings(query.Trainings{Kind: ledger.TrainingKinds[rng.IntN(len(ledger.TrainingKinds))]})
			if err != nil {
				b.Fatal(err)
			}
			return n
		}},
		{"count-kind-values", func() int { // the same count when the values must be read (format 1's way)
			n, err := s.CountTrainings(query.Trainings{Kind: ledger.TrainingKinds[rng.IntN(len(ledger.TrainingKinds))], Under: "3703"})
			if err != nil {
				b.Fatal(err)
			}
			return n
		}},
		{"kind-page-city", func() int {
			p, err := s.Trainings(query.Trainings{Kind: ledger.TrainingSurvey}, nil)
			if err != nil {
				b.Fatal(err)
			}
			return len(p.Trainings)
		}},
		{"name-prefix", func() int {
			r := []rune(fx.villages[rng.IntN(len(fx.villages))].Name)
			return len(s.VillagesByName(string(r[:min(2, len(r))]), 10))
		}},
		{"progress-city", func() int {
			return s.Progress(fixtureYear, "3703", "2026-12-31", nil).KeyVillages
		}},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			rows := 0
			for b.Loop() {
				t := time.Now()
				rows += q.run()
				lat = append(lat, time.Since(t))
			}
			reportLatency(b, lat)
			b.ReportMetric(float64(rows)/float64(len(lat)), "rows/op")
		})
	}
}

// copyDir copies a closed store: a benchmark that writes leaves the shared fixture alone, and a test
// never opens testdata in place (Badger writes on every open).
func copyDir(b testing.TB, from, to string) {
	b.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyPush is the hub's side of an office's first sync: 20,000 new trainings pushed in batches
// of 1,000 into a lean city store holding the villages and advisors, with everything a hub checks of
// each record (the replica bound to the office, versions, scope, validation after the merge).
func BenchmarkApplyPush(b *testing.B) {
	fx := loadFixture(b)
	if len(fx.trainings) == 0 {
		b.Skip("no reference data")
	}
	const n, batchSize = 20_000, 1000
	ctx := context.Background()
	replica := NewID()
	version := ledger.Version{VersionID: ledger.VersionID{Stamp: ledger.MakeStamp(fixtureToday.UnixMilli(), 0), Replica: replica},
		Author: "基准", Office: "3703"}
	recs := make([]ledger.Record, n)
	for i, t := range fx.trainings[:n] {
		rec := ledger.Record{Kind: ledger.KindTraining, ID: t.ID, Fields: map[string]ledger.Field{}}
		for name, value := range ledger.Values(t) {
			if value != "" {
				rec.Fields[name] = ledger.Field{Value: value, Version: version}
			}
		}
		recs[i] = rec
	}
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		s, err := Open(dir, Options{Wall: func() time.Time { return fixtureToday }, Lean: true})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Init("3703", "基准"); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Import(ctx, append(ledger.Entities(fx.villages), ledger.Entities(fx.advisors)...), nil); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for from := 0; from < n; from += batchSize {
			p := Push{Replica: replica, Scope: "3703", Office: "office-1", Today: fixtureToday, From: uint64(from + 1), To: uint64(from + batchSize)}
			for i := range batchSize {
				p.Seqs = append(p.Seqs, uint64(from+i+1))
			}
			p.Records = recs[from : from+batchSize]
			res, err := s.ApplyPush(ctx, p)
			if err != nil || len(res.Refused) > 0 || res.Changed != batchSize {
				b.Fatalf("push %d..%d: %d changed, refused %v, %v", p.From, p.To, res.Changed, res.Refused, err)
			}
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}

// The programme's other records at the size the issue sets: 10,000 needs, 1,000 projects and 5,000
// introductions (variety links) beside the 100,000 trainings, with the registry, the eight parks and
// their pairings, the platforms, 1,000 leaders and 300 reports.
var programmeSizes = ledger.SampleSizes{Needs: 10_000, Projects: 1_000, Introductions: 5_000, Leaders: 1_000, Publicity: 300}

var (
	programmeOnce sync.Once
	programmeDir  string
)

// seededProgramme is seeded's store with the programme's other records added.
func seededProgramme(b *testing.B) string {
	b.Helper()
	fx := loadFixture(b)
	base := seeded(b)
	programmeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "techaid-bench-programme-")
		if err != nil {
			b.Fatal(err)
		}
		copyDir(b, base, dir)
		s := benchStore(b, dir)
		defer s.Close()
		var key []ledger.Code
		for _, v := range fx.villages {
			if v.Key {
				key = append(key, v.Code)
			}
		}
		ids := make([]string, len(fx.advisors))
		for i, a := range fx.advisors {
			ids[i] = a.ID
		}
		p := ledger.SampleProgrammeYear(rand.New(rand.NewPCG(5, 6)), programmeSizes, fixtureYear, fixtureToday, key, ids, fx.trainings, NewID)
		if res, err := s.Import(context.Background(), p.Entities(), nil); err != nil || len(res.Rejected) > 0 {
			b.Fatalf("seed the programme: %v %+v", err, res.Rejected[:min(3, len(res.Rejected))])
		}
		programmeDir = dir
	})
	return programmeDir
}

// BenchmarkProgrammeQueries: the dashboard (every figure) and every list of the programme's kinds on
// the full store, p50 and p99 per call.
func BenchmarkProgrammeQueries(b *testing.B) {
	fx := loadFixture(b)
	s := benchStore(b, seededProgramme(b))
	defer s.Close()
	rng := rand.New(rand.NewPCG(7, 8))
	township := func() ledger.Code { return fx.villages[rng.IntN(len(fx.villages))].Code.Township() }
	page := query.List{Limit: 50}
	queries := []struct {
		name string
		run  func() int
	}{
		{"progress-city", func() int { return s.Progress(fixtureYear, "", "2026-12-31", nil).Needs.Raised }},
		{"progress-county", func() int { return s.Progress(fixtureYear, township()[:6], "2026-12-31", nil).Needs.Raised }},
		{"progress-township", func() int { return s.Progress(fixtureYear, township(), "2026-12-31", nil).Needs.Raised }},
		{"needs-city-page", func() int { ns, _ := s.Needs(query.Needs{List: page}, nil); return len(ns) }},
		{"needs-township-page", func() int {
			ns, _ := s.Needs(query.Needs{List: query.List{Under: township(), Limit: 50}}, nil)
			return len(ns)
		}},
		{"needs-overdue-city", func() int {
			ns, _ := s.Needs(query.Needs{List: page, Older: 30, On: "2026-12-31"}, nil)
			return len(ns)
		}},
		{"needs-group-search", func() int {
			ns, _ := s.Needs(query.Needs{List: query.List{Search: "苹果", Limit: 50}, Group: "林果"}, nil)
			return len(ns)
		}},
		{"projects-page", func() int { ps, _ := s.Projects(query.Projects{List: page, Supported: true}, nil); return len(ps) }},
		{"introductions-page", func() int { is, _ := s.Introductions(query.Introductions{List: page}, nil); return len(is) }},
		{"leaders-page", func() int { ls, _ := s.Leaders(query.Leaders{List: page}, nil); return len(ls) }},
		{"publicity-page", func() int { ps, _ := s.PublicityList(query.Publicity{List: page}, nil); return len(ps) }},
		{"platforms", func() int { ps, _ := s.Platforms(query.Platforms{}, nil); return len(ps) }},
		{"varieties", func() int { return len(s.Varieties(query.Varieties{}, nil)) }},
		{"pairings", func() int { return len(s.ParkPairings(query.ParkPairings{Year: fixtureYear}, nil)) }},
		{"variety-typeahead", func() int { return len(s.VarietiesByName("鲁", 10)) }},
		{"unlinked-city", func() int { return len(s.Unlinked(fixtureYear, "")) }},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			rows := 0
			for b.Loop() {
				t := time.Now()
				rows += q.run()
				lat = append(lat, time.Since(t))
			}
			reportLatency(b, lat)
			b.ReportMetric(float64(rows)/float64(len(lat)), "rows/op")
		})
	}
}

// BenchmarkApplyPulled is a new city-scope office's side of its first pull: the villages, the advisors
// and the 100,000 trainings, as the hub serves them (every field with its version), applied in batches
// of 1,000 with the pull cursor, as sync/client applies them.
func BenchmarkApplyPulled(b *testing.B) {
	fx := loadFixture(b)
	if len(fx.trainings) == 0 {
		b.Skip("no reference data")
	}
	const batchSize = 1000
	ctx := context.Background()
	version := ledger.Version{VersionID: ledger.VersionID{Stamp: ledger.MakeStamp(fixtureToday.UnixMilli(), 0), Replica: NewID()},
		Author: "基准", Office: "3703"}
	var recs []ledger.Record
	for _, e := range slices.Concat(ledger.Entities(fx.villages), ledger.Entities(fx.advisors), ledger.Entities(fx.trainings)) {
		rec := ledger.Record{Kind: e.RecordKind(), ID: e.RecordID(), Fields: map[string]ledger.Field{}}
		for name, value := range ledger.Values(e) {
			if value != "" {
				rec.Fields[name] = ledger.Field{Value: value, Version: version}
			}
		}
		recs = append(recs, rec)
	}
	for b.Loop() {
		b.StopTimer()
		s := benchStore(b, b.TempDir())
		b.StartTimer()
		for from := 0; from < len(recs); from += batchSize {
			batch := recs[from:min(from+batchSize, len(recs))]
			res, err := s.ApplyPulled(ctx, batch, "epoch", uint64(from+len(batch)))
			if err != nil || len(res.Refused) > 0 || res.Changed != len(batch) {
				b.Fatalf("pull %d: %d changed, refused %v, %v", from, res.Changed, res.Refused, err)
			}
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(recs)*b.N)/b.Elapsed().Seconds(), "records/s")
}
