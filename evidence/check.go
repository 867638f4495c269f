// Package evidence is what the programme keeps as 佐证材料: photos (JPEG, PNG) and PDF files that back a
// record. Check tells whether bytes are such a file by decoding them whole, never by their name.
package evidence

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// The types of evidence, as the record's evidence field names them (ledger.EvidenceTypes).
const (
	JPEG = "jpeg"
	PNG  = "png"
	PDF  = "pdf"
)

// MaxPixels bounds an image's width × height: decoding allocates four bytes a pixel, and a header may
// claim anything (a 100-byte PNG can claim 50,000 × 50,000). A phone's 50-megapixel photo passes; it is
// shrunk on attach anyway.
const MaxPixels = 64 << 20

// ErrNotEvidence wraps every refusal of Check.
var ErrNotEvidence = errors.New("not an image or a PDF")

// NotEvidence is Check's error: Chinese says what the file is instead, for the clerk.
type NotEvidence struct {
	Chinese string
	Detail  string // English, for the log
}

func (e *NotEvidence) Error() string { return "not an image or a PDF: " + e.Detail }
func (e *NotEvidence) Unwrap() error { return ErrNotEvidence }

// Check decodes data whole and returns its type, JPEG, PNG or PDF; anything else, or a file of one of
// those types that does not decode (cut short, damaged, a name that lies), is a *NotEvidence. An image
// is decoded to its last pixel, a PDF read and validated object by object (pdfcpu, relaxed mode: the
// quirks of ordinary scanners and office programs pass).
func Check(data []byte) (typ string, err error) {
	defer func() {
		if r := recover(); r != nil { // a decoder's bug on hostile input must not take the hub down
			typ, err = "", &NotEvidence{Chinese: "文件已损坏，无法读取", Detail: fmt.Sprintf("decoder panic: %v", r)}
		}
	}()
	switch {
	case len(data) == 0:
		return "", &NotEvidence{Chinese: "文件是空的", Detail: "empty"}
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return JPEG, checkImage(data, JPEG, "JPEG 图片")
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, checkImage(data, PNG, "PNG 图片")
	case pdfHeader(data):
		return PDF, checkPDF(data)
	}
	return "", &NotEvidence{Chinese: "内容是" + what(data) + "，不是图片（JPEG、PNG）或 PDF", Detail: http.DetectContentType(data)}
}

// checkImage decodes an image, first its header alone so that its size is known before anything is
// allocated.
func checkImage(data []byte, format, name string) error {
	decodeConfig, decode := jpeg.DecodeConfig, jpeg.Decode
	if format == PNG {
		decodeConfig, decode = png.DecodeConfig, png.Decode
	}
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return &NotEvidence{Chinese: "看起来是" + name + "，但已损坏，无法读取", Detail: format + ": " + err.Error()}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return &NotEvidence{Chinese: fmt.Sprintf("%s的尺寸 %d×%d 不合常理", name, cfg.Width, cfg.Height),
			Detail: fmt.Sprintf("%s: %d×%d pixels, limit %d", format, cfg.Width, cfg.Height, MaxPixels)}
	}
	var img image.Image
	if img, err = decode(bytes.NewReader(data)); err != nil || img == nil {
		return &NotEvidence{Chinese: "看起来是" + name + "，但已损坏，无法读取", Detail: fmt.Sprintf("%s: %v", format, err)}
	}
	return nil
}

// pdfHeader: a PDF starts with %PDF- within its first kilobyte (readers allow junk before it).
func pdfHeader(data []byte) bool {
	return bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-"))
}

var pdfConfig = sync.OnceValue(func() *model.Configuration {
	api.DisableConfigDir() // else pdfcpu writes a config folder under the user's, and exits the process if it cannot
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	return conf
})

// checkPDF reads a PDF's cross-reference table and trailer and validates every object reachable from
// its catalog, its pages among them.
func checkPDF(data []byte) error {
	conf := *pdfConfig()
	if err := api.Validate(bytes.NewReader(data), &conf); err != nil {
		msg := err.Error()
		if strings.Contains(strings.ToLower(msg), "encrypt") || strings.Contains(strings.ToLower(msg), "password") {
			return &NotEvidence{Chinese: "PDF 文件加了密码，无法查看：请存成不加密的 PDF 再附上", Detail: "pdf: " + msg}
		}
		return &NotEvidence{Chinese: "看起来是 PDF，但已损坏，无法读取", Detail: "pdf: " + msg}
	}
	return nil
}

// what names, in Chinese, what a file that is not evidence seems to be.
func what(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "压缩包（ZIP，或 Word、Excel 文档）"
	case bytes.HasPrefix(data, []byte("MZ")), bytes.HasPrefix(data, []byte("\x7fELF")):
		return "可执行程序"
	case bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")):
		return "旧版 Office 文档（doc、xls）"
	case bytes.HasPrefix(data, []byte("Rar!")), bytes.HasPrefix(data, []byte("7z\xbc\xaf")):
		return "压缩包"
	case bytes.HasPrefix(data, []byte("GIF8")):
		return "GIF 动图"
	case bytes.HasPrefix(data, []byte("BM")):
		return "BMP 图片"
	case len(data) > 12 && string(data[4:8]) == "ftyp":
		return "HEIC 照片或视频"
	case bytes.HasPrefix(data, []byte("RIFF")):
		return "WebP 图片或音视频"
	}
	if ct := http.DetectContentType(data); strings.HasPrefix(ct, "text/") {
		return "文字"
	}
	return "无法识别的数据"
}
