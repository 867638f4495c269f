package report

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Limits of a spreadsheet read for import. The bureau's lists have hundreds of rows; these only keep a
// hostile or mistaken file (a zip bomb, a database dump) from taking the PC's memory.
const (
	MaxFileBytes  = 64 << 20  // the file as given
	MaxUnzipBytes = 256 << 20 // an .xlsx unpacked
	MaxRows       = 200_000   // rows read from a sheet
	MaxColumns    = 64        // cells read from a row
	headerSearch  = 20        // the heading row is looked for among the first rows (titles come above it)
)

// ErrNotSpreadsheet is a file that is neither an .xlsx workbook nor a CSV text file.
var ErrNotSpreadsheet = errors.New("不是 .xlsx 或 CSV 表格文件 (not an .xlsx or CSV file)")

// Sheet is one spreadsheet as text: every row with its number in the file (from 1, as Excel shows it),
// merged cells filled with their value on every row and column they cover, as the eye reads them.
type Sheet struct {
	Name string
	Rows []Row
	// formula returns the formula of a cell that has one (xlsx only), to explain a cell that reads
	// empty: a formula the file holds no computed value for.
	formula func(line, col int) string
	// raw returns a cell's value as the file stores it (xlsx only): the day number of a date cell, which
	// its display format may have cut short (Mar-26).
	raw func(line, col int) string
}

// Row is one row of a sheet.
type Row struct {
	Line  int
	Cells []string
}

// Cell is the row's text in column c (0 for A), trimmed, without the apostrophe that keeps a text
// starting with = from being a formula; "" beyond the row's end.
func (r Row) Cell(c int) string {
	if c < 0 || c >= len(r.Cells) {
		return ""
	}
	s := strings.TrimSpace(r.Cells[c])
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
		s = s[1:]
	}
	return s
}

// ReadSheets reads a spreadsheet: an .xlsx workbook (every sheet) or a CSV file (UTF-8, with or without
// a BOM, or GB18030 as Excel on a Chinese Windows saves it). name is only used in messages. A file that
// is neither, or is too large, is an error; what is inside is not judged here.
func ReadSheets(name string, r io.Reader) ([]Sheet, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%s: 文件超过 %d MB，不像是名单 (file over %d MB)", name, MaxFileBytes>>20, MaxFileBytes>>20)
	}
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(name, data)
	case bytes.HasPrefix(data, []byte{0xd0, 0xcf, 0x11, 0xe0}):
		return nil, fmt.Errorf("%s: 这是旧的 .xls 格式，请在 Excel 或 WPS 中“另存为” .xlsx 或 CSV 后再导入 (old .xls format: save as .xlsx or CSV)", name)
	case len(data) == 0:
		return nil, fmt.Errorf("%s: 文件是空的 (empty file)", name)
	}
	text, err := decodeText(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s, err := readCSV(name, text)
	if err != nil {
		return nil, err
	}
	return []Sheet{s}, nil
}

// decodeText turns a CSV file's bytes into UTF-8: as is when they are UTF-8 (a BOM dropped), else as
// GB18030. Control bytes other than tabs and line ends mean a binary file, not a table.
func decodeText(data []byte) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		d, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return "", ErrNotSpreadsheet
		}
		data = d
	}
	head := data[:min(len(data), 64<<10)]
	for _, b := range head {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
			return "", ErrNotSpreadsheet
		}
	}
	return string(data), nil
}

func readCSV(name, text string) (Sheet, error) {
	s := Sheet{Name: name}
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1 // rows of any length; the importer says which cells are missing
	cr.LazyQuotes = true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return Sheet{}, fmt.Errorf("%s: 第 %d 行不是有效的 CSV (line %d: %v)", name, line, line, err)
		}
		if len(s.Rows) == MaxRows {
			return Sheet{}, fmt.Errorf("%s: 超过 %d 行，不像是名单 (more than %d rows)", name, MaxRows, MaxRows)
		}
		s.Rows = append(s.Rows, Row{Line: line, Cells: rec[:min(len(rec), MaxColumns)]})
	}
	return s, nil
}

func readXLSX(name string, data []byte) ([]Sheet, error) {
	// Every part is unpacked into memory (the XML limit equals the whole): excelize would otherwise spill
	// large sheets to temporary files, which only Close removes, and the workbook stays open below.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnzipBytes, UnzipXMLSizeLimit: MaxUnzipBytes})
	if err != nil {
		return nil, fmt.Errorf("%s: %w (%v)", name, ErrNotSpreadsheet, err)
	}
	// The workbook stays open for the formula lookups of error messages: it is only memory (no
	// temporary files, see the options), dropped with the sheets.
	var sheets []Sheet
	for _, sh := range f.GetSheetList() {
		s, err := readXLSXSheet(f, sh)
		if err != nil {
			return nil, fmt.Errorf("%s 工作表「%s」: %w", name, sh, err)
		}
		sheets = append(sheets, s)
	}
	if len(sheets) == 0 {
		return nil, fmt.Errorf("%s: %w (no sheets)", name, ErrNotSpreadsheet)
	}
	return sheets, nil
}

func readXLSXSheet(f *excelize.File, sheet string) (Sheet, error) {
	s := Sheet{Name: sheet}
	rows, err := f.Rows(sheet)
	if err != nil {
		return Sheet{}, err
	}
	defer rows.Close()
	line := 0
	for rows.Next() {
		line++
		cells, err := rows.Columns()
		if err != nil {
			return Sheet{}, fmt.Errorf("第 %d 行读不出 (row %d: %v)", line, line, err)
		}
		if len(s.Rows) == MaxRows {
			return Sheet{}, fmt.Errorf("超过 %d 行，不像是名单 (more than %d rows)", MaxRows, MaxRows)
		}
		if len(cells) > 0 {
			s.Rows = append(s.Rows, Row{Line: line, Cells: cells[:min(len(cells), MaxColumns)]})
		}
	}
	if err := rows.Error(); err != nil {
		return Sheet{}, err
	}
	if err := fillMerged(f, &s); err != nil {
		return Sheet{}, err
	}
	s.formula = func(line, col int) string {
		cell, err := excelize.CoordinatesToCellName(col+1, line)
		if err != nil {
			return ""
		}
		fm, _ := f.GetCellFormula(sheet, cell)
		return fm
	}
	s.raw = func(line, col int) string {
		cell, err := excelize.CoordinatesToCellName(col+1, line)
		if err != nil {
			return ""
		}
		v, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		return v
	}
	return s, nil
}

// fillMerged copies each merged range's value into every cell it covers: a county name merged down
// thirty rows belongs to each of them.
func fillMerged(f *excelize.File, s *Sheet) error {
	merged, err := f.GetMergeCells(s.Name)
	if err != nil || len(merged) == 0 {
		return err
	}
	byLine := map[int]int{}
	for i, r := range s.Rows {
		byLine[r.Line] = i
	}
	budget := 4 * MaxRows // cells a hostile file's merges may fill in all
	for _, m := range merged {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil || c1 > MaxColumns {
			continue
		}
		c2 = min(c2, MaxColumns)
		v := m.GetCellValue()
		for line := r1; line <= r2 && line-r1 < MaxRows; line++ {
			i, ok := byLine[line]
			if !ok {
				if v == "" {
					continue
				}
				s.Rows = append(s.Rows, Row{Line: line})
				i = len(s.Rows) - 1
				byLine[line] = i
			}
			row := &s.Rows[i]
			for len(row.Cells) < c2 {
				row.Cells = append(row.Cells, "")
			}
			for c := c1; c <= c2; c++ {
				if budget--; budget < 0 {
					return fmt.Errorf("合并单元格过多 (too many merged cells)")
				}
				if row.Cells[c-1] == "" {
					row.Cells[c-1] = v
				}
			}
		}
	}
	if len(s.Rows) > MaxRows {
		return fmt.Errorf("超过 %d 行，不像是名单 (more than %d rows)", MaxRows, MaxRows)
	}
	slices.SortFunc(s.Rows, func(a, b Row) int { return cmp.Compare(a.Line, b.Line) })
	return nil
}
