package storage

import (
	"encoding/json"
	"fmt"
	"slices"

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

	Trainings     int `json:"trainings,omitempty"` // as primary village
	Attendees     int `json:"attendees,omitempty"`
	PoorAttendees int `json:"poor_attendees,omitempty"`
	Brochures     int `json:"brochures,omitempty"`
	Varieties     int `json:"varieties,omitempty"` // varieties or technologies introduced

	TrainingsByMonth [12]int `json:"trainings_by_month"`

	Visits        int        `json:"visits,omitempty"` // trainings listing the village at all
	VisitsByKind  KindCounts `json:"visits_by_kind"`
	VisitsByMonth [12]int    `json:"visits_by_month"`
}

// KindCounts counts trainings by kind, in the order of ledger.TrainingKinds; a kind a clerk typed that is
// not in the list counts as 其他. An array, not a map: the dashboard sums thousands of these.
type KindCounts [7]int

func kindIndex(kind string) int {
	if i := slices.Index(ledger.TrainingKinds, kind); i >= 0 && i < len(KindCounts{}) {
		return i
	}
	return slices.Index(ledger.TrainingKinds, ledger.TrainingOther)
}

// Of is the count of one kind.
func (k KindCounts) Of(kind string) int { return k[kindIndex(kind)] }

// MarshalJSON writes the counts as an object keyed by kind, leaving out zeros.
func (k KindCounts) MarshalJSON() ([]byte, error) {
	m := map[string]int{}
	for i, n := range k {
		if n != 0 {
			m[ledger.TrainingKinds[i]] = n
		}
	}
	return json.Marshal(m)
}

func tallyID(year int, v ledger.Code) string { return fmt.Sprintf("%04d/%s", year, v) }

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
	t.VisitsByKind[kindIndex(tr.Kind)] += sign
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
	for i, n := range o.VisitsByKind {
		t.VisitsByKind[i] += n
	}
}
