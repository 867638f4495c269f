package storage

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"techaid/ledger"
	"techaid/query"
)

// The programme's records beyond villages, advisors, trainings and assignments (needs, projects, the
// varieties registry and its introductions, leaders, publicity, parks and their pairings, platforms)
// are held in memory, one sorted list per kind, decoded from Badger on open. A list is an immutable
// snapshot: a write builds the changed kinds' new lists and publishes them after Badger committed and
// before memdb commits (so that a screen woken by memdb's watch reads the new list). go-memdb is not
// used for them: at ~450 bytes per index entry, the indexes of 10k needs would cost more memory than
// the records themselves, while one sorted slice per kind is searched and paged in microseconds.

// listKinds are the kinds held in lists.
var listKinds = []ledger.Kind{ledger.KindNeed, ledger.KindProject, ledger.KindVariety, ledger.KindIntroduction,
	ledger.KindLeader, ledger.KindPublicity, ledger.KindPark, ledger.KindParkPairing, ledger.KindPlatform}

func listed(k ledger.Kind) bool { return slices.Contains(listKinds, k) }

// byName reports whether a kind is listed by name (the registries) rather than newest first.
func byName(k ledger.Kind) bool {
	return k == ledger.KindVariety || k == ledger.KindPark || k == ledger.KindPlatform
}

// row is one live record of a list, with what lists filter and sort on computed once, so that a
// filter reads the row alone and the record is touched only for the rows a page returns (a list of
// 10,000 needs is walked in well under a millisecond; chasing each record's fields is several times
// slower).
type row struct {
	e      ledger.Entity
	id     string
	order  string   // sort key, unique: ends with the id
	places []uint64 // every place it touches (ancestors) and every village it names, as placeKey
	date   ledger.Date
	year   int
	day    int // date as ledger.Date.Days
	// The attributes lists filter on, by kind: state (need, project, platform), group (need, project,
	// variety; a platform's level), sub (a leader's, variety's or platform's kind, a publicity's form,
	// a project's source, an introduction's variety, a pairing's park); flag (an open need, a
	// supported project). Values of a fixed list share the list's string.
	state, group, sub string
	flag              bool
	text              string // the record's texts, for Search
}

func newRow(e ledger.Entity) *row {
	r := &row{}
	fillRow(r, e)
	return r
}

// fillRow computes a row of e in place (buildLists fills rows of one backing array).
func fillRow(r *row, e ledger.Entity) {
	*r = row{e: e, id: e.RecordID()}
	r.date, r.year = ledger.When(e)
	r.day, _ = r.date.Days()
	switch v := e.(type) {
	case ledger.Variety:
		r.order = ledger.NormalName(v.Name) + "\x00" + r.id
		r.sub, r.group = intern(v.Kind, ledger.VarietyKinds), intern(v.Group, ledger.Groups)
		r.text = strings.Join(append(v.Names(), v.Industry, v.Source, v.Description, v.Notes), "\n")
	case ledger.Park:
		r.order = v.Name + "\x00" + r.id
		r.text = strings.Join([]string{v.Name, v.Speciality, v.Notes}, "\n")
	case ledger.Platform:
		r.order = v.Kind + "\x00" + v.Name + "\x00" + r.id
		r.state, r.sub, r.group = intern(v.State, ledger.PlatformStates), intern(v.Kind, ledger.PlatformKinds), intern(v.Level, ledger.PlatformLevels)
		r.text = strings.Join([]string{v.Name, v.Address, v.Operator, v.Notes}, "\n")
	default:
		r.order = fmt.Sprintf("%04d\x00%s\x00%s", r.year, r.date, r.id)
	}
	switch v := e.(type) {
	case ledger.Need:
		r.state, r.group, r.flag = intern(v.State, ledger.NeedStates), intern(v.Group, ledger.Groups), v.Open()
		r.text = strings.Join([]string{v.Problem, v.Industry, v.Reason, v.Notes, string(v.Village)}, "\n")
	case ledger.Project:
		r.state, r.group, r.sub = intern(v.State, ledger.ProjectStates), intern(v.Group, ledger.Groups), intern(v.Source, ledger.ProjectSources)
		r.flag = ledger.ProjectSupported(v.State)
		r.text = strings.Join(append([]string{v.Name, v.Notes}, v.Varieties...), "\n")
	case ledger.Introduction:
		r.sub, r.text = v.Variety, v.Notes
	case ledger.Leader:
		r.sub = intern(v.Kind, ledger.LeaderKinds)
		r.text = strings.Join([]string{v.Name, v.Industry, v.Phone, v.Notes}, "\n")
	case ledger.Publicity:
		r.sub = intern(v.Form, ledger.PublicityForms)
		r.text = strings.Join([]string{v.Title, v.Outlet, v.Link, v.Notes}, "\n")
	case ledger.ParkPairing:
		r.sub = v.Park
		r.text = strings.Join([]string{v.Reason, v.Notes}, "\n")
	}
	codes := placesOf(e)
	r.places = make([]uint64, len(codes))
	for i, c := range codes {
		r.places[i] = placeKey(c)
	}
}

// placeKey is a division code as a number (its digits, its length in the top byte), so that a list's
// walk compares a row's places to the place asked for as integers: a walk of 10,000 needs for a
// township's compared 40,000 strings that share their first six to nine bytes. 0 for a malformed code,
// which no row holds.
func placeKey(c ledger.Code) uint64 {
	if c.Level() == ledger.LevelInvalid {
		return 0
	}
	var n uint64
	for i := range len(c) {
		n = n*10 + uint64(c[i]-'0')
	}
	return uint64(len(c))<<56 | n
}

// touches reports whether the row's record touches the place of key k (placeKey).
func (r *row) touches(k uint64) bool { return k != 0 && slices.Contains(r.places, k) }

// intern returns the list's own string for a value of a fixed list (so that comparing it is comparing
// pointers), or the value itself.
func intern(v string, list []string) string {
	if i := slices.Index(list, v); i >= 0 {
		return list[i]
	}
	return v
}

// placesOf lists the codes a record can be found under: each village it names with its township,
// county and city, and for publicity its office, for a park its county, for a platform its location,
// with theirs.
func placesOf(e ledger.Entity) []ledger.Code {
	var out []ledger.Code
	add := func(c ledger.Code) {
		for _, a := range ancestors(c) {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	switch r := e.(type) {
	case ledger.Publicity:
		add(r.Org)
	case ledger.Park:
		add(r.County)
	case ledger.Platform:
		add(r.Location)
	}
	for _, v := range ledger.VillagesOf(e) {
		add(v)
	}
	return out
}

// ancestors is a code and every division above it, narrowest first; nothing for a malformed code.
func ancestors(c ledger.Code) []ledger.Code {
	var out []ledger.Code
	for _, n := range []int{12, 9, 6, 4} {
		if c.Level() != ledger.LevelInvalid && len(c) >= n {
			out = append(out, c[:n])
		}
	}
	return out
}

// before reports whether row a comes before row b in its kind's list.
func before(k ledger.Kind, a, b *row) bool {
	if byName(k) {
		return a.order < b.order
	}
	return a.order > b.order
}

// catalog is the published state of every list: immutable once published.
type catalog struct {
	rows map[ledger.Kind][]*row
	// names maps each registered variety's name and aliases, in NormalName form, to its id.
	names map[string]string
}

func (s *Store) lists() *catalog { return s.cat.Load() }

// listChange is what a write did to one record of a list kind: its live view before and after (nil:
// absent or deleted). A batch keeps the first before and the last after of each record.
type listChange struct{ before, after ledger.Entity }

// listed records a change of a list kind for publish.
func (b *batch) listChange(before, after ledger.Entity) {
	e := after
	if e == nil {
		e = before
	}
	if e == nil || !listed(e.RecordKind()) || b.id.Lean {
		return
	}
	k := e.RecordKind()
	if b.lists == nil {
		b.lists = map[ledger.Kind]map[string]*listChange{}
	}
	if b.lists[k] == nil {
		b.lists[k] = map[string]*listChange{}
	}
	if ch, ok := b.lists[k][e.RecordID()]; ok {
		ch.after = after
		return
	}
	b.lists[k][e.RecordID()] = &listChange{before: before, after: after}
}

// publishLists makes the batch's list changes visible. s.mu is held.
func (b *batch) publishLists() {
	if len(b.lists) == 0 {
		return
	}
	old := b.s.lists()
	next := &catalog{rows: make(map[ledger.Kind][]*row, len(old.rows)), names: old.names}
	for k, rows := range old.rows {
		next.rows[k] = rows
	}
	for k, changes := range b.lists {
		next.rows[k] = applyChanges(k, old.rows[k], changes)
		if k == ledger.KindVariety {
			next.names = varietyNames(next.rows[k])
		}
	}
	b.s.cat.Store(next)
	b.lists = nil
}

// applyChanges returns a new list: rows without the records changed, with their new rows in place.
func applyChanges(k ledger.Kind, rows []*row, changes map[string]*listChange) []*row {
	var adds []*row
	for _, ch := range changes {
		if ch.after != nil {
			adds = append(adds, newRow(ch.after))
		}
	}
	sort.Slice(adds, func(i, j int) bool { return before(k, adds[i], adds[j]) })
	find := func(rs []*row, r *row) int {
		return sort.Search(len(rs), func(i int) bool { return !before(k, rs[i], r) })
	}
	out := slices.Clone(rows)
	if len(changes) <= 16 {
		// Few changes (a clerk's save, a live batch): find each old row by its sort key.
		removed := 0
		for _, ch := range changes {
			if ch.before == nil {
				continue
			}
			old := newRow(ch.before)
			if i := find(out, old); i < len(out) && out[i].id == old.id {
				out = slices.Delete(out, i, i+1)
				removed++
			}
		}
		if removed == countBefore(changes) {
			for _, r := range adds {
				i := find(out, r)
				out = slices.Insert(out, i, r)
			}
			return out
		}
		out = slices.Clone(rows) // a row was not where its key says: rebuild below
	}
	out = slices.DeleteFunc(out, func(r *row) bool { _, changed := changes[r.id]; return changed })
	merged := make([]*row, 0, len(out)+len(adds))
	i, j := 0, 0
	for i < len(out) || j < len(adds) {
		if j == len(adds) || i < len(out) && before(k, out[i], adds[j]) {
			merged = append(merged, out[i])
			i++
		} else {
			merged = append(merged, adds[j])
			j++
		}
	}
	return merged
}

func countBefore(changes map[string]*listChange) int {
	n := 0
	for _, ch := range changes {
		if ch.before != nil {
			n++
		}
	}
	return n
}

// varietyNames maps the normal form of every registered name and alias to its variety. Two varieties
// sharing a name (validation keeps them apart; two city clerks writing at once could still make one)
// keep the first in list order.
func varietyNames(rows []*row) map[string]string {
	out := make(map[string]string, len(rows)*2)
	for _, r := range rows {
		for _, n := range r.e.(ledger.Variety).Names() {
			if nn := ledger.NormalName(n); nn != "" {
				if _, taken := out[nn]; !taken {
					out[nn] = r.id
				}
			}
		}
	}
	return out
}

// buildLists decodes every live record of the list kinds from Badger on open (records, as read by
// scanRecords).
func buildLists(scan func(k ledger.Kind, fn func(ledger.Record) error) error) (*catalog, error) {
	cat := &catalog{rows: map[ledger.Kind][]*row{}, names: map[string]string{}}
	for _, k := range listKinds {
		var backing []row
		err := scan(k, func(rec ledger.Record) error {
			if rec.Deleted() {
				return nil
			}
			if e := typedOf(rec); e != nil {
				backing = append(backing, row{})
				fillRow(&backing[len(backing)-1], e)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		// Sorted in place, so that the rows lie in memory in list order: a walk of the list reads
		// memory in order.
		sort.Slice(backing, func(i, j int) bool { return before(k, &backing[i], &backing[j]) })
		rows := make([]*row, len(backing))
		for i := range backing {
			rows[i] = &backing[i]
		}
		cat.rows[k] = rows
	}
	cat.names = varietyNames(cat.rows[ledger.KindVariety])
	return cat, nil
}

// matches applies the filters every list shares, the cheap ones first: under is placeKey(q.Under), and
// q.Search is trimmed, once for the whole walk.
func (r *row) matches(q query.List, under uint64) bool {
	if q.Year != 0 && r.year != q.Year {
		return false
	}
	if q.From != "" && r.date < q.From || q.To != "" && (r.date == "" || r.date > q.To) {
		return false
	}
	if q.Under != "" && !r.touches(under) {
		return false
	}
	if q.Search != "" && !r.searched(q.Search) {
		return false
	}
	if q.Advisor != "" && !slices.Contains(ledger.References(r.e), ledger.Ref{Kind: ledger.KindAdvisor, ID: q.Advisor}) {
		return false
	}
	return true
}

// searched reports whether s is part of one of the record's texts; a variety is also found by a part
// of a name as NormalName folds it.
func (r *row) searched(s string) bool {
	if s == "" || strings.Contains(r.text, s) {
		return true
	}
	if v, ok := r.e.(ledger.Variety); ok {
		n := ledger.NormalName(s)
		return n != "" && slices.ContainsFunc(v.Names(), func(x string) bool { return strings.Contains(ledger.NormalName(x), n) })
	}
	return false
}

// page runs a list query: the rows of kind k that keep (nil: all) and q match, in list order, one
// page of them and how many match in all. If ws is not nil it is given the channel of the kind's writes.
func page[T ledger.Entity](s *Store, k ledger.Kind, q query.List, ws query.WatchSet, keep func(*row) bool) ([]T, int) {
	watchGen(s.mem.Txn(false), ws, string(k))
	var out []T
	total := 0
	under := placeKey(q.Under)
	q.Search = strings.TrimSpace(q.Search)
	for _, r := range s.lists().rows[k] {
		if keep != nil && !keep(r) || !r.matches(q, under) {
			continue
		}
		total++
		if total > q.Offset && (q.Limit == 0 || len(out) < q.Limit) {
			out = append(out, r.e.(T))
		}
	}
	return out, total
}

// Needs lists the needs matching q, newest first, and how many match in all.
func (s *Store) Needs(q query.Needs, ws query.WatchSet) ([]ledger.Need, int) {
	on := q.On
	if on == "" {
		on = ledger.DateOf(s.clock.Today())
	}
	today, _ := on.Days()
	return page[ledger.Need](s, ledger.KindNeed, q.List, ws, func(r *row) bool {
		if q.Group != "" && r.group != q.Group || q.State != "" && r.state != q.State || q.Open && !r.flag {
			return false
		}
		if q.Older > 0 && (!r.flag || today-r.day <= q.Older) {
			return false
		}
		if q.Training != "" {
			n := r.e.(ledger.Need)
			return n.Survey == q.Training || slices.Contains(n.Trainings, q.Training)
		}
		return true
	})
}

// daysBetween counts the days from a to b (negative if b is earlier; 0 if either is malformed).
func daysBetween(a, b ledger.Date) int {
	da, ok1 := a.Days()
	db, ok2 := b.Days()
	if !ok1 || !ok2 {
		return 0
	}
	return db - da
}

// Projects lists the projects matching q, newest year first, and how many match in all.
func (s *Store) Projects(q query.Projects, ws query.WatchSet) ([]ledger.Project, int) {
	return page[ledger.Project](s, ledger.KindProject, q.List, ws, func(r *row) bool {
		return (q.Group == "" || r.group == q.Group) && (q.State == "" || r.state == q.State) &&
			(q.Source == "" || r.sub == q.Source) && (!q.Supported || r.flag)
	})
}

// Varieties lists the registry of varieties and techniques matching q, by name.
func (s *Store) Varieties(q query.Varieties, ws query.WatchSet) []ledger.Variety {
	out, _ := page[ledger.Variety](s, ledger.KindVariety, query.List{Search: q.Search}, ws, func(r *row) bool {
		return (q.Kind == "" || r.sub == q.Kind) && (q.Group == "" || r.group == q.Group)
	})
	return out
}

// Introductions lists the introductions matching q, newest year first, and how many match in all.
func (s *Store) Introductions(q query.Introductions, ws query.WatchSet) ([]ledger.Introduction, int) {
	return page[ledger.Introduction](s, ledger.KindIntroduction, q.List, ws, func(r *row) bool {
		return q.Variety == "" || r.sub == q.Variety
	})
}

// Leaders lists the technology leaders and model households matching q, newest first.
func (s *Store) Leaders(q query.Leaders, ws query.WatchSet) ([]ledger.Leader, int) {
	return page[ledger.Leader](s, ledger.KindLeader, q.List, ws, func(r *row) bool { return q.Kind == "" || r.sub == q.Kind })
}

// PublicityList lists the publicity reports matching q, newest first.
func (s *Store) PublicityList(q query.Publicity, ws query.WatchSet) ([]ledger.Publicity, int) {
	return page[ledger.Publicity](s, ledger.KindPublicity, q.List, ws, func(r *row) bool { return q.Form == "" || r.sub == q.Form })
}

// Parks lists the science parks by name; with under, those lying in it (a township: its county's).
func (s *Store) Parks(under ledger.Code, ws query.WatchSet) []ledger.Park {
	out, _ := page[ledger.Park](s, ledger.KindPark, query.List{}, ws, func(r *row) bool { return parkIn(r.e.(ledger.Park), under) })
	return out
}

// parkIn reports whether a park lies in a place, or in the county of a township or village.
func parkIn(p ledger.Park, under ledger.Code) bool {
	if under == "" {
		return true
	}
	if under.Level() == ledger.LevelTownship || under.Level() == ledger.LevelVillage {
		under = under.County()
	}
	return under.Contains(p.County)
}

// ParkPairings lists the parks' pairings matching q, newest first.
func (s *Store) ParkPairings(q query.ParkPairings, ws query.WatchSet) []ledger.ParkPairing {
	out, _ := page[ledger.ParkPairing](s, ledger.KindParkPairing, query.List{Under: q.Under}, ws, func(r *row) bool {
		p := r.e.(ledger.ParkPairing)
		return (q.Park == "" || r.sub == q.Park) && (q.On == "" || p.ActiveOn(q.On)) && (q.Year == 0 || p.ActiveIn(q.Year))
	})
	return out
}

// Platforms lists the 星创天地 and 农科驿站 matching q, by kind and name.
func (s *Store) Platforms(q query.Platforms, ws query.WatchSet) ([]ledger.Platform, int) {
	return page[ledger.Platform](s, ledger.KindPlatform, q.List, ws, func(r *row) bool {
		return (q.Kind == "" || r.sub == q.Kind) && (q.Level == "" || r.group == q.Level) && (q.State == "" || r.state == q.State)
	})
}
