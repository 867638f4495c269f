package ledger_test

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"techaid/ledger"
)

// checker is a fixed world for validation: today is 2026-05-01 in China, two villages, two advisors,
// and one record of each kind that records name (a training, a project, a variety, a park).
type checker struct {
	today    time.Time
	villages map[ledger.Code]bool
	advisors map[string]bool
	records  map[ledger.Ref]bool
	names    map[string]string // a variety's names in NormalName form → its id
}

func (c checker) Today() time.Time                   { return c.today }
func (c checker) VillageKnown(code ledger.Code) bool { return c.villages[code] }
func (c checker) AdvisorKnown(id string) bool        { return c.advisors[id] }
func (c checker) Known(k ledger.Kind, id string) bool {
	return c.records[ledger.Ref{Kind: k, ID: id}]
}
func (c checker) Named(k ledger.Kind, normal string) string {
	if k != ledger.KindVariety {
		return ""
	}
	return c.names[normal]
}

var world = checker{
	today:    time.Date(2026, 5, 1, 0, 0, 0, 0, ledger.China),
	villages: map[ledger.Code]bool{"370323102201": true, "370323102202": true},
	advisors: map[string]bool{"A-017": true, "A-018": true},
	records: map[ledger.Ref]bool{{Kind: ledger.KindTraining, ID: "T-1"}: true, {Kind: ledger.KindTraining, ID: "T-2"}: true,
		{Kind: ledger.KindProject, ID: "P-1"}: true, {Kind: ledger.KindVariety, ID: "V-1"}: true, {Kind: ledger.KindPark, ID: "K-1"}: true},
	names: map[string]string{"鲁丽": "V-1", "鲁丽苹果": "V-1"},
}

// Valid records of each kind: the full test records, not deleted.
var (
	validVillage    = with(fullVillage, func(v *ledger.Village) { v.Deleted = false })
	validAdvisor    = with(fullAdvisor, func(a *ledger.Advisor) { a.Deleted = false })
	validTraining   = with(fullTraining, func(tr *ledger.Training) { tr.Deleted = false })
	validAssignment = with(fullAssignment, func(a *ledger.Assignment) { a.Deleted = false })
)

// with returns a copy of v changed by edit. Edits must assign new slices, not change shared ones.
func with[T any](v T, edit func(*T)) T {
	edit(&v)
	return v
}

// labels are the field labels a clerk (zh) and a log reader (en) must see, written out here rather
// than read from the package so that a wrong or missing label fails.
var labels = map[ledger.Kind]map[string][2]string{
	ledger.KindVillage: {
		"id":              {"村代码", "village code"},
		"name":            {"村名", "name"},
		"key_year":        {"认定年份", "year designated"},
		"industries":      {"主导产业", "leading industries"},
		"households":      {"户数", "households"},
		"population":      {"人口", "population"},
		"poor_households": {"贫困户数", "poor households"},
		"farmland":        {"耕地面积（亩）", "farmland (mu)"},
		"secretary":       {"党支部书记", "party secretary"},
		"secretary_phone": {"书记电话", "secretary's phone"},
		"notes":           {"备注", "notes"},
	},
	ledger.KindAdvisor: {
		"name":        {"姓名", "name"},
		"gender":      {"性别", "gender"},
		"phone":       {"电话", "phone"},
		"employer":    {"派出单位", "employer"},
		"group":       {"专业组", "professional group"},
		"status":      {"状态", "status"},
		"status_date": {"状态日期", "status date"},
		"since":       {"选派日期", "serving since"},
		"notes":       {"备注", "notes"},
	},
	ledger.KindTraining: {
		"kind":           {"服务形式", "kind"},
		"date":           {"日期", "date"},
		"start":          {"开始时间", "start time"},
		"end":            {"结束时间", "end time"},
		"villages":       {"村", "villages"},
		"advisors":       {"科技指导人员", "advisors"},
		"topic":          {"主题", "topic"},
		"content":        {"服务内容", "content"},
		"attendees":      {"培训人次", "attendees"},
		"poor_attendees": {"其中贫困户", "of whom poor"},
		"brochures":      {"发放资料（份）", "brochures"},
		"varieties":      {"引进品种/技术", "varieties or technologies"},
	},
	ledger.KindAssignment: {
		"advisor": {"科技指导人员", "advisor"},
		"village": {"村", "village"},
		"from":    {"开始日期", "from"},
		"to":      {"结束日期", "to"},
		"reason":  {"调整原因", "reason"},
	},
	ledger.KindTarget: {
		"id":        {"年度", "year"},
		"attendees": {"培训农民（人次）", "farmers trained"},
		"reports":   {"宣传报道（篇）", "publicity reports"},
	},
}

// requireFieldErrors checks that err is a validation error of e naming exactly the given fields, each
// with its labels in both languages.
func requireFieldErrors(t *testing.T, e ledger.Entity, err error, fields ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Validate(%+v) = nil, want an error on %v", e, fields)
	}
	var ve *ledger.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *ledger.ValidationError", err, err)
	}
	if !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
	}
	if ve.Kind != e.RecordKind() || ve.ID != e.RecordID() {
		t.Errorf("error is about %s %q, want %s %q", ve.Kind, ve.ID, e.RecordKind(), e.RecordID())
	}
	named := map[string]bool{}
	for _, fe := range ve.Fields {
		named[fe.Field] = true
		if fe.Zh == "" || fe.En == "" {
			t.Errorf("field %s: reason missing (zh %q, en %q)", fe.Field, fe.Zh, fe.En)
		}
	}
	for _, f := range fields {
		if !named[f] {
			t.Errorf("error does not name %s: %v", f, err)
		}
		label, ok := labels[e.RecordKind()][f]
		if !ok {
			t.Fatalf("test has no labels for %s.%s", e.RecordKind(), f)
		}
		if zh := ve.Chinese(); !strings.Contains(zh, "「"+label[0]+"」") || !strings.HasPrefix(zh, ledger.KindName(ve.Kind)) {
			t.Errorf("Chinese() = %q, want it to start with %s and name 「%s」", zh, ledger.KindName(ve.Kind), label[0])
		}
		if en := ve.Error(); !strings.Contains(en, label[1]+": ") {
			t.Errorf("Error() = %q, want it to name %q", en, label[1])
		}
	}
	if len(named) != len(fields) {
		t.Errorf("error names %v, want only %v: %v", slices.Collect(maps.Keys(named)), fields, err)
	}
	for _, fe := range ve.Fields {
		if label := labels[e.RecordKind()][fe.Field]; fe.Label != label[0] {
			t.Errorf("FieldError.Label = %q, want %q", fe.Label, label[0])
		}
	}
}

func TestValidateAcceptsValidRecords(t *testing.T) {
	tests := []struct {
		name string
		e    ledger.Entity
	}{
		{"village", validVillage},
		{"advisor", validAdvisor},
		{"training", validTraining},
		{"assignment", validAssignment},

		{"minimal village", ledger.Village{Code: "370323102201", Name: "鲁村一村"}},
		{"minimal advisor", ledger.Advisor{ID: "A-1", Name: "张", Group: "粮食", Status: ledger.StatusActive}},
		{"minimal training", ledger.Training{ID: "T-1", Kind: ledger.TrainingOnSite, Date: "2026-05-01",
			Villages: []ledger.Code{"370323102201"}, Topic: "小麦"}},
		{"minimal assignment", ledger.Assignment{ID: "P-1", Advisor: "A-017", Village: "370323102201", From: "2026-05-01"}},

		{"key village designated this year", with(validVillage, func(v *ledger.Village) { v.KeyYear = 2026 })},
		{"key village designated in 2015", with(validVillage, func(v *ledger.Village) { v.KeyYear = 2015 })},
		{"poor households equal households", with(validVillage, func(v *ledger.Village) { v.PoorHouseholds = v.Households })},
		{"name of 50 characters", with(validVillage, func(v *ledger.Village) { v.Name = strings.Repeat("村", ledger.MaxName) })},
		{"notes of 2000 characters", with(validVillage, func(v *ledger.Village) { v.Notes = strings.Repeat("记", ledger.MaxText) })},
		{"farmland at the limit", with(validVillage, func(v *ledger.Village) { v.Farmland = ledger.MaxFarmland })},
		{"woman advisor", with(validAdvisor, func(a *ledger.Advisor) { a.Gender = "女" })},
		{"training tomorrow", with(validTraining, func(tr *ledger.Training) { tr.Date = "2026-05-02" })},
		{"training on the first day", with(validTraining, func(tr *ledger.Training) { tr.Date = ledger.FirstDate })},
		{"training kind not in the list", with(validTraining, func(tr *ledger.Training) { tr.Kind = "科普宣传" })},
		{"training without advisors", with(validTraining, func(tr *ledger.Training) { tr.Advisors = nil })},
		{"start equals end", with(validTraining, func(tr *ledger.Training) { tr.Start, tr.End = "09:00", "09:00" })},
		{"attendees at the limit", with(validTraining, func(tr *ledger.Training) { tr.Attendees = ledger.MaxAttendees })},
		{"all attendees poor", with(validTraining, func(tr *ledger.Training) { tr.PoorAttendees = tr.Attendees })},
		{"one-day assignment", with(validAssignment, func(a *ledger.Assignment) { a.To = a.From })},
		{"assignment planned five years on", with(validAssignment, func(a *ledger.Assignment) { a.To = "2031-05-02" })},
	}
	for _, g := range ledger.Groups {
		tests = append(tests, struct {
			name string
			e    ledger.Entity
		}{"group " + g, with(validAdvisor, func(a *ledger.Advisor) { a.Group = g })})
	}
	for _, s := range ledger.Statuses {
		tests = append(tests, struct {
			name string
			e    ledger.Entity
		}{"status " + s, with(validAdvisor, func(a *ledger.Advisor) { a.Status = s })})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ledger.Validate(tt.e, world); err != nil {
				t.Errorf("Validate = %v", err)
			}
		})
	}
}

func TestValidateRejects(t *testing.T) {
	long := func(n int) string { return strings.Repeat("长", n) }
	tests := []struct {
		name  string
		e     ledger.Entity
		field string
	}{
		// Villages.
		{"village name missing", with(validVillage, func(v *ledger.Village) { v.Name = "" }), "name"},
		{"village name blank", with(validVillage, func(v *ledger.Village) { v.Name = " \t" }), "name"},
		{"village name too long", with(validVillage, func(v *ledger.Village) { v.Name = long(ledger.MaxName + 1) }), "name"},
		{"village code of 13 digits", with(validVillage, func(v *ledger.Village) { v.Code = "3703231022011" }), "id"},
		{"village code of a township", with(validVillage, func(v *ledger.Village) { v.Code = "370323102" }), "id"},
		{"village code missing", with(validVillage, func(v *ledger.Village) { v.Code = "" }), "id"},
		{"key year before the programme", with(validVillage, func(v *ledger.Village) { v.KeyYear = 2014 }), "key_year"},
		{"key year in the future", with(validVillage, func(v *ledger.Village) { v.KeyYear = 2027 }), "key_year"},
		{"industry too long", with(validVillage, func(v *ledger.Village) { v.Industries = []string{"苹果", long(51)} }), "industries"},
		{"households negative", with(validVillage, func(v *ledger.Village) { v.Households = -1 }), "households"},
		{"households implausible", with(validVillage, func(v *ledger.Village) { v.Households = ledger.MaxHouseholds + 1 }), "households"},
		{"population implausible", with(validVillage, func(v *ledger.Village) { v.Population = ledger.MaxPopulation + 1 }), "population"},
		{"poor households above households", with(validVillage, func(v *ledger.Village) { v.PoorHouseholds = v.Households + 1 }), "poor_households"},
		{"poor households negative", with(validVillage, func(v *ledger.Village) { v.PoorHouseholds = -2 }), "poor_households"},
		{"farmland negative", with(validVillage, func(v *ledger.Village) { v.Farmland = -0.5 }), "farmland"},
		{"farmland implausible", with(validVillage, func(v *ledger.Village) { v.Farmland = ledger.MaxFarmland + 1 }), "farmland"},
		{"farmland NaN", with(validVillage, func(v *ledger.Village) { v.Farmland = math.NaN() }), "farmland"},
		{"farmland infinite", with(validVillage, func(v *ledger.Village) { v.Farmland = math.Inf(1) }), "farmland"},
		{"secretary name too long", with(validVillage, func(v *ledger.Village) { v.Secretary = long(51) }), "secretary"},
		{"secretary phone", with(validVillage, func(v *ledger.Village) { v.SecretaryPhone = "12345678901" }), "secretary_phone"},
		{"village notes too long", with(validVillage, func(v *ledger.Village) { v.Notes = long(ledger.MaxText + 1) }), "notes"},
		{"village notes not UTF-8", with(validVillage, func(v *ledger.Village) { v.Notes = "\xff\xfe" }), "notes"},

		// Advisors.
		{"advisor name missing", with(validAdvisor, func(a *ledger.Advisor) { a.Name = "" }), "name"},
		{"advisor name too long", with(validAdvisor, func(a *ledger.Advisor) { a.Name = long(51) }), "name"},
		{"gender", with(validAdvisor, func(a *ledger.Advisor) { a.Gender = "M" }), "gender"},
		{"phone of 11 digits not a mobile", with(validAdvisor, func(a *ledger.Advisor) { a.Phone = "12345678901" }), "phone"},
		{"mobile of 10 digits", with(validAdvisor, func(a *ledger.Advisor) { a.Phone = "1391234567" }), "phone"},
		{"phone of letters", with(validAdvisor, func(a *ledger.Advisor) { a.Phone = "abc" }), "phone"},
		{"landline too short", with(validAdvisor, func(a *ledger.Advisor) { a.Phone = "0533-12" }), "phone"},
		{"employer too long", with(validAdvisor, func(a *ledger.Advisor) { a.Employer = long(101) }), "employer"},
		{"group missing", with(validAdvisor, func(a *ledger.Advisor) { a.Group = "" }), "group"},
		{"group not one of the seven", with(validAdvisor, func(a *ledger.Advisor) { a.Group = "果树" }), "group"},
		{"status missing", with(validAdvisor, func(a *ledger.Advisor) { a.Status = "" }), "status"},
		{"status not one of three", with(validAdvisor, func(a *ledger.Advisor) { a.Status = "休假" }), "status"},
		{"status date malformed", with(validAdvisor, func(a *ledger.Advisor) { a.StatusDate = "2026/3/15" }), "status_date"},
		{"serving since 2099", with(validAdvisor, func(a *ledger.Advisor) { a.Since = "2099-01-01" }), "since"},
		{"serving since 2014", with(validAdvisor, func(a *ledger.Advisor) { a.Since = "2014-12-31" }), "since"},
		{"advisor notes too long", with(validAdvisor, func(a *ledger.Advisor) { a.Notes = long(ledger.MaxText + 1) }), "notes"},

		// Trainings.
		{"training kind missing", with(validTraining, func(tr *ledger.Training) { tr.Kind = "" }), "kind"},
		{"training kind too long", with(validTraining, func(tr *ledger.Training) { tr.Kind = long(21) }), "kind"},
		{"training date missing", with(validTraining, func(tr *ledger.Training) { tr.Date = "" }), "date"},
		{"training date in 2099", with(validTraining, func(tr *ledger.Training) { tr.Date = "2099-05-01" }), "date"},
		{"training date 2014-12-31", with(validTraining, func(tr *ledger.Training) { tr.Date = "2014-12-31" }), "date"},
		{"training the day after tomorrow", with(validTraining, func(tr *ledger.Training) { tr.Date = "2026-05-03" }), "date"},
		{"training date malformed", with(validTraining, func(tr *ledger.Training) { tr.Date = "2026/4/28" }), "date"},
		{"training date does not exist", with(validTraining, func(tr *ledger.Training) { tr.Date = "2026-02-30" }), "date"},
		{"start without a leading zero", with(validTraining, func(tr *ledger.Training) { tr.Start = "8:30" }), "start"},
		{"start at 24:00", with(validTraining, func(tr *ledger.Training) { tr.Start = "24:00" }), "start"},
		{"end malformed", with(validTraining, func(tr *ledger.Training) { tr.End = "11:60" }), "end"},
		{"end before start", with(validTraining, func(tr *ledger.Training) { tr.Start, tr.End = "14:00", "09:30" }), "end"},
		{"villages missing", with(validTraining, func(tr *ledger.Training) { tr.Villages = nil }), "villages"},
		{"village code of 13 digits", with(validTraining, func(tr *ledger.Training) { tr.Villages = []ledger.Code{"3703231022011"} }), "villages"},
		{"village unknown", with(validTraining, func(tr *ledger.Training) {
			tr.Villages = []ledger.Code{"370323102201", "370323102299"}
		}), "villages"},
		{"village listed twice", with(validTraining, func(tr *ledger.Training) {
			tr.Villages = []ledger.Code{"370323102201", "370323102202", "370323102201"}
		}), "villages"},
		{"advisor unknown", with(validTraining, func(tr *ledger.Training) { tr.Advisors = []string{"A-017", "A-999"} }), "advisors"},
		{"advisor listed twice", with(validTraining, func(tr *ledger.Training) { tr.Advisors = []string{"A-017", "A-017"} }), "advisors"},
		{"topic missing", with(validTraining, func(tr *ledger.Training) { tr.Topic = "" }), "topic"},
		{"topic too long", with(validTraining, func(tr *ledger.Training) { tr.Topic = long(201) }), "topic"},
		{"content too long", with(validTraining, func(tr *ledger.Training) { tr.Content = long(ledger.MaxText + 1) }), "content"},
		{"attendees negative", with(validTraining, func(tr *ledger.Training) { tr.Attendees, tr.PoorAttendees = -1, 0 }), "attendees"},
		{"attendees implausible", with(validTraining, func(tr *ledger.Training) { tr.Attendees = 5001 }), "attendees"},
		{"poor attendees above attendees", with(validTraining, func(tr *ledger.Training) { tr.PoorAttendees = tr.Attendees + 1 }), "poor_attendees"},
		{"poor attendees negative", with(validTraining, func(tr *ledger.Training) { tr.PoorAttendees = -1 }), "poor_attendees"},
		{"brochures implausible", with(validTraining, func(tr *ledger.Training) { tr.Brochures = ledger.MaxBrochures + 1 }), "brochures"},
		{"variety too long", with(validTraining, func(tr *ledger.Training) { tr.Varieties = []string{long(101)} }), "varieties"},

		// Assignments.
		{"assignment advisor missing", with(validAssignment, func(a *ledger.Assignment) { a.Advisor = "" }), "advisor"},
		{"assignment advisor unknown", with(validAssignment, func(a *ledger.Assignment) { a.Advisor = "A-999" }), "advisor"},
		{"assignment village missing", with(validAssignment, func(a *ledger.Assignment) { a.Village = "" }), "village"},
		{"assignment village of 13 digits", with(validAssignment, func(a *ledger.Assignment) { a.Village = "3703231022011" }), "village"},
		{"assignment village unknown", with(validAssignment, func(a *ledger.Assignment) { a.Village = "370323102299" }), "village"},
		{"assignment from missing", with(validAssignment, func(a *ledger.Assignment) { a.From = "" }), "from"},
		{"assignment from malformed", with(validAssignment, func(a *ledger.Assignment) { a.From = "2024.1.1" }), "from"},
		{"assignment from the day after tomorrow", with(validAssignment, func(a *ledger.Assignment) { a.From = "2026-05-03" }), "from"},
		{"assignment ends before it starts", with(validAssignment, func(a *ledger.Assignment) { a.To = "2023-12-31" }), "to"},
		{"assignment end malformed", with(validAssignment, func(a *ledger.Assignment) { a.To = "soon" }), "to"},
		{"assignment end too far on", with(validAssignment, func(a *ledger.Assignment) { a.To = "2031-05-03" }), "to"},
		{"assignment reason too long", with(validAssignment, func(a *ledger.Assignment) { a.Reason = long(201) }), "reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireFieldErrors(t, tt.e, ledger.Validate(tt.e, world), tt.field)
		})
	}
}

func TestValidatePhone(t *testing.T) {
	tests := []struct {
		phone string
		valid bool
	}{
		{"13912345678", true},
		{"19912345678", true},
		{"0533-1234567", true},
		{"05331234567", true},
		{"1234567", true},
		{"12345678", true},
		{"010-12345678", true},
		{"0533-1234567-801", true},
		{"12345678901", false},
		{"1391234567", false},
		{"139123456789", false},
		{"abc", false},
		{"0533-12", false},
		{"123456", false},
		{"0533 1234567", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.phone, func(t *testing.T) {
			if got := ledger.ValidPhone(tt.phone); got != tt.valid {
				t.Errorf("ValidPhone(%q) = %v, want %v", tt.phone, got, tt.valid)
			}
			a := with(validAdvisor, func(a *ledger.Advisor) { a.Phone = tt.phone })
			err := ledger.Validate(a, world)
			switch {
			case tt.phone == "": // an empty phone is allowed: the field is optional
				if err != nil {
					t.Errorf("Validate with no phone = %v", err)
				}
			case tt.valid && err != nil:
				t.Errorf("Validate = %v", err)
			case !tt.valid:
				requireFieldErrors(t, a, err, "phone")
			}
		})
	}
}

func TestValidateDeletedAlwaysValid(t *testing.T) {
	tests := []ledger.Entity{
		ledger.Village{Code: "3703231022011", Farmland: -1, Deleted: true},
		ledger.Advisor{ID: "A-1", Group: "果树", Phone: "abc", Deleted: true},
		ledger.Training{ID: "T-1", Date: "2099-01-01", Attendees: -5, Deleted: true},
		ledger.Assignment{ID: "P-1", Advisor: "A-999", Village: "1", Deleted: true},
	}
	for _, e := range tests {
		t.Run(string(e.RecordKind()), func(t *testing.T) {
			if err := ledger.Validate(e, world); err != nil {
				t.Errorf("Validate of a deleted record = %v", err)
			}
		})
	}
}

func TestValidateNamesEveryField(t *testing.T) {
	a := with(validAdvisor, func(a *ledger.Advisor) { a.Name, a.Group, a.Phone = "", "果树", "abc" })
	requireFieldErrors(t, a, ledger.Validate(a, world), "name", "group", "phone")

	// The error survives wrapping on its way up through storage.
	wrapped := fmt.Errorf("save advisor %s: %w", a.ID, ledger.Validate(a, world))
	var ve *ledger.ValidationError
	if !errors.Is(wrapped, ledger.ErrInvalid) || !errors.As(wrapped, &ve) || len(ve.Fields) != 3 {
		t.Errorf("wrapped error %v lost its validation error", wrapped)
	}
}

func TestValidationErrorText(t *testing.T) {
	v := with(validVillage, func(v *ledger.Village) { v.Name, v.Farmland = "", -1 })
	var ve *ledger.ValidationError
	if !errors.As(ledger.Validate(v, world), &ve) {
		t.Fatal("no validation error")
	}
	wantZh := "村庄填写有误：「村名」不能为空，请填写；「耕地面积（亩）」应在 0 至 200000 亩之间"
	if got := ve.Chinese(); got != wantZh {
		t.Errorf("Chinese() = %q\nwant        %q", got, wantZh)
	}
	wantEn := "invalid village: name: is required; farmland (mu): must be 0 to 200000 mu"
	if got := ve.Error(); got != wantEn {
		t.Errorf("Error() = %q\nwant      %q", got, wantEn)
	}
}

func TestKindName(t *testing.T) {
	for _, k := range ledger.Kinds {
		if name := ledger.KindName(k); name == "" || name == string(k) {
			t.Errorf("KindName(%s) = %q, want a Chinese name", k, name)
		}
	}
	if got := ledger.KindName("farm"); got != "farm" {
		t.Errorf("KindName of an unknown kind = %q, want the kind itself", got)
	}
}

func TestValidateUnknownType(t *testing.T) {
	err := ledger.Validate(&validVillage, world) // a pointer is not one of the four record types
	if err == nil || errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("Validate(*Village) = %v, want a programmer error that is not ErrInvalid", err)
	}
}

func TestValidateTarget(t *testing.T) {
	ck := world
	ok := ledger.DefaultTarget(2026)
	if err := ledger.Validate(ok, ck); err != nil {
		t.Fatalf("the default targets: %v", err)
	}
	bad := ok
	bad.Year, bad.Attendees, bad.Reports = "20x6", -1, ledger.MaxTarget+1
	requireFieldErrors(t, bad, ledger.Validate(bad, ck), "id", "attendees", "reports")
	far := ok
	far.Year = "2099"
	requireFieldErrors(t, far, ledger.Validate(far, ck), "id")
	if err := ledger.Validate(ledger.Target{Year: "bad", Deleted: true}, ck); err != nil {
		t.Errorf("a deleted target is a tombstone and always acceptable: %v", err)
	}
}

// TestValidateMarksRelations: a rule that relates two fields names the other one (With), so that the
// city's hub can leave to the offices the relations that two offices' concurrent valid edits may break;
// every rule about a field's own value has no With.
func TestValidateMarksRelations(t *testing.T) {
	tests := []struct {
		name  string
		e     ledger.Entity
		field string
		with  string
	}{
		{"poor households over households", with(validVillage, func(v *ledger.Village) { v.Households, v.PoorHouseholds = 40, 45 }),
			"poor_households", "households"},
		{"end before start", with(validTraining, func(tr *ledger.Training) { tr.Start, tr.End = "10:00", "09:00" }), "end", "start"},
		{"poor attendees over attendees", with(validTraining, func(tr *ledger.Training) { tr.Attendees, tr.PoorAttendees = 10, 11 }),
			"poor_attendees", "attendees"},
		{"pairing ends before it starts", with(validAssignment, func(a *ledger.Assignment) { a.From, a.To = "2026-03-01", "2026-02-01" }),
			"to", "from"},
		{"negative attendees", with(validTraining, func(tr *ledger.Training) { tr.Attendees, tr.PoorAttendees = -5, 0 }), "attendees", ""},
		{"a date that is no date", with(validTraining, func(tr *ledger.Training) { tr.Date = "2026-13-45" }), "date", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ve *ledger.ValidationError
			if err := ledger.Validate(tt.e, world); !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want a validation error", err)
			}
			for _, fe := range ve.Fields {
				if fe.Field == tt.field {
					if fe.With != tt.with {
						t.Errorf("%s: With = %q, want %q", fe.Field, fe.With, tt.with)
					}
					return
				}
			}
			t.Errorf("no error names %s: %+v", tt.field, ve.Fields)
		})
	}
}
