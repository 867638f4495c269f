package ledger

import (
	"math"
	"strconv"
)

// The record kinds as clerks and the bureau keep them. Struct tags drive everything generic:
// `f` is the field's name in records, storage and on the wire (never rename one), `zh` and `en` its label
// in messages, conflicts and history. The field tagged f:"id" is the record id.

// Village is a village-level unit (村委会 or 社区) and what the programme keeps about it.
type Village struct {
	Code           Code     `f:"id" zh:"村代码" en:"village code" json:"id"`
	Name           string   `f:"name" zh:"村名" en:"name" json:"name,omitempty"`
	TownshipName   string   `f:"township_name" zh:"乡镇" en:"township" json:"township_name,omitempty"`
	CountyName     string   `f:"county_name" zh:"区县" en:"county" json:"county_name,omitempty"`
	Key            bool     `f:"key" zh:"省定重点村" en:"key village" json:"key,omitempty"`
	KeyYear        int      `f:"key_year" zh:"认定年份" en:"year designated" json:"key_year,omitempty"`
	Industries     []string `f:"industries" zh:"主导产业" en:"leading industries" json:"industries,omitempty"`
	Households     int      `f:"households" zh:"户数" en:"households" json:"households,omitempty"`
	Population     int      `f:"population" zh:"人口" en:"population" json:"population,omitempty"`
	PoorHouseholds int      `f:"poor_households" zh:"贫困户数" en:"poor households" json:"poor_households,omitempty"`
	Farmland       float64  `f:"farmland" zh:"耕地面积（亩）" en:"farmland (mu)" json:"farmland,omitempty"`
	Secretary      string   `f:"secretary" zh:"党支部书记" en:"party secretary" json:"secretary,omitempty"`
	SecretaryPhone string   `f:"secretary_phone" zh:"书记电话" en:"secretary's phone" json:"secretary_phone,omitempty"`
	Notes          string   `f:"notes" zh:"备注" en:"notes" json:"notes,omitempty"`
	Deleted        bool     `f:"deleted" zh:"已删除" en:"deleted" json:"deleted,omitempty"`
}

// Township is the township the village lies in.
func (v Village) Township() Code { return v.Code.Township() }

// Groups are the seven professional groups (专业组) of the expert service group.
var Groups = []string{"粮食", "蔬菜", "林果", "畜牧", "水产", "农业良种", "经济作物"}

// Advisor statuses: serving, being reassigned (动态调整), withdrawn.
const (
	StatusActive    = "在岗"
	StatusAdjusting = "调整"
	StatusLeft      = "退出"
)

// Statuses lists the advisor statuses.
var Statuses = []string{StatusActive, StatusAdjusting, StatusLeft}

// Advisor is a technology advisor (科技指导人员), possibly one of the 56 experts.
type Advisor struct {
	ID         string `f:"id" zh:"编号" en:"id" json:"id"`
	Name       string `f:"name" zh:"姓名" en:"name" json:"name,omitempty"`
	Gender     string `f:"gender" zh:"性别" en:"gender" json:"gender,omitempty"`
	Phone      string `f:"phone" zh:"电话" en:"phone" json:"phone,omitempty"`
	Employer   string `f:"employer" zh:"派出单位" en:"employer" json:"employer,omitempty"`
	Title      string `f:"title" zh:"职称" en:"title" json:"title,omitempty"`
	Specialty  string `f:"specialty" zh:"专业特长" en:"specialty" json:"specialty,omitempty"`
	Group      string `f:"group" zh:"专业组" en:"professional group" json:"group,omitempty"`
	Expert     bool   `f:"expert" zh:"专家服务团成员" en:"expert group member" json:"expert,omitempty"`
	Status     string `f:"status" zh:"状态" en:"status" json:"status,omitempty"`
	StatusDate Date   `f:"status_date" zh:"状态日期" en:"status date" json:"status_date,omitempty"`
	Since      Date   `f:"since" zh:"选派日期" en:"serving since" json:"since,omitempty"`
	Notes      string `f:"notes" zh:"备注" en:"notes" json:"notes,omitempty"`
	Deleted    bool   `f:"deleted" zh:"已删除" en:"deleted" json:"deleted,omitempty"`
}

// Training kinds (服务形式) the programme counts; clerks may record others.
const (
	TrainingCourse    = "技术培训"
	TrainingOnSite    = "现场指导"
	TrainingExperts   = "专家基层行"
	TrainingPromotion = "成果推广"
	TrainingSurvey    = "需求调研"
	TrainingProject   = "项目扶持"
	TrainingOther     = "其他"
)

// TrainingKinds lists the training kinds in the order forms offer them.
var TrainingKinds = []string{TrainingCourse, TrainingOnSite, TrainingExperts, TrainingPromotion,
	TrainingSurvey, TrainingProject, TrainingOther}

// Training is one training or service visit: the line of the work ledger (工作台账).
type Training struct {
	ID            string   `f:"id" zh:"编号" en:"id" json:"id"`
	Kind          string   `f:"kind" zh:"服务形式" en:"kind" json:"kind,omitempty"`
	Date          Date     `f:"date" zh:"日期" en:"date" json:"date,omitempty"`
	Start         string   `f:"start" zh:"开始时间" en:"start time" json:"start,omitempty"`
	End           string   `f:"end" zh:"结束时间" en:"end time" json:"end,omitempty"`
	Villages      []Code   `f:"villages" zh:"村" en:"villages" json:"villages,omitempty"`
	Advisors      []string `f:"advisors" zh:"科技指导人员" en:"advisors" json:"advisors,omitempty"`
	Topic         string   `f:"topic" zh:"主题" en:"topic" json:"topic,omitempty"`
	Content       string   `f:"content" zh:"服务内容" en:"content" json:"content,omitempty"`
	Attendees     int      `f:"attendees" zh:"培训人次" en:"attendees" json:"attendees,omitempty"`
	PoorAttendees int      `f:"poor_attendees" zh:"其中贫困户" en:"of whom poor" json:"poor_attendees,omitempty"`
	Brochures     int      `f:"brochures" zh:"发放资料（份）" en:"brochures" json:"brochures,omitempty"`
	Varieties     []string `f:"varieties" zh:"引进品种/技术" en:"varieties or technologies" json:"varieties,omitempty"`
	Notes         string   `f:"notes" zh:"备注" en:"notes" json:"notes,omitempty"`
	Evidence      []string `f:"evidence" zh:"佐证材料" en:"evidence" json:"evidence,omitempty"`
	Deleted       bool     `f:"deleted" zh:"已删除" en:"deleted" json:"deleted,omitempty"`
}

// Village is the training's primary village (the first listed), which decides its office scope.
func (t Training) Village() Code {
	if len(t.Villages) == 0 {
		return ""
	}
	return t.Villages[0]
}

// Assignment pairs an advisor with a village for a period (结对帮扶); ending one and starting another is
// the programme's dynamic adjustment (动态调整), and the ended ones are its history.
type Assignment struct {
	ID      string `f:"id" zh:"编号" en:"id" json:"id"`
	Advisor string `f:"advisor" zh:"科技指导人员" en:"advisor" json:"advisor,omitempty"`
	Village Code   `f:"village" zh:"村" en:"village" json:"village,omitempty"`
	From    Date   `f:"from" zh:"开始日期" en:"from" json:"from,omitempty"`
	To      Date   `f:"to" zh:"结束日期" en:"to" json:"to,omitempty"`
	Reason  string `f:"reason" zh:"调整原因" en:"reason" json:"reason,omitempty"`
	Notes   string `f:"notes" zh:"备注" en:"notes" json:"notes,omitempty"`
	Deleted bool   `f:"deleted" zh:"已删除" en:"deleted" json:"deleted,omitempty"`
}

// ActiveOn reports whether the assignment covers the date (an open end runs on).
func (a Assignment) ActiveOn(d Date) bool {
	return !a.Deleted && a.From <= d && (a.To == "" || d <= a.To)
}

// Target is one year's targets of the programme for the whole city (年度目标任务), kept by the city
// office and shared with every office like the rosters; the id is the year. Offices below the city are
// measured against a share of it (the dashboard pro-rates by key villages).
type Target struct {
	Year       string `f:"id" zh:"年度" en:"year" json:"id"`
	Activities int    `f:"activities" zh:"开展活动（次）" en:"activities" json:"activities,omitempty"`
	Attendees  int    `f:"attendees" zh:"培训农民（人次）" en:"farmers trained" json:"attendees,omitempty"`
	Brochures  int    `f:"brochures" zh:"发放技术资料（份）" en:"brochures" json:"brochures,omitempty"`
	Projects   int    `f:"projects" zh:"支持项目（个）" en:"projects supported" json:"projects,omitempty"`
	Varieties  int    `f:"varieties" zh:"引进新品种新技术（项）" en:"new varieties and techniques" json:"varieties,omitempty"`
	Surveys    int    `f:"surveys" zh:"每个重点村需求调研（次）" en:"needs surveys per key village" json:"surveys,omitempty"`
	Leaders    int    `f:"leaders" zh:"培育科技带头人、示范户（名）" en:"technology leaders and model households" json:"leaders,omitempty"`
	Reports    int    `f:"reports" zh:"宣传报道（篇）" en:"publicity reports" json:"reports,omitempty"`
	// Since schema 2: the science parks' pairings, the platforms, and how long a need may stay open.
	ParkVillages int    `f:"park_villages" zh:"每个园区结对重点村（个）" en:"key villages paired with each park" json:"park_villages,omitempty"`
	ParkJobs     int    `f:"park_jobs" zh:"园区带动就业（人）" en:"jobs created by the parks" json:"park_jobs,omitempty"`
	Stars        int    `f:"star_platforms" zh:"星创天地（个）" en:"星创天地 platforms" json:"star_platforms,omitempty"`
	Stations     int    `f:"stations" zh:"农科驿站（个）" en:"农科驿站 stations" json:"stations,omitempty"`
	NeedDays     int    `f:"need_days" zh:"需求办结时限（天）" en:"days a need may stay open" json:"need_days,omitempty"`
	Notes        string `f:"notes" zh:"备注" en:"notes" json:"notes,omitempty"`
	Deleted      bool   `f:"deleted" zh:"已删除" en:"deleted" json:"deleted,omitempty"`
}

// ProgrammeKeyVillages is the number of key villages the programme covers, for pro-rating the city's
// targets to an office that does not hold the whole city.
const ProgrammeKeyVillages = 474

// ShareOf is an office's part of a city-wide target: share is its key villages over the programme's,
// rounded up so that a small office's target is never zero.
func ShareOf(target int, share float64) int { return int(math.Ceil(float64(target) * share)) }

// DefaultTarget is the programme's yearly targets as the bureau set them (DESIGN.md), for a year the
// city has not set.
func DefaultTarget(year int) Target {
	return Target{Year: strconv.Itoa(year), Activities: 20, Attendees: 2000, Brochures: 3000, Projects: 10,
		Varieties: 20, Surveys: 2, Leaders: 50, Reports: 10, ParkVillages: 2, ParkJobs: 50, Stars: 1, Stations: 10,
		NeedDays: 30}
}

// WithDefaults fills the fields of a stored target that the city never set with the programme's
// defaults: a target record written before schema 2 has no park, platform or need figures, and a zero
// there would read as "no target". set tells which fields the record holds (Record.Fields).
func (t Target) WithDefaults(set func(field string) bool) Target {
	y, _ := strconv.Atoi(t.Year)
	def := Values(DefaultTarget(y))
	vals := Values(t)
	for name, v := range def {
		if !set(name) && vals[name] == "" {
			vals[name] = v
		}
	}
	e, _ := Decode(KindTarget, t.Year, vals)
	return e.(Target)
}

// RecordKind and RecordID tie the typed views to their records.
func (Village) RecordKind() Kind    { return KindVillage }
func (Advisor) RecordKind() Kind    { return KindAdvisor }
func (Training) RecordKind() Kind   { return KindTraining }
func (Assignment) RecordKind() Kind { return KindAssignment }
func (Target) RecordKind() Kind     { return KindTarget }

func (v Village) RecordID() string    { return string(v.Code) }
func (a Advisor) RecordID() string    { return a.ID }
func (t Training) RecordID() string   { return t.ID }
func (a Assignment) RecordID() string { return a.ID }
func (t Target) RecordID() string     { return t.Year }

// Entity is a typed view of a record.
type Entity interface {
	RecordKind() Kind
	RecordID() string
}

// Entities converts a slice of one kind to a slice of Entity, as imports take them.
func Entities[T Entity](s []T) []Entity {
	out := make([]Entity, len(s))
	for i, e := range s {
		out[i] = e
	}
	return out
}
