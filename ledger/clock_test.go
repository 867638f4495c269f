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
