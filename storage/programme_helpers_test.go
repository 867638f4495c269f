package storage

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"techaid/ledger"
	"techaid/query"
)

// The test side of the programme's kinds: workload steps that write them, and a recount of their lists
// and counts from the records on disk, written from the rules the code documents (not by calling it).

// varietyTexts are the texts workloads name varieties by: some registered (in another width or with a
// space), some never.
var varietyTexts = []string{"烟富3号", "烟富３号", "鲁丽", "鲁 丽", "维纳斯黄金", "矮化密植", "未登记的品种"}

// programmeStep makes one random write of the programme's kinds.
func (w *workload) programmeStep() {
	if w.prog == nil {
		w.prog = map[ledger.Kind][]string{}
	}
	add := func(e ledger.Entity) {
		w.prog[e.RecordKind()] = append(w.prog[e.RecordKind()], mustCreate(w.t, w.s, e))
		w.ops["create "+string(e.RecordKind())]++
	}
	live := func(k ledger.Kind) []string {
		var out []string
		for _, id := range w.prog[k] {
			if rec, err := w.s.Record(id); err == nil && !rec.Deleted() {
				out = append(out, id)
			}
		}
		return out
	}
	liveTrainings := func() []string {
		var out []string
		for _, id := range w.trainings {
			if rec, err := w.s.Record(id); err == nil && !rec.Deleted() {
				out = append(out, id)
			}
		}
		return out
	}
	some := func(ids []string, most int) []string {
		if len(ids) == 0 {
			return nil
		}
		n := w.pick(min(most, len(ids)) + 1)
		out := make([]string, n)
		for i, p := range w.rng.Perm(len(ids))[:n] {
			out[i] = ids[p]
		}
		return out
	}
	group := func() string { return ledger.Groups[w.pick(len(ledger.Groups))] }
	switch r := w.pick(100); {
	case r < 8:
		name := []string{"烟富3号", "鲁丽", "维纳斯黄金", "济麦22", "水肥一体化"}[w.pick(5)]
		for w.s.MatchVariety(name).Variety != nil { // registered already (here, or by a replica synced with)
			name += "新"
		}
		add(ledger.Variety{Name: name, Kind: ledger.VarietyKinds[w.pick(2)], Group: group()})
	case r < 12:
		if vs := live(ledger.KindVariety); len(vs) > 0 { // an alias: what trainings name may now count
			before := mustGet[ledger.Variety](w.t, w.s, vs[w.pick(len(vs))])
			after := before
			after.Aliases = []string{"别名" + before.ID[len(before.ID)-6:]}
			if w.pick(2) == 0 && w.s.MatchVariety("矮化密植").Variety == nil {
				after.Aliases = []string{"矮化密植"}
			}
			// Two city replicas may each have registered a 鲁丽 before they synced: the registry then holds
			// it twice, and the store refuses edits of either (naming the other) until a clerk resolves it.
			if err := w.s.Update(context.Background(), before, after); errors.Is(err, ledger.ErrInvalid) {
				w.ops["duplicate variety"]++
				return
			} else if err != nil {
				w.t.Fatal(err)
			}
			w.ops["edit variety"]++
		}
	case r < 30:
		n := ledger.Need{Village: w.villages[w.pick(len(w.villages))], Problem: "果树病虫害防治", Group: group(),
			State: ledger.NeedStates[w.pick(len(ledger.NeedStates))], Raised: w.date()}
		w.settleNeed(&n)
		n.Trainings = some(liveTrainings(), 2)
		n.Projects = some(live(ledger.KindProject), 1)
		add(n)
	case r < 42:
		if ns := live(ledger.KindNeed); len(ns) > 0 {
			before := mustGet[ledger.Need](w.t, w.s, ns[w.pick(len(ns))])
			after := before
			after.State = ledger.NeedStates[w.pick(len(ledger.NeedStates))]
			if w.pick(3) == 0 {
				after.Raised = w.date()
			}
			w.settleNeed(&after)
			mustUpdate(w.t, w.s, before, after)
			w.ops["edit need"]++
		}
	case r < 52:
		if len(w.advisors) > 0 {
			p := ledger.Project{Name: "示范项目", Year: 2025 + w.pick(2), Villages: w.someVillages(), Lead: w.advisors[w.pick(len(w.advisors))],
				Group: group(), Source: ledger.ProjectSources[w.pick(4)], Amount: float64(w.pick(500)) / 4, Households: w.pick(90),
				Jobs: w.pick(20), Varieties: some(varietyTexts, 2)}
			w.settleProject(&p, ledger.ProjectStates[w.pick(len(ledger.ProjectStates))])
			add(p)
		}
	case r < 58:
		if ps := live(ledger.KindProject); len(ps) > 0 {
			before := mustGet[ledger.Project](w.t, w.s, ps[w.pick(len(ps))])
			after := before
			after.Villages = slices.Clone(before.Villages)
			switch w.pick(3) {
			case 0:
				w.settleProject(&after, ledger.ProjectStates[w.pick(len(ledger.ProjectStates))])
			case 1:
				after.Villages = w.someVillages()
			case 2:
				after.Amount, after.Year = float64(w.pick(100))/8, 2025+w.pick(2)
			}
			mustUpdate(w.t, w.s, before, after)
			w.ops["edit project"]++
		}
	case r < 66:
		if vs := live(ledger.KindVariety); len(vs) > 0 {
			year := 2025 + w.pick(2)
			add(ledger.Introduction{Variety: vs[w.pick(len(vs))], Year: year, Villages: w.someVillages(),
				Area: float64(w.pick(400)) / 2, Households: w.pick(50), Trainings: some(liveTrainings(), 1)})
		}
	case r < 74:
		add(ledger.Leader{Name: surnames[w.pick(len(surnames))] + "带头人", Kind: ledger.LeaderKinds[w.pick(2)],
			Village: w.villages[w.pick(len(w.villages))], Since: w.date()})
	case r < 80:
		v := w.villages[w.pick(len(w.villages))]
		org := []ledger.Code{v.Township(), v.County(), v[:4]}[w.pick(3)]
		add(ledger.Publicity{Title: "科技帮扶纪实", Outlet: "淄博日报", Date: w.date(), Form: ledger.PublicityForms[w.pick(3)],
			Org: org, Villages: []ledger.Code{v}, Advisors: some(w.advisors, 1)})
	case r < 83:
		add(ledger.Park{Name: fmt.Sprint("农业科技园区", len(w.prog[ledger.KindPark])), County: w.villages[w.pick(len(w.villages))].County()})
	case r < 89:
		if ps := live(ledger.KindPark); len(ps) > 0 {
			p := ledger.ParkPairing{Park: ps[w.pick(len(ps))], Village: w.villages[w.pick(len(w.villages))], From: w.date(), Jobs: w.pick(30)}
			if w.pick(2) == 0 {
				p.To = ledger.DateOf(p.From.Time().AddDate(0, w.pick(18), 0))
			}
			add(p)
		}
	case r < 92:
		v := w.villages[w.pick(len(w.villages))]
		add(ledger.Platform{Name: "农科驿站", Kind: ledger.PlatformKinds[w.pick(2)], Level: ledger.PlatformLevels[w.pick(3)],
			State: ledger.PlatformStates[w.pick(2)], Date: w.date(), Location: v.Township(), Villages: []ledger.Code{v}})
	default:
		kinds := []ledger.Kind{ledger.KindNeed, ledger.KindProject, ledger.KindVariety, ledger.KindIntroduction, ledger.KindLeader,
			ledger.KindPublicity, ledger.KindPark, ledger.KindParkPairing, ledger.KindPlatform}
		k := kinds[w.pick(len(kinds))]
		w.toggle(string(k), w.prog[k])
	}
}

// settleNeed makes a need's closing date and taker agree with its state.
func (w *workload) settleNeed(n *ledger.Need) {
	n.Closed, n.Reason = "", ""
	if n.State != ledger.NeedWaiting && n.Advisor == "" && len(w.advisors) > 0 {
		n.Advisor = w.advisors[w.pick(len(w.advisors))]
	}
	if n.Advisor == "" && n.State != ledger.NeedUnsolvable {
		n.State = ledger.NeedWaiting
	}
	if !n.Open() {
		n.Closed = min(ledger.DateOf(n.Raised.Time().AddDate(0, 0, w.pick(120))), "2026-10-31")
		if n.State == ledger.NeedUnsolvable {
			n.Reason = "资金不足"
		}
	}
}

// settleProject gives a project the state and the dates the state needs.
func (w *workload) settleProject(p *ledger.Project, state string) {
	p.State = state
	p.Applied = ledger.Date(fmt.Sprintf("%04d-01-1%d", p.Year, w.pick(10)))
	p.Approved, p.Finished = "", ""
	if ledger.ProjectSupported(state) {
		p.Approved = ledger.Date(fmt.Sprintf("%04d-03-0%d", p.Year, 1+w.pick(9)))
	}
	if state == ledger.ProjectAccepted || state == ledger.ProjectTerminated {
		p.Finished = ledger.Date(fmt.Sprintf("%04d-10-%02d", p.Year, 1+w.pick(28)))
	}
}

// countID names a count for comparison: year, metric, place and member.
func countID(year int, metric string, code ledger.Code, member string) string {
	return fmt.Sprintf("%04d/%s/%s/%s", year, metric, code, member)
}

// expectedCounts recounts the counts every live record should have made, from the rules in counts.go's
// comments: a record counts once in each city, county and township it touches.
func expectedCounts(t testing.TB, recs map[string]ledger.Record) map[string]int {
	t.Helper()
	out := map[string]int{}
	places := func(villages ...ledger.Code) []ledger.Code {
		var ps []ledger.Code
		for _, v := range villages {
			for _, p := range []ledger.Code{v[:4], v[:6], v[:9]} {
				if !slices.Contains(ps, p) {
					ps = append(ps, p)
				}
			}
		}
		return ps
	}
	add := func(year int, metric string, ps []ledger.Code, member string, n int) {
		if year == 0 || n == 0 {
			return
		}
		for _, p := range ps {
			out[countID(year, metric, p, member)] += n
		}
	}
	names := func(year int, ps []ledger.Code, texts []string) {
		seen := map[string]bool{}
		for _, tx := range texts {
			if n := ledger.NormalName(tx); n != "" && !seen[n] {
				seen[n] = true
				add(year, "variety_names", ps, n, 1)
			}
		}
	}
	for _, rec := range recs {
		if rec.Deleted() {
			continue
		}
		e, err := ledger.Decode(rec.Kind, rec.ID, rec.Values())
		if err != nil {
			t.Fatal(err)
		}
		switch r := e.(type) {
		case ledger.Training:
			if len(r.Villages) > 0 {
				names(r.Date.Year(), places(r.Villages[0]), r.Varieties)
			}
		case ledger.Need:
			ps := places(r.Village)
			y := r.Raised.Year()
			add(y, "need", ps, "", 1)
			add(y, "need:"+r.State, ps, "", 1)
			add(y, "need_group:"+r.Group, ps, "", 1)
			if r.State == ledger.NeedResolved || r.State == ledger.NeedUnsolvable {
				add(r.Closed.Year(), "need_closed:"+r.State, ps, "", 1)
				add(r.Closed.Year(), "need_closed_group:"+r.Group, ps, "", 1)
			} else {
				add(1, "need_open:"+r.Group, ps, string(r.Raised), 1) // open now, by the day raised
			}
		case ledger.Project:
			ps := places(r.Villages...)
			add(r.Year, "project:"+r.State, ps, "", 1)
			if r.State == ledger.ProjectApproved || r.State == ledger.ProjectRunning || r.State == ledger.ProjectAccepted {
				add(r.Year, "project_amount", ps, "", int(math.Round(r.Amount*10000)))
				add(r.Year, "project_households", ps, "", r.Households)
				add(r.Year, "project_jobs", ps, "", r.Jobs)
				names(r.Year, ps, r.Varieties)
			}
		case ledger.Introduction:
			ps := places(r.Villages...)
			add(r.Year, "intro", ps, "", 1)
			add(r.Year, "intro_area", ps, "", int(math.Round(r.Area*100)))
			add(r.Year, "intro_households", ps, "", r.Households)
			add(r.Year, "variety_ids", ps, r.Variety, 1)
		case ledger.Leader:
			add(r.Since.Year(), "leader:"+r.Kind, places(r.Village), "", 1)
		case ledger.Publicity:
			var ps []ledger.Code
			for _, n := range []int{4, 6, 9} {
				if len(r.Org) >= n {
					ps = append(ps, r.Org[:n])
				}
			}
			add(r.Date.Year(), "publicity:"+r.Form, ps, "", 1)
		}
	}
	for k, v := range out {
		if v == 0 {
			delete(out, k)
		}
	}
	return out
}

// persistedCounts reads the count keys on disk; memCounts the counts in memory.
func persistedCounts(t testing.TB, s *Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	c, err := func() (*counts, error) {
		txn := s.db.NewTransaction(false)
		defer txn.Discard()
		return loadCounts(txn)
	}()
	if err != nil {
		t.Fatal(err)
	}
	flatten(c, out)
	return out
}

func memCounts(s *Store) map[string]int {
	out := map[string]int{}
	s.countMu.RLock()
	defer s.countMu.RUnlock()
	flatten(s.figures, out)
	return out
}

func flatten(c *counts, out map[string]int) {
	for k, n := range c.n {
		out[countID(k.year, k.metric, k.code, "")] = n
	}
	for k, ms := range c.members {
		for m, n := range ms {
			out[countID(k.year, k.metric, k.code, m)] = n
		}
	}
}

// checkProgrammeConsistent checks the programme's counts on disk and in memory against a recount, and
// its lists against the live records on disk, in list order.
func checkProgrammeConsistent(t testing.TB, s *Store, recs map[string]ledger.Record) {
	t.Helper()
	want := expectedCounts(t, recs)
	if got := persistedCounts(t, s); !reflect.DeepEqual(got, want) {
		t.Errorf("counts on disk differ from a recount:\n%s", countDiff(got, want))
	}
	if got := memCounts(s); !reflect.DeepEqual(got, want) {
		t.Errorf("counts in memory differ from a recount:\n%s", countDiff(got, want))
	}
	cat := s.lists()
	for _, k := range listKinds {
		var live []ledger.Entity
		for _, rec := range recs {
			if rec.Kind == k && !rec.Deleted() {
				e, _ := ledger.Decode(k, rec.ID, rec.Values())
				live = append(live, e)
			}
		}
		sort.Slice(live, func(i, j int) bool { return listsBefore(k, live[i], live[j]) })
		var got []ledger.Entity
		for _, r := range cat.rows[k] {
			got = append(got, r.e)
		}
		if !reflect.DeepEqual(got, live) {
			t.Errorf("the %s list holds %d records, disk %d live ones (or in another order)", k, len(got), len(live))
		}
	}
}

// listsBefore is the documented list order: registries by name (platforms by kind, then name), the
// rest newest first by ledger.When, ties by id (newest id first).
func listsBefore(k ledger.Kind, a, b ledger.Entity) bool {
	switch x := a.(type) {
	case ledger.Variety:
		y := b.(ledger.Variety)
		return ledger.NormalName(x.Name)+"\x00"+x.ID < ledger.NormalName(y.Name)+"\x00"+y.ID
	case ledger.Park:
		y := b.(ledger.Park)
		return x.Name+"\x00"+x.ID < y.Name+"\x00"+y.ID
	case ledger.Platform:
		y := b.(ledger.Platform)
		return x.Kind+"\x00"+x.Name+"\x00"+x.ID < y.Kind+"\x00"+y.Name+"\x00"+y.ID
	}
	da, ya := ledger.When(a)
	db, yb := ledger.When(b)
	if ya != yb {
		return ya > yb
	}
	if da != db {
		return da > db
	}
	return a.RecordID() > b.RecordID()
}

func countDiff(got, want map[string]int) string {
	var lines []string
	for k, v := range got {
		if want[k] != v {
			lines = append(lines, fmt.Sprintf("  %s: %d, want %d", k, v, want[k]))
		}
	}
	for k, v := range want {
		if _, ok := got[k]; !ok {
			lines = append(lines, fmt.Sprintf("  %s: missing, want %d", k, v))
		}
	}
	sort.Strings(lines)
	if len(lines) > 20 {
		lines = append(lines[:20], fmt.Sprintf("  … %d more", len(lines)-20))
	}
	return strings.Join(lines, "\n")
}

// snapshotProgramme adds the programme's queries to a snapshot.
func snapshotProgramme(t testing.TB, s *Store, put func(string, any)) {
	t.Helper()
	page := func(name string, v any, n int) { put(name, fmt.Sprint(n, v)) }
	for _, under := range []ledger.Code{"", city, gaoqing, yiyuan, lucun, lucun1} {
		l := query.List{Under: under}
		ns, n := s.Needs(query.Needs{List: l}, nil)
		page("Needs "+string(under), ns, n)
		ns, n = s.Needs(query.Needs{List: l, Open: true, Older: 30, On: "2026-06-01"}, nil)
		page("Needs overdue "+string(under), ns, n)
		ps, n := s.Projects(query.Projects{List: l, Supported: true}, nil)
		page("Projects "+string(under), ps, n)
		is, n := s.Introductions(query.Introductions{List: query.List{Under: under, Year: 2026}}, nil)
		page("Introductions "+string(under), is, n)
		ls, n := s.Leaders(query.Leaders{List: query.List{Under: under, From: "2026-01-01", Limit: 5}}, nil)
		page("Leaders "+string(under), ls, n)
		bs, n := s.PublicityList(query.Publicity{List: l}, nil)
		page("Publicity "+string(under), bs, n)
		fs, n := s.Platforms(query.Platforms{List: l}, nil)
		page("Platforms "+string(under), fs, n)
		put("Parks "+string(under), s.Parks(under, nil))
		put("ParkPairings "+string(under), s.ParkPairings(query.ParkPairings{Under: under, Year: 2026}, nil))
		for _, year := range []int{2025, 2026} {
			put(fmt.Sprintf("Unlinked %d %s", year, under), s.Unlinked(year, under))
		}
	}
	put("Varieties", s.Varieties(query.Varieties{}, nil))
	for _, text := range varietyTexts {
		put("MatchVariety "+text, s.MatchVariety(text))
	}
}

// tolerateInUse is how workloads treat a deletion refused because live records name the record.
func tolerateInUse(err error) bool { return errors.Is(err, ErrInUse) }
