package storage

import (
	"fmt"

	"github.com/hashicorp/go-memdb"

	"techaid/ledger"
)

// Progress is a year's work within a scope, the figures the programme's targets are measured on.
type Progress struct {
	Year  int         `json:"year"`
	Under ledger.Code `json:"under"`
	Total Tally       `json:"total"`
	// Townships holds the same sums per township, for the per-township table and the bulletins.
	Townships map[ledger.Code]Tally `json:"townships"`

	KeyVillages         int `json:"key_villages"`          // key villages in the scope
	KeyVillagesCovered  int `json:"key_villages_covered"`  // with an advisor assigned on the day asked
	KeyVillagesSurveyed int `json:"key_villages_surveyed"` // with at least SurveysPerKeyVillage needs surveys
	KeyVillagesVisited  int `json:"key_villages_visited"`  // with at least one training or visit
	Surveys             int `json:"surveys"`               // needs surveys in key villages
}

// SurveysPerKeyVillage is the programme's yearly target of needs surveys (需求调研) per key village.
const SurveysPerKeyVillage = 2

// Progress sums the tallies of a year under a code ("" or the city for everything) and counts key
// villages covered by an active assignment on the date on (today, for the dashboard).
func (s *Store) Progress(year int, under ledger.Code, on ledger.Date, ws memdb.WatchSet) Progress {
	p := Progress{Year: year, Under: under, Townships: map[ledger.Code]Tally{}}
	txn := s.mem.Txn(false)
	it, err := txn.Get(tableTallies, indexID+"_prefix", fmt.Sprintf("%04d/", year))
	if err != nil {
		panic(fmt.Sprintf("storage: tallies query: %v", err))
	}
	if ws != nil {
		ws.Add(it.WatchCh())
	}
	tallies := map[ledger.Code]Tally{}
	for obj := it.Next(); obj != nil; obj = it.Next() {
		t := obj.(*Tally)
		if under != "" && !under.Contains(t.Village) {
			continue
		}
		tallies[t.Village] = *t
		p.Total.add(*t)
		ts := p.Townships[t.Village.Township()]
		ts.add(*t)
		p.Townships[t.Village.Township()] = ts
	}
	keys, _ := s.Villages(VillageQuery{Under: under, KeyOnly: true}, ws)
	active := map[ledger.Code]bool{}
	for _, a := range s.Assignments("", "", on, ws) {
		active[a.Village] = true
	}
	for _, v := range keys {
		p.KeyVillages++
		t := tallies[v.Code]
		surveys := t.VisitsByKind[ledger.TrainingSurvey]
		p.Surveys += surveys
		if surveys >= SurveysPerKeyVillage {
			p.KeyVillagesSurveyed++
		}
		if t.Visits > 0 {
			p.KeyVillagesVisited++
		}
		if active[v.Code] {
			p.KeyVillagesCovered++
		}
	}
	return p
}
