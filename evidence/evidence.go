package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"strings"

	"techaid/ledger"
)

// The kinds of file evidence may be; the names are ledger.Evidence.Type's.
const (
	JPEG = "jpeg"
	PNG  = "png"
	PDF  = "pdf"
)

// Limits on what is accepted.
const (
	// MaxInput bounds a file handed to Prepare: a phone photo is 3–12 MB, a scanned PDF rarely 20.
	MaxInput = 40 << 20
	// MaxStored bounds the bytes a stored file may have, the limit Check holds files from others to:
	// a shrunk photo is well under 2 MB, so this is a PDF's limit.
	MaxStored = 20 << 20
	// MaxPixels bounds the image a decode may allocate (a 200 MP phone photo is refused rather than
	// taking 800 MB).
	MaxPixels = 64_000_000
	// LongSide is the long side a photo is shrunk to.
	LongSide = 1600
)

// ErrNotEvidence is in the chain of every refusal of a file for what it is (errors.Is): not an image
// or a PDF, damaged, a HEIC photo, too many pixels. ErrTooLarge is not one: a size is a limit.
var ErrNotEvidence = errors.New("not an image or a PDF")

// refusal is an error that says in English what is wrong with a file and, to a clerk, in Chinese
// (ledger.ChineseError). Each value is its own sentinel.
type refusal struct {
	en, zh      string
	notEvidence bool
}

func (r *refusal) Error() string        { return r.en }
func (r *refusal) Chinese() string      { return r.zh }
func (r *refusal) Is(target error) bool { return r.notEvidence && target == ErrNotEvidence }

// Refusals, each also an ErrNotEvidence except ErrTooLarge.
var (
	ErrEmpty   = &refusal{"the file is empty", "文件是空的", true}
	ErrUnknown = &refusal{"not a JPEG, PNG or PDF file", "这个文件不是图片（JPEG、PNG）或 PDF，不能作为佐证材料", true}
	ErrHEIC    = &refusal{"a HEIC photo: no kept Go library reads it",
		"这是苹果手机的 HEIC 格式照片，本程序读不了：请在手机“设置 > 相机 > 格式”中选“兼容性最佳”后重拍，或先转成 JPEG 再附加", true}
	ErrCorrupt   = &refusal{"the file is damaged: it does not decode", "文件已损坏或不完整，无法读取，请重新拍照或重新导出", true}
	ErrTooMany   = &refusal{"the image has too many pixels", "图片像素太多（超过 6400 万），请用手机的普通拍照模式重拍", true}
	ErrNotPDFish = &refusal{"not a PDF: its structure is missing", "看起来是 PDF，但文件不完整或已损坏，请重新导出或扫描", true}
	ErrTooLarge  = &refusal{"the file is too large", "文件太大：照片不超过 40 MB，PDF 不超过 20 MB", false}
)

// File is a file ready to store: the bytes to keep and what the record's evidence field says of them.
type File struct {
	Data          []byte
	Type          string
	Hash          string // SHA-256 of Data, lower-case hex
	Name          string // as attached, with the extension of what is kept
	Taken         string // EXIF "2006-01-02 15:04" in the ledger's time zone, or ""
	Place         string // EXIF GPS "lat,lon", or ""
	Width, Height int    // pixels of a photo as kept; 0 for a PDF
}

// Evidence is f as an item of a record's evidence field.
func (f File) Evidence() ledger.Evidence {
	return ledger.Evidence{Hash: f.Hash, Type: f.Type, Size: int64(len(f.Data)), Taken: f.Taken, Place: f.Place, Name: f.Name}
}

// Hash is the SHA-256 of b in lower-case hex, the name a file is stored and sent under.
func Hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Sniff tells a file's type from its first bytes. A HEIC photo is told apart (ErrHEIC) so that the
// clerk hears what to do about it.
func Sniff(b []byte) (string, error) {
	switch {
	case len(b) == 0:
		return "", ErrEmpty
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG, nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return PDF, nil
	case len(b) >= 12 && string(b[4:8]) == "ftyp" && isHEIF(string(b[8:12])):
		return "", ErrHEIC
	}
	return "", ErrUnknown
}

func isHEIF(brand string) bool {
	switch brand {
	case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif":
		return true
	}
	return false
}

// Info is what Check learnt of a file by decoding it.
type Info struct {
	Type          string
	Width, Height int // 0 for a PDF
	Pages         int // a PDF's page count as its page tree says (0 if unknown); 1 for an image
}

// Check proves that b is what it claims to be by decoding it: an image decodes whole within
// MaxPixels, a PDF has its header, its cross-reference and its trailer where they belong. It is what a
// hub runs on every file an office sends; it never panics.
func Check(b []byte) (info Info, err error) {
	defer func() {
		if r := recover(); r != nil { // a decoder's bug must not take a hub down
			info, err = Info{}, fmt.Errorf("%w (%v)", ErrCorrupt, r)
		}
	}()
	if len(b) > MaxStored {
		return Info{}, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(b), MaxStored)
	}
	t, err := Sniff(b)
	if err != nil {
		return Info{}, err
	}
	if t == PDF {
		pages, err := checkPDF(b)
		return Info{Type: PDF, Pages: pages}, err
	}
	img, err := decodeImage(b)
	if err != nil {
		return Info{}, err
	}
	r := img.Bounds()
	return Info{Type: t, Width: r.Dx(), Height: r.Dy(), Pages: 1}, nil
}

// decodeImage decodes a JPEG or PNG after checking its size from its header, so that a small file
// claiming a huge image is refused before any allocation.
func decodeImage(b []byte) (image.Image, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: %dx%d pixels", ErrCorrupt, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, fmt.Errorf("%w: %dx%d", ErrTooMany, cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return img, nil
}

// Prepare turns a file the clerk picked into what is stored: a photo shrunk and upright with its date
// and place kept and nothing else of its metadata, a PDF as it is once checked. name is the file's
// name, kept for people (its extension follows what is kept); the type comes from the bytes.
func Prepare(name string, b []byte) (File, error) {
	if len(b) > MaxInput {
		return File{}, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(b), MaxInput)
	}
	t, err := Sniff(b)
	if err != nil {
		return File{}, err
	}
	base := cleanName(name)
	if t == PDF {
		if _, err := Check(b); err != nil {
			return File{}, err
		}
		return File{Data: b, Type: PDF, Hash: Hash(b), Name: withExt(base, ".pdf")}, nil
	}
	f, err := shrink(b, t)
	if err != nil {
		return File{}, err
	}
	f.Name = withExt(base, map[string]string{JPEG: ".jpg", PNG: ".png"}[f.Type])
	f.Hash = Hash(f.Data)
	return f, nil
}

// cleanName keeps the base of a file name, without folders or characters a field item or a file
// system would trip on.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		switch {
		case r < ' ', r == '|', r == '/', r == '\\', r == ':', r == '*', r == '?', r == '"', r == '<', r == '>':
			return '_'
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return "文件"
	}
	if r := []rune(name); len(r) > 80 {
		ext := filepath.Ext(name)
		name = string(r[:80-len([]rune(ext))]) + ext
	}
	return name
}

// withExt gives name the extension ext, replacing one of the known kinds of file.
func withExt(name, ext string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".jpe", ".png", ".pdf", ".heic", ".heif":
		name = strings.TrimSuffix(name, filepath.Ext(name))
	}
	if name == "" {
		name = "文件"
	}
	return name + ext
}
