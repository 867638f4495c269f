package evidence

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/disintegration/imaging"
	exif "github.com/dsoprea/go-exif/v3"
	exifcommon "github.com/dsoprea/go-exif/v3/common"
	"golang.org/x/image/draw"

	"techaid/ledger"
)

// jpegQuality keeps a sign-in sheet's handwriting legible at ~300 KB for 1600×1200.
const jpegQuality = 82

// shrink decodes a photo, turns it upright, scales it to LongSide and encodes it again, which also
// drops every byte of metadata; the EXIF date and place come back as fields.
func shrink(b []byte, t string) (f File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = File{}, fmt.Errorf("%w (%v)", ErrCorrupt, r)
		}
	}()
	meta := readExif(b)
	img, err := decodeImage(b)
	if err != nil {
		return File{}, err
	}
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	if long := max(w, h); long > LongSide {
		scale := float64(LongSide) / float64(long)
		w = max(1, int(math.Round(float64(w)*scale)))
		h = max(1, int(math.Round(float64(h)*scale)))
		// Halving by averaging 2×2 blocks first, while the photo is twice the size wanted, makes the
		// kernel's work four times smaller each time (a 4000×3000 photo: 0.7 s of CPU down to 0.15 s)
		// and loses nothing: the bilinear kernel at a factor of 2.5 averages the same pixels.
		for {
			y, ok := img.(*image.YCbCr)
			if !ok || y.Rect.Min != (image.Point{}) || max(y.Rect.Dx(), y.Rect.Dy()) < 2*LongSide {
				break
			}
			img = halve(y)
		}
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.BiLinear.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
		img = dst
	}
	img = upright(img, meta.orientation)
	var buf bytes.Buffer
	if t == PNG {
		// A PNG is kept a PNG (a screenshot or a scan keeps its sharp edges), without its metadata.
		enc := png.Encoder{CompressionLevel: png.DefaultCompression}
		err = enc.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, opaque(img), &jpeg.Options{Quality: jpegQuality})
	}
	if err != nil {
		return File{}, fmt.Errorf("encode: %w", err)
	}
	r = img.Bounds()
	return File{Data: buf.Bytes(), Type: t, Taken: meta.taken, Place: meta.place, Width: r.Dx(), Height: r.Dy()}, nil
}

// upright applies an EXIF orientation (1–8), so that what is kept needs no orientation tag.
func upright(img image.Image, o int) image.Image {
	switch o {
	case 2:
		return imaging.FlipH(img)
	case 3:
		return imaging.Rotate180(img)
	case 4:
		return imaging.FlipV(img)
	case 5:
		return imaging.Transpose(img)
	case 6:
		return imaging.Rotate270(img) // imaging turns counter-clockwise: 270 is a quarter turn clockwise
	case 7:
		return imaging.Transverse(img)
	case 8:
		return imaging.Rotate90(img)
	}
	return img
}

// opaque hands the JPEG encoder an *image.RGBA, which it reads directly: an upright turned photo is an
// *image.NRGBA, which it would read pixel by pixel through an interface (a second per photo). The
// pixels of a photo are opaque, and opaque NRGBA and RGBA pixels are the same bytes.
func opaque(img image.Image) image.Image {
	if n, ok := img.(*image.NRGBA); ok {
		return &image.RGBA{Pix: n.Pix, Stride: n.Stride, Rect: n.Rect}
	}
	return img
}

// The EXIF library's tables, read once (its tag index loads a YAML table; it locks itself).
var exifTables = sync.OnceValues(func() (*exifcommon.IfdMapping, *exif.TagIndex) {
	im, err := exifcommon.NewIfdMappingWithStandard()
	if err != nil {
		panic(fmt.Sprintf("evidence: EXIF tables: %v", err)) // a broken library build
	}
	return im, exif.NewTagIndex()
})

// exifMeta is what is kept of a photo's EXIF.
type exifMeta struct {
	orientation int
	taken       string
	place       string
}

// exifWindow is how far into a JPEG its EXIF may start: the APP1 segment comes first and holds at
// most 64 KiB.
const exifWindow = 128 << 10

// readExif reads the orientation, the date taken and the GPS place of a JPEG. Anything it cannot
// read is left empty: EXIF is a convenience, never a reason to refuse a photo.
func readExif(b []byte) (m exifMeta) {
	defer func() {
		if recover() != nil { // the EXIF library panics on some damaged blocks
			m = exifMeta{}
		}
	}()
	if !bytes.HasPrefix(b, []byte{0xFF, 0xD8}) {
		return m
	}
	raw, err := exif.SearchAndExtractExif(b[:min(len(b), exifWindow)])
	if err != nil {
		return m
	}
	im, ti := exifTables()
	_, index, err := exif.Collect(im, ti, raw)
	if err != nil || index.RootIfd == nil {
		return m
	}
	root := index.RootIfd
	if v, ok := tagValue(root, "Orientation").([]uint16); ok && len(v) > 0 && v[0] >= 1 && v[0] <= 8 {
		m.orientation = int(v[0])
	}
	taken := ""
	if ifd := index.Lookup["IFD/Exif"]; ifd != nil {
		taken, _ = tagValue(ifd, "DateTimeOriginal").(string)
	}
	if taken == "" {
		taken, _ = tagValue(root, "DateTime").(string)
	}
	m.taken = exifDate(taken)
	if ifd := index.Lookup["IFD/GPSInfo"]; ifd != nil {
		if gi, err := ifd.GpsInfo(); err == nil {
			lat, lon := gi.Latitude.Decimal(), gi.Longitude.Decimal()
			if !math.IsNaN(lat) && !math.IsNaN(lon) && math.Abs(lat) <= 90 && math.Abs(lon) <= 180 && (lat != 0 || lon != 0) {
				m.place = fmt.Sprintf("%.6f,%.6f", lat, lon)
			}
		}
	}
	return m
}

func tagValue(ifd *exif.Ifd, name string) any {
	tags, err := ifd.FindTagWithName(name)
	if err != nil || len(tags) == 0 {
		return nil
	}
	v, err := tags[0].Value()
	if err != nil {
		return nil
	}
	return v
}

// exifDate turns EXIF's "2006:01:02 15:04:05" (the camera's wall clock, which for this programme's
// phones is China's) into the ledger's "2006-01-02 15:04"; "" if it does not parse or is not a real
// date (cameras write "0000:00:00 00:00:00").
func exifDate(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "\x00")
	t, err := time.ParseInLocation("2006:01:02 15:04:05", s, ledger.China)
	if err != nil || t.Year() < 1990 {
		return ""
	}
	return t.Format("2006-01-02 15:04")
}

// halve scales a decoded JPEG to half its size, averaging each 2×2 block of each plane.
func halve(src *image.YCbCr) *image.YCbCr {
	dst := image.NewYCbCr(image.Rect(0, 0, src.Rect.Dx()/2, src.Rect.Dy()/2), src.SubsampleRatio)
	halvePlane(dst.Y, dst.YStride, src.Y, src.YStride)
	halvePlane(dst.Cb, dst.CStride, src.Cb, src.CStride)
	halvePlane(dst.Cr, dst.CStride, src.Cr, src.CStride)
	return dst
}

// halvePlane fills dst (rows of stride ds) with the 2×2 averages of src (rows of stride ss), reading
// the last row or column again where src has an odd one less than dst needs.
func halvePlane(dst []byte, ds int, src []byte, ss int) {
	if ds == 0 || ss == 0 {
		return
	}
	srows := len(src) / ss
	for y := range len(dst) / ds {
		r0 := min(2*y, srows-1) * ss
		r1 := min(2*y+1, srows-1) * ss
		row := dst[y*ds : y*ds+ds]
		for x := range row {
			x0, x1 := min(2*x, ss-1), min(2*x+1, ss-1)
			row[x] = uint8((int(src[r0+x0]) + int(src[r0+x1]) + int(src[r1+x0]) + int(src[r1+x1]) + 2) >> 2)
		}
	}
}
