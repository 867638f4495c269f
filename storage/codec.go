package storage

import (
	"encoding/binary"
	"errors"
	"slices"

	"techaid/ledger"
	"techaid/query"
)

// The on-disk encodings are ours: compact, versioned by their first byte, and several times faster to
// decode than JSON, which matters when a query reads a page of trainings. Strings are length-prefixed,
// integers are uvarints. The fields of a record share a table of versions, since a save writes many
// fields with one version.

// codecV2 is a record whose fields carry more causal context than prev (ledger.Field.Context, and
// what the replica has seen besides, ledger.Record.Seen): after each field's prev, the counts and
// entries of both. A record without any is written as codecV1, byte for byte what it was before the
// context existed (store format 5 reads both).
const (
	codecV1 = 1
	codecV2 = 2
)

var errCorrupt = errors.New("corrupt value")

type writer struct{ b []byte }

func (w *writer) uint(v uint64)        { w.b = binary.AppendUvarint(w.b, v) }
func (w *writer) str(s string)         { w.uint(uint64(len(s))); w.b = append(w.b, s...) }
func (w *writer) stamp(s ledger.Stamp) { w.uint(uint64(s)) }

type reader struct {
	b   []byte
	err error
}

func (r *reader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) str() string {
	n := r.uint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.err = errCorrupt
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) stamp() ledger.Stamp { return ledger.Stamp(r.uint()) }

func encodeRecord(rec ledger.Record) []byte {
	names := make([]string, 0, len(rec.Fields))
	for name := range rec.Fields {
		names = append(names, name)
	}
	slices.Sort(names) // deterministic bytes for equal records

	var versions []ledger.Version // few per record: a linear search beats a map
	index := make([]int, len(names))
	for i, name := range names {
		v := rec.Fields[name].Version
		index[i] = slices.Index(versions, v)
		if index[i] < 0 {
			index[i] = len(versions)
			versions = append(versions, v)
		}
	}
	codec := uint64(codecV1)
	if len(rec.Seen) > 0 {
		codec = codecV2
	}
	for _, f := range rec.Fields {
		if len(f.Context) > 0 {
			codec = codecV2
			break
		}
	}
	w := &writer{b: make([]byte, 0, 256)}
	w.uint(codec)
	w.str(string(rec.Kind))
	w.str(rec.ID)
	w.uint(uint64(len(versions)))
	for _, v := range versions {
		w.stamp(v.Stamp)
		w.str(v.Replica)
		w.str(v.Author)
		w.str(string(v.Office))
	}
	w.uint(uint64(len(names)))
	for i, name := range names {
		f := rec.Fields[name]
		w.str(name)
		w.str(f.Value)
		w.uint(uint64(index[i]))
		w.stamp(f.Prev.Stamp)
		w.str(f.Prev.Replica)
		if codec == codecV2 {
			w.versions(f.Context)
			w.versions(rec.Seen[name])
		}
	}
	return w.b
}

func (w *writer) versions(vs []ledger.VersionID) {
	w.uint(uint64(len(vs)))
	for _, v := range vs {
		w.stamp(v.Stamp)
		w.str(v.Replica)
	}
}

func (r *reader) versions() []ledger.VersionID {
	n := r.uint()
	if n == 0 || r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errCorrupt
		return nil
	}
	vs := make([]ledger.VersionID, n)
	for i := range vs {
		vs[i] = ledger.VersionID{Stamp: r.stamp(), Replica: r.str()}
	}
	return vs
}

func decodeRecord(b []byte) (ledger.Record, error) {
	r := &reader{b: b}
	codec := r.uint()
	if codec != codecV1 && codec != codecV2 {
		return ledger.Record{}, errCorrupt
	}
	rec := ledger.Record{Kind: ledger.Kind(r.str()), ID: r.str()}
	nv := r.uint()
	if nv > uint64(len(b)) {
		return ledger.Record{}, errCorrupt
	}
	versions := make([]ledger.Version, nv)
	for i := range versions {
		versions[i] = ledger.Version{
			VersionID: ledger.VersionID{Stamp: r.stamp(), Replica: r.str()},
			Author:    r.str(),
			Office:    ledger.Code(r.str()),
		}
	}
	nf := r.uint()
	if nf > uint64(len(b)) {
		return ledger.Record{}, errCorrupt
	}
	rec.Fields = make(map[string]ledger.Field, nf)
	for range nf {
		name, value, vi := r.str(), r.str(), r.uint()
		prev := ledger.VersionID{Stamp: r.stamp(), Replica: r.str()}
		if vi >= uint64(len(versions)) {
			return ledger.Record{}, errCorrupt
		}
		f := ledger.Field{Value: value, Version: versions[vi], Prev: prev}
		if codec == codecV2 {
			f.Context = r.versions()
			if seen := r.versions(); seen != nil {
				if rec.Seen == nil {
					rec.Seen = map[string][]ledger.VersionID{}
				}
				rec.Seen[name] = seen
			}
		}
		rec.Fields[name] = f
	}
	if r.err != nil {
		return ledger.Record{}, r.err
	}
	return rec, nil
}

// Change is one entry of the change log: which fields of which record a local write changed. Sync sends
// those fields as the record holds them when it pushes, with their versions; a later write of the same
// field supersedes an earlier one anyway, so sending the current state is always correct.
type Change struct {
	Seq    uint64
	Kind   ledger.Kind
	ID     string
	Fields []string
	Place  ledger.Code   // on the hub: where the record lies, for fan-out (see Place)
	Record ledger.Record // the changed fields as the record holds them now (filled by Changes)
}

func encodeChange(c Change) []byte {
	w := &writer{b: make([]byte, 0, 64)}
	w.uint(codecV1)
	w.str(string(c.Kind))
	w.str(c.ID)
	w.uint(uint64(len(c.Fields)))
	for _, f := range c.Fields {
		w.str(f)
	}
	if c.Place != "" {
		w.str(string(c.Place))
	}
	return w.b
}

func decodeChange(seq uint64, b []byte) (Change, error) {
	r := &reader{b: b}
	if r.uint() != codecV1 {
		return Change{}, errCorrupt
	}
	c := Change{Seq: seq, Kind: ledger.Kind(r.str()), ID: r.str()}
	n := r.uint()
	if n > uint64(len(b)) {
		return Change{}, errCorrupt
	}
	c.Fields = make([]string, n)
	for i := range c.Fields {
		c.Fields[i] = r.str()
	}
	if len(r.b) > 0 {
		c.Place = ledger.Code(r.str())
	}
	return c, r.err
}

func encodeAudit(a query.Audit) []byte {
	w := &writer{b: make([]byte, 0, 128)}
	w.uint(codecV1)
	w.stamp(a.Stamp)
	w.str(a.Op)
	w.str(a.Author)
	w.str(string(a.Office))
	w.str(a.Replica)
	w.uint(uint64(len(a.Fields)))
	for _, f := range a.Fields {
		w.str(f.Name)
		w.str(f.Old)
		w.str(f.New)
	}
	return w.b
}

func decodeAudit(b []byte) (query.Audit, error) {
	r := &reader{b: b}
	if r.uint() != codecV1 {
		return query.Audit{}, errCorrupt
	}
	a := query.Audit{Stamp: r.stamp(), Op: r.str(), Author: r.str(), Office: ledger.Code(r.str()), Replica: r.str()}
	n := r.uint()
	if n > uint64(len(b)) {
		return query.Audit{}, errCorrupt
	}
	a.Fields = make([]query.AuditField, n)
	for i := range a.Fields {
		a.Fields[i] = query.AuditField{Name: r.str(), Old: r.str(), New: r.str()}
	}
	return a, r.err
}

func encodeTally(t *query.Tally) []byte {
	w := &writer{b: make([]byte, 0, 64)}
	w.uint(codecV1)
	for _, n := range []int{t.Trainings, t.Attendees, t.PoorAttendees, t.Brochures, t.Varieties, t.Visits} {
		w.uint(uint64(n))
	}
	for i := range 12 {
		w.uint(uint64(t.TrainingsByMonth[i]))
		w.uint(uint64(t.VisitsByMonth[i]))
	}
	w.uint(uint64(len(t.VisitsByKind))) // by name, so that the list of kinds may grow
	for i, n := range t.VisitsByKind {
		w.str(ledger.TrainingKinds[i])
		w.uint(uint64(n))
	}
	return w.b
}

func decodeTally(b []byte, t *query.Tally) error {
	r := &reader{b: b}
	if r.uint() != codecV1 {
		return errCorrupt
	}
	for _, n := range []*int{&t.Trainings, &t.Attendees, &t.PoorAttendees, &t.Brochures, &t.Varieties, &t.Visits} {
		*n = int(r.uint())
	}
	for i := range 12 {
		t.TrainingsByMonth[i] = int(r.uint())
		t.VisitsByMonth[i] = int(r.uint())
	}
	n := r.uint()
	if n > uint64(len(b)) {
		return errCorrupt
	}
	for range n {
		k := r.str()
		t.VisitsByKind.Add(k, int(r.uint()))
	}
	return r.err
}
