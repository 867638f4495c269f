package app

import (
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
)

// TestFieldSelection: the field widget on its own. The keyboard arriving by Tab, Shift+Tab, a click or
// the form selects the text, so that typing replaces it; a click into the field being typed in, a drag,
// and the window getting the keyboard back from another program leave the text and caret alone.
func TestFieldSelection(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("fields")
	date, topic := newField(), newField()
	w.SetContent(container.NewVBox(date, topic))
	w.Resize(fyne.NewSize(400, 200))
	c := w.Canvas()
	h := &harness{t: t, win: w}

	date.SetText("2026-11-01")
	topic.SetText("苹果春季修剪")
	c.Focus(date)
	h.wantSelected("focus by the form", date, "2026-11-01")
	h.typeText("11-18")
	if date.Text != "11-18" {
		t.Errorf("typing over the selected date gives %q, want 11-18", date.Text)
	}

	h.tab()
	h.wantSelected("Tab", topic, "苹果春季修剪")
	h.backTab()
	h.wantSelected("Shift+Tab", date, "11-18")

	// A click into a field that does not have the keyboard: the caret the click places at the start of
	// the text does not undo the selection.
	h.click(topic)
	h.wantSelected("a click", topic, "苹果春季修剪")
	h.typeText("果树")
	if topic.Text != "果树" {
		t.Errorf("typing after a click gives %q, want 果树", topic.Text)
	}
	// A click into the field being typed in places the caret, as in every editor.
	h.click(topic)
	if topic.SelectedText() != "" || topic.CursorColumn != 0 {
		t.Errorf("a second click selected %q, caret at %d; want the caret at the start", topic.SelectedText(), topic.CursorColumn)
	}
	h.typeText("春季")
	if topic.Text != "春季果树" {
		t.Errorf("typing after a second click gives %q, want 春季果树", topic.Text)
	}

	// A press that becomes a drag selects what was dragged over, not the whole text.
	date.SetText("2026-11-18")
	ev := &desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(6, date.Size().Height/2)},
		Button: desktop.MouseButtonPrimary}
	date.MouseDown(ev)
	date.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(30, date.Size().Height/2)},
		Dragged: fyne.NewDelta(24, 0)})
	date.DragEnd()
	date.MouseUp(ev)
	if got := date.SelectedText(); got == "" || got == date.Text {
		t.Errorf("a drag over the start of the date selected %q, want part of it", got)
	}

	// Switching to another program mid-word and back: the word goes on where it was.
	h.click(topic)
	h.press(fyne.KeyEnd)
	topic.FocusLost()
	keepFocusedText(c)
	topic.FocusGained()
	h.typeText("修剪")
	if topic.Text != "春季果树修剪" {
		t.Errorf("typing after switching away and back gives %q, want 春季果树修剪", topic.Text)
	}
	// ... and a real move afterwards selects again.
	h.backTab()
	h.tab()
	h.wantSelected("Tab after switching back", topic, "春季果树修剪")

	// The form putting the cursor back in the field that has it (after a save, after a problem).
	h.press(fyne.KeyEnd)
	focusSelected(c, topic)
	h.wantSelected("focusSelected on the focused field", topic, "春季果树修剪")

	// A password field is a field too, its eye outside the Tab order.
	token := newPasswordField()
	token.SetText("secret")
	w.SetContent(container.NewVBox(date, token))
	c.Focus(date)
	h.tab()
	h.wantSelected("Tab into the token", token, "secret")
	test.Tap(token.ActionItem.(fyne.Tappable))
	if token.Password {
		t.Error("the eye did not reveal the token")
	}
}

// TestTrainingFormTypesOver: a clerk's first minutes on the trainings form, never pressing Ctrl+A:
// today's date and the kind, villages and advisor remembered from the last sheet are selected whenever
// the keyboard comes to them (at start, Tab, Shift+Tab, a click, after a save, after a problem moves the
// cursor there, when a record is opened to edit), so the sheet's values type over them.
func TestTrainingFormTypesOver(t *testing.T) {
	st := townStore(t, baseWall)
	lucun1, lucun2 := village(t, "鲁村一村村委会"), village(t, "鲁村二村村委会")
	if err := st.PutDoc(uiDocs, lastTrainDoc, lastTraining{Kind: ledger.TrainingOnSite,
		Villages: []ledger.Code{lucun1.Village}, Advisors: []string{advisorID(t, "王志强")}}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, st)
	tt := h.u.trainings

	h.wantSelected("at start", tt.date, "2026-11-01")
	h.typeText("10-18")
	h.tab()
	h.wantSelected("Tab into the remembered kind", tt.kind, ledger.TrainingOnSite)
	h.tab()
	h.wantSelected("Tab into the remembered villages", tt.villages, lucun1.VillageName)
	h.tab()
	h.wantSelected("Tab into the remembered advisor", tt.advisors, "王志强")
	h.backTab()
	h.wantSelected("Shift+Tab back to the villages", tt.villages, lucun1.VillageName)
	h.click(tt.kind)
	h.wantSelected("a click on the kind", tt.kind, ledger.TrainingOnSite)
	h.typeText("1")
	h.press(fyne.KeyReturn)
	h.tab()
	h.typeText("鲁村二")
	h.press(fyne.KeyReturn)
	h.tab()
	h.tab()
	h.typeText("苹果春季修剪")
	h.tab()
	h.tab()
	h.typeText("32")
	h.press(fyne.KeyReturn)
	h.eventually("the sheet is saved", func() bool { return strings.HasPrefix(tt.message.Text, "已保存") })
	tr := trainings(t, st)[0]
	if tr.Date != "2026-10-18" || tr.Kind != ledger.TrainingCourse || len(tr.Villages) != 1 || tr.Villages[0] != lucun2.Village ||
		tr.Topic != "苹果春季修剪" || tr.Attendees != 32 {
		t.Errorf("saved %+v: want the sheet as typed over the prefilled values", tr)
	}

	// The next sheet: the date as read, selected.
	h.wantSelected("after a save", tt.date, "2026-10-18")
	h.typeText("下周二")
	h.retype(tt.topic, "果树修剪")
	h.press(fyne.KeyReturn)
	h.eventually("the problem is shown", func() bool { return strings.Contains(tt.message.Text, "日期看不懂") })
	h.wantSelected("after a problem in the date", tt.date, "下周二")
	h.typeText("10-19")
	h.tab()
	h.tab()
	h.tab()
	h.tab()
	h.tab()
	h.tab()
	h.typeText("abc")
	h.focus(tt.notes)
	h.press(fyne.KeyReturn)
	h.eventually("the problem is shown", func() bool { return strings.Contains(tt.message.Text, "培训人次") })
	h.wantSelected("after a problem moved the cursor to the attendees", tt.attendees, "abc")
	h.typeText("12")
	h.press(fyne.KeyReturn)
	h.eventually("the second sheet is saved", func() bool { return st.Stats(nil).Trainings == 2 })

	// A record opened to edit: every value is there to type over.
	h.eventually("the list shows both", func() bool { return len(tt.rows) == 2 })
	tt.table.Select(widget.TableCellID{Row: 1, Col: 0})
	h.wantSelected("a record opened to edit", tt.date, string(tt.rows[1].t.Date))
	h.click(tt.topic)
	h.wantSelected("a click on the record's topic", tt.topic, tt.rows[1].t.Topic)

	// The list's filters hold what was typed last; coming back to one selects it.
	h.click(tt.fromF)
	h.typeText("10-01")
	h.tab()
	h.backTab()
	h.wantSelected("Shift+Tab back to a filter", tt.fromF, "10-01")
}

// TestRecordFormsTypeOver: the village, advisor, pairing, targets and settings forms select what they
// hold when the keyboard comes to a field, and a problem puts the cursor in the field to fix, selected.
func TestRecordFormsTypeOver(t *testing.T) {
	t.Run("village", func(t *testing.T) {
		st := townStore(t, baseWall)
		h := newHarness(t, st)
		vt, f := h.u.villages, h.u.villages.form
		h.u.Show("村庄")
		h.eventually("the list", func() bool { return len(vt.rows) == 68 })
		vt.list.selectRow(0, false)
		name := vt.rows[0].Name
		h.click(f.name)
		h.wantSelected("a click on the name", f.name, name)
		h.click(f.households)
		h.typeText("三百")
		h.press(fyne.KeyReturn)
		h.eventually("the problem", func() bool { return strings.Contains(f.message.Text, "户数") })
		h.wantSelected("after a problem in the households", f.households, "三百")
		h.typeText("320")
		h.tab()
		h.wantSelected("Tab", f.population, "")
		h.backTab()
		h.wantSelected("Shift+Tab", f.households, "320")
		h.press(fyne.KeyReturn)
		h.eventually("saved", func() bool { return strings.HasPrefix(f.message.Text, "已保存") })
		h.wantSelected("after a save", f.households, "320")
		h.click(f.phone)
		h.typeText("12345")
		h.press(fyne.KeyReturn)
		h.eventually("the store's problem", func() bool { return strings.Contains(f.message.Text, "电话") })
		h.wantSelected("after the store refused the phone", f.phone, "12345")
	})
	t.Run("advisor and pairing", func(t *testing.T) {
		st := cityStore(t)
		if _, err := st.ApplyRemote(t.Context(), roster); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Import(t.Context(), []ledger.Entity{village(t, "鲁村一村村委会").Record()}, nil); err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, st)
		at, f := h.u.advisors, h.u.advisors.form
		h.u.Show("科技指导人员")
		h.eventually("the roster", func() bool { return len(at.rows) == len(roster) })
		at.list.selectRow(0, false)
		a := at.rows[0]
		h.click(f.name)
		h.wantSelected("a click on the name", f.name, a.Name)
		h.tab()
		h.tab()
		h.wantSelected("Tab to the phone", f.phone, a.Phone)
		h.tab()
		h.wantSelected("Tab to the employer", f.employer, a.Employer)
		h.click(f.since)
		h.typeText("下周二")
		h.press(fyne.KeyReturn)
		h.eventually("the problem", func() bool { return strings.Contains(f.message.Text, "选派日期") })
		h.wantSelected("after a problem in the date", f.since, "下周二")

		b := at.assign
		h.click(b.village)
		h.typeText("鲁村一")
		h.press(fyne.KeyReturn)
		h.click(b.from)
		h.typeText("13-45")
		h.press(fyne.KeyReturn)
		h.eventually("the problem", func() bool { return strings.Contains(b.message.Text, "开始日期") })
		h.wantSelected("after a problem in the pairing's date", b.from, "13-45")
		h.typeText("3-1")
		h.press(fyne.KeyReturn)
		h.eventually("paired", func() bool { return strings.HasPrefix(b.message.Text, "已结对") })
		h.wantSelected("ready for the next pairing", b.village, "")
	})
	t.Run("targets", func(t *testing.T) {
		st := cityStore(t)
		h := newHarness(t, st)
		h.u.Show("目标进度")
		test.Tap(mustButton(t, h.u.dashboard.content, "修改目标"))
		first, ok := h.focused().(*field)
		if !ok {
			t.Fatalf("the targets form opens with the keyboard in %T, want its first field", h.focused())
		}
		want := ledger.DefaultTarget(2026)
		h.wantSelected("the targets form opens", first, strconv.Itoa(want.Activities))
		h.typeText("30")
		h.tab()
		second := h.focused()
		h.wantSelected("Tab", second, strconv.Itoa(want.Attendees))
		h.typeText("两千")
		h.focus(first)
		h.press(fyne.KeyReturn)
		h.wantSelected("Enter with a field the form cannot take", second, "两千")
		h.typeText("2500")
		h.press(fyne.KeyReturn)
		h.eventually("the targets are saved", func() bool {
			tg, ok := h.u.target(2026)
			return ok && tg.Activities == 30 && tg.Attendees == 2500 && tg.Brochures == want.Brochures
		})
	})
	t.Run("settings", func(t *testing.T) {
		st := townStore(t, baseWall)
		h := newHarness(t, st)
		h.u.Show("设置")
		clerk := find(h.u.tabs.Selected().Content, func(e *field) bool { return e.Text == clerkName })
		if clerk == nil {
			t.Fatal("no clerk field")
		}
		h.click(clerk)
		h.wantSelected("a click on the clerk", clerk, clerkName)
		h.typeText("李娜")
		h.press(fyne.KeyReturn)
		h.eventually("the clerk is switched", func() bool {
			return find(h.u.tabs.Selected().Content, func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "现在的录入人是 李娜") }) != nil
		})
		h.wantSelected("after the switch", clerk, "李娜")
	})
}
