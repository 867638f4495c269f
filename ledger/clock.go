package ledger

import (
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Stamp is a hybrid logical clock timestamp: milliseconds since the Unix epoch in the high 48 bits and a
// logical counter in the low 16. Stamps order by plain integer comparison, and every stamp a Clock hands
// out is greater than every stamp it handed out or observed before, whatever the wall clock does.
type Stamp uint64

const logicalBits = 16

// MakeStamp builds a stamp from a wall time in milliseconds and a logical counter.
func MakeStamp(wallMillis int64, logical uint16) Stamp {
	if wallMillis < 0 {
		wallMillis = 0
	}
	return Stamp(uint64(wallMillis)<<logicalBits | uint64(logical))
}

// WallMillis is the physical part of the stamp.
func (s Stamp) WallMillis() int64 { return int64(s >> logicalBits) }

// Logical is the logical counter of the stamp.
func (s Stamp) Logical() uint16 { return uint16(s) }

// Time is the physical part as a time.Time (UTC).
func (s Stamp) Time() time.Time { return time.UnixMilli(s.WallMillis()).UTC() }

// String renders the stamp as 16 hexadecimal digits, which sort like the stamps themselves.
func (s Stamp) String() string { return fmt.Sprintf("%016x", uint64(s)) }

// ParseStamp reads what String wrote.
func ParseStamp(text string) (Stamp, error) {
	if len(text) != 16 {
		return 0, fmt.Errorf("stamp %q: want 16 hex digits", text)
	}
	v, err := strconv.ParseUint(text, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("stamp %q: %w", text, err)
	}
	return Stamp(v), nil
}

// MarshalText makes stamps strings in JSON: 64-bit integers do not survive every JSON reader.
func (s Stamp) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads what MarshalText wrote.
func (s *Stamp) UnmarshalText(b []byte) error {
	v, err := ParseStamp(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Clock is a hybrid logical clock (Kulkarni et al., 2014). Office PCs lose their time after a power cut or
// run hours off; the clock keeps causal order regardless: Now never goes backwards and is always above
// anything Observe has seen. It is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	wall   func() time.Time
	offset time.Duration // added to wall: the city hub's time minus this PC's, once known
	known  bool          // Correct was called: the corrected wall clock can be trusted
	last   Stamp
	far    Stamp     // the last stamp After handed out beyond MaxAhead
	seen   time.Time // the latest corrected time this clock read or stamped: time never goes back from it
	reset  bool      // the offset was dropped because the PC's clock was set right since it was measured
}

// MaxAhead is how far ahead of the (corrected) wall clock a stamp from another replica may be and still
// move this clock. A PC whose clock said 2099 while offline wrote stamps in 2099; observing them would
// drag every replica's clock there for good. Such stamps are still merged (they win or lose by their
// order like any other), they just do not move the clock; a local edit of a record that holds one is
// stamped above it by the store (AfterStamp), so causality holds per record.
const MaxAhead = 5 * time.Minute

// NewClock returns a clock that reads wall time from wall (time.Now if nil) and will never hand out a
// stamp at or below last (the highest stamp the replica has persisted).
func NewClock(wall func() time.Time, last Stamp) *Clock {
	if wall == nil {
		wall = time.Now
	}
	return &Clock{wall: wall, last: last}
}

// Now returns a new stamp, greater than every stamp handed out or observed so far.
func (c *Clock) Now() Stamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	phys := MakeStamp(c.now().UnixMilli(), 0)
	if phys > c.last {
		c.last = phys
	} else if c.last < maxStamp {
		// Wall clock behind (or equal): advance the logical counter; when it overflows the carry moves
		// the physical part one millisecond on, which keeps the order total. At the largest stamp
		// (observed before the hub's time was known) the clock stays there rather than wrap to 0.
		c.last++
	}
	return c.last
}

// Observe merges a stamp received from another replica, so that the next Now is above it.
// Once the hub's time is known (Correct), a stamp more than MaxAhead ahead of the corrected wall clock
// is ignored.
func (c *Clock) Observe(s Stamp) {
	c.mu.Lock()
	if s > c.last && c.plausible(s) {
		c.last = s
	}
	c.mu.Unlock()
}

// plausible reports whether s may move the clock. c.mu must be held.
func (c *Clock) plausible(s Stamp) bool {
	return !c.known || s.WallMillis() <= c.now().Add(MaxAhead).UnixMilli()
}

// now reads the corrected wall clock. c.mu must be held.
//
// An offset measured against the hub holds for the clock it was measured on. A clerk who sets the PC's
// clock right afterwards (the README tells them to) would otherwise have it corrected a second time
// until the next sync: a PC that said 2000 and was set to 2026 would stamp 2052. So an offset beyond
// MaxAhead is dropped when the PC's clock itself now reads at or after the latest time this clock knew
// to be true (a clock running that far slow cannot catch up by itself), or when, corrected, it reads
// before that time (a clock that ran fast was set back). Where the two readings cannot be told apart (a
// PC slow by an hour, switched off for longer than that) the clock drops the offset rather than risk
// stamping ahead of the real time; the next sync measures it again.
func (c *Clock) now() time.Time {
	w := c.wall()
	if c.known && (c.offset > MaxAhead || c.offset < -MaxAhead) && !c.seen.IsZero() {
		raw := !w.Before(c.seen.Add(-MaxAhead)) // the PC's own reading is not behind known time
		if raw && (c.offset > 0 || w.Add(c.offset).Before(c.seen.Add(-MaxAhead))) {
			c.offset, c.reset = 0, true
		}
	}
	t := w.Add(c.offset)
	if c.known && t.After(c.seen) {
		c.seen = t
	}
	return t
}

// After returns a new stamp above both Now and s: what a write on top of a version stamped s needs
// when s was too far ahead to be observed.
func (c *Clock) After(s Stamp) Stamp {
	n := c.Now()
	if n > s {
		return n
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s == maxStamp {
		// Nothing is above the largest stamp (an office pushed it, or a clock beyond the stamp's
		// range). s+1 would be 0, which no replica accepts as a version: the edit would never sync.
		// It ties instead, and the replica ids decide, as for any two writes with one stamp.
		return s
	}
	r := s + 1
	if c.plausible(r) {
		c.last = max(c.last, r)
		return r
	}
	if r <= c.far && c.far < maxStamp {
		r = c.far + 1 // not the clock's to follow, but never handed out twice
	}
	c.far = r
	return r
}

// maxStamp is the largest stamp there is.
const maxStamp = ^Stamp(0)

// Correct sets the offset between the city hub's clock and this PC's wall clock. If this clock ran
// ahead of the corrected time by more than MaxAhead (the PC said 2099 while offline), it comes back to
// the corrected time: the store stamps every edit of a record above the record's own stamps, so no
// record's order depends on the clock never going back.
func (c *Clock) Correct(offset time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = offset
	c.known = true
	c.reset = false
	c.seen = c.wall().Add(offset)
	now := MakeStamp(c.seen.UnixMilli(), 0)
	if c.last.WallMillis() > c.seen.Add(MaxAhead).UnixMilli() {
		c.last = now
	}
}

// Resume applies an offset measured in an earlier run (the store keeps it). Unlike Correct it does not
// take the corrected reading for the truth: if the PC's clock was set right since the offset was
// measured, the offset is dropped (see Reset).
func (c *Clock) Resume(offset time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset, c.known, c.reset = offset, true, false
	c.seen = c.last.Time()
	if c.last < MakeStamp(notBefore.UnixMilli(), 0) {
		c.seen = time.Time{} // no stamp of this replica's own tells the time (reference data only)
	}
	if c.last.WallMillis() > c.now().Add(MaxAhead).UnixMilli() {
		c.last = MakeStamp(c.now().UnixMilli(), 0)
	}
}

// Reset reports whether the offset was dropped because the PC's clock was set right after it was
// measured: the corrected time is the PC's own until the next sync measures it again.
func (c *Clock) Reset() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now()
	return c.reset
}

// Known reports whether the hub's time is known (a sync measured the offset, in this run or before).
func (c *Clock) Known() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.known
}

// notBefore is a time every PC running this code has passed: this version was written in 2026. A PC
// whose clock reads earlier has lost its time (a dead CMOS battery says 2000-01-01).
var notBefore = time.Date(2026, 1, 1, 0, 0, 0, 0, China)

// Doubtful reports a clock that cannot say what day it is: the hub's time was never learned and the
// PC's clock reads a time before this software was written, or before a stamp this replica handed out
// (it went back: a power cut emptied the CMOS). Validation then accepts dates up to a year past Today,
// and the city checks them again against its own clock when they arrive.
func (c *Clock) Doubtful() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.doubtful()
}

func (c *Clock) doubtful() bool {
	if c.known {
		return false
	}
	w := c.wall()
	return w.Before(notBefore) || w.Add(MaxAhead).Before(c.last.Time()) && c.last >= MakeStamp(notBefore.UnixMilli(), 0)
}

// Warning is a sentence for the clerk when the clock is wrong, "" when it looks right: how far it is off
// the city's clock (in words a clerk reads: 约 26 年, 约 3 天, 约 5 分钟), or that it cannot be right,
// and what to do. Records are saved either way.
func (c *Clock) Warning() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now()
	switch {
	case c.doubtful():
		return fmt.Sprintf("本机时间显示为 %s，明显不对（电脑主板电池可能没电了）。记录照常保存；"+
			"连上市局后自动按市局时间校正。请校准电脑的日期和时间。", c.wall().In(China).Format("2006-01-02 15:04"))
	case c.offset > MaxAhead || c.offset < -MaxAhead:
		return OffsetWarning(c.offset)
	}
	return ""
}

// OffsetWarning says, for the clerk, how far this PC's clock is off the city's (offset is the city's
// time minus the PC's) and what to do.
func OffsetWarning(offset time.Duration) string {
	way := "慢"
	if offset < 0 {
		way, offset = "快", -offset
	}
	return fmt.Sprintf("本机时钟比市局%s%s：请校准电脑的日期和时间（已保存的记录不受影响）", way, Roughly(offset))
}

// Roughly says a duration as a clerk reads it: 约 26 年, 约 3 天, 约 5 小时, 约 5 分钟, 不到 1 分钟.
func Roughly(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	const day = 24 * time.Hour
	round := func(unit time.Duration) int64 { return int64((d + unit/2) / unit) }
	switch {
	case d >= 365*day-day/2:
		return fmt.Sprintf("约 %d 年", int64((d+day*365/2)/(day*365)))
	case d >= day:
		return fmt.Sprintf("约 %d 天", round(day))
	case d >= time.Hour:
		return fmt.Sprintf("约 %d 小时", round(time.Hour))
	case d >= time.Minute:
		return fmt.Sprintf("约 %d 分钟", round(time.Minute))
	}
	return "不到 1 分钟"
}

// Wall reads the PC's wall clock, uncorrected.
func (c *Clock) Wall() time.Time { return c.wall() }

// Offset is the correction last set by Correct.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now()
	return c.offset
}

// Last returns the highest stamp handed out or observed, for persisting.
func (c *Clock) Last() Stamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// Today is the calendar date the clock believes it is in China (UTC+8): the later of the wall clock and
// the highest stamp seen, so a PC that woke up in the year 2000 still accepts today's records.
//
// A doubtful clock (Doubtful) reads no earlier than the day this software was written.
func (c *Clock) Today() time.Time {
	c.mu.Lock()
	now := c.now()
	if t := c.last.Time(); t.After(now) {
		now = t
	}
	if c.doubtful() && now.Before(notBefore) {
		now = notBefore
	}
	c.mu.Unlock()
	y, m, d := now.In(China).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, China)
}

// China is the time zone every date in the ledger is in (UTC+8, no daylight saving).
var China = time.FixedZone("CST", 8*3600)
