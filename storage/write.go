package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/hashicorp/go-memdb"

	"techaid/ledger"
	"techaid/query"
)

// batch is one write: a memdb write transaction and a Badger transaction that commit together, and the
// counters as they will be if both commit.
type batch struct {
	s    *Store
	txn  *badger.Txn
	mem  *memdb.Txn
	id   query.Identity
	cnt  counters
	kind map[ledger.Kind]bool // kinds written, whose gen rows are bumped on commit
	// tallies holds the tallies this write changed, written once at commit: an import touches the same
	// village's tally hundreds of times.
	tallies map[string]*tally
	// size and count estimate the Badger transaction, so an import can end one before Badger's limit.
	size, count int
	// In an import, writes are collected in buf and committed by another goroutine (import.go); txn is
	// then a read-only snapshot, and chunk holds the records written into buf, by key.
	buffered bool
	buf      []kvWrite
	chunk    map[string]ledger.Record
	// On the hub: push marks a batch applying an office's push (b.id.Scope is then the office's scope,
	// own tells the replicas of that office, today is the hub's date); remote leaves the names of the
	// fields it changed and the record's place for the change log, and counts the fields it ignored.
	push    bool
	own     func(replica string) (bool, error)
	owners  map[string]string // replica → office, as claim found them in this write
	today   time.Time
	ignored int
	changed []string
	place   ledger.Code
	seen    bool // remote: what the replica has seen of a field grew (ledger.Remember): store the record even if unchanged
	// reference marks an import of reference data (ImportReference, ImportDivisions): only fields
	// never written, stamped ledger.ReferenceStamp; logged as changes only if logReference.
	reference, logReference bool
	// lists and counts are the changes to the programme's lists (lists.go) and counts (counts.go),
	// published when the whole batch has committed.
	lists  map[ledger.Kind]map[string]*listChange
	counts *pending
	// live tells, in an import, whether records of the kinds others name (trainings, projects,
	// varieties, parks) written by the import's earlier transactions are live: the snapshot the
	// import reads from does not hold them (by recordKey).
	live map[string]bool
	// dirty marks a write of evidence bytes or marks, which change no record and no counter.
	dirty bool
}

// kvWrite is one buffered write (del: a deletion).
type kvWrite struct {
	key, value []byte
	del        bool
}

// set and del write to the Badger transaction, keeping its estimated size.
func (b *batch) set(key, value []byte) error {
	b.size += len(key) + len(value) + entryOverhead
	b.count++
	if b.buffered {
		b.buf = append(b.buf, kvWrite{key: key, value: value})
		return nil
	}
	return b.txn.Set(key, value)
}

func (b *batch) del(key []byte) error {
	b.size += len(key) + entryOverhead
	b.count++
	if b.buffered {
		b.buf = append(b.buf, kvWrite{key: key, del: true})
		return nil
	}
	return b.txn.Delete(key)
}

// entryOverhead is Badger's per-entry cost in a transaction's size (its meta, version and skiplist node
// are about this much).
const entryOverhead = 24

// write runs fn as one atomic, durable write: fn's Badger writes and memdb changes both happen or
// neither does, and write returns only after Badger has synced them to disk.
func (s *Store) write(fn func(b *batch) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.begin()
	if err != nil {
		return err
	}
	defer b.mem.Abort() // no-op after Commit
	defer b.txn.Discard()
	if err := fn(b); err != nil {
		return err
	}
	if len(b.kind) == 0 && b.cnt == s.cnt && !b.dirty {
		return nil // nothing changed
	}
	if err := b.seal(); err != nil {
		return err
	}
	b.bumpGens()
	if err := b.txn.Commit(); err != nil {
		if errors.Is(err, badger.ErrTxnTooBig) {
			return fmt.Errorf("write: too many changes in one transaction: %w", err)
		}
		return fmt.Errorf("write: %w", err)
	}
	b.publish()
	b.mem.Commit()
	s.setCounters(b.cnt)
	return nil
}

// begin starts a write: a memdb write transaction and a Badger transaction. s.mu must be held.
func (s *Store) begin() (*batch, error) {
	if s.db.IsClosed() {
		return nil, ErrClosed
	}
	if s.id.Replica == "" {
		return nil, ErrNotInitialized
	}
	b := &batch{s: s, mem: s.mem.Txn(true), id: s.id, cnt: s.cnt, kind: map[ledger.Kind]bool{}, tallies: map[string]*tally{}}
	b.txn = s.db.NewTransaction(true)
	return b, nil
}

// seal adds what every Badger transaction of a write ends with: the tallies and counts it changed, the
// counters and the clock.
func (b *batch) seal() error {
	if err := b.flushTallies(); err != nil {
		return err
	}
	if err := b.flushCounts(); err != nil {
		return err
	}
	cnt, err := json.Marshal(b.cnt)
	if err != nil {
		return err
	}
	if err := b.set(metaKey(metaCounters), cnt); err != nil {
		return err
	}
	return b.set(metaKey(metaClock), binary.BigEndian.AppendUint64(nil, uint64(b.s.clock.Last())))
}

// publish makes the programme's lists and counts the batch changed visible, once Badger has committed
// all of it and before memdb commits (whose watch channels wake the screens).
func (b *batch) publish() {
	b.publishLists()
	b.publishCounts()
}

// bumpGens moves the write counters of the kinds written, which wakes the screens watching them.
func (b *batch) bumpGens() {
	for k := range b.kind {
		b.bump(string(k))
	}
	b.bump(kindMeta)
}

func (b *batch) bump(kind string) {
	g := gen{Kind: kind}
	if old, _ := b.mem.First(tableGens, indexID, kind); old != nil {
		g.Count = old.(*gen).Count + 1
	}
	b.mem.Insert(tableGens, &g)
}

// get reads a record inside the write; ok is false if it does not exist.
func (b *batch) get(k ledger.Kind, id string) (ledger.Record, bool, error) {
	if rec, ok := b.chunk[string(recordKey(k, id))]; ok {
		return rec, true, nil
	}
	return getRecord(b.txn, k, id)
}

func getRecord(txn *badger.Txn, k ledger.Kind, id string) (ledger.Record, bool, error) {
	item, err := txn.Get(recordKey(k, id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return ledger.Record{Kind: k, ID: id, Fields: map[string]ledger.Field{}}, false, nil
	}
	if err != nil {
		return ledger.Record{}, false, fmt.Errorf("read %s %s: %w", k, id, err)
	}
	var rec ledger.Record
	err = item.Value(func(v []byte) error {
		rec, err = decodeRecord(v)
		return err
	})
	if err != nil {
		return ledger.Record{}, false, fmt.Errorf("read %s %s: %w", k, id, err)
	}
	return rec, true, nil
}

// inScope checks that this office may write e: a roster only from the city scope; a village, and
// every village any other record names, inside the office's scope; publicity, its office too.
func (b *batch) inScope(e ledger.Entity) error {
	scope := b.id.Scope
	fail := func(org ledger.Code) error {
		return &ScopeError{Kind: e.RecordKind(), ID: e.RecordID(), Org: org, Scope: scope}
	}
	if e.RecordKind().Roster() {
		if scope.Level() != ledger.LevelCity {
			return fail("")
		}
		return nil
	}
	if p, ok := e.(ledger.Publicity); ok && !scope.Contains(p.Org) {
		return fail(p.Org)
	}
	for _, v := range ledger.VillagesOf(e) {
		if !scope.Contains(v) {
			return fail(v)
		}
	}
	return nil
}

// local writes the changed fields of a record as a local edit: new versions stamped now, validation, the
// scope check, the record, its change-log entry, its audit entry and everything derived from it.
// Fields whose value is unchanged are left alone; if nothing changed nothing is written.
func (b *batch) local(op string, k ledger.Kind, id string, values map[string]string) (outcome, error) {
	held, exists, err := b.get(k, id)
	if err != nil {
		return unchanged, err
	}
	if op == query.OpCreate && exists {
		return unchanged, fmt.Errorf("create %s %s: it exists already", k, id)
	}
	if (op == query.OpUpdate || op == query.OpDelete) && !exists {
		return unchanged, fmt.Errorf("%s %s %s: %w", op, k, id, ErrNotFound)
	}
	names := slices.Sorted(maps.Keys(values))
	// Above every stamp the record holds, even one too far ahead to have moved the clock: an edit made
	// on top of a version must win over it everywhere.
	version := ledger.Version{Author: b.id.Clerk, Office: b.id.Scope,
		VersionID: ledger.VersionID{Stamp: b.s.clock.After(held.MaxStamp()), Replica: b.id.Replica}}
	if b.reference {
		version.Stamp = ledger.ReferenceStamp
	}
	rec := held.Clone()
	var changed []query.AuditField
	for _, name := range names {
		old, had := held.Fields[name]
		if had && old.Value == values[name] || !had && values[name] == "" {
			continue
		}
		if had && b.reference {
			continue // reference data loses to whatever a field holds (PROTOCOL.md section 4)
		}
		// Built on everything this replica knew of the field (ledger.OnTop): whoever holds any of it
		// takes this edit as a later one, not a conflict.
		prev, context := ledger.OnTop(old, held.Seen[name], b.id.Replica)
		rec.Fields[name] = ledger.Field{Value: values[name], Version: version, Prev: prev, Context: context}
		delete(rec.Seen, name) // the new version's context holds it all
		changed = append(changed, query.AuditField{Name: name, Old: old.Value, New: values[name]})
	}
	if len(changed) == 0 && op != query.OpCreate {
		return unchanged, nil
	}
	before, after := typed(held, exists), typedOf(rec)
	if after == nil {
		return unchanged, fmt.Errorf("write %s %s: unknown kind", k, id)
	}
	// Scope before validation: a record of another office would fail validation only because this
	// replica never holds that office's villages, and "import the village first" is the wrong advice.
	// A malformed code, though, is validation's to name.
	if placeable(after) {
		if err := b.inScope(after); err != nil {
			return unchanged, err
		}
	}
	if before != nil {
		if err := b.inScope(before); err != nil { // taking a record over from another office is no better
			return unchanged, err
		}
	}
	if err := ledger.Validate(after, checker{b}); err != nil {
		return unchanged, err
	}
	if err := b.inScope(after); err != nil {
		return unchanged, err
	}
	if err := b.putRecord(held, rec); err != nil {
		return unchanged, err
	}
	// A copy of reference data is nobody's change: it is not logged, so it is neither sent to the city
	// (which has the same list) nor counted as waiting for it; unless the import is meant to share it.
	if !b.reference || b.logReference {
		b.cnt.Seq++
		fields := make([]string, len(changed))
		for i, c := range changed {
			fields[i] = c.Name
		}
		if err := b.set(seqKey(prefixChange, b.cnt.Seq), encodeChange(Change{Kind: k, ID: id, Fields: fields, Place: changePlace(before, after)})); err != nil {
			return unchanged, err
		}
	}
	if err := b.audit(id, query.Audit{Op: op, Stamp: version.Stamp, Author: b.id.Clerk, Office: b.id.Scope, Replica: b.id.Replica, Fields: changed}); err != nil {
		return unchanged, err
	}
	result := updated
	if !exists {
		result = created
	}
	return result, b.derive(before, live(rec, after))
}

// changePlace is the place a local change is logged with: where the record lies now (or lay, if the
// change made it unreadable).
func changePlace(before, after ledger.Entity) ledger.Code {
	if after != nil {
		return Place(after)
	}
	if before != nil {
		return Place(before)
	}
	return ""
}

// placeable reports whether the codes that decide e's scope are well-formed: village codes, and a
// publicity's office a city, county or township code.
func placeable(e ledger.Entity) bool {
	if e.RecordKind().Roster() {
		return true
	}
	if p, ok := e.(ledger.Publicity); ok {
		if l := p.Org.Level(); l == ledger.LevelInvalid || l == ledger.LevelVillage {
			return false
		}
	}
	for _, v := range ledger.VillagesOf(e) {
		if v.Level() != ledger.LevelVillage {
			return false
		}
	}
	return true
}

// outcome says what a local write did to its record.
type outcome int

const (
	unchanged outcome = iota
	created
	updated
)

// putRecord writes rec over old (the record as held before this write; empty if new), moving the
// references of its evidence files.
func (b *batch) putRecord(old, rec ledger.Record) error {
	key := recordKey(rec.Kind, rec.ID)
	if rec.Kind.HasEvidence() {
		if err := b.reref(old, rec); err != nil {
			return err
		}
	}
	if err := b.set(key, encodeRecord(rec)); err != nil {
		return fmt.Errorf("write %s %s: %w", rec.Kind, rec.ID, err)
	}
	if b.buffered {
		b.chunk[string(key)] = rec
		switch rec.Kind {
		case ledger.KindTraining, ledger.KindProject, ledger.KindVariety, ledger.KindPark:
			if b.live == nil {
				b.live = map[string]bool{}
			}
			b.live[string(key)] = !rec.Deleted()
		}
	}
	b.kind[rec.Kind] = true
	return nil
}

// audit writes a history entry, keyed by a.Stamp (Now if zero).
func (b *batch) audit(id string, a query.Audit) error {
	if a.Stamp == 0 {
		a.Stamp = b.s.clock.Now()
	}
	// Stamps of one record's history are unique as long as the clock moves; beside a stamp too far ahead
	// to move it (ledger.MaxAhead) two entries could share one, and the later would hide the earlier.
	if !b.buffered {
		for {
			_, err := b.txn.Get(historyKey(id, a.Stamp))
			if errors.Is(err, badger.ErrKeyNotFound) {
				break
			}
			if err != nil {
				return err
			}
			a.Stamp++
		}
	}
	return b.set(historyKey(id, a.Stamp), encodeAudit(a))
}

// live is the typed view e of rec if rec is not deleted, nil if it is.
func live(rec ledger.Record, e ledger.Entity) ledger.Entity {
	if rec.Deleted() {
		return nil
	}
	return e
}

// typed decodes a record to its typed view; nil if it does not exist or is deleted.
func typed(rec ledger.Record, exists bool) ledger.Entity {
	if !exists || rec.Deleted() {
		return nil
	}
	return typedOf(rec)
}

func typedOf(rec ledger.Record) ledger.Entity {
	e, err := ledger.Decode(rec.Kind, rec.ID, rec.Values())
	if err != nil {
		return nil
	}
	return e
}

// Create stores a new record and returns its id (a new UUIDv7 unless the record has one, as a village
// has its code). It fails with a *ledger.ValidationError or a *ScopeError and stores nothing if the
// record is not acceptable.
func (s *Store) Create(ctx context.Context, e ledger.Entity) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	id := e.RecordID()
	if id == "" {
		id = NewID()
	}
	values := ledger.Values(e)
	delete(values, ledger.FieldDeleted)
	err := s.write(func(b *batch) error {
		_, err := b.local(query.OpCreate, e.RecordKind(), id, values)
		return err
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// Update writes the fields that differ between before and after: what the clerk changed on screen.
// Fields the clerk did not touch keep whatever they hold now, even if sync changed them meanwhile.
func (s *Store) Update(ctx context.Context, before, after ledger.Entity) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if before.RecordKind() != after.RecordKind() || before.RecordID() != after.RecordID() {
		return fmt.Errorf("update: before is %s %s, after is %s %s", before.RecordKind(), before.RecordID(),
			after.RecordKind(), after.RecordID())
	}
	old, cur := ledger.Values(before), ledger.Values(after)
	changes := map[string]string{}
	for name, v := range cur {
		if old[name] != v {
			changes[name] = v
		}
	}
	return s.SetFields(ctx, after.RecordKind(), after.RecordID(), changes)
}

// SetFields writes the given field values of an existing record as one edit.
func (s *Store) SetFields(ctx context.Context, k ledger.Kind, id string, values map[string]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for name := range values {
		if name != ledger.FieldDeleted && !slices.ContainsFunc(ledger.Fields(k), func(f ledger.FieldInfo) bool { return f.Name == name }) {
			return fmt.Errorf("update %s %s: no field %q", k, id, name)
		}
	}
	return s.write(func(b *batch) error {
		_, err := b.local(query.OpUpdate, k, id, values)
		return err
	})
}

// Delete sets a record's tombstone. The record stays on disk with its history and can be restored.
func (s *Store) Delete(ctx context.Context, id string) error {
	k, err := s.KindOf(id)
	if err != nil {
		return err
	}
	return s.write(func(b *batch) error {
		if err := b.inUse(k, id); err != nil {
			return err
		}
		_, err := b.local(query.OpDelete, k, id, map[string]string{ledger.FieldDeleted: "true"})
		return err
	})
}

// inUse refuses to delete a record that live records still name (a village, an advisor, a training, a
// project, a variety, a park): they would be left pointing at nothing, and fail validation at their
// next edit.
func (b *batch) inUse(k ledger.Kind, id string) error {
	use := &InUseError{Kind: k, ID: id}
	var prefix []byte
	var assignments memdb.ResultIterator
	var err error
	switch k {
	case ledger.KindVillage:
		prefix = villageIndexPrefix(ledger.Code(id))
		assignments, err = b.mem.Get(tableAssignments, indexVillage, id)
	case ledger.KindAdvisor:
		prefix = advisorIndexPrefix(id)
		assignments, err = b.mem.Get(tableAssignments, indexAdvisor, id)
	case ledger.KindTraining, ledger.KindProject, ledger.KindVariety, ledger.KindPark:
	default:
		return nil
	}
	if err != nil {
		return err
	}
	if assignments != nil {
		for obj := assignments.Next(); obj != nil; obj = assignments.Next() {
			use.Assignments++
		}
	}
	if prefix != nil {
		it := b.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		for it.Rewind(); it.Valid(); it.Next() {
			use.Trainings++
		}
		it.Close()
	}
	ref := ledger.Ref{Kind: k, ID: id}
	for kind, rows := range b.s.lists().rows {
		for _, r := range rows {
			if slices.Contains(ledger.References(r.e), ref) {
				if use.Others == nil {
					use.Others = map[ledger.Kind]int{}
				}
				use.Others[kind]++
			}
		}
	}
	if use.Trainings > 0 || use.Assignments > 0 || len(use.Others) > 0 {
		return use
	}
	return nil
}

// Undelete clears a record's tombstone.
func (s *Store) Undelete(ctx context.Context, id string) error {
	k, err := s.KindOf(id)
	if err != nil {
		return err
	}
	return s.write(func(b *batch) error {
		_, err := b.local(query.OpUpdate, k, id, map[string]string{ledger.FieldDeleted: ""})
		return err
	})
}
