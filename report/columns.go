package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// column is one column an import reads: its key, the headings it goes by in the bureau's and the
// townships' sheets (the first is the one our exports write), and whether a sheet must have it.
type column struct {
	key      string
	names    []string
	required bool
}

// header is a sheet's heading row and the position of each column found in it.
type header struct {
	line int
	at   map[string]int
}

func (h header) has(key string) bool { _, ok := h.at[key]; return ok }

// cell is a row's value for a column, "" if the sheet has no such column.
func (h header) cell(r Row, key string) string {
	c, ok := h.at[key]
	if !ok {
		return ""
	}
	return r.Cell(c)
}

// findHeader looks for the heading row among the first rows of a sheet (a title, a date or a unit
// often comes above it): of the rows that name every required column, the one that names the most
// columns, the first of those. A heading matches a column when it is one of its names, or failing
// that contains one of two characters or more ("所在乡镇（街道）" is 乡镇).
func findHeader(s Sheet, cols []column) (header, error) {
	var found header
	best, bestFound := -1, 0
	for i, r := range s.Rows {
		if i == headerSearch {
			break
		}
		at := matchHeadings(r, cols)
		ok := true
		for _, c := range cols {
			if _, has := at[c.key]; c.required && !has {
				ok = false
			}
		}
		if ok && len(at) > len(found.at) {
			found = header{line: r.Line, at: at}
		}
		if len(at) > bestFound {
			best, bestFound = i, len(at)
		}
	}
	if found.at != nil {
		return found, nil
	}
	var want []string
	for _, c := range cols {
		if c.required {
			want = append(want, "「"+c.names[0]+"」")
		}
	}
	msg := fmt.Sprintf("找不到表头：前 %d 行中没有一行有 %s 列", headerSearch, strings.Join(want, ""))
	if best >= 0 {
		msg += fmt.Sprintf("（第 %d 行最接近）", s.Rows[best].Line)
	}
	return header{}, fmt.Errorf("%s (no heading row with the required columns)", msg)
}

func matchHeadings(r Row, cols []column) map[string]int {
	at := map[string]int{}
	taken := map[int]bool{}
	heads := make([]string, len(r.Cells))
	for i := range r.Cells {
		heads[i] = normHeading(r.Cell(i))
	}
	// Exact names first, then containment, longest name first, so that 村代码 is not taken for 村.
	for _, c := range cols {
		for i, h := range heads {
			if !taken[i] && h != "" && containsName(c.names, h) {
				at[c.key], taken[i] = i, true
				break
			}
		}
	}
	for _, c := range cols {
		if _, ok := at[c.key]; ok {
			continue
		}
		bestLen := 0
		for i, h := range heads {
			if taken[i] || h == "" {
				continue
			}
			for _, n := range c.names {
				if l := len(n); l > bestLen && utf8.RuneCountInString(n) >= 2 && strings.Contains(h, normHeading(n)) {
					at[c.key], bestLen = i, l
				}
			}
		}
		if bestLen > 0 {
			taken[at[c.key]] = true
		}
	}
	return at
}

func containsName(names []string, h string) bool {
	for _, n := range names {
		if normHeading(n) == h {
			return true
		}
	}
	return false
}

// normHeading drops what decorates a heading: spaces and line breaks, required-field stars, "（必填）",
// full-width forms.
func normHeading(s string) string {
	s = width.Fold.String(s)
	s = strings.NewReplacer("(必填)", "", "(选填)", "", "*", "", "＊", "").Replace(s)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
