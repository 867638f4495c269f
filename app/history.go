package app

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// showHistory lists who changed what of a record, and when, in plain words.
func (u *UI) showHistory(k ledger.Kind, id, title string) {
	u.spawn(func() {
		audits, err := u.st.History(id)
		fyne.Do(func() {
			if err != nil {
				u.showError(err)
				return
			}
			lines := make([]string, 0, len(audits))
			for i := len(audits) - 1; i >= 0; i-- { // newest first
				lines = append(lines, u.describeAudit(k, audits[i]))
			}
			if len(lines) == 0 {
				lines = append(lines, T("没有修改记录。"))
			}
			text := widget.NewLabel(strings.Join(lines, "\n\n"))
			text.Wrapping = fyne.TextWrapWord
			d := dialog.NewCustom(T("修改历史：%s", title), T("关闭"), container.NewVScroll(text), u.win)
			d.Resize(fyne.NewSize(640, 480))
			d.Show()
		})
	})
}

var opNames = map[string]string{query.OpCreate: "新建", query.OpUpdate: "修改", query.OpDelete: "删除",
	query.OpImport: "导入", query.OpSync: "同步收到", query.OpRestore: "恢复冲突中被覆盖的值"}

// describeAudit is one history entry: "2026-05-03 14:22 王芳（鲁村镇）修改：培训人次 30 → 35".
func (u *UI) describeAudit(k ledger.Kind, a query.Audit) string {
	op := opNames[a.Op]
	if op == "" {
		op = a.Op
	}
	who := a.Author
	if who == "" {
		who = T("（未署名）")
	}
	if a.Office != "" {
		who += T("（%s）", u.places.name(a.Office))
	}
	when := a.Stamp.Time().In(ledger.China).Format("2006-01-02 15:04")
	if a.Stamp == ledger.ReferenceStamp {
		when = T("初始设置时") // from the division list, stamped below every edit
		op = "从区划代码表写入"
	}
	head := fmt.Sprintf("%s  %s  %s", when, who, T(op))
	order := map[string]int{}
	for i, fi := range ledger.Fields(k) {
		order[fi.Name] = i
	}
	sorted := slices.Clone(a.Fields)
	slices.SortStableFunc(sorted, func(x, y query.AuditField) int { return order[x.Name] - order[y.Name] })
	var fields []string
	for _, f := range sorted { // in the form's order
		if f.Name == "deleted" {
			continue
		}
		old, cur := u.fieldValue(k, f.Name, f.Old), u.fieldValue(k, f.Name, f.New)
		switch {
		case old == "":
			fields = append(fields, fmt.Sprintf("%s：%s", fieldLabel(k, f.Name), cur))
		default:
			fields = append(fields, fmt.Sprintf("%s：%s → %s", fieldLabel(k, f.Name), old, orNone(cur)))
		}
	}
	if len(fields) == 0 {
		return head
	}
	return head + "\n    " + strings.Join(fields, "\n    ")
}

func orNone(s string) string {
	if s == "" {
		return T("（空）")
	}
	return s
}

// fieldValue shows a stored field value as a clerk knows it: village and advisor names for codes and
// ids, 是/否 for flags.
func (u *UI) fieldValue(k ledger.Kind, field, value string) string {
	if value == "" {
		return ""
	}
	items := []string{value}
	if strings.HasPrefix(value, "[") && json.Unmarshal([]byte(value), &items) != nil {
		items = []string{value}
	}
	switch {
	case field == "villages" || field == "village" || k == ledger.KindVillage && field == "id":
		var names []string
		for _, c := range items {
			names = append(names, u.villageName(ledger.Code(strings.TrimSpace(c))))
		}
		return strings.Join(names, listSep)
	case field == "advisors" || field == "advisor":
		var names []string
		for _, id := range items {
			names = append(names, u.advisorName(strings.TrimSpace(id)))
		}
		return strings.Join(names, listSep)
	case value == "true":
		return T("是")
	case value == "false":
		return T("否")
	case len(items) > 1 || strings.HasPrefix(value, "["):
		return strings.Join(items, listSep)
	}
	return T(value)
}

// writeRecent lists trainings a line each, newest first, for a detail's "latest records": date, kind,
// who (the villages for an advisor, the advisors for a village), topic and attendees.
func (u *UI) writeRecent(b *strings.Builder, trs []ledger.Training, who func(ledger.Training) string) {
	if len(trs) == 0 {
		b.WriteString("\n" + T("还没有记录。"))
	}
	for _, tr := range trs {
		fmt.Fprintf(b, "\n%s  %s  %s  %s", tr.Date, T(tr.Kind), who(tr), tr.Topic)
		if tr.Attendees > 0 {
			b.WriteString(T("（%d 人次）", tr.Attendees))
		}
	}
}
