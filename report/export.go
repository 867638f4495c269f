package report

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"techaid/ledger"
)

// Exports are the tables an office can export, by the name techaid-cli and the app use.
var Exports = []string{"ledger", "targets", "monthly", "keyvillages", "advisors"}

// ExportTitles are their names for clerks.
var ExportTitles = map[string]string{
	"ledger":      "工作台账",
	"targets":     "年度目标完成情况",
	"monthly":     "月度调度",
	"keyvillages": "省定重点村名单",
	"advisors":    "科技指导人员名册",
}

// Spec says which export to build.
type Spec struct {
	Name    string      // one of Exports
	Year    int         // 0: this year
	Month   int         // monthly only; 0: this month (of this year) or December (of a past year)
	Under   ledger.Code // "" or the city for everything the store holds
	MinDays int         // monthly only; 0: DefaultMinDays
	// Progress, if not nil, is told how far the reading has gone (the work ledger reads every
	// training of the year; the other tables are quick).
	Progress func(done, total int)
}

// Build makes the tables of an export from the store, every row in memory (Export writes a file
// without holding them).
func Build(st Store, s Spec) ([]Table, error) {
	tables, err := build(st, s)
	if err != nil {
		return nil, err
	}
	var out []Table
	for _, t := range tables {
		ts, err := t.Expand()
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}

// Export builds an export and writes it to path (see WriteFile), the work ledger streamed from the
// store as it is written. It returns the files written and the rows of the first table.
func Export(st Store, s Spec, path string) (files []string, rows int, err error) {
	tables, err := build(st, s)
	if err != nil {
		return nil, 0, err
	}
	first := tables[0]
	if first.Stream != nil {
		stream := first.Stream
		tables[0].Stream = func(yield func(row []any) error) error {
			return stream(func(row []any) error { rows++; return yield(row) })
		}
	} else {
		rows = len(first.Rows)
	}
	files, err = WriteFile(path, tables)
	return files, rows, err
}

// build makes the tables of an export, the work ledger streamed.
func build(st Store, s Spec) ([]Table, error) {
	today := st.Clock().Today()
	if s.Year == 0 {
		s.Year = today.Year()
	}
	if s.Under != "" && !s.Under.Valid() {
		return nil, fmt.Errorf("「%s」不是区划代码 (not a division code)", s.Under)
	}
	switch s.Name {
	case "ledger":
		return []Table{LedgerStream(st, s.Year, s.Under, s.Progress)}, nil
	case "targets":
		t, err := Targets(st, s.Year, s.Under, yearEnd(st, s.Year))
		return []Table{t}, err
	case "monthly":
		if s.Month == 0 {
			s.Month = 12
			if s.Year == today.Year() {
				s.Month = int(today.Month())
			}
		}
		if s.MinDays == 0 {
			s.MinDays = DefaultMinDays
		}
		return Monthly(st, s.Year, s.Month, s.Under, s.MinDays)
	case "keyvillages":
		return []Table{KeyVillages(st, s.Under)}, nil
	case "advisors":
		return []Table{Roster(st)}, nil
	}
	return nil, fmt.Errorf("没有「%s」这种导出，可选：%s (unknown export)", s.Name, strings.Join(Exports, "、"))
}

// WriteFile writes tables to path: an .xlsx gets every table as a sheet; a .csv gets the first, and
// each other goes to a file beside it named after its sheet (台账.csv, 台账-按村.csv). It returns the
// files written, as absolute paths, so that the clerk is told where they went. A file is written whole
// under a temporary name and then renamed, so a failed export never leaves half a file where the last
// good one was. The files are private to the user who exported them (0600; on Windows the folder's
// permissions decide): they hold names and phone numbers, and an office PC is shared.
func WriteFile(path string, tables []Table) ([]string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".xlsx" && ext != ".csv" {
		return nil, fmt.Errorf("导出文件应以 .xlsx 或 .csv 结尾：%s (use .xlsx or .csv)", path)
	}
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	write := func(path string, fn func(f *os.File) error) error {
		f, err := os.CreateTemp(filepath.Dir(path), ".techaid-export-*")
		if err != nil {
			return err
		}
		defer os.Remove(f.Name())
		if err := fn(f); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return err
		}
		return os.Rename(f.Name(), path) // CreateTemp made it 0600

	}
	var files []string
	if ext == ".xlsx" {
		if err := write(path, func(f *os.File) error { return WriteXLSX(f, tables) }); err != nil {
			return nil, err
		}
		return []string{path}, nil
	}
	for i := 0; i < len(tables); i++ {
		t := tables[i]
		p := path
		if i > 0 {
			p = strings.TrimSuffix(path, filepath.Ext(path)) + "-" + t.Name + ".csv"
		}
		if err := write(p, func(f *os.File) error { return WriteCSV(f, t) }); err != nil {
			return files, err
		}
		files = append(files, p)
		if t.Stream != nil && t.More != nil {
			more, err := t.More()
			if err != nil {
				return files, err
			}
			tables = slices.Insert(tables, i+1, more...)
		}
	}
	return files, nil
}

// ReadFile reads a spreadsheet file for import.
func ReadFile(path string) ([]Sheet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadSheets(filepath.Base(path), f)
}
