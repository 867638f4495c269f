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

	"github.com/google/uuid"

	"techaid/ledger"
	"techaid/query"
)

// AdvisorAction is what importing a roster row does.
type AdvisorAction string

const (
	AdvisorNew       AdvisorAction = "new"       // an advisor the roster does not have
	AdvisorUpdate    AdvisorAction = "update"    // an advisor it has, with fields that change
	AdvisorUnchanged AdvisorAction = "unchanged" // an advisor it has, as the row says
	AdvisorError     AdvisorAction = "error"     // a row that cannot be applied; Problem says why
)

// AdvisorRow is the import's verdict on one row of an advisor roster.
type AdvisorRow struct {
	Line    int
	Name    string
	Action  AdvisorAction
	Problem string   // in Chinese, for AdvisorError
	Changes []string // in Chinese, for AdvisorUpdate: 「电话」138… → 139…
	Before  ledger.Advisor
	After   ledger.Advisor
}

// AdvisorPlan is what importing a roster would do. Nothing is written until Apply.
type AdvisorPlan struct {
	Sheet string
	Rows  []AdvisorRow
}

// Count is the number of rows whose action is a.
func (p AdvisorPlan) Count(a AdvisorAction) int {
	n := 0
	for _, r := range p.Rows {
		if r.Action == a {
			n++
		}
	}
	return n
}

// Writes is the number of advisors applying the plan adds or changes.
func (p AdvisorPlan) Writes() int { return p.Count(AdvisorNew) + p.Count(AdvisorUpdate) }

// Summary says in a sentence what the plan found and would do.
func (p AdvisorPlan) Summary() string {
	return fmt.Sprintf("工作表「%s」：新增 %d 人，修改 %d 人，无变化 %d 人，有错误 %d 行。", p.Sheet,
		p.Count(AdvisorNew), p.Count(AdvisorUpdate), p.Count(AdvisorUnchanged), p.Count(AdvisorError))
}

// Verdict says what becomes of the row, for the clerk.
func (r AdvisorRow) Verdict() string {
	switch r.Action {
	case AdvisorNew:
		return "新增"
	case AdvisorUpdate:
		return "修改 " + strings.Join(r.Changes, "，")
	case AdvisorUnchanged:
		return "无变化"
	}
	return "错误：" + r.Problem
}

var advisorColumns = []column{
	{key: "id", names: []string{"编号", "人员编号"}},
	{key: "name", names: []string{"姓名", "科技指导人员", "科技特派员", "专家姓名"}, required: true},
	{key: "gender", names: []string{"性别"}},
	{key: "phone", names: []string{"电话", "联系电话", "手机", "手机号码", "手机号", "联系方式"}},
	{key: "employer", names: []string{"派出单位", "工作单位", "单位", "所在单位", "单位名称"}},
	{key: "title", names: []string{"职称", "职务/职称", "职务", "技术职称"}},
	{key: "specialty", names: []string{"专业特长", "专业", "特长", "研究方向", "专长"}},
	{key: "group", names: []string{"专业组", "所属专业组", "组别"}},
	{key: "expert", names: []string{"专家服务团成员", "是否专家服务团成员", "是否专家", "专家"}},
	{key: "status", names: []string{"状态", "在岗状态"}},
	{key: "notes", names: []string{"备注"}},
}

// PlanAdvisors reads an advisor roster and matches each row to the store's roster: by 编号 when the
// sheet has it (our own export), else by name and phone, else by a name only one advisor has. A row
// names only what it fills in: an empty cell never blanks a field.
func PlanAdvisors(st Store, sheets []Sheet) (AdvisorPlan, error) {
	s, h, err := pickSheet(sheets, advisorColumns)
	if err != nil {
		return AdvisorPlan{}, err
	}
	byID := map[string]ledger.Advisor{}
	byName := map[string][]ledger.Advisor{}
	for _, a := range st.Advisors(query.Advisors{}, nil) {
		byID[a.ID] = a
		byName[normName(a.Name)] = append(byName[normName(a.Name)], a)
	}
	inFile := map[string]int{} // rows per name in the file: two 王强 rows are told apart by phone only
	for _, r := range s.Rows {
		if r.Line > h.line {
			inFile[normName(h.cell(r, "name"))]++
		}
	}
	plan := AdvisorPlan{Sheet: s.Name}
	taken := map[string]int{} // advisor id or new name+phone → the line that named it
	ck := checker{today: st.Clock().Today()}
	for _, r := range s.Rows {
		if r.Line <= h.line || blank(r) {
			continue
		}
		row := AdvisorRow{Line: r.Line, Name: h.cell(r, "name")}
		fail := func(format string, a ...any) {
			row.Action, row.Problem = AdvisorError, fmt.Sprintf(format, a...)
			plan.Rows = append(plan.Rows, row)
		}
		if row.Name == "" {
			fail("姓名为空%s", s.formulaNote(r.Line, h.at["name"]))
			continue
		}
		in, problems := advisorFromRow(h, r)
		if len(problems) > 0 {
			fail("%s", strings.Join(problems, "；"))
			continue
		}
		// Which advisor is it?
		key := normName(row.Name)
		var cur ledger.Advisor
		found := false
		id := h.cell(r, "id")
		if _, err := uuid.Parse(id); err != nil {
			id = "" // not one of ours (a bureau's own 编号, 1, 2, 3): match by name
		}
		switch {
		case id != "":
			// Our 编号: that advisor, or, in a store that does not have them (a new PC, a restored
			// roster), a new advisor keeping it, so that the same person has the same id everywhere.
			cur, found = byID[id]
			in.ID = id
		default:
			same := byName[key]
			if in.Phone != "" {
				if i := slices.IndexFunc(same, func(a ledger.Advisor) bool { return a.Phone == in.Phone }); i >= 0 {
					cur, found = same[i], true
				}
			}
			if !found && len(same) == 1 && inFile[key] == 1 {
				cur, found = same[0], true
			}
			if !found && len(same) > 1 {
				fail("名册里有 %d 位叫「%s」的人员，请填写电话或编号以区分", len(same), row.Name)
				continue
			}
		}
		mark := cur.ID
		if !found {
			mark = key + "/" + in.Phone
		}
		if first, dup := taken[mark]; dup {
			fail("与第 %d 行是同一个人", first)
			continue
		}
		taken[mark] = r.Line

		after := cur
		if !found {
			after = ledger.Advisor{ID: in.ID, Status: ledger.StatusActive}
		}
		mergeAdvisor(&after, in, h.cell(r, "expert") != "")
		if err := ledger.Validate(after, ck); err != nil {
			var ve *ledger.ValidationError
			if errors.As(err, &ve) {
				fail("%s", ve.Chinese())
			} else {
				fail("%v", err)
			}
			continue
		}
		row.Before, row.After = cur, after
		switch {
		case !found:
			row.Action = AdvisorNew
		case after == cur:
			row.Action = AdvisorUnchanged
		default:
			row.Action = AdvisorUpdate
			row.Changes = advisorChanges(cur, after)
		}
		plan.Rows = append(plan.Rows, row)
	}
	if len(plan.Rows) == 0 {
		return plan, fmt.Errorf("%s: 表头下面没有数据行 (no rows under the heading)", s.Name)
	}
	return plan, nil
}

// advisorFromRow reads a row's cells into an advisor, with what is wrong in them.
func advisorFromRow(h header, r Row) (ledger.Advisor, []string) {
	a := ledger.Advisor{Name: h.cell(r, "name"), Employer: h.cell(r, "employer"), Title: h.cell(r, "title"),
		Specialty: h.cell(r, "specialty"), Notes: h.cell(r, "notes"), Status: h.cell(r, "status")}
	var problems []string
	switch g := h.cell(r, "gender"); g {
	case "", "男", "女":
		a.Gender = g
	case "男性", "M", "m":
		a.Gender = "男"
	case "女性", "F", "f":
		a.Gender = "女"
	default:
		problems = append(problems, fmt.Sprintf("「性别」应为 男 或 女，表中是「%s」", g))
	}
	phone, err := cleanPhone(h.cell(r, "phone"))
	if err != nil {
		problems = append(problems, err.Error())
	}
	a.Phone = phone
	if g := strings.TrimSuffix(h.cell(r, "group"), "组"); g != "" {
		if !slices.Contains(ledger.Groups, g) {
			problems = append(problems, fmt.Sprintf("「专业组」应为 %s 之一，表中是「%s」", strings.Join(ledger.Groups, "、"), h.cell(r, "group")))
		}
		a.Group = g
	}
	if e := h.cell(r, "expert"); e != "" {
		switch strings.ToLower(e) {
		case "是", "√", "✓", "y", "yes", "true", "1", "专家", "成员":
			a.Expert = true
		case "否", "×", "n", "no", "false", "0", "不是":
		default:
			problems = append(problems, fmt.Sprintf("「专家服务团成员」应为 是 或 否，表中是「%s」", e))
		}
	}
	return a, problems
}

var sciRE = regexp.MustCompile(`^[0-9.]+[eE]\+?[0-9]+$`)

// cleanPhone undoes what Excel does to a phone number typed into a number cell: 13512345678.0, or
// 1.3512345678E+10 when the digits survived. When they did not (1.35123E+10), the number is lost and
// the clerk must retype it in a text cell.
func cleanPhone(s string) (string, error) {
	s = strings.TrimSuffix(s, ".0")
	if sciRE.MatchString(s) {
		f, err := strconv.ParseFloat(s, 64)
		mant := strings.SplitN(strings.ToLower(s), "e", 2)[0]
		digits := len(strings.ReplaceAll(mant, ".", ""))
		if err != nil || f != math.Trunc(f) || digits < 11 {
			return "", fmt.Errorf("「电话」被 Excel 存成了科学计数法（%s），号码已不完整：请把该列设为“文本”后重新输入", s)
		}
		s = strconv.FormatFloat(f, 'f', 0, 64)
	}
	return s, nil
}

// mergeAdvisor writes onto a what the row fills in.
func mergeAdvisor(a *ledger.Advisor, in ledger.Advisor, expertSet bool) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&a.Name, in.Name)
	set(&a.Gender, in.Gender)
	set(&a.Phone, in.Phone)
	set(&a.Employer, in.Employer)
	set(&a.Title, in.Title)
	set(&a.Specialty, in.Specialty)
	set(&a.Group, in.Group)
	set(&a.Status, in.Status)
	set(&a.Notes, in.Notes)
	if expertSet { // 是 or 否 in the cell: it decides; an empty cell leaves the flag as it was
		a.Expert = in.Expert
	}
}

// advisorChanges says which fields an update changes, from what to what.
func advisorChanges(before, after ledger.Advisor) []string {
	bv, av := ledger.Values(before), ledger.Values(after)
	var out []string
	for _, f := range ledger.Fields(ledger.KindAdvisor) {
		if bv[f.Name] != av[f.Name] {
			from, to := bv[f.Name], av[f.Name]
			if f.Name == "expert" {
				from, to = yesNo(from == "true"), yesNo(to == "true")
			}
			out = append(out, fmt.Sprintf("「%s」%s → %s", f.Zh, or(from, "（空）"), or(to, "（空）")))
		}
	}
	return out
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// Apply writes the plan: new advisors in one import, each update as one edit of the fields it changes.
// Rows with problems are not written. Each advisor is written whole or not at all.
func (p AdvisorPlan) Apply(ctx context.Context, st Store, progress func(done, total int)) (query.ImportResult, error) {
	var news []ledger.Entity
	var updates []AdvisorRow
	for _, r := range p.Rows {
		switch r.Action {
		case AdvisorNew:
			news = append(news, r.After)
		case AdvisorUpdate:
			updates = append(updates, r)
		}
	}
	total := len(news) + len(updates)
	res, err := st.Import(ctx, news, func(done int) {
		if progress != nil {
			progress(done, total)
		}
	})
	if err != nil {
		return res, err
	}
	for i, r := range updates {
		if err := st.Update(ctx, r.Before, r.After); err != nil {
			var ve *ledger.ValidationError
			if errors.As(err, &ve) {
				res.Rejected = append(res.Rejected, query.RowError{Row: r.Line, ID: r.Before.ID, Err: err})
				continue
			}
			return res, fmt.Errorf("第 %d 行 %s: %w", r.Line, r.Name, err)
		}
		res.Updated++
		if progress != nil {
			progress(len(news)+i+1, total)
		}
	}
	return res, nil
}

// checker validates rows as the store will, without it: today's date and no references to check.
type checker struct{ today time.Time }

func (c checker) Today() time.Time               { return c.today }
func (checker) VillageKnown(ledger.Code) bool    { return true }
func (checker) AdvisorKnown(string) bool         { return true }
func (checker) Known(ledger.Kind, string) bool   { return true }
func (checker) Named(ledger.Kind, string) string { return "" }
