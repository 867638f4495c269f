package storage

import (
	"fmt"

	"techaid/ledger"
	"techaid/query"
)

// Progress sums the tallies of a year under a code ("" or the city for everything) and counts key
// villages covered by an active assignment on the date on (today, for the dashboard).
func (s *Store) Progress(year int, under ledger.Code, on ledger.Date, ws query.WatchSet) query.Progress {
	p := query.Progress{Year: year, Under: under, Townships: map[ledger.Code]query.Tally{}}
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
		t := obj.(*tally).Tally
		if under != "" && !under.Contains(t.Village) {
			continue
		}
		p.Total.Add(t)
		ts := p.Townships[t.Village.Township()]
		ts.Add(t)
		p.Townships[t.Village.Township()] = ts
		if under.Level() == ledger.LevelTownship {
			if p.Villages == nil {
				p.Villages = map[ledger.Code]query.Tally{}
			}
			vs := p.Villages[t.Village]
			vs.Add(t)
			p.Villages[t.Village] = vs
		}
		if _, isKey := key[t.Village]; !isKey {
			continue
		}
		surveys := t.VisitsByKind.Of(ledger.TrainingSurvey)
		p.Surveys += surveys
		if surveys >= query.SurveysPerKeyVillage {
			p.KeyVillagesSurveyed++
		}
		if t.Visits > 0 {
			p.KeyVillagesVisited++
		}
	}
	return p
}
