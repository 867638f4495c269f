package evidence_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"

	"techaid/evidence"
	"techaid/evidence/evidencetest"
)

func TestCheck(t *testing.T) {
	jpg := evidencetest.JPEG(320, 240, 1)
	pn := evidencetest.PNG(64, 48, 2)
	pdf := evidencetest.PDF("sign-in sheet", 20_000, 3)
	for _, c := range []struct {
		name string
		data []byte
		typ  string
	}{
		{"jpeg", jpg, evidence.JPEG},
		{"png", pn, evidence.PNG},
		{"pdf", pdf, evidence.PDF},
		{"pdf of 3 MB", evidencetest.PDF("验收材料", 3<<20, 4), evidence.PDF},
	} {
		t.Run(c.name, func(t *testing.T) {
			typ, err := evidence.Check(c.data)
			if err != nil || typ != c.typ {
				t.Fatalf("Check: %q, %v; want %q", typ, err, c.typ)
			}
		})
	}
	zip := append([]byte("PK\x03\x04"), bytes.Repeat([]byte{7}, 500)...)
	for _, c := range []struct {
		name string
		data []byte
		zh   string // part of what the clerk is told
	}{
		{"empty", nil, "空"},
		{"a zip named .jpg", zip, "压缩包"},
		{"text", []byte("这不是照片，只是一段文字。\n"), "文字"},
		{"an executable", append([]byte("MZ\x90\x00"), make([]byte, 300)...), "可执行程序"},
		{"a jpeg cut in half", jpg[:len(jpg)/2], "已损坏"},
		{"a jpeg header then noise", append(bytes.Clone(jpg[:200]), bytes.Repeat([]byte{0x55}, 5000)...), "已损坏"},
		{"a png cut short", pn[:len(pn)-30], "已损坏"},
		{"a png claiming 50,000 × 50,000 pixels", hugePNG(50_000, 50_000), "不合常理"},
		{"a pdf cut short", pdf[:len(pdf)/2], "已损坏"},
		{"a pdf header then text", []byte("%PDF-1.4\nhello, this is not a pdf at all\n%%EOF\n"), "已损坏"},
	} {
		t.Run(c.name, func(t *testing.T) {
			typ, err := evidence.Check(c.data)
			var ne *evidence.NotEvidence
			if !errors.As(err, &ne) || !errors.Is(err, evidence.ErrNotEvidence) {
				t.Fatalf("Check: %q, %v; want a NotEvidence", typ, err)
			}
			if !bytes.Contains([]byte(ne.Chinese), []byte(c.zh)) {
				t.Errorf("the clerk is told %q, want it to say %q", ne.Chinese, c.zh)
			}
		})
	}
}

// hugePNG is a PNG whose header claims w×h pixels, followed by nothing that could fill them.
func hugePNG(w, h uint32) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	chunk := func(typ string, data []byte) {
		buf.Write(binary.BigEndian.AppendUint32(nil, uint32(len(data))))
		body := append([]byte(typ), data...)
		buf.Write(body)
		buf.Write(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(body)))
	}
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1})
	chunk("IEND", nil)
	return buf.Bytes()
}

// FuzzCheckImage and FuzzCheckPDF: whatever the bytes, Check returns (it never panics or runs away
// with memory: an image's size is checked before it is decoded), says the same twice, and accepts only
// what starts as the type it names. Two targets, so that each type's decoder gets its share of the
// mutations.
func FuzzCheckImage(f *testing.F) {
	f.Add(evidencetest.JPEG(32, 24, 1))
	f.Add(evidencetest.PNG(16, 12, 2))
	f.Add(hugePNG(40_000, 40_000))
	f.Add([]byte("PK\x03\x04 not a photo"))
	f.Fuzz(fuzzCheck)
}

func FuzzCheckPDF(f *testing.F) {
	f.Add(evidencetest.PDF("x", 1500, 3))
	f.Add(evidencetest.PDF("签到表", 0, 4))
	f.Add([]byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"))
	f.Fuzz(fuzzCheck)
}

func fuzzCheck(t *testing.T, data []byte) {
	typ, err := evidence.Check(data)
	typ2, err2 := evidence.Check(data)
	if typ != typ2 || (err == nil) != (err2 == nil) {
		t.Fatalf("Check differs on the same bytes: %q %v, then %q %v", typ, err, typ2, err2)
	}
	if err != nil {
		if !errors.Is(err, evidence.ErrNotEvidence) {
			t.Fatalf("an error that is not a NotEvidence: %v", err)
		}
		return
	}
	ok := map[string]bool{
		evidence.JPEG: bytes.HasPrefix(data, []byte("\xff\xd8\xff")),
		evidence.PNG:  bytes.HasPrefix(data, []byte("\x89PNG")),
		evidence.PDF:  bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")),
	}[typ]
	if !ok {
		t.Fatalf("accepted as %q: %.40q", typ, data)
	}
}
