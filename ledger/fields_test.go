package ledger_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"techaid/ledger"
)

// Fully filled records of each kind. Lists hold Chinese items with commas and quotes inside, which a
// comma-separated rendering would break.
var (
	fullVillage = ledger.Village{
		Code:           "370323102201",
		Name:           "鲁村一村",
		TownshipName:   "鲁村镇",
		CountyName:     "沂源县",
		Key:            true,
		KeyYear:        2016,
		Industries:     []string{"苹果，梨", `"沂源红"苹果`, "a,b", "蔬菜、大棚"},
		Households:     312,
		Population:     1040,
		PoorHouseholds: 23,
		Farmland:       1520.5,
		Secretary:      "李书记",
		SecretaryPhone: "13912345678",
		Notes:          "2019 年与二村合并；\n道路已硬化",
		Deleted:        true,
	}
	fullAdvisor = ledger.Advisor{
		ID:         "A-017",
		Name:       "张建国",
		Gender:     "男",
		Phone:      "0533-1234567",
		Employer:   "市农业科学研究院",
		Title:      "高级农艺师",
		Specialty:  "果树栽培",
		Group:      "林果",
		Expert:     true,
		Status:     ledger.StatusAdjusting,
		StatusDate: "2026-03-15",
		Since:      "2016-04-01",
		Notes:      `他说："随叫随到"`,
		Deleted:    true,
	}
	fullTraining = ledger.Training{
		ID:            "T-2026-0042",
		Kind:          ledger.TrainingCourse,
		Date:          "2026-04-28",
		Start:         "08:30",
		End:           "11:45",
		Villages:      []ledger.Code{"370323102201", "370323102202"},
		Advisors:      []string{"A-017", "A-018"},
		Topic:         "苹果春季管理",
		Content:       "疏花疏果、病虫害防治",
		Attendees:     85,
		PoorAttendees: 12,
		Brochures:     200,
		Varieties:     []string{"烟富 8 号", `"鲁丽"苹果`, "矮化, 密植"},
		Notes:         "在村委会大院",
		Evidence:      []string{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|jpeg|312345|2026-04-28 09:12|36.812345,118.054321|签到表.jpg"},
		Deleted:       true,
	}
	fullAssignment = ledger.Assignment{
		ID:      "P-0031",
		Advisor: "A-017",
		Village: "370323102201",
		From:    "2024-01-01",
		To:      "2026-12-31",
		Reason:  "专业对口调整",
		Notes:   "由王老师接替",
		Deleted: true,
	}
)

var fullEntities = []ledger.Entity{fullVillage, fullAdvisor, fullTraining, fullAssignment,
	fullNeed, fullProject, fullVariety, fullIntroduction, fullLeader, fullPublicity, fullPark, fullParkPairing, fullPlatform}

// requireAllSet fails if any field of e is its zero value, so that a field added later without a
// test value shows up here.
func requireAllSet(t *testing.T, e ledger.Entity) {
	t.Helper()
	v := reflect.ValueOf(e)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("%T.%s is not set in the test record", e, v.Type().Field(i).Name)
		}
	}
}

func TestValuesDecodeRoundTrip(t *testing.T) {
	for _, e := range fullEntities {
		t.Run(string(e.RecordKind()), func(t *testing.T) {
			requireAllSet(t, e)
			values := ledger.Values(e)
			for _, fi := range ledger.Fields(e.RecordKind()) {
				if values[fi.Name] == "" {
					t.Errorf("field %s rendered as \"\"", fi.Name)
				}
			}
			if _, ok := values["id"]; ok {
				t.Error("Values includes the id: the id is the record key, not a field")
			}
			got, err := ledger.Decode(e.RecordKind(), e.RecordID(), values)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, e) {
				t.Errorf("round trip changed the record\nwant %+v\ngot  %+v", e, got)
			}
		})
	}
}

func TestValuesText(t *testing.T) {
	// The text form is stored and compared to find edits: pin it down.
	tests := []struct {
		name  string
		e     ledger.Entity
		field string
		want  string
	}{
		{"int", fullVillage, "households", "312"},
		{"float", fullVillage, "farmland", "1520.5"},
		{"whole float", ledger.Village{Farmland: 30}, "farmland", "30"},
		{"bool", fullVillage, "key", "true"},
		{"tombstone", fullVillage, ledger.FieldDeleted, "true"},
		{"code list", fullTraining, "villages", `["370323102201","370323102202"]`},
		{"list with comma and quotes", fullTraining, "varieties", `["烟富 8 号","\"鲁丽\"苹果","矮化, 密植"]`},
		{"date", fullAdvisor, "since", "2016-04-01"},
		{"negative int", ledger.Training{Attendees: -3}, "attendees", "-3"},
		{"list of one empty item", ledger.Training{Advisors: []string{""}}, "advisors", `[""]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ledger.Values(tt.e)[tt.field]; got != tt.want {
				t.Errorf("Values()[%q] = %q, want %q", tt.field, got, tt.want)
			}
		})
	}
}

func TestZeroValuesRenderEmpty(t *testing.T) {
	zeros := []ledger.Entity{ledger.Village{}, ledger.Advisor{}, ledger.Training{}, ledger.Assignment{},
		ledger.Training{Villages: []ledger.Code{}, Advisors: []string{}}} // empty lists too
	for _, e := range zeros {
		values := ledger.Values(e)
		if len(values) != len(ledger.Fields(e.RecordKind())) {
			t.Errorf("%s: %d values for %d fields", e.RecordKind(), len(values), len(ledger.Fields(e.RecordKind())))
		}
		for name, v := range values {
			if v != "" {
				t.Errorf("%s: zero field %s rendered as %q, want \"\"", e.RecordKind(), name, v)
			}
		}
	}
}

func TestDecodeTolerates(t *testing.T) {
	// Text from a newer app version, or damaged, leaves the zero value instead of failing.
	e, err := ledger.Decode(ledger.KindTraining, "T-1", map[string]string{
		"attendees": "many",
		"villages":  "370323102201,370323102202",
		"deleted":   "yes",
		"topic":     "施肥",
		"unknown":   "ignored",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := ledger.Training{ID: "T-1", Topic: "施肥"}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("Decode = %+v, want %+v", e, want)
	}
	if _, err := ledger.Decode("farm", "x", nil); err == nil {
		t.Error("Decode of an unknown kind succeeded")
	}
}

// recordOf builds the replicated form of e, every field written by one version.
func recordOf(e ledger.Entity) ledger.Record {
	r := ledger.Record{Kind: e.RecordKind(), ID: e.RecordID(), Fields: map[string]ledger.Field{}}
	for name, v := range ledger.Values(e) {
		r.Fields[name] = ledger.Field{Value: v, Version: ledger.Version{VersionID: ledger.VersionID{Stamp: 1, Replica: "r1"}}}
	}
	return r
}

func TestAs(t *testing.T) {
	t.Run("village", func(t *testing.T) { checkAs(t, fullVillage) })
	t.Run("advisor", func(t *testing.T) { checkAs(t, fullAdvisor) })
	t.Run("training", func(t *testing.T) { checkAs(t, fullTraining) })
	t.Run("assignment", func(t *testing.T) { checkAs(t, fullAssignment) })

	t.Run("wrong kind", func(t *testing.T) {
		village := recordOf(fullVillage)
		if a, err := ledger.As[ledger.Advisor](village); err == nil {
			t.Errorf("As[Advisor] of a village record = %+v, want an error", a)
		}
		if tr, err := ledger.As[ledger.Training](recordOf(fullAssignment)); err == nil {
			t.Errorf("As[Training] of an assignment record = %+v, want an error", tr)
		}
		if _, err := ledger.As[ledger.Village](ledger.Record{ID: "370323102201"}); err == nil {
			t.Error("As[Village] of a record without a kind succeeded")
		}
	})
}

func checkAs[T ledger.Entity](t *testing.T, want T) {
	t.Helper()
	got, err := ledger.As[T](recordOf(want))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("As = %+v, want %+v", got, want)
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want ledger.Date
	}{
		{"2026-05-01", "2026-05-01"},
		{"2026/5/1", "2026-05-01"},
		{"2026/05/01", "2026-05-01"},
		{"2026.5.1", "2026-05-01"},
		{"2026-5-1", "2026-05-01"},
		{"20260501", "2026-05-01"},
		{"2024-02-29", "2024-02-29"},
		{"2026/12/31", "2026-12-31"},
	}
	for _, tt := range tests {
		got, err := ledger.ParseDate(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}

	for _, in := range []string{"2026-13-01", "2026-02-30", "2025-02-29", "2026-00-10", "2026-05-32",
		"", "today", "5/1/2026", "2026年5月1日", "2026-05-01T08:00"} {
		if got, err := ledger.ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %q, want an error", in, got)
		}
	}
}

func TestDate(t *testing.T) {
	d := ledger.Date("2026-05-01")
	if !d.Valid() || d.Year() != 2026 {
		t.Errorf("%s: Valid %v, Year %d", d, d.Valid(), d.Year())
	}
	if got := d.Time(); got.Location() != ledger.China || got.Hour() != 0 || got.Day() != 1 {
		t.Errorf("%s.Time() = %v, want midnight in China", d, got)
	}
	for _, bad := range []ledger.Date{"2026/5/1", "2026-5-1", "2026-13-01", ""} {
		if bad.Valid() || bad.Year() != 0 || !bad.Time().IsZero() {
			t.Errorf("Date(%q): Valid %v, Year %d, Time %v; want false, 0, zero", bad, bad.Valid(), bad.Year(), bad.Time())
		}
	}
}

func TestDateOf(t *testing.T) {
	tests := []struct {
		utc  string
		want ledger.Date
	}{
		{"2026-05-01T15:59:59Z", "2026-05-01"},
		{"2026-05-01T16:00:00Z", "2026-05-02"},
		{"2026-12-31T17:00:00Z", "2027-01-01"},
	}
	for _, tt := range tests {
		tm, err := time.Parse(time.RFC3339, tt.utc)
		if err != nil {
			t.Fatal(err)
		}
		if got := ledger.DateOf(tm); got != tt.want {
			t.Errorf("DateOf(%s) = %s, want %s", tt.utc, got, tt.want)
		}
	}
}

func TestFields(t *testing.T) {
	want := map[ledger.Kind][]string{
		ledger.KindVillage: {"name", "township_name", "county_name", "key", "key_year", "industries", "households",
			"population", "poor_households", "farmland", "secretary", "secretary_phone", "notes", "deleted"},
		ledger.KindAdvisor: {"name", "gender", "phone", "employer", "title", "specialty", "group", "expert",
			"status", "status_date", "since", "notes", "deleted"},
		ledger.KindTraining: {"kind", "date", "start", "end", "villages", "advisors", "topic", "content",
			"attendees", "poor_attendees", "brochures", "varieties", "notes", "evidence", "deleted"},
		ledger.KindAssignment: {"advisor", "village", "from", "to", "reason", "notes", "deleted"},
		ledger.KindTarget: {"activities", "attendees", "brochures", "projects", "varieties", "surveys", "leaders",
			"reports", "park_villages", "park_jobs", "star_platforms", "stations", "need_days", "notes", "deleted"},
		ledger.KindNeed: {"village", "industry", "problem", "group", "advisor", "state", "reason", "survey", "trainings",
			"projects", "raised", "closed", "notes", "evidence", "deleted"},
		ledger.KindProject: {"name", "year", "villages", "lead", "team", "group", "source", "amount", "state", "applied",
			"approved", "finished", "households", "jobs", "varieties", "notes", "evidence", "deleted"},
		ledger.KindVariety:      {"name", "kind", "group", "industry", "aliases", "source", "description", "notes", "deleted"},
		ledger.KindIntroduction: {"variety", "year", "date", "villages", "area", "households", "trainings", "notes", "deleted"},
		ledger.KindLeader:       {"name", "kind", "village", "gender", "phone", "industry", "advisor", "since", "notes", "deleted"},
		ledger.KindPublicity:    {"title", "outlet", "date", "form", "org", "advisors", "villages", "link", "notes", "deleted"},
		ledger.KindPark:         {"name", "county", "speciality", "year", "notes", "deleted"},
		ledger.KindParkPairing:  {"park", "village", "from", "to", "reason", "jobs", "notes", "evidence", "deleted"},
		ledger.KindPlatform: {"name", "kind", "level", "state", "date", "location", "address", "operator", "villages",
			"notes", "deleted"},
	}
	for _, k := range ledger.Kinds {
		var names []string
		for _, fi := range ledger.Fields(k) {
			names = append(names, fi.Name)
			if fi.Zh == "" || fi.En == "" {
				t.Errorf("%s.%s has no label", k, fi.Name)
			}
		}
		if !slices.Equal(names, want[k]) {
			t.Errorf("Fields(%s) = %v, want %v", k, names, want[k])
		}
	}
	if got := ledger.Fields("farm"); got != nil {
		t.Errorf("Fields of an unknown kind = %v, want nil", got)
	}
}

func TestLabel(t *testing.T) {
	tests := []struct {
		kind   ledger.Kind
		field  string
		zh, en string
	}{
		{ledger.KindVillage, "name", "村名", "name"},
		{ledger.KindVillage, "farmland", "耕地面积（亩）", "farmland (mu)"},
		{ledger.KindVillage, "id", "村代码", "village code"}, // validation names the id field
		{ledger.KindAdvisor, "id", "编号", "id"},
		{ledger.KindTraining, "poor_attendees", "其中贫困户", "of whom poor"},
		{ledger.KindAssignment, "from", "开始日期", "from"},
		{ledger.KindVillage, "no_such_field", "no_such_field", "no_such_field"},
		{"farm", "name", "name", "name"},
	}
	for _, tt := range tests {
		zh, en := ledger.Label(tt.kind, tt.field)
		if zh != tt.zh || en != tt.en {
			t.Errorf("Label(%s, %s) = %q, %q; want %q, %q", tt.kind, tt.field, zh, en, tt.zh, tt.en)
		}
	}
}

func TestEntityHelpers(t *testing.T) {
	if got := fullVillage.Township(); got != "370323102" {
		t.Errorf("Village.Township() = %s", got)
	}
	if got := fullTraining.Village(); got != "370323102201" {
		t.Errorf("Training.Village() = %s, want the first village", got)
	}
	if got := (ledger.Training{}).Village(); got != "" {
		t.Errorf("Training.Village() without villages = %q", got)
	}
	if fullVillage.RecordID() != "370323102201" || fullAdvisor.RecordID() != "A-017" {
		t.Error("RecordID does not return the id field")
	}

	a := ledger.Assignment{From: "2026-01-01", To: "2026-06-30"}
	open := ledger.Assignment{From: "2026-01-01"}
	tests := []struct {
		name string
		a    ledger.Assignment
		d    ledger.Date
		want bool
	}{
		{"before", a, "2025-12-31", false},
		{"first day", a, "2026-01-01", true},
		{"last day", a, "2026-06-30", true},
		{"after", a, "2026-07-01", false},
		{"open end runs on", open, "2030-01-01", true},
		{"deleted", ledger.Assignment{From: "2026-01-01", Deleted: true}, "2026-02-01", false},
	}
	for _, tt := range tests {
		if got := tt.a.ActiveOn(tt.d); got != tt.want {
			t.Errorf("%s: ActiveOn(%s) = %v, want %v", tt.name, tt.d, got, tt.want)
		}
	}
}
