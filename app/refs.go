package app

import (
	"errors"
	"slices"
	"strings"

	"techaid/ledger"
)

// What the record forms of the programme's kinds read and write through their completers: villages and
// advisors as the training form takes them, the city's registries of varieties and parks, and the
// counties and townships of the city.

// fillVillages puts villages in a completer (editing a record).
func (u *UI) fillVillages(c *completer, codes []ledger.Code) {
	var cs []choice
	for _, code := range codes {
		if code == "" {
			continue
		}
		if v, err := u.st.Village(code); err == nil {
			cs = append(cs, u.villageChoice(v))
		} else {
			cs = append(cs, choice{text: u.villageName(code), value: string(code)})
		}
	}
	c.set(cs)
}

// readVillages reads the villages of a completer: those picked, and those typed that name one village.
func (u *UI) readVillages(c *completer, bad func(error)) []ledger.Code {
	vals, unknown := c.values()
	var out []ledger.Code
	for _, v := range vals {
		out = append(out, ledger.Code(v))
	}
	for _, p := range unknown {
		if code, ok := u.resolveVillage(p); ok {
			out = append(out, code)
		} else {
			bad(errors.New(T("本单位没有叫“%s”的村，或有重名，请从提示中选择", p)))
		}
	}
	return out
}

func (u *UI) fillAdvisors(c *completer, ids []string) {
	var cs []choice
	for _, id := range ids {
		if id == "" {
			continue
		}
		if a, err := u.st.Advisor(id); err == nil {
			cs = append(cs, advisorChoice(a))
		}
	}
	c.set(cs)
}

func (u *UI) readAdvisors(c *completer, bad func(error)) []string {
	ids, unknown := c.values()
	out := append([]string(nil), ids...)
	for _, p := range unknown {
		if id, ok := u.resolveAdvisor(p); ok {
			out = append(out, id)
		} else {
			bad(errors.New(T("名册里没有“%s”，或有重名，请从提示中选择", p)))
		}
	}
	return out
}

// varietyChoices suggests registered varieties whose name or other name starts with, then contains,
// what was typed (the registry's tolerant matching).
func (u *UI) varietyChoices(part string) []choice {
	var out []choice
	for _, v := range u.st.VarietiesByName(part, 6) {
		label := v.Name + " · " + T(v.Kind)
		if v.Group != "" {
			label += " · " + T(v.Group)
		}
		if len(v.Aliases) > 0 {
			label += " · " + T("又名") + strings.Join(v.Aliases, listSep)
		}
		out = append(out, choice{label: label, text: v.Name, value: v.ID})
	}
	return out
}

// varietyNote says, for a text the registry does not know, that it is not counted and what it may mean.
func (u *UI) varietyNote(part string) string {
	if part == "" {
		return ""
	}
	m := u.st.MatchVariety(part)
	if m.Variety != nil {
		if m.Variety.Name != part {
			return T("“%s”即名册中的“%s”", part, m.Variety.Name)
		}
		return ""
	}
	return u.unregistered(part, m.Near)
}

// unregistered is the sentence for a variety the registry lacks: never registered from a form; the
// city adds it, or adds the text as an other name of the one it means.
func (u *UI) unregistered(text string, near []ledger.Variety) string {
	s := T("“%s”不在新品种新技术名册中，不计入引进数", text)
	if len(near) > 0 {
		names := make([]string, 0, len(near))
		for _, v := range near {
			names = append(names, v.Name)
		}
		s += T("；是不是：%s？", strings.Join(names, listSep))
	}
	return s + T("（名册由市局登记）")
}

func (u *UI) varietyName(id string) string {
	if rec, err := u.st.Record(id); err == nil && rec.Kind == ledger.KindVariety {
		if v, err := ledger.As[ledger.Variety](rec); err == nil {
			return v.Name
		}
	}
	return id
}

func (u *UI) parkName(id string) string {
	if rec, err := u.st.Record(id); err == nil && rec.Kind == ledger.KindPark {
		if p, err := ledger.As[ledger.Park](rec); err == nil {
			return p.Name
		}
	}
	return id
}

// parkChoices suggests the parks whose name or speciality contains what was typed.
func (u *UI) parkChoices(part string) []choice {
	var out []choice
	for _, p := range u.st.Parks("", nil) {
		if strings.Contains(p.Name, part) || strings.Contains(p.Speciality, part) {
			out = append(out, choice{label: p.Name + " · " + u.places.name(p.County) + " · " + p.Speciality,
				text: p.Name, value: p.ID})
		}
		if len(out) == 6 {
			break
		}
	}
	return out
}

// placeChoices suggests the divisions of the given levels within the office's scope whose name
// contains what was typed (or whose code starts with it).
func (u *UI) placeChoices(levels []ledger.Level) func(part string) []choice {
	return func(part string) []choice {
		scope := u.id.Scope
		var codes []ledger.Code
		if slices.Contains(levels, ledger.LevelCity) {
			codes = append(codes, City)
		}
		for _, county := range u.places.counties {
			if slices.Contains(levels, ledger.LevelCounty) {
				codes = append(codes, county)
			}
			if slices.Contains(levels, ledger.LevelTownship) {
				codes = append(codes, u.places.towns[county]...)
			}
		}
		var out []choice
		for _, c := range codes {
			if !scope.Contains(c) { // the office's own place and what lies in it
				continue
			}
			name := u.places.name(c)
			if !strings.Contains(name, part) && !strings.HasPrefix(string(c), part) {
				continue
			}
			label := name
			if c.Level() == ledger.LevelTownship {
				label += " · " + u.places.name(c.County())
			}
			out = append(out, choice{label: label, text: name, value: string(c)})
			if len(out) == 8 {
				break
			}
		}
		return out
	}
}
