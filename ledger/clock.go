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
	mu   sync.Mutex
	wall func() time.Time
	last Stamp
}

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
	phys := MakeStamp(c.wall().UnixMilli(), 0)
	if phys > c.last {
		c.last = phys
	} else {
		// Wall clock behind (or equal): advance the logical counter; when it overflows the carry moves
		// the physical part one millisecond on, which keeps the order total.
		c.last++
	}
	return c.last
}

// Observe merges a stamp received from another replica, so that the next Now is above it.
func (c *Clock) Observe(s Stamp) {
	c.mu.Lock()
	if s > c.last {
		c.last = s
	}
	c.mu.Unlock()
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
	now := c.wall()
	if t := c.Last().Time(); t.After(now) {
		now = t
	}
	y, m, d := now.In(China).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, China)
}

// China is the time zone every date in the ledger is in (UTC+8, no daylight saving).
var China = time.FixedZone("CST", 8*3600)
