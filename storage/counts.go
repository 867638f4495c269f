package storage

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/dgraph-io/badger/v4"

	"techaid/ledger"
)

// Counts are the programme's yearly figures per city, county and township: the needs raised and closed,
// projects by state, introductions, leaders, publicity, and the varieties named (sets of variety ids
// and names, each member with the number of records naming it, so that a variety counts once however
// many trainings name it). They are kept in step with the records in the transaction that writes
// them, like the trainings' tallies, so that the dashboard reads a few dozen numbers instead of
// counting records. On disk each is a key (keys.go, prefix k); in memory a map guarded by countMu.
//
// A record counts once in every place it touches: the city, county and township of each village it
// names (a training: of its primary village, as its tally does; publicity: its office and the places
// above it). So a project in two townships counts in both, and once in their county.

// countKey names one figure: a metric of a year in a place.
type countKey struct {
	year   int
	metric string
	code   ledger.Code
}

// The metrics. A metric ending in ':' is followed by a state, kind, form or group.
const (
	mNeeds           = "need"               // needs raised in the year
	mNeedState       = "need:"              // needs raised in the year, by their state now
	mNeedGroup       = "need_group:"        // needs raised in the year, by group
	mNeedClosed      = "need_closed:"       // needs closed in the year, by state (已解决, 无法解决)
	mNeedClosedGroup = "need_closed_group:" // needs closed in the year, by group
	mProject         = "project:"           // projects of the year, by state
	mProjectAmount   = "project_amount"     // yuan, of the year's supported projects
	mProjectHouses   = "project_households"
	mProjectJobs     = "project_jobs"
	mIntros          = "intro"            // introductions of the year
	mIntroArea       = "intro_area"       // hundredths of a mu
	mIntroHouses     = "intro_households" //
	mLeader          = "leader:"          // leaders recognised in the year, by kind
	mPublicity       = "publicity:"       // publicity of the year, by form
	// The needs open now, whenever raised, by group: a set whose members are the days they were raised
	// (reference count: needs raised that day), so that their ages are read without walking the needs.
	// It is kept under the year openNow, which is no year.
	mNeedOpen = "need_open:"
	// Sets: members are variety ids (introductions) and variety names in NormalName form (trainings,
	// supported projects).
	setVarietyIDs   = "variety_ids"
	setVarietyNames = "variety_names"
)

// openNow is the year the figures of what is open now are kept under.
const openNow = 1

// counts is the in-memory copy of every count.
type counts struct {
	n       map[countKey]int
	members map[countKey]map[string]int
}

func newCounts() *counts {
	return &counts{n: map[countKey]int{}, members: map[countKey]map[string]int{}}
}

func countKeyBytes(k countKey, member string) []byte {
	b := binary.BigEndian.AppendUint16([]byte{prefixCount}, uint16(k.year))
	b = append(append(append(b, k.metric...), 0), k.code...)
	if member != "" {
		b = append(append(b, 0), member...)
	}
	return b
}

// parseCountKey reads a key written by countKeyBytes.
func parseCountKey(key []byte) (countKey, string, bool) {
	if len(key) < 4 || key[0] != prefixCount {
		return countKey{}, "", false
	}
	k := countKey{year: int(binary.BigEndian.Uint16(key[1:3]))}
	rest := key[3:]
	i := slices.Index(rest, 0)
	if i < 0 {
		return countKey{}, "", false
	}
	k.metric = string(rest[:i])
	rest = rest[i+1:]
	member := ""
	if j := slices.Index(rest, 0); j >= 0 {
		member = string(rest[j+1:])
		rest = rest[:j]
	}
	k.code = ledger.Code(rest)
	return k, member, true
}

// loadCounts reads every count from Badger (on open).
func loadCounts(txn *badger.Txn) (*counts, error) {
	c := newCounts()
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixCount}, PrefetchValues: true, PrefetchSize: 256})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		k, member, ok := parseCountKey(it.Item().Key())
		if !ok {
			return nil, fmt.Errorf("read count %q: %w", it.Item().Key(), errCorrupt)
		}
		var n int64
		err := it.Item().Value(func(v []byte) error {
			var w int
			n, w = binary.Varint(v)
			if w <= 0 {
				return errCorrupt
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read count %q: %w", it.Item().Key(), err)
		}
		if member == "" {
			c.n[k] = int(n)
			continue
		}
		if c.members[k] == nil {
			c.members[k] = map[string]int{}
		}
		c.members[k][member] = int(n)
	}
	return c, nil
}

// pending is a batch's counts: the new value of each count it changed (kept for the whole batch, which
// in an import spans several transactions), and which of them the current transaction must write.
type pending struct {
	n        map[countKey]int
	members  map[countKey]map[string]int
	dirty    map[countKey]bool
	dirtyMem map[countKey]map[string]bool
}

// count adds n to a figure.
func (b *batch) addCount(k countKey, n int) {
	p := b.pend()
	v, ok := p.n[k]
	if !ok {
		v = b.s.countOf(k)
	}
	p.n[k] = v + n
	p.dirty[k] = true
}

// countMember adds n to the reference count of a member of a set figure.
func (b *batch) countMember(k countKey, member string, n int) {
	p := b.pend()
	if p.members[k] == nil {
		p.members[k] = map[string]int{}
	}
	if p.dirtyMem[k] == nil {
		p.dirtyMem[k] = map[string]bool{}
	}
	v, ok := p.members[k][member]
	if !ok {
		v = b.s.memberOf(k, member)
	}
	p.members[k][member] = v + n
	p.dirtyMem[k][member] = true
}

func (b *batch) pend() *pending {
	if b.counts == nil {
		b.counts = &pending{n: map[countKey]int{}, members: map[countKey]map[string]int{},
			dirty: map[countKey]bool{}, dirtyMem: map[countKey]map[string]bool{}}
	}
	return b.counts
}

// flushCounts writes the counts the current transaction changed (a zero is deleted).
func (b *batch) flushCounts() error {
	p := b.counts
	if p == nil {
		return nil
	}
	put := func(key []byte, v int) error {
		if v == 0 {
			return b.del(key)
		}
		return b.set(key, binary.AppendVarint(nil, int64(v)))
	}
	for k := range p.dirty {
		if err := put(countKeyBytes(k, ""), p.n[k]); err != nil {
			return err
		}
	}
	for k, ms := range p.dirtyMem {
		for m := range ms {
			if err := put(countKeyBytes(k, m), p.members[k][m]); err != nil {
				return err
			}
		}
	}
	clear(p.dirty)
	clear(p.dirtyMem)
	return nil
}

// publishCounts makes the batch's counts visible. s.mu is held.
func (b *batch) publishCounts() {
	p := b.counts
	if p == nil {
		return
	}
	s := b.s
	s.countMu.Lock()
	defer s.countMu.Unlock()
	for k, v := range p.n {
		if v == 0 {
			delete(s.figures.n, k)
		} else {
			s.figures.n[k] = v
		}
	}
	for k, ms := range p.members {
		cur := s.figures.members[k]
		if cur == nil {
			cur = map[string]int{}
			s.figures.members[k] = cur
		}
		for m, v := range ms {
			if v == 0 {
				delete(cur, m)
			} else {
				cur[m] = v
			}
		}
		if len(cur) == 0 {
			delete(s.figures.members, k)
		}
	}
	b.counts = nil
}

func (s *Store) countOf(k countKey) int {
	s.countMu.RLock()
	defer s.countMu.RUnlock()
	return s.figures.n[k]
}

func (s *Store) memberOf(k countKey, member string) int {
	s.countMu.RLock()
	defer s.countMu.RUnlock()
	return s.figures.members[k][member]
}

// counted is one contribution of a record to the counts: n added to a metric of a year (or, with a
// member, to that member's reference count) in each of the record's places.
type counted struct {
	year   int
	metric string
	member string
	n      int
}

// contributions lists what a live record adds to the counts, and the places it adds it in.
func contributions(e ledger.Entity) ([]ledger.Code, []counted) {
	var out []counted
	add := func(year int, metric string, n int) {
		if year > 0 && n != 0 {
			out = append(out, counted{year: year, metric: metric, n: n})
		}
	}
	names := func(year int, texts []string) {
		for _, t := range texts {
			n := ledger.NormalName(t)
			if n != "" && year > 0 && !slices.ContainsFunc(out, func(c counted) bool { return c.member == n && c.metric == setVarietyNames }) {
				out = append(out, counted{year: year, metric: setVarietyNames, member: n, n: 1})
			}
		}
	}
	var villages []ledger.Code
	switch r := e.(type) {
	case ledger.Training:
		if len(r.Varieties) == 0 {
			return nil, nil // a training counts here only for the varieties it names
		}
		villages = []ledger.Code{r.Village()}
		names(r.Date.Year(), r.Varieties)
	case ledger.Need:
		villages = []ledger.Code{r.Village}
		y := r.Raised.Year()
		add(y, mNeeds, 1)
		add(y, mNeedState+r.State, 1)
		add(y, mNeedGroup+r.Group, 1)
		if !r.Open() {
			add(r.Closed.Year(), mNeedClosed+r.State, 1)
			add(r.Closed.Year(), mNeedClosedGroup+r.Group, 1)
		} else if r.Raised.Valid() {
			out = append(out, counted{year: openNow, metric: mNeedOpen + r.Group, member: string(r.Raised), n: 1})
		}
	case ledger.Project:
		villages = r.Villages
		add(r.Year, mProject+r.State, 1)
		if ledger.ProjectSupported(r.State) {
			add(r.Year, mProjectAmount, int(math.Round(r.Amount*10000)))
			add(r.Year, mProjectHouses, r.Households)
			add(r.Year, mProjectJobs, r.Jobs)
			names(r.Year, r.Varieties)
		}
	case ledger.Introduction:
		villages = r.Villages
		add(r.Year, mIntros, 1)
		add(r.Year, mIntroArea, int(math.Round(r.Area*100)))
		add(r.Year, mIntroHouses, r.Households)
		if r.Year > 0 && r.Variety != "" {
			out = append(out, counted{year: r.Year, metric: setVarietyIDs, member: r.Variety, n: 1})
		}
	case ledger.Leader:
		villages = []ledger.Code{r.Village}
		add(r.Since.Year(), mLeader+r.Kind, 1)
	case ledger.Publicity:
		add(r.Date.Year(), mPublicity+r.Form, 1)
		return countPlaces(ancestors(r.Org)), out
	default:
		return nil, nil
	}
	var places []ledger.Code
	for _, v := range villages {
		places = append(places, ancestors(v)...)
	}
	return countPlaces(places), out
}

// countPlaces keeps the cities, counties and townships of a list of codes, once each.
func countPlaces(codes []ledger.Code) []ledger.Code {
	var out []ledger.Code
	for _, c := range codes {
		if l := c.Level(); l != ledger.LevelVillage && l != ledger.LevelInvalid && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// recount moves a record's contributions from before to after (live views; nil: none).
func (b *batch) recount(before, after ledger.Entity) {
	if b.id.Lean {
		return // a hub's store counts nothing (Options.Lean)
	}
	apply := func(e ledger.Entity, sign int) {
		if e == nil {
			return
		}
		places, cs := contributions(e)
		for _, c := range cs {
			for _, p := range places {
				k := countKey{year: c.year, metric: c.metric, code: p}
				if c.member != "" {
					b.countMember(k, c.member, sign*c.n)
				} else {
					b.addCount(k, sign*c.n)
				}
			}
		}
	}
	apply(before, -1)
	apply(after, +1)
}

// figure reads a count (readers; countMu taken).
func (s *Store) figure(year int, metric string, code ledger.Code) int {
	return s.countOf(countKey{year: year, metric: metric, code: code})
}

// eachMember calls fn with each member of a set figure whose count is not zero, holding countMu.
func (s *Store) eachMember(year int, metric string, code ledger.Code, fn func(member string, n int)) {
	s.countMu.RLock()
	defer s.countMu.RUnlock()
	for m, n := range s.figures.members[countKey{year: year, metric: metric, code: code}] {
		if n > 0 {
			fn(m, n)
		}
	}
}

// memberCounts copies a set figure's members with their counts.
func (s *Store) memberCounts(year int, metric string, code ledger.Code) map[string]int {
	s.countMu.RLock()
	defer s.countMu.RUnlock()
	out := map[string]int{}
	for m, n := range s.figures.members[countKey{year: year, metric: metric, code: code}] {
		if n > 0 {
			out[m] = n
		}
	}
	return out
}
