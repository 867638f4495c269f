package report

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"techaid/ledger"
	"techaid/query"
)

// TestLibreOffice: every export, written as .xlsx, opens in LibreOffice (headless), and each sheet it
// reads back holds, cell for cell, the values the tables were built with from the store (which the
// other tests check against the store's own figures): numbers as numbers, percentages as Excel shows
// them, Chinese text intact. CI installs LibreOffice (scripts/setup.sh); elsewhere the test skips
// without it.
func TestLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("soffice not found: scripts/setup.sh installs libreoffice-calc-nogui for the tests")
		}
		t.Skip("soffice not installed (apt install libreoffice-calc-nogui)")
	}
	st := seeded(t)
	villages, _ := st.Villages(query.Villages{}, nil)
	for i, a := range st.Advisors(query.Advisors{}, nil)[:8] {
		if _, err := st.Create(context.Background(), ledger.Assignment{Advisor: a.ID, Village: villages[i*3].Code, From: "2026-01-01"}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	want := map[string]Table{} // LibreOffice's file name → the table it should hold
	var files []string
	for _, name := range Exports {
		tables, err := Build(st, Spec{Name: name, Year: 2026, Month: 5})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name+".xlsx")
		if _, err := WriteFile(path, tables); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
		for _, tb := range tables {
			want[name+"-"+tb.Name+".csv"] = tb
		}
	}
	out := filepath.Join(dir, "lo")
	// Every sheet to its own CSV file (the last option, -1), UTF-8 (76), comma and double quote, cells
	// as shown (true): LibreOffice 7.2 and later.
	args := append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless", "--convert-to",
		"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1", "--outdir", out}, files...)
	cmd := exec.Command(soffice, args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	for file, tb := range want {
		f, err := os.Open(filepath.Join(out, file))
		if err != nil {
			entries, _ := os.ReadDir(out)
			t.Fatalf("%v (LibreOffice wrote %v)", err, entries)
		}
		got, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		rows := append([][]any{toAny(tb.Columns)}, tb.Rows...)
		if len(got) != len(rows) {
			t.Fatalf("%s: %d rows read back, want %d", file, len(got), len(rows))
		}
		for r, row := range rows {
			w := make([]string, len(row))
			for c, v := range row {
				w[c] = shown(v)
			}
			if g := trimRight(got[r]); strings.Join(g, "|") != strings.Join(trimRight(w), "|") {
				t.Fatalf("%s row %d:\n got %q\nwant %q", file, r+1, g, trimRight(w))
			}
		}
		t.Logf("%s: %d rows match", file, len(rows))
	}
}

// shown is a cell as a spreadsheet shows it.
func shown(v any) string {
	switch v := v.(type) {
	case Percent:
		return fmt.Sprintf("%.2f%%", float64(v)*100)
	case int:
		return strconv.Itoa(v)
	}
	return fmt.Sprint(v)
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

func trimRight(s []string) []string {
	for len(s) > 0 && s[len(s)-1] == "" {
		s = s[:len(s)-1]
	}
	return s
}
