package storage

import (
	"fmt"
	"maps"

	"techaid/ledger"
)

// Tally sums one village's trainings in one year. Tallies are kept up to date in the same transaction as
// the trainings they count (old contribution out, new one in), so the dashboard and the monthly reports
// read a few thousand small rows instead of 100k trainings.
//
// A training with several villages counts once, for its primary (first) village, in the sums, and as a
// visit for every village it lists.
type Tally struct {
	ID      string      `json:"-"`
	Year    int         `json:"-"`
	Village ledger.Code `json:"-"`

	Trainings     int // as primary village
	Attendees     int `json:"attendees,omitempty"`
	PoorAttendees int `json:"poor_attendees,omitempty"`
	Brochures     int `json:"brochures,omitempty"`
	Varieties     int `json:"varieties,omitempty"` // varieties or technologies introduced

	TrainingsByMonth [12]int `json:"trainings_by_month"`

	Visits        int            `json:"visits,omitempty"` // trainings listing the village at all
	VisitsByKind  map[string]int `json:"visits_by_kind,omitempty"`
	VisitsByMonth [12]int        `json:"visits_by_month"`
}

func tallyID(year int, v ledger.Code) string { return fmt.Sprintf("%04d/%s", year, v) }

func (t Tally) clone() Tally {
	t.VisitsByKind = maps.Clone(t.VisitsByKind)
	return t
}

// zero reports whether nothing is counted any more, so the row can go.
func (t Tally) zero() bool { return t.Visits == 0 && t.Trainings == 0 }

// count adds (sign +1) or removes (sign -1) a training's contribution for village v.
func (t *Tally) count(tr ledger.Training, v ledger.Code, sign int) {
	month := int(tr.Date.Time().Month()) - 1
	if v == tr.Village() {
		t.Trainings += sign
		t.Attendees += sign * tr.Attendees
		t.PoorAttendees += sign * tr.PoorAttendees
		t.Brochures += sign * tr.Brochures
		t.Varieties += sign * len(tr.Varieties)
		t.TrainingsByMonth[month] += sign
	}
	t.Visits += sign
	t.VisitsByMonth[month] += sign
	if t.VisitsByKind == nil {
		t.VisitsByKind = map[string]int{}
	}
	t.VisitsByKind[tr.Kind] += sign
	if t.VisitsByKind[tr.Kind] == 0 {
		delete(t.VisitsByKind, tr.Kind)
	}
}

// add sums another tally into t (for township, county and city totals).
func (t *Tally) add(o Tally) {
	t.Trainings += o.Trainings
	t.Attendees += o.Attendees
	t.PoorAttendees += o.PoorAttendees
	t.Brochures += o.Brochures
	t.Varieties += o.Varieties
	t.Visits += o.Visits
	for i := range 12 {
		t.TrainingsByMonth[i] += o.TrainingsByMonth[i]
		t.VisitsByMonth[i] += o.VisitsByMonth[i]
	}
	for k, n := range o.VisitsByKind {
		if t.VisitsByKind == nil {
			t.VisitsByKind = map[string]int{}
		}
		t.VisitsByKind[k] += n
	}
}
