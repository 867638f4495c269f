package storage

import (
	"context"
	"testing"
	"time"

	"techaid/ledger"
)

var y2000 = time.Date(2000, 1, 1, 8, 0, 0, 0, ledger.China)

// TestClockAfterPowerCut: a PC whose clock fell back to 2000 accepts today's training (its clock is
// doubtful: it never synced) before and after it has seen a stamp from another replica; its writes are
// then stamped above everything it has seen, so they win.
func TestClockAfterPowerCut(t *testing.T) {
	ctx := context.Background()
	today := time.Date(2026, 5, 1, 10, 0, 0, 0, ledger.China)
	for _, how := range []string{"Clock().Observe", "ApplyRemote"} {
		t.Run(how, func(t *testing.T) {
			other := newStore(t, city, Options{Wall: newTestClock(today).Now})
			if err := other.SetFields(ctx, ledger.KindVillage, string(lucun1), map[string]string{"notes": "市局 5 月 1 日"}); err != nil {
				t.Fatal(err)
			}
			remote, _ := other.Record(string(lucun1))
			remoteStamp := remote.Fields["notes"].Stamp

			wall := newTestClock(y2000)
			s := newStore(t, city, Options{Wall: wall.Now})
			tr := training(ledger.DateOf(today), []ledger.Code{lucun1}, nil)
			// Its clerk may record real work all the same (issue 14), and is told the clock is wrong.
			if _, err := s.Create(ctx, tr); err != nil {
				t.Fatalf("a training dated %s on a PC in 2000 that never synced: %v", tr.Date, err)
			}
			if !s.Clock().Doubtful() || s.Clock().Warning() == "" {
				t.Errorf("a PC in 2000 that never synced: no warning")
			}
			switch how {
			case "Clock().Observe":
				s.Clock().Observe(remoteStamp)
			case "ApplyRemote":
				exchange(t, other, s)
			}
			id, err := s.Create(ctx, tr)
			if err != nil {
				t.Fatalf("after observing a 2026 stamp: %v", err)
			}
			rec, _ := s.Record(id)
			if got := rec.Latest().Stamp; got <= remoteStamp {
				t.Errorf("new record stamped %v, not above the observed %v", got, remoteStamp)
			}
			// An edit of the field the other replica wrote wins over it, here and there.
			if err := s.SetFields(ctx, ledger.KindVillage, string(lucun1), map[string]string{"notes": "2000 年的电脑"}); err != nil {
				t.Fatal(err)
			}
			mine, _ := s.Record(string(lucun1))
			if mine.Fields["notes"].Stamp <= remoteStamp {
				t.Errorf("the edit is stamped %v, not above %v", mine.Fields["notes"].Stamp, remoteStamp)
			}
			exchange(t, other, s)
			exchange(t, s, other)
			for _, st := range []*Store{s, other} {
				if v, _ := st.Village(lucun1); v.Notes != "2000 年的电脑" {
					t.Errorf("notes = %q, want the later edit made on the PC in 2000", v.Notes)
				}
			}

			// The clock survives a restart in 2000 too: new stamps stay above every stamp stored.
			// (A stamp handed out for a save that changed nothing was never stored; it may come again.)
			last := maxStoredStamp(t, s)
			if last <= remoteStamp {
				t.Fatalf("the highest stored stamp %v is not above the remote one", last)
			}
			dir := s.Dir()
			s.Close()
			s = openStore(t, dir, Options{Wall: wall.Now, Logger: testLogger(t)})
			if now := s.Clock().Now(); now <= last {
				t.Errorf("after a restart the clock hands out %v, not above the stored %v", now, last)
			}
			if _, err := s.Create(ctx, tr); err != nil {
				t.Errorf("after a restart in 2000 today's training is refused: %v", err)
			}
		})
	}
}

// maxStoredStamp is the highest stamp in any record field or history entry of s.
func maxStoredStamp(t *testing.T, s *Store) ledger.Stamp {
	t.Helper()
	var top ledger.Stamp
	for id, rec := range allRecords(t, s) {
		for _, f := range rec.Fields {
			top = max(top, f.Stamp)
		}
		for _, a := range mustHistory(t, s, id) {
			top = max(top, a.Stamp)
		}
	}
	return top
}
