package ledger_test

import (
	"cmp"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"techaid/ledger"
)

// frozen is a wall clock stuck at t.
func frozen(t time.Time) func() time.Time { return func() time.Time { return t } }

var may1 = time.Date(2026, 5, 1, 9, 30, 0, 0, ledger.China)

func TestMakeStamp(t *testing.T) {
	tests := []struct {
		name    string
		wall    int64
		logical uint16
	}{
		{"zero", 0, 0},
		{"logical only", 0, 7},
		{"today", may1.UnixMilli(), 0},
		{"today with counter", may1.UnixMilli(), 12},
		{"counter at its top", may1.UnixMilli(), 0xFFFF},
		{"largest wall", 1<<48 - 1, 0xFFFF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ledger.MakeStamp(tt.wall, tt.logical)
			if s.WallMillis() != tt.wall || s.Logical() != tt.logical {
				t.Errorf("MakeStamp(%d, %d): wall %d, logical %d", tt.wall, tt.logical, s.WallMillis(), s.Logical())
			}
		})
	}
	if s := ledger.MakeStamp(-5, 3); s.WallMillis() != 0 || s.Logical() != 3 {
		t.Errorf("MakeStamp(-5, 3) = wall %d logical %d, want 0 and 3 (before 1970 clamps to 0)", s.WallMillis(), s.Logical())
	}
	if got := ledger.MakeStamp(may1.UnixMilli(), 4).Time(); !got.Equal(may1) || got.Location() != time.UTC {
		t.Errorf("Time() = %v, want %v in UTC", got, may1)
	}
}

func TestStampOrder(t *testing.T) {
	// The wall part dominates: any counter at an earlier millisecond is below any at a later one.
	if !(ledger.MakeStamp(1000, 0xFFFF) < ledger.MakeStamp(1001, 0)) {
		t.Error("a later millisecond does not sort above a full counter")
	}
	if !(ledger.MakeStamp(1000, 1) < ledger.MakeStamp(1000, 2)) {
		t.Error("counters at the same millisecond do not sort")
	}
}

func TestStampText(t *testing.T) {
	tests := []struct {
		stamp ledger.Stamp
		text  string
	}{
		{0, "0000000000000000"},
		{ledger.MakeStamp(1, 1), "0000000000010001"},
		{^ledger.Stamp(0), "ffffffffffffffff"},
	}
	for _, tt := range tests {
		if got := tt.stamp.String(); got != tt.text {
			t.Errorf("Stamp(%d).String() = %q, want %q", uint64(tt.stamp), got, tt.text)
		}
		got, err := ledger.ParseStamp(tt.text)
		if err != nil || got != tt.stamp {
			t.Errorf("ParseStamp(%q) = %d, %v; want %d", tt.text, uint64(got), err, uint64(tt.stamp))
		}
	}

	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		s := ledger.Stamp(rng.Uint64())
		got, err := ledger.ParseStamp(s.String())
		if err != nil || got != s {
			t.Fatalf("ParseStamp(%q) = %v, %v; want %v", s.String(), got, err, s)
		}
	}
}

func TestParseStampRejects(t *testing.T) {
	for _, text := range []string{
		"",
		"123",
		"00000000000000001", // 17 digits
		"000000000000000g",  // not hex
		"-000000000000001",  // sign
		" 000000000000001",  // space
		"0x00000000000001",  // prefix
		"00000000_0000001",  // underscore
		"１０００００００００００００００", // full width
	} {
		if s, err := ledger.ParseStamp(text); err == nil {
			t.Errorf("ParseStamp(%q) = %v, want an error", text, s)
		}
		var s ledger.Stamp
		if err := s.UnmarshalText([]byte(text)); err == nil {
			t.Errorf("UnmarshalText(%q) succeeded", text)
		}
	}
}

// Stamps are stored and sent as text, so text order must be stamp order.
func TestStampStringsSortLikeStamps(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	stamps := []ledger.Stamp{0, 1, 0xFFFF, 0x10000, ^ledger.Stamp(0)}
	for range 2000 {
		// Mix small and large values so that strings of very different magnitudes meet.
		stamps = append(stamps, ledger.Stamp(rng.Uint64()>>rng.UintN(64)))
	}
	for i := range stamps {
		for j := i + 1; j < len(stamps) && j < i+20; j++ {
			a, b := stamps[i], stamps[j]
			if (a < b) != (a.String() < b.String()) || (a == b) != (a.String() == b.String()) {
				t.Fatalf("%d vs %d: strings %q vs %q order differently", uint64(a), uint64(b), a, b)
			}
		}
	}
	byText := slices.Clone(stamps)
	slices.SortFunc(byText, func(a, b ledger.Stamp) int { return cmp.Compare(a.String(), b.String()) })
	if !slices.IsSorted(byText) {
		t.Error("sorting by text does not sort the stamps")
	}
}

func TestStampJSON(t *testing.T) {
	v := ledger.VersionID{Stamp: ledger.MakeStamp(may1.UnixMilli(), 3), Replica: "r1"}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"stamp":"` + v.Stamp.String() + `","replica":"r1"}`
	if string(b) != want {
		t.Errorf("json.Marshal = %s, want %s", b, want)
	}
	var back ledger.VersionID
	if err := json.Unmarshal(b, &back); err != nil || back != v {
		t.Errorf("json.Unmarshal(%s) = %+v, %v; want %+v", b, back, err, v)
	}
	// A bare number is what the string form exists to avoid; it must not be read as a stamp.
	if err := json.Unmarshal([]byte(`{"stamp":123}`), &back); err == nil {
		t.Error("a numeric stamp was accepted")
	}
	if err := json.Unmarshal([]byte(`{"stamp":"xyz"}`), &back); err == nil {
		t.Error("a malformed stamp string was accepted")
	}
}

// nowN calls Now n times and fails unless every stamp is above the one before.
func nowN(t *testing.T, c *ledger.Clock, after ledger.Stamp, n int) ledger.Stamp {
	t.Helper()
	prev := after
	for i := range n {
		s := c.Now()
		if s <= prev {
			t.Fatalf("Now #%d = %v (wall %d, logical %d), not above %v", i, s, s.WallMillis(), s.Logical(), prev)
		}
		prev = s
	}
	return prev
}

func TestClockNow(t *testing.T) {
	t.Run("frozen wall clock", func(t *testing.T) {
		c := ledger.NewClock(frozen(may1), 0)
		first := c.Now()
		if first != ledger.MakeStamp(may1.UnixMilli(), 0) {
			t.Errorf("first Now = wall %d logical %d, want the wall time", first.WallMillis(), first.Logical())
		}
		last := nowN(t, c, first, 1000)
		if last.WallMillis() != may1.UnixMilli() || last.Logical() != 1000 {
			t.Errorf("after 1001 stamps in one millisecond: wall %d logical %d, want %d and 1000",
				last.WallMillis(), last.Logical(), may1.UnixMilli())
		}
		if c.Last() != last {
			t.Errorf("Last() = %v, want %v", c.Last(), last)
		}
	})

	t.Run("counter overflow carries into the wall part", func(t *testing.T) {
		start := ledger.MakeStamp(may1.UnixMilli(), 0xFFFE)
		c := ledger.NewClock(frozen(may1), start)
		nowN(t, c, start, 3)
		if got, want := c.Last(), ledger.MakeStamp(may1.UnixMilli()+1, 1); got != want {
			t.Errorf("Last() = %v, want %v", got, want)
		}
	})

	t.Run("wall clock moving on", func(t *testing.T) {
		wall := may1
		c := ledger.NewClock(func() time.Time { return wall }, 0)
		a := c.Now()
		wall = wall.Add(time.Second)
		b := c.Now()
		if b != ledger.MakeStamp(wall.UnixMilli(), 0) {
			t.Errorf("Now after a second = %v, want the new wall time with counter 0", b)
		}
		if b <= a {
			t.Errorf("Now went backwards: %v then %v", a, b)
		}
	})

	t.Run("power cut puts the wall clock in 2000", func(t *testing.T) {
		wall := may1
		c := ledger.NewClock(func() time.Time { return wall }, 0)
		before := nowN(t, c, 0, 10)
		wall = time.Date(2000, 1, 1, 0, 0, 0, 0, ledger.China)
		after := nowN(t, c, before, 10)
		if after.WallMillis() != may1.UnixMilli() {
			t.Errorf("after the power cut the stamps' wall part is %v, want it held at %v", after.Time(), may1)
		}
	})

	t.Run("restart in 2000 with the persisted stamp", func(t *testing.T) {
		persisted := ledger.MakeStamp(may1.UnixMilli(), 5)
		c := ledger.NewClock(frozen(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)), persisted)
		if s := c.Now(); s <= persisted {
			t.Errorf("first Now after restart = %v, not above the persisted %v", s, persisted)
		}
	})

	t.Run("nil wall reads the real clock", func(t *testing.T) {
		before := time.Now().UnixMilli()
		s := ledger.NewClock(nil, 0).Now()
		if s.WallMillis() < before || s.WallMillis() > time.Now().UnixMilli() {
			t.Errorf("Now with time.Now = %v, not between %d and now", s.Time(), before)
		}
	})
}

func TestClockObserve(t *testing.T) {
	c := ledger.NewClock(frozen(may1), 0)
	mine := c.Now()

	future := ledger.MakeStamp(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), 9)
	c.Observe(future)
	if c.Last() != future {
		t.Errorf("Last() after Observe = %v, want %v", c.Last(), future)
	}
	if s := c.Now(); s <= future {
		t.Errorf("Now after observing %v = %v, not above it", future, s)
	}

	// A stamp just one above counts too: Observe must not need a big jump.
	next := c.Last() + 1
	c.Observe(next)
	if c.Last() != next {
		t.Errorf("Last() after observing %v = %v", next, c.Last())
	}

	// An older stamp changes nothing.
	before := c.Last()
	c.Observe(mine)
	if c.Last() != before {
		t.Errorf("observing an old stamp moved Last from %v to %v", before, c.Last())
	}
}

func TestClockConcurrentNow(t *testing.T) {
	c := ledger.NewClock(frozen(may1), 0) // frozen, so every stamp needs the counter
	const goroutines, each = 16, 500
	results := make([][]ledger.Stamp, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				if i%50 == 0 {
					c.Observe(c.Last()) // interleave the other entry points too
				}
				results[g] = append(results[g], c.Now())
			}
		})
	}
	wg.Wait()

	seen := map[ledger.Stamp]bool{}
	for g, stamps := range results {
		if !slices.IsSorted(stamps) {
			t.Errorf("goroutine %d saw its own stamps go backwards", g)
		}
		for _, s := range stamps {
			if seen[s] {
				t.Fatalf("stamp %v handed out twice", s)
			}
			seen[s] = true
		}
	}
	if len(seen) != goroutines*each {
		t.Errorf("%d unique stamps, want %d", len(seen), goroutines*each)
	}
}

func TestClockToday(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, ledger.China) }
	tests := []struct {
		name string
		wall time.Time
		last time.Time // the highest stamp's wall time; zero for none
		want time.Time
	}{
		{"evening UTC is the next day in China", time.Date(2026, 5, 1, 17, 0, 0, 0, time.UTC), time.Time{}, day(2026, 5, 2)},
		{"before 16:00 UTC is the same day", time.Date(2026, 5, 1, 15, 59, 0, 0, time.UTC), time.Time{}, day(2026, 5, 1)},
		{"power cut: the last stamp wins", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2026, 5, 1, 17, 0, 0, 0, time.UTC), day(2026, 5, 2)},
		{"wall ahead of the last stamp wins", time.Date(2026, 6, 1, 2, 0, 0, 0, ledger.China),
			time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), day(2026, 6, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var last ledger.Stamp
			if !tt.last.IsZero() {
				last = ledger.MakeStamp(tt.last.UnixMilli(), 0)
			}
			got := ledger.NewClock(frozen(tt.wall), last).Today()
			if !got.Equal(tt.want) || got.Location() != ledger.China {
				t.Errorf("Today() = %v, want %v", got, tt.want)
			}
			if ledger.DateOf(got) != ledger.DateOf(tt.want) {
				t.Errorf("DateOf(Today()) = %s, want %s", ledger.DateOf(got), ledger.DateOf(tt.want))
			}
		})
	}
}

func TestChinaZone(t *testing.T) {
	if _, offset := time.Date(2026, 7, 1, 0, 0, 0, 0, ledger.China).Zone(); offset != 8*3600 {
		t.Errorf("China offset = %d s, want 8 hours", offset)
	}
}

// y2099 is what an office PC's clock said while it was offline.
var y2099 = time.Date(2099, 3, 1, 9, 0, 0, 0, ledger.China)

func TestClockAfter(t *testing.T) {
	t.Run("below now: a plain Now", func(t *testing.T) {
		c := ledger.NewClock(frozen(may1), 0)
		old := ledger.MakeStamp(may1.Add(-time.Hour).UnixMilli(), 3)
		got := c.After(old)
		if got != ledger.MakeStamp(may1.UnixMilli(), 0) || c.Last() != got {
			t.Errorf("After(an hour ago) = %v, Last %v; want the wall time %v", got, c.Last(), ledger.MakeStamp(may1.UnixMilli(), 0))
		}
		if next := c.After(old); next <= got {
			t.Errorf("a second After = %v, not above %v", next, got)
		}
	})

	t.Run("equal to the last stamp", func(t *testing.T) {
		c := ledger.NewClock(frozen(may1), 0)
		n := c.Now()
		if got := c.After(n); got <= n {
			t.Errorf("After(%v) = %v", n, got)
		}
	})

	t.Run("far ahead before the hub's time is known: the clock follows", func(t *testing.T) {
		c := ledger.NewClock(frozen(may1), 0)
		far := ledger.MakeStamp(y2099.UnixMilli(), 7)
		if got := c.After(far); got != far+1 || c.Last() != far+1 {
			t.Errorf("After(2099) = %v, Last %v; want %v for both", got, c.Last(), far+1)
		}
		if n := c.Now(); n <= far+1 {
			t.Errorf("Now after it = %v", n)
		}
	})

	t.Run("far ahead once corrected: above it, without moving the clock", func(t *testing.T) {
		c := ledger.NewClock(frozen(may1), 0)
		c.Correct(0)
		last := c.Now()
		far := ledger.MakeStamp(y2099.UnixMilli(), 7)
		if got := c.After(far); got != far+1 {
			t.Errorf("After(2099) = %v, want %v", got, far+1)
		}
		if l := c.Last(); l.WallMillis() != may1.UnixMilli() || l <= last {
			t.Errorf("Last after After(2099) = %v (%v), want it to stay at %v", l, l.Time(), may1)
		}
		if n := c.Now(); n.WallMillis() != may1.UnixMilli() {
			t.Errorf("Now after After(2099) = %v", n.Time())
		}
		// A stamp within MaxAhead still moves the clock.
		near := ledger.MakeStamp(may1.Add(ledger.MaxAhead-time.Minute).UnixMilli(), 0)
		if got := c.After(near); got != near+1 || c.Last() != near+1 {
			t.Errorf("After(%v) = %v, Last %v; want %v", near.Time(), got, c.Last(), near+1)
		}
	})

	t.Run("counter overflow carries", func(t *testing.T) {
		c := ledger.NewClock(frozen(may1), 0)
		s := ledger.MakeStamp(may1.UnixMilli()+1000, 0xFFFF)
		if got := c.After(s); got != ledger.MakeStamp(may1.UnixMilli()+1001, 0) {
			t.Errorf("After(%v) = %v", s, got)
		}
	})
}

// TestClockAfterFarAheadTwice: every stamp After hands out is new, even when it cannot move the clock.
func TestClockAfterFarAheadTwice(t *testing.T) {
	c := ledger.NewClock(frozen(may1), 0)
	c.Correct(0)
	far := ledger.MakeStamp(y2099.UnixMilli(), 0)
	a, b := c.After(far), c.After(far)
	if a <= far || b <= far || a == b {
		t.Errorf("After(2099) twice = %v, %v; want two distinct stamps above %v", a, b, far)
	}
}

func TestClockCorrect(t *testing.T) {
	t.Run("a clock far ahead comes back to the corrected time", func(t *testing.T) {
		c := ledger.NewClock(frozen(may1), ledger.MakeStamp(y2099.UnixMilli(), 3))
		c.Correct(0)
		if l := c.Last(); l != ledger.MakeStamp(may1.UnixMilli(), 0) {
			t.Errorf("Last after Correct = %v, want %v", l.Time(), may1)
		}
		if n := c.Now(); n != ledger.MakeStamp(may1.UnixMilli(), 1) {
			t.Errorf("Now after Correct = %v (logical %d)", n.Time(), n.Logical())
		}
	})

	t.Run("the PC itself said 2099: the hub's offset brings it back", func(t *testing.T) {
		c := ledger.NewClock(frozen(y2099), 0)
		written := nowN(t, c, 0, 5) // stamps written offline, in 2099
		offset := may1.Sub(y2099)
		c.Correct(offset)
		if c.Offset() != offset {
			t.Errorf("Offset() = %v, want %v", c.Offset(), offset)
		}
		if n := c.Now(); n.WallMillis() != may1.UnixMilli() {
			t.Errorf("Now after Correct = %v, want %v", n.Time(), may1)
		}
		if !c.Wall().Equal(y2099) {
			t.Errorf("Wall() = %v, want the uncorrected %v", c.Wall(), y2099)
		}
		if got := c.After(written); got <= written {
			t.Errorf("After(%v) = %v: an edit of a 2099 record is not stamped above it", written, got)
		}
	})

	t.Run("a normal clock is left alone", func(t *testing.T) {
		for _, ahead := range []time.Duration{-time.Hour, 0, time.Minute, ledger.MaxAhead} {
			last := ledger.MakeStamp(may1.Add(ahead).UnixMilli(), 9)
			c := ledger.NewClock(frozen(may1), last)
			c.Correct(0)
			if c.Last() != last {
				t.Errorf("%v ahead: Correct moved Last from %v to %v", ahead, last, c.Last())
			}
			if n := c.Now(); n <= last {
				t.Errorf("%v ahead: Now after Correct = %v, not above %v", ahead, n, last)
			}
		}
	})

	t.Run("just beyond MaxAhead is reset", func(t *testing.T) {
		c := ledger.NewClock(frozen(may1), ledger.MakeStamp(may1.Add(ledger.MaxAhead+time.Millisecond).UnixMilli(), 0))
		c.Correct(0)
		if c.Last().WallMillis() != may1.UnixMilli() {
			t.Errorf("Last after Correct = %v, want %v", c.Last().Time(), may1)
		}
	})

	t.Run("the offset counts", func(t *testing.T) {
		// A clock an hour ahead of this PC's wall clock is normal when the hub is two hours ahead.
		last := ledger.MakeStamp(may1.Add(time.Hour).UnixMilli(), 0)
		c := ledger.NewClock(frozen(may1), last)
		c.Correct(2 * time.Hour)
		if c.Last() != last {
			t.Errorf("Correct(2h) reset a clock an hour ahead: %v", c.Last().Time())
		}
		if n := c.Now(); n != ledger.MakeStamp(may1.Add(2*time.Hour).UnixMilli(), 0) {
			t.Errorf("Now with a 2h offset = %v", n.Time())
		}
		// And the same clock is far ahead when the hub is an hour behind.
		c = ledger.NewClock(frozen(may1), last)
		c.Correct(-time.Hour)
		if want := ledger.MakeStamp(may1.Add(-time.Hour).UnixMilli(), 0); c.Last() != want {
			t.Errorf("Correct(-1h) left Last at %v, want %v", c.Last().Time(), want.Time())
		}
	})

	t.Run("offset", func(t *testing.T) {
		c := ledger.NewClock(frozen(may1), 0)
		if c.Offset() != 0 {
			t.Errorf("Offset() of a new clock = %v", c.Offset())
		}
		c.Correct(-90 * time.Second)
		c.Correct(45 * time.Second)
		if c.Offset() != 45*time.Second {
			t.Errorf("Offset() = %v, want the last correction", c.Offset())
		}
	})
}

func TestClockObserveFarAhead(t *testing.T) {
	far := ledger.MakeStamp(y2099.UnixMilli(), 0)
	near := ledger.MakeStamp(may1.Add(ledger.MaxAhead).UnixMilli(), 5)
	beyond := ledger.MakeStamp(may1.Add(ledger.MaxAhead+time.Millisecond).UnixMilli(), 0)

	t.Run("before Correct every stamp counts", func(t *testing.T) {
		c := ledger.NewClock(frozen(may1), 0)
		c.Observe(far)
		if c.Last() != far {
			t.Errorf("Last = %v, want %v", c.Last().Time(), far.Time())
		}
	})

	t.Run("after Correct a far-future stamp is ignored", func(t *testing.T) {
		c := ledger.NewClock(frozen(may1), 0)
		c.Correct(0)
		before := c.Now()
		for _, s := range []ledger.Stamp{far, beyond} {
			c.Observe(s)
			if c.Last() != before {
				t.Errorf("Observe(%v) moved Last to %v", s.Time(), c.Last().Time())
			}
		}
		c.Observe(near)
		if c.Last() != near {
			t.Errorf("Observe of a stamp MaxAhead ahead: Last = %v, want %v", c.Last().Time(), near.Time())
		}
		if n := c.Now(); n <= near {
			t.Errorf("Now = %v, not above the observed %v", n, near)
		}
	})

	t.Run("the window follows the corrected time", func(t *testing.T) {
		c := ledger.NewClock(frozen(may1), 0)
		c.Correct(time.Hour) // the hub is an hour ahead of this PC
		s := ledger.MakeStamp(may1.Add(time.Hour+ledger.MaxAhead-time.Second).UnixMilli(), 0)
		c.Observe(s)
		if c.Last() != s {
			t.Errorf("with a 1h offset, a stamp 1h+%v ahead of the wall was ignored", ledger.MaxAhead-time.Second)
		}
		c = ledger.NewClock(frozen(may1), 0)
		c.Correct(-time.Hour)
		c.Observe(ledger.MakeStamp(may1.UnixMilli(), 0)) // an hour ahead of the corrected time
		if c.Last().WallMillis() == may1.UnixMilli() {
			t.Error("with a -1h offset, a stamp an hour ahead of the corrected time moved the clock")
		}
	})
}

func TestClockTodayOffset(t *testing.T) {
	// 23:30 in China on May 1 by this PC; the hub says it is an hour later, May 2.
	wall := time.Date(2026, 5, 1, 23, 30, 0, 0, ledger.China)
	c := ledger.NewClock(frozen(wall), 0)
	if got := ledger.DateOf(c.Today()); got != "2026-05-01" {
		t.Errorf("Today before Correct = %s", got)
	}
	c.Correct(time.Hour)
	if got := ledger.DateOf(c.Today()); got != "2026-05-02" {
		t.Errorf("Today with a 1h offset = %s, want 2026-05-02", got)
	}
	if !c.Wall().Equal(wall) {
		t.Errorf("Wall() = %v, want the uncorrected %v", c.Wall(), wall)
	}

	// A PC in 2099 corrected by the hub: today is the hub's day, not 2099 (its last stamp was reset).
	c = ledger.NewClock(frozen(y2099), 0)
	c.Now()
	c.Correct(may1.Sub(y2099))
	if got := ledger.DateOf(c.Today()); got != ledger.DateOf(may1) {
		t.Errorf("Today of a corrected 2099 PC = %s, want %s", got, ledger.DateOf(may1))
	}
	// A PC whose wall clock is behind the hub's by a day: the offset moves Today forward.
	c = ledger.NewClock(frozen(may1.AddDate(0, 0, -1)), 0)
	c.Correct(24 * time.Hour)
	if got := ledger.DateOf(c.Today()); got != ledger.DateOf(may1) {
		t.Errorf("Today with a one-day offset = %s, want %s", got, ledger.DateOf(may1))
	}
}

func TestClockWall(t *testing.T) {
	wall := may1
	c := ledger.NewClock(func() time.Time { return wall }, 0)
	c.Correct(10 * time.Minute)
	if !c.Wall().Equal(may1) {
		t.Errorf("Wall() = %v, want %v: the correction is not applied", c.Wall(), may1)
	}
	wall = wall.Add(time.Second)
	if !c.Wall().Equal(may1.Add(time.Second)) {
		t.Error("Wall() does not read the wall clock")
	}
	if n := c.Now(); n.WallMillis() != may1.Add(10*time.Minute+time.Second).UnixMilli() {
		t.Errorf("Now = %v, want the corrected wall time", n.Time())
	}
}

// Found by the hostile hub tests: a record holding the largest stamp (ffffffffffffffff, which an
// office may push: stamps are not checked against the calendar) made every later edit of it stamp 0,
// which no replica takes as a version, so the edit never synced.
func TestClockAfterLargestStamp(t *testing.T) {
	top := ^ledger.Stamp(0)
	for _, known := range []bool{false, true} {
		c := ledger.NewClock(frozen(may1), 0)
		if known {
			c.Correct(0)
		}
		for _, s := range []ledger.Stamp{top, top - 1, top} {
			if got := c.After(s); got < s {
				t.Errorf("known %v: After(%v) = %v", known, s, got)
			}
		}
		if n := c.Now(); n < ledger.MakeStamp(may1.UnixMilli(), 0) {
			t.Errorf("known %v: Now = %v after the largest stamps", known, n)
		}
	}
}

// Issue 14: an offset measured against the hub holds for the clock it was measured on. Set right by
// the clerk, the PC's clock must not be corrected a second time; not set, the offset goes on applying.
func TestClockResume(t *testing.T) {
	y2000 := time.Date(2000, 1, 1, 9, 0, 0, 0, ledger.China)
	slow := may1.Sub(y2000) // a PC at 2000 synced on May 1
	fast := may1.Sub(y2099)
	tests := []struct {
		name   string
		last   time.Time     // the corrected time of its last stamp
		offset time.Duration // measured then
		wall   time.Time     // the PC's clock now
		want   time.Time     // the corrected time now
		reset  bool
	}{
		{"slow, not set: a day later", may1, slow, y2000.Add(24 * time.Hour), may1.Add(24 * time.Hour), false},
		{"slow, set right", may1, slow, may1.Add(time.Hour), may1.Add(time.Hour), true},
		{"fast, not set: a day later", may1, fast, y2099.Add(24 * time.Hour), may1.Add(24 * time.Hour), false},
		{"fast, set right", may1, fast, may1.Add(time.Hour), may1.Add(time.Hour), true},
		{"slow by a minute: the offset stays", may1, time.Minute, may1.Add(24 * time.Hour), may1.Add(24*time.Hour + time.Minute), false},
		{"slow again after a second power cut", may1, slow, y2000.Add(time.Hour), y2000.Add(time.Hour + slow), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ledger.NewClock(frozen(tt.wall), ledger.MakeStamp(tt.last.UnixMilli(), 0))
			c.Resume(tt.offset)
			if n := c.Now(); n.WallMillis() != tt.want.UnixMilli() {
				t.Errorf("Now = %v, want %v", n.Time(), tt.want)
			}
			if c.Reset() != tt.reset {
				t.Errorf("Reset = %v, want %v", c.Reset(), tt.reset)
			}
			if tt.reset && c.Warning() != "" {
				t.Errorf("a clock set right is warned about: %s", c.Warning())
			}
		})
	}
}

func TestClockDoubtful(t *testing.T) {
	y2000 := time.Date(2000, 1, 1, 9, 0, 0, 0, ledger.China)
	c := ledger.NewClock(frozen(y2000), ledger.ReferenceStamp)
	if !c.Doubtful() || c.Warning() == "" {
		t.Errorf("a never-synced PC at 2000: Doubtful %v, Warning %q", c.Doubtful(), c.Warning())
	}
	if y := c.Today().Year(); y < 2026 {
		t.Errorf("Today of a PC at 2000 = %v", c.Today())
	}
	c.Correct(may1.Sub(y2000))
	if c.Doubtful() {
		t.Error("a synced clock is doubtful")
	}
	if c := ledger.NewClock(frozen(may1), 0); c.Doubtful() || c.Warning() != "" {
		t.Errorf("a right clock: Doubtful %v, Warning %q", c.Doubtful(), c.Warning())
	}
	// A PC that stamped in May and then lost its time before it ever synced.
	if c := ledger.NewClock(frozen(may1.AddDate(0, 0, -3)), ledger.MakeStamp(may1.UnixMilli(), 0)); !c.Doubtful() {
		t.Error("a clock that went back before its own stamps is not doubtful")
	}
}

func TestRoughly(t *testing.T) {
	const day = 24 * time.Hour
	for d, want := range map[time.Duration]string{
		236003*time.Hour + 28*time.Minute: "约 27 年", 9480 * day: "约 26 年", 3 * day: "约 3 天", 5 * time.Hour: "约 5 小时",
		5*time.Minute + 20*time.Second: "约 5 分钟", -3 * day: "约 3 天", 20 * time.Second: "不到 1 分钟",
	} {
		if got := ledger.Roughly(d); got != want {
			t.Errorf("Roughly(%v) = %q, want %q", d, got, want)
		}
	}
	if w := ledger.OffsetWarning(9480 * day); w != "本机时钟比市局慢约 26 年：请校准电脑的日期和时间（已保存的记录不受影响）" {
		t.Errorf("OffsetWarning = %q", w)
	}
	if w := ledger.OffsetWarning(-3 * day); w[:len("本机时钟比市局快")] != "本机时钟比市局快" {
		t.Errorf("OffsetWarning(-3 days) = %q", w)
	}
}
