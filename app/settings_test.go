package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
)

// TestSwitchClerk: another clerk takes the keyboard in 设置; the store signs with the new name, the
// status bar shows it, and the next record carries it.
func TestSwitchClerk(t *testing.T) {
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	u := h.u
	u.Show("设置")
	settings := u.tabs.Selected().Content
	clerk := find(settings, func(e *field) bool { return e.Text == clerkName })
	if clerk == nil {
		t.Fatal("设置 shows no entry with the current clerk")
	}
	switchButton := mustButton(t, settings, "切换录入人")

	// An empty name is refused.
	h.retype(clerk, " ")
	test.Tap(switchButton)
	if st.Identity().Clerk != clerkName {
		t.Fatalf("an empty name changed the clerk to %q", st.Identity().Clerk)
	}
	problem := find(settings, func(l *widget.Label) bool { return l.Text == "请填写录入人姓名。" })
	if problem == nil || problem.Importance != widget.DangerImportance {
		t.Error("an empty name is not refused in words")
	}

	h.retype(clerk, "李娜")
	h.press(fyne.KeyReturn)
	h.eventually("the store signs as 李娜", func() bool { return st.Identity().Clerk == "李娜" })
	h.eventually("the status bar shows 李娜", func() bool { return u.status.who.Text == "鲁村镇 · 录入人：李娜" })
	if find(settings, func(l *widget.Label) bool {
		return l.Text == "现在的录入人是 李娜，之后的修改都署这个名字。"
	}) == nil {
		t.Error("设置 does not confirm the switch")
	}

	// The next record is signed by 李娜, and the status bar keeps her name when the store changes.
	u.Show("培训与服务记录")
	tt := u.trainings
	tt.villages.set([]choice{u.villageChoice(mustVillage(t, st, "王村村委会"))})
	tt.kind.set([]choice{{text: ledger.TrainingOnSite, value: ledger.TrainingOnSite}})
	h.retype(tt.topic, "桃树疏果")
	h.press(fyne.KeyReturn)
	h.eventually("the record is saved", func() bool { return st.Stats(nil).Trainings == 1 })
	id := trainings(t, st)[0].ID
	audits, err := st.History(id)
	if err != nil || len(audits) != 1 || audits[0].Author != "李娜" {
		t.Errorf("new record's history %+v (%v): want it signed 李娜", audits, err)
	}
	h.eventually("the status bar refreshes after the save", func() bool {
		return u.status.stats.Trainings == 1
	})
	if got := u.status.who.Text; got != "鲁村镇 · 录入人：李娜" {
		t.Errorf("status bar after a save reads %q", got)
	}

	// A new window (the next run) starts with 李娜.
	h.close()
	u2 := h.open(st)
	h.eventually("the next run's status bar shows 李娜", func() bool { return u2.status.who.Text == "鲁村镇 · 录入人：李娜" })
}
