package main

import (
	"flag"
	"strings"

	"techaid/ledger"
)

// listValue is a repeatable flag that also splits on commas: --village A --village B or --village A,B.
// The first Set replaces the current list (an edit gives the whole new list).
type listValue struct {
	list *[]string
	set  bool
}

func (l *listValue) String() string {
	if l.list == nil {
		return ""
	}
	return strings.Join(*l.list, ",")
}

func (l *listValue) Set(s string) error {
	if !l.set {
		*l.list, l.set = nil, true
	}
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		if item = strings.TrimSpace(item); item != "" {
			*l.list = append(*l.list, item)
		}
	}
	return nil
}

type codeListValue struct {
	codes *[]ledger.Code
	set   bool
}

func (l *codeListValue) String() string {
	if l.codes == nil {
		return ""
	}
	var s []string
	for _, c := range *l.codes {
		s = append(s, string(c))
	}
	return strings.Join(s, ",")
}

func (l *codeListValue) Set(s string) error {
	var items []string
	(&listValue{list: &items}).Set(s)
	if !l.set {
		*l.codes, l.set = nil, true
	}
	for _, item := range items {
		*l.codes = append(*l.codes, ledger.Code(item))
	}
	return nil
}

// dateValue keeps what the clerk typed when it is not a date, so that validation names the field.
type dateValue struct{ d *ledger.Date }

func (v dateValue) String() string {
	if v.d == nil {
		return ""
	}
	return string(*v.d)
}

func (v dateValue) Set(s string) error {
	d, err := ledger.ParseDate(strings.TrimSpace(s))
	if err != nil {
		d = ledger.Date(s)
	}
	*v.d = d
	return nil
}

type codeValue struct{ c *ledger.Code }

func (v codeValue) String() string {
	if v.c == nil {
		return ""
	}
	return string(*v.c)
}

func (v codeValue) Set(s string) error { *v.c = ledger.Code(strings.TrimSpace(s)); return nil }

// The flags of each kind write straight into a typed record, which holds the current values as the
// defaults: after parsing, the record holds what the clerk gave and what was there before.

func villageFlags(fs *flag.FlagSet, v *ledger.Village) {
	fs.StringVar(&v.Name, "name", v.Name, "村名")
	fs.StringVar(&v.TownshipName, "township", v.TownshipName, "乡镇名称")
	fs.StringVar(&v.CountyName, "county", v.CountyName, "区县名称")
	fs.BoolVar(&v.Key, "key", v.Key, "省定扶贫工作重点村 (--key=false to clear)")
	fs.IntVar(&v.KeyYear, "key-year", v.KeyYear, "认定年份")
	fs.Var(&listValue{list: &v.Industries}, "industries", "主导产业, comma-separated or repeated")
	fs.IntVar(&v.Households, "households", v.Households, "户数")
	fs.IntVar(&v.Population, "population", v.Population, "人口")
	fs.IntVar(&v.PoorHouseholds, "poor-households", v.PoorHouseholds, "贫困户数")
	fs.Float64Var(&v.Farmland, "farmland", v.Farmland, "耕地面积（亩）")
	fs.StringVar(&v.Secretary, "secretary", v.Secretary, "党支部书记")
	fs.StringVar(&v.SecretaryPhone, "secretary-phone", v.SecretaryPhone, "书记电话")
	fs.StringVar(&v.Notes, "notes", v.Notes, "备注")
}

func advisorFlags(fs *flag.FlagSet, a *ledger.Advisor) {
	fs.StringVar(&a.Name, "name", a.Name, "姓名")
	fs.StringVar(&a.Gender, "gender", a.Gender, "性别 (男/女)")
	fs.StringVar(&a.Phone, "phone", a.Phone, "电话")
	fs.StringVar(&a.Employer, "employer", a.Employer, "派出单位")
	fs.StringVar(&a.Title, "title", a.Title, "职称")
	fs.StringVar(&a.Specialty, "specialty", a.Specialty, "专业特长")
	fs.StringVar(&a.Group, "group", a.Group, "专业组: "+strings.Join(ledger.Groups, "/"))
	fs.BoolVar(&a.Expert, "expert", a.Expert, "专家服务团成员")
	fs.StringVar(&a.Status, "status", a.Status, "状态: "+strings.Join(ledger.Statuses, "/"))
	fs.Var(dateValue{&a.StatusDate}, "status-date", "状态日期 YYYY-MM-DD")
	fs.Var(dateValue{&a.Since}, "since", "选派日期 YYYY-MM-DD")
	fs.StringVar(&a.Notes, "notes", a.Notes, "备注")
}

func trainingFlags(fs *flag.FlagSet, t *ledger.Training) {
	fs.StringVar(&t.Kind, "kind", t.Kind, "服务形式: "+strings.Join(ledger.TrainingKinds, "/"))
	fs.Var(dateValue{&t.Date}, "date", "日期 YYYY-MM-DD (default today)")
	fs.StringVar(&t.Start, "start", t.Start, "开始时间 HH:MM")
	fs.StringVar(&t.End, "end", t.End, "结束时间 HH:MM")
	fs.Var(&codeListValue{codes: &t.Villages}, "village", "村代码, repeated or comma-separated; the first is the primary")
	fs.Var(&listValue{list: &t.Advisors}, "advisor", "科技指导人员编号, repeated or comma-separated")
	fs.StringVar(&t.Topic, "topic", t.Topic, "主题")
	fs.StringVar(&t.Content, "content", t.Content, "服务内容")
	fs.IntVar(&t.Attendees, "attendees", t.Attendees, "培训人次")
	fs.IntVar(&t.PoorAttendees, "poor", t.PoorAttendees, "其中贫困户")
	fs.IntVar(&t.Brochures, "brochures", t.Brochures, "发放资料（份）")
	fs.Var(&listValue{list: &t.Varieties}, "varieties", "引进品种/技术, comma-separated")
	fs.StringVar(&t.Notes, "notes", t.Notes, "备注")
}

func assignmentFlags(fs *flag.FlagSet, a *ledger.Assignment) {
	fs.StringVar(&a.Advisor, "advisor", a.Advisor, "科技指导人员编号")
	fs.Var(codeValue{&a.Village}, "village", "村代码")
	fs.Var(dateValue{&a.From}, "from", "开始日期 (default today)")
	fs.Var(dateValue{&a.To}, "to", "结束日期")
	fs.StringVar(&a.Reason, "reason", a.Reason, "调整原因")
	fs.StringVar(&a.Notes, "notes", a.Notes, "备注")
}

func targetFlags(fs *flag.FlagSet, t *ledger.Target) {
	fs.IntVar(&t.Activities, "activities", t.Activities, "开展活动（次）")
	fs.IntVar(&t.Attendees, "attendees", t.Attendees, "培训农民（人次）")
	fs.IntVar(&t.Brochures, "brochures", t.Brochures, "发放技术资料（份）")
	fs.IntVar(&t.Projects, "projects", t.Projects, "支持项目（个）")
	fs.IntVar(&t.Varieties, "varieties", t.Varieties, "引进新品种新技术（项）")
	fs.IntVar(&t.Surveys, "surveys", t.Surveys, "每个重点村需求调研（次）")
	fs.IntVar(&t.Leaders, "leaders", t.Leaders, "培育科技带头人、示范户（名）")
	fs.IntVar(&t.Reports, "reports", t.Reports, "宣传报道（篇）")
	fs.IntVar(&t.ParkVillages, "park-villages", t.ParkVillages, "每个园区结对重点村（个）")
	fs.IntVar(&t.ParkJobs, "park-jobs", t.ParkJobs, "园区带动就业（人）")
	fs.IntVar(&t.Stars, "star-platforms", t.Stars, "星创天地（个）")
	fs.IntVar(&t.Stations, "stations", t.Stations, "农科驿站（个）")
	fs.IntVar(&t.NeedDays, "need-days", t.NeedDays, "需求办结时限（天）")
	fs.StringVar(&t.Notes, "notes", t.Notes, "备注")
}
