package ledger

import (
	"maps"
	"slices"
	"strings"
)

// Kind names a record kind. It is part of every storage key and wire message: never rename one.
type Kind string

const (
	KindVillage    Kind = "village"
	KindAdvisor    Kind = "advisor"
	KindTraining   Kind = "training"
	KindAssignment Kind = "assignment"
	KindTarget     Kind = "target"
)

// Kinds lists every record kind, in the order screens and reports show them.
var Kinds = []Kind{KindVillage, KindAdvisor, KindTraining, KindAssignment, KindTarget,
	KindNeed, KindProject, KindVariety, KindIntroduction, KindLeader, KindPublicity, KindPark, KindParkPairing, KindPlatform}

// Roster reports whether records of the kind form a shared roster that only the city scope writes and
// every office receives: the advisors and their pairings, the targets, the varieties registry, the
// science parks and their pairings, the platforms.
func (k Kind) Roster() bool {
	switch k {
	case KindAdvisor, KindAssignment, KindTarget, KindVariety, KindPark, KindParkPairing, KindPlatform:
		return true
	}
	return false
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// VersionID identifies one write of one field: the HLC stamp and the replica that made it.
// Versions order by stamp, then replica id, so two replicas always agree which write is later.
type VersionID struct {
	Stamp   Stamp  `json:"stamp"`
	Replica string `json:"replica"`
}

// IsZero reports whether v identifies no write.
func (v VersionID) IsZero() bool { return v.Stamp == 0 && v.Replica == "" }

// ReferenceStamp stamps values copied from reference data rather than entered by anyone: the villages a
// new office starts with, from the NBS division list every replica embeds. It is the programme's first
// first moment (2015-01-01 00:00 in China), below every real edit (a clock would have to read exactly
// that millisecond to stamp it).
var ReferenceStamp = MakeStamp(FirstDate.Time().UnixMilli(), 0)

// Reference reports whether v is a reference version. Merging treats one like a field never written:
// any real version replaces it without a conflict, and it never replaces one. So an office that starts
// offline with the list's names neither overrides a name the city corrected nor shows the clerk a
// conflict about it.
func (v VersionID) Reference() bool { return v.Stamp == ReferenceStamp }

// Compare orders version ids: -1 if v is earlier than w, +1 if later, 0 if the same.
func (v VersionID) Compare(w VersionID) int {
	switch {
	case v.Stamp < w.Stamp:
		return -1
	case v.Stamp > w.Stamp:
		return 1
	}
	return strings.Compare(v.Replica, w.Replica)
}

// Version says who wrote a field value, where and when (guarantee 8: every change carries the clerk's
// name and the office).
type Version struct {
	VersionID
	Author string `json:"author"` // the clerk's name
	Office Code   `json:"office"` // the scope of the replica that wrote it
}

// Field is one field of a record: its value in canonical text form, the version that wrote it, and
// what its writer had seen of the field when it wrote it: its causal context, a version vector of the
// other replicas' writes of the field (for each, the latest it held or had received). Prev is the
// greatest entry (in the usual case the version the write was made on top of, and all that offices
// before the context existed send); Context holds the others, one per replica, in replica order. The
// writer's own earlier writes are implied by its version: a replica's writes of a field are sequential.
// The context tells a concurrent edit (a conflict) from a later one, at any number of removes.
type Field struct {
	Value string `json:"value"`
	Version
	Prev    VersionID   `json:"prev"`
	Context []VersionID `json:"context,omitempty"`
}

// Covers reports whether the field's write follows v: v is the write itself, an earlier write of its
// replica, or in its context. A replica's writes of a field are sequential and the context keeps each
// replica's latest, so an entry covers every earlier write of its replica.
func (f Field) Covers(v VersionID) bool {
	if v.IsZero() || covers(f.VersionID, v) || covers(f.Prev, v) {
		return true
	}
	for _, c := range f.Context {
		if covers(c, v) {
			return true
		}
	}
	return false
}

// covers: entry e of a version vector covers v (same replica, stamp at least v's).
func covers(e, v VersionID) bool { return e.Replica == v.Replica && e.Stamp >= v.Stamp && !e.IsZero() }

// vector is a version vector: per replica, the latest version (zero and reference versions are left
// out: they stand for no one's write).
type vector []VersionID

func (vv vector) add(v VersionID) vector {
	if v.IsZero() || v.Reference() {
		return vv
	}
	for i, e := range vv {
		if e.Replica == v.Replica {
			if v.Stamp > e.Stamp {
				vv[i] = v
			}
			return vv
		}
	}
	return append(vv, v)
}

// each calls fn with the field's version and every entry of its context.
func (f Field) each(fn func(VersionID)) {
	fn(f.VersionID)
	fn(f.Prev)
	for _, c := range f.Context {
		fn(c)
	}
}

// OnTop is the context of a local write by replica over held, which the replica held having seen seen
// besides (Record.Seen): everything it knew of the field but its own writes, which the new version
// implies. prev is the greatest entry, context the others in replica order.
func OnTop(held Field, seen []VersionID, replica string) (prev VersionID, context []VersionID) {
	var vv vector
	if held.Reference() && held.Replica != replica {
		vv = vector{held.VersionID} // as before the context existed: a copy of the list is built on too
	}
	add := func(v VersionID) {
		if v.Replica != replica {
			vv = vv.add(v)
		}
	}
	held.each(add)
	for _, v := range seen {
		add(v)
	}
	if len(vv) == 0 {
		return VersionID{}, nil
	}
	top := slices.MaxFunc(vv, VersionID.Compare)
	if len(vv) == 1 {
		return top, nil
	}
	rest := slices.DeleteFunc(vv, func(v VersionID) bool { return v == top })
	slices.SortFunc(rest, func(a, b VersionID) int { return strings.Compare(a.Replica, b.Replica) })
	return top, rest
}

// Remember is what a replica that keeps winner has seen of the field beyond winner's context: what it
// had seen before (seen) and the versions and contexts of fs (the version it held, the one that
// arrived), less what winner covers; one entry per replica, in replica order. nil when winner covers it
// all, the usual case, without allocating.
func Remember(seen []VersionID, winner Field, fs ...Field) []VersionID {
	var vv vector
	for _, v := range seen {
		vv = winner.remember(vv, v)
	}
	for i := range fs {
		f := &fs[i]
		if f.VersionID.IsZero() {
			continue
		}
		vv = winner.remember(winner.remember(vv, f.VersionID), f.Prev)
		for _, c := range f.Context {
			vv = winner.remember(vv, c)
		}
	}
	if len(vv) > 1 {
		slices.SortFunc(vv, func(a, b VersionID) int { return strings.Compare(a.Replica, b.Replica) })
	}
	return vv
}

// remember adds v to vv unless f covers it.
func (f *Field) remember(vv vector, v VersionID) vector {
	if v.IsZero() || v.Reference() || f.Covers(v) {
		return vv
	}
	return vv.add(v)
}

// Same reports whether two fields are the same version with the same value and context.
func (f Field) Same(g Field) bool {
	return f.Value == g.Value && f.Version == g.Version && f.Prev == g.Prev && slices.Equal(f.Context, g.Context)
}

// compareField is the total order that decides which of two versions of a field wins. Equal version
// ids from different contents cannot come from correct replicas, but the tie-breaks keep the merge a
// deterministic function of its inputs even then.
func compareField(a, b Field) int {
	// A value from the division list loses to any edit, even one stamped by a PC whose clock said 2000.
	if ar, br := a.Reference(), b.Reference(); ar != br {
		if ar {
			return -1
		}
		return 1
	}
	if c := a.VersionID.Compare(b.VersionID); c != 0 {
		return c
	}
	if c := strings.Compare(a.Value, b.Value); c != 0 {
		return c
	}
	if c := strings.Compare(a.Author, b.Author); c != 0 {
		return c
	}
	if c := strings.Compare(string(a.Office), string(b.Office)); c != 0 {
		return c
	}
	if c := a.Prev.Compare(b.Prev); c != 0 {
		return c
	}
	return slices.CompareFunc(a.Context, b.Context, VersionID.Compare)
}

// FieldDeleted is the tombstone field every kind carries: "true" when the record is deleted. A deletion
// is a write like any other, with its own stamp, so it merges like any other field and can be undone.
const FieldDeleted = "deleted"

// Record is the replicated form of every kind: per-field values with their versions. The typed views
// (Village, Advisor, Training, Assignment) are read from and written to it.
type Record struct {
	Kind   Kind             `json:"kind"`
	ID     string           `json:"id"`
	Fields map[string]Field `json:"fields"`
	// Seen is this replica's own knowledge, never sent, by field: versions it received that the held
	// version's context lacks (one it kept the held version over, or the context of one it replaced),
	// one per replica (Remember). A local edit takes them into its context (OnTop): the clerk wrote
	// knowing them. Usually nil.
	Seen map[string][]VersionID `json:"-"`
}

// MaxStamp is the highest stamp of any of the record's field versions (0 if it has none).
func (r Record) MaxStamp() Stamp {
	var m Stamp
	for _, f := range r.Fields {
		m = max(m, f.Stamp)
	}
	return m
}

// Deleted reports whether the record's tombstone is set.
func (r Record) Deleted() bool { return r.Fields[FieldDeleted].Value == "true" }

// Values returns the plain field values.
func (r Record) Values() map[string]string {
	out := make(map[string]string, len(r.Fields))
	for name, f := range r.Fields {
		out[name] = f.Value
	}
	return out
}

// Latest returns the most recent field version of the record (its last write).
func (r Record) Latest() Field {
	var latest Field
	for _, f := range r.Fields {
		if compareField(f, latest) > 0 {
			latest = f
		}
	}
	return latest
}

// Clone returns a copy that shares nothing mutable with r.
func (r Record) Clone() Record {
	r.Fields = maps.Clone(r.Fields)
	if r.Fields == nil {
		r.Fields = map[string]Field{}
	}
	r.Seen = maps.Clone(r.Seen)
	return r
}

// Merge combines two versions of the same record field by field: for each field the later version wins
// (stamp, then replica id). It is commutative, associative and idempotent, so replicas that have seen the
// same writes in any order and any number of times hold the same record. a's kind and id are kept.
func Merge(a, b Record) Record {
	out := a.Clone()
	if out.Kind == "" {
		out.Kind = b.Kind
	}
	if out.ID == "" {
		out.ID = b.ID
	}
	for name, fb := range b.Fields {
		if fa, ok := out.Fields[name]; !ok || compareField(fb, fa) > 0 {
			out.Fields[name] = fb
		}
	}
	return out
}

// Overwrite is the outcome of merging one incoming field version into a held one.
type Overwrite int

const (
	KeepHeld Overwrite = iota // the held version is later or the same; nothing changes
	TakeNew                   // the incoming version was written on top of the held one: a plain edit
	Conflict                  // both were written without seeing each other: the later wins, the other is logged
)

// Resolve decides what merging incoming into held does, and whether the two were concurrent writes of
// different values (a conflict a clerk should see). held may be the zero Field (never written): any
// version replaces it, a reference version too (as Merge does), so a village an office copied from the
// division list reaches a hub that never held it instead of being acknowledged and dropped. A replica
// never conflicts with itself: its own writes are sequential. Concurrent means neither version covers
// the other (Covers): neither writer had seen the other's write, at any number of removes. What the
// replica has seen besides the winner is Remember's.
func Resolve(held, incoming Field) (Overwrite, Field, Field) {
	if held.VersionID.IsZero() && !incoming.VersionID.IsZero() {
		return TakeNew, incoming, Field{}
	}
	cmp := compareField(incoming, held)
	switch {
	case cmp == 0:
		return KeepHeld, held, Field{}
	case cmp > 0:
		if held.Reference() || incoming.Value == held.Value || incoming.Covers(held.VersionID) {
			return TakeNew, incoming, Field{}
		}
		return Conflict, incoming, held
	default:
		if incoming.VersionID.IsZero() || incoming.Reference() || incoming.Value == held.Value || held.Covers(incoming.VersionID) {
			return KeepHeld, held, Field{}
		}
		return Conflict, held, incoming
	}
}
