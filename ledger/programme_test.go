package ledger_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"techaid/ledger"
)

// Fully filled records of the programme's kinds, every field set (requireAllSet holds them to it).
var (
	fullNeed = ledger.Need{
		ID: "N-1", Village: "370323102201", Industry: "苹果", Problem: "苹果树腐烂病多发，\"刮了又长\"，不知道怎么治",
		Group: "林果", Advisor: "A-017", State: ledger.NeedResolved, Reason: "已指导刮治并涂药",
		Survey: "T-1", Trainings: []string{"T-1", "T-2"}, Projects: []string{"P-1"},
		Raised: "2026-03-02", Closed: "2026-04-20", Notes: "回访满意", Evidence: []string{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|jpeg|312345|2026-04-28 09:12|36.812345,118.054321|签到表.jpg"}, Deleted: true,
	}
	fullProject = ledger.Project{
		ID: "P-1", Name: "沂源苹果矮化密植示范", Year: 2026, Villages: []ledger.Code{"370323102201", "370323102202"},
		Lead: "A-017", Team: []string{"A-018"}, Group: "林果", Source: ledger.SourceCity, Amount: 12.5,
		State: ledger.ProjectAccepted, Applied: "2026-01-05", Approved: "2026-02-01", Finished: "2026-04-30",
		Households: 120, Jobs: 15, Varieties: []string{"鲁丽", "矮化, 密植"}, Notes: "市级项目", Evidence: []string{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|jpeg|312345|2026-04-28 09:12|36.812345,118.054321|签到表.jpg"}, Deleted: true,
	}
	fullVariety = ledger.Variety{
		ID: "V-1", Name: "鲁丽", Kind: ledger.VarietyBreed, Group: "林果", Industry: "苹果",
		Aliases: []string{"鲁丽苹果", "LuLi"}, Source: "山东省果树研究所", Description: "早熟品种，八月上旬成熟",
		Notes: "2018 年引进", Deleted: true,
	}
	fullIntroduction = ledger.Introduction{
		ID: "I-1", Variety: "V-1", Year: 2026, Date: "2026-03-15", Villages: []ledger.Code{"370323102201"},
		Area: 85.5, Households: 23, Trainings: []string{"T-1"}, Notes: "示范园", Deleted: true,
	}
	fullLeader = ledger.Leader{
		ID: "L-1", Name: "王德福", Kind: ledger.LeaderRich, Village: "370323102201", Gender: "男",
		Phone: "13912345678", Industry: "苹果", Advisor: "A-017", Since: "2026-04-01", Notes: "带动 30 户", Deleted: true,
	}
	fullPublicity = ledger.Publicity{
		ID: "B-1", Title: "科技特派员把课堂搬到果园", Outlet: "淄博日报", Date: "2026-04-12", Form: ledger.PublicityNews,
		Org: "370323102", Advisors: []string{"A-017"}, Villages: []ledger.Code{"370323102201"},
		Link: "https://example.cn/news/1", Notes: "第 3 版", Deleted: true,
	}
	fullPark = ledger.Park{
		ID: "K-1", Name: "沂源省级农业科技园区", County: "370323", Speciality: "沂源红苹果", Year: 2012,
		Notes: "省科技厅认定", Deleted: true,
	}
	fullParkPairing = ledger.ParkPairing{
		ID: "Q-1", Park: "K-1", Village: "370323102201", From: "2026-01-01", To: "2026-12-31",
		Reason: "苹果产业对口", Jobs: 12, Notes: "园区用工", Evidence: []string{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|jpeg|312345|2026-04-28 09:12|36.812345,118.054321|签到表.jpg"}, Deleted: true,
	}
	fullPlatform = ledger.Platform{
		ID: "F-1", Name: "鲁村农科驿站", Kind: ledger.PlatformStation, Level: ledger.LevelProvincial,
		State: ledger.PlatformRecognised, Date: "2026-03-01", Location: "370323102", Address: "鲁村镇政府东 200 米",
		Operator: "鲁村果品合作社", Villages: []ledger.Code{"370323102201", "370323102202"}, Notes: "每周二开放", Deleted: true,
	}
)

var (
	validNeed         = with(fullNeed, func(n *ledger.Need) { n.Deleted = false })
	validProject      = with(fullProject, func(p *ledger.Project) { p.Deleted = false })
	validVariety      = with(fullVariety, func(v *ledger.Variety) { v.Deleted = false })
	validIntroduction = with(fullIntroduction, func(i *ledger.Introduction) { i.Deleted = false })
	validLeader       = with(fullLeader, func(l *ledger.Leader) { l.Deleted = false })
	validPublicity    = with(fullPublicity, func(p *ledger.Publicity) { p.Deleted = false })
	validPark         = with(fullPark, func(p *ledger.Park) { p.Deleted = false })
	validParkPairing  = with(fullParkPairing, func(p *ledger.ParkPairing) { p.Deleted = false })
	validPlatform     = with(fullPlatform, func(p *ledger.Platform) { p.Deleted = false })
)

func init() {
	// The labels a clerk reads for the fields these tests refuse, written out so that a wrong one fails.
	for k, fields := range map[ledger.Kind]map[string][2]string{
		ledger.KindNeed: {"village": {"村", "village"}, "problem": {"需求（群众原话）", "need, in the farmers' words"},
			"group": {"专业组", "professional group"}, "state": {"状态", "state"}, "advisor": {"承接人", "taken by"},
			"reason": {"原因说明", "reason"}, "survey": {"来源调研", "raised at survey"}, "trainings": {"服务记录", "trainings that served it"},
			"projects": {"支持项目", "projects that served it"}, "raised": {"提出日期", "raised on"}, "closed": {"办结日期", "closed on"},
			"industry": {"产业", "industry"}},
		ledger.KindProject: {"name": {"项目名称", "name"}, "year": {"年度", "year"}, "villages": {"实施村", "villages"},
			"lead": {"项目负责人", "lead advisor"}, "team": {"团队成员", "team"}, "group": {"专业组", "professional group"},
			"source": {"支持来源", "source of support"}, "amount": {"支持金额（万元）", "amount (10,000 yuan)"}, "state": {"状态", "state"},
			"approved": {"立项日期", "approved on"}, "finished": {"验收（终止）日期", "accepted or terminated on"},
			"households": {"受益户数", "households benefiting"}, "jobs": {"带动就业（人）", "jobs created"},
			"varieties": {"引进品种/技术", "varieties or technologies"}, "applied": {"申报日期", "applied on"}},
		ledger.KindVariety: {"name": {"名称", "name"}, "kind": {"类别", "kind"}, "group": {"专业组", "professional group"},
			"aliases": {"别名", "other names"}},
		ledger.KindIntroduction: {"variety": {"品种/技术", "variety or technique"}, "year": {"年度", "year"},
			"date": {"引进日期", "introduced on"}, "villages": {"推广村", "villages"}, "area": {"推广面积（亩）", "area (mu)"},
			"households": {"带动户数", "households reached"}, "trainings": {"相关培训", "trainings"}},
		ledger.KindLeader: {"name": {"姓名", "name"}, "kind": {"类别", "kind"}, "village": {"村", "village"},
			"phone": {"电话", "phone"}, "advisor": {"帮带的科技指导人员", "mentoring advisor"}, "since": {"认定日期", "recognised on"},
			"gender": {"性别", "gender"}},
		ledger.KindPublicity: {"title": {"标题", "title"}, "outlet": {"刊发媒体", "outlet"}, "date": {"刊发日期", "published on"},
			"form": {"形式", "form"}, "org": {"报送单位", "office"}, "villages": {"涉及村", "villages"},
			"advisors": {"涉及科技指导人员", "advisors"}, "link": {"链接或出处", "link or reference"}},
		ledger.KindPark: {"name": {"园区名称", "name"}, "county": {"所在区县", "county"}, "year": {"认定年份", "year recognised"}},
		ledger.KindParkPairing: {"park": {"园区", "park"}, "village": {"村", "village"}, "from": {"开始日期", "from"},
			"to": {"结束日期", "to"}, "jobs": {"带动就业（人）", "jobs created"}},
		ledger.KindPlatform: {"name": {"名称", "name"}, "kind": {"类型", "kind"}, "level": {"级别", "level"}, "state": {"状态", "state"},
			"date": {"认定（筹建）日期", "recognised (or begun) on"}, "location": {"所在地", "location"}, "villages": {"服务村", "villages served"}},
		ledger.KindTarget: {"need_days": {"需求办结时限（天）", "days a need may stay open"}, "park_jobs": {"园区带动就业（人）", "jobs created by the parks"}},
	} {
		if labels[k] == nil {
			labels[k] = map[string][2]string{}
		}
		for f, l := range fields {
			labels[k][f] = l
		}
	}
}

func TestValidateProgrammeAccepts(t *testing.T) {
	tests := []struct {
		name string
		e    ledger.Entity
	}{
		{"need", validNeed}, {"project", validProject}, {"variety", validVariety}, {"introduction", validIntroduction},
		{"leader", validLeader}, {"publicity", validPublicity}, {"park", validPark}, {"park pairing", validParkPairing},
		{"platform", validPlatform},

		{"minimal need", ledger.Need{ID: "N-2", Village: "370323102201", Problem: "缺少大棚技术", Group: "蔬菜",
			State: ledger.NeedWaiting, Raised: "2026-05-01"}},
		{"need that cannot be solved", with(validNeed, func(n *ledger.Need) { n.State, n.Reason = ledger.NeedUnsolvable, "资金不足" })},
		{"need closed the day it was raised", with(validNeed, func(n *ledger.Need) { n.Closed = n.Raised })},
		{"need being served", with(validNeed, func(n *ledger.Need) { n.State, n.Closed = ledger.NeedServing, "" })},
		{"minimal project", ledger.Project{ID: "P-2", Name: "小麦良种", Year: 2026, Villages: []ledger.Code{"370323102201"},
			Lead: "A-017", Group: "粮食", Source: ledger.SourceProvince, State: ledger.ProjectApplied}},
		{"terminated before approval", with(validProject, func(p *ledger.Project) { p.State, p.Approved = ledger.ProjectTerminated, "" })},
		{"project in its first year", with(validProject, func(p *ledger.Project) { p.Year = 2015 })},
		{"minimal variety", ledger.Variety{ID: "V-2", Name: "济麦 22", Kind: ledger.VarietyBreed}},
		{"a variety renamed keeps its old name as an alias", with(validVariety, func(v *ledger.Variety) {
			v.Name, v.Aliases = "鲁丽（早熟）", []string{"鲁丽"}
		})},
		{"introduction without a date", with(validIntroduction, func(i *ledger.Introduction) { i.Date = "" })},
		{"model household", with(validLeader, func(l *ledger.Leader) { l.Kind, l.Advisor, l.Phone = ledger.LeaderModel, "", "" })},
		{"city-wide publicity about no village", with(validPublicity, func(p *ledger.Publicity) { p.Org, p.Villages = "3703", nil })},
		{"county publicity about its villages", with(validPublicity, func(p *ledger.Publicity) { p.Org = "370323" })},
		{"park without a year", with(validPark, func(p *ledger.Park) { p.Year = 0 })},
		{"pairing that runs on", with(validParkPairing, func(p *ledger.ParkPairing) { p.To = "" })},
		{"platform being built, in a county", with(validPlatform, func(p *ledger.Platform) {
			p.State, p.Location, p.Villages = ledger.PlatformBuilding, "370323", nil
		})},
		{"targets of schema 2", ledger.DefaultTarget(2026)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ledger.Validate(tt.e, world); err != nil {
				t.Errorf("Validate = %v", err)
			}
		})
	}
}

func TestValidateProgrammeRejects(t *testing.T) {
	long := func(n int) string { return strings.Repeat("长", n) }
	tests := []struct {
		name   string
		e      ledger.Entity
		fields []string
	}{
		// Needs.
		{"need without village, problem, group, state or date", ledger.Need{ID: "N-3"},
			[]string{"village", "problem", "group", "state", "raised"}},
		{"need of an unknown village", with(validNeed, func(n *ledger.Need) { n.Village = "370323102299" }), []string{"village"}},
		{"need of a township code", with(validNeed, func(n *ledger.Need) { n.Village = "370323102" }), []string{"village"}},
		{"need of group 果树", with(validNeed, func(n *ledger.Need) { n.Group = "果树" }), []string{"group"}},
		{"need state 处理中", with(validNeed, func(n *ledger.Need) { n.State = "处理中" }), []string{"state"}},
		{"need problem too long", with(validNeed, func(n *ledger.Need) { n.Problem = long(ledger.MaxNeed + 1) }), []string{"problem"}},
		{"need taken by an unknown advisor", with(validNeed, func(n *ledger.Need) { n.Advisor = "A-404" }), []string{"advisor"}},
		{"need served with nobody taking it", with(validNeed, func(n *ledger.Need) { n.State, n.Advisor, n.Closed = ledger.NeedServing, "", "" }),
			[]string{"advisor"}},
		{"unsolvable without a reason", with(validNeed, func(n *ledger.Need) { n.State, n.Reason = ledger.NeedUnsolvable, " " }),
			[]string{"reason"}},
		{"resolved without a closing date", with(validNeed, func(n *ledger.Need) { n.Closed = "" }), []string{"closed"}},
		{"open with a closing date", with(validNeed, func(n *ledger.Need) { n.State = ledger.NeedWaiting }), []string{"closed"}},
		{"closed before raised", with(validNeed, func(n *ledger.Need) { n.Closed = "2026-03-01" }), []string{"closed"}},
		{"raised in 2099", with(validNeed, func(n *ledger.Need) { n.Raised, n.Closed = "2099-01-01", ""; n.State = ledger.NeedWaiting }),
			[]string{"raised"}},
		{"closed tomorrow+1", with(validNeed, func(n *ledger.Need) { n.Closed = "2026-05-03" }), []string{"closed"}},
		{"survey that does not exist", with(validNeed, func(n *ledger.Need) { n.Survey = "T-9" }), []string{"survey"}},
		{"training named twice", with(validNeed, func(n *ledger.Need) { n.Trainings = []string{"T-1", "T-1"} }), []string{"trainings"}},
		{"unknown project", with(validNeed, func(n *ledger.Need) { n.Projects = []string{"P-9"} }), []string{"projects"}},
		// Projects.
		{"project without anything", ledger.Project{ID: "P-3"}, []string{"name", "year", "villages", "lead", "group", "source", "state"}},
		{"project of next year", with(validProject, func(p *ledger.Project) { p.Year = 2027 }), []string{"year"}},
		{"project of 2014", with(validProject, func(p *ledger.Project) { p.Year = 2014 }), []string{"year"}},
		{"project in a village twice", with(validProject, func(p *ledger.Project) {
			p.Villages = []ledger.Code{"370323102201", "370323102201"}
		}), []string{"villages"}},
		{"lead again in the team", with(validProject, func(p *ledger.Project) { p.Team = []string{"A-018", "A-017"} }), []string{"team"}},
		{"unknown team member", with(validProject, func(p *ledger.Project) { p.Team = []string{"A-404"} }), []string{"team"}},
		{"source 中央", with(validProject, func(p *ledger.Project) { p.Source = "中央" }), []string{"source"}},
		{"negative amount", with(validProject, func(p *ledger.Project) { p.Amount = -1 }), []string{"amount"}},
		{"NaN amount", with(validProject, func(p *ledger.Project) { p.Amount = math.NaN() }), []string{"amount"}},
		{"a billion", with(validProject, func(p *ledger.Project) { p.Amount = ledger.MaxAmount + 1 }), []string{"amount"}},
		{"running without an approval date", with(validProject, func(p *ledger.Project) {
			p.State, p.Approved, p.Finished = ledger.ProjectRunning, "", ""
		}), []string{"approved"}},
		{"accepted without a date", with(validProject, func(p *ledger.Project) { p.Finished = "" }), []string{"finished"}},
		{"approved before applying", with(validProject, func(p *ledger.Project) { p.Approved = "2026-01-01" }), []string{"approved"}},
		{"finished before approval", with(validProject, func(p *ledger.Project) { p.Finished = "2026-01-20" }), []string{"finished"}},
		{"negative jobs and households", with(validProject, func(p *ledger.Project) { p.Jobs, p.Households = -1, -2 }),
			[]string{"jobs", "households"}},
		{"an empty variety", with(validProject, func(p *ledger.Project) { p.Varieties = []string{"鲁丽", ""} }), []string{"varieties"}},
		// Varieties.
		{"variety without name or kind", ledger.Variety{ID: "V-3"}, []string{"name", "kind"}},
		{"variety kind 新产品", with(validVariety, func(v *ledger.Variety) { v.Kind = "新产品" }), []string{"kind"}},
		{"variety group 果树", with(validVariety, func(v *ledger.Variety) { v.Group = "果树" }), []string{"group"}},
		{"a second 鲁丽", ledger.Variety{ID: "V-4", Name: "鲁丽", Kind: ledger.VarietyBreed}, []string{"name"}},
		{"a second 鲁丽, in full width with a space", ledger.Variety{ID: "V-4", Name: "鲁丽 苹果", Kind: ledger.VarietyBreed}, []string{"name"}},
		{"an alias that is another variety's name", ledger.Variety{ID: "V-4", Name: "烟富 8 号", Kind: ledger.VarietyBreed,
			Aliases: []string{"鲁丽"}}, []string{"aliases"}},
		{"an alias repeating the name", with(validVariety, func(v *ledger.Variety) { v.Aliases = []string{"鲁 丽"} }), []string{"aliases"}},
		{"a name of punctuation", ledger.Variety{ID: "V-5", Name: "（）", Kind: ledger.VarietyBreed}, []string{"name"}},
		// Introductions.
		{"introduction of nothing", ledger.Introduction{ID: "I-2"}, []string{"variety", "year", "villages"}},
		{"introduction of an unregistered variety", with(validIntroduction, func(i *ledger.Introduction) { i.Variety = "V-9" }),
			[]string{"variety"}},
		{"introduction dated in another year", with(validIntroduction, func(i *ledger.Introduction) { i.Date = "2025-12-30" }),
			[]string{"date"}},
		{"introduction of next year", with(validIntroduction, func(i *ledger.Introduction) { i.Year, i.Date = 2027, "" }), []string{"year"}},
		{"negative area", with(validIntroduction, func(i *ledger.Introduction) { i.Area = -0.5 }), []string{"area"}},
		{"infinite area", with(validIntroduction, func(i *ledger.Introduction) { i.Area = math.Inf(1) }), []string{"area"}},
		{"unknown training", with(validIntroduction, func(i *ledger.Introduction) { i.Trainings = []string{"T-9"} }), []string{"trainings"}},
		// Leaders.
		{"leader of nowhere", ledger.Leader{ID: "L-2"}, []string{"name", "kind", "village", "since"}},
		{"leader kind 能人", with(validLeader, func(l *ledger.Leader) { l.Kind = "能人" }), []string{"kind"}},
		{"leader's bad phone", with(validLeader, func(l *ledger.Leader) { l.Phone = "12345" }), []string{"phone"}},
		{"leader's gender", with(validLeader, func(l *ledger.Leader) { l.Gender = "M" }), []string{"gender"}},
		{"leader recognised in 2099", with(validLeader, func(l *ledger.Leader) { l.Since = "2099-01-01" }), []string{"since"}},
		{"leader mentored by nobody known", with(validLeader, func(l *ledger.Leader) { l.Advisor = "A-404" }), []string{"advisor"}},
		// Publicity.
		{"publicity without anything", ledger.Publicity{ID: "B-2"}, []string{"title", "outlet", "date", "form", "org"}},
		{"publicity form 短视频", with(validPublicity, func(p *ledger.Publicity) { p.Form = "短视频" }), []string{"form"}},
		{"publicity of a village code", with(validPublicity, func(p *ledger.Publicity) { p.Org = "370323102201" }), []string{"org"}},
		{"publicity about a village outside its office", with(validPublicity, func(p *ledger.Publicity) { p.Org = "370323104" }),
			[]string{"villages"}},
		{"publicity dated 2099", with(validPublicity, func(p *ledger.Publicity) { p.Date = "2099-01-01" }), []string{"date"}},
		{"publicity link too long", with(validPublicity, func(p *ledger.Publicity) { p.Link = long(ledger.MaxLink + 1) }), []string{"link"}},
		// Parks, pairings, platforms.
		{"park without anything", ledger.Park{ID: "K-2"}, []string{"name", "county"}},
		{"park in a township", with(validPark, func(p *ledger.Park) { p.County = "370323102" }), []string{"county"}},
		{"park recognised in 2099", with(validPark, func(p *ledger.Park) { p.Year = 2099 }), []string{"year"}},
		{"pairing without anything", ledger.ParkPairing{ID: "Q-2"}, []string{"park", "village", "from"}},
		{"pairing with an unknown park", with(validParkPairing, func(p *ledger.ParkPairing) { p.Park = "K-9" }), []string{"park"}},
		{"pairing ending before it starts", with(validParkPairing, func(p *ledger.ParkPairing) { p.To = "2025-12-31" }), []string{"to"}},
		{"pairing starting in 2099", with(validParkPairing, func(p *ledger.ParkPairing) { p.From, p.To = "2099-01-01", "" }),
			[]string{"from"}},
		{"pairing with negative jobs", with(validParkPairing, func(p *ledger.ParkPairing) { p.Jobs = -1 }), []string{"jobs"}},
		{"platform without anything", ledger.Platform{ID: "F-2"}, []string{"name", "kind", "level", "state", "date", "location"}},
		{"platform kind 众创空间", with(validPlatform, func(p *ledger.Platform) { p.Kind = "众创空间" }), []string{"kind"}},
		{"platform level 县级", with(validPlatform, func(p *ledger.Platform) { p.Level = "县级" }), []string{"level"}},
		{"platform state 运营", with(validPlatform, func(p *ledger.Platform) { p.State = "运营" }), []string{"state"}},
		{"platform at a village code", with(validPlatform, func(p *ledger.Platform) { p.Location = "370323102201" }), []string{"location"}},
		{"platform serving an unknown village", with(validPlatform, func(p *ledger.Platform) {
			p.Villages = []ledger.Code{"370323102299"}
		}), []string{"villages"}},
		// Targets of schema 2.
		{"negative targets", with(ledger.DefaultTarget(2026), func(tg *ledger.Target) { tg.NeedDays, tg.ParkJobs = -1, -5 }),
			[]string{"need_days", "park_jobs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireFieldErrors(t, tt.e, ledger.Validate(tt.e, world), tt.fields...)
		})
	}
}

// TestValidateProgrammeTombstones: a deleted record of any new kind validates whatever it holds, as long
// as its fields are text.
func TestValidateProgrammeTombstones(t *testing.T) {
	for _, e := range []ledger.Entity{
		ledger.Need{ID: "N-1", Raised: "2099-01-01", Deleted: true},
		ledger.Project{ID: "P-1", Amount: -5, Deleted: true},
		ledger.Variety{ID: "V-9", Name: "鲁丽", Deleted: true}, // a deleted duplicate is no duplicate
		ledger.Introduction{ID: "I-1", Variety: "V-404", Deleted: true},
		ledger.Leader{ID: "L-1", Phone: "1", Deleted: true},
		ledger.Publicity{ID: "B-1", Org: "1", Deleted: true},
		ledger.Park{ID: "K-1", Deleted: true},
		ledger.ParkPairing{ID: "Q-1", Park: "K-404", Deleted: true},
		ledger.Platform{ID: "F-1", Kind: "x", Deleted: true},
	} {
		if err := ledger.Validate(e, world); err != nil {
			t.Errorf("deleted %s: %v", e.RecordKind(), err)
		}
	}
	bad := ledger.Need{ID: "N-1", Problem: "\xff", Deleted: true}
	requireFieldErrors(t, bad, ledger.Validate(bad, world), "problem")
}

func TestNormalName(t *testing.T) {
	same := [][]string{
		{"鲁丽", "鲁 丽", "鲁丽\u3000", " 鲁丽。"},
		{"烟富8号", "烟富８号", "烟富 8 号", "烟富-8号"},
		{"鲁丽苹果", "鲁丽（苹果）", "「鲁丽」苹果", "\"鲁丽\"苹果"},
		{"luli", "LuLi", "ＬＵＬＩ", "Lu-Li"},
	}
	for _, group := range same {
		for _, s := range group[1:] {
			if ledger.NormalName(s) != ledger.NormalName(group[0]) {
				t.Errorf("NormalName(%q) = %q, NormalName(%q) = %q: want equal", s, ledger.NormalName(s), group[0], ledger.NormalName(group[0]))
			}
		}
	}
	different := [][2]string{{"鲁丽", "鲁丽苹果"}, {"烟富8号", "烟富3号"}, {"富士", "红富士"}}
	for _, d := range different {
		if ledger.NormalName(d[0]) == ledger.NormalName(d[1]) {
			t.Errorf("%q and %q normalise alike", d[0], d[1])
		}
	}
	if got := ledger.NormalName("（）、 "); got != "" {
		t.Errorf("punctuation alone: %q", got)
	}
}

func TestReferences(t *testing.T) {
	refs := func(e ledger.Entity) []string {
		var out []string
		for _, r := range ledger.References(e) {
			out = append(out, string(r.Kind)+":"+r.ID)
		}
		return out
	}
	tests := []struct {
		e    ledger.Entity
		want []string
	}{
		{validNeed, []string{"village:370323102201", "advisor:A-017", "training:T-1", "training:T-1", "training:T-2", "project:P-1"}},
		{validProject, []string{"village:370323102201", "village:370323102202", "advisor:A-017", "advisor:A-018"}},
		{validIntroduction, []string{"village:370323102201", "variety:V-1", "training:T-1"}},
		{validLeader, []string{"village:370323102201", "advisor:A-017"}},
		{validPublicity, []string{"village:370323102201", "advisor:A-017"}},
		{validParkPairing, []string{"village:370323102201", "park:K-1"}},
		{validPlatform, []string{"village:370323102201", "village:370323102202"}},
		{validTraining, []string{"village:370323102201", "village:370323102202", "advisor:A-017", "advisor:A-018"}},
		{validVillage, nil},
		{validPark, nil},
	}
	for _, tt := range tests {
		if got := refs(tt.e); !slices.Equal(got, tt.want) {
			t.Errorf("References(%s) = %v, want %v", tt.e.RecordKind(), got, tt.want)
		}
	}
}

func TestWhen(t *testing.T) {
	tests := []struct {
		e    ledger.Entity
		date ledger.Date
		year int
	}{
		{validNeed, "2026-03-02", 2026},
		{validProject, "2026-02-01", 2026},
		{with(validProject, func(p *ledger.Project) { p.Approved = "" }), "2026-01-05", 2026},
		{with(validProject, func(p *ledger.Project) { p.Year = 2025 }), "2026-02-01", 2025}, // the project's year counts
		{validIntroduction, "2026-03-15", 2026},
		{validLeader, "2026-04-01", 2026},
		{validPublicity, "2026-04-12", 2026},
		{validParkPairing, "2026-01-01", 2026},
		{validPlatform, "2026-03-01", 2026},
		{validVariety, "", 0},
	}
	for _, tt := range tests {
		if d, y := ledger.When(tt.e); d != tt.date || y != tt.year {
			t.Errorf("When(%s) = %s, %d; want %s, %d", tt.e.RecordKind(), d, y, tt.date, tt.year)
		}
	}
}

func TestParkPairingActive(t *testing.T) {
	p := validParkPairing
	p.From, p.To = "2025-07-01", "2026-03-31"
	for year, want := range map[int]bool{2024: false, 2025: true, 2026: true, 2027: false} {
		if p.ActiveIn(year) != want {
			t.Errorf("ActiveIn(%d) = %v", year, !want)
		}
	}
	if !p.ActiveOn("2026-03-31") || p.ActiveOn("2026-04-01") {
		t.Error("ActiveOn at the end")
	}
	p.To = ""
	if !p.ActiveIn(2030) {
		t.Error("an open pairing runs on")
	}
}

// TestTargetWithDefaults: a target stored before schema 2 lacks the new figures: they read as the
// programme's defaults; a figure the city set, even to zero, stays.
func TestTargetWithDefaults(t *testing.T) {
	old := ledger.Target{Year: "2026", Activities: 30, Projects: 12}
	set := map[string]bool{"activities": true, "projects": true, "stations": true} // stations set to 0 by the city
	got := old.WithDefaults(func(f string) bool { return set[f] })
	def := ledger.DefaultTarget(2026)
	if got.Activities != 30 || got.Projects != 12 || got.Stations != 0 {
		t.Errorf("the city's figures changed: %+v", got)
	}
	if got.ParkJobs != def.ParkJobs || got.NeedDays != 30 || got.Stars != 1 || got.Attendees != def.Attendees {
		t.Errorf("figures never set: %+v", got)
	}
}

// TestProgrammeRelations: the programme's rules relating two fields name the other one (With), so that
// the city's hub leaves them to the offices; rules about a field's own value name none.
func TestProgrammeRelations(t *testing.T) {
	tests := []struct {
		name        string
		e           ledger.Entity
		field, with string
	}{
		{"closed before raised", with(validNeed, func(n *ledger.Need) { n.Closed = "2026-03-01" }), "closed", "raised"},
		{"resolved without a date", with(validNeed, func(n *ledger.Need) { n.Closed = "" }), "closed", "state"},
		{"served by nobody", with(validNeed, func(n *ledger.Need) { n.State, n.Advisor, n.Closed = ledger.NeedServing, "", "" }), "advisor", "state"},
		{"approved before applying", with(validProject, func(p *ledger.Project) { p.Approved = "2026-01-01" }), "approved", "applied"},
		{"lead in the team", with(validProject, func(p *ledger.Project) { p.Team = []string{"A-017"} }), "team", "lead"},
		{"introduction dated in another year", with(validIntroduction, func(i *ledger.Introduction) { i.Date = "2025-12-30" }), "date", "year"},
		{"village outside the office", with(validPublicity, func(p *ledger.Publicity) { p.Org = "370323104" }), "villages", "org"},
		{"pairing ends before it starts", with(validParkPairing, func(p *ledger.ParkPairing) { p.To = "2025-12-31" }), "to", "from"},
		{"an unknown group", with(validNeed, func(n *ledger.Need) { n.Group = "果树" }), "group", ""},
		{"a negative amount", with(validProject, func(p *ledger.Project) { p.Amount = -1 }), "amount", ""},
	}
	for _, tt := range tests {
		var ve *ledger.ValidationError
		if !errors.As(ledger.Validate(tt.e, world), &ve) {
			t.Errorf("%s: valid", tt.name)
			continue
		}
		found := false
		for _, fe := range ve.Fields {
			if fe.Field == tt.field {
				found = true
				if fe.With != tt.with {
					t.Errorf("%s: With = %q, want %q", tt.name, fe.With, tt.with)
				}
			}
		}
		if !found {
			t.Errorf("%s: no error on %s: %v", tt.name, tt.field, ve)
		}
	}
}

// TestSampleProgrammeValid: the sample programme validates record by record, in the order its
// Entities lists them (each names only records listed before it).
func TestSampleProgrammeValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	villages := []ledger.Code{"370323102201", "370323102202"}
	n := 0
	newID := func() string { n++; return fmt.Sprint("S-", n) }
	trainings := ledger.SampleTrainings(rng, 50, 2026, world.today, villages, []string{"A-017", "A-018"}, newID)
	p := ledger.SampleProgrammeYear(rng, ledger.SampleSizes{Needs: 40, Projects: 10, Introductions: 20, Leaders: 10, Publicity: 5},
		2026, world.today, villages, []string{"A-017", "A-018"}, trainings, newID)
	ck := world
	ck.records = map[ledger.Ref]bool{}
	ck.names = map[string]string{}
	for _, tr := range trainings {
		ck.records[ledger.Ref{Kind: ledger.KindTraining, ID: tr.ID}] = true
	}
	for _, e := range p.Entities() {
		if err := ledger.Validate(e, ck); err != nil {
			t.Fatalf("%s %+v: %v", e.RecordKind(), e, err)
		}
		ck.records[ledger.Ref{Kind: e.RecordKind(), ID: e.RecordID()}] = true
		if v, ok := e.(ledger.Variety); ok {
			for _, name := range v.Names() {
				ck.names[ledger.NormalName(name)] = v.ID
			}
		}
	}
	if len(p.Parks) != 8 || len(p.Platforms) != 11 || len(p.Needs) != 40 {
		t.Errorf("sizes: %d parks, %d platforms, %d needs", len(p.Parks), len(p.Platforms), len(p.Needs))
	}
}

func TestDateDays(t *testing.T) {
	epoch := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := time.Date(2014, 12, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2031; d = d.AddDate(0, 0, 3) {
		date := ledger.Date(d.Format("2006-01-02"))
		n, ok := date.Days()
		if want := int(d.Sub(epoch).Hours() / 24); !ok || n != want {
			t.Fatalf("%s.Days() = %d, %v; want %d", date, n, ok, want)
		}
	}
	for _, bad := range []ledger.Date{"", "2026-1-01", "2026-13-01", "2026-00-10", "20x6-01-01", "2026/01/01"} {
		if _, ok := bad.Days(); ok {
			t.Errorf("%q has days", bad)
		}
	}
}
