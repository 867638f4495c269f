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

	"techaid/ledger"
	"techaid/query"
)

// conflictSeenKey marks a losing version as logged, so that applying the same batch again logs nothing.
func conflictSeenKey(id, field string, loser ledger.VersionID) []byte {
	k := append(append(append([]byte{prefixConflictSeen}, id...), 0), field...)
	k = binary.BigEndian.AppendUint64(append(k, 0), uint64(loser.Stamp))
	return append(k, loser.Replica...)
}

// ApplyResult reports what ApplyRemote did.
type ApplyResult struct {
	Changed   int              // records that changed
	Unchanged int              // records this replica already had (duplicates, replays, older versions)
	Conflicts int              // new conflict-log entries
	Refused   []query.RowError // records not applied, with the reason (outside this office's scope, malformed)
}

// ApplyRemote merges field versions that arrived from other replicas, all in one transaction. Each
// field keeps the later version (ledger.Resolve); concurrent writes of different values go into the
// conflict log. Applying the same records again changes nothing. Remote changes are not added to the
// local change log: the city already has them.
func (s *Store) ApplyRemote(ctx context.Context, recs []ledger.Record) (ApplyResult, error) {
	var res ApplyResult
	if err := ctx.Err(); err != nil {
		return res, err
	}
	err := s.write(func(b *batch) error {
		var err error
		res, err = b.applyRemote(recs)
		return err
	})
	return res, err
}

// applyRemote merges records inside a write; one refused record does not stop the others.
func (b *batch) applyRemote(recs []ledger.Record) (ApplyResult, error) {
	var res ApplyResult
	for i, rec := range recs {
		n, err := b.remote(rec)
		var bad *badRecord
		var se *ScopeError
		switch {
		case errors.As(err, &bad) || errors.As(err, &se):
			res.Refused = append(res.Refused, query.RowError{Row: i + 1, ID: rec.ID, Err: err})
		case err != nil:
			return res, err
		case n == unchangedRemote:
			res.Unchanged++
		default:
			res.Changed++
			res.Conflicts += n
		}
	}
	return res, nil
}

type badRecord struct{ msg string }

func (e *badRecord) Error() string { return e.msg }

// What remote returns instead of a number of conflicts: nothing changed, or (on a hub) the record was
// kept aside until it is whole.
const (
	unchangedRemote = -1
	parked          = -2
)

// remote merges one incoming record; it returns the number of conflicts logged, unchangedRemote if
// nothing changed, or parked.
func (b *batch) remote(in ledger.Record) (int, error) {
	if !in.Kind.Valid() || in.ID == "" || len(in.ID) > 64 {
		return 0, &badRecord{fmt.Sprintf("record %q of kind %q: unknown kind or bad id", in.ID, in.Kind)}
	}
	for name, f := range in.Fields {
		if f.Stamp == 0 || f.Replica == "" || name == "" {
			return 0, &badRecord{fmt.Sprintf("%s %s field %q: no version", in.Kind, in.ID, name)}
		}
	}
	if b.push {
		var err error
		if in, err = b.ownFields(in); err != nil {
			return 0, err
		}
		if len(in.Fields) == 0 {
			return unchangedRemote, nil
		}
	}
	held, exists, err := b.get(in.Kind, in.ID)
	if err != nil {
		return 0, err
	}
	wasParked := false
	if b.push && !exists {
		if held, wasParked, err = b.getParked(in.Kind, in.ID); err != nil {
			return 0, err
		}
		if wasParked {
			held = keepParkedInScope(held, in)
		}
	}
	b.seen = false
	merged, changed, conflicts, author, err := b.resolve(held, in)
	if err != nil {
		return 0, err
	}
	if len(changed) == 0 && len(conflicts) == 0 {
		if b.seen && exists {
			// Nothing to show or send, but a later local edit must know what arrived (ledger.Record.Seen).
			return unchangedRemote, b.putRecord(held, merged)
		}
		return unchangedRemote, nil
	}
	before, after := typed(held, exists), typedOf(merged)
	if after == nil {
		return 0, &badRecord{fmt.Sprintf("%s %s: cannot be read", in.Kind, in.ID)}
	}
	park := false
	if b.push {
		// On the hub, from an office: the record must lie in the office's scope before and after (an
		// office cannot take over another's record), and rosters come from the city scope alone.
		if err := b.inScope(after); err != nil {
			return 0, err
		}
		// Before as held, deleted or not: a deleted training is still its office's, and undeleting it
		// with villages of one's own must not move it (before is nil for a deleted record).
		if prior := typedOf(held); (exists || wasParked) && prior != nil {
			if err := b.inScope(prior); err != nil {
				return 0, err
			}
		}
		if park, err = b.validatePush(in, merged, after, exists); err != nil {
			return 0, err
		}
	}
	if !in.Kind.Roster() && !park {
		if err := b.inScope(after); err != nil {
			return 0, err
		}
		// A change carries only the fields it changed, so an edit of a record this replica does not
		// hold may come without its villages (or office), and inScope has nothing to refuse. Below the
		// city, a record that cannot be placed in the scope is not stored (it would count as a live one).
		if Place(after) == "-" && b.id.Scope.Level() != ledger.LevelCity {
			return 0, &badRecord{fmt.Sprintf("%s %s: not held here and the change names no village, so it cannot be placed in scope %s",
				in.Kind, in.ID, b.id.Scope)}
		}
	}
	if err := b.logConflicts(conflicts); err != nil {
		return 0, err
	}
	b.kind[in.Kind] = true
	if park {
		b.s.parked = true
		return parked, b.set(parkedKey(in.Kind, in.ID), encodeRecord(merged))
	}
	if wasParked {
		if changed, err = b.unpark(in, merged, changed); err != nil {
			return 0, err
		}
	}
	if len(changed) == 0 {
		if b.seen && exists {
			return len(conflicts), b.putRecord(held, merged) // a conflict kept the held value: what was seen grew
		}
		return len(conflicts), nil
	}
	b.changed = b.changed[:0]
	for _, c := range changed {
		b.changed = append(b.changed, c.Name)
	}
	b.place = Place(after) // a deleted record keeps its place, so the tombstone travels
	refsFrom := held
	if wasParked { // a record kept aside had no references yet
		refsFrom = ledger.Record{}
	}
	if err := b.putRecord(refsFrom, merged); err != nil {
		return 0, err
	}
	if b.id.Lean {
		return len(conflicts), b.derive(before, live(merged, after)) // no history on a hub (Options.Lean)
	}
	a := query.Audit{Op: query.OpSync, Stamp: b.s.clock.After(held.MaxStamp()), Author: author.Author, Office: author.Office, Replica: author.Replica, Fields: changed}
	if err := b.audit(in.ID, a); err != nil {
		return 0, err
	}
	return len(conflicts), b.derive(before, live(merged, after))
}

// resolve merges the incoming fields into what is held, field by field (ledger.Resolve): the merged
// record, the fields that changed (old and new values, for the audit), the conflicts not logged before,
// and the newest version among the incoming fields that won, whose author the audit names.
func (b *batch) resolve(held, in ledger.Record) (ledger.Record, []query.AuditField, []query.Conflict, ledger.Version, error) {
	// Sized once: a record pulled whole fills an empty map with all its fields (growing it field by
	// field was the largest allocation of a pull).
	merged := held
	merged.Fields = make(map[string]ledger.Field, len(held.Fields)+len(in.Fields))
	maps.Copy(merged.Fields, held.Fields)
	merged.Seen = maps.Clone(held.Seen) // changed below: never held's own map
	changed := make([]query.AuditField, 0, len(in.Fields))
	var conflicts []query.Conflict
	var author ledger.Version
	for _, name := range slices.Sorted(maps.Keys(in.Fields)) {
		inc := in.Fields[name]
		b.s.clock.Observe(inc.Stamp)
		old := held.Fields[name]
		outcome, winner, loser := ledger.Resolve(old, inc)
		// What this replica has seen of the field besides the version it keeps: not sent, but a local
		// edit's context takes it in.
		if seen := ledger.Remember(held.Seen[name], winner, old, inc); !slices.Equal(seen, held.Seen[name]) {
			if merged.Seen == nil {
				merged.Seen = map[string][]ledger.VersionID{}
			}
			if merged.Seen[name] = seen; seen == nil {
				delete(merged.Seen, name)
			}
			b.seen = true
		}
		if outcome == ledger.KeepHeld {
			continue
		}
		if winner.Same(inc) {
			merged.Fields[name] = inc
			changed = append(changed, query.AuditField{Name: name, Old: old.Value, New: inc.Value})
			if inc.VersionID.Compare(author.VersionID) > 0 {
				author = inc.Version
			}
		}
		if outcome == ledger.Conflict {
			seen := conflictSeenKey(in.ID, name, loser.VersionID)
			if _, err := b.txn.Get(seen); err == nil {
				continue
			} else if !errors.Is(err, badger.ErrKeyNotFound) {
				return ledger.Record{}, nil, nil, ledger.Version{}, err
			}
			conflicts = append(conflicts, query.Conflict{Kind: in.Kind, ID: in.ID, Field: name, Winner: winner, Loser: loser})
		}
	}
	return merged, changed, conflicts, author, nil
}

// logConflicts adds conflicts to the conflict log, each marked seen so that it is logged once.
func (b *batch) logConflicts(conflicts []query.Conflict) error {
	for _, c := range conflicts {
		if err := b.set(conflictSeenKey(c.ID, c.Field, c.Loser.VersionID), nil); err != nil {
			return err
		}
		b.cnt.Conflicts++
		b.cnt.Open++
		c.Seq = b.cnt.Conflicts
		c.Detected = b.s.clock.Now()
		buf, _ := json.Marshal(c)
		if err := b.set(seqKey(prefixConflict, c.Seq), buf); err != nil {
			return err
		}
	}
	return nil
}

// unpark takes the parked record in out of the park, whole at last as merged: no replica has any of it
// yet, so the change names every field, and changed gains those it lacked.
func (b *batch) unpark(in, merged ledger.Record, changed []query.AuditField) ([]query.AuditField, error) {
	if err := b.del(parkedKey(in.Kind, in.ID)); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(merged.Fields)) {
		if !slices.ContainsFunc(changed, func(a query.AuditField) bool { return a.Name == name }) {
			changed = append(changed, query.AuditField{Name: name, New: merged.Fields[name].Value})
		}
	}
	return changed, nil
}

// ownFields is the part of a pushed record that is the pushing office's own word: the fields whose
// versions name one of its replicas, each with the office's scope as its office, whatever the version
// said. The others are left out and counted.
func (b *batch) ownFields(in ledger.Record) (ledger.Record, error) {
	same := true // the usual case: every field the office's own, with its office: in as it is
	for _, f := range in.Fields {
		own, err := b.own(f.Replica)
		if err != nil {
			return in, err
		}
		if !own || f.Office != b.id.Scope {
			same = false
			break
		}
	}
	if same {
		return in, nil
	}
	out := ledger.Record{Kind: in.Kind, ID: in.ID, Fields: make(map[string]ledger.Field, len(in.Fields))}
	for name, f := range in.Fields {
		own, err := b.own(f.Replica)
		if err != nil {
			return out, err
		}
		if !own {
			b.ignored++
			continue
		}
		f.Office = b.id.Scope
		out.Fields[name] = f
	}
	return out, nil
}

// getParked reads a record kept aside on a hub; ok is false if there is none.
func (b *batch) getParked(k ledger.Kind, id string) (ledger.Record, bool, error) {
	if !b.s.parkedKnown { // b.s.mu is held: this is a write
		it := b.txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixParked}})
		it.Rewind()
		b.s.parked, b.s.parkedKnown = it.Valid(), true
		it.Close()
	}
	if !b.s.parked {
		return ledger.Record{Kind: k, ID: id, Fields: map[string]ledger.Field{}}, false, nil
	}
	item, err := b.txn.Get(parkedKey(k, id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return ledger.Record{Kind: k, ID: id, Fields: map[string]ledger.Field{}}, false, nil
	}
	if err != nil {
		return ledger.Record{}, false, fmt.Errorf("read kept-aside %s %s: %w", k, id, err)
	}
	var rec ledger.Record
	err = item.Value(func(v []byte) error {
		rec, err = decodeRecord(v)
		return err
	})
	if err != nil {
		return ledger.Record{}, false, fmt.Errorf("read kept-aside %s %s: %w", k, id, err)
	}
	return rec, true, nil
}

// keepParkedInScope drops the fields of a kept-aside training that the office which wrote them could
// not have written to the whole record: the partial record it sent may have named no village, so its
// scope could not be checked then. Its office is the one the hub set (ownFields).
func keepParkedInScope(held, in ledger.Record) ledger.Record {
	t, ok := typedOf(ledger.Merge(held, in)).(ledger.Training)
	if !ok {
		return held
	}
	out := held.Clone()
	for name, f := range held.Fields {
		if f.Office.Level() == ledger.LevelCity {
			continue
		}
		for _, v := range t.Villages {
			if !f.Office.Contains(v) {
				delete(out.Fields, name)
				break
			}
		}
	}
	return out
}

// validatePush checks a pushed record on the hub by the ledger's rules (see ApplyPush), as the record
// will be after the merge, with every value the office sent in place (a value that loses the merge
// would otherwise reach the conflict log unchecked; the tombstone stays as merged, so a deleted record
// is held only to being text). A broken rule about a value the office sent (or the record's id)
// refuses the record. A rule relating two fields is left to the offices: two offices' concurrent
// edits, each valid, can break it, and refusing one would leave the office and the city disagreeing.
// A value the hub held before that breaks a rule is not this office's doing. Required fields missing
// from a record the hub does not hold mean it has an edit before the record itself (after a restore,
// the office that made the record may not have sent it again yet): park says to keep it aside. A
// record the hub holds that would lack one is refused.
func (b *batch) validatePush(in, merged ledger.Record, after ledger.Entity, exists bool) (park bool, err error) {
	if far := b.farAhead(in); len(far) > 0 {
		return false, &ledger.ValidationError{Kind: in.Kind, ID: in.ID, Fields: far}
	}
	e := after // the usual case: every value sent won
	for name, f := range in.Fields {
		if name != ledger.FieldDeleted && !merged.Fields[name].Same(f) {
			probe := merged.Clone()
			for name, f := range in.Fields {
				if name != ledger.FieldDeleted {
					probe.Fields[name] = f
				}
			}
			if e = typedOf(probe); e == nil {
				return false, &badRecord{fmt.Sprintf("%s %s: cannot be read", in.Kind, in.ID)}
			}
			break
		}
	}
	verr := ledger.Validate(e, hubChecker{b})
	var ve *ledger.ValidationError
	if !errors.As(verr, &ve) {
		return false, verr
	}
	var bad []ledger.FieldError
	missing := false
	for _, fe := range ve.Fields {
		_, sent := in.Fields[fe.Field]
		_, has := merged.Fields[fe.Field]
		switch {
		case fe.With != "":
		case sent || fe.Field == "id" || !has && exists:
			bad = append(bad, fe)
		case !has:
			missing = true
		}
	}
	if len(bad) > 0 {
		return false, &ledger.ValidationError{Kind: ve.Kind, ID: ve.ID, Fields: bad}
	}
	return missing, nil
}

// MaxStampAhead is how far beyond the hub's clock a stamp an office pushes may lie. An office stamps
// with its clock corrected by the hub's (PROTOCOL.md §5) and moves stamps its wrong clock made before it
// pushes them, so an honest one stays within ledger.MaxAhead plus the drift between two measurements. A
// stamp beyond this would win every merge against real later work (a 2099 clock), and the largest stamp
// could not be beaten at all.
const MaxStampAhead = time.Hour

// farAhead names the fields of a pushed record stamped beyond the hub's time + MaxStampAhead.
func (b *batch) farAhead(in ledger.Record) []ledger.FieldError {
	now := b.today
	if now.IsZero() {
		now = b.s.clock.Wall().Add(b.s.clock.Offset())
	}
	limit := now.Add(MaxStampAhead).UnixMilli()
	var far []ledger.FieldError
	for _, name := range slices.Sorted(maps.Keys(in.Fields)) {
		if st := in.Fields[name].Stamp; st.WallMillis() > limit {
			label, _ := ledger.Label(in.Kind, name)
			far = append(far, ledger.FieldError{Field: name, Label: label,
				Zh: fmt.Sprintf("修改时间 %s 晚于市局时间：这台电脑的时钟走快了", st.Time().In(ledger.China).Format("2006-01-02 15:04")),
				En: fmt.Sprintf("stamped %s, beyond the city's clock", st.Time().Format(time.RFC3339))})
		}
	}
	return far
}

// hubChecker answers validation's questions on the hub. Today is the hub's date. A village or advisor
// a record names is checked for its form only (a village code of this city, an advisor id): the record
// it names may reach the hub after the record naming it (after a restore, or an advisor the city
// deleted while an office, not knowing, recorded a visit with him), and refusing would lose an honest
// record. The office checked that it knows them when the clerk saved.
type hubChecker struct{ b *batch }

func (c hubChecker) Today() time.Time {
	if !c.b.today.IsZero() {
		return c.b.today
	}
	return c.b.s.clock.Today()
}

func (c hubChecker) VillageKnown(code ledger.Code) bool { return c.b.s.id.Scope.Contains(code) }

func (c hubChecker) AdvisorKnown(id string) bool { return id != "" && len(id) <= 64 }

// Known checks the form of the id of a training, project, variety or park a record names, for the same
// reason: the record may come after the one naming it.
func (c hubChecker) Known(_ ledger.Kind, id string) bool { return id != "" && len(id) <= 64 }

// Named finds no duplicate: the registry's names are checked where the city registers a variety, and
// two city clerks registering one variety at once make two records the hub must keep alike everywhere.
func (c hubChecker) Named(ledger.Kind, string) string { return "" }

// Changes returns up to limit entries of the local change log after sequence number after, each with the
// fields it changed as the record holds them now (value and version): what sync pushes to the city.
func (s *Store) Changes(after uint64, limit int) ([]Change, error) {
	var out []Change
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixChange}, PrefetchValues: true, PrefetchSize: min(limit, 100)})
		defer it.Close()
		for it.Seek(seqKey(prefixChange, after+1)); it.Valid() && len(out) < limit; it.Next() {
			seq := keySeq(it.Item().Key())
			var c Change
			err := it.Item().Value(func(v []byte) error {
				var err error
				c, err = decodeChange(seq, v)
				return err
			})
			if err != nil {
				return fmt.Errorf("read change %d: %w", seq, err)
			}
			rec, _, err := getRecord(txn, c.Kind, c.ID)
			if err != nil {
				return err
			}
			c.Record = ledger.Record{Kind: c.Kind, ID: c.ID, Fields: make(map[string]ledger.Field, len(c.Fields))}
			for _, name := range c.Fields {
				if f, ok := rec.Fields[name]; ok {
					c.Record.Fields[name] = f
				}
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// Ack records that the city holds every local change up to seq. Pending drops accordingly.
func (s *Store) Ack(seq uint64) error {
	return s.write(func(b *batch) error {
		if seq > b.cnt.Seq {
			return fmt.Errorf("ack %d: only %d changes were made here", seq, b.cnt.Seq)
		}
		b.cnt.Acked = max(b.cnt.Acked, seq)
		return nil
	})
}

// Conflicts lists the conflict log, oldest first; only the unreviewed ones if open.
func (s *Store) Conflicts(open bool) ([]query.Conflict, error) {
	var out []query.Conflict
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixConflict}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var c query.Conflict
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &c) }); err != nil {
				return fmt.Errorf("read conflict: %w", err)
			}
			if !open || c.Resolved == "" {
				out = append(out, c)
			}
		}
		return nil
	})
	return out, err
}

// ResolveConflict closes a conflict: restore writes the losing value back as a new local edit (which
// then wins everywhere), otherwise the winner is accepted as it stands.
func (s *Store) ResolveConflict(ctx context.Context, seq uint64, restore bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.write(func(b *batch) error {
		var c query.Conflict
		item, err := b.txn.Get(seqKey(prefixConflict, seq))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("conflict %d: %w", seq, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if err := item.Value(func(v []byte) error { return json.Unmarshal(v, &c) }); err != nil {
			return err
		}
		if c.Resolved != "" {
			return fmt.Errorf("conflict %d was already resolved (%s)", seq, c.Resolved)
		}
		c.Resolved = query.ResolvedDismissed
		if restore {
			c.Resolved = query.ResolvedRestored
			if _, err := b.local(query.OpRestore, c.Kind, c.ID, map[string]string{c.Field: c.Loser.Value}); err != nil {
				return err
			}
		}
		buf, _ := json.Marshal(c)
		b.cnt.Open--
		return b.set(seqKey(prefixConflict, seq), buf)
	})
}
