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
	// Villages holds them per village when under is a township: a township office's own table.
	Villages map[ledger.Code]Tally `json:"villages,omitempty"`

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
	keys, err := txn.Get(tableVillages, indexKey, true)
	if err != nil {
		panic(fmt.Sprintf("storage: key villages query: %v", err)) // the schema has the index
	}
	if ws != nil {
		ws.Add(keys.WatchCh())
	}
	key := map[ledger.Code]bool{}
	for obj := keys.Next(); obj != nil; obj = keys.Next() {
		if v := obj.(*villageRow); under.Contains(v.Code) || under == "" {
			key[v.Code] = true
		}
	}
	p.KeyVillages = len(key)
	for _, a := range s.Assignments("", "", on, ws) {
		if key[a.Village] {
			key[a.Village] = false // covered; counted once however many advisors serve it
			p.KeyVillagesCovered++
		}
	}
	it, err := txn.Get(tableTallies, indexID+"_prefix", fmt.Sprintf("%04d/", year))
	if err != nil {
		panic(fmt.Sprintf("storage: tallies query: %v", err))
	}
	if ws != nil {
		ws.Add(it.WatchCh())
	}
	for obj := it.Next(); obj != nil; obj = it.Next() {
		t := obj.(*Tally)
		if under != "" && !under.Contains(t.Village) {
			continue
		}
		p.Total.add(*t)
		ts := p.Townships[t.Village.Township()]
		ts.add(*t)
		p.Townships[t.Village.Township()] = ts
		if under.Level() == ledger.LevelTownship {
			if p.Villages == nil {
				p.Villages = map[ledger.Code]Tally{}
			}
			vs := p.Villages[t.Village]
			vs.add(*t)
			p.Villages[t.Village] = vs
		}
		if _, isKey := key[t.Village]; !isKey {
			continue
		}
		surveys := t.VisitsByKind.Of(ledger.TrainingSurvey)
		p.Surveys += surveys
		if surveys >= SurveysPerKeyVillage {
			p.KeyVillagesSurveyed++
		}
		if t.Visits > 0 {
			p.KeyVillagesVisited++
		}
	}
	return p
}
