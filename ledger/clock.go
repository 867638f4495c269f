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
	far    Stamp // the last stamp After handed out beyond MaxAhead
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
	phys := MakeStamp(c.wall().Add(c.offset).UnixMilli(), 0)
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
	return !c.known || s.WallMillis() <= c.wall().Add(c.offset+MaxAhead).UnixMilli()
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
	now := MakeStamp(c.wall().Add(offset).UnixMilli(), 0)
	if c.last.WallMillis() > c.wall().Add(offset+MaxAhead).UnixMilli() {
		c.last = now
	}
}

// Wall reads the PC's wall clock, uncorrected.
func (c *Clock) Wall() time.Time { return c.wall() }

// Offset is the correction last set by Correct.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
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
func (c *Clock) Today() time.Time {
	now := c.wall().Add(c.Offset())
	if t := c.Last().Time(); t.After(now) {
		now = t
	}
	y, m, d := now.In(China).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, China)
}

// China is the time zone every date in the ledger is in (UTC+8, no daylight saving).
var China = time.FixedZone("CST", 8*3600)
