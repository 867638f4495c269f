package app

import (
	"context"
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
)

// The trainings list as a table of records: a click selects the whole row (every cell of it drawn
// selected, no single cell) and opens it in the form; ↑ ↓ Home End move the selection and show each
// record in the form while the keyboard stays in the table; Enter and a double click open the selected
// record for typing; the columns follow the window's width and keep a width dragged on a header.
func TestRowTable(t *testing.T) {
	st := townStore(t, baseWall)
	ctx := context.Background()
	wang := mustVillage(t, st, "王村村委会")
	for i := range 5 {
		if _, err := st.Create(ctx, ledger.Training{Kind: ledger.TrainingCourse, Date: ledger.Date(fmt.Sprintf("2026-10-%02d", 10+i)),
			Villages: []ledger.Code{wang.Code}, Advisors: []string{advisorID(t, "李秀英")}, Topic: fmt.Sprintf("主题%d", i), Attendees: 10 + i}); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, st)
	tt := h.u.trainings
	table := tt.table
	h.eventually("the list shows five", func() bool { return len(tt.rows) == 5 })

	// A click on a cell of the third row.
	pos := cellCenter(t, table, 2, 4)
	test.TapAt(table, pos)
	if table.Selected() != 2 || tt.editing == nil || tt.editing.ID != tt.rows[2].t.ID {
		t.Fatalf("a click on row 2: selected %d, form %v", table.Selected(), tt.editing)
	}
	if h.focused() != fyne.Focusable(tt.date) {
		t.Fatalf("a click on a training opens it for typing: the keyboard is in %T, want the date", h.focused())
	}
	wantRowDrawn(t, table, 2)

	// The keyboard moves the selection; the form follows, the keyboard stays in the table.
	h.win.Canvas().Focus(table)
	h.press(fyne.KeyDown)
	if table.Selected() != 3 || tt.editing.ID != tt.rows[3].t.ID || h.focused() != fyne.Focusable(table) {
		t.Fatalf("↓: selected %d, form %s, focused %T", table.Selected(), tt.editing.Topic, h.focused())
	}
	wantRowDrawn(t, table, 3)
	h.press(fyne.KeyHome)
	h.press(fyne.KeyUp) // stays on the first
	if table.Selected() != 0 || tt.editing.ID != tt.rows[0].t.ID {
		t.Fatalf("Home ↑: selected %d", table.Selected())
	}
	h.press(fyne.KeyEnd)
	h.press(fyne.KeyDown) // stays on the last
	if table.Selected() != 4 {
		t.Fatalf("End ↓: selected %d", table.Selected())
	}
	// Enter opens it: the cursor goes to the form's first field, on the record.
	h.press(fyne.KeyReturn)
	if h.focused() == fyne.Focusable(table) || tt.editing.ID != tt.rows[4].t.ID {
		t.Fatalf("Enter: focused %T, form %s", h.focused(), tt.editing.Topic)
	}
	h.wantSelected("Enter on a row", tt.date, string(tt.rows[4].t.Date))

	// A double click on another row opens it.
	table.DoubleTapped(&fyne.PointEvent{Position: cellCenter(t, table, 1, 0)})
	if table.Selected() != 1 || tt.editing.ID != tt.rows[1].t.ID || h.focused() == fyne.Focusable(table) {
		t.Fatalf("double click on row 1: selected %d, form %s", table.Selected(), tt.editing.Topic)
	}

	// Saving the record reads the list again: the selection stays on its record.
	id := tt.rows[1].t.ID
	h.retype(tt.attendees, "99")
	h.press(fyne.KeyReturn)
	h.eventually("the list shows 99", func() bool {
		for _, r := range tt.rows {
			if r.t.ID == id && r.t.Attendees == 99 {
				return true
			}
		}
		return false
	})
	if s := table.Selected(); s >= 0 && tt.rows[s].t.ID != id {
		t.Errorf("after the save the selection names %s, want the saved record or none", tt.rows[s].t.Topic)
	}

	// The columns follow the window: wider window, wider columns, in the same proportions.
	before := widths(table)
	h.win.Resize(fyne.NewSize(1800, 800))
	after := widths(table)
	if after[4] <= before[4]*1.2 || after[0] <= before[0]*1.2 {
		t.Fatalf("the window went from 1280 to 1800 wide; columns %v → %v", before, after)
	}
	if r0, r1 := before[4]/before[0], after[4]/after[0]; r1 < r0*0.95 || r1 > r0*1.05 {
		t.Errorf("the proportions changed: %v → %v", before, after)
	}
	// A column dragged wider keeps its share when the window changes again.
	table.SetColumnWidth(2, after[2]*2) // what Fyne's drag on the header's edge does
	h.win.Resize(fyne.NewSize(1280, 800))
	back := widths(table)
	if share := back[2] / sum(back); share < 1.6*after[2]/sum(after) {
		t.Errorf("the dragged column's share fell back: %v → %v", after, back)
	}
	if table.columnWidth(2, -1) < 0 {
		t.Error("rowTable cannot read Fyne's column widths (columnWidths renamed?)")
	}
}

func widths(t *rowTable) []float32 {
	out := make([]float32, len(t.cols))
	for i := range t.cols {
		out[i] = t.columnWidth(i, -1)
	}
	return out
}

func sum(ws []float32) float32 {
	var s float32
	for _, w := range ws {
		s += w
	}
	return s
}

// cellCenter is the middle of a cell, in the table's coordinates (below the header row).
func cellCenter(t *testing.T, table *rowTable, row, col int) fyne.Position {
	t.Helper()
	var x float32
	for i := range col {
		x += table.columnWidth(i, 0) + theme.Padding()
	}
	x += table.columnWidth(col, 0) / 2
	header := heading("").MinSize().Height + theme.Padding()
	cell := widget.NewLabel("").MinSize().Height + theme.Padding()
	return fyne.NewPos(x, header+cell*float32(row)+cell/2)
}

// wantRowDrawn checks that every cell of row, and no other, is drawn with the selection colour, as the
// table draws a cell (its UpdateCell on a cell it made).
func wantRowDrawn(t *testing.T, table *rowTable, row int) {
	t.Helper()
	sel := theme.Color(theme.ColorNameSelection)
	cell := table.CreateCell()
	for r := 0; r < table.rows(); r++ {
		for c := range table.cols {
			table.UpdateCell(widget.TableCellID{Row: r, Col: c}, cell)
			bg := cell.(*fyne.Container).Objects[0].(*canvas.Rectangle)
			if drawn := bg.FillColor == sel; drawn != (r == row) {
				t.Errorf("cell %d,%d drawn selected: %v; want row %d selected, whole", r, c, drawn, row)
			}
		}
	}
}

// Every list of records is a rowTable and behaves as the trainings list does: the villages and the
// advisors lists (a click or ↑ ↓ show the record on the right with the keyboard staying in the list;
// Enter or a double click open it, the cursor in its first field where it may be edited; after a save
// the selection follows its record), and the dashboard's two tables follow the window's width.
func TestListsAsTables(t *testing.T) {
	t.Run("villages", func(t *testing.T) {
		h := newHarness(t, townStore(t, baseWall))
		vt, f := h.u.villages, h.u.villages.form
		h.u.Show("村庄")
		h.eventually("the villages listed", func() bool { return len(vt.rows) > 5 })
		table := vt.list
		test.TapAt(table, cellCenter(t, table, 2, 1))
		if table.Selected() != 2 || f.name.Text != vt.rows[2].Name {
			t.Fatalf("a click on row 2: selected %d, form %q, want %q", table.Selected(), f.name.Text, vt.rows[2].Name)
		}
		wantRowDrawn(t, table, 2)
		if h.focused() != fyne.Focusable(table) {
			t.Fatalf("after a click on the list the keyboard is in %T", h.focused())
		}
		h.press(fyne.KeyDown)
		if table.Selected() != 3 || f.name.Text != vt.rows[3].Name || h.focused() != fyne.Focusable(table) {
			t.Fatalf("↓: selected %d, form %q, focused %T", table.Selected(), f.name.Text, h.focused())
		}
		wantRowDrawn(t, table, 3)
		table.DoubleTapped(&fyne.PointEvent{Position: cellCenter(t, table, 1, 0)})
		if table.Selected() != 1 || h.focused() != fyne.Focusable(f.name) || f.name.Text != vt.rows[1].Name {
			t.Fatalf("double click on row 1: selected %d, focused %T, form %q", table.Selected(), h.focused(), f.name.Text)
		}
		h.win.Canvas().Focus(table)
		h.press(fyne.KeyEnd)
		if last := len(vt.rows) - 1; table.Selected() != last || f.name.Text != vt.rows[last].Name {
			t.Fatalf("End: selected %d, form %q", table.Selected(), f.name.Text)
		}
		h.press(fyne.KeyHome)
		h.press(fyne.KeyReturn)
		if h.focused() != fyne.Focusable(f.name) || f.name.Text != vt.rows[0].Name {
			t.Fatalf("Enter: focused %T, form %q, want the name field on %q", h.focused(), f.name.Text, vt.rows[0].Name)
		}
		// The list read again (a search, a save, a sync): the selection follows its village.
		table.selectRow(3, false)
		code := vt.rows[3].Code
		vt.search.SetText(string(code))
		h.eventually("the search lists the village alone", func() bool { return len(vt.rows) == 1 })
		if table.Selected() != 0 {
			t.Errorf("the village is listed alone on row 0, the selection is on %d", table.Selected())
		}
		vt.search.SetText("")
		h.eventually("all listed again", func() bool { return len(vt.rows) > 5 })
		if s := table.Selected(); s < 0 || vt.rows[s].Code != code {
			t.Errorf("listed again, the selection is on row %d, want %s's", s, code)
		}
		vt.search.SetText("没有这个村")
		h.eventually("nothing listed", func() bool { return len(vt.rows) == 0 })
		if table.Selected() != -1 {
			t.Errorf("nothing listed, row %d still selected", table.Selected())
		}
		vt.search.SetText("")
		h.eventually("all listed again", func() bool { return len(vt.rows) > 5 })
		wantColumnsFollow(t, h, table)
	})
	t.Run("advisors", func(t *testing.T) {
		st := cityStore(t) // the city keeps the roster: its fields are open for editing
		for i, name := range []string{"赵文华", "钱志强", "孙丽", "李国栋", "周敏"} {
			if _, err := st.Create(context.Background(), ledger.Advisor{Name: name, Gender: "女", Group: "蔬菜",
				Employer: "淄博市农业科学研究院", Phone: fmt.Sprintf("1390533123%d", i), Status: ledger.StatusActive}); err != nil {
				t.Fatal(err)
			}
		}
		h := newHarness(t, st)
		at, f := h.u.advisors, h.u.advisors.form
		h.u.Show("科技指导人员")
		h.eventually("the roster listed", func() bool { return len(at.rows) > 3 })
		table := at.list
		test.TapAt(table, cellCenter(t, table, 1, 0))
		if table.Selected() != 1 || f.name.Text != at.rows[1].Name {
			t.Fatalf("a click on row 1: selected %d, form %q", table.Selected(), f.name.Text)
		}
		if h.focused() != fyne.Focusable(table) {
			t.Fatalf("after a click on the roster the keyboard is in %T", h.focused())
		}
		h.press(fyne.KeyDown)
		h.press(fyne.KeyDown)
		if table.Selected() != 3 || f.name.Text != at.rows[3].Name || h.focused() != fyne.Focusable(table) {
			t.Fatalf("↓ ↓: selected %d, form %q, focused %T", table.Selected(), f.name.Text, h.focused())
		}
		wantRowDrawn(t, table, 3)
		h.press(fyne.KeyUp)
		h.press(fyne.KeyEnter) // the keypad's Enter
		if table.Selected() != 2 || h.focused() != fyne.Focusable(f.name) || f.name.Text != at.rows[2].Name {
			t.Fatalf("↑ Enter: selected %d, focused %T, form %q", table.Selected(), h.focused(), f.name.Text)
		}
		table.DoubleTapped(&fyne.PointEvent{Position: cellCenter(t, table, 0, 2)})
		if table.Selected() != 0 || h.focused() != fyne.Focusable(f.name) || f.name.Text != at.rows[0].Name {
			t.Fatalf("double click on row 0: selected %d, focused %T, form %q", table.Selected(), h.focused(), f.name.Text)
		}
		test.Tap(button(at.content, "新增人员"))
		if table.Selected() != -1 {
			t.Errorf("新增人员 left row %d selected", table.Selected())
		}
	})
	t.Run("programme lists", func(t *testing.T) {
		st := townStore(t, baseWall)
		for i := range 4 {
			if _, err := st.Create(context.Background(), ledger.Publicity{Title: fmt.Sprintf("科技帮扶纪实%d", i), Outlet: "沂源报",
				Date: ledger.Date(fmt.Sprintf("2026-04-%02d", 2+i)), Form: ledger.PublicityNews, Org: lucun}); err != nil {
				t.Fatal(err)
			}
		}
		h := newHarness(t, st)
		f, l := screenOf[ledger.Publicity](t, h, "宣传报道")
		l.start()
		h.eventually("the list shows four", func() bool { return len(l.rows) == 4 })
		table, first := l.table, f.inputs[0].focus
		test.TapAt(table, cellCenter(t, table, 2, 0))
		if table.Selected() != 2 || f.editing == nil || (*f.editing).ID != l.rows[2].ID || h.focused() != first {
			t.Fatalf("a click on row 2: selected %d, focused %T: want it open in the form", table.Selected(), h.focused())
		}
		wantRowDrawn(t, table, 2)
		h.win.Canvas().Focus(table)
		h.press(fyne.KeyDown)
		if table.Selected() != 3 || (*f.editing).ID != l.rows[3].ID || h.focused() != fyne.Focusable(table) {
			t.Fatalf("↓: selected %d, focused %T", table.Selected(), h.focused())
		}
		h.press(fyne.KeyHome)
		h.press(fyne.KeyReturn)
		if (*f.editing).ID != l.rows[0].ID || h.focused() != first {
			t.Fatalf("Home Enter: form on %v, focused %T", (*f.editing).ID, h.focused())
		}
		table.DoubleTapped(&fyne.PointEvent{Position: cellCenter(t, table, 1, 0)})
		if table.Selected() != 1 || (*f.editing).ID != l.rows[1].ID || h.focused() != first {
			t.Fatalf("double click on row 1: selected %d, focused %T", table.Selected(), h.focused())
		}
	})
	t.Run("dashboard", func(t *testing.T) {
		h := newHarness(t, townStore(t, baseWall))
		h.u.Show("目标进度")
		d := h.u.dashboard
		h.eventually("the needs table filled", func() bool { return len(d.needRows) > 0 })
		wantColumnsFollow(t, h, d.table, d.needs)
	})
}

// wantColumnsFollow widens the window from 1280 to 1800 and back and wants every column of the tables
// wider in between and back as it was after; narrowed to 400 wide, no column is narrower than its title.
// (Each resize of the window lays out the whole UI: under -race on a loaded machine it takes a while.)
func wantColumnsFollow(t *testing.T, h *harness, tables ...*rowTable) {
	t.Helper()
	h.win.Resize(fyne.NewSize(1280, 800))
	before := make([][]float32, len(tables))
	for i, table := range tables {
		before[i] = widths(table)
	}
	h.win.Resize(fyne.NewSize(1800, 800))
	for i, table := range tables {
		after := widths(table)
		for c := range after { // a column held at its title's width widens less
			if after[c] < before[i][c] || sum(after) <= sum(before[i])*1.2 {
				t.Fatalf("the window went from 1280 to 1800 wide; column %d %v → %v", c, before[i], after)
			}
		}
	}
	h.win.Resize(fyne.NewSize(1280, 800))
	for i, table := range tables {
		if back := widths(table); back[0] < before[i][0]*0.95 || back[0] > before[i][0]*1.05 {
			t.Errorf("back at 1280 wide: %v, was %v", back, before[i])
		}
		size := table.Size()
		table.Resize(fyne.NewSize(400, size.Height))
		for c, w := range widths(table) {
			if title := heading(table.cols[c].title).MinSize().Width; w < title {
				t.Errorf("400 wide: column %q is %.0f wide, its title %.0f", table.cols[c].title, w, title)
			}
		}
		table.Resize(size)
	}
}
