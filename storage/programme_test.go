package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"techaid/ledger"
	"techaid/query"
)

// More villages of the sample: 王村 (鲁村镇) is wangcun; these lie in other townships.
const (
	yuezhuang  ledger.Code = "370323104"    // 悦庄镇 of 沂源县
	yuezhuang1 ledger.Code = "370323104201" // 东悦庄村
)

// cityWithRoster is a city store with the sample villages (key villages marked), two advisors, a
// park and a variety.
func cityWithRoster(t *testing.T) (*Store, []string) {
	t.Helper()
	s := newStore(t, city, Options{})
	var advisors []string
	for _, n := range []string{"王建国", "李芳"} {
		advisors = append(advisors, mustCreate(t, s, advisor(n, "林果")))
	}
	for _, v := range []ledger.Code{lucun1, wangcun, taisun} {
		held, err := s.Village(v)
		if err != nil {
			t.Fatal(err)
		}
		key := held
		key.Key, key.KeyYear = true, 2016
		mustUpdate(t, s, held, key)
	}
	return s, advisors
}

func need(v ledger.Code, state string, raised, closed ledger.Date, advisorID string) ledger.Need {
	n := ledger.Need{Village: v, Problem: "苹果腐烂病", Group: "林果", State: state, Raised: raised, Closed: closed, Advisor: advisorID}
	if state == ledger.NeedUnsolvable {
		n.Reason = "缺少资金"
	}
	return n
}

// TestProgrammeScope: a township office writes the needs, leaders, introductions, projects and
// publicity of its own villages; never another township's, never the city's registries, never moves
// one of its records out nor takes one over; a record spanning townships is the county's.
func TestProgrammeScope(t *testing.T) {
	ctx := context.Background()
	c, advisors := cityWithRoster(t)
	varietyID := mustCreate(t, c, ledger.Variety{Name: "鲁丽", Kind: ledger.VarietyBreed})
	township := newStore(t, lucun, Options{})
	county := newStore(t, yiyuan, Options{})
	// The township and the county receive the rosters as sync would bring them.
	var rosters []ledger.Record
	for _, ch := range allChanges(t, c) {
		if ch.Kind.Roster() {
			rosters = append(rosters, ch.Record)
		}
	}
	for _, st := range []*Store{township, county} {
		if res, err := st.ApplyRemote(ctx, rosters); err != nil || len(res.Refused) != 0 {
			t.Fatalf("rosters refused: %+v, %v", res.Refused, err)
		}
	}
	own := mustCreate(t, township, need(lucun1, ledger.NeedWaiting, "2026-03-01", "", ""))
	mustCreate(t, township, ledger.Leader{Name: "王德福", Kind: ledger.LeaderRich, Village: wangcun, Since: "2026-04-01", Advisor: advisors[0]})
	mustCreate(t, township, ledger.Introduction{Variety: varietyID, Year: 2026, Villages: []ledger.Code{lucun1, wangcun}})
	mustCreate(t, township, ledger.Publicity{Title: "果园课堂", Outlet: "沂源报", Date: "2026-04-02", Form: ledger.PublicityNews, Org: lucun})
	mustCreate(t, township, ledger.Project{Name: "矮化密植", Year: 2026, Villages: []ledger.Code{lucun1}, Lead: advisors[0], Group: "林果",
		Source: ledger.SourceCounty, State: ledger.ProjectApplied})

	refused := []struct {
		name string
		e    ledger.Entity
	}{
		{"a need of another township", need(yuezhuang1, ledger.NeedWaiting, "2026-03-01", "", "")},
		{"a project spanning two townships", ledger.Project{Name: "跨镇", Year: 2026, Villages: []ledger.Code{lucun1, yuezhuang1},
			Lead: advisors[0], Group: "林果", Source: ledger.SourceCounty, State: ledger.ProjectApplied}},
		{"the county's publicity", ledger.Publicity{Title: "全县", Outlet: "沂源报", Date: "2026-04-02", Form: ledger.PublicityNews, Org: yiyuan}},
		{"a variety", ledger.Variety{Name: "烟富3号", Kind: ledger.VarietyBreed}},
		{"a park", ledger.Park{Name: "园区", County: yiyuan}},
		{"a platform", ledger.Platform{Name: "驿站", Kind: ledger.PlatformStation, Level: ledger.LevelProvincial,
			State: ledger.PlatformBuilding, Date: "2026-01-01", Location: lucun}},
	}
	before := township.Stats(nil)
	for _, tc := range refused {
		_, err := township.Create(ctx, tc.e)
		var se *ScopeError
		if !errors.As(err, &se) || !errors.Is(err, ErrScope) {
			t.Errorf("%s: %v, want a scope error", tc.name, err)
			continue
		}
		if zh := ledger.Chinese(err); !strings.Contains(zh, ledger.KindName(tc.e.RecordKind())) {
			t.Errorf("%s: the clerk reads %q", tc.name, zh)
		}
	}
	if after := township.Stats(nil); after.Changes != before.Changes {
		t.Errorf("refused writes changed the store: %d changes, then %d", before.Changes, after.Changes)
	}

	// Moving a need out of the township is refused, and so is the county's taking one over.
	held := mustGet[ledger.Need](t, township, own)
	moved := held
	moved.Village = yuezhuang1
	if err := township.Update(ctx, held, moved); !errors.Is(err, ErrScope) {
		t.Errorf("moving a need out of scope: %v", err)
	}
	// The county writes the spanning project and its own publicity.
	mustCreate(t, county, refused[1].e)
	mustCreate(t, county, refused[2].e)
	other := newStore(t, yuezhuang, Options{})
	if res := exchange(t, township, other); len(res.Refused) == 0 {
		t.Error("another township took the township's records")
	}
	for _, k := range []ledger.Kind{ledger.KindNeed, ledger.KindLeader, ledger.KindIntroduction, ledger.KindPublicity, ledger.KindProject} {
		for _, r := range other.lists().rows[k] {
			t.Errorf("悦庄镇 holds 鲁村镇's %s %s", k, r.id)
		}
	}
	// Places: the township's records lie in the township; the spanning project in the county.
	for _, ch := range allChanges(t, county) {
		if ch.Kind == ledger.KindProject {
			if p := RecordPlace(ch.Record); p != yiyuan {
				t.Errorf("the spanning project lies in %q, want %s", p, yiyuan)
			}
		}
	}
	for _, ch := range allChanges(t, township) {
		want := ledger.Code(lucun)
		if got := RecordPlace(ch.Record); ch.Kind != ledger.KindVillage && got != want {
			t.Errorf("%s %s lies in %q, want %s", ch.Kind, ch.ID, got, want)
		}
	}
	if p := RecordPlace(ledger.Record{Kind: ledger.KindPark, ID: "x"}); p != "" {
		t.Errorf("a park lies in %q: rosters go to every office", p)
	}
}

// TestProgrammeRefusedStoresNothing: a record that breaks a rule is refused with every problem named
// in Chinese, and nothing (record, change log, counts, lists) changes.
func TestProgrammeRefusedStoresNothing(t *testing.T) {
	s, _ := cityWithRoster(t)
	before, beforeKeys := s.Stats(nil), rawKeys(t, s)
	bad := []ledger.Entity{
		ledger.Need{Village: lucun1, Problem: "缺技术", Group: "果树", State: ledger.NeedResolved, Raised: "2026-05-01"},
		ledger.Project{Name: "示范", Year: 2099, Villages: []ledger.Code{lucun1}, Group: "林果", Source: "中央", State: ledger.ProjectRunning},
		ledger.Introduction{Variety: "no-such-variety", Year: 2026, Villages: []ledger.Code{lucun1}},
		ledger.Leader{Name: "张", Kind: "能人", Village: lucun1, Since: "2099-01-01"},
		ledger.Publicity{Title: "报道", Outlet: "日报", Date: "2026-05-01", Form: "短视频", Org: lucun},
		ledger.ParkPairing{Park: "no-such-park", Village: lucun1, From: "2026-01-01"},
	}
	for _, e := range bad {
		_, err := s.Create(context.Background(), e)
		var ve *ledger.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: %v, want a validation error", e.RecordKind(), err)
			continue
		}
		if zh := ledger.Chinese(err); !strings.HasPrefix(zh, ledger.KindName(e.RecordKind())+"填写有误：") {
			t.Errorf("%s: the clerk reads %q", e.RecordKind(), zh)
		}
	}
	if after := s.Stats(nil); after != before {
		t.Errorf("stats moved: %+v → %+v", before, after)
	}
	if diff := keyDiff(rawKeys(t, s), beforeKeys); len(diff) > 0 {
		t.Errorf("refused records wrote keys: %q", diff)
	}
}

// TestProgrammeCounts: every figure of a year, counted per city, county and township, from records
// written, edited and deleted, checked against numbers worked out by hand.
func TestProgrammeCounts(t *testing.T) {
	ctx := context.Background()
	s, adv := cityWithRoster(t)
	a := adv[0]
	luli := mustCreate(t, s, ledger.Variety{Name: "鲁丽", Kind: ledger.VarietyBreed, Aliases: []string{"鲁丽苹果"}})
	yanfu := mustCreate(t, s, ledger.Variety{Name: "烟富3号", Kind: ledger.VarietyBreed})
	mustCreate(t, s, ledger.Variety{Name: "水肥一体化", Kind: ledger.VarietyTechnique})

	// Needs: three in 鲁村镇 (two raised in 2026), one in 高青县 that stays open long.
	mustCreate(t, s, need(lucun1, ledger.NeedResolved, "2026-03-01", "2026-04-01", a))
	mustCreate(t, s, need(wangcun, ledger.NeedUnsolvable, "2026-09-01", "2026-10-01", ""))
	late := mustCreate(t, s, need(lucun1, ledger.NeedServing, "2025-12-20", "", a))
	gq := need(taisun, ledger.NeedWaiting, "2026-06-01", "", "")
	gq.Group = "粮食"
	mustCreate(t, s, gq)
	// A need raised and deleted counts nowhere.
	gone := mustCreate(t, s, need(lucun1, ledger.NeedWaiting, "2026-07-01", "", ""))
	if err := s.Delete(ctx, gone); err != nil {
		t.Fatal(err)
	}

	// Projects: supported in 鲁村镇 (8 万元), one across two townships of 沂源县, one applied only.
	mustCreate(t, s, ledger.Project{Name: "矮化密植", Year: 2026, Villages: []ledger.Code{lucun1, wangcun}, Lead: a, Group: "林果",
		Source: ledger.SourceCity, Amount: 8, State: ledger.ProjectRunning, Approved: "2026-03-01", Households: 40, Jobs: 6,
		Varieties: []string{"鲁丽", "水肥 一体化"}})
	mustCreate(t, s, ledger.Project{Name: "跨镇示范", Year: 2026, Villages: []ledger.Code{lucun1, yuezhuang1}, Lead: a, Group: "林果",
		Source: ledger.SourceProvince, Amount: 20.5, State: ledger.ProjectAccepted, Approved: "2026-02-01", Finished: "2026-10-01", Jobs: 10})
	mustCreate(t, s, ledger.Project{Name: "申报中", Year: 2026, Villages: []ledger.Code{taisun}, Lead: a, Group: "粮食",
		Source: ledger.SourceCounty, Amount: 99, State: ledger.ProjectApplied, Varieties: []string{"济麦22"}})

	// Varieties: 鲁丽 named by two trainings in 鲁村镇 (once in full width) and introduced there:
	// it counts once. 烟富3号 introduced in 高青县. An unregistered text stays unlinked.
	for _, texts := range [][]string{{"鲁丽苹果", "无名品种"}, {"鲁 丽"}} {
		tr := training("2026-05-02", []ledger.Code{lucun1}, []string{a})
		tr.Varieties = texts
		mustCreate(t, s, tr)
	}
	mustCreate(t, s, ledger.Introduction{Variety: luli, Year: 2026, Villages: []ledger.Code{lucun1}, Area: 30.5, Households: 12})
	mustCreate(t, s, ledger.Introduction{Variety: yanfu, Year: 2026, Villages: []ledger.Code{taisun}, Area: 10, Households: 3})

	// Leaders, publicity (one by the county: not counted in any township).
	mustCreate(t, s, ledger.Leader{Name: "王德福", Kind: ledger.LeaderRich, Village: lucun1, Since: "2026-04-01"})
	mustCreate(t, s, ledger.Leader{Name: "李秀英", Kind: ledger.LeaderModel, Village: taisun, Since: "2026-05-01"})
	mustCreate(t, s, ledger.Leader{Name: "去年的", Kind: ledger.LeaderModel, Village: taisun, Since: "2025-05-01"})
	mustCreate(t, s, ledger.Publicity{Title: "果园课堂", Outlet: "沂源报", Date: "2026-04-02", Form: ledger.PublicityNews, Org: lucun})
	mustCreate(t, s, ledger.Publicity{Title: "全县", Outlet: "淄博日报", Date: "2026-05-02", Form: ledger.PublicityFeature, Org: yiyuan})

	// Parks: 沂源's park paired with two key villages (paired), 高青's with one.
	yy := mustCreate(t, s, ledger.Park{Name: "沂源园区", County: yiyuan, Speciality: "沂源红苹果"})
	gqp := mustCreate(t, s, ledger.Park{Name: "高青园区", County: gaoqing})
	mustCreate(t, s, ledger.ParkPairing{Park: yy, Village: lucun1, From: "2026-01-01", Jobs: 12})
	mustCreate(t, s, ledger.ParkPairing{Park: yy, Village: wangcun, From: "2025-03-01", To: "2026-02-01", Jobs: 5})
	mustCreate(t, s, ledger.ParkPairing{Park: yy, Village: yuezhuang1, From: "2026-01-01", Jobs: 1}) // not a key village
	mustCreate(t, s, ledger.ParkPairing{Park: gqp, Village: taisun, From: "2026-01-01", Jobs: 4})
	mustCreate(t, s, ledger.ParkPairing{Park: gqp, Village: taisun, From: "2024-01-01", To: "2024-12-31", Jobs: 40}) // another year

	// Platforms: a recognised station in 鲁村镇, a 星创天地 in 高青县, one being built.
	mustCreate(t, s, ledger.Platform{Name: "鲁村驿站", Kind: ledger.PlatformStation, Level: ledger.LevelProvincial,
		State: ledger.PlatformRecognised, Date: "2026-03-01", Location: lucun, Villages: []ledger.Code{lucun1}})
	mustCreate(t, s, ledger.Platform{Name: "高青星创", Kind: ledger.PlatformStar, Level: ledger.LevelNational,
		State: ledger.PlatformRecognised, Date: "2025-03-01", Location: gaoqing})
	mustCreate(t, s, ledger.Platform{Name: "筹建中", Kind: ledger.PlatformStation, Level: ledger.LevelMunicipal,
		State: ledger.PlatformBuilding, Date: "2026-08-01", Location: yuezhuang})

	on := ledger.Date("2026-11-01")
	cityP := s.Progress(2026, "", on, nil)
	countyP := s.Progress(2026, yiyuan, on, nil)
	lucunP := s.Progress(2026, lucun, on, nil)
	gaoP := s.Progress(2026, gaoqing, on, nil)

	type fig struct {
		name             string
		got              func(query.Progress) any
		city, yy, lc, gq any
	}
	figs := []fig{
		{"needs raised", func(p query.Progress) any { return p.Needs.Raised }, 3, 2, 2, 1},
		{"needs resolved", func(p query.Progress) any { return p.Needs.Resolved }, 1, 1, 1, 0},
		{"needs unsolvable", func(p query.Progress) any { return p.Needs.Unsolvable }, 1, 1, 1, 0},
		{"needs open now", func(p query.Progress) any { return p.Needs.Open }, 2, 1, 1, 1},
		{"needs overdue (30 days)", func(p query.Progress) any { return p.Needs.Overdue }, 2, 1, 1, 1},
		{"林果 raised", func(p query.Progress) any { return p.Needs.ByGroup["林果"].Raised }, 2, 2, 2, 0},
		{"林果 oldest", func(p query.Progress) any { return p.Needs.ByGroup["林果"].Oldest }, 316, 316, 316, 0},
		{"粮食 ages", func(p query.Progress) any { return p.Needs.ByGroup["粮食"].Ages }, [4]int{0, 0, 0, 1}, [4]int{}, [4]int{}, [4]int{0, 0, 0, 1}},
		{"projects supported", func(p query.Progress) any { return p.Projects.Supported }, 2, 2, 2, 0},
		{"projects applied", func(p query.Progress) any { return p.Projects.ByState[ledger.ProjectApplied] }, 1, 0, 0, 1},
		{"project amount", func(p query.Progress) any { return p.Projects.Amount }, 28.5, 28.5, 28.5, 0.0},
		{"project jobs", func(p query.Progress) any { return p.Projects.Jobs }, 16, 16, 16, 0},
		{"varieties", func(p query.Progress) any { return p.Varieties.Count }, 3, 2, 2, 1},
		{"unlinked", func(p query.Progress) any { return p.Varieties.Unlinked }, 1, 1, 1, 0},
		{"introduction area", func(p query.Progress) any { return p.Varieties.Area }, 40.5, 30.5, 30.5, 10.0},
		{"leaders", func(p query.Progress) any { return p.Leaders }, 2, 1, 1, 1},
		{"publicity", func(p query.Progress) any { return p.Publicity }, 2, 2, 1, 0},
		{"parks", func(p query.Progress) any { return p.Parks.Parks }, 2, 1, 1, 1},
		{"parks paired", func(p query.Progress) any { return p.Parks.Paired }, 1, 1, 1, 0},
		{"paired key villages", func(p query.Progress) any { return p.Parks.Villages }, 3, 2, 2, 1},
		{"park jobs", func(p query.Progress) any { return p.Parks.Jobs }, 22, 18, 17, 4},
		{"stations", func(p query.Progress) any { return p.Platforms.Stations }, 1, 1, 1, 0},
		{"stars", func(p query.Progress) any { return p.Platforms.Stars }, 1, 0, 0, 1},
		{"building", func(p query.Progress) any { return p.Platforms.Building }, 1, 1, 0, 0},
	}
	for _, f := range figs {
		for _, c := range []struct {
			where string
			p     query.Progress
			want  any
		}{{"city", cityP, f.city}, {"沂源县", countyP, f.yy}, {"鲁村镇", lucunP, f.lc}, {"高青县", gaoP, f.gq}} {
			if got := f.got(c.p); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("%s, %s: %v, want %v", f.name, c.where, got, c.want)
			}
		}
	}
	if cityP.Target.ParkVillages != 2 || cityP.Target.NeedDays != 30 {
		t.Errorf("targets: %+v", cityP.Target)
	}
	if un := s.Unlinked(2026, ""); len(un) != 1 || un[0].Name != "无名品种" || un[0].Count != 1 {
		t.Errorf("unlinked: %+v", un)
	}

	// Registering the unlinked name as an alias counts it at once, without touching any training.
	v := mustGet[ledger.Variety](t, s, yanfu)
	aliased := v
	aliased.Aliases = []string{"无名品种"}
	mustUpdate(t, s, v, aliased)
	if p := s.Progress(2026, lucun, on, nil); p.Varieties.Count != 3 || p.Varieties.Unlinked != 0 {
		t.Errorf("after the alias, 鲁村镇 counts %+v", p.Varieties)
	}
	// Closing the late need moves it from open to resolved in its closing year.
	held := mustGet[ledger.Need](t, s, late)
	closed := held
	closed.State, closed.Closed = ledger.NeedResolved, "2026-10-30"
	mustUpdate(t, s, held, closed)
	if p := s.Progress(2026, lucun, on, nil); p.Needs.Open != 0 || p.Needs.Resolved != 2 || p.Needs.Raised != 2 {
		t.Errorf("after closing, 鲁村镇's needs: %+v", p.Needs)
	}
	if p := s.Progress(2025, lucun, on, nil); p.Needs.Raised != 1 || p.Needs.ByState[ledger.NeedResolved] != 1 {
		t.Errorf("2025's needs: %+v", p.Needs)
	}
	checkConsistent(t, s)
}

// TestVarietyRegistry: texts match the registry tolerantly (width, spaces, punctuation, aliases), a
// near miss is offered and never counted, and the registry refuses a second entry of one variety.
func TestVarietyRegistry(t *testing.T) {
	s, _ := cityWithRoster(t)
	luli := mustCreate(t, s, ledger.Variety{Name: "鲁丽", Kind: ledger.VarietyBreed, Aliases: []string{"鲁丽苹果"}})
	mustCreate(t, s, ledger.Variety{Name: "烟富3号", Kind: ledger.VarietyBreed})
	for _, text := range []string{"鲁丽", "鲁 丽", "（鲁丽）", "鲁丽苹果", "鲁丽 苹果"} {
		if m := s.MatchVariety(text); m.Variety == nil || m.Variety.ID != luli {
			t.Errorf("MatchVariety(%q) = %+v", text, m)
		}
	}
	if m := s.MatchVariety("烟富３号"); m.Variety == nil {
		t.Error("full-width digits do not match")
	}
	if m := s.MatchVariety("烟富8号"); m.Variety != nil || len(m.Near) != 1 || m.Near[0].Name != "烟富3号" {
		t.Errorf("a near miss: %+v", m)
	}
	if m := s.MatchVariety("红富士"); m.Variety != nil || len(m.Near) != 0 {
		t.Errorf("an unrelated text: %+v", m)
	}
	if got := s.VarietiesByName("鲁", 5); len(got) != 1 || got[0].ID != luli {
		t.Errorf("type-ahead: %+v", got)
	}
	for _, dup := range []ledger.Variety{
		{Name: "鲁丽苹果", Kind: ledger.VarietyBreed},
		{Name: "鲁 丽", Kind: ledger.VarietyBreed},
		{Name: "新品", Kind: ledger.VarietyBreed, Aliases: []string{"烟富 3号"}},
	} {
		_, err := s.Create(context.Background(), dup)
		var ve *ledger.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ledger.Chinese(err), "已登记") {
			t.Errorf("duplicate %+v: %v", dup, err)
		}
	}
	// Renaming keeps the id; the old name may stay as an alias of the same variety.
	held := mustGet[ledger.Variety](t, s, luli)
	renamed := held
	renamed.Name, renamed.Aliases = "鲁丽（早熟）", []string{"鲁丽", "鲁丽苹果"}
	mustUpdate(t, s, held, renamed)
	if m := s.MatchVariety("鲁丽"); m.Variety == nil || m.Variety.ID != luli {
		t.Errorf("after renaming: %+v", m)
	}
	// An import registering the same variety twice refuses the second.
	res, err := s.Import(context.Background(), []ledger.Entity{
		ledger.Variety{Name: "济麦22", Kind: ledger.VarietyBreed},
		ledger.Variety{Name: "济麦 22", Kind: ledger.VarietyBreed},
	}, nil)
	if err != nil || res.Created != 1 || len(res.Rejected) != 1 {
		t.Errorf("import of a duplicate: %+v, %v", res, err)
	}
}

// TestProgrammeInUse: a record that live records name cannot be deleted, and the clerk is told which.
func TestProgrammeInUse(t *testing.T) {
	ctx := context.Background()
	s, adv := cityWithRoster(t)
	variety := mustCreate(t, s, ledger.Variety{Name: "鲁丽", Kind: ledger.VarietyBreed})
	park := mustCreate(t, s, ledger.Park{Name: "沂源园区", County: yiyuan})
	tr := mustCreate(t, s, training("2026-05-01", []ledger.Code{lucun1}, nil))
	proj := mustCreate(t, s, ledger.Project{Name: "示范", Year: 2026, Villages: []ledger.Code{lucun1}, Lead: adv[0], Group: "林果",
		Source: ledger.SourceCity, State: ledger.ProjectApplied})
	n := need(lucun1, ledger.NeedServing, "2026-05-02", "", adv[1])
	n.Survey, n.Projects = tr, []string{proj}
	nid := mustCreate(t, s, n)
	mustCreate(t, s, ledger.Introduction{Variety: variety, Year: 2026, Villages: []ledger.Code{wangcun}})
	mustCreate(t, s, ledger.ParkPairing{Park: park, Village: taisun, From: "2026-01-01"})
	for _, c := range []struct {
		id   string
		kind ledger.Kind
		what string
	}{
		{variety, ledger.KindIntroduction, "引进推广记录"}, {park, ledger.KindParkPairing, "园区结对"},
		{tr, ledger.KindNeed, "需求"}, {proj, ledger.KindNeed, "需求"}, {adv[1], ledger.KindNeed, "需求"},
		{string(wangcun), ledger.KindIntroduction, "引进推广记录"}, {string(taisun), ledger.KindParkPairing, "园区结对"},
	} {
		err := s.Delete(ctx, c.id)
		var ue *InUseError
		if !errors.As(err, &ue) || ue.Others[c.kind] != 1 {
			t.Errorf("delete %s: %v", c.id, err)
			continue
		}
		if zh := ledger.Chinese(err); !strings.Contains(zh, "1 条"+c.what) {
			t.Errorf("delete %s: the clerk reads %q", c.id, zh)
		}
	}
	// Once the need no longer names them, the training and the project go.
	if err := s.Delete(ctx, nid); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{tr, proj} {
		if err := s.Delete(ctx, id); err != nil {
			t.Errorf("delete %s after the need went: %v", id, err)
		}
	}
}

// TestProgrammeImportAcrossTransactions: an import large enough to span several transactions knows,
// in each, the records its earlier ones wrote (a need naming a project imported before it).
func TestProgrammeImportAcrossTransactions(t *testing.T) {
	s, adv := cityWithRoster(t)
	var in []ledger.Entity
	var projects []string
	long := strings.Repeat("示范", 400) // ~2.4 KB per project: the import's 1 MiB transactions fill quickly
	for i := range 600 {
		id := NewID()
		projects = append(projects, id)
		in = append(in, ledger.Project{ID: id, Name: fmt.Sprint("项目", i), Year: 2026, Villages: []ledger.Code{lucun1}, Lead: adv[0],
			Group: "林果", Source: ledger.SourceCity, State: ledger.ProjectApplied, Notes: long})
	}
	for i := range 600 {
		n := need(lucun1, ledger.NeedWaiting, "2026-05-01", "", "")
		n.Projects = []string{projects[i]}
		in = append(in, n)
	}
	res, err := s.Import(context.Background(), in, nil)
	if err != nil || res.Created != 1200 || len(res.Rejected) != 0 {
		t.Fatalf("import: %d created, rejected %v, %v", res.Created, res.Rejected, err)
	}
	if ns, n := s.Needs(query.Needs{}, nil); n != 600 || len(ns) != 600 {
		t.Errorf("%d needs listed", n)
	}
	if p := s.Progress(2026, lucun, "2026-11-01", nil); p.Needs.Raised != 600 || p.Projects.ByState[ledger.ProjectApplied] != 600 {
		t.Errorf("progress after the import: %+v %+v", p.Needs, p.Projects)
	}
	checkConsistent(t, s)
}

// TestProgrammeLists: the lists' filters, order and pages.
func TestProgrammeLists(t *testing.T) {
	s, adv := cityWithRoster(t)
	var ids []string
	for i, d := range []ledger.Date{"2026-03-01", "2026-05-01", "2025-07-01", "2026-05-01"} {
		n := need([]ledger.Code{lucun1, wangcun, taisun, lucun1}[i], ledger.NeedWaiting, d, "", "")
		n.Group = []string{"林果", "蔬菜", "林果", "粮食"}[i]
		if i == 1 {
			n.State, n.Advisor = ledger.NeedMatched, adv[1]
			n.Problem = "大棚番茄裂果"
		}
		ids = append(ids, mustCreate(t, s, n))
	}
	list := func(q query.Needs) []string {
		ns, total := s.Needs(q, nil)
		var out []string
		for _, n := range ns {
			out = append(out, n.ID)
		}
		if q.Limit == 0 && total != len(out) {
			t.Errorf("%+v: total %d, listed %d", q, total, len(out))
		}
		return out
	}
	check := func(name string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	newer := func(a, b string) (string, string) { // two needs of one day: the newer id first
		if a > b {
			return a, b
		}
		return b, a
	}
	first, second := newer(ids[1], ids[3])
	check("all, newest first", list(query.Needs{}), first, second, ids[0], ids[2])
	check("鲁村镇", list(query.Needs{List: query.List{Under: lucun}}), first, second, ids[0])
	check("鲁村一村", list(query.Needs{List: query.List{Under: lucun1}}), ids[3], ids[0])
	check("高青县", list(query.Needs{List: query.List{Under: gaoqing}}), ids[2])
	check("2025", list(query.Needs{List: query.List{Year: 2025}}), ids[2])
	check("from May", list(query.Needs{List: query.List{From: "2026-05-01"}}), first, second)
	check("林果", list(query.Needs{Group: "林果"}), ids[0], ids[2])
	check("已对接", list(query.Needs{State: ledger.NeedMatched}), ids[1])
	check("taken by 李芳", list(query.Needs{List: query.List{Advisor: adv[1]}}), ids[1])
	check("search 番茄", list(query.Needs{List: query.List{Search: "番茄"}}), ids[1])
	check("open over 92 days on 2026-06-01", list(query.Needs{Open: true, Older: 92, On: "2026-06-01"}), ids[2])
	check("open over 91 days on 2026-06-01", list(query.Needs{Open: true, Older: 91, On: "2026-06-01"}), ids[0], ids[2])
	_, total := s.Needs(query.Needs{List: query.List{Offset: 1, Limit: 2}}, nil)
	check("page 2 of 2", list(query.Needs{List: query.List{Offset: 1, Limit: 2}}), second, ids[0])
	if total != 4 {
		t.Errorf("a page's total: %d", total)
	}
	// A watch set fires when a need is written.
	ws := query.NewWatchSet()
	s.Needs(query.Needs{}, ws)
	mustCreate(t, s, need(wangcun, ledger.NeedWaiting, "2026-06-01", "", ""))
	select {
	case <-ws.Changed(t.Context()):
	default:
		if err := ws.Wait(t.Context()); err != nil {
			t.Error("the needs list's watch did not fire")
		}
	}
}
