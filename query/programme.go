package query

import "techaid/ledger"

// List filters the lists of the programme's records beyond villages, advisors and trainings (needs,
// projects, introductions, leaders, publicity, platforms, park pairings). Zero fields do not filter.
// Lists come newest first (by each kind's date, ledger.When), the registries (varieties, parks,
// platforms) by name.
type List struct {
	// Under keeps the records that touch a city, county or township: that name one of its villages, or
	// (publicity) whose office lies in it, or (a park) that lies in it, or (a platform) that lies in it or
	// serves one of its villages. A village code keeps the records naming that village.
	Under   ledger.Code
	Advisor string      // records naming this advisor (taking a need, leading or in a project's team, mentoring, ...)
	Year    int         // records counted in this year (ledger.When)
	From    ledger.Date // dated on or after (ledger.When)
	To      ledger.Date // dated on or before
	Search  string      // part of any text the record holds (names, problem, title, notes, ...)
	Offset  int
	Limit   int // 0: all
}

// Needs filters the needs.
type Needs struct {
	List
	Group string // 专业组
	State string // one of ledger.NeedStates
	Open  bool   // only needs still open (待对接, 已对接, 服务中)
	// Older keeps the open needs raised more than this many days before On (the day asked, today if
	// empty): the ones the monthly 调度 calls out.
	Older int
	On    ledger.Date
	// Training keeps the needs a training served or raised (its survey).
	Training string
}

// Projects filters the projects.
type Projects struct {
	List
	Group  string
	State  string
	Source string
	// Supported keeps the projects that count as supported (立项, 实施, 验收).
	Supported bool
}

// Introductions filters the yearly introductions of varieties.
type Introductions struct {
	List
	Variety string // a variety id
}

// Leaders filters the technology leaders and model households.
type Leaders struct {
	List
	Kind string // 科技致富带头人 or 科技示范户
}

// Publicity filters the publicity reports.
type Publicity struct {
	List
	Form string // 新闻, 专栏 or 专题
}

// Varieties filters the registry of varieties and techniques.
type Varieties struct {
	Search string // part of the name or an alias (as NormalName folds them)
	Kind   string // 新品种 or 新技术
	Group  string
}

// ParkPairings filters the science parks' pairings with villages. Zero fields do not filter.
type ParkPairings struct {
	Park  string
	Under ledger.Code // pairings with a village in this division (or this village)
	On    ledger.Date // only those active on this day
	Year  int         // only those running at some time in this year
}

// Platforms filters the 星创天地 and 农科驿站.
type Platforms struct {
	List
	Kind  string
	Level string
	State string
}

// VarietyMatch is how a free text (a training's or a project's variety) matches the registry.
type VarietyMatch struct {
	Text string
	// Variety is the registered variety the text names (its name or an alias, as NormalName folds
	// them); nil if none.
	Variety *ledger.Variety
	// Near are registered varieties the text might mean (a name containing it or contained in it, or one
	// character apart): offered to the clerk, never counted.
	Near []ledger.Variety
}

// Unlinked is a variety text that trainings or projects of a year name and the registry does not know:
// not counted until the city registers it (or adds it as an alias of one it has).
type Unlinked struct {
	Name  string           `json:"name"`  // the text, as NormalName folds it
	Count int              `json:"count"` // trainings and projects naming it in the year and place
	Near  []ledger.Variety `json:"near,omitempty"`
}

// NeedAges are the bounds of the age groups open needs are shown in: up to 30 days, 31–60, 61–90,
// over 90.
var NeedAges = [...]int{30, 60, 90}

// GroupNeeds are one professional group's needs.
type GroupNeeds struct {
	Open    int    `json:"open"`    // open now
	Overdue int    `json:"overdue"` // of those, open longer than the target's days (Target.NeedDays)
	Oldest  int    `json:"oldest"`  // days the oldest open need has been waiting
	Ages    [4]int `json:"ages"`    // open needs by age: ≤30 days, 31–60, 61–90, >90 (NeedAges)
	Raised  int    `json:"raised"`  // raised in the year
	Closed  int    `json:"closed"`  // resolved or found unsolvable in the year
}

// NeedProgress is the needs side of a year's progress.
type NeedProgress struct {
	Raised     int                   `json:"raised"`     // raised in the year
	ByState    map[string]int        `json:"by_state"`   // the year's needs by their state now
	Resolved   int                   `json:"resolved"`   // closed as 已解决 in the year (whenever raised)
	Unsolvable int                   `json:"unsolvable"` // closed as 无法解决 in the year
	Open       int                   `json:"open"`       // open now, whenever raised
	Overdue    int                   `json:"overdue"`    // of those, open longer than Days
	Days       int                   `json:"days"`       // the target's days a need may stay open
	ByGroup    map[string]GroupNeeds `json:"by_group"`   // by professional group (open, overdue, ages: now)
}

// ProjectProgress is the projects side.
type ProjectProgress struct {
	Supported  int            `json:"supported"` // projects of the year counted as supported (立项, 实施, 验收)
	ByState    map[string]int `json:"by_state"`  // the year's projects by state
	Amount     float64        `json:"amount"`    // 万元, of the supported ones
	Households int            `json:"households"`
	Jobs       int            `json:"jobs"`
}

// VarietyProgress is the new varieties and techniques side.
type VarietyProgress struct {
	// Count is the registered varieties introduced in the year: named by an introduction, or by a
	// training or a supported project whose text matches the registry. Each counts once.
	Count         int     `json:"count"`
	Introductions int     `json:"introductions"` // introduction records of the year
	Area          float64 `json:"area"`          // 亩, by those records
	Households    int     `json:"households"`
	Unlinked      int     `json:"unlinked"` // texts trainings or projects name that the registry does not know (see Store.Unlinked)
}

// ParkProgress is the science parks side. A park lies in its county; a township sees the parks of its
// county, and the pairings and jobs of its own villages.
type ParkProgress struct {
	Parks    int `json:"parks"`    // parks in the place
	Paired   int `json:"paired"`   // of those, paired in the year with at least Target.ParkVillages key villages
	Villages int `json:"villages"` // key villages in the place paired with a park in the year
	Pairings int `json:"pairings"` // pairings in the year with villages of the place
	Jobs     int `json:"jobs"`     // jobs created by those pairings
}

// PlatformProgress is the platforms side: platforms in the place (or serving its villages), recognised
// by the year's end, and those being built.
type PlatformProgress struct {
	Stars    int `json:"stars"`    // 星创天地 recognised
	Stations int `json:"stations"` // 农科驿站 recognised
	Building int `json:"building"` // either, being built
}
