package app

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// TestAdvisorCreateCity: the city office adds an advisor through the roster form; the list shows it
// (and one written to the store from outside), and the group filter picks by professional group.
func TestAdvisorCreateCity(t *testing.T) {
	st := cityStore(t)
	h := newHarness(t, st)
	u := h.u
	at, f := u.advisors, u.advisors.form
	u.Show("科技指导人员")

	test.Tap(mustButton(t, at.content, "新增人员"))
	if h.focused() != f.name {
		t.Fatalf("新增人员 put the keyboard in %T, want the name", h.focused())
	}
	h.typeText("赵文华")
	h.pick(f.gender, "女")
	h.pick(f.group, "蔬菜")
	h.retype(f.employer, "淄博市农业科学研究院")
	h.retype(f.phone, "13905331234")
	h.press(fyne.KeyReturn)
	h.eventually("the form says 已保存", func() bool { return f.message.Text == "已保存：赵文华" })

	as := st.Advisors(query.Advisors{Search: "赵文华"}, nil)
	if len(as) != 1 {
		t.Fatalf("store holds %d advisors named 赵文华", len(as))
	}
	a := as[0]
	if a.Group != "蔬菜" || a.Gender != "女" || a.Status != ledger.StatusActive || a.Employer != "淄博市农业科学研究院" || a.Phone != "13905331234" {
		t.Errorf("stored advisor %+v", a)
	}
	h.eventually("the list shows the new advisor", func() bool {
		return len(at.rows) == 1 && at.rows[0].ID == a.ID && at.count.Text == "共 1 人"
	})

	other, err := st.Create(context.Background(), ledger.Advisor{Name: "孙立新", Group: "林果", Status: ledger.StatusActive})
	if err != nil {
		t.Fatal(err)
	}
	h.eventually("an advisor written from outside shows", func() bool { return len(at.rows) == 2 })

	for _, c := range []struct {
		group string
		want  string
	}{{"蔬菜组", a.ID}, {"林果组", other}, {"畜牧组", ""}} {
		h.pick(at.group, c.group)
		h.eventually("filter "+c.group, func() bool {
			if c.want == "" {
				return len(at.rows) == 0
			}
			return len(at.rows) == 1 && at.rows[0].ID == c.want
		})
	}
	h.pick(at.group, "全部专业组")
	h.eventually("全部专业组 lists both", func() bool { return len(at.rows) == 2 })
}

// TestAdvisorRosterReadOnly: a township office reads the city's roster but cannot change it: no
// 新增人员 button, every field of an advisor's form disabled, no save button.
func TestAdvisorRosterReadOnly(t *testing.T) {
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	u := h.u
	at, f := u.advisors, u.advisors.form
	u.Show("科技指导人员")
	// A township starts on the advisors paired with its villages; unticked, the whole city roster.
	if !at.mine.Checked {
		t.Error("a township office does not start on its own advisors")
	}
	h.eventually("nobody paired yet", func() bool { return len(at.rows) == 0 })
	pair(t, st, "王志刚", "鲁村一村村委会") // the city pairs him with a village of 鲁村镇; sync brings it
	h.eventually("王志刚 alone", func() bool { return len(at.rows) == 1 && at.rows[0].Name == "王志刚" })
	at.mine.SetChecked(false)
	h.eventually("the roster shows", func() bool { return len(at.rows) == len(roster) })
	if b := button(at.content, "新增人员"); b != nil {
		t.Error("a township office is offered 新增人员")
	}
	at.list.selectRow(0, false)
	if f.name.Text != at.rows[0].Name {
		t.Fatalf("picked advisor %q, form shows %q", at.rows[0].Name, f.name.Text)
	}
	for name, w := range map[string]fyne.Disableable{"name": f.name, "phone": f.phone, "employer": f.employer,
		"group": f.group, "status": f.status, "gender": f.gender, "expert": f.expert, "notes": f.notes} {
		if !w.Disabled() {
			t.Errorf("field %s of the roster form is editable in a township office", name)
		}
	}
	if find(at.detail, func(b *widget.Button) bool { return b == f.save }) != nil {
		t.Error("the roster form shows a save button in a township office")
	}
	if button(at.detail, "修改历史") == nil {
		t.Error("no 修改历史 for a roster entry")
	}
}
