package app

import (
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
)

// The inputs record forms are built from: each reads and writes one record field through an accessor,
// so that a kind's form is the list of its fields (needs.go, projects.go, …).

// plainIn is a one-line field whose text a kind reads and writes itself.
func plainIn[R any](name, placeholder string, fill func(R) string, read func(r *R, text string) error) input[R] {
	e := newField()
	e.SetPlaceHolder(placeholder)
	return input[R]{name: name, entry: e, focus: e,
		fill: func(r R) { e.SetText(fill(r)) },
		read: func(r *R, bad func(error)) {
			if err := read(r, e.Text); err != nil {
				bad(err)
			}
		}}
}

// textIn is a text field.
func textIn[R any](name, placeholder string, get func(*R) *string) input[R] {
	return plainIn(name, placeholder, func(r R) string { return *get(&r) },
		func(r *R, s string) error { *get(r) = strings.TrimSpace(s); return nil })
}

// dateIn is a date typed as clerks do (5-3, 2026-05-03, 0503); empty is today if required, else none.
func dateIn[R any](u *UI, name string, required bool, get func(*R) *ledger.Date) input[R] {
	ph := T("可填 5-3 或 2026-05-03；不填为空")
	if required {
		ph = T("今天；也可填 5-3 或 2026-05-03")
	}
	return plainIn(name, ph, func(r R) string { return string(*get(&r)) },
		func(r *R, s string) (err error) {
			if strings.TrimSpace(s) == "" && !required {
				*get(r) = ""
				return nil
			}
			*get(r), err = parseDay(s, u.today())
			return err
		})
}

// countIn is a whole number; empty is 0.
func countIn[R any](name, unit string, get func(*R) *int) input[R] {
	return plainIn(name, unit, func(r R) string { return countText(*get(&r)) },
		func(r *R, s string) (err error) { *get(r), err = parseCount(s); return err })
}

// yearIn is a year; empty is this year.
func yearIn[R any](u *UI, name string, get func(*R) *int) input[R] {
	return plainIn(name, T("今年；也可填 2025"), func(r R) string { return countText(*get(&r)) },
		func(r *R, s string) error {
			s = strings.TrimSuffix(strings.TrimSpace(s), "年")
			if s == "" {
				*get(r) = u.year()
				return nil
			}
			y, err := strconv.Atoi(s)
			if err != nil || y < 1000 || y > 9999 {
				return errors.New(T("年度请填四位数字，例如 %d", u.year()))
			}
			*get(r) = y
			return nil
		})
}

// amountIn is an amount with decimals (万元, 亩); empty is 0.
func amountIn[R any](name, unit string, get func(*R) *float64) input[R] {
	return plainIn(name, unit, func(r R) string {
		if v := *get(&r); v != 0 {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return ""
	}, func(r *R, s string) error {
		s = strings.TrimSpace(strings.ReplaceAll(s, ",", ""))
		if s == "" {
			*get(r) = 0
			return nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v < 0 {
			return errors.New(T("请填写不小于 0 的数，可带小数"))
		}
		*get(r) = v
		return nil
	})
}

// listIn is a list of free texts separated by 、 (a variety's other names).
func listIn[R any](name, placeholder string, get func(*R) *[]string) input[R] {
	return plainIn(name, placeholder, func(r R) string { return strings.Join(*get(&r), listSep) },
		func(r *R, s string) error {
			*get(r) = nil
			for _, p := range splitList(s) {
				if p = strings.TrimSpace(p); p != "" {
					*get(r) = append(*get(r), p)
				}
			}
			return nil
		})
}

// completerIn is a field with suggestions.
func completerIn[R any](name, placeholder string, c *completer, fill func(R), read func(r *R, bad func(error))) input[R] {
	c.SetPlaceHolder(placeholder)
	return input[R]{name: name, entry: &c.field, focus: c, fill: fill, read: read}
}

// choiceIn is one of a fixed list of values (states, kinds, groups), typed or picked by its number.
func choiceIn[R any](name string, hint fieldHint, options []string, get func(*R) *string) input[R] {
	c := newCompleter(false, hint, optionChoices(options))
	c.all = true
	return completerIn(name, T("输入，或按编号选择"), c,
		func(r R) {
			if v := *get(&r); v != "" {
				c.set([]choice{{text: T(v), value: v}})
			} else {
				c.set(nil)
			}
		},
		func(r *R, bad func(error)) {
			vals, unknown := c.values()
			switch {
			case len(vals) > 0:
				*get(r) = vals[0]
			case len(unknown) > 0:
				if v, ok := optionNamed(options, unknown[0]); ok {
					*get(r) = v
					return
				}
				bad(errors.New(T("只能是：%s", strings.Join(translated(options), "、"))))
			default:
				*get(r) = ""
			}
		})
}

// fieldHint is the label a form shows its suggestions in.
type fieldHint = *widget.Label

// optionChoices suggests the options that contain what was typed, or the one of that number.
func optionChoices(options []string) func(part string) []choice {
	return func(part string) []choice {
		var out []choice
		for i, o := range options {
			num := strconv.Itoa(i + 1)
			if strings.Contains(o, part) || part == num || strings.Contains(strings.ToLower(T(o)), strings.ToLower(part)) {
				out = append(out, choice{label: num + "  " + T(o), text: T(o), value: o})
			}
		}
		return out
	}
}

func optionNamed(options []string, text string) (string, bool) {
	for _, o := range options {
		if text == o || text == T(o) {
			return o, true
		}
	}
	return "", false
}

func translated(options []string) []string {
	out := make([]string, len(options))
	for i, o := range options {
		out[i] = T(o)
	}
	return out
}

// groupIn is one of the seven professional groups.
func groupIn[R any](hint fieldHint, get func(*R) *string) input[R] {
	return choiceIn("group", hint, ledger.Groups, get)
}

// villageIn is one village of the office's scope.
func villageIn[R any](u *UI, name string, hint fieldHint, get func(*R) *ledger.Code) input[R] {
	c := newCompleter(false, hint, u.villageChoices)
	return completerIn(name, T("输入村名"), c,
		func(r R) { u.fillVillages(c, []ledger.Code{*get(&r)}) },
		func(r *R, bad func(error)) {
			codes := u.readVillages(c, bad)
			*get(r) = ""
			if len(codes) > 0 {
				*get(r) = codes[0]
			}
		})
}

// villagesIn is several villages of the office's scope.
func villagesIn[R any](u *UI, name string, hint fieldHint, get func(*R) *[]ledger.Code) input[R] {
	c := newCompleter(true, hint, u.villageChoices)
	return completerIn(name, T("输入村名，几个村用、隔开"), c,
		func(r R) { u.fillVillages(c, *get(&r)) },
		func(r *R, bad func(error)) { *get(r) = u.readVillages(c, bad) })
}

// advisorIn is one advisor of the roster (an expert is an advisor too).
func advisorIn[R any](u *UI, name string, hint fieldHint, get func(*R) *string) input[R] {
	c := newCompleter(false, hint, u.advisorChoices)
	return completerIn(name, T("输入姓名"), c,
		func(r R) { u.fillAdvisors(c, []string{*get(&r)}) },
		func(r *R, bad func(error)) {
			ids := u.readAdvisors(c, bad)
			*get(r) = ""
			if len(ids) > 0 {
				*get(r) = ids[0]
			}
		})
}

// advisorsIn is several advisors of the roster.
func advisorsIn[R any](u *UI, name string, hint fieldHint, get func(*R) *[]string) input[R] {
	c := newCompleter(true, hint, u.advisorChoices)
	return completerIn(name, T("输入姓名，几个人用、隔开"), c,
		func(r R) { u.fillAdvisors(c, *get(&r)) },
		func(r *R, bad func(error)) { *get(r) = u.readAdvisors(c, bad) })
}

// varietyIn is one variety of the city's registry, by its name or an other name; a text the registry
// does not know is refused with what it may mean (never registered from here).
func varietyIn[R any](u *UI, name string, hint fieldHint, get func(*R) *string) input[R] {
	c := newCompleter(false, hint, u.varietyChoices)
	c.note = u.varietyNote
	return completerIn(name, T("输入品种或技术名称"), c,
		func(r R) {
			c.set(nil)
			if id := *get(&r); id != "" {
				c.set([]choice{{text: u.varietyName(id), value: id}})
			}
		},
		func(r *R, bad func(error)) {
			vals, unknown := c.values()
			*get(r) = ""
			switch {
			case len(vals) > 0:
				*get(r) = vals[0]
			case len(unknown) > 0:
				m := u.st.MatchVariety(unknown[0])
				if m.Variety != nil {
					*get(r) = m.Variety.ID
					return
				}
				bad(errors.New(u.unregistered(unknown[0], m.Near)))
			}
		})
}

// varietyTextsIn is the free-text varieties of a training or a project: typed as the sheet says, the
// registry's names suggested; a text the registry lacks is kept as typed and the hint says it is not
// counted until the city registers it, and what it may mean.
func varietyTextsIn[R any](u *UI, name string, hint fieldHint, get func(*R) *[]string) input[R] {
	c := newCompleter(true, hint, u.varietyChoices)
	c.free = true
	c.note = u.varietyNote
	return completerIn(name, T("品种或技术，用、隔开"), c,
		func(r R) { c.set(nil); c.SetText(strings.Join(*get(&r), listSep)) },
		func(r *R, bad func(error)) {
			*get(r) = nil
			for _, p := range splitList(c.Text) {
				if p = strings.TrimSpace(p); p != "" {
					*get(r) = append(*get(r), p)
				}
			}
		})
}

// parkIn is a science park of the city's registry.
func parkIn[R any](u *UI, name string, hint fieldHint, get func(*R) *string) input[R] {
	c := newCompleter(false, hint, u.parkChoices)
	return completerIn(name, T("输入园区名称"), c,
		func(r R) {
			c.set(nil)
			if id := *get(&r); id != "" {
				c.set([]choice{{text: u.parkName(id), value: id}})
			}
		},
		func(r *R, bad func(error)) {
			vals, unknown := c.values()
			*get(r) = ""
			switch {
			case len(vals) > 0:
				*get(r) = vals[0]
			case len(unknown) > 0:
				for _, p := range u.st.Parks("", nil) {
					if p.Name == unknown[0] {
						*get(r) = p.ID
						return
					}
				}
				bad(errors.New(T("园区名册里没有“%s”，请从提示中选择", unknown[0])))
			}
		})
}

// placeIn is a county or township of the city (with the city itself when city is set), within this
// office's scope: a park's county, a report's office, a platform's place.
func placeIn[R any](u *UI, name string, hint fieldHint, levels []ledger.Level, get func(*R) *ledger.Code) input[R] {
	c := newCompleter(false, hint, u.placeChoices(levels))
	ph := T("输入区县或乡镇名称")
	if len(levels) == 1 && levels[0] == ledger.LevelCounty {
		ph = T("输入区县名称")
	}
	return completerIn(name, ph, c,
		func(r R) {
			c.set(nil)
			if code := *get(&r); code != "" {
				c.set([]choice{{text: u.places.name(code), value: string(code)}})
			}
		},
		func(r *R, bad func(error)) {
			vals, unknown := c.values()
			*get(r) = ""
			switch {
			case len(vals) > 0:
				*get(r) = ledger.Code(vals[0])
			case len(unknown) > 0:
				if cs := u.placeChoices(levels)(unknown[0]); len(cs) == 1 {
					*get(r) = ledger.Code(cs[0].value)
					return
				}
				bad(errors.New(T("没有叫“%s”的区县或乡镇，或有重名，请从提示中选择", unknown[0])))
			}
		})
}
