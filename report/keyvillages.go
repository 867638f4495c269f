package report

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"techaid/ledger"
	"techaid/query"
)

// Match is how a row of an imported list was matched to a village.
type Match string

const (
	MatchExact Match = "exact" // by code, or by the full official name
	MatchLoose Match = "loose" // by a tolerant comparison, said in Row.How
	MatchNone  Match = "none"  // no village, or more than one: the row is not applied
)

// KeyVillageRow is the import's verdict on one row of a key-village list.
type KeyVillageRow struct {
	Line    int
	Input   string // the row as the sheet has it: county, township and village
	Match   Match
	How     string // in Chinese: how a loose match was made, or why there is none
	Village ledger.Village
	KeyYear int
	Change  bool // applying sets the village's key flag (or its year); false: already as listed
}

// KeyVillagePlan is what importing a key-village list would do. Nothing is written until Apply.
type KeyVillagePlan struct {
	Sheet string
	Rows  []KeyVillageRow
	// Unlisted are villages the store has as key villages, within the scope, that the list does not
	// name. They are reported, not changed: a list may be partial (one county's).
	Unlisted []ledger.Village
	// Skipped counts rows outside the office's scope.
	Skipped int
}

// Count is the number of rows matched as m.
func (p KeyVillagePlan) Count(m Match) int {
	n := 0
	for _, r := range p.Rows {
		if r.Match == m {
			n++
		}
	}
	return n
}

var keyVillageColumns = []column{
	{key: "county", names: []string{"区县", "县区", "县(市、区)", "县(区)", "区(县)", "县市区", "所属区县", "县"}},
	{key: "township", names: []string{"乡镇", "乡镇(街道)", "镇(街道)", "镇街", "所属乡镇", "镇", "街道"}},
	{key: "village", names: []string{"村", "村名", "村名称", "村庄", "村庄名称", "重点村", "重点村名称", "行政村", "村(居)"}, required: true},
	{key: "code", names: []string{"村代码", "区划代码", "统计用区划代码", "代码"}},
	{key: "year", names: []string{"认定年份", "年份", "认定年度"}},
}

// PlanKeyVillages matches a key-village list (the bureau's spreadsheet of names, codes optional) to the
// villages the store holds within its scope, tolerantly: official names come as 某某村村委会 or
// 某某村村民委员会 and lists write 某某村 or 某某; townships drop 镇 and counties 县. Each row is matched
// exactly, loosely (and how), or not at all (and why, with the nearest names of its township).
func PlanKeyVillages(st Store, sheets []Sheet) (KeyVillagePlan, error) {
	s, h, err := pickSheet(sheets, keyVillageColumns)
	if err != nil {
		return KeyVillagePlan{}, err
	}
	scope := st.Identity().Scope
	if scope.Level() == ledger.LevelCity {
		scope = ""
	}
	all, _ := st.Villages(query.Villages{Under: scope}, nil)
	ix := newVillageIndex(all, scope)
	plan := KeyVillagePlan{Sheet: s.Name}
	listed := map[ledger.Code]int{} // village → the line that named it first
	for _, r := range s.Rows {
		if r.Line <= h.line || blank(r) {
			continue
		}
		county, township, name, code := h.cell(r, "county"), h.cell(r, "township"), h.cell(r, "village"), h.cell(r, "code")
		row := KeyVillageRow{Line: r.Line, Input: strings.Join(nonEmpty(county, township, name, code), " ")}
		if name == "" && code == "" {
			row.Match, row.How = MatchNone, "村名为空"+s.formulaNote(r.Line, h.at["village"])
			plan.Rows = append(plan.Rows, row)
			continue
		}
		if y := h.cell(r, "year"); y != "" {
			n, err := strconv.Atoi(strings.TrimSuffix(y, "年"))
			if err != nil || n < 2015 || n > st.Clock().Today().Year() {
				row.Match, row.How = MatchNone, fmt.Sprintf("认定年份「%s」不是 2015 年以来的年份", y)
				plan.Rows = append(plan.Rows, row)
				continue
			}
			row.KeyYear = n
		}
		v, match, how, outside := ix.match(county, township, name, ledger.Code(code))
		if outside {
			plan.Skipped++
			continue
		}
		row.Village, row.Match, row.How = v, match, how
		if match != MatchNone {
			if first, dup := listed[v.Code]; dup {
				row.Match, row.How = MatchNone, fmt.Sprintf("与第 %d 行是同一个村（%s）", first, v.Name)
			} else {
				listed[v.Code] = r.Line
				row.Change = !v.Key || row.KeyYear != 0 && row.KeyYear != v.KeyYear
			}
		}
		plan.Rows = append(plan.Rows, row)
	}
	if len(plan.Rows) == 0 && plan.Skipped == 0 {
		return plan, fmt.Errorf("%s: 表头下面没有数据行 (no rows under the heading)", s.Name)
	}
	if len(plan.Rows) > 0 || plan.Skipped == 0 {
		for _, v := range all {
			if _, ok := listed[v.Code]; v.Key && !ok {
				plan.Unlisted = append(plan.Unlisted, v)
			}
		}
	}
	return plan, nil
}

// Writes is the number of villages applying the plan marks.
func (p KeyVillagePlan) Writes() int {
	n := 0
	for _, r := range p.Rows {
		if r.Match != MatchNone && r.Change {
			n++
		}
	}
	return n
}

// Summary says in a sentence what the plan found and would do.
func (p KeyVillagePlan) Summary() string {
	return fmt.Sprintf("工作表「%s」：精确对应 %d 行，宽松对应 %d 行，未对应 %d 行，不在本单位范围 %d 行；需标记为重点村 %d 个。",
		p.Sheet, p.Count(MatchExact), p.Count(MatchLoose), p.Count(MatchNone), p.Skipped, p.Writes())
}

// Verdict says what became of the row, for the clerk.
func (r KeyVillageRow) Verdict() string {
	change := "，已是重点村"
	if r.Change {
		change = "，将标记为重点村"
	}
	switch r.Match {
	case MatchNone:
		return "未对应：" + r.How
	case MatchLoose:
		return fmt.Sprintf("宽松对应 %s（%s）：%s%s", r.Village.Name, r.Village.Code, r.How, change)
	}
	return fmt.Sprintf("精确对应 %s（%s）%s", r.Village.Name, r.Village.Code, change)
}

// Apply marks the matched villages as key villages (with their year, if the list gives one), in one
// import: each village whole or not at all. Rows not matched are left alone.
func (p KeyVillagePlan) Apply(ctx context.Context, st Store, progress func(done, total int)) (query.ImportResult, error) {
	var recs []ledger.Entity
	for _, r := range p.Rows {
		if r.Match != MatchNone && r.Change {
			// Only the flag and the year: the rest of the village as the store holds it when this
			// runs, not as it was at the preview (a sync may have changed it since).
			recs = append(recs, ledger.Village{Code: r.Village.Code, Key: true, KeyYear: r.KeyYear})
		}
	}
	return st.Import(ctx, recs, func(done int) {
		if progress != nil {
			progress(done, len(recs))
		}
	})
}

// villageIndex finds villages by code, by the core of their names, and by township and county.
type villageIndex struct {
	scope  ledger.Code // "" for the city
	byCode map[ledger.Code]ledger.Village
	all    []indexed
	byCore map[string][]int // core of the name → positions in all
	byTown map[string][]int // core of the township's name → positions in all
}

// indexed is a village with its names' cores, computed once.
type indexed struct {
	v                      ledger.Village
	core, county, township string
}

func newVillageIndex(vs []ledger.Village, scope ledger.Code) *villageIndex {
	ix := &villageIndex{scope: scope, byCode: map[ledger.Code]ledger.Village{}, byCore: map[string][]int{}, byTown: map[string][]int{}}
	for i, v := range vs {
		e := indexed{v: v, core: villageCore(v.Name), county: placeCore(v.CountyName), township: placeCore(v.TownshipName)}
		ix.all = append(ix.all, e)
		ix.byCode[v.Code] = v
		ix.byCore[e.core] = append(ix.byCore[e.core], i)
		ix.byTown[e.township] = append(ix.byTown[e.township], i)
	}
	return ix
}

// match finds the one village a row names. outside: the row names a place beyond the store's scope.
func (ix *villageIndex) match(county, township, name string, code ledger.Code) (v ledger.Village, m Match, how string, outside bool) {
	if code != "" {
		if code.Level() != ledger.LevelVillage {
			return v, MatchNone, fmt.Sprintf("村代码「%s」不是 12 位区划代码", code), false
		}
		v, ok := ix.byCode[code]
		if !ok {
			return v, MatchNone, fmt.Sprintf("没有代码为 %s 的村", code), ix.scope != "" && !ix.scope.Contains(code)
		}
		if name != "" && villageCore(name) != villageCore(v.Name) {
			return v, MatchLoose, fmt.Sprintf("按村代码对应，表中村名是「%s」", name), false
		}
		return v, MatchExact, "", false
	}
	// Narrow to the township and county the row names, when it names them.
	cc, tc := placeCore(county), placeCore(township)
	inPlace := func(e indexed) bool {
		return (county == "" || e.county == cc) && (township == "" || e.township == tc)
	}
	var place []int // the villages of the place, when a township narrows it
	placeKnown := county == "" && township == "" && len(ix.all) > 0
	if township != "" {
		for _, i := range ix.byTown[tc] {
			if inPlace(ix.all[i]) {
				place = append(place, i)
			}
		}
		placeKnown = len(place) > 0
	} else if county != "" {
		for _, e := range ix.all {
			if e.county == cc {
				placeKnown = true
				break
			}
		}
	}
	where := strings.Join(nonEmpty(county, township), "")
	if !placeKnown {
		if where == "" {
			return v, MatchNone, "本单位还没有村庄数据", false
		}
		// Below the city, a place the office does not hold is another office's: skipped, not wrong.
		return v, MatchNone, fmt.Sprintf("没有「%s」", where), ix.scope != ""
	}
	core := villageCore(name)
	var exact []ledger.Village
	for _, i := range ix.byCore[core] {
		if inPlace(ix.all[i]) {
			exact = append(exact, ix.all[i].v)
		}
	}
	switch {
	case len(exact) == 1 && normName(exact[0].Name) == normName(name):
		return exact[0], MatchExact, "", false
	case len(exact) == 1:
		return exact[0], MatchLoose, "只差“村/村委会/村民委员会”等字样", false
	case len(exact) > 1:
		return v, MatchNone, fmt.Sprintf("有 %d 个同名的村（%s），请在表中写明乡镇", len(exact), placesOf(exact)), false
	}
	why := fmt.Sprintf("%s没有叫「%s」的村", or(where, "本单位"), name)
	if township == "" {
		return v, MatchNone, why + "；写明乡镇可按相近的名称查找", false
	}
	// Renamed or merged: one village of the township whose name contains this one, or differs from it
	// by a character.
	var contains, near []ledger.Village
	n := utf8.RuneCountInString(core)
	for _, i := range place {
		e := ix.all[i]
		if n >= 2 && (strings.Contains(e.core, core) || strings.Contains(core, e.core) && utf8.RuneCountInString(e.core) >= 2) {
			contains = append(contains, e.v)
		}
		if n >= 2 && editDistance(e.core, core) == 1 {
			near = append(near, e.v)
		}
	}
	switch {
	case len(contains) == 1:
		return contains[0], MatchLoose, "名称相含（合并或更名？请核对）", false
	case len(near) == 1:
		return near[0], MatchLoose, "名称相差一个字（请核对）", false
	}
	if cands := ix.nearest(place, core, 3); len(cands) > 0 {
		why += "；相近的有：" + strings.Join(cands, "、")
	}
	return v, MatchNone, why, false
}

// nearest names the villages of place closest to core by edit distance, at most n.
func (ix *villageIndex) nearest(place []int, core string, n int) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	limit := max(1, utf8.RuneCountInString(core)/2)
	for _, i := range place {
		if d := editDistance(ix.all[i].core, core); d <= limit {
			cs = append(cs, cand{ix.all[i].v.Name, d})
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return a.d - b.d })
	var out []string
	for _, c := range cs[:min(n, len(cs))] {
		out = append(out, c.name)
	}
	return out
}

func placesOf(vs []ledger.Village) string {
	var s []string
	for _, v := range vs {
		s = append(s, v.CountyName+v.TownshipName+v.Name)
	}
	return strings.Join(s, "、")
}

// normName is a name without spaces, punctuation or full-width forms.
func normName(s string) string {
	s = width.Fold.String(s)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsPunct(r) {
			return -1
		}
		return r
	}, s)
}

// villageCore is the part of a village's name that lists agree on: without a note in brackets, the
// committee suffix (村民委员会, 村委会, 居民委员会, 居委会, 社区) and a final 村.
func villageCore(s string) string {
	s = width.Fold.String(s)
	if i := strings.IndexAny(s, "(["); i > 0 {
		s = s[:i]
	}
	s = normName(s)
	for _, suf := range []string{"村民委员会", "居民委员会", "村委会", "居委会", "委员会", "社区", "村"} {
		if t := strings.TrimSuffix(s, suf); t != s && t != "" {
			s = t
		}
	}
	return s
}

// placeCore is a township's or county's name without its kind: 鲁村镇 and 鲁村 agree, 沂源县 and 沂源.
func placeCore(s string) string {
	s = normName(s)
	for _, suf := range []string{"街道办事处", "办事处", "街道", "镇", "乡", "区", "县", "市"} {
		if t := strings.TrimSuffix(s, suf); t != s && len([]rune(t)) >= 2 {
			return t
		}
	}
	return s
}

// editDistance is the Levenshtein distance in characters.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// pickSheet is the first sheet with a heading row for cols.
func pickSheet(sheets []Sheet, cols []column) (Sheet, header, error) {
	var firstErr error
	for _, s := range sheets {
		h, err := findHeader(s, cols)
		if err == nil {
			return s, h, nil
		}
		if firstErr == nil {
			firstErr = fmt.Errorf("%s: %w", s.Name, err)
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("文件里没有工作表 (no sheets)")
	}
	return Sheet{}, header{}, firstErr
}

// formulaNote explains an empty cell that holds a formula with no computed value.
func (s Sheet) formulaNote(line, col int) string {
	if s.formula == nil {
		return ""
	}
	if f := s.formula(line, col); f != "" {
		return fmt.Sprintf("（单元格是公式 =%s，文件里没有计算结果：请在 Excel 中打开并保存，或复制后“粘贴为数值”）", f)
	}
	return ""
}

func blank(r Row) bool {
	for i := range r.Cells {
		if r.Cell(i) != "" {
			return false
		}
	}
	return true
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
