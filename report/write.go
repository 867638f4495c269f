package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes the tables as the sheets of one workbook, headings bold and frozen, columns sized to
// their text.
func WriteXLSX(w io.Writer, tables []Table) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return err
	}
	cells := make([]any, 0, 32)
	for i, t := range tables {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", t.Name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(t.Name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(t.Name) // streaming: 100k rows without a cell object each
		if err != nil {
			return err
		}
		widths := make([]float64, len(t.Columns))
		head := make([]any, len(t.Columns))
		for c, name := range t.Columns {
			head[c] = excelize.Cell{StyleID: bold, Value: name}
			widths[c] = textWidth(name)
		}
		for _, row := range t.Rows {
			for c, v := range row {
				if s, ok := v.(string); ok && c < len(widths) {
					widths[c] = max(widths[c], min(textWidth(s), 60))
				}
			}
		}
		for c, wd := range widths {
			if err := sw.SetColWidth(c+1, c+1, wd+2); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		for r, row := range t.Rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			cells = cells[:0]
			for _, v := range row {
				if p, ok := v.(Percent); ok {
					v = excelize.Cell{StyleID: pct, Value: float64(p)}
				}
				cells = append(cells, v)
			}
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("sheet %s: %w", t.Name, err)
		}
	}
	_, err = f.WriteTo(w)
	return err
}

// textWidth estimates a column width in Excel's units: a CJK character is about two.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r > 0x2e80 {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// WriteCSV writes one table as CSV with a UTF-8 byte-order mark.
func WriteCSV(w io.Writer, t Table) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Columns); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for c := range rec {
			rec[c] = ""
			if c < len(row) {
				rec[c] = csvText(row[c])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvText is a cell as CSV text: a percentage as Excel shows it.
func csvText(v any) string {
	switch v := v.(type) {
	case Percent:
		return strconv.FormatFloat(float64(v)*100, 'f', 2, 64) + "%"
	case string:
		return defuse(v)
	}
	return fmt.Sprint(v)
}

// defuse keeps a text that starts like a formula (=, +, -, @) from being run as one when the CSV is
// opened in Excel: a leading apostrophe makes it text there; imports drop it again.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
