package report

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"techaid/storage"
)

// TestNotASpreadsheet: files that are not tables are refused with a message that says what to do,
// before anything is matched.
func TestNotASpreadsheet(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 4096)
	for i := range noise {
		noise[i] = byte(rng.IntN(256))
	}
	var notXLSX bytes.Buffer
	zw := zip.NewWriter(&notXLSX)
	w, _ := zw.Create("readme.txt")
	w.Write([]byte("hello"))
	zw.Close()
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "文件是空的"},
		{"png", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), noise[:64]...), "不是 .xlsx 或 CSV"},
		{"noise", noise, "不是 .xlsx 或 CSV"},
		{"old xls", append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, noise[:64]...), "另存为"},
		{"zip but not a workbook", notXLSX.Bytes(), "不是 .xlsx 或 CSV"},
		{"truncated workbook", xlsxFile(t, [][]any{{"村"}, {"鲁村一村"}}, nil)[:300], "不是 .xlsx 或 CSV"},
		{"too large", bytes.Repeat([]byte("a,"), MaxFileBytes/2+1), "超过"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadSheets(c.name, bytes.NewReader(c.data))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
		})
	}
}

// TestMalformedSheets: tables that are wrong inside — no heading, wrong columns, only a heading, empty
// sheets, numbers and dates where names belong, a merge over the whole sheet, 100k rows — give an
// error for the file or for each row, never a panic, and the preview writes nothing.
func TestMalformedSheets(t *testing.T) {
	st := divisionStore(t, "3703")
	before := st.Stats(nil)
	many := func(n int, row func(i int) string) []byte {
		var b strings.Builder
		b.WriteString("区县,乡镇,村\n")
		for i := range n {
			b.WriteString(row(i))
			b.WriteString("\n")
		}
		return []byte(b.String())
	}
	cases := []struct {
		name     string
		data     []byte
		fileErr  string // the whole file refused with this, or
		rowsNone int    // so many rows not matched
	}{
		{"no heading", []byte("沂源县,鲁村镇,鲁村一村\n"), "找不到表头", 0},
		{"wrong columns", []byte("姓名,电话\n张三,138\n"), "找不到表头", 0},
		{"only a heading", []byte("区县,乡镇,村\n"), "没有数据行", 0},
		{"empty workbook", xlsxFile(t, nil, nil), "找不到表头", 0},
		{"empty sheet before the list", xlsxFile(t, nil, func(f *excelize.File) {
			f.NewSheet("名单")
			f.SetSheetRow("名单", "A1", &[]any{"乡镇", "村"})
			f.SetSheetRow("名单", "A2", &[]any{"鲁村镇", 12345})
			f.SetSheetRow("名单", "A3", &[]any{"鲁村镇", true})
			f.SetSheetRow("名单", "A4", &[]any{"鲁村镇", 45123.5})
		}), "", 3},
		{"ragged rows and blanks", []byte("区县,乡镇,村\n沂源县\n\n,,\n沂源县,鲁村镇,鲁村一村,多,余,的\n\"未闭合的引号,鲁村镇,x\n"), "", 2},
		{"merge over the sheet", rewriteZip(t, xlsxFile(t, [][]any{{"区县", "乡镇", "村", "备注"}, {"沂源县", "鲁村镇", "鲁村一村"}}, func(f *excelize.File) {
			f.MergeCell("Sheet1", "D1", "E1")
		}), "xl/worksheets/sheet1.xml", `ref="D1:E1"`, `ref="D1:Z1048576"`), "合并单元格过多", 0},
		{"100k rows of nonsense", many(100_000, func(i int) string { return fmt.Sprintf("某县%d,某镇,村%d", i%7, i) }), "", 100_000},
		{"too many rows", many(MaxRows+1, func(i int) string { return "a,b,c" }), "超过", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sheets, err := ReadSheets(c.name, bytes.NewReader(c.data))
			if err == nil {
				var plan KeyVillagePlan
				plan, err = PlanKeyVillages(st, sheets)
				if err == nil {
					if c.fileErr != "" {
						t.Fatalf("planned %d rows, want the file refused with %q", len(plan.Rows), c.fileErr)
					}
					if n := plan.Count(MatchNone); n != c.rowsNone || plan.Count(MatchExact)+plan.Count(MatchLoose) != len(plan.Rows)-n {
						t.Fatalf("%d rows not matched, want %d", n, c.rowsNone)
					}
					for _, r := range plan.Rows {
						if r.Match == MatchNone && r.How == "" {
							t.Fatalf("row %d not matched without a reason", r.Line)
						}
					}
					return
				}
			}
			if c.fileErr == "" || !strings.Contains(err.Error(), c.fileErr) {
				t.Fatalf("error %v, want %q", err, c.fileErr)
			}
		})
	}
	if after := st.Stats(nil); after != before {
		t.Fatalf("a preview wrote: %+v → %+v", before, after)
	}
}

var fuzzStore struct {
	once sync.Once
	st   *storage.Store
}

// FuzzImport feeds arbitrary bytes to the spreadsheet reader and both importers' planning: no panic,
// and every row of a plan is either applied or has a reason.
func FuzzImport(f *testing.F) {
	f.Add([]byte("区县,乡镇,村\n沂源县,鲁村镇,鲁村一村\n"))
	f.Add([]byte("姓名,性别,电话,专业组,专家服务团成员\n李红梅,女,13912345678,林果,是\n"))
	f.Add([]byte("\ufeff编号,姓名,性别\n01a227ce-784c-7322-86c9-db4f55f52314,张三,男\n"))
	f.Add(xlsxFile(f, [][]any{{"标题"}, {"县（区）", "乡镇（街道）", "村名", "村代码"}, {"沂源县", "鲁村", "鲁村二村", "370323102202"}}, func(x *excelize.File) {
		x.MergeCell("Sheet1", "A1", "D1")
	}))
	f.Add([]byte{0xd0, 0xcf, 0x11, 0xe0})
	f.Add([]byte("PK\x03\x04garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzStore.once.Do(func() {
			// One store for every input (the plans never write): opening one per input would be the
			// whole cost of the fuzzer. It lives until the fuzzing process ends.
			dir, err := os.MkdirTemp("", "techaid-fuzz-")
			if err == nil {
				fuzzStore.st, err = openDivisions(dir, "370323") // 沂源县
			}
			if err != nil {
				panic(err)
			}
		})
		sheets, err := ReadSheets("fuzz", bytes.NewReader(data))
		if err != nil {
			return
		}
		if plan, err := PlanKeyVillages(fuzzStore.st, sheets); err == nil {
			for _, r := range plan.Rows {
				if r.Match == MatchNone && r.How == "" {
					t.Fatalf("row %d not matched without a reason", r.Line)
				}
			}
		}
		if plan, err := PlanAdvisors(fuzzStore.st, sheets); err == nil {
			for _, r := range plan.Rows {
				if r.Action == AdvisorError && r.Problem == "" {
					t.Fatalf("row %d refused without a reason", r.Line)
				}
			}
		}
	})
}

// rewriteZip replaces old with new in one file of a zip (an .xlsx), as a hostile or broken program
// might have written it.
func rewriteZip(t testing.TB, data []byte, name, old, new string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			if !bytes.Contains(b, []byte(old)) {
				t.Fatalf("%s has no %s", name, old)
			}
			b = bytes.ReplaceAll(b, []byte(old), []byte(new))
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
