package main

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"techaid/evidence"
	"techaid/evidence/evidencetest"
	"techaid/report"
)

type evidenceRow struct {
	Hash  string `json:"Hash"`
	Type  string `json:"Type"`
	Size  int64  `json:"Size"`
	Taken string `json:"Taken"`
	Place string `json:"Place"`
	Name  string `json:"Name"`
	Here  bool   `json:"here"`
}

// evidenceStore is a 鲁村镇 office with one training on 2026-05-01 at 鲁村一村, and the files to attach.
func evidenceStore(t *testing.T) (dir, id, files string) {
	t.Helper()
	dir = newStore(t, "370323102")
	ok(t, dir, "import", "villages", dataFile(t, "zibo_divisions.csv"), "--reference", "--quiet")
	id = newID(t, dir, "training", "add", "--village", "370323102201", "--date", "2026-05-01", "--kind", "技术培训",
		"--topic", "苹果春季修剪", "--attendees", "32")
	files = t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(files, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("IMG_20260501.JPG", evidencetest.Photo(4000, 3000, 6, 7))
	write("验收材料.pdf", evidencetest.PDF("acceptance"))
	write("签到表.jpg", append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 4096)...)) // a program named .jpg
	return dir, id, files
}

func TestAttachAndExportEvidence(t *testing.T) {
	dir, id, files := evidenceStore(t)
	photo, pdf := filepath.Join(files, "IMG_20260501.JPG"), filepath.Join(files, "验收材料.pdf")
	out := ok(t, dir, "attach", id, photo, pdf)
	wantContains(t, "attach", out, "已附加", "IMG_20260501.jpg（JPEG，1200×1600", "拍摄于 2026-04-28 09:12", "现有佐证材料 2 个")

	// A program named .jpg is refused with the reason, and nothing changes.
	before := snapshot(t, dir)
	msg := failure(t, nil, dir, "attach", id, filepath.Join(files, "签到表.jpg"))
	wantContains(t, "a program named .jpg", msg, "不是图片（JPEG、PNG）或 PDF")
	if after := snapshot(t, dir); after != before {
		t.Errorf("a refused attach changed the store")
	}

	rows := decode[[]evidenceRow](t, ok(t, dir, "evidence", "list", id, "--json"))
	if len(rows) != 2 || !rows[0].Here || rows[0].Place != "36.185869,118.170528" || rows[1].Name != "验收材料.pdf" {
		t.Fatalf("evidence list: %+v", rows)
	}
	st := decode[map[string]any](t, ok(t, dir, "stats", "--json"))
	if st["evidence_files"] != 2.0 || st["evidence_pending"] != 2.0 {
		t.Errorf("stats: %v files, %v pending", st["evidence_files"], st["evidence_pending"])
	}

	got := filepath.Join(t.TempDir(), "got")
	ok(t, dir, "evidence", "get", id, "--out", got)
	b, err := os.ReadFile(filepath.Join(got, "IMG_20260501.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if evidence.Hash(b) != rows[0].Hash {
		t.Errorf("evidence get: the bytes are not the stored file's")
	}
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(b)); err != nil || cfg.Width != 1200 || cfg.Height != 1600 {
		t.Errorf("the stored photo: %+v, %v", cfg, err)
	}
	if p, _ := os.ReadFile(filepath.Join(got, "验收材料.pdf")); !bytes.Equal(p, mustRead(t, pdf)) {
		t.Errorf("the PDF is not kept as it was")
	}

	// The ledger's 佐证材料 column names the files.
	ledgerCSV := filepath.Join(t.TempDir(), "台账.csv")
	ok(t, dir, "export", "ledger", "--year", "2026", "--out", ledgerCSV)
	recs := readCSV(t, ledgerCSV)
	col := slices.Index(recs[0], report.ColumnEvidence)
	if col < 0 || len(recs) < 2 || recs[1][col] != "IMG_20260501.jpg、验收材料.pdf" {
		t.Fatalf("the ledger's %s column: header %v, row %v", report.ColumnEvidence, recs[0], recs[1:])
	}

	// The month's evidence in a zip, by township and date.
	zipFile := filepath.Join(t.TempDir(), "五月佐证.zip")
	wantContains(t, "export evidence", ok(t, dir, "export", "evidence", "--year", "2026", "--month", "5", "--out", zipFile), "已导出 2026 年 5 月佐证材料 2 个")
	zr, err := zip.OpenReader(zipFile)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	folder := "沂源县 鲁村镇/2026-05-01/技术培训 苹果春季修剪 鲁村一村村委会/"
	for _, want := range []string{folder + "IMG_20260501.jpg", folder + "验收材料.pdf", report.EvidenceIndex} {
		if !slices.Contains(names, want) {
			t.Errorf("the zip lacks %s: %v", want, names)
		}
	}
	// Nothing in April.
	empty := filepath.Join(t.TempDir(), "april")
	wantContains(t, "april", ok(t, dir, "export", "evidence", "--year", "2026", "--month", "4", "--out", empty), "佐证材料 0 个")
	// Detach: the list shrinks, the ledger follows.
	ok(t, dir, "evidence", "detach", id, "验收材料.pdf")
	if rows := decode[[]evidenceRow](t, ok(t, dir, "evidence", "list", id, "--json")); len(rows) != 1 {
		t.Errorf("after detach: %+v", rows)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readCSV(t *testing.T, p string) [][]string {
	t.Helper()
	b := bytes.TrimPrefix(mustRead(t, p), []byte("\ufeff"))
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestAttachCrash kills a real techaid-cli with SIGKILL at random moments of attaching a 6 MB photo
// and two PDFs, and checks after each kill that the store opens and the training lists only files that
// are stored whole: the record and its evidence are both there or neither, never a dangling reference.
func TestAttachCrash(t *testing.T) {
	dir, id, files := evidenceStore(t)
	photo := filepath.Join(files, "IMG_20260501.JPG")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 16))
	kills, whole := 8, 0
	if os.Getenv("TECHAID_LONG") != "" {
		kills = 60
	}
	// How long an attach takes here, to kill within it: the shrink is most of it, the write its end.
	start := time.Now()
	ok(t, dir, "attach", id, filepath.Join(files, "验收材料.pdf"), photo)
	took := time.Since(start)
	for i := range kills {
		pdfs := []string{}
		for k := range 2 {
			p := filepath.Join(files, "p"+string(rune('a'+i))+string(rune('0'+k))+".pdf")
			if err := os.WriteFile(p, evidencetest.PDF(p), 0o644); err != nil {
				t.Fatal(err)
			}
			pdfs = append(pdfs, p)
		}
		cmd := exec.Command(binary, append([]string{"--data", dir, "attach", id, photo}, pdfs...)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(took/2 + time.Duration(rng.Int64N(int64(took*6/10))))
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		rows := decode[[]evidenceRow](t, ok(t, dir, "evidence", "list", id, "--json"))
		listed := map[string]bool{}
		for _, r := range rows {
			if !r.Here {
				t.Fatalf("kill %d: the training lists %s, which is not stored whole", i, r.Name)
			}
			listed[r.Name] = true
		}
		a, b := listed[filepath.Base(pdfs[0])], listed[filepath.Base(pdfs[1])]
		if a != b {
			t.Fatalf("kill %d: half an attach is listed: %v", i, listed)
		}
		if a {
			whole++
		}
		st := decode[map[string]any](t, ok(t, dir, "stats", "--json"))
		if int(st["evidence_files"].(float64)) != len(rows) {
			t.Fatalf("kill %d: stats count %v files, the training lists %d", i, st["evidence_files"], len(rows))
		}
	}
	t.Logf("%d kills within %v of an attach taking %v: %d attaches were whole, %d absent", kills, took*11/10, took, whole, kills-whole)
	if strings.Contains(ok(t, dir, "stats"), "佐证材料") == false {
		t.Error("stats does not say the evidence")
	}
}
