package query

import (
	"encoding/json"
	"slices"

	"techaid/ledger"
)

// Progress is a year's work within a scope, the figures the programme's targets are measured on.
type Progress struct {
	Year  int         `json:"year"`
	Under ledger.Code `json:"under"`
	Total Tally       `json:"total"`
	// Townships holds the same sums per township, for the per-township table and the bulletins.
	Townships map[ledger.Code]Tally `json:"townships"`
	// Villages holds them per village when under is a township: a township office's own table.
	Villages map[ledger.Code]Tally `json:"villages,omitempty"`

	KeyVillages         int `json:"key_villages"`          // key villages in the scope
	KeyVillagesCovered  int `json:"key_villages_covered"`  // with an advisor assigned on the day asked
	KeyVillagesSurveyed int `json:"key_villages_surveyed"` // with at least SurveysPerKeyVillage needs surveys
	KeyVillagesVisited  int `json:"key_villages_visited"`  // with at least one training or visit
	Surveys             int `json:"surveys"`               // needs surveys in key villages

	// The rest of the programme, counted from its records (kept per year, city, county and township in
	// the transactions that write them). Records naming villages of several townships count once in
	// each place they touch.
	Needs         NeedProgress     `json:"needs"`
	Projects      ProjectProgress  `json:"projects"`
	Varieties     VarietyProgress  `json:"varieties"`
	Leaders       int              `json:"leaders"`        // technology leaders and model households recognised in the year
	LeaderKind    map[string]int   `json:"leader_kind"`    // of those, by kind
	Publicity     int              `json:"publicity"`      // publicity reports of the year by offices in the place
	PublicityForm map[string]int   `json:"publicity_form"` // of those, by form
	Parks         ParkProgress     `json:"parks"`
	Platforms     PlatformProgress `json:"platforms"`
	// Target is the year's targets as the figures are measured against (the city's, with the
	// programme's defaults for what it never set): Store.Progress fills it.
	Target ledger.Target `json:"target"`
}

// SurveysPerKeyVillage is the programme's yearly target of needs surveys (需求调研) per key village.
const SurveysPerKeyVillage = 2

// Tally sums one village's trainings in one year (or, added up, a township's, a county's, the city's).
//
// A training with several villages counts once, for its primary (first) village, in the sums, and as a
// visit for every village it lists.
type Tally struct {
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

// Count adds (sign +1) or removes (sign -1) a training's contribution for village v.
func (t *Tally) Count(tr ledger.Training, v ledger.Code, sign int) {
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
	t.VisitsByKind.Add(tr.Kind, sign)
}

// Add sums another tally into t (for township, county and city totals).
func (t *Tally) Add(o Tally) {
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

// Zero reports whether nothing is counted.
func (t Tally) Zero() bool { return t.Visits == 0 && t.Trainings == 0 }

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

// Add adds n to the count of a kind.
func (k *KindCounts) Add(kind string, n int) { k[kindIndex(kind)] += n }

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
