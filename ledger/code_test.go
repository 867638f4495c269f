package ledger_test

import (
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"techaid/ledger"
)

func TestParseCode(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  ledger.Code
		level ledger.Level
	}{
		{"city", "3703", "3703", ledger.LevelCity},
		{"county", "370323", "370323", ledger.LevelCounty},
		{"township", "370323102", "370323102", ledger.LevelTownship},
		{"village", "370323102201", "370323102201", ledger.LevelVillage},
		{"spaces trimmed", "  370323102201 ", "370323102201", ledger.LevelVillage},
		{"tab and newline trimmed", "\t370323\n", "370323", ledger.LevelCounty},
		{"zeros inside", "370302001001", "370302001001", ledger.LevelVillage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ledger.ParseCode(tt.in)
			if err != nil {
				t.Fatalf("ParseCode(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseCode(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got.Level() != tt.level {
				t.Errorf("%q.Level() = %v, want %v", got, got.Level(), tt.level)
			}
			if !got.Valid() {
				t.Errorf("%q.Valid() = false", got)
			}
		})
	}
}

func TestParseCodeRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"only spaces", "   "},
		{"13 digits", "3703231022011"},
		{"11 digits", "37032310220"},
		{"3 digits", "370"},
		{"5 digits", "37032"},
		{"letters", "37032a102201"},
		{"all letters", "abcd"},
		{"space inside", "3703 23"},
		{"sign", "+370323"},
		{"full-width digits", "３７０３"}, // 12 bytes, so the length alone would pass
		{"no province", "000323102201"},
		{"no province, city", "0037"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ledger.ParseCode(tt.in)
			if err == nil {
				t.Fatalf("ParseCode(%q) = %q, want an error", tt.in, got)
			}
			if !errors.Is(err, ledger.ErrCode) {
				t.Errorf("ParseCode(%q) error %v does not wrap ErrCode", tt.in, err)
			}
			if got != "" {
				t.Errorf("ParseCode(%q) returned %q with its error", tt.in, got)
			}
			if c := ledger.Code(tt.in); c.Valid() || c.Level() != ledger.LevelInvalid {
				t.Errorf("Code(%q): Valid %v, Level %v; want false, invalid", tt.in, c.Valid(), c.Level())
			}
		})
	}
}

func TestCodeWithSpacesIsNotValid(t *testing.T) {
	// ParseCode trims, but a Code value must already be clean: a stray space would break prefix scope checks.
	c := ledger.Code(" 370323")
	if c.Valid() || c.Level() != ledger.LevelInvalid || c.Parent() != "" {
		t.Errorf("%q: Valid %v, Level %v, Parent %q; want false, invalid, \"\"", c, c.Valid(), c.Level(), c.Parent())
	}
}

func TestLevelString(t *testing.T) {
	tests := []struct {
		level ledger.Level
		want  string
	}{
		{ledger.LevelCity, "市"},
		{ledger.LevelCounty, "区县"},
		{ledger.LevelTownship, "乡镇"},
		{ledger.LevelVillage, "村"},
		{ledger.LevelInvalid, "无效"},
		{ledger.Level(99), "无效"},
	}
	for _, tt := range tests {
		if got := tt.level.String(); got != tt.want {
			t.Errorf("Level(%d).String() = %q, want %q", int(tt.level), got, tt.want)
		}
	}
}

func TestParentChain(t *testing.T) {
	want := []ledger.Code{"370323102201", "370323102", "370323", "3703", ""}
	c := want[0]
	for i, w := range want {
		if c != w {
			t.Fatalf("step %d: got %q, want %q", i, c, w)
		}
		c = c.Parent()
	}
	if got := ledger.Code("3703231022011").Parent(); got != "" {
		t.Errorf("Parent of a 13-digit code = %q, want \"\"", got)
	}
	if got := ledger.Code("").Parent(); got != "" {
		t.Errorf("Parent of \"\" = %q, want \"\"", got)
	}
}

func TestContains(t *testing.T) {
	tests := []struct {
		outer, inner ledger.Code
		want         bool
	}{
		{"3703", "370323102201", true},
		{"370323", "370323102201", true},
		{"370323102", "370323102201", true},
		{"370323102201", "370323102201", true}, // a code contains itself
		{"370323", "370323", true},
		{"370323", "370302001001", false}, // sibling county
		{"370323102", "370323103201", false},
		{"370323102201", "370323102", false}, // a child does not contain its parent
		{"3703", "3704", false},
		{"", "370323102201", false}, // empty contains nothing
		{"", "", false},
	}
	for _, tt := range tests {
		if got := tt.outer.Contains(tt.inner); got != tt.want {
			t.Errorf("Code(%q).Contains(%q) = %v, want %v", tt.outer, tt.inner, got, tt.want)
		}
	}
}

func TestTownshipAndCounty(t *testing.T) {
	tests := []struct {
		code             ledger.Code
		township, county ledger.Code
	}{
		{"370323102201", "370323102", "370323"},
		{"370323102", "370323102", "370323"},
		{"370323", "", "370323"},
		{"3703", "", ""},
	}
	for _, tt := range tests {
		if got := tt.code.Township(); got != tt.township {
			t.Errorf("Code(%q).Township() = %q, want %q", tt.code, got, tt.township)
		}
		if got := tt.code.County(); got != tt.county {
			t.Errorf("Code(%q).County() = %q, want %q", tt.code, got, tt.county)
		}
	}
}

func TestVillageType(t *testing.T) {
	tests := []struct {
		code ledger.Code
		want ledger.VillageType
		name string
	}{
		{"370323102000", ledger.VillageTypeUnknown, "未知"},
		{"370323102001", ledger.VillageTypeCommittee, "居委会"},
		{"370323102100", ledger.VillageTypeCommittee, "居委会"},
		{"370323102199", ledger.VillageTypeCommittee, "居委会"},
		{"370323102200", ledger.VillageTypeVillage, "村委会"},
		{"370323102201", ledger.VillageTypeVillage, "村委会"},
		{"370323102399", ledger.VillageTypeVillage, "村委会"},
		{"370323102400", ledger.VillageTypeLikeCommittee, "类似居委会"},
		{"370323102599", ledger.VillageTypeLikeCommittee, "类似居委会"},
		{"370323102600", ledger.VillageTypeUnknown, "未知"},
		{"370323102999", ledger.VillageTypeUnknown, "未知"},
		{"370323102", ledger.VillageTypeUnknown, "未知"},     // a township
		{"3703231022011", ledger.VillageTypeUnknown, "未知"}, // 13 digits
		{"37032310220a", ledger.VillageTypeUnknown, "未知"},
	}
	for _, tt := range tests {
		got := tt.code.VillageType()
		if got != tt.want {
			t.Errorf("Code(%q).VillageType() = %v, want %v", tt.code, got, tt.want)
		}
		if got.String() != tt.name {
			t.Errorf("Code(%q).VillageType().String() = %q, want %q", tt.code, got.String(), tt.name)
		}
	}
}

// TestRealDivisions checks the code rules against every village-level unit of 淄博市.
func TestRealDivisions(t *testing.T) {
	// The repository is cloned with shared/ beside it, in CI as here.
	path := filepath.Join("..", "..", "shared", "data", "zibo_divisions.csv")
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not found", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	header := []string{"county_code", "county", "township_code", "township", "village_code", "village"}
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		t.Fatalf("%s: header %v, want %v", path, rows[0], header)
	}
	rows = rows[1:]

	villages := 0
	seen := map[ledger.Code]bool{}
	for i, row := range rows {
		line := i + 2
		code, err := ledger.ParseCode(row[4])
		if err != nil {
			t.Errorf("line %d: %v", line, err)
			continue
		}
		if seen[code] {
			t.Errorf("line %d: %s listed twice", line, code)
		}
		seen[code] = true
		if code.Level() != ledger.LevelVillage {
			t.Errorf("line %d: %s has level %v, want village", line, code, code.Level())
		}
		if got := code.Parent(); got != ledger.Code(row[2]) {
			t.Errorf("line %d: %s.Parent() = %s, want township %s", line, code, got, row[2])
		}
		if got := code.Township(); got != ledger.Code(row[2]) {
			t.Errorf("line %d: %s.Township() = %s, want %s", line, code, got, row[2])
		}
		if got := code.County(); got != ledger.Code(row[0]) {
			t.Errorf("line %d: %s.County() = %s, want %s", line, code, got, row[0])
		}
		if !ledger.Code("3703").Contains(code) {
			t.Errorf("line %d: 3703 does not contain %s", line, code)
		}
		switch code.VillageType() {
		case ledger.VillageTypeVillage:
			villages++
		case ledger.VillageTypeUnknown:
			t.Errorf("line %d: %s has no village type", line, code)
		}
	}
	if len(rows) != 2931 {
		t.Errorf("%d rows, want 2931", len(rows))
	}
	if villages != 2540 {
		t.Errorf("%d 村委会 by code, want 2540", villages)
	}
}
