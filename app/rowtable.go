package app

import (
	"image/color"
	"reflect"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// rowTable is a table of records as a clerk expects one: a click selects the whole row (Fyne's table
// selects one cell), the columns share the window's width as it changes and keep the proportions the
// clerk gave them by dragging a header's edge (Fyne's own drag), ↑ ↓ PageUp PageDown Home End move the
// selection, and Enter or a double click opens the selected record. Its cells are labels.
type rowTable struct {
	widget.Table
	cols     []rowColumn
	rows     func() int
	text     func(row, col int) string
	selected int                       // the selected row, -1 if none
	onSelect func(row int, byKey bool) // the selection moved to row: a click (or Select), or a key
	onOpen   func(row int)             // a double click, or Enter on the selection
	// tapFocuses puts the keyboard in the table on a click, for lists whose click shows the record
	// (villages, advisors): ↑ ↓ then move on from it. Lists whose click opens the record for typing
	// (the trainings) leave the keyboard where onSelect put it.
	tapFocuses bool
	onTap      func()    // during Tapped: told once onSelect has run
	width      float32   // the width the columns were last fitted to
	least      []float32 // each column's title in full: no narrower when the window narrows
	share      []float32 // each column's width in proportion, before least
	applied    []float32 // the widths set last (another is a drag on a header's edge)
}

// rowColumn is a column's title and its width at the window's default size (a share of the width).
type rowColumn struct {
	title string
	width float32
}

func newRowTable(cols []rowColumn, rows func() int, text func(row, col int) string) *rowTable {
	t := &rowTable{cols: cols, rows: rows, text: text, selected: -1}
	t.Length = func() (int, int) { return t.rows(), len(t.cols) }
	t.CreateCell = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return container.NewStack(canvas.NewRectangle(color.Transparent), l)
	}
	t.UpdateCell = t.updateCell
	t.ShowHeaderRow = true
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject {
		h := heading("")
		h.Truncation = fyne.TextTruncateEllipsis // a narrowed column's title does not run into the next
		return h
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 && id.Col < len(t.cols) {
			o.(*widget.Label).SetText(t.cols[id.Col].title)
		}
	}
	// Fyne selects a cell: the row takes the selection, the cell's own highlight is dropped.
	t.OnSelected = func(id widget.TableCellID) {
		t.Table.UnselectAll()
		t.selectRow(id.Row, false)
	}
	t.ExtendBaseWidget(t)
	for i, c := range cols {
		t.SetColumnWidth(i, c.width)
		// (a hair over: a label exactly as wide as its text may round below it and lose two characters to "…")
		t.least = append(t.least, heading(c.title).MinSize().Width+theme.Padding())
		t.share = append(t.share, c.width)
		t.applied = append(t.applied, c.width)
	}
	return t
}

func (t *rowTable) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	box := o.(*fyne.Container)
	bg := box.Objects[0].(*canvas.Rectangle)
	var want color.Color = color.Transparent
	if id.Row == t.selected {
		want = theme.Color(theme.ColorNameSelection)
	}
	if bg.FillColor != want {
		bg.FillColor = want
		bg.Refresh()
	}
	if id.Row < t.rows() && id.Col < len(t.cols) {
		box.Objects[1].(*widget.Label).SetText(t.text(id.Row, id.Col))
	}
}

// selectRow moves the selection to row (clamped to the rows there are) and tells onSelect.
func (t *rowTable) selectRow(row int, byKey bool) {
	n := t.rows()
	if n == 0 {
		return
	}
	row = max(0, min(row, n-1))
	t.selected = row
	t.Table.ScrollTo(widget.TableCellID{Row: row, Col: 0})
	t.Table.Refresh()
	if t.onSelect != nil {
		t.onSelect(row, byKey)
	}
	if t.onTap != nil {
		t.onTap()
	}
}

// follow moves the selection to row without telling onSelect (the rows were read again and the selected
// record is now at row), or clears it when row is -1.
func (t *rowTable) follow(row int) {
	if row < 0 || row >= t.rows() {
		t.ClearSelection()
		return
	}
	t.selected = row
}

// Selected is the selected row, -1 if none.
func (t *rowTable) Selected() int { return t.selected }

// ClearSelection unselects the row (the rows were read again: the index no longer names the record).
func (t *rowTable) ClearSelection() {
	if t.selected >= 0 {
		t.selected = -1
		t.Table.Refresh()
	}
}

// Tapped selects the row under the pointer (onSelect) and, with tapFocuses, takes the keyboard; without,
// the keyboard stays where onSelect put it (the form it opened the record in). Fyne's Table focuses
// itself after a tap only on some drivers: it asks for the canvas of the embedded Table, which the
// desktop driver's canvas does not hold (it holds the rowTable), so there nothing was focused and ↑ ↓
// went nowhere, while the test driver focused the table, over the form.
func (t *rowTable) Tapped(e *fyne.PointEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(t)
	var after fyne.Focusable // what has the keyboard once onSelect has run
	t.onTap = func() {
		if c != nil {
			after = c.Focused()
		}
	}
	t.Table.Tapped(e)
	t.onTap = nil
	switch {
	case c == nil:
	case t.tapFocuses:
		c.Focus(t)
	case after != nil && after != c.Focused():
		c.Focus(after)
	}
}

// DoubleTapped selects the row under the pointer and opens it.
func (t *rowTable) DoubleTapped(e *fyne.PointEvent) {
	t.Table.Tapped(e) // selects the row under e (OnSelected)
	t.open()
}

func (t *rowTable) open() {
	if t.selected >= 0 && t.selected < t.rows() && t.onOpen != nil {
		t.onOpen(t.selected)
	}
}

// TypedKey moves the selection by rows, opens it on Enter; other keys are the table's.
func (t *rowTable) TypedKey(e *fyne.KeyEvent) {
	page := max(1, int(t.Size().Height/(theme.TextSize()*2.4))-2) // about the rows in view
	switch e.Name {
	case fyne.KeyDown:
		t.selectRow(t.selected+1, true)
	case fyne.KeyUp:
		if t.selected < 0 {
			t.selectRow(0, true)
		} else {
			t.selectRow(t.selected-1, true)
		}
	case fyne.KeyPageDown:
		t.selectRow(t.selected+page, true)
	case fyne.KeyPageUp:
		t.selectRow(t.selected-page, true)
	case fyne.KeyHome:
		t.selectRow(0, true)
	case fyne.KeyEnd:
		t.selectRow(t.rows()-1, true)
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace:
		if t.selected < 0 {
			t.selectRow(0, true)
		}
		t.open()
	default:
		t.Table.TypedKey(e)
	}
}

// Resize fits the columns to the new width, keeping their proportions: the window's default width gives
// the widths the table was made with, a wider window widens every column, a narrower one narrows them
// (down to half their first width, never below their title's, then the table scrolls), and a column
// the clerk dragged wider keeps its share.
func (t *rowTable) Resize(size fyne.Size) {
	t.Table.Resize(size)
	if size.Width == t.width || size.Width <= 0 {
		return
	}
	t.width = size.Width
	t.fitColumns(size.Width)
}

func (t *rowTable) fitColumns(width float32) {
	pad := theme.Padding()
	avail := width - pad*float32(len(t.cols)+1) - theme.ScrollBarSize()
	var sum float32
	current := make([]float32, len(t.cols))
	for i, c := range t.cols {
		// A width other than the one set last is the clerk's drag: it becomes the column's share.
		if current[i] = t.columnWidth(i, c.width); current[i] != t.applied[i] {
			t.share[i] = current[i]
		}
		sum += t.share[i]
	}
	if avail <= 0 || sum <= 0 {
		return
	}
	scale := avail / sum
	for i, c := range t.cols {
		t.share[i] *= scale
		t.applied[i] = max(t.share[i], c.width/2, t.least[i])
		if t.applied[i] != current[i] { // each SetColumnWidth redraws the whole table
			t.SetColumnWidth(i, t.applied[i])
		}
	}
}

// columnWidth is a column's width as it is now, after a drag on a header's edge, else def. Fyne keeps
// the widths in the table's unexported columnWidths and tells nobody of a drag; reflection reads it
// (TestRowTable fails if a Fyne version renames it).
func (t *rowTable) columnWidth(col int, def float32) float32 {
	m := reflect.ValueOf(&t.Table).Elem().FieldByName("columnWidths")
	if !m.IsValid() || m.Kind() != reflect.Map || m.IsNil() {
		return def
	}
	if v := m.MapIndex(reflect.ValueOf(col)); v.IsValid() {
		return float32(v.Float())
	}
	return def
}
