package synctest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"

	"techaid/ledger"
	"techaid/storage"
)

// Evidence files for sync tests: real photos and PDFs of a chosen size (noise does not compress, so a
// photo's size follows its pixels), and Attach, which lists any bytes as a record's evidence the way a
// hostile or broken office could (storage.Attach checks hash and size, not content).

// Attach stores data as a file of the record id's evidence, named name and typed typ (whatever the
// bytes are), and returns its hash.
func Attach(t testing.TB, st *storage.Store, id, name, typ string, data []byte) string {
	t.Helper()
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	item := ledger.Evidence{Hash: hash, Type: typ, Size: int64(len(data)), Name: name}
	if _, err := st.Attach(context.Background(), id, storage.Attachment{Item: item, Data: data}); err != nil {
		t.Fatalf("attach %s to %s: %v", name, id, err)
	}
	return hash
}

// Photo is a w×h JPEG photo of noise over a gradient, seeded. Noise does not compress: 1000×750 is about
// 300 KB, like a phone photo shrunk on attach.
func Photo(w, h int, seed uint64) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, noise(w, h, seed), &jpeg.Options{Quality: 80}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// PNGImage is a w×h PNG image of noise, seeded.
func PNGImage(w, h int, seed uint64) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, noise(w, h, seed)); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func noise(w, h int, seed uint64) image.Image {
	rng := rand.New(rand.NewPCG(seed, 16))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			n := uint8(rng.IntN(64))
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x*255/w)/2+n, uint8(y*255/h)/2+n, n*3, 255
		}
	}
	return img
}

// PDF is a one-page PDF showing text, with a stream of padding bytes (uncompressed, random, as a
// scanned page's image would be) so that the file is about size bytes: a project's acceptance papers.
func PDF(text string, size int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 17))
	pad := make([]byte, max(0, size-900))
	for i := range pad {
		pad[i] = byte(rng.Uint32())
	}
	content := fmt.Sprintf("BT /F1 24 Tf 72 720 Td (%s) Tj ET", text)
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n%s\nendstream", len(pad), len(pad), pad),
	}
	var buf bytes.Buffer
	buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&buf, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return buf.Bytes()
}
