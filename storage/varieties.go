package storage

import (
	"sort"
	"strings"

	"techaid/ledger"
	"techaid/query"
)

// VarietiesByName is type-ahead on the registry: varieties whose name or an alias starts with prefix
// (as NormalName folds them), then those containing it, at most limit.
func (s *Store) VarietiesByName(prefix string, limit int) []ledger.Variety {
	n := ledger.NormalName(prefix)
	var starts, contains []ledger.Variety
	for _, r := range s.lists().rows[ledger.KindVariety] {
		v := r.e.(ledger.Variety)
		best := 0
		for _, name := range v.Names() {
			switch nn := ledger.NormalName(name); {
			case strings.HasPrefix(nn, n):
				best = 2
			case strings.Contains(nn, n) && best == 0:
				best = 1
			}
		}
		switch best {
		case 2:
			starts = append(starts, v)
		case 1:
			contains = append(contains, v)
		}
	}
	out := append(starts, contains...)
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// MatchVariety matches a free text (a training's or a project's variety) to the registry: the variety
// it names, if its name or an alias is the text as NormalName folds it; else the varieties it may mean.
func (s *Store) MatchVariety(text string) query.VarietyMatch {
	m := query.VarietyMatch{Text: text}
	cat := s.lists()
	n := ledger.NormalName(text)
	if id, ok := cat.names[n]; ok && n != "" {
		for _, r := range cat.rows[ledger.KindVariety] {
			if r.id == id {
				v := r.e.(ledger.Variety)
				m.Variety = &v
			}
		}
		return m
	}
	m.Near = nearVarieties(cat, n)
	return m
}

// nearVarieties are the registered varieties a text in normal form may mean: a name or alias
// containing it or contained in it (two characters at least), or one character apart.
func nearVarieties(cat *catalog, n string) []ledger.Variety {
	if n == "" {
		return nil
	}
	var out []ledger.Variety
	for _, r := range cat.rows[ledger.KindVariety] {
		v := r.e.(ledger.Variety)
		for _, name := range v.Names() {
			nn := ledger.NormalName(name)
			short := min(len([]rune(nn)), len([]rune(n)))
			if short >= 2 && (strings.Contains(nn, n) || strings.Contains(n, nn)) || oneApart(nn, n) {
				out = append(out, v)
				break
			}
		}
	}
	return out
}

// oneApart reports whether a and b differ by one character changed, added or dropped (and have at
// least two characters: any two single characters are one apart).
func oneApart(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	if len(rb) < 2 || len(ra)-len(rb) > 1 {
		return false
	}
	i := 0
	for i < len(rb) && ra[i] == rb[i] {
		i++
	}
	if len(ra) == len(rb) {
		return i < len(ra) && string(ra[i+1:]) == string(rb[i+1:])
	}
	return string(ra[i+1:]) == string(rb[i:])
}

// Unlinked lists the variety texts that trainings and supported projects of a year name in a place and
// the registry does not know, most named first, each with the registered varieties it may mean: the
// list the city works through, registering a variety or adding an alias, so that nothing is counted
// twice or silently dropped. under "" (or the city) is everything.
func (s *Store) Unlinked(year int, under ledger.Code) []query.Unlinked {
	code := under
	if code == "" || code.Level() == ledger.LevelCity {
		code = s.Identity().Scope
		if len(code) > 4 {
			code = code[:4]
		}
	}
	cat := s.lists()
	var out []query.Unlinked
	for name, n := range s.memberCounts(year, setVarietyNames, code) {
		if _, ok := cat.names[name]; !ok {
			out = append(out, query.Unlinked{Name: name, Count: n, Near: nearVarieties(cat, name)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	return out
}
