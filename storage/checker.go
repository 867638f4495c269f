package storage

import (
	"slices"
	"time"

	"techaid/ledger"
)

// checker answers validation's questions from inside the write, so that a village imported earlier in
// the same batch is already known.
type checker struct{ b *batch }

func (c checker) Today() time.Time { return c.b.s.clock.Today() }
func (c checker) Doubtful() bool   { return c.b.s.clock.Doubtful() }
func (c checker) VillageKnown(code ledger.Code) bool {
	v, _ := c.b.mem.First(tableVillages, indexID, string(code))
	return v != nil
}
func (c checker) AdvisorKnown(id string) bool {
	v, _ := c.b.mem.First(tableAdvisors, indexID, id)
	return v != nil
}

// Known reads the record inside the write (so a project written earlier in the same batch is known).
func (c checker) Known(k ledger.Kind, id string) bool {
	if id == "" || len(id) > 64 || !k.Valid() {
		return false
	}
	if live, ok := c.b.live[string(recordKey(k, id))]; ok {
		return live
	}
	rec, ok, err := c.b.get(k, id)
	return err == nil && ok && !rec.Deleted()
}

// Named finds a variety by a name in normal form among the registry as this write leaves it.
func (c checker) Named(k ledger.Kind, normal string) string {
	if k != ledger.KindVariety || normal == "" {
		return ""
	}
	changed := c.b.lists[ledger.KindVariety]
	for id, ch := range changed {
		if v, ok := ch.after.(ledger.Variety); ok && slices.ContainsFunc(v.Names(), func(n string) bool { return ledger.NormalName(n) == normal }) {
			return id
		}
	}
	id := c.b.s.lists().names[normal]
	if _, ok := changed[id]; ok {
		return "" // changed in this write, and no longer called so
	}
	return id
}
