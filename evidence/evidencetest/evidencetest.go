// Package evidencetest makes the files tests attach: a phone photo with its EXIF (orientation, date
// taken, GPS place) and a small valid PDF. It is for tests and benchmarks only.
package evidencetest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"

	exif "github.com/dsoprea/go-exif/v3"
	exifcommon "github.com/dsoprea/go-exif/v3/common"
)

// Photo is a JPEG of w×h pixels as a phone writes it: photo-like content (smooth light with grain and
// edges, which JPEG cannot squeeze much), quality 92, and an EXIF block with the orientation o (1–8),
// the date taken 2026-04-28 09:12:33 and a place in 沂源县 (36.185917 N, 118.170528 E). seed varies the
// grain, so that photos differ. A 4000×3000 one is about 6 MB.
func Photo(w, h, o int, seed uint64) []byte {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	rng := rand.New(rand.NewPCG(seed, 42))
	for y := range h {
		for x := range w {
			light := 60 + 120*x/w + 40*y/h
			if (x/97+y/61)%7 == 0 { // edges, like the lines of a sign-in sheet
				light -= 50
			}
			v := light + int(rng.IntN(56)) - 28
			img.Y[y*img.YStride+x] = uint8(min(255, max(0, v)))
		}
	}
	for y := range (h + 1) / 2 {
		for x := range (w + 1) / 2 {
			i := y*img.CStride + x
			img.Cb[i] = uint8(110 + 30*x/w + rng.IntN(10))
			img.Cr[i] = uint8(130 + 20*y/h + rng.IntN(10))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 92}); err != nil {
		panic(err)
	}
	return WithExif(buf.Bytes(), o, "2026:04:28 09:12:33", true)
}

// WithExif inserts an EXIF block (APP1) after a JPEG's start: orientation o, the date taken (EXIF's
// "2006:01:02 15:04:05") and, if gps, a place.
func WithExif(jpg []byte, o int, taken string, gps bool) []byte {
	im, err := exifcommon.NewIfdMappingWithStandard()
	if err != nil {
		panic(err)
	}
	ti := exif.NewTagIndex()
	ib := exif.NewIfdBuilder(im, ti, exifcommon.IfdStandardIfdIdentity, exifcommon.EncodeDefaultByteOrder)
	must(ib.AddStandardWithName("Orientation", []uint16{uint16(o)}))
	must(ib.AddStandardWithName("Make", "HUAWEI"))
	must(ib.AddStandardWithName("Model", "ELS-AN00"))
	exifIb, err := exif.GetOrCreateIbFromRootIb(ib, "IFD/Exif")
	must(err)
	must(exifIb.AddStandardWithName("DateTimeOriginal", taken))
	if gps {
		gpsIb, err := exif.GetOrCreateIbFromRootIb(ib, "IFD/GPSInfo")
		must(err)
		must(gpsIb.AddStandardWithName("GPSLatitudeRef", "N"))
		must(gpsIb.AddStandardWithName("GPSLatitude", []exifcommon.Rational{{Numerator: 36, Denominator: 1}, {Numerator: 11, Denominator: 1}, {Numerator: 913, Denominator: 100}}))
		must(gpsIb.AddStandardWithName("GPSLongitudeRef", "E"))
		must(gpsIb.AddStandardWithName("GPSLongitude", []exifcommon.Rational{{Numerator: 118, Denominator: 1}, {Numerator: 10, Denominator: 1}, {Numerator: 1390, Denominator: 100}}))
	}
	data, err := exif.NewIfdByteEncoder().EncodeToExif(ib)
	must(err)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(2+6+len(data)))
	seg = append(seg, "Exif\x00\x00"...)
	seg = append(seg, data...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// Marked is a small w×h JPEG, no EXIF, whose top-left quarter is red and the rest white: a test can
// tell which way up it was kept. It is stored with orientation o.
func Marked(w, h, o int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{255, 255, 255, 255}
			if x < w/2 && y < h/2 {
				c = color.RGBA{220, 0, 0, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		panic(err)
	}
	return WithExif(buf.Bytes(), o, "2026:05:01 15:04:05", false)
}

// PDF is a valid one-page PDF whose page says text, with a correct cross-reference table.
func PDF(text string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	stream := fmt.Sprintf("BT /F1 24 Tf 72 720 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
