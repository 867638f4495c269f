package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
)

// highlighted is the suggestion the hint marks with ▶ (what Enter would take).
func highlighted(t *testing.T, hint *widget.Label) string {
	t.Helper()
	for _, line := range strings.Split(hint.Text, "\n") {
		if rest, ok := strings.CutPrefix(line, "▶ "); ok {
			return rest
		}
	}
	t.Fatalf("no suggestion highlighted in the hint %q", hint.Text)
	return ""
}

// TestTrainingByKeyboard copies a sign-in sheet into the form by keyboard alone: a date as "5-3", the
// kind by its digit, a village and an advisor by the first characters and Enter, then Enter in a
// plain field saves. The record is stored as typed, shows in the list, the sheet-specific fields empty
// for the next sheet, and a new window over the same store starts from the same kind, village and
// advisor.
func TestTrainingByKeyboard(t *testing.T) {
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	tt := h.u.trainings

	if h.focused() != tt.date {
		t.Fatalf("the form opens with the keyboard in %T, want the date", h.focused())
	}
	if tt.date.Text != "2026-11-01" {
		t.Errorf("date starts as %q, want today 2026-11-01", tt.date.Text)
	}
	h.retype(tt.date, "5-3")

	h.tab()
	if h.focused() != tt.kind {
		t.Fatalf("Tab from the date went to %T, want the kind", h.focused())
	}
	h.typeText("1")
	if got := highlighted(t, tt.hint); got != "1  技术培训" {
		t.Errorf("typing 1 in the kind suggests %q, want 1  技术培训", got)
	}
	h.press(fyne.KeyReturn)
	if tt.kind.Text != ledger.TrainingCourse {
		t.Fatalf("Enter on the suggestion left the kind %q", tt.kind.Text)
	}
	if st.Stats(nil).Trainings != 0 {
		t.Fatal("Enter that took a suggestion also saved")
	}

	h.tab()
	if h.focused() != tt.villages {
		t.Fatalf("Tab from the kind went to %T, want the villages", h.focused())
	}
	h.typeText("鲁村")
	first := highlighted(t, tt.hint)
	h.press(fyne.KeyDown)
	second := highlighted(t, tt.hint)
	if first == second {
		t.Fatalf("Down left the highlight on %q", first)
	}
	h.press(fyne.KeyUp)
	if got := highlighted(t, tt.hint); got != first {
		t.Errorf("Up after Down highlights %q, want %q", got, first)
	}
	h.press(fyne.KeyDown)
	h.press(fyne.KeyReturn)
	// What was highlighted is what was taken. (In a township the hint is the name alone; the code only
	// tells apart villages of the same name.)
	parts := strings.Split(second, " · ")
	if tt.villages.Text != parts[0] {
		t.Fatalf("highlighted %q, the villages field now reads %q", second, tt.villages.Text)
	}
	wantVillage := village(t, parts[0]).Village

	h.tab()
	if h.focused() != tt.advisors {
		t.Fatalf("Tab from the villages went to %T, want the advisors", h.focused())
	}
	h.typeText("王志")
	adv := strings.Split(highlighted(t, tt.hint), " · ")[0]
	h.press(fyne.KeyReturn)
	if tt.advisors.Text != adv {
		t.Fatalf("advisors field %q after taking %q", tt.advisors.Text, adv)
	}
	wantAdvisor := advisorID(t, adv)

	h.tab()
	if h.focused() != tt.topic {
		t.Fatalf("Tab from the advisors went to %T, want the topic", h.focused())
	}
	h.typeText("大棚蔬菜病虫害防治")
	h.tab()
	h.tab()
	if h.focused() != tt.attendees {
		t.Fatalf("two Tabs from the topic went to %T, want the attendees", h.focused())
	}
	h.typeText("35")
	h.press(fyne.KeyReturn)

	h.eventually("the form says 已保存", func() bool { return strings.HasPrefix(tt.message.Text, "已保存") })
	got := trainings(t, st)
	if len(got) != 1 {
		t.Fatalf("store holds %d trainings, want 1", len(got))
	}
	tr := got[0]
	want := ledger.Training{ID: tr.ID, Kind: ledger.TrainingCourse, Date: "2026-05-03", Villages: []ledger.Code{wantVillage},
		Advisors: []string{wantAdvisor}, Topic: "大棚蔬菜病虫害防治", Attendees: 35}
	if fmt.Sprintf("%+v", tr) != fmt.Sprintf("%+v", want) {
		t.Errorf("stored training\n %+v\nwant\n %+v", tr, want)
	}
	if wantMsg := fmt.Sprintf("已保存：2026-05-03 %s 技术培训 （35 人次）", parts[0]); tt.message.Text != wantMsg {
		t.Errorf("message %q, want %q", tt.message.Text, wantMsg)
	}
	if tt.message.Importance != widget.SuccessImportance {
		t.Errorf("message importance %v", tt.message.Importance)
	}
	for name, e := range map[string]*field{"topic": tt.topic, "attendees": tt.attendees, "content": tt.text} {
		if e.Text != "" {
			t.Errorf("%s still reads %q after saving", name, e.Text)
		}
	}
	if tt.date.Text != "2026-05-03" || tt.kind.Text != ledger.TrainingCourse || tt.villages.Text != parts[0] || tt.advisors.Text != adv {
		t.Errorf("date %q, kind %q, villages %q, advisors %q: they should stay for the next sheet (the date as read)",
			tt.date.Text, tt.kind.Text, tt.villages.Text, tt.advisors.Text)
	}
	if h.focused() != tt.date {
		t.Errorf("after saving the keyboard is in %T, want the date", h.focused())
	}
	h.eventually("the list shows the record", func() bool {
		return len(tt.rows) == 1 && tt.rows[0].t.ID == tr.ID && tt.rows[0].villages == parts[0] && tt.rows[0].advisors == adv &&
			tt.count.Text == "共 1 条，显示 1 条"
	})

	// The next sheet of the same visit: only topic and attendees typed.
	h.retype(tt.topic, "果树修剪")
	h.retype(tt.attendees, "12")
	h.press(fyne.KeyReturn)
	h.eventually("the second record is saved", func() bool { return st.Stats(nil).Trainings == 2 })
	for _, tr := range trainings(t, st) {
		if !slices.Equal(tr.Villages, []ledger.Code{wantVillage}) || !slices.Equal(tr.Advisors, []string{wantAdvisor}) ||
			tr.Kind != ledger.TrainingCourse || tr.Date != "2026-05-03" {
			t.Errorf("second sheet stored as %+v", tr)
		}
	}

	// A new window over the same store (the next run) starts from the last kind, village and advisor.
	h.eventually("the last values are remembered", func() bool {
		var last lastTraining
		return st.GetDoc(uiDocs, lastTrainDoc, &last) == nil && last.Kind != ""
	})
	h.close()
	u2 := h.open(st)
	t2 := u2.trainings
	if t2.kind.Text != ledger.TrainingCourse || t2.villages.Text != parts[0] || t2.advisors.Text != adv {
		t.Errorf("new window starts with kind %q, villages %q, advisors %q", t2.kind.Text, t2.villages.Text, t2.advisors.Text)
	}
	if t2.date.Text != "2026-11-01" {
		t.Errorf("new window's date %q, want today", t2.date.Text)
	}
	if vals, unknown := t2.villages.values(); !slices.Equal(vals, []string{string(wantVillage)}) || len(unknown) > 0 {
		t.Errorf("remembered villages resolve to %v (unknown %v)", vals, unknown)
	}
	h.retype(t2.topic, "秋季施肥")
	h.press(fyne.KeyReturn)
	h.eventually("a record saved from the remembered values", func() bool { return st.Stats(nil).Trainings == 3 })
	page, _ := st.Trainings(query.Trainings{Village: wantVillage, Advisor: wantAdvisor, Kind: ledger.TrainingCourse, From: "2026-11-01"}, nil)
	if len(page.Trainings) != 1 || page.Trainings[0].Topic != "秋季施肥" {
		t.Errorf("record from remembered values: %+v", page.Trainings)
	}
}

// TestTrainingTabTakesSuggestion: leaving a field with Tab takes the first suggestion, as the hint says.
func TestTrainingTabTakesSuggestion(t *testing.T) {
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	tt := h.u.trainings
	h.focus(tt.villages)
	h.typeText("王家")
	first := strings.Split(highlighted(t, tt.hint), " · ")
	h.tab()
	if tt.villages.Text != first[0] {
		t.Fatalf("Tab left the villages field %q, want %q", tt.villages.Text, first[0])
	}
	if vals, _ := tt.villages.values(); !slices.Equal(vals, []string{string(village(t, first[0]).Village)}) {
		t.Errorf("Tab took %v, want %s", vals, first[0])
	}
	// A second village after 、: End first, as focus selects the village there (typing would replace it).
	h.focus(tt.villages)
	h.press(fyne.KeyEnd)
	h.typeText("、鲁村一")
	h.press(fyne.KeyReturn)
	if want := first[0] + "、鲁村一村村委会"; tt.villages.Text != want {
		t.Errorf("two villages read %q, want %q", tt.villages.Text, want)
	}
	if vals, _ := tt.villages.values(); len(vals) != 2 || vals[1] != string(village(t, "鲁村一村村委会").Village) {
		t.Errorf("two villages resolve to %v", vals)
	}
}

// TestTrainingValidation: what is wrong with the form is said next to it, the keyboard goes to the field
// to fix, and nothing is written.
func TestTrainingValidation(t *testing.T) {
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	tt := h.u.trainings
	ok := func() {
		h.retype(tt.date, "2026-10-20")
		tt.kind.set([]choice{{text: ledger.TrainingOnSite, value: ledger.TrainingOnSite}})
		tt.villages.set([]choice{h.u.villageChoice(mustVillage(t, st, "王村村委会"))})
		tt.advisors.set(nil)
		h.retype(tt.topic, "苹果套袋")
		h.retype(tt.attendees, "20")
	}
	for _, c := range []struct {
		name    string
		break_  func()
		message []string // all in the message
		field   fyne.Focusable
	}{
		{"attendees not a number", func() { h.retype(tt.attendees, "abc") }, []string{"没有保存：", "培训人次", "请填写不小于 0 的整数"}, tt.attendees},
		{"unknown village", func() { h.retype(tt.villages, "不存在村") }, []string{"没有保存：", "不存在村"}, tt.villages},
		{"no village", func() { tt.villages.SetText("") }, []string{"没有保存：", "村：至少选择一个村"}, tt.villages},
		{"no topic", func() { tt.topic.SetText("") }, []string{"没有保存：", "主题：不能为空"}, tt.topic},
		{"date in the future", func() { h.retype(tt.date, "2026-12-25") }, []string{"没有保存：", "日期", "超出范围"}, tt.date},
		{"date unreadable", func() { h.retype(tt.date, "下周二") }, []string{"没有保存：", "日期看不懂"}, tt.date},
		{"more poor than attendees", func() { h.retype(tt.poor, "30") }, []string{"没有保存：", "其中贫困户", "不能多于培训人次"}, tt.poor},
		{"two problems at once", func() { tt.topic.SetText(""); h.retype(tt.attendees, "abc") },
			[]string{"主题：不能为空", "培训人次：请填写不小于 0 的整数"}, nil}, // the keyboard goes to either
	} {
		t.Run(c.name, func(t *testing.T) {
			h.t = t
			ok()
			c.break_()
			tt.message.SetText("")
			h.focus(tt.notes)
			h.press(fyne.KeyReturn)
			h.eventually("the form says what is wrong", func() bool {
				return tt.message.Text != "" && !tt.save.Disabled()
			})
			for _, s := range c.message {
				if !strings.Contains(tt.message.Text, s) {
					t.Errorf("message %q does not say %q", tt.message.Text, s)
				}
			}
			if tt.message.Importance != widget.DangerImportance {
				t.Errorf("message importance %v, want danger", tt.message.Importance)
			}
			if c.field == nil {
				if f := h.focused(); f != tt.topic && f != tt.attendees {
					t.Errorf("keyboard in %T after the errors, want one of the fields to fix", f)
				}
			} else if h.focused() != c.field {
				t.Errorf("keyboard in %T after the error, want the field to fix", h.focused())
			}
			if n := st.Stats(nil).Trainings; n != 0 {
				t.Fatalf("store holds %d trainings after a refused save", n)
			}
			tt.poor.SetText("")
		})
	}
	h.t = t
	// And the same form, put right, saves.
	ok()
	h.focus(tt.notes)
	h.press(fyne.KeyReturn)
	h.eventually("the corrected form saves", func() bool { return st.Stats(nil).Trainings == 1 })
}

func mustVillage(t *testing.T, st *storage.Store, name string) ledger.Village {
	t.Helper()
	v, err := st.Village(village(t, name).Village)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestTrainingEditDelete: picking a row loads it into the form; saving changes the record (its history
// says so); 删除 asks first, then removes it from the list and the store.
func TestTrainingEditDelete(t *testing.T) {
	st := townStore(t, baseWall)
	ctx := context.Background()
	wang := mustVillage(t, st, "王村村委会")
	id, err := st.Create(ctx, ledger.Training{Kind: ledger.TrainingCourse, Date: "2026-10-12", Villages: []ledger.Code{wang.Code},
		Advisors: []string{advisorID(t, "李秀英")}, Topic: "生猪防疫", Attendees: 30, Brochures: 40})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, st)
	tt := h.u.trainings
	h.eventually("the list shows the record", func() bool { return len(tt.rows) == 1 })

	tt.table.Select(widget.TableCellID{Row: 0, Col: 2})
	if tt.editing == nil || tt.editing.ID != id {
		t.Fatal("picking the row did not load it into the form")
	}
	if tt.date.Text != "2026-10-12" || tt.kind.Text != ledger.TrainingCourse || tt.villages.Text != wang.Name ||
		tt.advisors.Text != "李秀英" || tt.topic.Text != "生猪防疫" || tt.attendees.Text != "30" || tt.brochures.Text != "40" {
		t.Errorf("form after picking: date %q kind %q villages %q advisors %q topic %q attendees %q brochures %q",
			tt.date.Text, tt.kind.Text, tt.villages.Text, tt.advisors.Text, tt.topic.Text, tt.attendees.Text, tt.brochures.Text)
	}
	if tt.title.Text != "修改记录：2026-10-12 "+wang.Name || !tt.remove.Visible() || !tt.cancel.Visible() || !tt.history.Visible() {
		t.Errorf("edit mode: title %q, 删除 shown %v, 放弃修改 shown %v", tt.title.Text, tt.remove.Visible(), tt.cancel.Visible())
	}

	h.retype(tt.attendees, "45")
	h.press(fyne.KeyReturn)
	h.eventually("the form says 已修改", func() bool { return strings.HasPrefix(tt.message.Text, "已修改") })
	got := trainings(t, st)
	if len(got) != 1 || got[0].ID != id || got[0].Attendees != 45 || got[0].Topic != "生猪防疫" || got[0].Brochures != 40 {
		t.Fatalf("after the edit the store holds %+v", got)
	}
	audits, err := st.History(id)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(audits); n != 2 || audits[1].Op != query.OpUpdate || audits[1].Author != clerkName ||
		len(audits[1].Fields) != 1 || audits[1].Fields[0].Name != "attendees" || audits[1].Fields[0].Old != "30" || audits[1].Fields[0].New != "45" {
		t.Errorf("history after the edit: %+v", audits)
	}
	if tt.editing != nil || tt.remove.Visible() {
		t.Error("the form stays in edit mode after saving the edit")
	}
	h.eventually("the list shows 45", func() bool { return len(tt.rows) == 1 && tt.rows[0].t.Attendees == 45 })

	tt.table.Select(widget.TableCellID{Row: 0, Col: 0})
	if tt.editing == nil || tt.attendees.Text != "45" {
		t.Fatal("picking the row again did not load it")
	}
	test.Tap(tt.remove)
	dlg := h.win.Canvas().Overlays().Top()
	if dlg == nil {
		t.Fatal("删除 deleted without asking")
	}
	// The keyboard starts on 取消: deleting takes a deliberate click.
	if b, ok := h.focused().(*widget.Button); !ok || b.Text != "取消" {
		t.Fatalf("the delete dialog opens with the keyboard in %T, want 取消", h.focused())
	}
	h.press(fyne.KeySpace)
	if h.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Space on 取消 did not close the delete dialog")
	}
	if st.Stats(nil).Trainings != 1 || tt.editing == nil {
		t.Fatal("cancelling the delete dialog deleted")
	}
	test.Tap(tt.remove)
	dlg = h.win.Canvas().Overlays().Top()
	if dlg == nil {
		t.Fatal("删除 deleted without asking")
	}
	test.Tap(mustButton(t, dlg, "删除"))
	h.eventually("the record leaves the list", func() bool { return len(tt.rows) == 0 })
	if n := st.Stats(nil).Trainings; n != 0 {
		t.Errorf("store counts %d trainings after the delete", n)
	}
	if rec, err := st.Record(id); err == nil && !rec.Deleted() {
		t.Errorf("record %s not deleted", id)
	}
	h.eventually("the form says 已删除", func() bool { return strings.HasPrefix(tt.message.Text, "已删除") })
	if tt.editing != nil {
		t.Error("form still edits the deleted record")
	}
	if h.win.Canvas().Overlays().Top() != nil {
		t.Error("the confirm dialog is still open")
	}
}

// TestTrainingOutsideChanges: trainings written by someone else (another goroutine of this office, and
// sync applying another replica's record) show in the open list and on the dashboard by themselves.
func TestTrainingOutsideChanges(t *testing.T) {
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	tt, dt := h.u.trainings, h.u.dashboard
	ctx := context.Background()
	wang := mustVillage(t, st, "王村村委会")

	done := make(chan error, 1)
	var local string
	go func() {
		var err error
		local, err = st.Create(ctx, ledger.Training{Kind: ledger.TrainingOnSite, Date: "2026-10-02",
			Villages: []ledger.Code{wang.Code}, Topic: "苹果套袋", Attendees: 12})
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	h.eventually("the list shows the record written from outside", func() bool { return hasRow(tt.rows, local) })
	h.eventually("the dashboard counts it", func() bool { return barText(dt, "培训农民") != "" && dashboardCell(dt, wang.Name, 2) == "12" })

	// Another replica of 鲁村镇 (a second PC) records a training; sync hands its record to this store.
	other := townStore(t, baseWall)
	remote, err := other.Create(ctx, ledger.Training{Kind: ledger.TrainingCourse, Date: "2026-10-05",
		Villages: []ledger.Code{wang.Code}, Advisors: []string{advisorID(t, "王志强")}, Topic: "设施蔬菜", Attendees: 40, Brochures: 60})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := other.Record(remote)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := st.ApplyRemote(ctx, []ledger.Record{rec}); err != nil || res.Changed != 1 {
		t.Fatalf("ApplyRemote: %+v, %v", res, err)
	}
	h.eventually("the list shows the synced record", func() bool { return len(tt.rows) == 2 && hasRow(tt.rows, remote) })
	if i := slices.IndexFunc(tt.rows, func(r trainingRow) bool { return r.t.ID == remote }); tt.rows[i].advisors != "王志强" || tt.rows[i].villages != wang.Name {
		t.Errorf("synced row names %q / %q", tt.rows[i].villages, tt.rows[i].advisors)
	}
	h.eventually("the dashboard adds it", func() bool {
		return dashboardCell(dt, wang.Name, 1) == "2" && dashboardCell(dt, wang.Name, 2) == "52" && dashboardCell(dt, wang.Name, 3) == "60"
	})
	if got := barText(dt, "培训农民"); !strings.HasPrefix(got, "52 ") {
		t.Errorf("培训农民 reads %q, want 52 attendees", got)
	}
	if got := barText(dt, "开展活动"); !strings.HasPrefix(got, "2 ") {
		t.Errorf("开展活动 reads %q, want 2", got)
	}
}

// TestTrainingListFilters: the list's filter line narrows the records by village, advisor, date range and
// kind, and says in words when a village part is ambiguous.
func TestTrainingListFilters(t *testing.T) {
	st := townStore(t, baseWall)
	ctx := context.Background()
	wang, lucun1 := mustVillage(t, st, "王村村委会"), mustVillage(t, st, "鲁村一村村委会")
	li := advisorID(t, "李秀英")
	ids := map[string]string{}
	for _, tr := range []ledger.Training{
		{Kind: ledger.TrainingCourse, Date: "2026-09-20", Villages: []ledger.Code{wang.Code}, Topic: "a", Advisors: []string{li}},
		{Kind: ledger.TrainingOnSite, Date: "2026-10-05", Villages: []ledger.Code{lucun1.Code}, Topic: "b"},
		{Kind: ledger.TrainingCourse, Date: "2026-10-20", Villages: []ledger.Code{lucun1.Code, wang.Code}, Topic: "c", Advisors: []string{li}},
	} {
		id, err := st.Create(ctx, tr)
		if err != nil {
			t.Fatal(err)
		}
		ids[tr.Topic] = id
	}
	h := newHarness(t, st)
	tt := h.u.trainings
	h.eventually("all three listed", func() bool { return len(tt.rows) == 3 && tt.count.Text == "共 3 条，显示 3 条" })
	shows := func(what string, topics ...string) {
		t.Helper()
		h.eventually(what, func() bool {
			if len(tt.rows) != len(topics) {
				return false
			}
			for _, tp := range topics {
				if !hasRow(tt.rows, ids[tp]) {
					return false
				}
			}
			return true
		})
	}
	h.retype(tt.villageF, "王村村委会")
	shows("village 王村村委会", "a", "c")
	if tt.count.Text != "共 2 条，显示 2 条" {
		t.Errorf("count %q", tt.count.Text)
	}
	h.retype(tt.villageF, "鲁村")
	h.eventually("an ambiguous village part is explained", func() bool {
		return tt.count.Text == "有 6 个村的名字含“鲁村”，请多写几个字" && tt.count.Importance == widget.DangerImportance
	})
	tt.villageF.SetText("")
	h.retype(tt.advisorF, "李秀英")
	shows("advisor 李秀英", "a", "c")
	tt.advisorF.SetText("")
	h.retype(tt.fromF, "10-1")
	h.retype(tt.toF, "10-31")
	shows("October", "b", "c")
	h.pick(tt.kindF, "技术培训")
	shows("October's 技术培训", "c")
	test.Tap(mustButton(t, tt.content, "清除筛选"))
	shows("filters cleared", "a", "b", "c")
}
