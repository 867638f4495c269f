package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// choice is one suggestion of a completer: what the list shows, the text it puts in the entry, and the
// value it stands for (a village code, an advisor id).
type choice struct {
	label, text, value string
}

// listSep separates several values in one completer ("鲁村、东里"); commas and spaces are read too.
const listSep = "、"

// completer is an entry that suggests as the clerk types, for the keyboard: Up and Down move through the
// suggestions, Enter takes the highlighted one, and leaving the field with Tab takes the first if what
// was typed is not already a value. With multi it holds several values separated by 、. The suggestions
// show in a hint label the form places beside it, so nothing pops up over the form or steals focus.
type completer struct {
	field
	suggest func(part string) []choice
	hint    *widget.Label
	multi   bool
	// onEnter runs when Enter has nothing to complete: the form saves.
	onEnter func()
	// free: what is typed stands as typed (a variety's free text): the suggestions are offered, and only
	// one picked with ↑↓ is taken, by Enter; leaving the field takes none.
	free bool
	// all: the field offers every suggestion while empty (a short fixed list: states, groups), none
	// highlighted, so that leaving it empty takes none.
	all bool
	// note, if set, says more under the suggestions about the part being typed (a variety the registry
	// lacks, and what it may mean).
	note func(part string) string

	choices []choice
	sel     int
	taken   map[string]string // text → value of the choices taken
}

func newCompleter(multi bool, hint *widget.Label, suggest func(part string) []choice) *completer {
	c := &completer{suggest: suggest, hint: hint, multi: multi, taken: map[string]string{}}
	c.ExtendBaseWidget(c)
	c.OnChanged = func(string) {
		c.SetValidationError(nil)
		c.update()
	}
	return c
}

// parts splits the text into its values.
func (c *completer) parts() []string {
	if !c.multi {
		if t := strings.TrimSpace(c.Text); t != "" {
			return []string{t}
		}
		return nil
	}
	f := strings.FieldsFunc(c.Text, func(r rune) bool {
		return r == '、' || r == ',' || r == '，' || r == ' ' || r == '　' || r == ';' || r == '；'
	})
	return f
}

// current is the part being typed: the last one.
func (c *completer) current() string {
	if !c.multi {
		return strings.TrimSpace(c.Text)
	}
	t := c.Text
	if i := strings.LastIndexAny(t, "、,， 　;；"); i >= 0 {
		_, size := lastRune(t[i:])
		return strings.TrimSpace(t[i+size:])
	}
	return strings.TrimSpace(t)
}

func lastRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

// values are the values of the parts taken from suggestions, by text; unknown parts map to "".
func (c *completer) values() (vals []string, unknown []string) {
	for _, p := range c.parts() {
		if v, ok := c.taken[p]; ok {
			vals = append(vals, v)
		} else {
			unknown = append(unknown, p)
		}
	}
	return vals, unknown
}

// set fills the entry with values already known (editing a record, the last used values).
func (c *completer) set(cs []choice) {
	texts := make([]string, len(cs))
	for i, ch := range cs {
		texts[i] = ch.text
		c.taken[ch.text] = ch.value
	}
	c.SetText(strings.Join(texts, listSep))
	c.clearHint()
}

func (c *completer) update() {
	part := c.current()
	if part == "" && c.all && c.Text == "" {
		c.choices = c.suggest("")
		c.sel = -1
		c.showHint()
		return
	}
	if part == "" || c.taken[part] != "" && !c.multi {
		c.clearHint()
		return
	}
	if _, ok := c.taken[part]; ok {
		c.clearHint()
		return
	}
	c.choices = c.suggest(part)
	c.sel = 0
	if c.free {
		c.sel = -1
	}
	c.showHint()
}

func (c *completer) showHint() {
	if c.hint == nil {
		return
	}
	extra := ""
	if c.note != nil {
		if n := c.note(c.current()); n != "" {
			extra = "\n\n" + n
		}
	}
	if len(c.choices) == 0 {
		if c.free {
			c.hint.SetText(strings.TrimPrefix(extra, "\n\n"))
			return
		}
		c.hint.SetText(T("没有找到“%s”", c.current()) + extra)
		return
	}
	var b strings.Builder
	for i, ch := range c.choices {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i == c.sel {
			b.WriteString("▶ ")
		} else {
			b.WriteString("   ")
		}
		b.WriteString(ch.label)
	}
	if c.free {
		c.hint.SetText(b.String() + "\n\n" + T("↑↓ 选择后回车填入；不选则按输入的保存") + extra)
		return
	}
	c.hint.SetText(b.String() + "\n\n" + T("↑↓ 选择，回车或 Tab 确定") + extra)
}

func (c *completer) clearHint() {
	c.choices = nil
	if c.hint != nil {
		c.hint.SetText("")
	}
}

// accept puts the highlighted suggestion in place of the part being typed.
func (c *completer) accept() bool {
	if len(c.choices) == 0 || c.sel < 0 {
		return false
	}
	ch := c.choices[c.sel]
	c.taken[ch.text] = ch.value
	text := ch.text
	if c.multi {
		ps := c.parts()
		if len(ps) > 0 {
			ps = ps[:len(ps)-1]
		}
		text = strings.Join(append(ps, ch.text), listSep)
	}
	c.choices = nil
	c.SetText(text)
	c.CursorColumn = len([]rune(text))
	c.clearHint()
	return true
}

// TypedKey moves through the suggestions and takes one; other keys go to the entry.
func (c *completer) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyDown:
		if len(c.choices) > 0 {
			c.sel = (max(c.sel, -1) + 1) % len(c.choices)
			c.showHint()
			return
		}
	case fyne.KeyUp:
		if len(c.choices) > 0 {
			c.sel = (max(c.sel, 0) + len(c.choices) - 1) % len(c.choices)
			c.showHint()
			return
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if c.accept() {
			return
		}
		if c.onEnter != nil {
			c.onEnter()
			return
		}
	case fyne.KeyEscape:
		c.clearHint()
		return
	}
	c.Entry.TypedKey(k)
}

// FocusLost takes the first suggestion for a part typed but not chosen, as Tab leaves the field.
func (c *completer) FocusLost() {
	if len(c.choices) > 0 && !c.free {
		c.accept()
	}
	c.clearHint()
	c.field.FocusLost()
}

// FocusGained selects what is there (field) and shows its suggestions.
func (c *completer) FocusGained() {
	c.field.FocusGained()
	c.update()
}
