package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
)

// The programme's screens, each kind through its form as a clerk uses it: typed by keyboard (the
// completers take what was typed when the keyboard moves on), saved with Enter, shown in its list,
// opened from the list and edited; bad input refused with every problem in Chinese and nothing stored;
// the city's registries read-only in a township office.

// entry is a field of a record form and what the clerk types into it.
type entry struct{ field, text string }

// screenOf is the form and list of a screen of the sidebar, shown.
func screenOf[R ledger.Entity](t *testing.T, h *harness, title string) (*recordForm[R], *recordList[R]) {
	t.Helper()
	s := h.u.screens[title]
	if s == nil {
		t.Fatalf("no screen %s", title)
	}
	h.u.Show(title)
	return s.form.(*recordForm[R]), s.list.(*recordList[R])
}

// typeInto fills the form as the clerk does, field after field, and presses Enter in the last.
func typeInto[R ledger.Entity](t *testing.T, h *harness, f *recordForm[R], entries []entry) {
	t.Helper()
	for _, e := range entries {
		in := f.input(e.field)
		if in == nil {
			t.Fatalf("the %s form has no field %s", f.kind, e.field)
		}
		if e.text == "" { // the clerk empties the field: select-on-focus, then Delete
			h.retype(in.focus, "")
			in.entry.SetText("")
			continue
		}
		h.retype(in.focus, e.text)
	}
	// Enter from a plain field saves; from a completer it first takes the suggestion: leave it first.
	last := f.input(entries[len(entries)-1].field)
	if _, ok := last.focus.(*completer); ok {
		h.retype(f.input("notes").focus, f.input("notes").entry.Text)
	}
	h.press(fyne.KeyReturn)
}

// kindCase is one kind's trip through its screen.
type kindCase[R ledger.Entity] struct {
	title string
	add   []entry // a good record
	check func(t *testing.T, r R)
	edit  entry // one field changed on the record opened from the list
	after func(t *testing.T, r R)
	bad   []entry  // a record with problems
	says  []string // what the refusal says, each
}

// exercise runs a kind's case on a store where this office may write the kind.
func exercise[R ledger.Entity](t *testing.T, h *harness, c kindCase[R], list func() []R) {
	t.Helper()
	f, l := screenOf[R](t, h, c.title)
	if h.focused() != f.inputs[0].focus {
		t.Errorf("%s: the keyboard is in %T, want the form's first field", c.title, h.focused())
	}
	typeInto(t, h, f, c.add)
	h.eventually(c.title+": saved", func() bool { return strings.HasPrefix(f.message.Text, "已保存：") })
	rs := list()
	if len(rs) != 1 {
		t.Fatalf("%s: the store holds %d records after one save", c.title, len(rs))
	}
	c.check(t, rs[0])
	h.eventually(c.title+": the list shows it", func() bool {
		return len(l.rows) == 1 && l.rows[0].RecordID() == rs[0].RecordID() && l.count.Text == "共 1 条，显示 1 条"
	})

	// Opened from the list, changed, saved with Enter.
	l.table.Select(widget.TableCellID{Row: 0, Col: 0})
	if f.editing == nil || (*f.editing).RecordID() != rs[0].RecordID() {
		t.Fatalf("%s: picking the row did not open it in the form", c.title)
	}
	typeInto(t, h, f, []entry{c.edit})
	h.eventually(c.title+": edited", func() bool { return strings.HasPrefix(f.message.Text, "已修改：") })
	rs = list()
	if len(rs) != 1 {
		t.Fatalf("%s: the store holds %d records after an edit", c.title, len(rs))
	}
	c.after(t, rs[0])
	if f.editing != nil {
		t.Errorf("%s: the form still edits after saving", c.title)
	}

	// Bad input: refused, every problem said, the cursor in the first, nothing stored.
	typeInto(t, h, f, c.bad)
	h.eventually(c.title+": refused", func() bool { return strings.HasPrefix(f.message.Text, "没有保存：") })
	for _, s := range c.says {
		if !strings.Contains(f.message.Text, s) {
			t.Errorf("%s: the refusal %q does not say %q", c.title, f.message.Text, s)
		}
	}
	if f.message.Text != "没有保存：" && !hasHan(f.message.Text) {
		t.Errorf("%s: the refusal is not in Chinese: %q", c.title, f.message.Text)
	}
	h.drv.pump()
	if n := len(list()); n != 1 {
		t.Errorf("%s: %d records stored after a refused save", c.title, n)
	}
}

func needs(st *storage.Store) []ledger.Need {
	rs, _ := st.Needs(query.Needs{}, nil)
	return rs
}

// TestNeedsScreen: a township clerk records a need, takes it to 已解决 (closed today), and a need with
// no problem, an unknown village and a bad state is refused in Chinese with nothing stored.
func TestNeedsScreen(t *testing.T) {
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	wang := village(t, "王村村委会")
	exercise(t, h, kindCase[ledger.Need]{
		title: "需求跟踪",
		add: []entry{{"village", "王村"}, {"raised", "10-20"}, {"industry", "苹果"}, {"problem", "苹果树腐烂病不会治"},
			{"group", "林果"}, {"advisor", "王志刚"}, {"state", "已对接"}, {"notes", "入户调研"}},
		check: func(t *testing.T, n ledger.Need) {
			if n.Village != wang.Village || n.Raised != "2026-10-20" || n.Group != "林果" || n.State != ledger.NeedMatched ||
				n.Advisor != advisorID(t, "王志刚") || n.Problem != "苹果树腐烂病不会治" || n.Closed != "" {
				t.Errorf("stored need %+v", n)
			}
		},
		edit: entry{"state", "已解决"},
		after: func(t *testing.T, n ledger.Need) {
			if n.State != ledger.NeedResolved || n.Closed != "2026-11-01" || n.Problem != "苹果树腐烂病不会治" {
				t.Errorf("edited need %+v", n)
			}
		},
		bad:  []entry{{"village", "没有这个村"}, {"problem", ""}, {"state", "差不多"}},
		says: []string{"本单位没有叫“没有这个村”的村", "需求（群众原话）", "状态：只能是：待对接、已对接、服务中、已解决、无法解决"},
	}, func() []ledger.Need { return needs(st) })
}

// TestNeedsFromSurvey: saving a 需求调研 offers 登记调研需求, whose form takes the survey's village and
// date and names the survey; two needs typed in a row are both linked to it.
func TestNeedsFromSurvey(t *testing.T) {
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	tf := h.u.trainings.trainingForm
	h.retype(tf.date, "10-28")
	h.retype(tf.kind, "需求调研")
	h.retype(tf.villages, "王村")
	h.retype(tf.topic, "秋季需求调研")
	h.press(fyne.KeyReturn)
	h.eventually("the survey is saved", func() bool { return strings.HasPrefix(tf.message.Text, "已保存") })
	if !tf.raise.Visible() {
		t.Fatal("no 登记调研需求 after saving a 需求调研")
	}
	survey := trainings(t, st)[0]
	test.Tap(tf.raise)
	f := h.u.needDialog
	if f == nil {
		t.Fatal("登记调研需求 opened no need form")
	}
	if got := f.input("village").entry.Text; got != "王村村委会" {
		t.Errorf("the need form's village reads %q, want the survey's", got)
	}
	for _, p := range []string{"大棚黄瓜霜霉病", "缺少冷库"} {
		typeInto(t, h, f, []entry{{"problem", p}, {"group", "蔬菜"}})
		h.eventually("saved "+p, func() bool { return strings.Contains(f.message.Text, p) })
	}
	ns, _ := st.Needs(query.Needs{Training: survey.ID}, nil)
	if len(ns) != 2 {
		t.Fatalf("%d needs linked to the survey, want 2", len(ns))
	}
	for _, n := range ns {
		if n.Survey != survey.ID || n.Raised != "2026-10-28" || n.Village != village(t, "王村村委会").Village || n.State != ledger.NeedWaiting {
			t.Errorf("need from the survey %+v", n)
		}
	}
}

// TestProjectsScreen: a project with villages, a lead and a team, approved (which wants its date);
// its free-text varieties stay as typed.
func TestProjectsScreen(t *testing.T) {
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	exercise(t, h, kindCase[ledger.Project]{
		title: "科技扶贫项目",
		add: []entry{{"name", "矮砧苹果示范"}, {"villages", "王村"}, {"lead", "王志刚"}, {"team", "王志强"},
			{"group", "林果"}, {"source", "1"}, {"amount", "12.5"}, {"state", "立项"}, {"approved", "2026-04-01"},
			{"households", "40"}, {"varieties", "鲁丽、矮砧密植"}, {"notes", ""}},
		check: func(t *testing.T, p ledger.Project) {
			if p.Name != "矮砧苹果示范" || p.Year != 2026 || p.Source != ledger.SourceProvince || p.Amount != 12.5 ||
				p.State != ledger.ProjectApproved || p.Approved != "2026-04-01" || p.Lead != advisorID(t, "王志刚") ||
				len(p.Team) != 1 || p.Households != 40 || strings.Join(p.Varieties, "|") != "鲁丽|矮砧密植" {
				t.Errorf("stored project %+v", p)
			}
		},
		edit: entry{"amount", "20"},
		after: func(t *testing.T, p ledger.Project) {
			if p.Amount != 20 || p.Name != "矮砧苹果示范" {
				t.Errorf("edited project %+v", p)
			}
		},
		bad:  []entry{{"name", ""}, {"amount", "很多"}, {"state", "实施"}, {"approved", ""}},
		says: []string{"项目名称", "支持金额（万元）：请填写不小于 0 的数", "立项日期"},
	}, func() []ledger.Project { ps, _ := st.Projects(query.Projects{}, nil); return ps })
}

// TestLeadersScreen and TestPublicityScreen: the township's own records.
func TestLeadersScreen(t *testing.T) {
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	exercise(t, h, kindCase[ledger.Leader]{
		title: "带头人示范户",
		add: []entry{{"name", "张建国"}, {"kind", "2"}, {"village", "王村"}, {"gender", "男"}, {"industry", "苹果"},
			{"advisor", "王志刚"}, {"since", "6-1"}, {"notes", ""}},
		check: func(t *testing.T, l ledger.Leader) {
			if l.Name != "张建国" || l.Kind != ledger.LeaderModel || l.Since != "2026-06-01" || l.Gender != "男" {
				t.Errorf("stored leader %+v", l)
			}
		},
		edit: entry{"phone", "13905331234"},
		after: func(t *testing.T, l ledger.Leader) {
			if l.Phone != "13905331234" {
				t.Errorf("edited leader %+v", l)
			}
		},
		bad:  []entry{{"name", ""}, {"phone", "12"}, {"since", "13-40"}},
		says: []string{"姓名", "电话", "认定日期"},
	}, func() []ledger.Leader { ls, _ := st.Leaders(query.Leaders{}, nil); return ls })
}

func TestPublicityScreen(t *testing.T) {
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	exercise(t, h, kindCase[ledger.Publicity]{
		title: "宣传报道",
		add: []entry{{"title", "鲁村镇科技帮扶见成效"}, {"outlet", "淄博日报"}, {"date", "9-15"}, {"form", "专栏"},
			{"advisors", "王志刚"}, {"villages", "王村"}, {"notes", ""}},
		check: func(t *testing.T, p ledger.Publicity) {
			if p.Org != lucun || p.Form != ledger.PublicityColumn || p.Date != "2026-09-15" || len(p.Villages) != 1 {
				t.Errorf("stored report %+v", p)
			}
		},
		edit: entry{"link", "淄博日报 2026-09-15 第 3 版"},
		after: func(t *testing.T, p ledger.Publicity) {
			if p.Link != "淄博日报 2026-09-15 第 3 版" {
				t.Errorf("edited report %+v", p)
			}
		},
		bad:  []entry{{"title", ""}, {"outlet", ""}, {"org", "张店区"}},
		says: []string{"标题", "刊发媒体", "没有叫“张店区”的区县或乡镇"},
	}, func() []ledger.Publicity { ps, _ := st.PublicityList(query.Publicity{}, nil); return ps })
}

// cityWithVillages is the city office's store with 鲁村镇's villages and the roster.
func cityWithVillages(t *testing.T) *storage.Store {
	t.Helper()
	st := cityStore(t)
	var seeds []ledger.Entity
	for _, d := range townDivisions(lucun) {
		seeds = append(seeds, d.Record())
	}
	if _, err := st.Import(context.Background(), seeds, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApplyRemote(context.Background(), roster); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestRegistriesCity: the city keeps the registries through their screens: a variety (a name that
// another variety has as an other name is refused), an introduction of it (a name the registry lacks is refused
// with what it may mean), a park, its pairing with a village, a platform.
func TestRegistriesCity(t *testing.T) {
	st := cityWithVillages(t)
	h := newHarness(t, st)
	varieties := func() []ledger.Variety { return st.Varieties(query.Varieties{}, nil) }
	exercise(t, h, kindCase[ledger.Variety]{
		title: "新品种新技术名册",
		add:   []entry{{"name", "鲁丽苹果"}, {"kind", "新品种"}, {"group", "林果"}, {"industry", "苹果"}, {"notes", ""}},
		check: func(t *testing.T, v ledger.Variety) {
			if v.Name != "鲁丽苹果" || v.Kind != ledger.VarietyBreed || v.Group != "林果" {
				t.Errorf("stored variety %+v", v)
			}
		},
		edit: entry{"aliases", "鲁丽、鲁丽 苹果早熟"},
		after: func(t *testing.T, v ledger.Variety) {
			if strings.Join(v.Aliases, "|") != "鲁丽|鲁丽 苹果早熟" {
				t.Errorf("edited variety %+v", v)
			}
		},
		bad:  []entry{{"name", "鲁 丽"}, {"kind", "新东西"}},
		says: []string{"已登记为另一个品种/技术", "类别：只能是：新品种、新技术"},
	}, varieties)

	exercise(t, h, kindCase[ledger.Introduction]{
		title: "引进推广",
		add:   []entry{{"variety", "鲁丽"}, {"villages", "王村"}, {"area", "35.5"}, {"households", "12"}, {"notes", ""}},
		check: func(t *testing.T, i ledger.Introduction) {
			if i.Variety != varieties()[0].ID || i.Year != 2026 || i.Area != 35.5 || i.Households != 12 {
				t.Errorf("stored introduction %+v", i)
			}
		},
		edit: entry{"households", "15"},
		after: func(t *testing.T, i ledger.Introduction) {
			if i.Households != 15 {
				t.Errorf("edited introduction %+v", i)
			}
		},
		bad:  []entry{{"variety", "鲁丽苹果晚熟"}, {"area", "-3"}},
		says: []string{"“鲁丽苹果晚熟”不在新品种新技术名册中", "是不是：鲁丽苹果", "推广面积（亩）：请填写不小于 0 的数"},
	}, func() []ledger.Introduction { is, _ := st.Introductions(query.Introductions{}, nil); return is })

	exercise(t, h, kindCase[ledger.Park]{
		title: "农业科技园区",
		add:   []entry{{"name", "沂源县省级农业科技园区"}, {"county", "沂源"}, {"speciality", "沂源红苹果"}, {"year", "2019"}, {"notes", ""}},
		check: func(t *testing.T, p ledger.Park) {
			if p.County != yiyuan || p.Year != 2019 || p.Speciality != "沂源红苹果" {
				t.Errorf("stored park %+v", p)
			}
		},
		edit: entry{"speciality", "沂源红苹果、桃"},
		after: func(t *testing.T, p ledger.Park) {
			if p.Speciality != "沂源红苹果、桃" {
				t.Errorf("edited park %+v", p)
			}
		},
		bad:  []entry{{"name", ""}, {"county", "火星"}, {"year", "1900"}},
		says: []string{"园区名称", "没有叫“火星”的区县或乡镇", "认定年份"},
	}, func() []ledger.Park { return st.Parks("", nil) })

	exercise(t, h, kindCase[ledger.ParkPairing]{
		title: "园区结对",
		add:   []entry{{"park", "沂源"}, {"village", "王村"}, {"from", "2026-03-01"}, {"jobs", "8"}, {"notes", ""}},
		check: func(t *testing.T, p ledger.ParkPairing) {
			if p.Park != st.Parks("", nil)[0].ID || p.Village != village(t, "王村村委会").Village || p.From != "2026-03-01" || p.Jobs != 8 {
				t.Errorf("stored pairing %+v", p)
			}
		},
		edit: entry{"jobs", "12"},
		after: func(t *testing.T, p ledger.ParkPairing) {
			if p.Jobs != 12 {
				t.Errorf("edited pairing %+v", p)
			}
		},
		bad:  []entry{{"park", "不存在的园区"}, {"from", "2026-05-01"}, {"to", "2026-04-01"}},
		says: []string{"园区名册里没有“不存在的园区”", "结束日期：不能早于开始日期"},
	}, func() []ledger.ParkPairing { return st.ParkPairings(query.ParkPairings{}, nil) })

	exercise(t, h, kindCase[ledger.Platform]{
		title: "星创天地、农科驿站",
		add: []entry{{"name", "鲁村农科驿站"}, {"kind", "农科驿站"}, {"level", "省级"}, {"state", "认定"}, {"date", "2025-06-01"},
			{"location", "鲁村镇"}, {"villages", "王村"}, {"notes", ""}},
		check: func(t *testing.T, p ledger.Platform) {
			if p.Location != lucun || p.Kind != ledger.PlatformStation || p.Date != "2025-06-01" || len(p.Villages) != 1 {
				t.Errorf("stored platform %+v", p)
			}
		},
		edit: entry{"operator", "鲁村果品合作社"},
		after: func(t *testing.T, p ledger.Platform) {
			if p.Operator != "鲁村果品合作社" {
				t.Errorf("edited platform %+v", p)
			}
		},
		bad:  []entry{{"name", ""}, {"level", "宇宙级"}, {"date", "2-30"}},
		says: []string{"名称", "级别：只能是：国家级、省级、市级", "没有这一天"},
	}, func() []ledger.Platform { ps, _ := st.Platforms(query.Platforms{}, nil); return ps })
}

// TestRegistriesReadOnlyInTownship: a township office sees the city's registries (the parks of its
// county, the varieties) but their forms are read-only and say why; Enter saves nothing.
func TestRegistriesReadOnlyInTownship(t *testing.T) {
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	for _, title := range []string{"新品种新技术名册", "农业科技园区", "园区结对", "星创天地、农科驿站"} {
		s := h.u.screens[title]
		h.u.Show(title)
		var in fyne.Disableable
		var msg, head string
		var submit func()
		switch f := s.form.(type) {
		case *recordForm[ledger.Variety]:
			in, msg, head, submit = f.inputs[0].entry, f.message.Text, f.title.Text, f.submit
		case *recordForm[ledger.Park]:
			in, msg, head, submit = f.inputs[0].entry, f.message.Text, f.title.Text, f.submit
		case *recordForm[ledger.ParkPairing]:
			in, msg, head, submit = f.inputs[0].entry, f.message.Text, f.title.Text, f.submit
		case *recordForm[ledger.Platform]:
			in, msg, head, submit = f.inputs[0].entry, f.message.Text, f.title.Text, f.submit
		default:
			t.Fatalf("%s: form %T", title, s.form)
		}
		if !in.Disabled() {
			t.Errorf("%s: a township can type into the city's registry", title)
		}
		if !strings.Contains(msg, "由市局统一维护，本单位只能查看") || !strings.Contains(head, "只读") {
			t.Errorf("%s: the form says %q / %q, want why it is read-only", title, head, msg)
		}
		if button(s.content, "保存（回车）") != nil {
			t.Errorf("%s: a township sees a save button", title)
		}
		submit()
	}
	if n := len(st.Varieties(query.Varieties{}, nil)) + len(st.Parks("", nil)); n != 0 {
		t.Errorf("a township's read-only forms stored %d records", n)
	}
}

// TestSidebarGroups: the sidebar keeps seven entries (a 720-pixel window shows them all), the
// programme's screens in two groups, and Show finds a screen within its group (村庄 in 名册与园区).
func TestSidebarGroups(t *testing.T) {
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	u := h.u
	if len(u.tabs.Items) != 7 {
		t.Errorf("%d sidebar entries, want 7", len(u.tabs.Items))
	}
	for title, group := range map[string]string{"村庄": "名册与园区", "科技扶贫项目": "需求与成果", "园区结对": "名册与园区",
		"需求跟踪": "需求与成果", "新品种新技术名册": "名册与园区", "目标进度": "目标进度"} {
		u.Show(title)
		if got := u.tabs.Selected().Text; got != group {
			t.Errorf("Show(%s) selects %s, want %s", title, got, group)
		}
	}
}
