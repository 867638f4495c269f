package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
)

// TestConflictRestore: two PCs of 鲁村镇 change the same village's party secretary without seeing each
// other's change. When sync brings the other PC's record, the later change wins and the sync tab says
// so in plain words, with both values; the status bar points at it; 恢复这个值 puts the overwritten value
// back and the conflict leaves the list.
func TestConflictRestore(t *testing.T) {
	ctx := context.Background()
	st := townStore(t, baseWall)
	// The second PC's clock is a minute ahead, so its change is the later one.
	other := townStore(t, baseWall.Add(time.Minute))
	if err := other.SetClerk("刘强"); err != nil {
		t.Fatal(err)
	}
	code := village(t, "王村村委会").Village
	exchange := func(from, to *storage.Store) storage.ApplyResult {
		t.Helper()
		rec, err := from.Record(string(code))
		if err != nil {
			t.Fatal(err)
		}
		res, err := to.ApplyRemote(ctx, []ledger.Record{rec})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	set := func(s *storage.Store, secretary string) {
		t.Helper()
		before, err := s.Village(code)
		if err != nil {
			t.Fatal(err)
		}
		after := before
		after.Secretary = secretary
		if err := s.Update(ctx, before, after); err != nil {
			t.Fatal(err)
		}
	}
	// Both start from the same record, as after a sync.
	set(st, "王书记")
	exchange(st, other)
	exchange(other, st)

	h := newHarness(t, st)
	u := h.u
	sy := u.syncTab
	h.eventually("no conflicts at first", func() bool {
		return len(sy.list.Objects) == 1 && labelText(sy.list) == "没有待核对的冲突。" && !u.status.conflicts.Visible()
	})

	set(st, "张书记")    // here
	set(other, "李书记") // on the other PC, a minute later by its clock
	if res := exchange(other, st); res.Conflicts != 1 {
		t.Fatalf("applying the other PC's record logged %d conflicts, want 1", res.Conflicts)
	}
	if v, _ := st.Village(code); v.Secretary != "李书记" {
		t.Fatalf("after sync the secretary is %q, want the later 李书记", v.Secretary)
	}

	h.eventually("the status bar shows the conflict", func() bool {
		return u.status.conflicts.Visible() && u.status.conflicts.Text == "1 处冲突待查看"
	})
	test.Tap(u.status.conflicts)
	if got := u.tabs.Selected().Text; got != "同步与冲突" {
		t.Errorf("the conflict button opened %q", got)
	}
	h.eventually("the sync tab lists the conflict", func() bool { return len(sy.conflicts) == 1 && button(sy.list, "恢复这个值") != nil })
	text := labelText(sy.list)
	for _, want := range []string{"村庄“王村村委会”的「党支部书记」被两处同时修改", "现在的值：李书记（刘强 · 鲁村镇", "被覆盖的值：张书记（王芳 · 鲁村镇"} {
		if !strings.Contains(text, want) {
			t.Errorf("conflict card %q does not say %q", text, want)
		}
	}
	if strings.Contains(text, string(code)) || strings.Contains(text, "secretary") {
		t.Errorf("conflict card shows codes, not words: %q", text)
	}

	test.Tap(button(sy.list, "恢复这个值"))
	h.eventually("the conflict leaves the list", func() bool {
		return len(sy.conflicts) == 0 && labelText(sy.list) == "没有待核对的冲突。"
	})
	if v, _ := st.Village(code); v.Secretary != "张书记" {
		t.Errorf("after 恢复这个值 the secretary is %q, want 张书记", v.Secretary)
	}
	if open, _ := st.Conflicts(true); len(open) != 0 {
		t.Errorf("store still has open conflicts: %+v", open)
	}
	h.eventually("the status bar drops the conflict", func() bool { return !u.status.conflicts.Visible() })
	audits, _ := st.History(string(code))
	if last := audits[len(audits)-1]; last.Op != query.OpRestore {
		t.Errorf("last history entry %+v, want a restore", last)
	}
}

// labelText joins the texts of the labels under root.
func labelText(root fyne.CanvasObject) string {
	var parts []string
	walk(root, func(o fyne.CanvasObject) bool {
		if l, ok := o.(*widget.Label); ok {
			parts = append(parts, l.Text)
		}
		return false
	})
	return strings.Join(parts, "\n")
}
