package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
)

// The store is what the reports read.
var _ Store = (*storage.Store)(nil)

// seeded is a city store with the 40 sample villages of 高青县 and 沂源县, 20 advisors and 300
// trainings of 2026, the last of them deleted.
func seeded(t *testing.T) *storage.Store {
	t.Helper()
	f, err := os.Open("../../shared/data/zibo_sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	divs, err := ledger.ReadDivisions(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	wall := time.Date(2026, 11, 29, 10, 0, 0, 0, ledger.China)
	st, err := storage.Open(t.TempDir(), storage.Options{Wall: func() time.Time { return wall }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Init("3703", "王芳"); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	villages := ledger.SampleVillages(rng, divs)
	advisors := ledger.SampleAdvisors(rng, 20, storage.NewID)
	var codes []ledger.Code
	for _, v := range villages {
		codes = append(codes, v.Code)
	}
	var ids []string
	for _, a := range advisors {
		ids = append(ids, a.ID)
	}
	trainings := ledger.SampleTrainings(rng, 300, 2026, wall, codes, ids, storage.NewID)
	recs := append(append(ledger.Entities(villages), ledger.Entities(advisors)...), ledger.Entities(trainings)...)
	if _, err := st.Import(context.Background(), recs, nil); err != nil {
		t.Fatal(err)
	}
	// The rest of the programme: the registry, parks, platforms, and a year of needs, projects,
	// introductions, leaders and publicity among the key villages.
	var keys []ledger.Code
	for _, v := range villages {
		if v.Key {
			keys = append(keys, v.Code)
		}
	}
	prog := ledger.SampleProgrammeYear(rng, ledger.SampleSizes{Needs: 120, Projects: 14, Introductions: 12, Leaders: 20, Publicity: 9},
		2026, wall, keys, ids, trainings, storage.NewID)
	res, err := st.Import(context.Background(), prog.Entities(), nil)
	if err != nil || len(res.Rejected) > 0 {
		t.Fatalf("programme: %v %+v", err, res.Rejected)
	}
	if err := st.Delete(context.Background(), trainings[len(trainings)-1].ID); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestLedger: the work ledger has one row per live training of the year, in date order, and its sums
// agree with the store's own tallies (a separate computation): attendees and brochures in all, per
// advisor and per village.
func TestLedger(t *testing.T) {
	st := seeded(t)
	tables, err := Ledger(st, 2026, "3703", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 11 || tables[0].Name != SheetLedger || tables[1].Name != SheetAdvisors || tables[2].Name != SheetVillages ||
		tables[3].Name != SheetNeeds || tables[10].Name != SheetPlatforms {
		t.Fatalf("%d tables: %v", len(tables), tables[0].Name)
	}
	main := tables[0]
	n, err := st.CountTrainings(query.Trainings{From: "2026-01-01", To: "2026-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	if len(main.Rows) != n || n != 299 {
		t.Fatalf("%d ledger rows, %d live trainings in 2026 (want 299)", len(main.Rows), n)
	}
	p := st.Progress(2026, "", "2026-12-31", nil)
	date, att, bro := main.Col("日期"), main.Col("培训人次"), main.Col("资料份数")
	sumAtt, sumBro := 0, 0
	for i, row := range main.Rows {
		if row[0] != i+1 {
			t.Errorf("row %d numbered %v", i+1, row[0])
		}
		if i > 0 && row[date].(string) < main.Rows[i-1][date].(string) {
			t.Errorf("row %d (%s) before row %d (%s)", i+1, row[date], i, main.Rows[i-1][date])
		}
		sumAtt += row[att].(int)
		sumBro += row[bro].(int)
		if row[main.Col("村")] == "" || row[main.Col("乡镇")] == "" {
			t.Errorf("row %d names no village or township: %v", i+1, row)
		}
	}
	if sumAtt != p.Total.Attendees || sumBro != p.Total.Brochures {
		t.Errorf("ledger sums %d attendees, %d brochures; the tallies %d, %d", sumAtt, sumBro, p.Total.Attendees, p.Total.Brochures)
	}
	villageAtt, villageVisits := 0, 0
	for _, row := range tables[2].Rows {
		villageVisits += row[tables[2].Col("服务次数")].(int)
		villageAtt += row[tables[2].Col("培训人次")].(int)
	}
	if villageAtt != p.Total.Attendees || villageVisits != p.Total.Visits {
		t.Errorf("per village: %d attendees, %d visits; the tallies %d, %d", villageAtt, villageVisits, p.Total.Attendees, p.Total.Visits)
	}
	advTrainings := 0
	for _, row := range tables[1].Rows {
		name := row[0].(string)
		id := ""
		for _, a := range st.AdvisorsByName(name, 5) {
			if a.Name == name {
				id = a.ID
			}
		}
		days, err := st.ServiceDays(id, "2026-01-01", "2026-12-31")
		if err != nil || days != row[tables[1].Col("服务天数")].(int) {
			t.Errorf("%s: %v service days in the roll-up, %d in the store (%v)", name, row[4], days, err)
		}
		advTrainings += row[tables[1].Col("服务次数")].(int)
	}
	if advTrainings == 0 {
		t.Error("no advisor served")
	}
}

// TestWrite: the workbook has the three sheets with the same cells as the tables (read back by
// excelize), and the CSV starts with a UTF-8 byte-order mark and holds the same rows.
func TestWrite(t *testing.T) {
	st := seeded(t)
	tables, err := Ledger(st, 2026, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, tables); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != len(tables) || got[0] != SheetLedger || got[2] != SheetVillages {
		t.Fatalf("sheets %v", got)
	}
	for _, tb := range tables {
		rows, err := f.GetRows(tb.Name)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(tb.Rows)+1 {
			t.Fatalf("%s: %d rows in the workbook, %d in the table", tb.Name, len(rows)-1, len(tb.Rows))
		}
		for c, name := range tb.Columns {
			if rows[0][c] != name {
				t.Errorf("%s heading %d: %q, want %q", tb.Name, c, rows[0][c], name)
			}
		}
		for r, row := range tb.Rows {
			for c, v := range row {
				got := ""
				if c < len(rows[r+1]) {
					got = rows[r+1][c]
				}
				want := ""
				switch v := v.(type) {
				case int:
					want = strconv.Itoa(v)
				case string:
					want = v
				case float64:
					want = strconv.FormatFloat(v, 'f', -1, 64)
				}
				if got != want {
					t.Fatalf("%s row %d column %s: %q, want %q", tb.Name, r+1, tb.Columns[c], got, want)
				}
			}
		}
	}
	// Numbers are numbers in the workbook, so that the bureau can sum them.
	if typ, err := f.GetCellType(SheetLedger, "J2"); err != nil || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("培训人次 is stored as %v (%v), want a number", typ, err)
	}

	var out bytes.Buffer
	if err := WriteCSV(&out, tables[0]); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out.Bytes(), []byte("\xef\xbb\xbf")) {
		t.Fatal("the CSV has no UTF-8 byte-order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(out.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(tables[0].Rows)+1 || recs[0][0] != "序号" || recs[1][6] != tables[0].Rows[0][6] {
		t.Errorf("CSV: %d records, first %v", len(recs), recs[:2])
	}
}

// TestExportStreamed: the work ledger streamed into a file (Export) is the same workbook, sheet for
// sheet and cell for cell, and the same CSV files, as the tables built in memory (Build) written out,
// whether its columns are measured on its first rows or on all of them.
func TestExportStreamed(t *testing.T) {
	st := seeded(t)
	spec := Spec{Name: "ledger", Year: 2026}
	tables, err := Build(st, spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, measured := range []int{1000, 7} {
		t.Run(strconv.Itoa(measured), func(t *testing.T) {
			defer func(w int) { widthRows = w }(widthRows)
			widthRows = measured
			dir := t.TempDir()
			for _, sub := range []string{"built", "streamed"} {
				if err := os.Mkdir(dir+"/"+sub, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			built, err := WriteFile(dir+"/built/台账.xlsx", tables)
			if err == nil {
				_, err = WriteFile(dir+"/built/台账.csv", tables)
			}
			if err != nil {
				t.Fatal(err)
			}
			files, rows, err := Export(st, spec, dir+"/streamed/台账.xlsx")
			if err != nil || rows != len(tables[0].Rows) {
				t.Fatalf("export: %d rows of %d, %v", rows, len(tables[0].Rows), err)
			}
			want, err := excelize.OpenFile(built[0])
			if err != nil {
				t.Fatal(err)
			}
			defer want.Close()
			got, err := excelize.OpenFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			defer got.Close()
			if g, w := got.GetSheetList(), want.GetSheetList(); !slices.Equal(g, w) {
				t.Fatalf("sheets %v, want %v", g, w)
			}
			for _, name := range want.GetSheetList() {
				w, _ := want.GetRows(name)
				g, _ := got.GetRows(name)
				if !slices.EqualFunc(g, w, slices.Equal) {
					t.Errorf("sheet %s differs: %d rows, want %d", name, len(g), len(w))
				}
				for c := range len(w[0]) {
					col, _ := excelize.ColumnNumberToName(c + 1)
					gw, _ := got.GetColWidth(name, col)
					ww, _ := want.GetColWidth(name, col)
					if name == SheetLedger && measured >= len(tables[0].Rows) && gw != ww {
						t.Errorf("sheet %s column %s: width %v, want %v", name, col, gw, ww)
					}
				}
			}
			csvs, _, err := Export(st, spec, dir+"/streamed/台账.csv")
			if err != nil {
				t.Fatal(err)
			}
			if len(csvs) != len(tables) {
				t.Fatalf("%d CSV files, want %d", len(csvs), len(tables))
			}
			for _, f := range csvs {
				g, err1 := os.ReadFile(f)
				w, err2 := os.ReadFile(strings.Replace(f, "/streamed/", "/built/", 1))
				if err1 != nil || err2 != nil || !bytes.Equal(g, w) {
					t.Errorf("%s differs from the built one (%v, %v)", f, err1, err2)
				}
			}
		})
	}
}
