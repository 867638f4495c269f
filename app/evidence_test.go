package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"techaid/evidence/evidencetest"
	"techaid/ledger"
)

// dropFiles writes files and drops them on the window, as a clerk dragging them from a folder does.
func dropFiles(t *testing.T, h *harness, files map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	var uris []fyne.URI
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		uris = append(uris, storage.NewFileURI(p))
	}
	h.u.dropped(fyne.NewPos(10, 10), uris)
}

// TestEvidenceOnTheForm: photos dropped on a new sheet are kept until its save and attached with it;
// dropped on a record being edited they are attached at once; a program named .jpg is refused with the
// reason; the list counts each record's files; editing another field keeps them.
func TestEvidenceOnTheForm(t *testing.T) {
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	tt := h.u.trainings
	wang := mustVillage(t, st, "王村村委会")

	h.retype(tt.date, "2026-10-12")
	h.retype(tt.kind, ledger.TrainingCourse)
	h.retype(tt.villages, wang.Name)
	h.retype(tt.topic, "苹果冬剪")
	h.retype(tt.attendees, "40")
	dropFiles(t, h, map[string][]byte{"签到表.jpg": evidencetest.Photo(1200, 1600, 1, 1)})
	h.eventually("the new sheet keeps the photo", func() bool { return len(tt.evidence.pending) == 1 && len(tt.evidence.grid.Objects) == 1 })
	if !strings.Contains(tt.evidence.msg.Text, "保存记录时一并保存") {
		t.Errorf("message %q", tt.evidence.msg.Text)
	}
	test.Tap(tt.save)
	h.eventually("saved", func() bool { return strings.HasPrefix(tt.message.Text, "已保存") })
	got := trainings(t, st)
	if len(got) != 1 || len(got[0].Evidence) != 1 {
		t.Fatalf("after the save the store holds %+v", got)
	}
	if len(tt.evidence.pending) != 0 || len(tt.evidence.grid.Objects) != 0 {
		t.Error("the next sheet starts with the last one's files")
	}
	h.eventually("the list counts the file", func() bool {
		return len(tt.rows) == 1 && tt.table.text(0, len(tt.table.cols)-1) == "1"
	})

	tt.table.Select(widget.TableCellID{Row: 0, Col: 2})
	h.eventually("the form shows the thumbnail", func() bool { return len(tt.evidence.grid.Objects) == 1 })
	dropFiles(t, h, map[string][]byte{
		"验收.pdf": evidencetest.PDF("x"),
		"现场.png": pngBytes(t),
		"病毒.jpg": append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 64)...),
	})
	h.eventually("two more attached, one refused", func() bool {
		return len(tt.evidence.grid.Objects) == 3 && strings.Contains(tt.evidence.msg.Text, "病毒.jpg")
	})
	if !strings.Contains(tt.evidence.msg.Text, "不是图片") {
		t.Errorf("the refusal says %q", tt.evidence.msg.Text)
	}
	// Editing a field of the record keeps its evidence.
	tt.table.Select(widget.TableCellID{Row: 0, Col: 2})
	h.retype(tt.attendees, "45")
	h.press(fyne.KeyReturn)
	h.eventually("the form says 已修改", func() bool { return strings.HasPrefix(tt.message.Text, "已修改") })
	got = trainings(t, st)
	if len(got) != 1 || got[0].Attendees != 45 || len(got[0].Evidence) != 3 {
		t.Fatalf("after the edit: %d files, attendees %d", len(got[0].Evidence), got[0].Attendees)
	}
	h.eventually("the list counts 3", func() bool { return tt.table.text(0, len(tt.table.cols)-1) == "3" })
	rows, err := h.u.signInSheets("2026-10-01")
	if err != nil || len(rows) != 1 || rows[0].total != 1 || rows[0].with != 1 {
		t.Errorf("sign-in sheets: %+v, %v", rows, err)
	}
	if err := st.Delete(context.Background(), got[0].ID); err != nil {
		t.Fatal(err)
	}
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "assets", "icon.png"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEvidenceOnANeed: a need's form takes dropped files too, attached to the need on screen.
func TestEvidenceOnANeed(t *testing.T) {
	st := townStore(t, baseWall)
	wang := mustVillage(t, st, "王村村委会")
	id, err := st.Create(context.Background(), ledger.Need{Village: wang.Code, Problem: "苹果腐烂病年年复发", Group: "林果",
		State: ledger.NeedWaiting, Raised: "2026-10-02"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, st)
	f, _ := screenOf[ledger.Need](t, h, "需求跟踪")
	need, err := st.Record(id)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := ledger.As[ledger.Need](need)
	f.show(n)
	if h.u.dropTarget() != f.evidence {
		t.Fatal("files dropped on the needs screen would not go to the need's form")
	}
	dropFiles(t, h, map[string][]byte{"调研照片.jpg": evidencetest.Photo(800, 600, 1, 5)})
	h.eventually("the need lists the photo", func() bool { return len(f.evidence.grid.Objects) == 1 })
	items, err := st.EvidenceOf(id)
	if err != nil || len(items) != 1 || items[0].Name != "调研照片.jpg" {
		t.Errorf("the need's evidence: %+v, %v", items, err)
	}
}
