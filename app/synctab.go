package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// syncTab is 同步与冲突: how sync stands, in full, and the conflicts to review. A conflict is a field two
// offices changed without seeing each other's change: the later one won everywhere, and the clerk can
// restore the other value here, or keep the winner.
type syncTab struct {
	u         *UI
	content   fyne.CanvasObject
	summary   *widget.Label
	list      *fyne.Container
	conflicts []query.Conflict
}

type syncData struct {
	stats     query.Stats
	conflicts []query.Conflict
	problem   string
}

func (u *UI) newSyncTab() *syncTab {
	t := &syncTab{u: u, summary: widget.NewLabel(""), list: container.NewVBox()}
	t.summary.Wrapping = fyne.TextWrapWord
	explain := widget.NewLabel(T("两个单位在没看到对方修改的情况下改了同一项时，以后改的为准，另一个值保存在这里。请核对：如果被覆盖的值才是对的，点“恢复这个值”。"))
	explain.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(heading(T("同步情况")), t.summary, widget.NewSeparator(), heading(T("待核对的冲突")), explain)
	t.content = container.NewBorder(top, nil, nil, nil, container.NewVScroll(t.list))
	live(u, func(ws query.WatchSet) syncData {
		d := syncData{stats: u.st.Stats(ws)}
		var err error
		if d.conflicts, err = u.st.Conflicts(true); err != nil {
			d.problem = Sentence(err)
		}
		return d
	}, t.show)
	return t
}

func (t *syncTab) show(d syncData) {
	u, s := t.u, d.stats
	var b strings.Builder
	switch {
	case s.Changes == 0:
		b.WriteString(T("本机还没有修改。"))
	case s.Pending == 0:
		b.WriteString(T("本机的 %d 处修改已全部报送市局。", s.Changes))
	default:
		b.WriteString(T("本机共有 %d 处修改，市局已收到 %d 处，还有 %d 处待上报（有网络时自动报送）。", s.Changes, s.Acked, s.Pending))
	}
	b.WriteString("\n" + T("村 %d 个（重点村 %d 个），科技指导人员 %d 人，培训与服务记录 %d 条。", s.Villages, s.KeyVillages, s.Advisors, s.Trainings))
	if u.opts.Sync == nil {
		b.WriteString("\n" + T("这个版本不连接市局。"))
	} else if url, _ := u.opts.Sync.Config(); url == "" {
		b.WriteString("\n" + T("还没有设置市局服务器：记录都保存在本机，在“设置”里填写服务器地址和令牌后会自动报送。"))
	} else {
		b.WriteString("\n" + T("市局服务器：%s", url))
	}
	if d.problem != "" {
		b.WriteString("\n" + d.problem)
	}
	t.summary.SetText(b.String())
	t.conflicts = d.conflicts
	t.list.Objects = nil
	if len(d.conflicts) == 0 {
		t.list.Add(widget.NewLabel(T("没有待核对的冲突。")))
	}
	for _, c := range d.conflicts {
		t.list.Add(t.card(c))
	}
	t.list.Refresh()
}

// card shows one conflict in plain words, with its two buttons.
func (t *syncTab) card(c query.Conflict) fyne.CanvasObject {
	u := t.u
	what := T("%s“%s”的「%s」", T(ledger.KindName(c.Kind)), u.recordName(c.Kind, c.ID), fieldLabel(c.Kind, c.Field))
	who := func(f ledger.Field) string {
		return T("%s（%s，%s）", orNone(u.fieldValue(c.Kind, c.Field, f.Value)), authorOf(u, f.Version),
			f.Stamp.Time().In(ledger.China).Format("2006-01-02 15:04"))
	}
	text := widget.NewLabel(T("%s被两处同时修改。\n现在的值：%s\n被覆盖的值：%s", what, who(c.Winner), who(c.Loser)))
	text.Wrapping = fyne.TextWrapWord
	restore := widget.NewButtonWithIcon(T("恢复这个值"), theme.ContentUndoIcon(), func() { t.resolve(c, true) })
	keep := widget.NewButtonWithIcon(T("保留现在的值"), theme.ConfirmIcon(), func() { t.resolve(c, false) })
	return widget.NewCard("", "", container.NewVBox(text, container.NewHBox(layoutSpacer(), keep, restore)))
}

func authorOf(u *UI, v ledger.Version) string {
	who := v.Author
	if who == "" {
		who = T("（未署名）")
	}
	if v.Office != "" {
		who += " · " + u.places.name(v.Office)
	}
	return who
}

func (t *syncTab) resolve(c query.Conflict, restore bool) {
	t.u.saveWith(func(ctx context.Context) error { return t.u.st.ResolveConflict(ctx, c.Seq, restore) }, func(err error) {
		if err != nil {
			t.u.showError(err)
		}
	})
}

// recordName names a record for a clerk: a village's or advisor's name, a training's date and village.
func (u *UI) recordName(k ledger.Kind, id string) string {
	switch k {
	case ledger.KindVillage:
		return u.villageName(ledger.Code(id))
	case ledger.KindAdvisor:
		return u.advisorName(id)
	case ledger.KindTraining:
		if rec, err := u.st.Record(id); err == nil {
			if tr, err := ledger.As[ledger.Training](rec); err == nil {
				return string(tr.Date) + " " + u.villageNames(tr.Villages)
			}
		}
	}
	return id
}
