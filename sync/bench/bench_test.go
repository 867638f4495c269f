// Package bench measures sync end to end on real parts: a hub on a real store served over a websocket
// on 127.0.0.1, and office replicas on real stores. Run with
//
//	go test ./sync/bench -run XXX -bench . -benchtime 1x
//
// The process-level figures (RSS of each end) come from scripts/bench-sync.sh, which runs the same
// sync with techaid-city and techaid-cli as separate processes.
package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/synctest"
)

// seedOffice fills a city-scope office store with every village, 300 advisors and n trainings.
func seedOffice(b *testing.B, st *storage.Store, n int) int {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2026))
	villages := synctest.Villages(b, synctest.City)
	advisors := ledger.SampleAdvisors(rng, 300, storage.NewID)
	var codes []ledger.Code
	for _, v := range villages {
		codes = append(codes, v.Code)
	}
	ids := make([]string, len(advisors))
	for i, a := range advisors {
		ids[i] = a.ID
	}
	trainings := ledger.SampleTrainings(rng, n, 2026, time.Date(2026, 11, 1, 0, 0, 0, 0, ledger.China), codes, ids, storage.NewID)
	ctx := context.Background()
	for _, batch := range [][]ledger.Entity{ledger.Entities(villages), ledger.Entities(advisors), ledger.Entities(trainings)} {
		if _, err := st.Import(ctx, batch, nil); err != nil {
			b.Fatal(err)
		}
	}
	return len(villages) + len(advisors) + n
}

// BenchmarkInitialSync: an office with 100k trainings pushes everything to an empty hub, then a new
// office pulls everything from the hub.
func BenchmarkInitialSync(b *testing.B) {
	const trainings = 100_000
	for range b.N {
		b.StopTimer()
		h := synctest.StartLeanHub(b)
		token := h.Office("市局", synctest.City)
		office := synctest.NewReplica(b, h.URL, token, synctest.City, "市局录入员", storage.Options{})
		n := seedOffice(b, office.Store, trainings)
		b.StartTimer()

		start := time.Now()
		sum := office.Sync()
		push := time.Since(start)
		if sum.Pushed != n {
			b.Fatalf("pushed %d of %d", sum.Pushed, n)
		}
		fresh := synctest.NewReplica(b, h.URL, token, synctest.City, "新电脑", storage.Options{})
		start = time.Now()
		sum = fresh.Sync()
		pull := time.Since(start)
		if sum.Pulled < n {
			b.Fatalf("pulled %d of %d", sum.Pulled, n)
		}
		b.ReportMetric(float64(n)/push.Seconds(), "push-records/s")
		b.ReportMetric(float64(n)/pull.Seconds(), "pull-records/s")
		b.StopTimer()
		h.Stop()
	}
}

// BenchmarkLive: office A saves a training; how long until the hub and office B (same township, live)
// hold it durably. p50 and p99 over 300 saves.
func BenchmarkLive(b *testing.B) {
	h := synctest.StartHub(b)
	token := h.Office("鲁村镇", synctest.Lucun)
	a := synctest.NewReplica(b, h.URL, token, synctest.Lucun, "张敏", storage.Options{})
	o := synctest.NewReplica(b, h.URL, token, synctest.Lucun, "李强", storage.Options{})
	a.Sync()
	o.Sync()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, r := range []*synctest.Replica{a, o} {
		go r.Client.Run(ctx)
		for st := range r.Client.States() {
			if st.Phase == client.UpToDate {
				break
			}
		}
	}
	villages := synctest.Villages(b, synctest.Lucun)
	const saves = 300
	for range b.N {
		var atHub, atB []time.Duration
		for i := range saves {
			hubWS, bWS := query.NewWatchSet(), query.NewWatchSet()
			h.Store.Stats(hubWS)
			o.Store.Stats(bWS)
			start := time.Now()
			id, err := a.Store.Create(ctx, ledger.Training{Kind: ledger.TrainingCourse, Date: "2026-11-20",
				Villages: []ledger.Code{villages[i%len(villages)].Code}, Topic: "苹果树冬季修剪", Attendees: 20 + i%50})
			if err != nil {
				b.Fatal(err)
			}
			for _, w := range []struct {
				st  *storage.Store
				ws  query.WatchSet
				out *[]time.Duration
			}{{h.Store, hubWS, &atHub}, {o.Store, bWS, &atB}} {
				for {
					if _, err := storage.Get[ledger.Training](w.st, id); err == nil {
						*w.out = append(*w.out, time.Since(start))
						break
					}
					wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
					err := w.ws.Wait(wctx)
					wcancel()
					if err != nil {
						b.Fatalf("change %d did not arrive", i)
					}
					w.ws = query.NewWatchSet()
					w.st.Stats(w.ws)
				}
			}
		}
		b.ReportMetric(pct(atHub, 50), "hub-p50-ms")
		b.ReportMetric(pct(atHub, 99), "hub-p99-ms")
		b.ReportMetric(pct(atB, 50), "officeB-p50-ms")
		b.ReportMetric(pct(atB, 99), "officeB-p99-ms")
	}
}

func pct(d []time.Duration, p int) float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	return float64(s[(len(s)-1)*p/100].Microseconds()) / 1000
}

// BenchmarkEvidenceUpload: an office sends 100 photos of about 300 KB (attached to 100 trainings) to the
// hub on loopback while its clerk saves a training every 50 ms; it reports the upload's MB/s and how
// long the saves made meanwhile took to reach the city (p50, p99), beside the same saves with no upload
// (PROTOCOL.md 15.2: evidence never delays records by more than one chunk).
func BenchmarkEvidenceUpload(b *testing.B) {
	const photos = 100
	for range b.N {
		b.StopTimer()
		h := synctest.StartHub(b)
		token := h.Office("鲁村镇", synctest.Lucun)
		a := synctest.NewReplica(b, h.URL, token, synctest.Lucun, "张敏", storage.Options{})
		a.Sync()
		villages := synctest.Villages(b, synctest.Lucun)
		ctx, cancel := context.WithCancel(context.Background())
		save := func(i int) string {
			id, err := a.Store.Create(ctx, ledger.Training{Kind: ledger.TrainingCourse, Date: "2026-11-20",
				Villages: []ledger.Code{villages[i%len(villages)].Code}, Topic: "苹果树冬季修剪", Attendees: 20 + i%50})
			if err != nil {
				b.Fatal(err)
			}
			return id
		}
		var total int64
		for i := range photos {
			p := synctest.Photo(1000, 750, uint64(i+1))
			total += int64(len(p))
			synctest.Attach(b, a.Store, save(i), fmt.Sprintf("现场照片%03d.jpg", i), "jpeg", p)
		}
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		go a.Client.Run(ctx)
		for a.Client.State().Pending > 0 || a.Client.State().Phase != client.UpToDate {
			time.Sleep(time.Millisecond) // the 200 changes of the attach go first; then the files
		}
		// Saves every 50 ms until the office has no file left to send.
		var during []time.Duration
		var took, cpu time.Duration
		for i := 0; ; i++ {
			if pending, err := a.Store.PendingUploads(0); err != nil {
				b.Fatal(err)
			} else if len(pending) == 0 {
				took = time.Since(start)
				cpu = cpuTime() - cpu0
				break
			}
			during = append(during, reach(b, ctx, a.Store, h.Store, func() string { return save(photos + i) }))
			time.Sleep(50 * time.Millisecond)
		}
		b.StopTimer()
		var quiet []time.Duration
		for i := range 100 {
			quiet = append(quiet, reach(b, ctx, a.Store, h.Store, func() string { return save(10_000 + i) }))
		}
		cancel()
		b.ReportMetric(float64(total)/took.Seconds()/1e6, "upload-MB/s")
		// CPU time of the whole process (office, hub and the saves) while the files went: on a machine
		// shared with other work the wall-clock rate says more about the others than about sync.
		b.ReportMetric(float64(total)/cpu.Seconds()/1e6, "upload-MB/cpu-s")
		b.ReportMetric(float64(total)/photos/1e3, "photo-KB")
		b.ReportMetric(float64(len(during)), "saves-during")
		b.ReportMetric(pct(during, 50), "during-p50-ms")
		b.ReportMetric(pct(during, 99), "during-p99-ms")
		b.ReportMetric(pct(quiet, 50), "quiet-p50-ms")
		b.ReportMetric(pct(quiet, 99), "quiet-p99-ms")
		h.Stop()
	}
}

// reach saves a record at the office (save returns its id) and waits until the hub holds it durably.
func reach(b *testing.B, ctx context.Context, office, hub *storage.Store, save func() string) time.Duration {
	ws := query.NewWatchSet()
	hub.Stats(ws)
	start := time.Now()
	id := save()
	for {
		if _, err := storage.Get[ledger.Training](hub, id); err == nil {
			return time.Since(start)
		}
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := ws.Wait(wctx)
		cancel()
		if err != nil {
			b.Fatalf("the save %s did not reach the hub", id)
		}
		ws = query.NewWatchSet()
		hub.Stats(ws)
	}
}
