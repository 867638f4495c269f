package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
	"techaid/report"
	"techaid/storage"
)

// TestSheets: the 报表与导入 tab exports a table the clerk picks to the file chosen, as .xlsx or CSV,
// and imports the bureau's key-village list: the preview lists every row with how it matched, writes
// nothing, and its button writes exactly the matched villages. A township has no roster import.
func TestSheets(t *testing.T) {
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	u := h.u
	u.Show("报表与导入")
	tab := u.sheets
	if button(tab.content, "导入科技指导人员名册…") != nil {
		t.Error("a township office is offered the roster import; only the city edits the roster")
	}
	dir := t.TempDir()

	h.pick(tab.which, "科技指导人员名册")
	if !tab.month.Disabled() {
		t.Error("月份 is enabled for the roster")
	}
	path := filepath.Join(dir, tab.fileName(tab.spec()))
	tab.exportTo(tab.spec(), path)
	h.eventually("the export finishes", func() bool { return strings.HasPrefix(tab.exportMsg.Text, "已导出") })
	sheets, err := report.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v (%s)", path, err, tab.exportMsg.Text)
	}
	if n := len(sheets[0].Rows); n != 1+len(st.Advisors(query.Advisors{}, nil)) {
		t.Fatalf("the roster export has %d rows", n)
	}

	h.pick(tab.which, "月度调度")
	tab.format.SetSelected("CSV（每个工作表一个文件）")
	if tab.month.Disabled() || !strings.HasSuffix(tab.fileName(tab.spec()), ".csv") {
		t.Fatalf("monthly as CSV: month disabled %v, file %s", tab.month.Disabled(), tab.fileName(tab.spec()))
	}
	tab.exportMsg.SetText("")
	tab.exportTo(tab.spec(), filepath.Join(dir, tab.fileName(tab.spec())))
	h.eventually("the monthly export finishes", func() bool { return strings.HasPrefix(tab.exportMsg.Text, "已导出") })
	if files, _ := filepath.Glob(filepath.Join(dir, "月度调度-*.csv")); len(files) != 7 {
		t.Fatalf("monthly as CSV wrote %v, want 7 files (%s)", files, tab.exportMsg.Text)
	}

	list := filepath.Join(dir, "重点村.csv")
	if err := os.WriteFile(list, []byte("区县,乡镇,村\n沂源县,鲁村镇,鲁村一村村委会\n沂源,鲁村,鲁村二村\n沂源县,鲁村镇,不存在村\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tab.planImport("keyvillages", list)
	var dlg = h.win.Canvas().Overlays().Top()
	h.eventually("the preview shows", func() bool {
		dlg = h.win.Canvas().Overlays().Top()
		return dlg != nil && button(dlg, "导入 2 条") != nil
	})
	lines := find(dlg, func(l *widget.List) bool { return true })
	if lines == nil || lines.Length() != 3 {
		t.Fatalf("the preview lists %v rows, want 3", lines)
	}
	if n := len(keyOnly(st)); n != 0 {
		t.Fatalf("the preview wrote %d key villages", n)
	}
	test.Tap(button(dlg, "导入 2 条"))
	h.eventually("the import finishes", func() bool { return strings.HasPrefix(tab.importMsg.Text, "已导入") })
	if got := keyOnly(st); len(got) != 2 || got[0].Name != "鲁村一村村委会" || got[1].Name != "鲁村二村村委会" {
		t.Fatalf("key villages after the import: %+v (%s)", got, tab.importMsg.Text)
	}

	if err := os.WriteFile(list, []byte("\x89PNG\r\n\x1a\n\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	tab.planImport("keyvillages", list)
	h.eventually("a picture is refused", func() bool { return strings.HasPrefix(tab.importMsg.Text, "没有导入") })
	if !strings.Contains(tab.importMsg.Text, "不是 .xlsx 或 CSV") {
		t.Errorf("a picture is refused with %q", tab.importMsg.Text)
	}
}

func keyOnly(st *storage.Store) []ledger.Village {
	vs, _ := st.Villages(query.Villages{KeyOnly: true}, nil)
	return vs
}
