package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Theme is Fyne's default light theme with the bundled Chinese font (Fyne's own has no CJK glyphs) and
// the bureau's green as the primary colour.
type Theme struct {
	Regular, Bold fyne.Resource
}

var _ fyne.Theme = (*Theme)(nil)

var green = color.NRGBA{R: 0x1b, G: 0x7f, B: 0x4b, A: 0xff}

func (t *Theme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameFocus:
		if n == theme.ColorNameFocus {
			return color.NRGBA{R: 0x1b, G: 0x7f, B: 0x4b, A: 0x60}
		}
		return green
	case theme.ColorNameSelection:
		return color.NRGBA{R: 0x1b, G: 0x7f, B: 0x4b, A: 0x30}
	case theme.ColorNameHyperlink:
		return color.NRGBA{R: 0x0b, G: 0x5c, B: 0x8a, A: 0xff}
	case theme.ColorNameDisabled: // read-only fields (the roster in a township) must stay readable
		return color.NRGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

func (t *Theme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return theme.DefaultTheme().Font(s)
	}
	if s.Bold && t.Bold != nil {
		return t.Bold
	}
	if t.Regular != nil {
		return t.Regular
	}
	return theme.DefaultTheme().Font(s)
}

func (t *Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameText {
		return 14
	}
	return theme.DefaultTheme().Size(n)
}
