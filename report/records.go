package report

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"techaid/ledger"
	"techaid/query"
)

// Imports of the programme's lists the bureau already keeps in Excel: its projects (科技扶贫项目) and
// its technology leaders and model households (科技致富带头人、示范户). A row names villages and
// advisors by name, as the bureau's sheets do, and is matched tolerantly (as the key-village import
// matches villages); variety texts are matched against the registry. Each row becomes a new record,
// an update of the one it names again (same project name and year; same person in the same village),
// or nothing, with its reasons in Chinese. Nothing is written until Apply, and a refused row is never
// written in part.

// RecordRow is the import's verdict on one row of a project or leader list.
type RecordRow struct {
	Line    int
	Name    string
	Action  AdvisorAction // new, update, unchanged or error, as for the roster
	Problem string        // in Chinese, for AdvisorError: every problem of the row
	Checks  []string      // in Chinese: loose matches and notes the clerk should look at
	Changes []string      // in Chinese, for AdvisorUpdate: 「状态」立项 → 实施
	// Write is what applying writes: the whole record for a new one; for an update the record's id and
	// only the fields the row fills in (an import never blanks a field), so that a change a sync
	// brought in meanwhile to another field stays.
	Write ledger.Entity
}

// RecordPlan is what importing a project or leader list would do. Nothing is written until Apply.
type RecordPlan struct {
	Kind    ledger.Kind
	Sheet   string
	Rows    []RecordRow
	Skipped int // rows whose villages all lie outside the office's scope
}

// Count is the number of rows whose action is a.
func (p RecordPlan) Count(a AdvisorAction) int {
	n := 0
	for _, r := range p.Rows {
		if r.Action == a {
			n++
		}
	}
	return n
}

// Writes is the number of records applying the plan adds or changes.
func (p RecordPlan) Writes() int { return p.Count(AdvisorNew) + p.Count(AdvisorUpdate) }

// Summary says in a sentence what the plan found and would do.
func (p RecordPlan) Summary() string {
	unit := map[ledger.Kind]string{ledger.KindProject: "个项目", ledger.KindLeader: "人"}[p.Kind]
	s := fmt.Sprintf("工作表「%s」：新增 %d %s，修改 %d，无变化 %d，有错误 %d 行（不导入）", p.Sheet, p.Count(AdvisorNew), unit,
		p.Count(AdvisorUpdate), p.Count(AdvisorUnchanged), p.Count(AdvisorError))
	if p.Skipped > 0 {
		s += fmt.Sprintf("，不在本单位范围 %d 行", p.Skipped)
	}
	return s + "。"
}

// Verdict says what becomes of the row, for the clerk.
func (r RecordRow) Verdict() string {
	var s string
	switch r.Action {
	case AdvisorNew:
		s = "新增"
	case AdvisorUpdate:
		s = "修改 " + strings.Join(r.Changes, "，")
	case AdvisorUnchanged:
		s = "无变化"
	default:
		return "错误，不导入：" + r.Problem
	}
	if len(r.Checks) > 0 {
		s += "（请核对：" + strings.Join(r.Checks, "；") + "）"
	}
	return s
}

// Lines are the rows' verdicts.
func (p RecordPlan) Lines() []PlanLine {
	var out []PlanLine
	for _, r := range p.Rows {
		mark := MarkOK
		switch {
		case r.Action == AdvisorError:
			mark = MarkRefused
		case len(r.Checks) > 0:
			mark = MarkCheck
		}
		out = append(out, PlanLine{fmt.Sprintf("第 %d 行 %s：%s", r.Line, r.Name, r.Verdict()), mark})
	}
	return out
}

// Apply writes the new and changed rows in one import, each record whole or not at all; rows with
// problems are not written. A row the store still refuses (another office changed what it names
// meanwhile) is reported in Rejected with its line in the sheet.
func (p RecordPlan) Apply(ctx context.Context, st Store, progress func(done, total int)) (query.ImportResult, error) {
	var recs []ledger.Entity
	var lines []int
	for _, r := range p.Rows {
		if r.Action == AdvisorNew || r.Action == AdvisorUpdate {
			recs = append(recs, r.Write)
			lines = append(lines, r.Line)
		}
	}
	res, err := st.Import(ctx, recs, func(done int) {
		if progress != nil {
			progress(done, len(recs))
		}
	})
	for i, re := range res.Rejected {
		if re.Row >= 1 && re.Row <= len(lines) {
			res.Rejected[i].Row = lines[re.Row-1]
		}
	}
	return res, err
}

// recordImport is what the project and leader imports share: the store's villages and advisors to
// match names against, and the row being read.
type recordImport struct {
	st       Store
	scope    ledger.Code
	villages *villageIndex
	inScope  func(ledger.Code) bool
	advisors map[string][]ledger.Advisor // by normName
	today    time.Time
	ck       checker
}

func newRecordImport(st Store) *recordImport {
	scope := st.Identity().Scope
	if scope.Level() == ledger.LevelCity {
		scope = ""
	}
	all, _ := st.Villages(query.Villages{Under: scope}, nil)
	ri := &recordImport{st: st, scope: scope, villages: newVillageIndex(all, scope), advisors: map[string][]ledger.Advisor{},
		today: st.Clock().Today()}
	ri.inScope = func(c ledger.Code) bool { return scope == "" || scope.Contains(c) }
	for _, a := range st.Advisors(query.Advisors{}, nil) {
		ri.advisors[normName(a.Name)] = append(ri.advisors[normName(a.Name)], a)
	}
	ri.ck = checker{today: ri.today}
	return ri
}

// rowReader collects a row's problems and checks while its cells are read.
type rowReader struct {
	s        Sheet
	h        header
	r        Row
	problems []string
	checks   []string
	outside  []string // villages named that lie beyond the office's scope
}

func (rr *rowReader) cell(key string) string { return rr.h.cell(rr.r, key) }
func (rr *rowReader) fail(format string, a ...any) {
	rr.problems = append(rr.problems, fmt.Sprintf(format, a...))
}
func (rr *rowReader) check(format string, a ...any) {
	rr.checks = append(rr.checks, fmt.Sprintf(format, a...))
}

// splitList splits a cell listing several names: 、，,；; and line breaks.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、，,；;\n\r/／", r) }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// villagesOf reads the villages of a row: from its code column when filled (our own export), else by
// name within the row's county and township, tolerantly. label is the column's heading in messages.
func (ri *recordImport) villagesOf(rr *rowReader, label, nameKey, codeKey string) []ledger.Code {
	county, township := rr.cell("county"), rr.cell("township")
	var out []ledger.Code
	add := func(c ledger.Code) {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if codes := splitList(rr.cell(codeKey)); len(codes) > 0 {
		for _, c := range codes {
			code := ledger.Code(c)
			switch v, ok := ri.villages.byCode[code]; {
			case code.Level() != ledger.LevelVillage:
				rr.fail("「%s代码」%s 不是 12 位村级区划代码", label, c)
			case !ok && !ri.inScope(code):
				rr.outside = append(rr.outside, c)
			case !ok:
				rr.fail("没有代码为 %s 的村", c)
			default:
				add(v.Code)
			}
		}
		return out
	}
	names := splitList(rr.cell(nameKey))
	if len(names) == 0 {
		rr.fail("「%s」为空", label)
		return nil
	}
	for _, name := range names {
		v, m, how, outside := ri.villages.match(county, township, name, "")
		switch {
		case outside:
			rr.outside = append(rr.outside, strings.Join(nonEmpty(county, township, name), ""))
		case m == MatchNone:
			rr.fail("「%s」%s：%s", label, name, how)
		case m == MatchLoose:
			rr.check("%s 对应为 %s%s%s（%s）", name, v.CountyName, v.TownshipName, v.Name, how)
			add(v.Code)
		default:
			add(v.Code)
		}
	}
	return out
}

// advisorOf is the advisor a name means: the one advisor of the roster with that name. When several
// share it, a note in brackets after the name (王强（13700000001）, 王强（沂源县农业局）: our export writes
// the phone) tells them apart, or else the first of prefer's choices that leaves one (preferFor);
// failing that the row is refused.
func (ri *recordImport) advisorOf(rr *rowReader, label, name string, prefer []func(id string) bool) string {
	if name == "" {
		return ""
	}
	bare := villageNoteless(name)
	note := strings.Trim(strings.TrimSpace(strings.TrimPrefix(name, bare)), "（）() ")
	same := ri.advisors[normName(bare)]
	narrow := func(keep func(a ledger.Advisor) bool) []ledger.Advisor {
		var out []ledger.Advisor
		for _, a := range same {
			if keep(a) {
				out = append(out, a)
			}
		}
		return out
	}
	if len(same) > 1 && note != "" {
		if by := narrow(func(a ledger.Advisor) bool {
			return a.Phone == note || a.ID == note || a.Employer != "" && strings.Contains(a.Employer, note)
		}); len(by) > 0 {
			same = by
		}
	}
	for _, pick := range prefer {
		if len(same) > 1 {
			if by := narrow(func(a ledger.Advisor) bool { return pick(a.ID) }); len(by) == 1 {
				same = by
			}
		}
	}
	switch len(same) {
	case 1:
		return same[0].ID
	case 0:
		rr.fail("「%s」%s 不在科技指导人员名册中（请先导入或添加）", label, name)
	default:
		rr.fail("「%s」名册里有 %d 位叫「%s」的人员，无法确定是哪一位：请在名字后注明电话，如 %s（%s）", label, len(same), bare,
			bare, or(same[0].Phone, "电话"))
	}
	return ""
}

// preferFor is which of several same-named advisors a row more likely means, in turn: one the record
// it updates already names; one paired today with one of its villages.
func (ri *recordImport) preferFor(named []string, villages []ledger.Code) []func(id string) bool {
	return []func(id string) bool{
		func(id string) bool { return id != "" && slices.Contains(named, id) },
		func(id string) bool {
			for _, v := range villages {
				if len(ri.st.Assignments(v, id, ledger.DateOf(ri.today), nil)) > 0 {
					return true
				}
			}
			return false
		},
	}
}

// villageNoteless drops a bracketed note: 王芳（研究员） is 王芳.
func villageNoteless(s string) string {
	for _, b := range []string{"（", "("} {
		if i := strings.Index(s, b); i > 0 {
			s = s[:i]
		}
	}
	return strings.TrimSpace(s)
}

// choiceOf reads a cell that takes one of a list of values, with the other ways lists write them.
func (rr *rowReader) choiceOf(key, label string, allowed []string, other map[string]string) string {
	s := rr.cell(key)
	if s == "" {
		return ""
	}
	n := normName(s)
	for _, a := range allowed {
		if n == a {
			return a
		}
	}
	if a, ok := other[n]; ok {
		return a
	}
	rr.fail("「%s」应为 %s 之一，表中是「%s」", label, strings.Join(allowed, "、"), s)
	return ""
}

var (
	dateYMD    = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)
	dateCompat = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	dateExcel  = regexp.MustCompile(`^(\d{1,2})-(\d{1,2})-(\d{2})$`) // excelize's rendering of Excel's built-in date format 14
	yearOnly   = regexp.MustCompile(`^(\d{4})\s*年?$`)
	monthOnly  = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$`)
)

// dateOf reads a date as clerks and Excel write it: 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日,
// 20260305, a date cell (03-05-26), or the day count Excel keeps for a date in a cell formatted as a
// number. A year or a month alone is taken as its first day, and said in the checks.
func (rr *rowReader) dateOf(key, label string) ledger.Date {
	s := rr.cell(key)
	if s == "" {
		return ""
	}
	if rr.s.raw != nil { // a date cell: its day number, whatever its format shows
		if f, err := strconv.ParseFloat(rr.s.raw(rr.r.Line, rr.h.at[key]), 64); err == nil && f >= 36526 && f < 73051 {
			s = strconv.FormatFloat(math.Trunc(f), 'f', 0, 64)
		}
	}
	var y, m, d int
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if g := dateYMD.FindStringSubmatch(s); g != nil {
		y, m, d = atoi(g[1]), atoi(g[2]), atoi(g[3])
	} else if g := dateCompat.FindStringSubmatch(s); g != nil {
		y, m, d = atoi(g[1]), atoi(g[2]), atoi(g[3])
	} else if g := dateExcel.FindStringSubmatch(s); g != nil {
		y, m, d = 2000+atoi(g[3]), atoi(g[1]), atoi(g[2])
	} else if g := monthOnly.FindStringSubmatch(s); g != nil {
		y, m, d = atoi(g[1]), atoi(g[2]), 1
		rr.check("「%s」只有年月（%s），记为 %04d-%02d-01", label, s, y, m)
	} else if g := yearOnly.FindStringSubmatch(s); g != nil {
		y, m, d = atoi(g[1]), 1, 1
		rr.check("「%s」只有年份（%s），记为 %04d-01-01", label, s, y)
	} else if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 36526 && f < 73051 && f == math.Trunc(f) { // 2000 to 2099
		t := time.Date(1899, 12, 30, 0, 0, 0, 0, ledger.China).AddDate(0, 0, int(f)) // Excel's day 0
		return ledger.DateOf(t)
	} else {
		rr.fail("「%s」「%s」不是日期（请写成 2026-03-05）", label, s)
		return ""
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, ledger.China)
	if m < 1 || m > 12 || d < 1 || t.Day() != d {
		rr.fail("「%s」「%s」不是有效的日期", label, s)
		return ""
	}
	return ledger.DateOf(t)
}

// intOf reads a whole number (people, households, a year), allowing a unit after it (25户, 2026年).
func (rr *rowReader) intOf(key, label string, units ...string) int {
	s := rr.cell(key)
	if s == "" {
		return 0
	}
	t := strings.ReplaceAll(s, ",", "")
	for _, u := range units {
		t = strings.TrimSuffix(t, u)
	}
	t = strings.TrimSuffix(strings.TrimSpace(t), ".0")
	n, err := strconv.Atoi(strings.TrimSpace(t))
	if err != nil || n < 0 {
		rr.fail("「%s」「%s」不是整数", label, s)
		return 0
	}
	return n
}

// amountOf reads an amount in 万元; 元 written out (12000元) is converted.
func (rr *rowReader) amountOf(key, label string) float64 {
	s := strings.ReplaceAll(rr.cell(key), ",", "")
	if s == "" {
		return 0
	}
	scale := 1.0
	switch {
	case strings.HasSuffix(s, "万元"):
		s = strings.TrimSuffix(s, "万元")
	case strings.HasSuffix(s, "万"):
		s = strings.TrimSuffix(s, "万")
	case strings.HasSuffix(s, "元"):
		s, scale = strings.TrimSuffix(s, "元"), 1.0/10000
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		rr.fail("「%s」「%s」不是金额（万元）", label, rr.cell(key))
		return 0
	}
	return math.Round(f*scale*10000) / 10000
}

// varietiesOf reads a row's varieties and techniques: each text the registry knows is kept as written
// (it counts as that variety); a text it does not know that looks like one it does (one character off,
// one name containing the other) is refused, so that no near-duplicate enters the counts silently; any
// other unknown text is kept as free text and said not to count until the city registers it.
func (ri *recordImport) varietiesOf(rr *rowReader, key, label string) []string {
	var out []string
	for _, text := range splitList(rr.cell(key)) {
		m := ri.st.MatchVariety(text)
		switch {
		case m.Variety != nil:
			if ledger.NormalName(text) != ledger.NormalName(m.Variety.Name) {
				rr.check("「%s」计为登记的 %s", text, m.Variety.Name)
			}
		case len(m.Near) > 0:
			var near []string
			for _, v := range m.Near {
				near = append(near, v.Name)
			}
			rr.fail("「%s」%s 未登记，是否指 %s？请改为登记的名称，或请市局把它登记为别名", label, text, strings.Join(near, "、"))
			continue
		default:
			rr.check("「%s」未登记，不计入新品种新技术（市局登记后自动计入）", text)
		}
		out = append(out, text)
	}
	return out
}

// finish validates the record a row makes (merged over the record it updates, if any) and settles the
// row's action. before is nil for a new record; write is what the row sets.
func (ri *recordImport) finish(row *RecordRow, rr *rowReader, before, after, write ledger.Entity) {
	row.Checks = rr.checks
	if len(rr.problems) == 0 {
		if err := ledger.Validate(after, ri.ck); err != nil {
			var ve *ledger.ValidationError
			if errors.As(err, &ve) {
				rr.problems = append(rr.problems, ve.Chinese())
			} else {
				rr.problems = append(rr.problems, err.Error())
			}
		}
	}
	if len(rr.problems) > 0 {
		row.Action, row.Problem = AdvisorError, strings.Join(rr.problems, "；")
		return
	}
	row.Write = write
	if before == nil {
		row.Action = AdvisorNew
		return
	}
	row.Changes = changes(before, after)
	if len(row.Changes) == 0 {
		row.Action, row.Write = AdvisorUnchanged, nil
	} else {
		row.Action = AdvisorUpdate
	}
}

// changes says which fields differ between two records of a kind, from what to what.
func changes(before, after ledger.Entity) []string {
	bv, av := ledger.Values(before), ledger.Values(after)
	var out []string
	for _, f := range ledger.Fields(before.RecordKind()) {
		if bv[f.Name] != av[f.Name] {
			out = append(out, fmt.Sprintf("「%s」%s → %s", f.Zh, or(bv[f.Name], "（空）"), or(av[f.Name], "（空）")))
		}
	}
	return out
}

// outsideOnly settles a row whose villages lie beyond the office: all of them, skipped (another
// office's row); some, refused (a record spanning offices is written by the office holding them all).
func (ri *recordImport) outsideOnly(rr *rowReader, inside int) (skip bool) {
	if len(rr.outside) == 0 {
		return false
	}
	if inside == 0 && len(rr.problems) == 0 {
		return true
	}
	rr.fail("涉及本单位范围以外的村（%s），请由涵盖全部村的上级单位导入", strings.Join(rr.outside, "、"))
	return false
}
