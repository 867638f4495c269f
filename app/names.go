package app

import (
	"slices"
	"strings"

	"techaid/ledger"
	"techaid/query"
)

// Names for codes and ids, as lists and history show them.

// villageName is a village's name; one outside this office's store (an advisor of the city's roster
// also serves elsewhere) is named from the division list, with its township.
func (u *UI) villageName(code ledger.Code) string {
	if v, err := u.st.Village(code); err == nil {
		return v.Name
	}
	if d, ok := u.places.division[code]; ok {
		return d.VillageName + "（" + d.TownshipName + "）"
	}
	return string(code)
}

func (u *UI) advisorName(id string) string {
	if a, err := u.st.Advisor(id); err == nil {
		return a.Name
	}
	return T("（已不在名册）")
}

func (u *UI) villageNames(codes []ledger.Code) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = u.villageName(c)
	}
	return strings.Join(names, listSep)
}

func (u *UI) advisorNames(ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = u.advisorName(id)
	}
	return strings.Join(names, listSep)
}

// villageChoices suggests villages of the office's scope for what was typed: names that start with it
// first, then names that contain it or codes that start with it.
func (u *UI) villageChoices(part string) []choice {
	const limit = 6
	scope := u.id.Scope
	var vs []ledger.Village
	seen := map[ledger.Code]bool{}
	for _, v := range u.st.VillagesByName(part, 64) {
		if scope.Contains(v.Code) && !seen[v.Code] && len(vs) < limit {
			vs = append(vs, v)
			seen[v.Code] = true
		}
	}
	if len(vs) < limit {
		more, _ := u.st.Villages(query.Villages{Under: scope, Search: part, Limit: limit * 2}, nil)
		for _, v := range more {
			if !seen[v.Code] && len(vs) < limit {
				vs = append(vs, v)
				seen[v.Code] = true
			}
		}
	}
	out := make([]choice, len(vs))
	for i, v := range vs {
		out[i] = u.villageChoice(v)
	}
	return out
}

// villageChoice names a village in a completer: its name, with its township when another village of the
// scope has the same name.
func (u *UI) villageChoice(v ledger.Village) choice {
	text := v.Name
	n := 0
	for _, o := range u.st.VillagesByName(v.Name, 64) { // the name index: names that start with this one
		if o.Name == v.Name && u.id.Scope.Contains(o.Code) {
			n++
		}
	}
	if n > 1 {
		text = v.Name + "（" + v.TownshipName + "）"
	}
	label := v.Name
	if u.id.Scope.Level() != ledger.LevelTownship {
		label += " · " + v.TownshipName
	}
	if n > 1 {
		label += " · " + string(v.Code)
	}
	if v.Key {
		label += " · " + T("重点村")
	}
	return choice{label: label, text: text, value: string(v.Code)}
}

// advisorChoices suggests advisors for what was typed: names that start with it, then names, phones or
// employers that contain it.
func (u *UI) advisorChoices(part string) []choice {
	const limit, pool = 6, 32
	var as []ledger.Advisor
	seen := map[string]bool{}
	for _, a := range u.st.AdvisorsByName(part, pool) {
		as = append(as, a)
		seen[a.ID] = true
	}
	if len(as) < pool {
		for _, a := range u.st.Advisors(query.Advisors{Search: part}, nil) {
			if !seen[a.ID] && len(as) < pool {
				as = append(as, a)
				seen[a.ID] = true
			}
		}
	}
	// Those paired with this office's villages first: they are the ones its sheets name.
	if u.id.Scope.Level() != ledger.LevelCity {
		ours := map[string]bool{}
		for _, a := range u.st.Assignments("", "", u.today(), nil) {
			if u.id.Scope.Contains(a.Village) {
				ours[a.Advisor] = true
			}
		}
		slices.SortStableFunc(as, func(x, y ledger.Advisor) int { return b2i(!ours[x.ID]) - b2i(!ours[y.ID]) })
	}
	as = as[:min(len(as), limit)]
	out := make([]choice, len(as))
	for i, a := range as {
		out[i] = advisorChoice(a)
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func advisorChoice(a ledger.Advisor) choice {
	label := a.Name + " · " + T(a.Group) + " · " + a.Employer
	if a.Status != "" && a.Status != ledger.StatusActive {
		label += " · " + T(a.Status)
	}
	return choice{label: label, text: a.Name, value: a.ID}
}

func kindChoices(part string) []choice {
	var out []choice
	for i, k := range ledger.TrainingKinds {
		if strings.Contains(k, part) || part == string(rune('1'+i)) || strings.Contains(strings.ToLower(T(k)), strings.ToLower(part)) {
			out = append(out, choice{label: string(rune('1'+i)) + "  " + T(k), text: k, value: k})
		}
	}
	return out
}

// resolveVillage finds the village a typed part names when it was not taken from the suggestions: a
// code, or a name that only one village of the scope has.
func (u *UI) resolveVillage(part string) (ledger.Code, bool) {
	if c := ledger.Code(part); c.Level() == ledger.LevelVillage {
		if _, err := u.st.Village(c); err == nil {
			return c, true
		}
	}
	name, town := part, ""
	if i := strings.Index(part, "（"); i > 0 && strings.HasSuffix(part, "）") {
		name, town = part[:i], strings.TrimSuffix(part[i+len("（"):], "）")
	}
	vs, _ := u.st.Villages(query.Villages{Under: u.id.Scope, Search: name}, nil)
	var found []ledger.Code
	for _, v := range vs {
		if v.Name == name && (town == "" || v.TownshipName == town) {
			found = append(found, v.Code)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	if len(found) == 0 && town == "" { // a part of the name that only one village has: 鲁村一村
		var partial []ledger.Code
		for _, v := range vs {
			if strings.Contains(v.Name, name) {
				partial = append(partial, v.Code)
			}
		}
		if len(partial) == 1 {
			return partial[0], true
		}
	}
	return "", false
}

// resolveAdvisor finds the advisor a typed name names, if only one has it.
func (u *UI) resolveAdvisor(part string) (string, bool) {
	var found, prefix []string
	for _, a := range u.st.AdvisorsByName(part, 16) {
		if a.Name == part {
			found = append(found, a.ID)
		}
		prefix = append(prefix, a.ID)
	}
	if len(found) == 1 {
		return found[0], true
	}
	if len(found) == 0 && len(prefix) == 1 { // the start of a name only one advisor has
		return prefix[0], true
	}
	return "", false
}
