package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

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
		case n < 0:
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

// remote merges one incoming record; it returns the number of conflicts logged, or -1 if nothing changed.
func (b *batch) remote(in ledger.Record) (int, error) {
	if !in.Kind.Valid() || in.ID == "" || len(in.ID) > 64 {
		return 0, &badRecord{fmt.Sprintf("record %q of kind %q: unknown kind or bad id", in.ID, in.Kind)}
	}
	for name, f := range in.Fields {
		if f.Stamp == 0 || f.Replica == "" || name == "" {
			return 0, &badRecord{fmt.Sprintf("%s %s field %q: no version", in.Kind, in.ID, name)}
		}
	}
	held, exists, err := b.get(in.Kind, in.ID)
	if err != nil {
		return 0, err
	}
	merged := held.Clone()
	var changed []query.AuditField
	var conflicts []query.Conflict
	var author ledger.Version
	for _, name := range slices.Sorted(maps.Keys(in.Fields)) {
		inc := in.Fields[name]
		b.s.clock.Observe(inc.Stamp)
		old := held.Fields[name]
		outcome, winner, loser := ledger.Resolve(old, inc)
		if outcome == ledger.KeepHeld {
			continue
		}
		if winner == inc {
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
				return 0, err
			}
			conflicts = append(conflicts, query.Conflict{Kind: in.Kind, ID: in.ID, Field: name, Winner: winner, Loser: loser})
		}
	}
	if len(changed) == 0 && len(conflicts) == 0 {
		return -1, nil
	}
	before, after := typed(held, exists), typedOf(merged)
	if after == nil {
		return 0, &badRecord{fmt.Sprintf("%s %s: cannot be read", in.Kind, in.ID)}
	}
	if b.push {
		// On the hub, from an office: the record must lie in the office's scope before and after (an
		// office cannot take over another's record), and rosters come from the city scope alone.
		if err := b.inScope(after); err != nil {
			return 0, err
		}
		// Before as held, deleted or not: a deleted training is still its office's, and undeleting it
		// with villages of one's own must not move it (before is nil for a deleted record).
		if prior := typedOf(held); exists && prior != nil {
			if err := b.inScope(prior); err != nil {
				return 0, err
			}
		}
	}
	if !in.Kind.Roster() {
		if err := b.inScope(after); err != nil {
			return 0, err
		}
		// A change carries only the fields it changed, so an edit of a training this replica does not
		// hold may come without its villages, and inScope has nothing to refuse. Below the city, a
		// training that cannot be placed in the scope is not stored (it would count as a live one).
		if t, ok := after.(ledger.Training); ok && len(t.Villages) == 0 && b.id.Scope.Level() != ledger.LevelCity {
			return 0, &badRecord{fmt.Sprintf("%s %s: not held here and the change names no village, so it cannot be placed in scope %s",
				in.Kind, in.ID, b.id.Scope)}
		}
	}
	for _, c := range conflicts {
		if err := b.set(conflictSeenKey(c.ID, c.Field, c.Loser.VersionID), nil); err != nil {
			return 0, err
		}
		b.cnt.Conflicts++
		b.cnt.Open++
		c.Seq = b.cnt.Conflicts
		c.Detected = b.s.clock.Now()
		buf, _ := json.Marshal(c)
		if err := b.set(seqKey(prefixConflict, c.Seq), buf); err != nil {
			return 0, err
		}
	}
	b.kind[in.Kind] = true
	if len(changed) == 0 {
		return len(conflicts), nil
	}
	b.changed = b.changed[:0]
	for _, c := range changed {
		b.changed = append(b.changed, c.Name)
	}
	b.place = Place(after) // a deleted record keeps its place, so the tombstone travels
	if err := b.putRecord(merged); err != nil {
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
