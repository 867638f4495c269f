package ledger

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Sample records of the programme's other kinds, shaped like a city's year, for demos, screenshots and
// benchmarks; deterministic for a given random source.

var (
	// sampleVarieties are registered varieties and techniques, by group.
	sampleVarieties = []Variety{
		{Name: "鲁丽", Kind: VarietyBreed, Group: "林果", Industry: "苹果", Aliases: []string{"鲁丽苹果"}},
		{Name: "烟富3号", Kind: VarietyBreed, Group: "林果", Industry: "苹果"},
		{Name: "维纳斯黄金", Kind: VarietyBreed, Group: "林果", Industry: "苹果"},
		{Name: "美早樱桃", Kind: VarietyBreed, Group: "林果", Industry: "樱桃"},
		{Name: "济麦22", Kind: VarietyBreed, Group: "粮食", Industry: "小麦"},
		{Name: "郑单958", Kind: VarietyBreed, Group: "粮食", Industry: "玉米"},
		{Name: "寿光番茄", Kind: VarietyBreed, Group: "蔬菜", Industry: "西红柿"},
		{Name: "鲁菜心1号", Kind: VarietyBreed, Group: "农业良种", Industry: "良种繁育"},
		{Name: "水肥一体化", Kind: VarietyTechnique, Group: "蔬菜", Industry: "大棚蔬菜", Aliases: []string{"水肥一体化技术"}},
		{Name: "矮化密植", Kind: VarietyTechnique, Group: "林果", Industry: "苹果"},
		{Name: "病虫害绿色防控", Kind: VarietyTechnique, Group: "经济作物", Industry: "中药材"},
		{Name: "稻渔综合种养", Kind: VarietyTechnique, Group: "水产", Industry: "淡水鱼"},
		{Name: "生猪人工授精", Kind: VarietyTechnique, Group: "畜牧", Industry: "生猪"},
		{Name: "测土配方施肥", Kind: VarietyTechnique, Group: "粮食", Industry: "小麦"},
	}
	// sampleVarietyTexts are what trainings call varieties: registered names, the same in another form,
	// and a few the registry does not know.
	sampleVarietyTexts = []string{"鲁丽", "鲁丽苹果", "烟富３号", "维纳斯黄金", "济麦 22", "水肥一体化技术", "矮化密植", "新品种示范",
		"寿光番茄", "红富士"}
	sampleProblems = []string{"果树腐烂病年年复发，刮了又长，不知道用什么药", "大棚番茄裂果严重，卖不上价",
		"小麦条锈病今年来得早，想知道怎么防", "生猪价格低，想学学怎么降成本", "樱桃坐果率低，花开得好果子少",
		"中药材不会分级，收购商压价", "想搞电商卖苹果，不会拍照片、不会开店", "土壤板结，化肥越用越多产量不涨",
		"鱼塘夏天缺氧死鱼", "玉米倒伏，想换抗倒品种"}
	sampleOutlets = []string{"淄博日报", "大众日报", "淄博电视台", "沂源县融媒体中心", "山东科技报", "学习强国淄博平台"}
)

// SampleProgramme is a city's year of the programme's other records.
type SampleProgramme struct {
	Varieties     []Variety
	Introductions []Introduction
	Needs         []Need
	Projects      []Project
	Leaders       []Leader
	Publicity     []Publicity
	Parks         []Park
	Pairings      []ParkPairing
	Platforms     []Platform
}

// Entities lists every record, in an order in which each names only records listed before it.
func (p SampleProgramme) Entities() []Entity {
	var out []Entity
	out = append(out, Entities(p.Varieties)...)
	out = append(out, Entities(p.Parks)...)
	out = append(out, Entities(p.Pairings)...)
	out = append(out, Entities(p.Platforms)...)
	out = append(out, Entities(p.Projects)...)
	out = append(out, Entities(p.Introductions)...)
	out = append(out, Entities(p.Needs)...)
	out = append(out, Entities(p.Leaders)...)
	out = append(out, Entities(p.Publicity)...)
	return out
}

// SampleSizes says how many of each kind SampleProgrammeYear makes.
type SampleSizes struct {
	Needs, Projects, Introductions, Leaders, Publicity int
}

// SampleProgrammeYear makes a year of records (up to the day before end, if end falls within the year):
// the registry, the eight parks with their pairings, eleven platforms, and the given numbers of needs,
// projects, introductions, leaders and publicity, among the villages (key villages first), advisors
// and trainings given (needs name some of the trainings of their village).
func SampleProgrammeYear(rng *rand.Rand, sizes SampleSizes, year int, end time.Time, keyVillages []Code, advisors []string,
	trainings []Training, newID func() string) SampleProgramme {
	first := time.Date(year, 1, 1, 0, 0, 0, 0, China)
	days := 365
	if end.Year() == year {
		days = max(1, end.YearDay()-1)
	}
	last := DateOf(first.AddDate(0, 0, days-1))
	day := func() Date { return DateOf(first.AddDate(0, 0, rng.IntN(days))) }
	early := func(months, spread int) Date { return min(DateOf(first.AddDate(0, months, rng.IntN(spread))), last) }
	village := func() Code { return keyVillages[rng.IntN(len(keyVillages))] }
	advisor := func() string { return advisors[rng.IntN(len(advisors))] }
	group := func() string { return Groups[rng.IntN(len(Groups))] }
	var p SampleProgramme

	for _, v := range sampleVarieties {
		v.ID = newID()
		p.Varieties = append(p.Varieties, v)
	}
	counties := map[Code]bool{}
	for _, v := range keyVillages {
		counties[v.County()] = true
	}
	countyList := slices.Sorted(func(yield func(Code) bool) {
		for c := range counties {
			if !yield(c) {
				return
			}
		}
	})
	specialities := []string{"沂源红苹果", "博山猕猴桃", "高青黑牛", "临淄蔬菜", "桓台小麦", "淄川中药材", "周村大棚", "张店花卉"}
	for i := range 8 {
		park := Park{ID: newID(), Name: string([]rune(specialities[i])[:2]) + "省级农业科技园区",
			County: countyList[i%len(countyList)], Speciality: specialities[i], Year: 2010 + i}
		p.Parks = append(p.Parks, park)
		for range 2 + rng.IntN(4) {
			pa := ParkPairing{ID: newID(), Park: park.ID, Village: village(), From: early(0, 60),
				Reason: "产业对口", Jobs: rng.IntN(20)}
			p.Pairings = append(p.Pairings, pa)
		}
	}
	for i := range 11 {
		v := village()
		pl := Platform{ID: newID(), Name: fmt.Sprintf("农科驿站%02d", i), Kind: PlatformStation, Level: LevelProvincial,
			State: PlatformRecognised, Date: day(), Location: v.Township(), Villages: []Code{v}, Operator: "农民专业合作社"}
		if i == 0 {
			pl.Name, pl.Kind, pl.Level, pl.Location = "淄博星创天地", PlatformStar, LevelNational, v.County()
		}
		if i == 10 {
			pl.State = PlatformBuilding
		}
		p.Platforms = append(p.Platforms, pl)
	}
	for i := range sizes.Projects {
		state := ProjectStates[rng.IntN(len(ProjectStates))]
		pr := Project{ID: newID(), Name: fmt.Sprintf("%s示范项目%d", sampleTopics[i%len(sampleTopics)], i+1), Year: year,
			Villages: []Code{village()}, Lead: advisor(), Group: group(), Source: ProjectSources[rng.IntN(len(ProjectSources))],
			Amount: float64(5+rng.IntN(60)) / 2, State: state, Applied: early(0, 30),
			Households: 10 + rng.IntN(200), Jobs: rng.IntN(30)}
		if rng.IntN(4) == 0 {
			if v := village(); !slices.Contains(pr.Villages, v) {
				pr.Villages = append(pr.Villages, v)
			}
		}
		if t := advisor(); t != pr.Lead {
			pr.Team = []string{t}
		}
		if ProjectSupported(state) || state == ProjectTerminated {
			pr.Approved = max(early(1, 30), pr.Applied)
		}
		if state == ProjectAccepted || state == ProjectTerminated {
			pr.Finished = max(pr.Approved, DateOf(first.AddDate(0, 0, rng.IntN(days))))
		}
		if rng.IntN(2) == 0 {
			pr.Varieties = []string{sampleVarietyTexts[rng.IntN(len(sampleVarietyTexts))]}
		}
		p.Projects = append(p.Projects, pr)
	}
	for range sizes.Introductions {
		v := p.Varieties[rng.IntN(len(p.Varieties))]
		p.Introductions = append(p.Introductions, Introduction{ID: newID(), Variety: v.ID, Year: year, Date: day(),
			Villages: []Code{village()}, Area: float64(rng.IntN(400)) / 2, Households: rng.IntN(60)})
	}
	byVillage := map[Code][]string{} // trainings of each village, for the needs to name
	for _, t := range trainings {
		if len(t.Villages) > 0 && !t.Deleted {
			byVillage[t.Villages[0]] = append(byVillage[t.Villages[0]], t.ID)
		}
	}
	for i := range sizes.Needs {
		v := village()
		n := Need{ID: newID(), Village: v, Industry: sampleIndustries[Groups[i%len(Groups)]][0], Problem: sampleProblems[i%len(sampleProblems)],
			Group: Groups[i%len(Groups)], State: NeedStates[rng.IntN(len(NeedStates))], Raised: day()}
		if n.State != NeedWaiting {
			n.Advisor = advisor()
		}
		if ts := byVillage[v]; len(ts) > 0 {
			n.Trainings = []string{ts[rng.IntN(len(ts))]}
		}
		if !n.Open() {
			n.Closed = min(DateOf(n.Raised.Time().AddDate(0, 0, rng.IntN(90))), last)
			if n.State == NeedUnsolvable {
				n.Reason = "需要资金投入，村里暂时无力承担"
			}
		}
		p.Needs = append(p.Needs, n)
	}
	for i := range sizes.Leaders {
		p.Leaders = append(p.Leaders, Leader{ID: newID(), Name: sampleName(rng), Kind: LeaderKinds[i%2], Village: village(),
			Industry: sampleIndustries[group()][0], Advisor: advisor(), Since: day(), Phone: samplePhone(rng)})
	}
	for i := range sizes.Publicity {
		v := village()
		org := []Code{v.Township(), v.County(), v[:4]}[rng.IntN(3)]
		p.Publicity = append(p.Publicity, Publicity{ID: newID(), Title: fmt.Sprintf("科技帮扶走进田间地头（%d）", i+1),
			Outlet: sampleOutlets[rng.IntN(len(sampleOutlets))], Date: day(), Form: PublicityForms[rng.IntN(3)], Org: org,
			Villages: []Code{v}, Advisors: []string{advisor()}})
	}
	return p
}
