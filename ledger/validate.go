package ledger

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrInvalid is matched (errors.Is) by every ValidationError.
var ErrInvalid = errors.New("invalid record")

// FieldError says what is wrong with one field, in Chinese and in English.
type FieldError struct {
	Field string // record field name
	Label string // the field's Chinese label
	Zh    string // the reason, in Chinese
	En    string // the reason, in English
	// With names the other field of a rule that relates two fields (poor households within households,
	// end after start), "" for a rule about this field's own value. Two offices' concurrent edits, each
	// valid, can merge into a record that breaks a relation; the city's hub enforces only the others.
	With string
}

// ValidationError lists everything wrong with one record.
type ValidationError struct {
	Kind   Kind
	ID     string
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		_, en := Label(e.Kind, f.Field)
		parts[i] = en + ": " + f.En
	}
	return fmt.Sprintf("invalid %s: %s", e.Kind, strings.Join(parts, "; "))
}

// Chinese is the message a clerk sees: every field and what to do about it.
func (e *ValidationError) Chinese() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = "「" + f.Label + "」" + f.Zh
	}
	return KindName(e.Kind) + "填写有误：" + strings.Join(parts, "；")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// KindName is a kind's name in Chinese.
func KindName(k Kind) string {
	switch k {
	case KindVillage:
		return "村庄"
	case KindAdvisor:
		return "科技指导人员"
	case KindTraining:
		return "培训与服务记录"
	case KindAssignment:
		return "结对安排"
	case KindTarget:
		return "年度目标"
	case KindNeed:
		return "需求"
	case KindProject:
		return "科技扶贫项目"
	case KindVariety:
		return "新品种新技术"
	case KindIntroduction:
		return "引进推广记录"
	case KindLeader:
		return "科技带头人、示范户"
	case KindPublicity:
		return "宣传报道"
	case KindPark:
		return "农业科技园区"
	case KindParkPairing:
		return "园区结对"
	case KindPlatform:
		return "星创天地、农科驿站"
	}
	return string(k)
}

// Checker gives validation what it needs to know beyond the record: the date today, and which villages
// and advisors exist.
type Checker interface {
	Today() time.Time
	VillageKnown(Code) bool
	AdvisorKnown(id string) bool
	// Known reports whether a live record of kind k has the id: the trainings, projects, varieties and
	// parks that records of the programme name.
	Known(k Kind, id string) bool
	// Named returns the id of the live record of kind k known by a name in NormalName form ("" if none):
	// a variety by its name or one of its aliases, so that the registry never holds one variety twice.
	Named(k Kind, normal string) string
}

// Doubter is a Checker that may not know today's date: a PC that never reached the city and whose clock
// reads a time before this software was written (Clock.Doubtful). Validation then takes its today a year
// later, so that a clerk at such a PC can record real work; the city, whose clock is the reference,
// checks every date again when the record arrives (PROTOCOL.md §13).
type Doubter interface {
	Doubtful() bool
}

// FirstDate is the earliest date the ledger accepts (the programme began in 2015).
const FirstDate Date = "2015-01-01"

// Plausibility limits: a number above these is a typing slip, not a village or a training.
const (
	MaxAttendees  = 5000
	MaxBrochures  = 100000
	MaxHouseholds = 20000
	MaxPopulation = 100000
	MaxFarmland   = 200000 // 亩
	MaxText       = 2000   // characters in a free-text field
	MaxName       = 50     // characters in a name
	MaxTarget     = 1000000
)

type checks struct {
	kind Kind
	errs []FieldError
}

func (c *checks) fail(field, zh, en string) {
	label, _ := Label(c.kind, field)
	c.errs = append(c.errs, FieldError{Field: field, Label: label, Zh: zh, En: en})
}

// relation fails field for a rule that relates it to the field with.
func (c *checks) relation(field, with, zh, en string) {
	c.fail(field, zh, en)
	c.errs[len(c.errs)-1].With = with
}

func (c *checks) required(field, value string) bool {
	if strings.TrimSpace(value) == "" {
		c.fail(field, "不能为空，请填写", "is required")
		return false
	}
	return true
}

func (c *checks) text(field, value string, max int) {
	if n := utf8.RuneCountInString(value); n > max {
		c.fail(field, fmt.Sprintf("太长（%d 字），最多 %d 字", n, max), fmt.Sprintf("is too long (%d characters, at most %d)", n, max))
	}
	if !utf8.ValidString(value) {
		c.fail(field, "含有无法识别的字符", "is not valid UTF-8")
	}
}

func (c *checks) count(field string, n, max int) {
	switch {
	case n < 0:
		c.fail(field, "不能为负数", "must not be negative")
	case n > max:
		c.fail(field, fmt.Sprintf("数值 %d 不合常理（最多 %d），请核对", n, max), fmt.Sprintf("%d is implausible (at most %d)", n, max))
	}
}

func (c *checks) date(field string, d Date, today time.Time, required bool) {
	if d == "" {
		if required {
			c.required(field, "")
		}
		return
	}
	if !d.Valid() {
		c.fail(field, fmt.Sprintf("「%s」不是有效日期，格式为 2026-05-01", d), fmt.Sprintf("%q is not a date (YYYY-MM-DD)", d))
		return
	}
	last := DateOf(today.AddDate(0, 0, 1))
	if d < FirstDate || d > last {
		c.fail(field, fmt.Sprintf("%s 超出范围，应在 %s 至 %s 之间", d, FirstDate, last),
			fmt.Sprintf("%s is out of range (%s to %s)", d, FirstDate, last))
	}
}

var (
	mobileRE   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landlineRE = regexp.MustCompile(`^(0[0-9]{2,3}-?)?[0-9]{7,8}(-[0-9]{1,6})?$`)
	clockRE    = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

// ValidPhone reports whether s is a mainland mobile (11 digits, 1[3-9]…) or a landline number
// (0533-1234567, with or without area code and extension).
func ValidPhone(s string) bool { return mobileRE.MatchString(s) || landlineRE.MatchString(s) }

func (c *checks) phone(field, value string) {
	if value != "" && !ValidPhone(value) {
		c.fail(field, fmt.Sprintf("「%s」不是有效电话号码（手机 11 位，座机如 0533-1234567）", value),
			fmt.Sprintf("%q is not a phone number", value))
	}
}

func (c *checks) village(field string, code Code, known func(Code) bool) {
	switch {
	case code.Level() != LevelVillage:
		c.fail(field, fmt.Sprintf("「%s」不是 12 位村级区划代码", code), fmt.Sprintf("%q is not a 12-digit village code", code))
	case known != nil && !known(code):
		c.fail(field, fmt.Sprintf("村代码 %s 不在本台账的村庄名单中，请先导入或添加该村", code),
			fmt.Sprintf("village %s is not known", code))
	}
}

func (c *checks) oneOf(field, value string, allowed []string) {
	if value != "" && !slices.Contains(allowed, value) {
		c.fail(field, fmt.Sprintf("「%s」无效，应为：%s", value, strings.Join(allowed, "、")),
			fmt.Sprintf("%q is not one of %s", value, strings.Join(allowed, ", ")))
	}
}

// tombstone reports whether the record is deleted, having checked that its fields are text: a tombstone
// is otherwise always acceptable, but only UTF-8 crosses the wire unchanged, and a field the sender and
// the city read differently would never converge.
func (c *checks) tombstone(e Entity, deleted bool) bool {
	if !deleted {
		return false
	}
	v := reflect.ValueOf(e)
	for _, f := range Fields(e.RecordKind()) {
		fv := v.Field(f.index)
		ok := true
		switch fv.Kind() {
		case reflect.String:
			ok = utf8.ValidString(fv.String())
		case reflect.Slice:
			for i := range fv.Len() {
				if el := fv.Index(i); el.Kind() == reflect.String && !utf8.ValidString(el.String()) {
					ok = false
				}
			}
		}
		if !ok {
			c.fail(f.Name, "含有无法识别的字符", "is not valid UTF-8")
		}
	}
	return true
}

func (c *checks) result(id string) error {
	if len(c.errs) == 0 {
		return nil
	}
	return &ValidationError{Kind: c.kind, ID: id, Fields: c.errs}
}

// Validate checks a typed record against the programme's rules and returns a *ValidationError naming
// every field that is wrong, or nil. Of a deleted record only the text is checked (every field must be
// UTF-8, which the wire carries unchanged): a tombstone is otherwise always acceptable.
func Validate(e Entity, ck Checker) error {
	c := &checks{kind: e.RecordKind()}
	today := ck.Today()
	if d, ok := ck.(Doubter); ok && d.Doubtful() {
		today = today.AddDate(1, 0, 0)
	}
	switch r := e.(type) {
	case Village:
		if !c.tombstone(e, r.Deleted) {
			c.checkVillage(r, today)
		}
	case Advisor:
		if !c.tombstone(e, r.Deleted) {
			c.checkAdvisor(r, today)
		}
	case Training:
		if !c.tombstone(e, r.Deleted) {
			c.checkTraining(r, today, ck)
		}
	case Assignment:
		if !c.tombstone(e, r.Deleted) {
			c.checkAssignment(r, today, ck)
		}
	case Target:
		if !c.tombstone(e, r.Deleted) {
			c.checkTarget(r, today)
		}
	default:
		if !c.checkProgramme(e, today, ck) {
			return fmt.Errorf("validate: unknown record type %T", e)
		}
	}
	if e.RecordKind().HasEvidence() {
		c.evidence(e)
	}
	return c.result(e.RecordID())
}

func (c *checks) checkVillage(r Village, today time.Time) {
	if r.Code.Level() != LevelVillage {
		c.fail("id", fmt.Sprintf("「%s」不是 12 位村级区划代码", r.Code), fmt.Sprintf("%q is not a 12-digit village code", r.Code))
	}
	c.required("name", r.Name)
	c.text("name", r.Name, MaxName)
	c.text("township_name", r.TownshipName, MaxName)
	c.text("county_name", r.CountyName, MaxName)
	if r.KeyYear != 0 && (r.KeyYear < 2015 || r.KeyYear > today.Year()) {
		c.fail("key_year", fmt.Sprintf("%d 不在 2015 至 %d 之间", r.KeyYear, today.Year()),
			fmt.Sprintf("%d is not between 2015 and %d", r.KeyYear, today.Year()))
	}
	for _, s := range r.Industries {
		c.text("industries", s, MaxName)
	}
	c.count("households", r.Households, MaxHouseholds)
	c.count("population", r.Population, MaxPopulation)
	c.count("poor_households", r.PoorHouseholds, MaxHouseholds)
	if r.Households > 0 && r.PoorHouseholds > r.Households {
		c.relation("poor_households", "households", "不能多于户数", "exceeds the number of households")
	}
	if !(r.Farmland >= 0 && r.Farmland <= MaxFarmland) { // written so that NaN fails too
		c.fail("farmland", fmt.Sprintf("应在 0 至 %d 亩之间", MaxFarmland), fmt.Sprintf("must be 0 to %d mu", MaxFarmland))
	}
	c.text("secretary", r.Secretary, MaxName)
	c.phone("secretary_phone", r.SecretaryPhone)
	c.text("notes", r.Notes, MaxText)
}

func (c *checks) checkAdvisor(r Advisor, today time.Time) {
	c.required("name", r.Name)
	c.text("name", r.Name, MaxName)
	c.oneOf("gender", r.Gender, []string{"男", "女"})
	c.phone("phone", r.Phone)
	for _, f := range []struct{ name, v string }{{"employer", r.Employer}, {"title", r.Title}, {"specialty", r.Specialty}} {
		c.text(f.name, f.v, MaxName*2)
	}
	if c.required("group", r.Group) {
		c.oneOf("group", r.Group, Groups)
	}
	if c.required("status", r.Status) {
		c.oneOf("status", r.Status, Statuses)
	}
	c.date("status_date", r.StatusDate, today, false)
	c.date("since", r.Since, today, false)
	c.text("notes", r.Notes, MaxText)
}

func (c *checks) checkTraining(r Training, today time.Time, ck Checker) {
	if c.required("kind", r.Kind) {
		c.text("kind", r.Kind, 20)
	}
	c.date("date", r.Date, today, true)
	for _, f := range []struct{ name, v string }{{"start", r.Start}, {"end", r.End}} {
		if f.v != "" && !clockRE.MatchString(f.v) {
			c.fail(f.name, fmt.Sprintf("「%s」不是有效时间，格式为 08:30", f.v), fmt.Sprintf("%q is not a time (HH:MM)", f.v))
		}
	}
	if clockRE.MatchString(r.Start) && clockRE.MatchString(r.End) && r.End < r.Start {
		c.relation("end", "start", "不能早于开始时间", "is before the start time")
	}
	if len(r.Villages) == 0 {
		c.fail("villages", "至少选择一个村", "at least one village is required")
	}
	for i, v := range r.Villages {
		c.village("villages", v, ck.VillageKnown)
		if slices.Contains(r.Villages[:i], v) {
			c.fail("villages", fmt.Sprintf("村 %s 重复", v), fmt.Sprintf("village %s is listed twice", v))
		}
	}
	for i, a := range r.Advisors {
		if !ck.AdvisorKnown(a) {
			c.fail("advisors", fmt.Sprintf("编号为 %s 的科技指导人员不存在", a), fmt.Sprintf("advisor %s is not known", a))
		} else if slices.Contains(r.Advisors[:i], a) {
			c.fail("advisors", "同一人员重复", fmt.Sprintf("advisor %s is listed twice", a))
		}
	}
	if c.required("topic", r.Topic) {
		c.text("topic", r.Topic, 200)
	}
	c.text("content", r.Content, MaxText)
	c.count("attendees", r.Attendees, MaxAttendees)
	c.count("poor_attendees", r.PoorAttendees, MaxAttendees)
	if r.PoorAttendees > r.Attendees && r.Attendees >= 0 {
		c.relation("poor_attendees", "attendees", "不能多于培训人次", "exceeds the attendees")
	}
	c.count("brochures", r.Brochures, MaxBrochures)
	for _, s := range r.Varieties {
		c.text("varieties", s, 100)
	}
	c.text("notes", r.Notes, MaxText)
}

func (c *checks) checkAssignment(r Assignment, today time.Time, ck Checker) {
	if c.required("advisor", r.Advisor) && !ck.AdvisorKnown(r.Advisor) {
		c.fail("advisor", fmt.Sprintf("编号为 %s 的科技指导人员不存在", r.Advisor), fmt.Sprintf("advisor %s is not known", r.Advisor))
	}
	c.village("village", r.Village, ck.VillageKnown)
	c.date("from", r.From, today, true)
	if r.To != "" {
		c.date("to", r.To, today.AddDate(5, 0, 0), false) // a pairing may be planned to run on
		if r.From != "" && r.To < r.From {
			c.relation("to", "from", "不能早于开始日期", "is before the start date")
		}
	}
	c.text("reason", r.Reason, 200)
	c.text("notes", r.Notes, MaxText)
}

func (c *checks) checkTarget(r Target, today time.Time) {
	if y, err := strconv.Atoi(r.Year); err != nil || y < FirstDate.Year() || y > today.Year()+5 {
		c.fail("id", fmt.Sprintf("「%s」不是 %d 至 %d 之间的年份", r.Year, FirstDate.Year(), today.Year()+5),
			fmt.Sprintf("%q is not a year from %d to %d", r.Year, FirstDate.Year(), today.Year()+5))
	}
	for _, f := range []struct {
		name string
		n    int
	}{{"activities", r.Activities}, {"attendees", r.Attendees}, {"brochures", r.Brochures}, {"projects", r.Projects},
		{"varieties", r.Varieties}, {"surveys", r.Surveys}, {"leaders", r.Leaders}, {"reports", r.Reports},
		{"park_villages", r.ParkVillages}, {"park_jobs", r.ParkJobs}, {"star_platforms", r.Stars}, {"stations", r.Stations},
		{"need_days", r.NeedDays}} {
		c.count(f.name, f.n, MaxTarget)
	}
	c.text("notes", r.Notes, MaxText)
}
