package storage

import (
	"fmt"
	"slices"
	"strconv"

	"techaid/ledger"
	"techaid/query"
)

// This file keeps what is derived from records in step with them, inside the write that changes them:
// memdb rows, the trainings' index keys and the yearly tallies per village.

// tally is one village's query.Tally for one year as memdb holds it, by id ("2026/370323102201").
// Tallies are kept up to date in the same transaction as the trainings they count (old contribution
// out, new one in), so the dashboard and the monthly reports read a few thousand small rows instead of
// 100k trainings.
type tally struct {
	ID string
	query.Tally
}

func tallyID(year int, v ledger.Code) string {
	if year < 1000 || year > 9999 {
		return fmt.Sprintf("%04d/%s", year, v)
	}
	return strconv.Itoa(year) + "/" + string(v) // once per village a training names, in every write
}

// derive keeps everything computed from records in step with a record going from before to after,
// its live typed views (nil: it did not exist or was deleted; nil after: it is gone now): memdb rows,
// the programme's lists and counts, training index keys, tallies, counters.
func (b *batch) derive(before, after ledger.Entity) error {
	b.listChange(before, after)
	b.recount(before, after)
	switch {
	case after != nil:
		if err := memPut(b.mem, after); err != nil {
			return err
		}
	case before != nil:
		if err := memDelete(b.mem, before.RecordKind(), before.RecordID()); err != nil {
			return err
		}
	}
	var old, cur *ledger.Training
	if t, ok := before.(ledger.Training); ok {
		old = &t
	}
	if t, ok := after.(ledger.Training); ok {
		cur = &t
	}
	if old == nil && cur == nil {
		return nil
	}
	return b.reindexTraining(old, cur)
}

// reindexTraining moves a training's index keys and tally contributions from old to cur (nil: none).
func (b *batch) reindexTraining(old, cur *ledger.Training) error {
	var oldKeys, newKeys [][]byte
	if old != nil {
		oldKeys = trainingIndexKeys(*old)
		b.cnt.Trainings--
	}
	if cur != nil {
		newKeys = trainingIndexKeys(*cur)
		b.cnt.Trainings++
	}
	if b.id.Lean {
		return nil // a hub's store: no indexes or tallies (Options.Lean)
	}
	for _, k := range oldKeys {
		if !slices.ContainsFunc(newKeys, func(n []byte) bool { return string(n) == string(k) }) {
			if err := b.del(k); err != nil {
				return err
			}
		}
	}
	for _, k := range newKeys {
		if err := b.set(k, nil); err != nil {
			return err
		}
	}
	type delta struct {
		t    ledger.Training
		sign int
	}
	var deltas []delta
	if old != nil && old.Date.Valid() {
		deltas = append(deltas, delta{*old, -1})
	}
	if cur != nil && cur.Date.Valid() {
		deltas = append(deltas, delta{*cur, +1})
	}
	for _, d := range deltas {
		for _, v := range d.t.Villages {
			if err := b.tally(d.t, v, d.sign); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *batch) tally(t ledger.Training, v ledger.Code, sign int) error {
	year := t.Date.Year()
	id := tallyID(year, v)
	cur := b.tallies[id]
	if cur == nil {
		cur = &tally{ID: id, Tally: query.Tally{Year: year, Village: v}}
		if row, _ := b.mem.First(tableTallies, indexID, id); row != nil {
			c := *row.(*tally)
			cur = &c
		}
		b.tallies[id] = cur
	}
	cur.Count(t, v, sign)
	return nil
}

// flushTallies writes the tallies the batch changed to Badger and memdb (a zero tally is removed).
func (b *batch) flushTallies() error {
	defer clear(b.tallies)
	for id, t := range b.tallies {
		key := tallyKey(t.Year, t.Village)
		if t.Zero() {
			if err := b.del(key); err != nil {
				return err
			}
			if row, _ := b.mem.First(tableTallies, indexID, id); row != nil {
				if err := b.mem.Delete(tableTallies, row); err != nil {
					return err
				}
			}
			continue
		}
		if err := b.set(key, encodeTally(&t.Tally)); err != nil {
			return err
		}
		if err := b.mem.Insert(tableTallies, t); err != nil {
			return err
		}
	}
	return nil
}
