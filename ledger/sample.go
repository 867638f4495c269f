package ledger

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Sample data shaped like the programme's, for demos, screenshots and benchmarks. It is deterministic for
// a given random source, so a benchmark run can be repeated.

var (
	sampleSurnames  = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")
	sampleGiven     = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰峰春梅海波林斌宇浩凯鹏飞")
	sampleEmployers = []string{"淄博市农业科学研究院", "山东理工大学", "淄博职业学院", "沂源县农业农村局", "高青县农业技术推广站",
		"淄川区林业局", "博山区畜牧兽医站", "临淄区农业技术推广中心", "桓台县种子站", "周村区农技站"}
	sampleTitles     = []string{"研究员", "副研究员", "高级农艺师", "农艺师", "助理农艺师", "高级畜牧师", "教授", "副教授", "讲师"}
	sampleIndustries = map[string][]string{
		"粮食": {"小麦", "玉米", "谷子"}, "蔬菜": {"大棚蔬菜", "黄瓜", "西红柿", "韭菜"}, "林果": {"苹果", "桃", "樱桃", "梨"},
		"畜牧": {"生猪", "肉牛", "蛋鸡", "奶山羊"}, "水产": {"淡水鱼", "虾"}, "农业良种": {"良种繁育"}, "经济作物": {"中药材", "花生", "金银花"},
	}
	sampleTopics = []string{"果树春季修剪", "病虫害绿色防控", "测土配方施肥", "大棚温湿度管理", "畜禽疫病防治", "新品种引进示范",
		"水肥一体化技术", "农产品电商销售", "中药材规范种植", "玉米高产栽培", "小麦一喷三防", "秸秆综合利用"}
)

func sampleName(rng *rand.Rand) string {
	name := string(sampleSurnames[rng.IntN(len(sampleSurnames))]) + string(sampleGiven[rng.IntN(len(sampleGiven))])
	if rng.IntN(2) == 0 {
		name += string(sampleGiven[rng.IntN(len(sampleGiven))])
	}
	return name
}

func samplePhone(rng *rand.Rand) string {
	return fmt.Sprintf("13%d%08d", 5+rng.IntN(5), rng.IntN(100_000_000))
}

// SampleAdvisors makes n advisors spread over the seven groups, the first 56 of them experts.
func SampleAdvisors(rng *rand.Rand, n int, newID func() string) []Advisor {
	out := make([]Advisor, n)
	for i := range out {
		out[i] = Advisor{
			ID: newID(), Name: sampleName(rng), Gender: []string{"男", "女"}[rng.IntN(2)], Phone: samplePhone(rng),
			Employer: sampleEmployers[rng.IntN(len(sampleEmployers))], Title: sampleTitles[rng.IntN(len(sampleTitles))],
			Group: Groups[i%len(Groups)], Expert: i < 56, Status: StatusActive, Since: "2020-03-01",
		}
		out[i].Specialty = sampleIndustries[out[i].Group][0]
	}
	return out
}

// SampleVillages marks every fifth village a key village and fills in the programme's figures.
func SampleVillages(rng *rand.Rand, divisions []Division) []Village {
	out := make([]Village, len(divisions))
	for i, d := range divisions {
		v := d.Record()
		households := 150 + rng.IntN(600)
		v.Households, v.Population = households, households*3+rng.IntN(200)
		v.Farmland = float64(500 + rng.IntN(3000))
		if i%5 == 0 && d.Village.VillageType() == VillageTypeVillage {
			v.Key, v.KeyYear = true, 2016+rng.IntN(3)
			v.PoorHouseholds = households / (5 + rng.IntN(10))
			group := Groups[rng.IntN(len(Groups))]
			v.Industries = sampleIndustries[group][:1+rng.IntN(len(sampleIndustries[group]))]
			v.Secretary, v.SecretaryPhone = sampleName(rng), samplePhone(rng)
		}
		out[i] = v
	}
	return out
}

// SampleTrainings makes n trainings in the given year (up to the day before end, if end falls within
// that year), each in one to three villages of the list and with one or two advisors.
func SampleTrainings(rng *rand.Rand, n int, year int, end time.Time, villages []Code, advisors []string, newID func() string) []Training {
	first := time.Date(year, 1, 1, 0, 0, 0, 0, China)
	days := 365
	if end.Year() == year {
		days = max(1, end.YearDay()-1)
	}
	out := make([]Training, n)
	for i := range out {
		t := Training{
			ID: newID(), Kind: TrainingKinds[rng.IntN(5)], Date: DateOf(first.AddDate(0, 0, rng.IntN(days))),
			Start: fmt.Sprintf("%02d:%02d", 8+rng.IntN(6), 30*rng.IntN(2)), Topic: sampleTopics[rng.IntN(len(sampleTopics))],
			Attendees: 10 + rng.IntN(80), Brochures: rng.IntN(150),
		}
		t.End = fmt.Sprintf("%02d:%s", 2+int(t.Start[1]-'0')+10*int(t.Start[0]-'0'), t.Start[3:])
		t.PoorAttendees = rng.IntN(t.Attendees/3 + 1)
		t.Content = t.Topic + "：讲解要点并现场示范，解答群众提问。"
		nv := 1
		if rng.IntN(4) == 0 { // a quarter of the visits cover two or three villages
			nv += 1 + rng.IntN(2)
		}
		for range nv {
			if v := villages[rng.IntN(len(villages))]; !slices.Contains(t.Villages, v) {
				t.Villages = append(t.Villages, v)
			}
		}
		for range 1 + rng.IntN(2) {
			if a := advisors[rng.IntN(len(advisors))]; !slices.Contains(t.Advisors, a) {
				t.Advisors = append(t.Advisors, a)
			}
		}
		if rng.IntN(5) == 0 { // the name as clerks type it: registered, in another form, or unknown
			t.Varieties = []string{sampleVarietyTexts[i%len(sampleVarietyTexts)]}
		}
		out[i] = t
	}
	return out
}
