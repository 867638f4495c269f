package storage

import (
	"fmt"
	"strconv"

	"github.com/dgraph-io/badger/v4"

	"techaid/ledger"
	"techaid/query"
)

// Progress counts a year's work under a code ("" or the city for everything), every figure the
// programme's targets are measured on: it sums the villages' tallies of trainings, counts key villages
// covered by an active assignment on the date on (today, for the dashboard; the year's last day for a
// past year), reads the counts of needs, projects, varieties, leaders and publicity, and counts the
// parks' pairings and the platforms. p.Target is the year's targets they are measured against.
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
	byVillage := under.Level() == ledger.LevelTownship
	for obj := it.Next(); obj != nil; obj = it.Next() {
		t := obj.(*tally).Tally
		if under != "" && !under.Contains(t.Village) {
			continue
		}
		p.Total.Add(t)
		ts := p.Townships[t.Village.Township()]
		ts.Add(t)
		p.Townships[t.Village.Township()] = ts
		if byVillage {
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
	s.programme(&p, year, under, on, ws)
	return p
}

// YearTarget is the city's targets for a year, with the programme's defaults for every figure the city
// never set (a target written before schema 2 has no park, platform or need figures), or the defaults
// alone if it set none (custom false).
func (s *Store) YearTarget(year int) (t ledger.Target, custom bool) {
	var rec ledger.Record
	var found bool
	err := s.view(func(txn *badger.Txn) error {
		var err error
		rec, found, err = getRecord(txn, ledger.KindTarget, strconv.Itoa(year))
		return err
	})
	if err != nil || !found || rec.Deleted() {
		return ledger.DefaultTarget(year), false
	}
	t, err = ledger.As[ledger.Target](rec)
	if err != nil {
		return ledger.DefaultTarget(year), false
	}
	return t.WithDefaults(func(field string) bool { _, ok := rec.Fields[field]; return ok }), true
}

// programme fills the figures of the programme beyond trainings: from the counts kept per year and
// place, and (the few parks, pairings and platforms, and the needs open now) from the lists.
func (s *Store) programme(p *query.Progress, year int, under ledger.Code, on ledger.Date, ws query.WatchSet) {
	txn := s.mem.Txn(false)
	for _, k := range listKinds {
		watchGen(txn, ws, string(k))
	}
	watchGen(txn, ws, string(ledger.KindTarget))
	p.Target, _ = s.YearTarget(year)
	code := under
	if code == "" || code.Level() == ledger.LevelCity {
		code = s.Identity().Scope
		if len(code) > 4 {
			code = code[:4]
		}
		under = ""
	}
	fig := func(metric string) int { return s.figure(year, metric, code) }
	cat := s.lists()

	// Needs: the year's from the counts, the open ones now from the list.
	n := query.NeedProgress{Raised: fig(mNeeds), ByState: map[string]int{}, Days: p.Target.NeedDays, ByGroup: map[string]query.GroupNeeds{},
		Resolved: fig(mNeedClosed + ledger.NeedResolved), Unsolvable: fig(mNeedClosed + ledger.NeedUnsolvable)}
	for _, st := range ledger.NeedStates {
		if c := fig(mNeedState + st); c != 0 {
			n.ByState[st] = c
		}
	}
	for _, g := range ledger.Groups {
		if r, c := fig(mNeedGroup+g), fig(mNeedClosedGroup+g); r != 0 || c != 0 {
			n.ByGroup[g] = query.GroupNeeds{Raised: r, Closed: c}
		}
	}
	today, _ := on.Days()
	for _, g := range ledger.Groups {
		gn := n.ByGroup[g]
		s.eachMember(openNow, mNeedOpen+g, code, func(raised string, count int) {
			d, ok := ledger.Date(raised).Days()
			if !ok {
				return
			}
			age := max(today-d, 0)
			gn.Open += count
			if n.Days > 0 && age > n.Days {
				gn.Overdue += count
			}
			gn.Oldest = max(gn.Oldest, age)
			bucket := 0
			for bucket < len(query.NeedAges) && age > query.NeedAges[bucket] {
				bucket++
			}
			gn.Ages[bucket] += count
		})
		if gn.Open == 0 && gn.Raised == 0 && gn.Closed == 0 {
			continue
		}
		n.Open += gn.Open
		n.Overdue += gn.Overdue
		n.ByGroup[g] = gn
	}
	p.Needs = n

	// Projects.
	pr := query.ProjectProgress{ByState: map[string]int{}, Amount: float64(fig(mProjectAmount)) / 10000,
		Households: fig(mProjectHouses), Jobs: fig(mProjectJobs)}
	for _, st := range ledger.ProjectStates {
		if c := fig(mProject + st); c != 0 {
			pr.ByState[st] = c
			if ledger.ProjectSupported(st) {
				pr.Supported += c
			}
		}
	}
	p.Projects = pr

	// Varieties: each registered variety once, whether an introduction or a text names it.
	v := query.VarietyProgress{Introductions: fig(mIntros), Area: float64(fig(mIntroArea)) / 100, Households: fig(mIntroHouses)}
	seen := map[string]bool{}
	s.eachMember(year, setVarietyIDs, code, func(id string, _ int) { seen[id] = true })
	s.eachMember(year, setVarietyNames, code, func(name string, _ int) {
		if id, ok := cat.names[name]; ok {
			seen[id] = true
		} else {
			v.Unlinked++
		}
	})
	v.Count = len(seen)
	p.Varieties = v

	// Leaders and publicity.
	p.LeaderKind, p.PublicityForm = map[string]int{}, map[string]int{}
	for _, k := range ledger.LeaderKinds {
		if c := fig(mLeader + k); c != 0 {
			p.LeaderKind[k] = c
			p.Leaders += c
		}
	}
	for _, f := range ledger.PublicityForms {
		if c := fig(mPublicity + f); c != 0 {
			p.PublicityForm[f] = c
			p.Publicity += c
		}
	}

	p.Parks = s.parkProgress(cat, year, under, p.Target.ParkVillages)
	end := ledger.Date(fmt.Sprintf("%04d-12-31", year))
	place := placeKey(under)
	for _, r := range cat.rows[ledger.KindPlatform] {
		pl := r.e.(ledger.Platform)
		if under != "" && !r.touches(place) || pl.Date > end {
			continue
		}
		switch {
		case pl.State == ledger.PlatformBuilding:
			p.Platforms.Building++
		case pl.Kind == ledger.PlatformStar:
			p.Platforms.Stars++
		case pl.Kind == ledger.PlatformStation:
			p.Platforms.Stations++
		}
	}
}

// parkProgress counts the parks in a place paired with enough key villages in the year, and the key
// villages, pairings and jobs of the place's villages.
func (s *Store) parkProgress(cat *catalog, year int, under ledger.Code, enough int) query.ParkProgress {
	var pp query.ParkProgress
	txn := s.mem.Txn(false)
	isKey := func(v ledger.Code) bool {
		obj, _ := txn.First(tableVillages, indexID, string(v))
		return obj != nil && obj.(*villageRow).Key
	}
	keyVillages := map[string]map[ledger.Code]bool{} // park → key villages paired in the year
	placeVillages := map[ledger.Code]bool{}
	for _, r := range cat.rows[ledger.KindParkPairing] {
		pa := r.e.(ledger.ParkPairing)
		if !pa.ActiveIn(year) {
			continue
		}
		key := isKey(pa.Village)
		if key {
			if keyVillages[pa.Park] == nil {
				keyVillages[pa.Park] = map[ledger.Code]bool{}
			}
			keyVillages[pa.Park][pa.Village] = true
		}
		if under == "" || under.Contains(pa.Village) {
			pp.Pairings++
			pp.Jobs += pa.Jobs
			if key {
				placeVillages[pa.Village] = true
			}
		}
	}
	pp.Villages = len(placeVillages)
	for _, r := range cat.rows[ledger.KindPark] {
		park := r.e.(ledger.Park)
		if !parkIn(park, under) {
			continue
		}
		pp.Parks++
		if len(keyVillages[park.ID]) >= max(enough, 1) {
			pp.Paired++
		}
	}
	return pp
}
