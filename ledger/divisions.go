package ledger

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Division is one row of the NBS division list: a village-level unit with its township and county.
type Division struct {
	County       Code
	CountyName   string
	Township     Code
	TownshipName string
	Village      Code
	VillageName  string
}

// Record turns the division into a new village record (no programme data yet).
func (d Division) Record() Village {
	return Village{Code: d.Village, Name: d.VillageName, TownshipName: d.TownshipName, CountyName: d.CountyName}
}

// DivisionColumns are the columns of a division list, as in shared/data/zibo_divisions.csv.
var DivisionColumns = []string{"county_code", "county", "township_code", "township", "village_code", "village"}

// LineError names the line of an input file that is wrong, and why.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ReadDivisions reads a division list (UTF-8 CSV, a BOM allowed, header row required, columns in any
// order). It reads everything or nothing: the first bad line is returned as a *LineError naming it.
// Codes must be consistent: a village's code must start with its township's, the township's with the
// county's.
func ReadDivisions(r io.Reader) ([]Division, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &LineError{Line: 1, Err: errors.New("the file is empty")}
	}
	if err != nil {
		return nil, &LineError{Line: 1, Err: err}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, c := range DivisionColumns {
		if _, ok := col[c]; !ok {
			return nil, &LineError{Line: 1, Err: fmt.Errorf("missing column %q (want %s)", c, strings.Join(DivisionColumns, ","))}
		}
	}
	var out []Division
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &LineError{Line: pe.StartLine, Err: pe.Err} // where the bad record begins
			}
			return nil, &LineError{Line: line, Err: err}
		}
		get := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if len(rec) != len(header) { // an extra column is an unquoted comma that cut a name short
			return nil, &LineError{Line: line, Err: fmt.Errorf("%d columns, want %d", len(rec), len(header))}
		}
		d := Division{CountyName: get("county"), TownshipName: get("township"), VillageName: get("village")}
		for _, c := range []struct {
			dst   *Code
			name  string
			level Level
		}{{&d.County, "county_code", LevelCounty}, {&d.Township, "township_code", LevelTownship}, {&d.Village, "village_code", LevelVillage}} {
			code, err := ParseCode(get(c.name))
			if err != nil || code.Level() != c.level {
				return nil, &LineError{Line: line, Err: fmt.Errorf("%s %q is not a %d-digit %s code", c.name, get(c.name),
					map[Level]int{LevelCounty: 6, LevelTownship: 9, LevelVillage: 12}[c.level], c.level)}
			}
			*c.dst = code
		}
		if d.Village.Township() != d.Township || d.Township.County() != d.County {
			return nil, &LineError{Line: line, Err: fmt.Errorf("village %s does not lie in township %s of county %s", d.Village, d.Township, d.County)}
		}
		if d.VillageName == "" {
			return nil, &LineError{Line: line, Err: fmt.Errorf("village %s has no name", d.Village)}
		}
		out = append(out, d)
	}
	return out, nil
}
