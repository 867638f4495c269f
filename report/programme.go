package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"techaid/ledger"
	"techaid/query"
)

// Sheets of the work ledger for the rest of the programme (issue 15), one per kind, in the bureau's
// layout: 序号 first, the place (区县, 乡镇, 村) before what happened, dates as the ledger writes them.
const (
	SheetNeeds      = "需求"
	SheetProjects   = "科技扶贫项目"
	SheetVarieties  = "新品种新技术引进推广"
	SheetUnlinked   = "未登记的品种技术"
	SheetLeaders    = "科技带头人示范户"
	SheetPublicity  = "宣传报道"
	SheetParkPairs  = "园区结对"
	SheetPlatforms  = "星创天地、农科驿站" // a sheet name may not hold "/"
	noLongerListed  = "（已不在名册）"
	noLongerInStore = "（已删除）"
)

// ProjectColumns and LeaderColumns are the columns of the projects and leaders sheets, which the
// project and leader imports read back.
var (
	ProjectColumns = []string{"序号", "项目名称", "年度", "区县", "乡镇", "实施村", "实施村代码", "项目负责人", "团队成员", "专业组",
		"支持来源", "支持金额（万元）", "状态", "申报日期", "立项日期", "验收（终止）日期", "受益户数", "带动就业（人）", "引进品种/技术", "备注", ColumnEvidence}
	LeaderColumns = []string{"序号", "区县", "乡镇", "村", "村代码", "姓名", "类别", "性别", "电话", "产业", "帮带的科技指导人员",
		"认定日期", "备注"}
)

// names turns the codes and ids records hold into the names a sheet shows, each looked up once. An
// advisor whose name another advisor shares is written with the phone in brackets.
type names struct {
	st       Store
	villages map[ledger.Code]ledger.Village
	places   map[ledger.Code]string // county and township codes → their names
	advisors map[string]string
	same     map[string]int // advisors per name: a name two advisors share is written with the phone
}

func newNames(st Store) *names {
	n := &names{st: st, villages: map[ledger.Code]ledger.Village{}, places: map[ledger.Code]string{}, advisors: map[string]string{},
		same: map[string]int{}}
	for _, a := range st.Advisors(query.Advisors{}, nil) {
		n.same[normName(a.Name)]++
	}
	vs, _ := st.Villages(query.Villages{}, nil)
	for _, v := range vs {
		n.villages[v.Code] = v
		n.places[v.Code.County()] = v.CountyName
		n.places[v.Code.Township()] = v.TownshipName
	}
	return n
}

// village is a village by code (its code as its name if the store does not hold it).
func (n *names) village(code ledger.Code) ledger.Village {
	if v, ok := n.villages[code]; ok {
		return v
	}
	return ledger.Village{Code: code, Name: string(code)}
}

// villageList is villages' names joined with 、, and the county and township of the first.
func (n *names) villageList(codes []ledger.Code) (county, township, list string) {
	var ns []string
	for i, c := range codes {
		v := n.village(c)
		if i == 0 {
			county, township = v.CountyName, v.TownshipName
		}
		ns = append(ns, v.Name)
	}
	return county, township, strings.Join(ns, "、")
}

// place is a city, county or township code as its name: 区县 then 乡镇.
func (n *names) place(code ledger.Code) string {
	switch code.Level() {
	case ledger.LevelCity:
		return "全市"
	case ledger.LevelCounty:
		return or(n.places[code], string(code))
	case ledger.LevelTownship:
		return or(n.places[code.County()], string(code.County())) + or(n.places[code], string(code))
	}
	return n.village(code).Name
}

func (n *names) advisor(id string) string {
	if id == "" {
		return ""
	}
	if name, ok := n.advisors[id]; ok {
		return name
	}
	name := noLongerListed + id
	if a, err := n.st.Advisor(id); err == nil {
		name = a.Name
		if n.same[normName(a.Name)] > 1 { // 王强（13700000001）: the imports tell them apart by it
			name += "（" + or(a.Phone, a.ID) + "）"
		}
	}
	n.advisors[id] = name
	return name
}

func (n *names) advisorList(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = n.advisor(id)
	}
	return strings.Join(out, "、")
}

func codeList(codes []ledger.Code) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = string(c)
	}
	return strings.Join(s, "、")
}

// oldestFirst puts a list the store gives newest first into the ledger's date order.
func oldestFirst[T any](xs []T) []T { slices.Reverse(xs); return xs }

// yearList is the year's records of a list kind within under.
func yearList(year int, under ledger.Code) query.List { return query.List{Under: under, Year: year} }

// programmeSheets are the work ledger's sheets for the programme's other records of the year within
// under (""; the city's records are all of them). varietyTexts are the variety texts the year's
// trainings name, with how often, and surveys the year's needs surveys (surveyText), read by the
// caller on its one walk of the trainings.
func programmeSheets(st Store, year int, under ledger.Code, varietyTexts map[string]int, surveys map[string]string) []Table {
	n := newNames(st)
	on := yearEnd(st, year)
	target, _ := YearTarget(st, year)
	return []Table{
		needsSheet(st, n, year, under, on, target.NeedDays, surveys),
		projectsSheet(st, n, year, under),
		varietiesSheet(st, n, year, under, varietyTexts),
		unlinkedSheet(st, year, under),
		leadersSheet(st, n, year, under),
		publicitySheet(st, n, year, under),
		parkPairingsSheet(st, n, year, under),
		platformsSheet(st, n, year, under),
	}
}

// needsSheet lists the needs raised in the year, with how long each has waited (open) or took (closed).
func needsSheet(st Store, n *names, year int, under ledger.Code, on ledger.Date, days int, surveys map[string]string) Table {
	t := Table{Name: SheetNeeds, Columns: []string{"序号", "区县", "乡镇", "村", "产业", "需求（群众原话）", "专业组", "承接人",
		"状态", "原因说明", "提出日期", "办结日期", "办理天数", fmt.Sprintf("超过 %d 天未办结", days), "来源调研", "服务记录（次）", "支持项目", "备注", ColumnEvidence}}
	needs, _ := st.Needs(query.Needs{List: yearList(year, under)}, nil)
	for i, nd := range oldestFirst(needs) {
		v := n.village(nd.Village)
		end := nd.Closed
		if nd.Open() || end == "" {
			end = on
		}
		took := max(0, daysBetween(nd.Raised, end))
		overdue := ""
		if nd.Open() && took > days {
			overdue = "是"
		}
		survey, ok := surveys[nd.Survey]
		if !ok && nd.Survey != "" { // a survey of another year, or outside the place
			survey = recordDate(st, nd.Survey)
		}
		var projects []string
		for _, id := range nd.Projects {
			projects = append(projects, recordName(st, id))
		}
		t.Rows = append(t.Rows, []any{i + 1, v.CountyName, v.TownshipName, v.Name, nd.Industry, nd.Problem, nd.Group,
			n.advisor(nd.Advisor), nd.State, nd.Reason, string(nd.Raised), string(nd.Closed), took, overdue, survey,
			len(nd.Trainings), strings.Join(projects, "、"), nd.Notes, evidenceNames(nd)})
	}
	return t
}

// recordDate is a training's date and topic, for a need's 来源调研.
func recordDate(st Store, id string) string {
	rec, err := st.Record(id)
	if err != nil || rec.Deleted() {
		return noLongerInStore + id
	}
	if t, err := ledger.As[ledger.Training](rec); err == nil {
		return surveyText(t)
	}
	return id
}

// surveyText is how a need's sheet names the survey that raised it: its date and topic.
func surveyText(t ledger.Training) string { return strings.TrimSpace(string(t.Date) + " " + t.Topic) }

// recordName is a project's name.
func recordName(st Store, id string) string {
	rec, err := st.Record(id)
	if err != nil || rec.Deleted() {
		return noLongerInStore + id
	}
	if p, err := ledger.As[ledger.Project](rec); err == nil {
		return p.Name
	}
	return id
}

func daysBetween(a, b ledger.Date) int {
	da, ok1 := a.Days()
	db, ok2 := b.Days()
	if !ok1 || !ok2 {
		return 0
	}
	return db - da
}

// projectsSheet lists the year's projects, in the columns the project import reads.
func projectsSheet(st Store, n *names, year int, under ledger.Code) Table {
	t := Table{Name: SheetProjects, Columns: ProjectColumns}
	ps, _ := st.Projects(query.Projects{List: yearList(year, under)}, nil)
	for i, p := range oldestFirst(ps) {
		county, township, villages := n.villageList(p.Villages)
		var amount any = ""
		if p.Amount != 0 {
			amount = p.Amount
		}
		t.Rows = append(t.Rows, []any{i + 1, p.Name, p.Year, county, township, villages, codeList(p.Villages), n.advisor(p.Lead),
			n.advisorList(p.Team), p.Group, p.Source, amount, p.State, string(p.Applied), string(p.Approved), string(p.Finished),
			p.Households, p.Jobs, strings.Join(p.Varieties, "、"), p.Notes, evidenceNames(p)})
	}
	return t
}

// varietiesSheet lists the registered varieties and techniques introduced in the year, each once, as the
// 新品种新技术 target counts them: named by an introduction record, or by a training or a supported
// project whose text the registry knows. Its rows are the target's figure.
func varietiesSheet(st Store, n *names, year int, under ledger.Code, trainingTexts map[string]int) Table {
	t := Table{Name: SheetVarieties, Columns: []string{"序号", "品种/技术", "类别", "专业组", "产业", "推广村", "推广面积（亩）",
		"带动户数", "引进推广记录（条）", "培训提及（次）", "支持项目", "培训与项目中的写法"}}
	type sum struct {
		v                   ledger.Variety
		villages            []ledger.Code
		area                float64
		households, records int
		trainings           int
		projects            []string
		texts               []string
	}
	sums := map[string]*sum{}
	byID := map[string]ledger.Variety{}
	for _, v := range st.Varieties(query.Varieties{}, nil) {
		byID[v.ID] = v
	}
	get := func(v ledger.Variety) *sum {
		s := sums[v.ID]
		if s == nil {
			s = &sum{v: v}
			sums[v.ID] = s
		}
		return s
	}
	intros, _ := st.Introductions(query.Introductions{List: yearList(year, under)}, nil)
	for _, in := range intros {
		v, ok := byID[in.Variety]
		if !ok {
			v = ledger.Variety{ID: in.Variety, Name: noLongerInStore + in.Variety}
		}
		s := get(v)
		s.records++
		s.area += in.Area
		s.households += in.Households
		for _, c := range in.Villages {
			if !slices.Contains(s.villages, c) && (under == "" || under.Contains(c)) {
				s.villages = append(s.villages, c)
			}
		}
	}
	matched := map[string]*ledger.Variety{} // text → its variety (nil: not registered)
	match := func(text string) *ledger.Variety {
		v, ok := matched[text]
		if !ok {
			v = st.MatchVariety(text).Variety
			matched[text] = v
		}
		return v
	}
	addText := func(s *sum, text string) {
		if !slices.Contains(s.texts, text) {
			s.texts = append(s.texts, text)
		}
	}
	for _, text := range sortedKeys(trainingTexts) {
		if v := match(text); v != nil {
			s := get(*v)
			s.trainings += trainingTexts[text]
			addText(s, text)
		}
	}
	ps, _ := st.Projects(query.Projects{List: yearList(year, under), Supported: true}, nil)
	for _, p := range oldestFirst(ps) {
		for _, text := range p.Varieties {
			if v := match(text); v != nil {
				s := get(*v)
				if !slices.Contains(s.projects, p.Name) {
					s.projects = append(s.projects, p.Name)
				}
				addText(s, text)
			}
		}
	}
	list := make([]*sum, 0, len(sums))
	for _, s := range sums {
		list = append(list, s)
	}
	slices.SortFunc(list, func(a, b *sum) int {
		return cmp.Or(cmp.Compare(slices.Index(ledger.VarietyKinds, a.v.Kind), slices.Index(ledger.VarietyKinds, b.v.Kind)),
			strings.Compare(a.v.Name, b.v.Name))
	})
	for i, s := range list {
		var names []string
		for _, c := range s.villages {
			names = append(names, n.village(c).Name)
		}
		var area any = ""
		if s.area != 0 {
			area = s.area
		}
		t.Rows = append(t.Rows, []any{i + 1, s.v.Name, s.v.Kind, s.v.Group, s.v.Industry, strings.Join(names, "、"), area,
			s.households, s.records, s.trainings, strings.Join(s.projects, "、"), strings.Join(s.texts, "、")})
	}
	return t
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// unlinkedSheet lists the variety texts the year's trainings and projects name that the registry does
// not know: not counted until the city registers them or adds them as aliases.
func unlinkedSheet(st Store, year int, under ledger.Code) Table {
	t := Table{Name: SheetUnlinked, Columns: []string{"序号", "培训与项目中的写法", "提及（次）", "可能是"}}
	for i, u := range st.Unlinked(year, under) {
		var near []string
		for _, v := range u.Near {
			near = append(near, v.Name)
		}
		t.Rows = append(t.Rows, []any{i + 1, u.Name, u.Count, strings.Join(near, "、")})
	}
	return t
}

// leadersSheet lists the technology leaders and model households recognised in the year, in the
// columns the leader import reads.
func leadersSheet(st Store, n *names, year int, under ledger.Code) Table {
	t := Table{Name: SheetLeaders, Columns: LeaderColumns}
	ls, _ := st.Leaders(query.Leaders{List: yearList(year, under)}, nil)
	for i, l := range oldestFirst(ls) {
		v := n.village(l.Village)
		t.Rows = append(t.Rows, []any{i + 1, v.CountyName, v.TownshipName, v.Name, string(l.Village), l.Name, l.Kind, l.Gender,
			l.Phone, l.Industry, n.advisor(l.Advisor), string(l.Since), l.Notes})
	}
	return t
}

// publicitySheet lists the year's publicity reports.
func publicitySheet(st Store, n *names, year int, under ledger.Code) Table {
	t := Table{Name: SheetPublicity, Columns: []string{"序号", "标题", "刊发媒体", "刊发日期", "形式", "报送单位", "涉及科技指导人员",
		"涉及村", "链接或出处", "备注"}}
	ps, _ := st.PublicityList(query.Publicity{List: yearList(year, under)}, nil)
	for i, p := range oldestFirst(ps) {
		_, _, villages := n.villageList(p.Villages)
		t.Rows = append(t.Rows, []any{i + 1, p.Title, p.Outlet, string(p.Date), p.Form, n.place(p.Org), n.advisorList(p.Advisors),
			villages, p.Link, p.Notes})
	}
	return t
}

// parkPairingsSheet lists the science parks' pairings running at some time in the year with villages
// within under, by park, then by start.
func parkPairingsSheet(st Store, n *names, year int, under ledger.Code) Table {
	t := Table{Name: SheetParkPairs, Columns: []string{"序号", "园区", "园区所在区县", "特色产业", "区县", "乡镇", "村", "村代码",
		"省定重点村", "开始日期", "结束日期", "结对（调整）原因", "带动就业（人）", "备注", ColumnEvidence}}
	parks := map[string]ledger.Park{}
	for _, p := range st.Parks("", nil) {
		parks[p.ID] = p
	}
	ps := st.ParkPairings(query.ParkPairings{Under: under, Year: year}, nil)
	slices.SortStableFunc(ps, func(a, b ledger.ParkPairing) int {
		return cmp.Or(strings.Compare(parks[a.Park].Name, parks[b.Park].Name), strings.Compare(string(a.From), string(b.From)),
			strings.Compare(string(a.Village), string(b.Village)))
	})
	for i, pp := range ps {
		park, ok := parks[pp.Park]
		if !ok {
			park = ledger.Park{Name: noLongerInStore + pp.Park}
		}
		v := n.village(pp.Village)
		key := ""
		if v.Key {
			key = "是"
		}
		t.Rows = append(t.Rows, []any{i + 1, park.Name, n.place(park.County), park.Speciality, v.CountyName, v.TownshipName, v.Name,
			string(pp.Village), key, string(pp.From), string(pp.To), pp.Reason, pp.Jobs, pp.Notes, evidenceNames(pp)})
	}
	return t
}

// platformsSheet lists the 星创天地 and 农科驿站 lying in or serving under that exist by the year's end
// (recognised or being built), by kind and name.
func platformsSheet(st Store, n *names, year int, under ledger.Code) Table {
	t := Table{Name: SheetPlatforms, Columns: []string{"序号", "名称", "类型", "级别", "状态", "认定（筹建）日期", "所在地", "地址",
		"运营主体", "服务村", "备注"}}
	last := ledger.Date(fmt.Sprintf("%04d-12-31", year))
	ps, _ := st.Platforms(query.Platforms{List: query.List{Under: under}}, nil)
	i := 0
	for _, p := range ps {
		if p.Date > last {
			continue
		}
		i++
		_, _, villages := n.villageList(p.Villages)
		t.Rows = append(t.Rows, []any{i, p.Name, p.Kind, p.Level, p.State, string(p.Date), n.place(p.Location), p.Address,
			p.Operator, villages, p.Notes})
	}
	return t
}
