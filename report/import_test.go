package report

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
)

var testWall = time.Date(2026, 11, 29, 10, 0, 0, 0, ledger.China)

// divisionStore is a store of scope with every village of 淄博市 inside it, from the NBS list, and no
// key villages.
func divisionStore(t testing.TB, scope ledger.Code) *storage.Store {
	t.Helper()
	st, err := openDivisions(t.TempDir(), scope)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func openDivisions(dir string, scope ledger.Code) (*storage.Store, error) {
	f, err := os.Open("../../shared/data/zibo_divisions.csv")
	if err != nil {
		return nil, err
	}
	divs, err := ledger.ReadDivisions(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	st, err := storage.Open(dir, storage.Options{Wall: func() time.Time { return testWall }})
	if err != nil {
		return nil, err
	}
	if err := st.Init(scope, "王芳"); err != nil {
		st.Close()
		return nil, err
	}
	var recs []ledger.Entity
	for _, d := range divs {
		if scope.Contains(d.Village) {
			recs = append(recs, d.Record())
		}
	}
	if _, err := st.Import(context.Background(), recs, nil); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// xlsxFile builds a workbook from rows (nil cells left empty) and applies extra to it.
func xlsxFile(t testing.TB, rows [][]any, extra func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for r, row := range rows {
		for c, v := range row {
			if v == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if extra != nil {
		extra(f)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readBytes(t testing.TB, name string, data []byte) []Sheet {
	t.Helper()
	s, err := ReadSheets(name, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestKeyVillageList: the bureau's list as it comes — a title merged over the columns, a heading with
// its own words, the county merged down its rows, names with and without 村委会, a township without
// 镇, renamed and merged villages, a duplicate, a formula nobody computed — is matched row by row, the
// preview writes nothing, and applying marks exactly the matched villages.
func TestKeyVillageList(t *testing.T) {
	st := divisionStore(t, "3703")
	rows := [][]any{
		{"2026年省定扶贫工作重点村名单"},
		{nil},
		{"序号", "县（区）", "乡镇（街道）", "村名", "备注"},
		{1, "沂源县", "鲁村镇", "鲁村一村村委会"},                    // 4: exact, full name
		{2, nil, "鲁村", "鲁村二村"},                          // 5: loose: 镇 and 村委会 dropped
		{3, nil, "鲁村镇", "李家庄"},                          // 6: loose: 李家庄村村委会
		{4, nil, "鲁村镇", "王家平村"},                         // 7: loose: one character off (王家坪)
		{5, nil, "鲁村镇", "鲁村村"},                          // 8: none: 鲁村一村 … 鲁村五村 (merged?)
		{6, nil, "鲁村镇", "鲁村一村"},                         // 9: none: the same village as row 4
		{7, "淄川区", nil, "聂村"},                           // 10: none: 昆仑镇 and 罗村镇 both have one
		{8, "淄川区", "昆仑镇", "聂村"},                         // 11: loose
		{9, "沂源县", "不存在镇", "某村"},                        // 12: none: no such township
		{10, "沂源县", "鲁村镇", nil, "=CONCAT(\"鲁\",\"村\")"}, // 13: none: formula, no value
	}
	data := xlsxFile(t, rows, func(f *excelize.File) {
		f.MergeCell("Sheet1", "A1", "E1")
		f.MergeCell("Sheet1", "B4", "B9") // 沂源县 down its rows, as the bureau's sheets do
		f.SetCellFormula("Sheet1", "D13", `CONCAT("鲁","村")`)
	})
	before := st.Stats(nil)
	plan, err := PlanKeyVillages(st, readBytes(t, "重点村.xlsx", data))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]struct {
		m    Match
		code ledger.Code
		how  string
	}{
		4:  {MatchExact, "370323102201", ""},
		5:  {MatchLoose, "370323102202", "只差"},
		6:  {MatchLoose, "370323102228", "只差"},
		7:  {MatchLoose, "370323102211", "相差一个字"},
		8:  {MatchNone, "", "相近的有：鲁村一村村委会"},
		9:  {MatchNone, "", "与第 4 行是同一个村"},
		10: {MatchNone, "", "有 2 个同名的村"},
		11: {MatchLoose, "370302102204", "只差"},
		12: {MatchNone, "", "没有「沂源县不存在镇」"},
		13: {MatchNone, "", "公式"},
	}
	if len(plan.Rows) != len(want) {
		for _, r := range plan.Rows {
			t.Logf("row %d: %s %s %s", r.Line, r.Match, r.Village.Code, r.How)
		}
		t.Fatalf("%d rows in the plan, want %d", len(plan.Rows), len(want))
	}
	for _, r := range plan.Rows {
		w, ok := want[r.Line]
		if !ok {
			t.Errorf("row %d in the plan, not expected", r.Line)
			continue
		}
		if r.Match != w.m || w.code != "" && r.Village.Code != w.code || !strings.Contains(r.How, w.how) {
			t.Errorf("row %d (%s): %s %s %q, want %s %s and %q", r.Line, r.Input, r.Match, r.Village.Code, r.How, w.m, w.code, w.how)
		}
	}
	if after := st.Stats(nil); after != before {
		t.Fatalf("the preview wrote: %+v → %+v", before, after)
	}
	// Between the preview and the button, sync brings a correction of one of the villages: applying
	// sets the flag and leaves the correction alone.
	if err := st.SetFields(context.Background(), ledger.KindVillage, "370323102202", map[string]string{"name": "鲁村二村村民委员会"}); err != nil {
		t.Fatal(err)
	}
	res, err := plan.Apply(context.Background(), st, nil)
	if err != nil || res.Updated != 5 || len(res.Rejected) != 0 {
		t.Fatalf("apply: %+v %v, want 5 villages updated", res, err)
	}
	if v, _ := st.Village("370323102202"); v.Name != "鲁村二村村民委员会" || !v.Key {
		t.Fatalf("鲁村二村 after applying: %+v", v)
	}
	keys, n := st.Villages(query.Villages{KeyOnly: true}, nil)
	if n != 5 {
		t.Fatalf("%d key villages after applying, want 5: %v", n, keys)
	}
	// Applied again, the same list changes nothing.
	plan, err = PlanKeyVillages(st, readBytes(t, "重点村.xlsx", data))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := plan.Apply(context.Background(), st, nil); err != nil || res.Updated+res.Created != 0 {
		t.Fatalf("second apply: %+v %v, want nothing written", res, err)
	}
}

// TestKeyVillageScope: a township office reads the city's list: rows of other townships are skipped,
// not errors; its own are matched.
func TestKeyVillageScope(t *testing.T) {
	st := divisionStore(t, "370323102") // 鲁村镇
	csv := "区县,乡镇,村\n沂源县,鲁村镇,鲁村三村\n淄川区,昆仑镇,聂村\n沂源县,南麻街道,红花峪村\n"
	plan, err := PlanKeyVillages(st, readBytes(t, "list.csv", []byte(csv)))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Rows) != 1 || plan.Rows[0].Village.Code != "370323102203" || plan.Skipped != 2 {
		t.Fatalf("plan %+v, want 鲁村三村 matched and two rows skipped", plan)
	}
}

// TestAdvisorRoster: a roster saved by Excel on a Chinese Windows (CSV in GB18030) with its own
// headings: new advisors, an update found by name, phone numbers Excel turned into numbers, and rows
// that are wrong, each with its reason. Only the good rows are written.
func TestAdvisorRoster(t *testing.T) {
	st := divisionStore(t, "3703")
	ctx := context.Background()
	old := ledger.Advisor{Name: "孙立新", Gender: "男", Phone: "13800000001", Employer: "沂源县农业农村局", Group: "林果",
		Expert: true, Status: ledger.StatusActive}
	id, err := st.Create(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	old.ID = id
	text := strings.Join([]string{
		"科技指导人员名单,,,,,,,",
		"姓名,性别,联系电话,工作单位,职称,专业,专业组,是否专家",
		"李红梅,女,13912345678,淄博市农业科学研究院,研究员,果树栽培,林果组,是", // 3: new
		"孙立新,,13800000009,,高级农艺师,,,否",                 // 4: update: phone, title, no longer an expert
		"赵刚,男,1.3512345678E+10,高青县农业农村局,农艺师,蔬菜,蔬菜,否",  // 5: new, phone recovered
		"钱伟,男,1.35123E+10,高青县农业农村局,农艺师,蔬菜,蔬菜,否",       // 6: digits lost
		"周静,女,13700000000,某单位,,,花卉,否",                 // 7: no such group
		"吴强,未知,13700000001,某单位,,,粮食,否",                // 8: gender
		",男,13700000002,某单位,,,粮食,否",                   // 9: no name
		"李红梅,女,13912345678,淄博市农业科学研究院,研究员,果树栽培,林果,是",  // 10: row 3 again
		"郑明,男,12345,某单位,,,粮食,否",                       // 11: phone
		"王五,男,13700000003,某单位,,,粮食,也许",                // 12: expert
	}, "\r\n")
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := PlanAdvisors(st, readBytes(t, "名册.csv", []byte(gb)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]struct {
		a    AdvisorAction
		text string
	}{
		3: {AdvisorNew, ""}, 4: {AdvisorUpdate, "「电话」13800000001 → 13800000009"}, 5: {AdvisorNew, ""},
		6: {AdvisorError, "科学计数法"}, 7: {AdvisorError, "专业组"}, 8: {AdvisorError, "性别"}, 9: {AdvisorError, "姓名为空"},
		10: {AdvisorError, "与第 3 行是同一个人"}, 11: {AdvisorError, "电话"}, 12: {AdvisorError, "专家服务团成员"},
	}
	if len(plan.Rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(plan.Rows), len(want), plan.Rows)
	}
	for _, r := range plan.Rows {
		w := want[r.Line]
		got := r.Problem + strings.Join(r.Changes, "，")
		if r.Action != w.a || !strings.Contains(got, w.text) {
			t.Errorf("row %d %s: %s %q, want %s %q", r.Line, r.Name, r.Action, got, w.a, w.text)
		}
	}
	if n := len(st.Advisors(query.Advisors{}, nil)); n != 1 {
		t.Fatalf("the preview wrote: %d advisors", n)
	}
	res, err := plan.Apply(ctx, st, nil)
	if err != nil || res.Created != 2 || res.Updated != 1 || len(res.Rejected) != 0 {
		t.Fatalf("apply: %+v %v, want 2 created, 1 updated", res, err)
	}
	got, err := st.Advisor(id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Phone != "13800000009" || got.Title != "高级农艺师" || got.Expert || got.Employer != old.Employer {
		t.Fatalf("孙立新 after the import: %+v", got)
	}
	all := st.Advisors(query.Advisors{Search: "赵刚"}, nil)
	if len(all) != 1 || all[0].Phone != "13512345678" || all[0].Group != "蔬菜" || all[0].Status != ledger.StatusActive {
		t.Fatalf("赵刚: %+v", all)
	}
}

// TestRoundTrip: the key-village list and the roster exported from one store (.xlsx and CSV) and
// imported into a new store give back the same records.
func TestRoundTrip(t *testing.T) {
	src := seeded(t)
	ctx := context.Background()
	// Give the villages years, so that they make the trip too.
	keys, _ := src.Villages(query.Villages{KeyOnly: true}, nil)
	if len(keys) == 0 {
		t.Fatal("the seeded store has no key villages")
	}
	for i, v := range keys {
		if i%2 == 0 {
			if err := src.SetFields(ctx, ledger.KindVillage, string(v.Code), map[string]string{"key_year": "2017"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, format := range []string{"xlsx", "csv"} {
		t.Run(format, func(t *testing.T) {
			dst := divisionStore(t, "3703")
			dir := t.TempDir()
			for _, name := range []string{"keyvillages", "advisors"} {
				tables, err := Build(src, Spec{Name: name})
				if err != nil {
					t.Fatal(err)
				}
				files, err := WriteFile(dir+"/"+name+"."+format, tables)
				if err != nil {
					t.Fatal(err)
				}
				sheets, err := ReadFile(files[0])
				if err != nil {
					t.Fatal(err)
				}
				switch name {
				case "keyvillages":
					plan, err := PlanKeyVillages(dst, sheets)
					if err != nil || plan.Count(MatchExact) != len(keys) {
						t.Fatalf("%v: %d exact of %d", err, plan.Count(MatchExact), len(keys))
					}
					if _, err := plan.Apply(ctx, dst, nil); err != nil {
						t.Fatal(err)
					}
				case "advisors":
					plan, err := PlanAdvisors(dst, sheets)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := plan.Apply(ctx, dst, nil); err != nil {
						t.Fatal(err)
					}
				}
			}
			got, _ := dst.Villages(query.Villages{KeyOnly: true}, nil)
			if len(got) != len(keys) {
				t.Fatalf("%d key villages back, want %d", len(got), len(keys))
			}
			for i := range got {
				if got[i].Code != keys[i].Code || got[i].KeyYear != keysYear(src, keys[i].Code) {
					t.Fatalf("key village %d: %+v, want %s (%d)", i, got[i], keys[i].Code, keysYear(src, keys[i].Code))
				}
			}
			want, back := src.Advisors(query.Advisors{}, nil), dst.Advisors(query.Advisors{}, nil)
			if len(want) != len(back) {
				t.Fatalf("%d advisors back, want %d", len(back), len(want))
			}
			for i := range want {
				a, b := want[i], back[i]
				a.Since, a.StatusDate = "", "" // not in the roster's columns
				if a != b {
					t.Fatalf("advisor %d:\n got %+v\nwant %+v", i, b, a)
				}
			}
		})
	}
}

func keysYear(st *storage.Store, code ledger.Code) int {
	v, _ := st.Village(code)
	return v.KeyYear
}
