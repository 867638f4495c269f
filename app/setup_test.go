package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"techaid/query"
)

// TestFirstRun: an empty store opens on the set-up screen; picking 沂源县 and 鲁村镇 and naming the clerk
// makes the store 鲁村镇's, writes its villages from the division list, and opens the main view.
func TestFirstRun(t *testing.T) {
	st := openStore(t, baseWall)
	h := newApp(t)
	u := h.open(st)
	if u.tabs != nil {
		t.Fatal("an empty store opened on the main view, not the set-up")
	}
	setup := h.win.Content()
	sel := func(placeholder string) *widget.Select {
		s := find(setup, func(s *widget.Select) bool { return s.PlaceHolder == placeholder })
		if s == nil {
			t.Fatalf("set-up has no select %q", placeholder)
		}
		return s
	}
	county, township := sel("请选择区县"), sel("请选择乡镇（街道）")
	clerk := find(setup, func(e *field) bool { return e.PlaceHolder == "例如：王芳" })
	if clerk == nil {
		t.Fatal("set-up has no clerk entry")
	}
	start := mustButton(t, setup, "开始使用")

	// The whole city has no township to pick.
	h.pick(county, "淄博市科技局（全市）")
	if !township.Disabled() {
		t.Error("township select enabled for the whole city")
	}

	h.pick(county, "沂源县")
	if township.Disabled() {
		t.Fatal("township select disabled for 沂源县")
	}
	towns := map[string]bool{}
	for _, d := range divisions {
		if d.County == yiyuan {
			towns[d.TownshipName] = true
		}
	}
	if got := township.Options; len(got) != len(towns)+1 || got[0] != "（整个区县）" {
		t.Errorf("township options %v: want （整个区县） and the %d townships of 沂源县", got, len(towns))
	}
	h.pick(township, "鲁村镇")

	// No clerk: refused in words, nothing written.
	test.Tap(start)
	problem := find(setup, func(l *widget.Label) bool { return l.Importance == widget.DangerImportance })
	if problem == nil || problem.Text != "请填写录入人姓名，记录的每一处修改都会署上这个名字。" {
		t.Fatalf("start without a clerk: problem label %v", problem)
	}
	if h.focused() != clerk {
		t.Errorf("focus after a missing clerk is %T, want the clerk entry", h.focused())
	}
	if st.Identity().Replica != "" {
		t.Fatal("store initialised without a clerk")
	}

	h.typeText(clerkName)
	test.Tap(start)
	h.eventually("the main view replaces the set-up", func() bool { return u.tabs != nil && h.win.Content() != setup })

	id := st.Identity()
	if id.Scope != lucun || id.Clerk != clerkName {
		t.Errorf("identity %+v: want scope %s, clerk %s", id, lucun, clerkName)
	}
	want := len(townDivisions(lucun))
	if want != 68 {
		t.Fatalf("division list has %d villages of 鲁村镇; the test expects the real list's 68", want)
	}
	if got := st.Stats(nil).Villages; got != want {
		t.Errorf("store holds %d villages after set-up, want %d", got, want)
	}
	vs, _ := st.Villages(query.Villages{Under: lucun}, nil)
	names := map[string]bool{}
	for _, v := range vs {
		names[v.Name] = true
		if v.TownshipName != "鲁村镇" || v.CountyName != "沂源县" {
			t.Errorf("village %s %s: township %q, county %q", v.Code, v.Name, v.TownshipName, v.CountyName)
			break
		}
	}
	for _, d := range townDivisions(lucun) {
		if !names[d.VillageName] {
			t.Errorf("village %s missing after set-up", d.VillageName)
		}
	}
	h.eventually("the villages tab lists them", func() bool {
		return len(u.villages.rows) == want && u.villages.count.Text == "共 68 个村"
	})
	if got := h.win.Title(); got != "科技帮扶台账 — 鲁村镇" {
		t.Errorf("window title %q", got)
	}
	h.eventually("the status bar names office and clerk", func() bool {
		return u.status.who.Text == "鲁村镇 · 录入人：王芳"
	})
	h.wantSelected("the main view opens", u.trainings.date, "2026-11-01")

	// The villages copied from the division list are nobody's work: nothing is waiting for the city.
	if s := st.Stats(nil); s.Pending != 0 || s.Changes != 0 {
		t.Errorf("after set-up: %d changes, %d pending; want none", s.Changes, s.Pending)
	}
	h.eventually("the status line says where the data is, and nothing pending", func() bool {
		return u.status.sync.Text == "未设置市局服务器，数据保存在本机"
	})
	// The first record typed is.
	h.typeText("10-18")
	h.tab()
	h.typeText("1")
	h.press(fyne.KeyReturn)
	h.tab()
	h.typeText("鲁村一")
	h.press(fyne.KeyReturn)
	h.tab()
	h.tab()
	h.typeText("苹果春季修剪")
	h.press(fyne.KeyReturn)
	h.eventually("the first record is pending", func() bool {
		return u.status.sync.Text == "未设置市局服务器，数据保存在本机 · 待上报 1 条"
	})
}
