package storage

import (
	"github.com/hashicorp/go-memdb"

	"techaid/ledger"
)

// The memdb tables and their indexes. Only small tables live here: trainings are indexed by Badger keys.
const (
	tableVillages    = "villages"
	tableAdvisors    = "advisors"
	tableAssignments = "assignments"
	tableTallies     = "tallies"
	tableGens        = "gens"

	indexID       = "id"
	indexTownship = "township"
	indexKey      = "key"
	indexName     = "name"
	indexGroup    = "group"
	indexVillage  = "village"
	indexAdvisor  = "advisor"
)

// villageRow is a village as memdb holds it, with its township code as a field to index on.
type villageRow struct {
	ledger.Village
	Township string
}

// gen counts the writes to one kind of record. A training list watches its kind's gen row, since
// trainings themselves are not in memdb.
type gen struct {
	Kind  string
	Count uint64
}

// kindMeta names the gen row of the store's own state rather than a kind of record: every write bumps
// it (counters, acknowledgements, cursors, conflicts change with them), and Stats watches it.
const kindMeta = "meta"

func schema() *memdb.DBSchema {
	str := func(name, field string, unique bool) *memdb.IndexSchema {
		return &memdb.IndexSchema{Name: name, Unique: unique, AllowMissing: !unique,
			Indexer: &memdb.StringFieldIndex{Field: field}}
	}
	return &memdb.DBSchema{Tables: map[string]*memdb.TableSchema{
		tableVillages: {Name: tableVillages, Indexes: map[string]*memdb.IndexSchema{
			indexID:       str(indexID, "Code", true),
			indexTownship: str(indexTownship, "Township", false),
			indexKey:      {Name: indexKey, Indexer: &memdb.BoolFieldIndex{Field: "Key"}},
			indexName:     str(indexName, "Name", false),
		}},
		tableAdvisors: {Name: tableAdvisors, Indexes: map[string]*memdb.IndexSchema{
			indexID:    str(indexID, "ID", true),
			indexGroup: str(indexGroup, "Group", false),
			indexName:  str(indexName, "Name", false),
		}},
		tableAssignments: {Name: tableAssignments, Indexes: map[string]*memdb.IndexSchema{
			indexID:      str(indexID, "ID", true),
			indexVillage: str(indexVillage, "Village", false),
			indexAdvisor: str(indexAdvisor, "Advisor", false),
		}},
		// Tallies are found by year through the id ("2026/370323102201") with a prefix query. An index on
		// Year alone would put all 2,931 villages under one radix node, which every insert copies.
		tableTallies: {Name: tableTallies, Indexes: map[string]*memdb.IndexSchema{
			indexID: str(indexID, "ID", true),
		}},
		tableGens: {Name: tableGens, Indexes: map[string]*memdb.IndexSchema{
			indexID: str(indexID, "Kind", true),
		}},
	}}
}
