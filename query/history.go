package query

import "techaid/ledger"

// Audit operations.
const (
	OpCreate  = "create"  // a new record, entered here
	OpUpdate  = "update"  // fields edited here
	OpDelete  = "delete"  // deleted here
	OpImport  = "import"  // written by an import here
	OpSync    = "sync"    // fields that arrived from another replica
	OpRestore = "restore" // a clerk restored the losing value of a conflict
)

// Audit is one entry of a record's history: who changed which fields when, and from what to what.
type Audit struct {
	Stamp   ledger.Stamp // when, on this replica's clock
	Op      string
	Author  string // the clerk who wrote it (for sync: the remote author of the newest field)
	Office  ledger.Code
	Replica string
	Fields  []AuditField
}

// AuditField is one changed field in an Audit.
type AuditField struct {
	Name string
	Old  string
	New  string
}

// Conflict is one entry of the conflict log: a field that two replicas wrote without seeing each other's
// write. The later write (Winner) holds everywhere; the other (Loser) is kept here so a clerk can see it
// and put it back.
type Conflict struct {
	Seq      uint64       `json:"seq"`
	Kind     ledger.Kind  `json:"kind"`
	ID       string       `json:"id"`
	Field    string       `json:"field"`
	Winner   ledger.Field `json:"winner"`
	Loser    ledger.Field `json:"loser"`
	Detected ledger.Stamp `json:"detected"` // on this replica's clock
	Resolved string       `json:"resolved,omitempty"`
}

// Conflict resolutions.
const (
	ResolvedRestored  = "restored"  // the losing value was written back
	ResolvedDismissed = "dismissed" // the clerk accepted the winner
)
