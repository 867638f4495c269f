package storage

// Stamps made under a clock that was wrong, moved to the real time of the edit once the hub's clock says
// what that time was (DESIGN guarantee 5, PROTOCOL.md §5).

import (
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"techaid/ledger"
)

// restamp moves the versions this replica wrote under a wrong clock by delta, the difference between
// the offset just measured and the one they were stamped with: a PC that said 2000-01-01 (or 2099) when
// its clerk recorded a training stamped it then; moved by the offset, the stamp is the real time of the
// edit, so the record reaches the city stamped sanely, and a stamp from a clock running ahead cannot win
// against real later edits.
//
// Only what the hub does not hold is moved (the records of the changes after acked): a version the hub
// or another replica holds must keep its identity. Of those, a version moves when its stamp is wrong by
// the measurement: stamped beyond now+MaxAhead when the clock ran ahead (delta < 0); landing at or
// before now+MaxAhead when it ran behind (delta > 0), which leaves alone what was stamped before the
// clock went wrong. The records' history entries move with them. It returns how many fields moved.
func (b *batch) restamp(delta time.Duration, now time.Time) (int, error) {
	if b.cnt.Seq <= b.cnt.Acked {
		return 0, nil
	}
	limit := now.Add(ledger.MaxAhead).UnixMilli()
	move := func(s ledger.Stamp) (ledger.Stamp, bool) {
		if s == ledger.ReferenceStamp {
			return s, false
		}
		moved := s.WallMillis() + delta.Milliseconds()
		if delta < 0 && s.WallMillis() <= limit || delta > 0 && moved > limit || moved <= 0 {
			return s, false
		}
		return ledger.MakeStamp(moved, s.Logical()), true
	}
	type key struct {
		kind ledger.Kind
		id   string
	}
	var recs []key
	seen := map[key]bool{}
	it := b.txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixChange}, PrefetchValues: true})
	for it.Seek(seqKey(prefixChange, b.cnt.Acked+1)); it.Valid(); it.Next() {
		var c Change
		err := it.Item().Value(func(v []byte) (err error) {
			c, err = decodeChange(keySeq(it.Item().Key()), v)
			return err
		})
		if err != nil {
			it.Close()
			return 0, err
		}
		if k := (key{c.Kind, c.ID}); !seen[k] {
			seen[k] = true
			recs = append(recs, k)
		}
	}
	it.Close()
	n := 0
	for _, k := range recs {
		rec, ok, err := b.get(k.kind, k.id)
		if err != nil || !ok {
			return n, err
		}
		changed := false
		for name, f := range rec.Fields {
			if f.Replica != b.id.Replica {
				continue
			}
			if s, ok := move(f.Stamp); ok {
				f.Stamp = s
				rec.Fields[name] = f
				b.s.clock.Observe(s)
				changed = true
				n++
			}
		}
		if !changed {
			continue
		}
		if err := b.putRecord(rec, rec); err != nil { // stamps move, values (and evidence) stay
			return n, err
		}
		if err := b.restampHistory(k.id, move); err != nil {
			return n, err
		}
	}
	return n, nil
}

// restampHistory moves this replica's history entries of a record as restamp moved its versions.
func (b *batch) restampHistory(id string, move func(ledger.Stamp) (ledger.Stamp, bool)) error {
	type entry struct {
		old []byte
		val []byte
	}
	var moved []entry
	it := b.txn.NewIterator(badger.IteratorOptions{Prefix: historyPrefix(id), PrefetchValues: true})
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			it.Close()
			return err
		}
		moved = append(moved, entry{it.Item().KeyCopy(nil), v})
	}
	it.Close()
	for _, e := range moved {
		a, err := decodeAudit(e.val)
		if err != nil {
			return fmt.Errorf("history of %s: %w", id, err)
		}
		s, ok := move(a.Stamp)
		if a.Replica != b.id.Replica || !ok {
			continue
		}
		if err := b.del(e.old); err != nil {
			return err
		}
		a.Stamp = s
		if _, err := b.txn.Get(historyKey(id, s)); err == nil {
			continue // an entry already there: keep it, drop the moved copy rather than hide it
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		if err := b.set(historyKey(id, s), encodeAudit(a)); err != nil {
			return err
		}
	}
	return nil
}
