package app

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	"techaid/assets"
	"techaid/ledger"
	"techaid/storage"
)

// BenchmarkTypeAhead is the work behind one keystroke in the form's 村 and 科技指导人员 fields: the
// suggestions for what is typed so far, in a city store with all 2,931 Zibo villages and 300 advisors
// (the largest scope). It runs on the UI thread, so it must stay far below a frame (16 ms).
func BenchmarkTypeAhead(b *testing.B) {
	divs, err := ledger.ReadDivisions(bytes.NewReader(assets.Divisions))
	if err != nil {
		b.Fatal(err)
	}
	st, err := storage.Open(b.TempDir(), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Init(City, "基准"); err != nil {
		b.Fatal(err)
	}
	var recs []ledger.Entity
	for _, d := range divs {
		recs = append(recs, d.Record())
	}
	for _, a := range ledger.SampleAdvisors(rand.New(rand.NewPCG(1, 2)), 300, storage.NewID) {
		recs = append(recs, a)
	}
	if _, err := st.Import(context.Background(), recs, nil); err != nil {
		b.Fatal(err)
	}
	u := &UI{st: st, id: st.Identity()}
	for _, tc := range []struct {
		name, typed string
		suggest     func(string) []choice
	}{
		{"village/one character", "东", u.villageChoices}, // many names start with it
		{"village/two characters", "东里", u.villageChoices},
		{"village/part of a name", "庄村", u.villageChoices}, // no prefix match: the substring search
		{"village/code", "3703231022", u.villageChoices},
		{"advisor/one character", "王", u.advisorChoices},
		{"advisor/part of a phone", "139", u.advisorChoices},
	} {
		b.Run(tc.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				n = len(tc.suggest(tc.typed))
			}
			b.ReportMetric(float64(n), "suggestions")
		})
	}
}
