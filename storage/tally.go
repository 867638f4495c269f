package storage

import (
	"fmt"

	"techaid/ledger"
	"techaid/query"
)

// tally is one village's query.Tally for one year as memdb holds it, by id ("2026/370323102201").
// Tallies are kept up to date in the same transaction as the trainings they count (old contribution
// out, new one in), so the dashboard and the monthly reports read a few thousand small rows instead of
// 100k trainings.
type tally struct {
	ID string
	query.Tally
}

func tallyID(year int, v ledger.Code) string { return fmt.Sprintf("%04d/%s", year, v) }
