package app

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
)

// TestVillageCreateAndFilter: a village added through the villages tab's form is written with its
// township and county, shows in the list by itself, and the search and key-village filters find it.
func TestVillageCreateAndFilter(t *testing.T) {
	const code, name = ledger.Code("370323102350"), "测试新村"
	for _, d := range divisions {
		if d.Village == code {
			t.Fatalf("%s is a real village (%s); pick a free code", code, d.VillageName)
		}
	}
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	u := h.u
	vt, f := u.villages, u.villages.form
	u.Show("村庄")
	h.eventually("the list shows 68 villages", func() bool { return len(vt.rows) == 68 })

	test.Tap(mustButton(t, vt.content, "新增村"))
	if h.focused() != f.code {
		t.Fatalf("新增村 put the keyboard in %T, want the code entry", h.focused())
	}
	if f.code.Disabled() {
		t.Fatal("code entry disabled for a new village")
	}

	// A village of another township is refused with the scope's own words, and nothing is written.
	h.typeText("370303102218")
	h.tab()
	if h.focused() != f.name {
		t.Fatalf("Tab from the code went to %T, want the name", h.focused())
	}
	h.typeText("梁鲁村")
	h.press(fyne.KeyReturn)
	h.eventually("the form says why another township's village is refused", func() bool {
		return strings.HasPrefix(f.message.Text, "没有保存：") && f.message.Importance == widget.DangerImportance
	})
	if n := st.Stats(nil).Villages; n != 68 {
		t.Fatalf("store holds %d villages after a refused save", n)
	}

	h.retype(f.code, string(code))
	h.retype(f.name, name)
	test.Tap(f.key)
	h.retype(f.households, "120")
	h.press(fyne.KeyReturn)
	var v ledger.Village
	h.eventually("the village is saved", func() bool {
		var err error
		v, err = st.Village(code)
		return err == nil && !f.save.Disabled()
	})
	if f.message.Text != "已保存："+name {
		t.Errorf("after saving, the form's message reads %q, want %q", f.message.Text, "已保存："+name)
	}
	if v.Name != name || !v.Key || v.Households != 120 || v.TownshipName != "鲁村镇" || v.CountyName != "沂源县" {
		t.Errorf("stored village %+v", v)
	}
	h.eventually("the new village shows in the list", func() bool {
		return len(vt.rows) == 69 && slices.ContainsFunc(vt.rows, func(v ledger.Village) bool { return v.Code == code }) &&
			vt.count.Text == "共 69 个村"
	})
	if !f.code.Disabled() {
		t.Error("after saving, the form still lets the code be changed")
	}

	only := func(what string) {
		t.Helper()
		h.eventually(what+" lists only the new village", func() bool {
			return len(vt.rows) == 1 && vt.rows[0].Code == code
		})
	}
	h.retype(vt.search, "测试")
	only("searching 测试")
	h.retype(vt.search, "鲁村")
	h.eventually("searching 鲁村 lists the six 鲁村 villages", func() bool {
		if len(vt.rows) != 6 {
			return false
		}
		for _, v := range vt.rows {
			if !strings.HasPrefix(v.Name, "鲁村") {
				return false
			}
		}
		return true
	})
	h.retype(vt.search, string(code))
	only("searching its code")
	h.retype(vt.search, "3703231022")
	h.eventually("a code prefix lists every village whose code starts so", func() bool {
		if len(vt.rows) < 2 || len(vt.rows) == 69 {
			return false
		}
		for _, v := range vt.rows {
			if !strings.HasPrefix(string(v.Code), "3703231022") {
				return false
			}
		}
		return true
	})

	vt.search.SetText("")
	h.eventually("clearing the search lists all 69", func() bool { return len(vt.rows) == 69 })
	test.Tap(vt.keyOnly)
	only("只看省定重点村")
	test.Tap(vt.keyOnly)
	h.eventually("unchecking 只看省定重点村 lists all 69", func() bool { return len(vt.rows) == 69 })

	// Picking a row opens it in the form.
	i := slices.IndexFunc(vt.rows, func(v ledger.Village) bool { return v.Code == code })
	vt.list.selectRow(i, false)
	if f.name.Text != name || f.households.Text != "120" || !f.key.Checked || !f.code.Disabled() {
		t.Errorf("picked village in the form: name %q, households %q, key %v", f.name.Text, f.households.Text, f.key.Checked)
	}
}
