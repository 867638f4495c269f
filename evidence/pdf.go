package evidence

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
)

// checkPDF checks a PDF's structure: the header, the end-of-file mark, a startxref that points at a
// cross-reference table or stream inside the file, and a trailer that names the document's catalog
// (/Root). It returns the page count the page tree declares (0 if it is in a compressed object).
//
// It is a structural check, not a renderer: the one pure-Go PDF library the module proxy serves here
// (pdfcpu) is not an approved release, and rendering is not needed to refuse what is not a PDF (a
// renamed photo, an executable, a truncated download), which is the point on a hub.
func checkPDF(b []byte) (int, error) {
	head := b[:min(len(b), 1024)]
	i := bytes.Index(head, []byte("%PDF-"))
	if i != 0 || len(b) < 8 || b[5] < '1' || b[5] > '2' || b[6] != '.' {
		return 0, fmt.Errorf("%w: no %%PDF-1.x header", ErrNotPDFish)
	}
	tail := b[max(0, len(b)-2048):]
	eof := bytes.LastIndex(tail, []byte("%%EOF"))
	if eof < 0 {
		return 0, fmt.Errorf("%w: no %%%%EOF at the end (cut short?)", ErrNotPDFish)
	}
	sx := bytes.LastIndex(tail[:eof], []byte("startxref"))
	if sx < 0 {
		return 0, fmt.Errorf("%w: no startxref", ErrNotPDFish)
	}
	num := bytes.TrimSpace(tail[sx+len("startxref") : eof])
	off, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil || off <= 0 || off >= int64(len(b)) {
		return 0, fmt.Errorf("%w: startxref %q points outside the file", ErrNotPDFish, num)
	}
	at := bytes.TrimLeft(b[off:min(int64(len(b)), off+64)], " \r\n\t\x00")
	switch {
	case bytes.HasPrefix(at, []byte("xref")):
		if !bytes.Contains(b[off:], []byte("trailer")) {
			return 0, fmt.Errorf("%w: a cross-reference table without a trailer", ErrNotPDFish)
		}
	case xrefStream.Match(at):
	default:
		return 0, fmt.Errorf("%w: startxref does not point at a cross-reference", ErrNotPDFish)
	}
	if !bytes.Contains(b[off:], []byte("/Root")) {
		return 0, fmt.Errorf("%w: the trailer names no /Root", ErrNotPDFish)
	}
	pages := 0
	for _, m := range pageCount.FindAllSubmatch(b, -1) {
		digits := m[1]
		if len(digits) == 0 {
			digits = m[2]
		}
		if n, err := strconv.Atoi(string(digits)); err == nil && n > pages && n < 100000 {
			pages = n
		}
	}
	return pages, nil
}

var (
	xrefStream = regexp.MustCompile(`^\d+\s+\d+\s+obj`)
	// The root of the page tree is /Type /Pages with the largest /Count.
	pageCount = regexp.MustCompile(`/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b`)
)
