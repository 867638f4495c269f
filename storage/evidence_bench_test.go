package storage

import (
	"context"
	"testing"
	"time"

	"techaid/evidence"
	"techaid/evidence/evidencetest"
	"techaid/ledger"
)

// BenchmarkAttachPhoto: a 6 MB phone photo (4000×3000, EXIF orientation 6) from the clerk's file to a
// durable attach: decode, shrink to 1600 px upright, encode, hash, and the one transaction that stores it
// with the training's new list. cpu-ms/op is the process's CPU per attach (user+system), the figure that
// holds on a loaded machine; ns/op is the wall clock.
func BenchmarkAttachPhoto(b *testing.B) {
	ctx := context.Background()
	s := newStore(b, lucun, Options{})
	var ids []string
	for i := range 200 {
		ids = append(ids, mustCreate(b, s, training(ledger.DateOf(baseWall.AddDate(0, 0, -i)), []ledger.Code{lucun1}, nil)))
	}
	// Distinct photos, so that each attach stores its file.
	photos := make([][]byte, 4)
	for i := range photos {
		photos[i] = evidencetest.Photo(4000, 3000, 6, uint64(i))
	}
	b.SetBytes(int64(len(photos[0])))
	cpu0 := processCPU()
	i := 0
	var kept int
	for b.Loop() {
		f, err := evidence.Prepare("IMG.jpg", photos[i%len(photos)])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Attach(ctx, ids[i%len(ids)], Attachment{Item: f.Evidence(), Data: f.Data}); err != nil {
			b.Fatal(err)
		}
		kept = len(f.Data)
		i++
	}
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
	b.ReportMetric(float64(len(photos[0]))/1e6, "MB-in")
	b.ReportMetric(float64(kept)/1e3, "KB-kept")
}
