package assets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
)

// uiSample is text the app shows, with characters from each range the subset keeps.
const uiSample = "科技帮扶台账淄博市高青县沂源县村委会居委会，。：；（）【】《》、“”…—ABCxyz0123456789%℃№①Ⅱ→↑✓●○▲▼■□"

// rareVillageChars are characters of real village names of 淄博市 that lie outside
// GB2312 (大窎桥村, 福昇社区, 溡源社区, 堐头村, 楊官村, 耇士孙村, 瞭军埠村).
const rareVillageChars = "窎昇溡堐楊耇瞭"

func parse(t *testing.T, r fyne.Resource) *font.Face {
	t.Helper()
	data := r.Content()
	if len(data) < 4 {
		t.Fatalf("%s: %d bytes", r.Name(), len(data))
	}
	switch string(data[:4]) {
	case "\x00\x01\x00\x00", "OTTO":
	case "ttcf":
		t.Fatalf("%s is a font collection (.ttc), which Fyne cannot load", r.Name())
	default:
		t.Fatalf("%s: not an OpenType font (magic %q)", r.Name(), data[:4])
	}
	face, err := font.ParseTTF(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", r.Name(), err)
	}
	return face
}

// missing returns the runes of s that face has no glyph for, or whose glyph has no outline.
func missing(face *font.Face, s string) string {
	var out []rune
	seen := map[rune]bool{}
	for _, r := range s {
		if seen[r] || r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			continue
		}
		seen[r] = true
		gid, ok := face.NominalGlyph(r)
		if !ok {
			out = append(out, r)
			continue
		}
		if o, ok := face.GlyphData(gid).(font.GlyphOutline); !ok || len(o.Segments) == 0 {
			out = append(out, r)
		}
	}
	return string(out)
}

func TestFontsCoverUIText(t *testing.T) {
	for _, r := range []fyne.Resource{FontRegular, FontBold} {
		face := parse(t, r)
		if m := missing(face, uiSample+rareVillageChars); m != "" {
			t.Errorf("%s has no glyph for %q", r.Name(), m)
		}
		if _, ok := face.NominalGlyph(0xE000); ok {
			t.Errorf("%s maps private-use U+E000; the rendering test needs a rune it lacks", r.Name())
		}
	}
}

// TestFontsCoverReferenceData checks every character of the village list in
// ../shared/data, where it exists (it lies beside the work tree, not in it).
func TestFontsCoverReferenceData(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "data", "zibo_divisions.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("reference data not here: %v", err)
	}
	defer f.Close()
	var sb strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sb.WriteString(sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, r := range []fyne.Resource{FontRegular, FontBold} {
		if m := missing(parse(t, r), sb.String()); m != "" {
			t.Errorf("%s has no glyph for %q of %s: re-run scripts/make-font.sh", r.Name(), m, path)
		}
	}
}

// TestFontsCoverTranslations checks that every character of the embedded
// translation catalogues is in both fonts.
func TestFontsCoverTranslations(t *testing.T) {
	var all strings.Builder
	err := fs.WalkDir(Translations, "translations", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Translations, p)
		if err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		all.Write(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []fyne.Resource{FontRegular, FontBold} {
		if m := missing(parse(t, r), all.String()); m != "" {
			t.Errorf("%s has no glyph for %q used in translations/: re-run scripts/make-font.sh", r.Name(), m)
		}
	}
}

func TestIcon(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(Icon.Content()))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Errorf("icon is %v, want 512×512", b.Size())
	}
}

// cjkTheme is the default theme with the bundled fonts, as the app's theme does it.
type cjkTheme struct{ fyne.Theme }

func (c cjkTheme) Font(s fyne.TextStyle) fyne.Resource {
	switch {
	case s.Monospace, s.Symbol:
		return c.Theme.Font(s)
	case s.Bold:
		return FontBold
	default:
		return FontRegular
	}
}

// capture renders text through Fyne's software painter with the bundled fonts.
func capture(t *testing.T, text string, style fyne.TextStyle) image.Image {
	t.Helper()
	txt := canvas.NewText(text, theme.Color(theme.ColorNameForeground))
	txt.TextSize = 40
	txt.TextStyle = style
	w := test.NewTempWindow(t, txt)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(40*float32(len([]rune(text)))+20, 64))
	return w.Canvas().Capture()
}

func sameImage(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				return false
			}
		}
	}
	return true
}

// TestCJKRendersThroughFyne draws Chinese text with Fyne's own painter and the
// bundled fonts, and checks that the glyphs are real: not blank, and not what a rune
// the font lacks (private-use U+E000) gets. For that, Fyne 2.7.1 draws U+FFFD "�"
// from whichever font has it (a system font, as the subset has none) and otherwise
// the subset's .notdef, a box with a cross.
//
// Set TECHAID_FONT_CHECK=/tmp/font-check.png to save a capture for a person to look at.
func TestCJKRendersThroughFyne(t *testing.T) {
	test.NewTempApp(t)
	fyne.CurrentApp().Settings().SetTheme(cjkTheme{theme.DefaultTheme()})

	blank := capture(t, " ", fyne.TextStyle{})
	notdef := capture(t, "\uE000", fyne.TextStyle{})
	if sameImage(notdef, blank) {
		t.Fatal("a missing rune renders blank: the comparisons below would prove nothing")
	}
	regular := map[string]image.Image{}
	for _, s := range strings.Split("科 帮 账 淄 博 ✓ A "+strings.Join(strings.Split(rareVillageChars, ""), " "), " ") {
		img := capture(t, s, fyne.TextStyle{})
		regular[s] = img
		if sameImage(img, blank) {
			t.Errorf("%q renders blank", s)
		}
		if sameImage(img, notdef) {
			t.Errorf("%q renders as a missing rune", s)
		}
	}
	if sameImage(regular["科"], regular["帮"]) {
		t.Error("科 and 帮 render the same")
	}
	bold := capture(t, "科", fyne.TextStyle{Bold: true})
	if sameImage(bold, regular["科"]) || sameImage(bold, notdef) {
		t.Error("bold 科 renders like regular 科 or a missing rune: FontBold is not used")
	}

	if path := os.Getenv("TECHAID_FONT_CHECK"); path != "" {
		line := "科技帮扶台账 淄博市 " + rareVillageChars + " ABC 123 ✓●▲"
		c := sample(t, line)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, c); err != nil {
			t.Fatal(err)
		}
		t.Logf("saved %s", path)
	}
}

// sample renders line in regular and bold, one above the other.
func sample(t *testing.T, line string) image.Image {
	reg := canvas.NewText(line, theme.Color(theme.ColorNameForeground))
	reg.TextSize = 32
	bold := canvas.NewText(line, theme.Color(theme.ColorNameForeground))
	bold.TextSize = 32
	bold.TextStyle.Bold = true
	w := test.NewTempWindow(t, container.NewVBox(reg, bold))
	w.Resize(fyne.NewSize(bold.MinSize().Width+16, 2*bold.MinSize().Height+24))
	return w.Canvas().Capture()
}
