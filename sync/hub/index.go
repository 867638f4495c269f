package hub

import (
	"slices"
	"sort"

	"techaid/ledger"
)

// index knows, for every entry of the hub's change log, the place of the record it changed, so that a
// session finds the entries of its scope without reading the others from disk. It holds 8 bytes per
// entry, in one list per place. The hub's mutex guards it.
type index struct {
	places map[ledger.Code][]uint64 // place → sequence numbers, increasing; "" is the rosters
	head   uint64
}

func newIndex() *index { return &index{places: map[ledger.Code][]uint64{}} }

func (x *index) add(seq uint64, place ledger.Code) {
	x.places[place] = append(x.places[place], seq)
	x.head = max(x.head, seq)
}

// covers reports whether a session of scope receives records of place: rosters always, others if the
// place lies inside the scope; a city scope everything (the hub is the city's). A training spread over two townships has the county as its place, so
// neither township receives it (neither could write it either).
func covers(scope, place ledger.Code) bool {
	return place == "" || scope.Contains(place) || scope.Level() == ledger.LevelCity
}

// after returns up to limit sequence numbers after cursor whose place scope covers, in order, and the
// cursor the session has seen everything up to once it has those: the head if there are no more.
func (x *index) after(scope ledger.Code, cursor uint64, limit int) ([]uint64, uint64) {
	var lists [][]uint64
	for place, seqs := range x.places {
		if !covers(scope, place) {
			continue
		}
		i := sort.Search(len(seqs), func(i int) bool { return seqs[i] > cursor })
		if i < len(seqs) {
			lists = append(lists, seqs[i:])
		}
	}
	var out []uint64
	if len(lists) == 1 {
		out = slices.Clone(lists[0][:min(limit, len(lists[0]))])
	} else {
		// k-way merge; k is the number of places in the scope (a city has about a hundred townships).
		for len(out) < limit {
			best := -1
			for i, l := range lists {
				if len(l) > 0 && (best < 0 || l[0] < lists[best][0]) {
					best = i
				}
			}
			if best < 0 {
				break
			}
			out = append(out, lists[best][0])
			lists[best] = lists[best][1:]
		}
	}
	if len(out) < limit {
		return out, x.head
	}
	return out, out[len(out)-1]
}
