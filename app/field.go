package app

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
)

// field is the app's one-line text entry. When the keyboard comes to it (Tab, Shift+Tab, a click, the
// form putting the cursor there) its text is selected, so that typing replaces a prefilled or
// remembered value (today's date, the last villages, a record being edited) as in Excel and every form
// a clerk knows, instead of being typed into it ("11-182026-12-03"). Fyne's Entry leaves the caret
// where it was; every form of the app builds its text fields with newField (or embeds field, as the
// completer does), so new forms get the behaviour by using it.
//
// Two events look like a focus change but are not one, and keep the text as it is: a click's own
// placement of the caret right after focus arrives (MouseDown focuses the entry, then places the caret
// and clears the selection), and the window getting the keyboard back after the clerk switched to
// another program mid-word (the focus manager says FocusGained again to the field that had it).
type field struct {
	widget.Entry

	hasFocus bool
	// clicked: focus came with a mouse press; the selection is made on release unless the press became
	// a drag that selects text itself.
	clicked bool
	// away: the window lost the keyboard while this field had it; the next FocusGained is its return.
	away bool
}

func newField() *field {
	f := &field{}
	f.ExtendBaseWidget(f)
	return f
}

// newPasswordField is a field whose text shows as dots, with Fyne's eye button to reveal it.
func newPasswordField() *field {
	f := newField()
	f.Password = true
	f.Wrapping = fyne.TextWrap(fyne.TextTruncateClip) // as widget.NewPasswordEntry
	f.ActionItem = newRevealer(f)
	return f
}

// revealer is the eye at the end of a password field: a tap shows or hides the text. Fyne's own is
// bound to a *widget.Entry of its making; this one is outside the Tab order as Fyne's is.
type revealer struct {
	widget.BaseWidget
	icon *widget.Icon
	f    *field
}

func newRevealer(f *field) *revealer {
	r := &revealer{icon: widget.NewIcon(theme.VisibilityOffIcon()), f: f}
	r.ExtendBaseWidget(r)
	return r
}

func (r *revealer) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.icon) }

func (r *revealer) Cursor() desktop.Cursor { return desktop.DefaultCursor }

func (r *revealer) Tapped(*fyne.PointEvent) {
	if r.f.Disabled() {
		return
	}
	r.f.Password = !r.f.Password
	if r.f.Password {
		r.icon.SetResource(theme.VisibilityOffIcon())
	} else {
		r.icon.SetResource(theme.VisibilityIcon())
	}
	r.f.Refresh()
	if c := fyne.CurrentApp().Driver().CanvasForObject(r.f); c != nil {
		c.Focus(r.f)
	}
}

// FocusGained selects the text, unless the keyboard is only coming back to the window.
func (f *field) FocusGained() {
	f.Entry.FocusGained()
	f.hasFocus = true
	if f.away {
		f.away = false
		return
	}
	f.selectAll()
}

func (f *field) FocusLost() {
	f.hasFocus, f.clicked = false, false
	f.Entry.FocusLost()
}

// MouseDown: a press into a field that did not have the keyboard selects its text (on release); a press
// into the field being typed in places the caret, as Entry does.
func (f *field) MouseDown(m *desktop.MouseEvent) {
	fresh := !f.hasFocus && m.Button == desktop.MouseButtonPrimary && !f.Disabled()
	f.Entry.MouseDown(m)
	f.clicked = fresh
}

func (f *field) MouseUp(m *desktop.MouseEvent) {
	f.Entry.MouseUp(m)
	if f.clicked {
		f.clicked = false
		f.selectAll()
	}
}

// Dragged is a selection made with the mouse: it stands, instead of the whole text.
func (f *field) Dragged(d *fyne.DragEvent) {
	f.clicked = false
	f.Entry.Dragged(d)
}

// selectAll selects the whole text (Entry's Ctrl+A).
func (f *field) selectAll() {
	f.Entry.TypedShortcut(&fyne.ShortcutSelectAll{})
}

// SetText replaces the text and lets go of a selection of the old one: Entry keeps it, and the first
// character typed next would replace what it now covers of the new text (a form emptied after a save
// swallowed the first character of the next record's first field).
func (f *field) SetText(s string) {
	f.Entry.SetText(s)
	f.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnd})
}

// leftWindow marks the field as having the keyboard when the window lost it.
func (f *field) leftWindow() { f.away = true }

// selectAller is a field or a widget built on one (the completer).
type selectAller interface {
	fyne.Focusable
	selectAll()
	leftWindow()
}

// focusSelected puts the keyboard in f with its text selected, also when f has the keyboard already (a
// save or a problem brings the cursor back to the field it was in, and the focus manager then says
// nothing to it).
func focusSelected(c fyne.Canvas, f fyne.Focusable) {
	if c == nil || f == nil {
		return
	}
	c.Focus(f)
	if s, ok := f.(selectAller); ok && c.Focused() == f {
		s.selectAll()
	}
}

// keepFocusedText is called when the app's window loses the keyboard: the field that has it keeps its
// text and caret as they are when the keyboard comes back.
func keepFocusedText(c fyne.Canvas) {
	if c == nil {
		return
	}
	if s, ok := c.Focused().(selectAller); ok {
		s.leftWindow()
	}
}

// reselect selects the text of the field that has the keyboard: after a save, the value just saved is
// what the next typing replaces.
func reselect(c fyne.Canvas) {
	if c == nil {
		return
	}
	if s, ok := c.Focused().(selectAller); ok {
		s.selectAll()
	}
}

// refuse says under a form why it was not saved, and puts the keyboard in the field to fix first (nil:
// none), its text selected.
func (u *UI) refuse(msg *widget.Label, text string, at fyne.Focusable) {
	msg.Importance = widget.DangerImportance
	msg.SetText(T("没有保存：") + text)
	if at != nil {
		focusSelected(u.win.Canvas(), at)
	}
}

// problemAt is the form field of the first record field a validation error names; nil if err names
// none of fields.
func problemAt(err error, fields map[string]fyne.Focusable) fyne.Focusable {
	var ve *ledger.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	for _, fe := range ve.Fields {
		if w := fields[fe.Field]; w != nil {
			return w
		}
	}
	return nil
}
