package ledger

// What a record names and when it happened, read the same way by storage (indexes, counting, scope,
// deletion checks) and the screens.

// VillagesOf lists the villages a record names: where it happened, or whom it serves.
func VillagesOf(e Entity) []Code {
	one := func(c Code) []Code {
		if c == "" {
			return nil
		}
		return []Code{c}
	}
	switch r := e.(type) {
	case Village:
		return one(r.Code)
	case Training:
		return r.Villages
	case Assignment:
		return one(r.Village)
	case Need:
		return one(r.Village)
	case Project:
		return r.Villages
	case Introduction:
		return r.Villages
	case Leader:
		return one(r.Village)
	case Publicity:
		return r.Villages
	case ParkPairing:
		return one(r.Village)
	case Platform:
		return r.Villages
	}
	return nil
}

// Ref names a record of some kind by its id.
type Ref struct {
	Kind Kind
	ID   string
}

// References lists the records a record names, villages included; a record named twice is listed twice.
func References(e Entity) []Ref {
	var out []Ref
	add := func(k Kind, ids ...string) {
		for _, id := range ids {
			if id != "" {
				out = append(out, Ref{k, id})
			}
		}
	}
	if _, ok := e.(Village); !ok {
		for _, v := range VillagesOf(e) {
			add(KindVillage, string(v))
		}
	}
	switch r := e.(type) {
	case Training:
		add(KindAdvisor, r.Advisors...)
	case Assignment:
		add(KindAdvisor, r.Advisor)
	case Need:
		add(KindAdvisor, r.Advisor)
		add(KindTraining, r.Survey)
		add(KindTraining, r.Trainings...)
		add(KindProject, r.Projects...)
	case Project:
		add(KindAdvisor, r.Lead)
		add(KindAdvisor, r.Team...)
	case Introduction:
		add(KindVariety, r.Variety)
		add(KindTraining, r.Trainings...)
	case Leader:
		add(KindAdvisor, r.Advisor)
	case Publicity:
		add(KindAdvisor, r.Advisors...)
	case ParkPairing:
		add(KindPark, r.Park)
	}
	return out
}

// When is the date a record is listed by and the year it counts in: a need's day raised, a project's
// year (and its approval or application), an introduction's year, the day a leader was recognised, a
// report was published, a pairing began, a platform was recognised, a training held. Registries (the
// villages, advisors, varieties, parks, targets) have neither.
func When(e Entity) (Date, int) {
	switch r := e.(type) {
	case Training:
		return r.Date, r.Date.Year()
	case Assignment:
		return r.From, r.From.Year()
	case Need:
		return r.Raised, r.Raised.Year()
	case Project:
		if r.Approved != "" {
			return r.Approved, r.Year
		}
		return r.Applied, r.Year
	case Introduction:
		return r.Date, r.Year
	case Leader:
		return r.Since, r.Since.Year()
	case Publicity:
		return r.Date, r.Date.Year()
	case ParkPairing:
		return r.From, r.From.Year()
	case Platform:
		return r.Date, r.Date.Year()
	}
	return "", 0
}
