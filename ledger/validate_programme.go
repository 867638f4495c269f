package ledger

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Plausibility limits of the programme's records beyond villages and trainings.
const (
	MaxAmount = 100000  // 万元: a billion yuan is a typing slip
	MaxArea   = 1000000 // 亩, across the villages of one introduction
	MaxReach  = 200000  // households or jobs a project or an introduction reaches
	MaxJobs   = 20000   // jobs one park pairing creates
	MaxTitle  = 200     // characters in a title or a problem's summary
	MaxLink   = 500     // characters in a link or a reference
	// MaxNeed is the longest need: the farmers' words, as a clerk copies them from the survey sheet.
	MaxNeed = 1000
)

// checkProgramme checks the kinds of programme.go; false if e is none of them.
func (c *checks) checkProgramme(e Entity, today time.Time, ck Checker) bool {
	switch r := e.(type) {
	case Need:
		if !c.tombstone(e, r.Deleted) {
			c.checkNeed(r, today, ck)
		}
	case Project:
		if !c.tombstone(e, r.Deleted) {
			c.checkProject(r, today, ck)
		}
	case Variety:
		if !c.tombstone(e, r.Deleted) {
			c.checkVariety(r, ck)
		}
	case Introduction:
		if !c.tombstone(e, r.Deleted) {
			c.checkIntroduction(r, today, ck)
		}
	case Leader:
		if !c.tombstone(e, r.Deleted) {
			c.checkLeader(r, today, ck)
		}
	case Publicity:
		if !c.tombstone(e, r.Deleted) {
			c.checkPublicity(r, today, ck)
		}
	case Park:
		if !c.tombstone(e, r.Deleted) {
			c.checkPark(r, today)
		}
	case ParkPairing:
		if !c.tombstone(e, r.Deleted) {
			c.checkParkPairing(r, today, ck)
		}
	case Platform:
		if !c.tombstone(e, r.Deleted) {
			c.checkPlatform(r, today, ck)
		}
	default:
		return false
	}
	return true
}

// choice checks a required field that takes one of a list of values.
func (c *checks) choice(field, value string, allowed []string) {
	if c.required(field, value) {
		c.oneOf(field, value, allowed)
	}
}

// year checks a required year: from the programme's first year to this one (nothing is counted in a
// year that has not come).
func (c *checks) year(field string, y int, today time.Time) {
	switch {
	case y == 0:
		c.required(field, "")
	case y < FirstDate.Year() || y > today.Year():
		c.fail(field, fmt.Sprintf("%d 不在 %d 至 %d 之间", y, FirstDate.Year(), today.Year()),
			fmt.Sprintf("%d is not between %d and %d", y, FirstDate.Year(), today.Year()))
	}
}

// amount checks a non-negative number up to max (written so that NaN and infinities fail too).
func (c *checks) amount(field string, v float64, max float64) {
	if !(v >= 0 && v <= max) || math.IsInf(v, 0) {
		c.fail(field, fmt.Sprintf("应在 0 至 %s 之间", strconv.FormatFloat(max, 'f', -1, 64)),
			fmt.Sprintf("must be 0 to %s", strconv.FormatFloat(max, 'f', -1, 64)))
	}
}

// advisor checks an advisor id a record names (empty: none named).
func (c *checks) advisor(field, id string, ck Checker) {
	if id != "" && !ck.AdvisorKnown(id) {
		c.fail(field, fmt.Sprintf("编号为 %s 的科技指导人员不存在", id), fmt.Sprintf("advisor %s is not known", id))
	}
}

// advisors checks a list of advisor ids: each known, none twice.
func (c *checks) advisors(field string, ids []string, ck Checker) {
	for i, a := range ids {
		switch {
		case !ck.AdvisorKnown(a):
			c.fail(field, fmt.Sprintf("编号为 %s 的科技指导人员不存在", a), fmt.Sprintf("advisor %s is not known", a))
		case slices.Contains(ids[:i], a):
			c.fail(field, "同一人员重复", fmt.Sprintf("advisor %s is listed twice", a))
		}
	}
}

// villages checks a list of village codes: each a known village, none twice; at least one if required.
func (c *checks) villages(field string, codes []Code, required bool, ck Checker) {
	if required && len(codes) == 0 {
		c.fail(field, "至少选择一个村", "at least one village is required")
	}
	for i, v := range codes {
		c.village(field, v, ck.VillageKnown)
		if slices.Contains(codes[:i], v) {
			c.fail(field, fmt.Sprintf("村 %s 重复", v), fmt.Sprintf("village %s is listed twice", v))
		}
	}
}

// records checks a list of ids of records of kind k: each a live record, none twice.
func (c *checks) records(field string, k Kind, ids []string, ck Checker) {
	for i, id := range ids {
		switch {
		case !ck.Known(k, id):
			c.fail(field, fmt.Sprintf("编号为 %s 的%s不存在", id, KindName(k)), fmt.Sprintf("%s %s is not known", k, id))
		case slices.Contains(ids[:i], id):
			c.fail(field, fmt.Sprintf("%s重复：%s", KindName(k), id), fmt.Sprintf("%s %s is listed twice", k, id))
		}
	}
}

// texts checks each item of a list of short texts.
func (c *checks) texts(field string, items []string, max int) {
	for _, s := range items {
		c.text(field, s, max)
		if strings.TrimSpace(s) == "" {
			c.fail(field, "含有空白项", "has an empty item")
		}
	}
}

func (c *checks) checkNeed(r Need, today time.Time, ck Checker) {
	if r.Village == "" {
		c.required("village", "")
	} else {
		c.village("village", r.Village, ck.VillageKnown)
	}
	c.text("industry", r.Industry, MaxName)
	if c.required("problem", r.Problem) {
		c.text("problem", r.Problem, MaxNeed)
	}
	c.choice("group", r.Group, Groups)
	c.choice("state", r.State, NeedStates)
	c.advisor("advisor", r.Advisor, ck)
	if r.Advisor == "" && (r.State == NeedMatched || r.State == NeedServing || r.State == NeedResolved) {
		c.relation("advisor", "state", fmt.Sprintf("需求%s，请填写承接的科技指导人员或专家", r.State),
			fmt.Sprintf("is required once the need is %s", r.State))
	}
	c.text("reason", r.Reason, MaxTitle)
	if r.State == NeedUnsolvable && strings.TrimSpace(r.Reason) == "" {
		c.relation("reason", "state", "无法解决的需求请说明原因", "is required when the need cannot be solved")
	}
	if r.Survey != "" && !ck.Known(KindTraining, r.Survey) {
		c.fail("survey", fmt.Sprintf("编号为 %s 的需求调研记录不存在", r.Survey), fmt.Sprintf("training %s is not known", r.Survey))
	}
	c.records("trainings", KindTraining, r.Trainings, ck)
	c.records("projects", KindProject, r.Projects, ck)
	c.date("raised", r.Raised, today, true)
	c.date("closed", r.Closed, today, false)
	known := slices.Contains(NeedStates, r.State)
	switch {
	case known && !NeedOpen(r.State) && r.Closed == "":
		c.relation("closed", "state", fmt.Sprintf("需求已%s，请填写办结日期", strings.TrimPrefix(r.State, "已")),
			fmt.Sprintf("is required once the need is %s", r.State))
	case known && NeedOpen(r.State) && r.Closed != "":
		c.relation("closed", "state", fmt.Sprintf("需求%s，尚未办结：请清空办结日期或改为已解决、无法解决", r.State),
			fmt.Sprintf("must be empty while the need is %s", r.State))
	case r.Closed != "" && r.Raised != "" && r.Closed < r.Raised:
		c.relation("closed", "raised", "不能早于提出日期", "is before the day the need was raised")
	}
	c.text("notes", r.Notes, MaxText)
}

func (c *checks) checkProject(r Project, today time.Time, ck Checker) {
	if c.required("name", r.Name) {
		c.text("name", r.Name, MaxTitle)
	}
	c.year("year", r.Year, today)
	c.villages("villages", r.Villages, true, ck)
	if c.required("lead", r.Lead) {
		c.advisor("lead", r.Lead, ck)
	}
	c.advisors("team", r.Team, ck)
	if r.Lead != "" && slices.Contains(r.Team, r.Lead) {
		c.relation("team", "lead", "项目负责人不必再列入团队成员", "lists the lead advisor again")
	}
	c.choice("group", r.Group, Groups)
	c.choice("source", r.Source, ProjectSources)
	c.amount("amount", r.Amount, MaxAmount)
	c.choice("state", r.State, ProjectStates)
	c.date("applied", r.Applied, today, false)
	c.date("approved", r.Approved, today, false)
	c.date("finished", r.Finished, today, false)
	if r.Approved == "" && ProjectSupported(r.State) {
		c.relation("approved", "state", fmt.Sprintf("项目已%s，请填写立项日期", r.State), fmt.Sprintf("is required once the project is %s", r.State))
	}
	if r.Finished == "" && (r.State == ProjectAccepted || r.State == ProjectTerminated) {
		c.relation("finished", "state", fmt.Sprintf("项目已%s，请填写%s日期", r.State, r.State), fmt.Sprintf("is required once the project is %s", r.State))
	}
	if r.Applied != "" && r.Approved != "" && r.Approved < r.Applied {
		c.relation("approved", "applied", "不能早于申报日期", "is before the application")
	}
	if r.Finished != "" && (r.Approved != "" && r.Finished < r.Approved || r.Applied != "" && r.Finished < r.Applied) {
		c.relation("finished", "approved", "不能早于申报、立项日期", "is before the application or the approval")
	}
	c.count("households", r.Households, MaxReach)
	c.count("jobs", r.Jobs, MaxReach)
	c.texts("varieties", r.Varieties, 100)
	c.text("notes", r.Notes, MaxText)
}

func (c *checks) checkVariety(r Variety, ck Checker) {
	if c.required("name", r.Name) {
		c.text("name", r.Name, MaxName)
	}
	c.choice("kind", r.Kind, VarietyKinds)
	c.oneOf("group", r.Group, Groups)
	c.text("industry", r.Industry, MaxName)
	c.texts("aliases", r.Aliases, MaxName)
	seen := map[string]bool{}
	for i, name := range r.Names() {
		field := "aliases"
		if i == 0 {
			field = "name"
		}
		n := NormalName(name)
		if n == "" {
			if i == 0 && strings.TrimSpace(name) != "" {
				c.fail(field, "只有标点符号，不是名称", "holds no letters or digits")
			}
			continue
		}
		if seen[n] {
			c.relation(field, "name", fmt.Sprintf("「%s」与名称或其他别名重复", name), fmt.Sprintf("%q repeats the name or another alias", name))
			continue
		}
		seen[n] = true
		if other := ck.Named(KindVariety, n); other != "" && other != r.ID {
			c.fail(field, fmt.Sprintf("「%s」已登记为另一个品种/技术（编号 %s）：同一品种请作为别名登记", name, other),
				fmt.Sprintf("%q is registered already as variety %s", name, other))
		}
	}
	c.text("source", r.Source, MaxTitle)
	c.text("description", r.Description, MaxText)
	c.text("notes", r.Notes, MaxText)
}

func (c *checks) checkIntroduction(r Introduction, today time.Time, ck Checker) {
	if c.required("variety", r.Variety) && !ck.Known(KindVariety, r.Variety) {
		c.fail("variety", fmt.Sprintf("编号为 %s 的品种/技术未登记：请先由市局登记", r.Variety),
			fmt.Sprintf("variety %s is not registered", r.Variety))
	}
	c.year("year", r.Year, today)
	c.date("date", r.Date, today, false)
	if y := r.Date.Year(); y != 0 && r.Year != 0 && y != r.Year {
		c.relation("date", "year", fmt.Sprintf("%s 不在 %d 年度内", r.Date, r.Year), fmt.Sprintf("%s is not in the year %d", r.Date, r.Year))
	}
	c.villages("villages", r.Villages, true, ck)
	c.amount("area", r.Area, MaxArea)
	c.count("households", r.Households, MaxReach)
	c.records("trainings", KindTraining, r.Trainings, ck)
	c.text("notes", r.Notes, MaxText)
}

func (c *checks) checkLeader(r Leader, today time.Time, ck Checker) {
	if c.required("name", r.Name) {
		c.text("name", r.Name, MaxName)
	}
	c.choice("kind", r.Kind, LeaderKinds)
	if r.Village == "" {
		c.required("village", "")
	} else {
		c.village("village", r.Village, ck.VillageKnown)
	}
	c.oneOf("gender", r.Gender, []string{"男", "女"})
	c.phone("phone", r.Phone)
	c.text("industry", r.Industry, MaxName)
	c.advisor("advisor", r.Advisor, ck)
	c.date("since", r.Since, today, true)
	c.text("notes", r.Notes, MaxText)
}

func (c *checks) checkPublicity(r Publicity, today time.Time, ck Checker) {
	if c.required("title", r.Title) {
		c.text("title", r.Title, MaxTitle)
	}
	if c.required("outlet", r.Outlet) {
		c.text("outlet", r.Outlet, MaxTitle)
	}
	c.date("date", r.Date, today, true)
	c.choice("form", r.Form, PublicityForms)
	switch l := r.Org.Level(); {
	case r.Org == "":
		c.required("org", "")
	case l != LevelCity && l != LevelCounty && l != LevelTownship:
		c.fail("org", fmt.Sprintf("「%s」不是市、区县或乡镇的区划代码", r.Org), fmt.Sprintf("%q is not a city, county or township code", r.Org))
	}
	c.advisors("advisors", r.Advisors, ck)
	c.villages("villages", r.Villages, false, ck)
	for _, v := range r.Villages {
		if r.Org.Level() != LevelInvalid && v.Level() == LevelVillage && !r.Org.Contains(v) {
			c.relation("villages", "org", fmt.Sprintf("村 %s 不属于报送单位 %s", v, r.Org), fmt.Sprintf("village %s is not within %s", v, r.Org))
		}
	}
	c.text("link", r.Link, MaxLink)
	c.text("notes", r.Notes, MaxText)
}

func (c *checks) checkPark(r Park, today time.Time) {
	if c.required("name", r.Name) {
		c.text("name", r.Name, MaxTitle)
	}
	switch {
	case r.County == "":
		c.required("county", "")
	case r.County.Level() != LevelCounty:
		c.fail("county", fmt.Sprintf("「%s」不是 6 位区县代码", r.County), fmt.Sprintf("%q is not a 6-digit county code", r.County))
	}
	c.text("speciality", r.Speciality, MaxTitle)
	if r.Year != 0 && (r.Year < 1990 || r.Year > today.Year()) {
		c.fail("year", fmt.Sprintf("%d 不在 1990 至 %d 之间", r.Year, today.Year()), fmt.Sprintf("%d is not between 1990 and %d", r.Year, today.Year()))
	}
	c.text("notes", r.Notes, MaxText)
}

func (c *checks) checkParkPairing(r ParkPairing, today time.Time, ck Checker) {
	if c.required("park", r.Park) && !ck.Known(KindPark, r.Park) {
		c.fail("park", fmt.Sprintf("编号为 %s 的园区不存在", r.Park), fmt.Sprintf("park %s is not known", r.Park))
	}
	if r.Village == "" {
		c.required("village", "")
	} else {
		c.village("village", r.Village, ck.VillageKnown)
	}
	c.date("from", r.From, today, true)
	if r.To != "" {
		c.date("to", r.To, today.AddDate(5, 0, 0), false) // a pairing may be planned to run on
		if r.From != "" && r.To < r.From {
			c.relation("to", "from", "不能早于开始日期", "is before the start date")
		}
	}
	c.text("reason", r.Reason, MaxTitle)
	c.count("jobs", r.Jobs, MaxJobs)
	c.text("notes", r.Notes, MaxText)
}

func (c *checks) checkPlatform(r Platform, today time.Time, ck Checker) {
	if c.required("name", r.Name) {
		c.text("name", r.Name, MaxTitle)
	}
	c.choice("kind", r.Kind, PlatformKinds)
	c.choice("level", r.Level, PlatformLevels)
	c.choice("state", r.State, PlatformStates)
	c.date("date", r.Date, today, true)
	switch l := r.Location.Level(); {
	case r.Location == "":
		c.required("location", "")
	case l != LevelCounty && l != LevelTownship:
		c.fail("location", fmt.Sprintf("「%s」不是区县或乡镇的区划代码", r.Location), fmt.Sprintf("%q is not a county or township code", r.Location))
	}
	c.text("address", r.Address, MaxTitle)
	c.text("operator", r.Operator, MaxTitle)
	c.villages("villages", r.Villages, false, ck)
	c.text("notes", r.Notes, MaxText)
}

// NormalName is a name as tolerant matching compares names of varieties: full-width letters, digits
// and signs folded to their ASCII forms (Ｖ８ → v8), letters in lower case, spaces, punctuation and
// symbols dropped ("鲁丽 苹果", "鲁丽（苹果）" → 鲁丽苹果). Two texts name the same variety when their
// normal names are equal; nothing looser counts, so that no near miss is counted silently (a near
// miss is offered to the clerk instead).
func NormalName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == 0x3000:
			continue // ideographic space
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0 // full-width ASCII
		}
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r) || r == unicode.ReplacementChar {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
