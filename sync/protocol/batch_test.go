package protocol

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"techaid/ledger"
)

// sampleRecords are trainings as an office writes them: each saved once, so one version per record,
// some edited since (a second version, with the one it overwrote).
func sampleRecords(n int) []ledger.Record {
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 5, 20, 10, 0, 0, 0, ledger.China)
	ts := ledger.SampleTrainings(rng, n, 2026, now, []ledger.Code{"370323102201", "370323102202"}, []string{"a1", "a2"},
		func() string { return fmt.Sprintf("%016x", rng.Uint64()) })
	recs := make([]ledger.Record, n)
	for i, t := range ts {
		v := ledger.Version{VersionID: ledger.VersionID{Stamp: ledger.MakeStamp(now.UnixMilli(), 0), Replica: "019e1460-fac0-7000-8000-000000000001"},
			Author: "王芳", Office: "370323102"}
		rec := ledger.Record{Kind: ledger.KindTraining, ID: t.ID, Fields: map[string]ledger.Field{}}
		for name, value := range ledger.Values(t) {
			if value != "" && name != "id" {
				rec.Fields[name] = ledger.Field{Value: value, Version: v}
			}
		}
		if i%3 == 0 { // edited since: a second version, naming the one it overwrote
			later := v
			later.Stamp++
			rec.Fields["topic"] = ledger.Field{Value: "改过的主题", Version: later, Prev: v.VersionID}
		}
		recs[i] = rec
	}
	return recs
}

// encodedSize is what records add to a changes frame.
func encodedSize(t *testing.T, recs []ledger.Record) int {
	t.Helper()
	empty, err := Encode(Changes{Cursor: 1, Records: []ledger.Record{}})
	if err != nil {
		t.Fatal(err)
	}
	buf, err := Encode(Changes{Cursor: 1, Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	return len(buf) - len(empty)
}

// TestApproxSize: the estimate never falls short of a record's encoded size by much (a batch cut by it
// stays near BatchBytes) nor overshoots it by much (batches are not needlessly small), for records
// without characters JSON escapes; those are the encoded check's (Shrink).
func TestApproxSize(t *testing.T) {
	for i, r := range sampleRecords(200) {
		got, want := ApproxSize(r), encodedSize(t, []ledger.Record{r})
		if got < want*9/10 || got > want*13/10 {
			t.Errorf("record %d (%d fields): estimate %d, encoded %d", i, len(r.Fields), got, want)
		}
	}
}

// TestFitAndShrink: a batch cut by Fit, then by Shrink while its encoding is over BatchBytes, ends within
// BatchBytes and MaxBatch with at least one record, however large or escaped its records are.
func TestFitAndShrink(t *testing.T) {
	long := sampleRecords(40)
	for i := range long {
		f := long[i].Fields["content"]
		f.Value = strings.Repeat("苹果树冬季修剪，", 2000) // about 48 KB of text
		long[i].Fields["content"] = f
	}
	escaped := sampleRecords(40)
	for i := range escaped {
		f := escaped[i].Fields["content"]
		f.Value = strings.Repeat("<&>\"\\\n", 8000) // six times longer once escaped
		escaped[i].Fields["content"] = f
	}
	huge := sampleRecords(3)
	f := huge[0].Fields["content"]
	f.Value = strings.Repeat("x", 2*BatchBytes)
	huge[0].Fields["content"] = f
	for _, tc := range []struct {
		name    string
		recs    []ledger.Record
		atLeast int // records that must go in the first batch
	}{
		{"small records", sampleRecords(3000), 500},
		{"long texts", long, 15},
		{"escaped texts", escaped, 2},
		{"one record over the limit", huge, 1},
		{"none", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := Fit(tc.recs)
			size := encodedSize(t, tc.recs[:n])
			for size > BatchBytes && n > 1 {
				n = Shrink(n, size)
				size = encodedSize(t, tc.recs[:n])
			}
			if n < tc.atLeast || n > MaxBatch || n > 1 && size > BatchBytes {
				t.Errorf("%d of %d records, %d bytes: want at least %d, at most %d records and within %d bytes",
					n, len(tc.recs), size, tc.atLeast, MaxBatch, BatchBytes)
			}
		})
	}
	for _, c := range []struct{ n, size, want int }{
		{1000, 2 * BatchBytes, 500}, {10, BatchBytes + 1, 9}, {2, 100 * BatchBytes, 1}, {1, 5 * BatchBytes, 1},
	} {
		if got := Shrink(c.n, c.size); got != c.want {
			t.Errorf("Shrink(%d, %d) = %d, want %d", c.n, c.size, got, c.want)
		}
	}
}
