package ledger

import "fmt"

// The rest of the programme's work ledger (工作台账) beyond villages, advisors, trainings and pairings:
// needs raised by surveys and their outcome, projects, the registry of new varieties and techniques and
// their yearly introductions, technology leaders and model households, publicity, the provincial
// science parks and their pairings with key villages, and the 星创天地/农科驿站 platforms. Each is a
// record kind like the others; its struct tags are its fields (kinds.go says how).

// The kinds of this file. Their names are part of every storage key and wire message: never rename one.
const (
	KindNeed         Kind = "need"
	KindProject      Kind = "project"
	KindVariety      Kind = "variety"
	KindIntroduction Kind = "introduction"
	KindLeader       Kind = "leader"
	KindPublicity    Kind = "publicity"
	KindPark         Kind = "park"
	KindParkPairing  Kind = "park_pairing"
	KindPlatform     Kind = "platform"
)

// Need states (需求状态): three open ones, then the two that close a need.
const (
	NeedWaiting    = "待对接"
	NeedMatched    = "已对接"
	NeedServing    = "服务中"
	NeedResolved   = "已解决"
	NeedUnsolvable = "无法解决"
)

// NeedStates lists the need states in the order a need moves through them.
var NeedStates = []string{NeedWaiting, NeedMatched, NeedServing, NeedResolved, NeedUnsolvable}

// NeedOpen reports whether a need in this state still waits for an answer.
func NeedOpen(state string) bool { return state != NeedResolved && state != NeedUnsolvable }

// Need is a need (需求) a village raised, usually at a needs survey (需求调研), tracked to its outcome.
// The professional group it belongs to collects and answers it.
type Need struct {
	ID        string   `f:"id" zh:"编号" en:"id" json:"id"`
	Village   Code     `f:"village" zh:"村" en:"village" json:"village,omitempty"`
	Industry  string   `f:"industry" zh:"产业" en:"industry" json:"industry,omitempty"`
	Problem   string   `f:"problem" zh:"需求（群众原话）" en:"need, in the farmers' words" json:"problem,omitempty"`
	Group     string   `f:"group" zh:"专业组" en:"professional group" json:"group,omitempty"`
	Advisor   string   `f:"advisor" zh:"承接人" en:"taken by" json:"advisor,omitempty"` // an advisor or an expert (an advisor id)
	State     string   `f:"state" zh:"状态" en:"state" json:"state,omitempty"`
	Reason    string   `f:"reason" zh:"原因说明" en:"reason" json:"reason,omitempty"`
	Survey    string   `f:"survey" zh:"来源调研" en:"raised at survey" json:"survey,omitempty"` // the 需求调研 training's id
	Trainings []string `f:"trainings" zh:"服务记录" en:"trainings that served it" json:"trainings,omitempty"`
	Projects  []string `f:"projects" zh:"支持项目" en:"projects that served it" json:"projects,omitempty"`
	Raised    Date     `f:"raised" zh:"提出日期" en:"raised on" json:"raised,omitempty"`
	Closed    Date     `f:"closed" zh:"办结日期" en:"closed on" json:"closed,omitempty"`
	Notes     string   `f:"notes" zh:"备注" en:"notes" json:"notes,omitempty"`
	Evidence  []string `f:"evidence" zh:"佐证材料" en:"evidence" json:"evidence,omitempty"`
	Deleted   bool     `f:"deleted" zh:"已删除" en:"deleted" json:"deleted,omitempty"`
}

// Open reports whether the need still waits for an answer.
func (n Need) Open() bool { return NeedOpen(n.State) }

// Project sources of support (支持来源).
const (
	SourceProvince = "省科技计划"
	SourceCity     = "市科技计划"
	SourceCounty   = "县级"
	SourceOther    = "其他"
)

// ProjectSources lists the sources of support.
var ProjectSources = []string{SourceProvince, SourceCity, SourceCounty, SourceOther}

// Project states (项目状态), in the order a project moves through them; 终止 ends one early.
const (
	ProjectApplied    = "申报"
	ProjectApproved   = "立项"
	ProjectRunning    = "实施"
	ProjectAccepted   = "验收"
	ProjectTerminated = "终止"
)

// ProjectStates lists the project states.
var ProjectStates = []string{ProjectApplied, ProjectApproved, ProjectRunning, ProjectAccepted, ProjectTerminated}

// ProjectSupported reports whether a project in this state counts as supported (支持项目): approved and
// running or accepted. One only applied for, or terminated, does not.
func ProjectSupported(state string) bool {
	return state == ProjectApproved || state == ProjectRunning || state == ProjectAccepted
}

// Project is a technology poverty-alleviation project (科技扶贫项目): "人才+团队+项目", a lead advisor and
// a team bringing a project to key villages.
type Project struct {
	ID         string   `f:"id" zh:"编号" en:"id" json:"id"`
	Name       string   `f:"name" zh:"项目名称" en:"name" json:"name,omitempty"`
	Year       int      `f:"year" zh:"年度" en:"year" json:"year,omitempty"`
	Villages   []Code   `f:"villages" zh:"实施村" en:"villages" json:"villages,omitempty"`
	Lead       string   `f:"lead" zh:"项目负责人" en:"lead advisor" json:"lead,omitempty"`
	Team       []string `f:"team" zh:"团队成员" en:"team" json:"team,omitempty"`
	Group      string   `f:"group" zh:"专业组" en:"professional group" json:"group,omitempty"`
	Source     string   `f:"source" zh:"支持来源" en:"source of support" json:"source,omitempty"`
	Amount     float64  `f:"amount" zh:"支持金额（万元）" en:"amount (10,000 yuan)" json:"amount,omitempty"`
	State      string   `f:"state" zh:"状态" en:"state" json:"state,omitempty"`
	Applied    Date     `f:"applied" zh:"申报日期" en:"applied on" json:"applied,omitempty"`
	Approved   Date     `f:"approved" zh:"立项日期" en:"approved on" json:"approved,omitempty"`
	Finished   Date     `f:"finished" zh:"验收（终止）日期" en:"accepted or terminated on" json:"finished,omitempty"`
	Households int      `f:"households" zh:"受益户数" en:"households benefiting" json:"households,omitempty"`
	Jobs       int      `f:"jobs" zh:"带动就业（人）" en:"jobs created" json:"jobs,omitempty"`
	Varieties  []string `f:"varieties" zh:"引进品种/技术" en:"varieties or technologies" json:"varieties,omitempty"`
	Notes      string   `f:"notes" zh:"备注" en:"notes" json:"notes,omitempty"`
	Evidence   []string `f:"evidence" zh:"佐证材料" en:"evidence" json:"evidence,omitempty"`
	Deleted    bool     `f:"deleted" zh:"已删除" en:"deleted" json:"deleted,omitempty"`
}

// Variety kinds (类别).
const (
	VarietyBreed     = "新品种"
	VarietyTechnique = "新技术"
)

// VarietyKinds lists the variety kinds.
var VarietyKinds = []string{VarietyBreed, VarietyTechnique}

// Variety is an entry of the registry of new varieties and techniques (新品种、新技术) the city keeps.
// Trainings and projects name varieties in free text; a text counts as this variety when it is its name
// or one of its aliases in NormalName form.
type Variety struct {
	ID          string   `f:"id" zh:"编号" en:"id" json:"id"`
	Name        string   `f:"name" zh:"名称" en:"name" json:"name,omitempty"`
	Kind        string   `f:"kind" zh:"类别" en:"kind" json:"kind,omitempty"`
	Group       string   `f:"group" zh:"专业组" en:"professional group" json:"group,omitempty"`
	Industry    string   `f:"industry" zh:"产业" en:"industry" json:"industry,omitempty"`
	Aliases     []string `f:"aliases" zh:"别名" en:"other names" json:"aliases,omitempty"`
	Source      string   `f:"source" zh:"选育（研发）单位" en:"bred or developed by" json:"source,omitempty"`
	Description string   `f:"description" zh:"简介" en:"description" json:"description,omitempty"`
	Notes       string   `f:"notes" zh:"备注" en:"notes" json:"notes,omitempty"`
	Deleted     bool     `f:"deleted" zh:"已删除" en:"deleted" json:"deleted,omitempty"`
}

// Names lists the variety's name and aliases.
func (v Variety) Names() []string { return append([]string{v.Name}, v.Aliases...) }

// Introduction is one year's introduction or promotion (引进推广) of a registered variety or technique
// in some villages, as a township records it. A variety counts once per year in a place however many
// introductions and trainings name it.
type Introduction struct {
	ID         string   `f:"id" zh:"编号" en:"id" json:"id"`
	Variety    string   `f:"variety" zh:"品种/技术" en:"variety or technique" json:"variety,omitempty"` // a variety id
	Year       int      `f:"year" zh:"年度" en:"year" json:"year,omitempty"`
	Date       Date     `f:"date" zh:"引进日期" en:"introduced on" json:"date,omitempty"`
	Villages   []Code   `f:"villages" zh:"推广村" en:"villages" json:"villages,omitempty"`
	Area       float64  `f:"area" zh:"推广面积（亩）" en:"area (mu)" json:"area,omitempty"`
	Households int      `f:"households" zh:"带动户数" en:"households reached" json:"households,omitempty"`
	Trainings  []string `f:"trainings" zh:"相关培训" en:"trainings" json:"trainings,omitempty"`
	Notes      string   `f:"notes" zh:"备注" en:"notes" json:"notes,omitempty"`
	Deleted    bool     `f:"deleted" zh:"已删除" en:"deleted" json:"deleted,omitempty"`
}

// Leader kinds (类别).
const (
	LeaderRich  = "科技致富带头人"
	LeaderModel = "科技示范户"
)

// LeaderKinds lists the leader kinds.
var LeaderKinds = []string{LeaderRich, LeaderModel}

// Leader is a technology leader (科技致富带头人) or model household (科技示范户) the programme cultivates,
// counted in the year it was recognised (Since).
type Leader struct {
	ID       string `f:"id" zh:"编号" en:"id" json:"id"`
	Name     string `f:"name" zh:"姓名" en:"name" json:"name,omitempty"`
	Kind     string `f:"kind" zh:"类别" en:"kind" json:"kind,omitempty"`
	Village  Code   `f:"village" zh:"村" en:"village" json:"village,omitempty"`
	Gender   string `f:"gender" zh:"性别" en:"gender" json:"gender,omitempty"`
	Phone    string `f:"phone" zh:"电话" en:"phone" json:"phone,omitempty"`
	Industry string `f:"industry" zh:"产业" en:"industry" json:"industry,omitempty"`
	Advisor  string `f:"advisor" zh:"帮带的科技指导人员" en:"mentoring advisor" json:"advisor,omitempty"`
	Since    Date   `f:"since" zh:"认定日期" en:"recognised on" json:"since,omitempty"`
	Notes    string `f:"notes" zh:"备注" en:"notes" json:"notes,omitempty"`
	Deleted  bool   `f:"deleted" zh:"已删除" en:"deleted" json:"deleted,omitempty"`
}

// Publicity forms (形式).
const (
	PublicityNews    = "新闻"
	PublicityColumn  = "专栏"
	PublicityFeature = "专题"
)

// PublicityForms lists the publicity forms.
var PublicityForms = []string{PublicityNews, PublicityColumn, PublicityFeature}

// Publicity is a publicity report (宣传报道) about the programme. Org is the office whose work it
// reports (a city, county or township code): it decides where the report lies and is counted.
type Publicity struct {
	ID       string   `f:"id" zh:"编号" en:"id" json:"id"`
	Title    string   `f:"title" zh:"标题" en:"title" json:"title,omitempty"`
	Outlet   string   `f:"outlet" zh:"刊发媒体" en:"outlet" json:"outlet,omitempty"`
	Date     Date     `f:"date" zh:"刊发日期" en:"published on" json:"date,omitempty"`
	Form     string   `f:"form" zh:"形式" en:"form" json:"form,omitempty"`
	Org      Code     `f:"org" zh:"报送单位" en:"office" json:"org,omitempty"`
	Advisors []string `f:"advisors" zh:"涉及科技指导人员" en:"advisors" json:"advisors,omitempty"`
	Villages []Code   `f:"villages" zh:"涉及村" en:"villages" json:"villages,omitempty"`
	Link     string   `f:"link" zh:"链接或出处" en:"link or reference" json:"link,omitempty"`
	Notes    string   `f:"notes" zh:"备注" en:"notes" json:"notes,omitempty"`
	Deleted  bool     `f:"deleted" zh:"已删除" en:"deleted" json:"deleted,omitempty"`
}

// Park is a provincial agricultural science park (省级农业科技园区).
type Park struct {
	ID         string `f:"id" zh:"编号" en:"id" json:"id"`
	Name       string `f:"name" zh:"园区名称" en:"name" json:"name,omitempty"`
	County     Code   `f:"county" zh:"所在区县" en:"county" json:"county,omitempty"`
	Speciality string `f:"speciality" zh:"特色产业" en:"speciality" json:"speciality,omitempty"`
	Year       int    `f:"year" zh:"认定年份" en:"year recognised" json:"year,omitempty"`
	Notes      string `f:"notes" zh:"备注" en:"notes" json:"notes,omitempty"`
	Deleted    bool   `f:"deleted" zh:"已删除" en:"deleted" json:"deleted,omitempty"`
}

// ParkPairing pairs a science park with a key village for a period (园区结对), like an advisor's
// assignment: ending one and starting another is an adjustment, and the ended ones are its history.
type ParkPairing struct {
	ID       string   `f:"id" zh:"编号" en:"id" json:"id"`
	Park     string   `f:"park" zh:"园区" en:"park" json:"park,omitempty"` // a park id
	Village  Code     `f:"village" zh:"村" en:"village" json:"village,omitempty"`
	From     Date     `f:"from" zh:"开始日期" en:"from" json:"from,omitempty"`
	To       Date     `f:"to" zh:"结束日期" en:"to" json:"to,omitempty"`
	Reason   string   `f:"reason" zh:"结对（调整）原因" en:"reason" json:"reason,omitempty"`
	Jobs     int      `f:"jobs" zh:"带动就业（人）" en:"jobs created" json:"jobs,omitempty"`
	Notes    string   `f:"notes" zh:"备注" en:"notes" json:"notes,omitempty"`
	Evidence []string `f:"evidence" zh:"佐证材料" en:"evidence" json:"evidence,omitempty"`
	Deleted  bool     `f:"deleted" zh:"已删除" en:"deleted" json:"deleted,omitempty"`
}

// ActiveOn reports whether the pairing covers the date (an open end runs on).
func (p ParkPairing) ActiveOn(d Date) bool {
	return !p.Deleted && p.From <= d && (p.To == "" || d <= p.To)
}

// ActiveIn reports whether the pairing runs at some time in the year.
func (p ParkPairing) ActiveIn(year int) bool {
	first, last := Date(fmt.Sprintf("%04d-01-01", year)), Date(fmt.Sprintf("%04d-12-31", year))
	return !p.Deleted && p.From <= last && (p.To == "" || p.To >= first)
}

// Platform kinds (类型) and levels (级别).
const (
	PlatformStar    = "星创天地"
	PlatformStation = "农科驿站"

	LevelNational   = "国家级"
	LevelProvincial = "省级"
	LevelMunicipal  = "市级"
)

// PlatformKinds and PlatformLevels list the platform kinds and levels.
var (
	PlatformKinds  = []string{PlatformStar, PlatformStation}
	PlatformLevels = []string{LevelNational, LevelProvincial, LevelMunicipal}
)

// Platform states: being built (筹建), or recognised (认定).
const (
	PlatformBuilding   = "筹建"
	PlatformRecognised = "认定"
)

// PlatformStates lists the platform states.
var PlatformStates = []string{PlatformBuilding, PlatformRecognised}

// Platform is a 星创天地 or 农科驿站: a place where technology meets farmers, serving some villages.
type Platform struct {
	ID       string `f:"id" zh:"编号" en:"id" json:"id"`
	Name     string `f:"name" zh:"名称" en:"name" json:"name,omitempty"`
	Kind     string `f:"kind" zh:"类型" en:"kind" json:"kind,omitempty"`
	Level    string `f:"level" zh:"级别" en:"level" json:"level,omitempty"`
	State    string `f:"state" zh:"状态" en:"state" json:"state,omitempty"`
	Date     Date   `f:"date" zh:"认定（筹建）日期" en:"recognised (or begun) on" json:"date,omitempty"`
	Location Code   `f:"location" zh:"所在地" en:"location" json:"location,omitempty"` // a county or township code
	Address  string `f:"address" zh:"地址" en:"address" json:"address,omitempty"`
	Operator string `f:"operator" zh:"运营主体" en:"run by" json:"operator,omitempty"`
	Villages []Code `f:"villages" zh:"服务村" en:"villages served" json:"villages,omitempty"`
	Notes    string `f:"notes" zh:"备注" en:"notes" json:"notes,omitempty"`
	Deleted  bool   `f:"deleted" zh:"已删除" en:"deleted" json:"deleted,omitempty"`
}

func (Need) RecordKind() Kind         { return KindNeed }
func (Project) RecordKind() Kind      { return KindProject }
func (Variety) RecordKind() Kind      { return KindVariety }
func (Introduction) RecordKind() Kind { return KindIntroduction }
func (Leader) RecordKind() Kind       { return KindLeader }
func (Publicity) RecordKind() Kind    { return KindPublicity }
func (Park) RecordKind() Kind         { return KindPark }
func (ParkPairing) RecordKind() Kind  { return KindParkPairing }
func (Platform) RecordKind() Kind     { return KindPlatform }

func (n Need) RecordID() string         { return n.ID }
func (p Project) RecordID() string      { return p.ID }
func (v Variety) RecordID() string      { return v.ID }
func (i Introduction) RecordID() string { return i.ID }
func (l Leader) RecordID() string       { return l.ID }
func (p Publicity) RecordID() string    { return p.ID }
func (p Park) RecordID() string         { return p.ID }
func (p ParkPairing) RecordID() string  { return p.ID }
func (p Platform) RecordID() string     { return p.ID }
