// Package query is the store as its readers see it: what the UI, the reports and the commands ask a
// ledger store (the village, advisor and training queries), what it answers (pages, headline numbers,
// progress against the targets, a record's history, the conflict log, import results, who the replica
// is), and the watch sets through which a reader learns that an answer may have changed.
//
// It holds plain types over ledger's and nothing else: no storage engine, no network. So the desktop UI
// and the reports can declare the interfaces they need in these terms and never reach Badger or
// go-memdb (storage implements them; main wires the two together).
package query

import "techaid/ledger"

// Identity is who a replica is: its id, the office scope it may write, and the clerk at the keyboard.
type Identity struct {
	Replica string      `json:"replica"`
	Scope   ledger.Code `json:"scope"`
	Clerk   string      `json:"clerk"`
	Lean    bool        `json:"lean,omitempty"` // the hub's store: no history, indexes or tallies
}

// Villages filters the village list. Zero fields do not filter.
type Villages struct {
	Under   ledger.Code // a county or township code, or a city
	KeyOnly bool        // only key villages (省定重点村)
	Search  string      // part of the name, or the start of the code
	Offset  int
	Limit   int // 0: all
}

// Advisors filters the advisor roster. Zero fields do not filter.
type Advisors struct {
	Group      string
	Status     string
	ExpertOnly bool
	Search     string // part of the name, phone or employer
}

// Trainings filters the training list. Zero fields do not filter.
type Trainings struct {
	Village ledger.Code // trainings that list this village
	Advisor string      // trainings that list this advisor
	Under   ledger.Code // trainings whose primary village lies in this city, county or township
	From    ledger.Date // on or after
	To      ledger.Date // on or before
	Kind    string      // 服务形式
	Limit   int         // page size; 50 if zero
	After   string      // the Next of the previous page
	Oldest  bool        // oldest first; newest first otherwise
}

// TrainingPage is one page of trainings and the cursor of the next page ("" after the last).
type TrainingPage struct {
	Trainings []ledger.Training
	Next      string
}

// Stats are a store's headline numbers.
type Stats struct {
	Replica     string      `json:"replica"`
	Scope       ledger.Code `json:"scope"`
	Clerk       string      `json:"clerk"`
	Villages    int         `json:"villages"`
	KeyVillages int         `json:"key_villages"`
	Advisors    int         `json:"advisors"`
	Assignments int         `json:"assignments"`
	Trainings   int         `json:"trainings"`
	// Live records of the programme's other kinds.
	Needs         int    `json:"needs"`
	Projects      int    `json:"projects"`
	Varieties     int    `json:"varieties"`
	Introductions int    `json:"introductions"`
	Leaders       int    `json:"leaders"`
	Publicity     int    `json:"publicity"`
	Parks         int    `json:"parks"`
	ParkPairings  int    `json:"park_pairings"`
	Platforms     int    `json:"platforms"`
	Changes       uint64 `json:"changes"`   // changes people made on this replica (copies of reference data are none)
	Acked         uint64 `json:"acked"`     // of those, acknowledged by the city
	Pending       uint64 `json:"pending"`   // of those, not yet acknowledged by the city
	Conflicts     int    `json:"conflicts"` // not yet reviewed
	// Evidence files stored whole here and their bytes; of those attached here, the ones the city
	// has not acknowledged yet.
	EvidenceFiles   int   `json:"evidence_files"`
	EvidenceBytes   int64 `json:"evidence_bytes"`
	EvidencePending int   `json:"evidence_pending"`
}

// ImportResult reports a bulk write.
type ImportResult struct {
	Created   int
	Updated   int
	Unchanged int
	Rejected  []RowError
}

// RowError is one rejected row of an import: its position in the input (from 1) and why.
type RowError struct {
	Row int
	ID  string
	Err error
}
