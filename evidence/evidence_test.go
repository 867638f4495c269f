package evidence_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"techaid/evidence"
	"techaid/evidence/evidencetest"
	"techaid/ledger"
)

func TestPreparePhoto(t *testing.T) {
	src := evidencetest.Photo(4000, 3000, 6, 1)
	t.Logf("source photo: %d bytes", len(src))
	f, err := evidence.Prepare(`C:\Users\clerk\Pictures\IMG_20260428_091233.JPG`, src)
	if err != nil {
		t.Fatal(err)
	}
	// Orientation 6: the sensor's 4000×3000 is a portrait photo, 1200×1600 upright.
	if f.Width != 1200 || f.Height != 1600 {
		t.Errorf("kept %dx%d, want 1200x1600 (upright, long side 1600)", f.Width, f.Height)
	}
	if f.Type != evidence.JPEG || f.Name != "IMG_20260428_091233.jpg" {
		t.Errorf("type %q name %q", f.Type, f.Name)
	}
	if f.Taken != "2026-04-28 09:12" {
		t.Errorf("taken %q, want 2026-04-28 09:12", f.Taken)
	}
	if f.Place != "36.185869,118.170528" {
		t.Errorf("place %q", f.Place)
	}
	if len(f.Data) > 800<<10 || len(f.Data)*6 > len(src) {
		t.Errorf("kept %d bytes of %d: not shrunk", len(f.Data), len(src))
	}
	if f.Hash != evidence.Hash(f.Data) {
		t.Error("hash is not of the kept bytes")
	}
	// Nothing of the EXIF is kept: no APP1 segment, no camera model.
	if bytes.Contains(f.Data, []byte("Exif\x00\x00")) || bytes.Contains(f.Data, []byte("ELS-AN00")) {
		t.Error("the kept JPEG still carries EXIF")
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(f.Data))
	if err != nil || cfg.Width != 1200 || cfg.Height != 1600 {
		t.Errorf("kept bytes decode to %v, %v", cfg, err)
	}
	ev, err := ledger.ParseEvidence(f.Evidence().String())
	if err != nil || ev != f.Evidence() {
		t.Errorf("evidence item does not round-trip: %v %v", ev, err)
	}
}

// TestOrientation: each of EXIF's eight orientations is turned upright: the red quarter, top-left in
// the upright picture, is found top-left in what is kept.
func TestOrientation(t *testing.T) {
	// The stored pixels of an upright picture whose red quarter is top-left, for each orientation:
	// where the red quarter sits in the sensor's frame.
	for o := 1; o <= 8; o++ {
		src := sensorFrame(t, o)
		f, err := evidence.Prepare("o.jpg", src)
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(f.Data))
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		if b.Dx() != 300 || b.Dy() != 200 {
			t.Errorf("orientation %d: kept %dx%d, want 300x200", o, b.Dx(), b.Dy())
		}
		if !red(img.At(b.Dx()/8, b.Dy()/8)) || red(img.At(b.Dx()*7/8, b.Dy()/8)) || red(img.At(b.Dx()/8, b.Dy()*7/8)) {
			t.Errorf("orientation %d: the picture is not upright", o)
		}
	}
}

func red(c color.Color) bool {
	r, g, _, _ := c.RGBA()
	return r > 0xA000 && g < 0x5000
}

// sensorFrame makes the JPEG a camera would write of an upright 300×200 picture with a red top-left
// quarter, held so that EXIF says orientation o.
func sensorFrame(t *testing.T, o int) []byte {
	t.Helper()
	up := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := range 300 {
			c := color.RGBA{255, 255, 255, 255}
			if x < 150 && y < 100 {
				c = color.RGBA{220, 0, 0, 255}
			}
			up.Set(x, y, c)
		}
	}
	// The inverse of what a reader applies: stored(x', y') for upright(x, y).
	var w, h int
	if o >= 5 {
		w, h = 200, 300
	} else {
		w, h = 300, 200
	}
	st := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			var ux, uy int // the upright pixel shown at stored (x, y)
			switch o {
			case 1:
				ux, uy = x, y
			case 2:
				ux, uy = w-1-x, y
			case 3:
				ux, uy = w-1-x, h-1-y
			case 4:
				ux, uy = x, h-1-y
			case 5:
				ux, uy = y, x
			case 6:
				ux, uy = h-1-y, x
			case 7:
				ux, uy = h-1-y, w-1-x
			case 8:
				ux, uy = y, w-1-x
			}
			st.Set(x, y, up.At(ux, uy))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, st, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return evidencetest.WithExif(buf.Bytes(), o, "2026:05:01 15:04:05", false)
}

func TestPreparePNGAndPDF(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 2400, 600))
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	f, err := evidence.Prepare("扫描件.PNG", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != evidence.PNG || f.Width != 1600 || f.Height != 400 || f.Name != "扫描件.png" || f.Taken != "" {
		t.Errorf("png kept as %+v", f.Evidence())
	}
	pdf := evidencetest.PDF("sign-in sheet")
	f, err = evidence.Prepare("验收材料.pdf", pdf)
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != evidence.PDF || !bytes.Equal(f.Data, pdf) || f.Name != "验收材料.pdf" {
		t.Errorf("pdf kept as %+v", f.Evidence())
	}
	info, err := evidence.Check(pdf)
	if err != nil || info.Pages != 1 {
		t.Errorf("Check(pdf) = %+v, %v", info, err)
	}
}

func TestRefused(t *testing.T) {
	photo := evidencetest.Photo(64, 48, 1, 2)
	pdf := evidencetest.PDF("x")
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, evidence.ErrEmpty},
		{"an executable named .jpg", append([]byte("MZ\x90\x00"), make([]byte, 100)...), evidence.ErrUnknown},
		{"text", []byte("这不是图片"), evidence.ErrUnknown},
		{"heic", append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"), make([]byte, 64)...), evidence.ErrHEIC},
		{"a JPEG cut short", photo[:len(photo)/2], evidence.ErrCorrupt},
		{"a JPEG header on garbage", append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{7}, 500)...), evidence.ErrCorrupt},
		{"a PNG claiming 100000x100000", pngHeader(100000, 100000), evidence.ErrTooMany},
		{"a PDF cut short", pdf[:len(pdf)-40], evidence.ErrNotPDFish},
		{"a PDF header on text", []byte("%PDF-1.4\nhello\n%%EOF\n"), evidence.ErrNotPDFish},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := evidence.Prepare("x.jpg", tt.b); !errors.Is(err, tt.want) {
				t.Errorf("Prepare: %v, want %v", err, tt.want)
			}
			if _, err := evidence.Check(tt.b); !errors.Is(err, tt.want) {
				t.Errorf("Check: %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := evidence.Check(make([]byte, evidence.MaxStored+1)); !errors.Is(err, evidence.ErrTooLarge) {
		t.Errorf("oversized: %v", err)
	}
}

// pngHeader is a PNG's signature and IHDR claiming w×h pixels, with nothing after.
func pngHeader(w, h uint32) []byte {
	var buf bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 1, 1))
	png.Encode(&buf, img)
	b := buf.Bytes()
	// IHDR's data starts at 16: width, height (big-endian), then its CRC over type and data at 29.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b[:33]
}

func FuzzCheck(f *testing.F) {
	f.Add(evidencetest.Photo(32, 24, 6, 3))
	f.Add(evidencetest.PDF("x"))
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4)))
	f.Add(buf.Bytes())
	f.Add([]byte("%PDF-1.7\nstartxref\n9\n%%EOF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := evidence.Check(b)
		if err == nil && info.Type == "" {
			t.Fatal("accepted without a type")
		}
		f, err := evidence.Prepare("f", b)
		if err == nil && (f.Hash != evidence.Hash(f.Data) || len(f.Data) == 0) {
			t.Fatal("prepared file inconsistent")
		}
		if err == nil && f.Type != evidence.PDF {
			if _, err := evidence.Check(f.Data); err != nil {
				t.Fatalf("what Prepare keeps fails Check: %v", err)
			}
		}
	})
}

func BenchmarkPreparePhoto(b *testing.B) {
	src := evidencetest.Photo(4000, 3000, 6, 1)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	var kept int
	for b.Loop() {
		f, err := evidence.Prepare("IMG.jpg", src)
		if err != nil {
			b.Fatal(err)
		}
		kept = len(f.Data)
	}
	b.ReportMetric(float64(len(src))/1e6, "MB-in")
	b.ReportMetric(float64(kept)/1e3, "KB-kept")
}

func TestRefusalsSayWhyInChinese(t *testing.T) {
	_, err := evidence.Check([]byte("MZ\x90\x00 this is a program"))
	if !errors.Is(err, evidence.ErrNotEvidence) || !errors.Is(err, evidence.ErrUnknown) {
		t.Fatalf("an executable: %v", err)
	}
	if zh := ledger.Chinese(err); !strings.Contains(zh, "不是图片") {
		t.Errorf("Chinese: %q", zh)
	}
	_, err = evidence.Check(make([]byte, evidence.MaxStored+1))
	if errors.Is(err, evidence.ErrNotEvidence) || !strings.Contains(ledger.Chinese(err), "文件太大") {
		t.Errorf("oversized: %v / %s", err, ledger.Chinese(err))
	}
}
