package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"techaid/ledger"
	"techaid/query"
)

// Upgrades keep the data. The store records its format in meta (the truth) and, so that an older
// program can refuse a newer store without opening it (Badger writes on every open), in a small file
// beside it. Open refuses a newer format untouched and brings an older one up to FormatVersion, one
// step at a time. A step is idempotent: the old format stays recorded until the step has committed,
// so a crash during one runs it again at the next open.

// formatFile holds the format as text, for refusing a newer store before Badger opens it.
const formatFile = "techaid.format"

// migrations[v] brings a store of format v to v+1.
var migrations = map[int]func(s *Store, id query.Identity) error{
	1: addKindIndex,
	2: countTrainingVarieties,
	3: addEvidence,
	4: causalContext,
}

// addEvidence (format 3 → 4) has nothing to build: no record of an older format lists evidence. The
// step is the format's number, so that an older program refuses a store whose evidence it would
// neither keep referenced nor collect.
func addEvidence(*Store, query.Identity) error { return nil }

// checkFormatFile refuses a store whose format file names a newer format. A store without the file
// (format 1 did not write one) goes on to be opened and checked in meta.
func checkFormatFile(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, formatFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("open %s: unreadable %s: %q", dir, formatFile, b)
	}
	if v > FormatVersion {
		return fmt.Errorf("open %s: store format %d, this program knows up to %d: %w", dir, v, FormatVersion, ErrNewerFormat)
	}
	return nil
}

func writeFormatFile(dir string, v int) error {
	tmp := filepath.Join(dir, formatFile+".tmp")
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(v)+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, formatFile))
}

// migrate brings an initialised store up to FormatVersion. It runs in Open, before the indexes are
// rebuilt from what it wrote.
func (s *Store) migrate() error {
	var format int
	var id query.Identity
	err := s.db.View(func(txn *badger.Txn) error {
		if err := getJSON(txn, metaFormat, &format); err != nil {
			return err
		}
		return getJSON(txn, metaIdentity, &id)
	})
	if err != nil || id.Replica == "" || format >= FormatVersion {
		return err // not initialised yet, current, or newer (load refuses it)
	}
	for v := max(format, 1); v < FormatVersion; v++ {
		if err := migrations[v](s, id); err != nil {
			return fmt.Errorf("upgrade store format %d to %d: %w", v, v+1, err)
		}
		if err := s.db.Update(func(txn *badger.Txn) error { return setJSON(txn, metaFormat, v+1) }); err != nil {
			return fmt.Errorf("upgrade store format %d to %d: %w", v, v+1, err)
		}
	}
	return writeFormatFile(s.dir, FormatVersion)
}

// addKindIndex (format 1 → 2) writes the training index by kind for every live training: the list
// filtered by 服务形式 and the count of needs surveys then read index keys only. A hub's lean store
// keeps no training indexes and has nothing to add.
func addKindIndex(s *Store, id query.Identity) error {
	if id.Lean {
		return nil
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	err := s.db.View(func(txn *badger.Txn) error {
		return scanRecords(txn, ledger.KindTraining, func(rec ledger.Record) error {
			if rec.Deleted() {
				return nil
			}
			t, err := ledger.As[ledger.Training](rec)
			if err != nil || !t.Date.Valid() {
				return nil // trainingIndexKeys leaves these out too
			}
			return wb.Set(append(append(kindIndexPrefix(t.Kind), t.Date...), t.ID...), nil)
		})
	})
	if err != nil {
		return err
	}
	return wb.Flush()
}

// countTrainingVarieties (format 2 → 3) writes the counts format 3 keeps that records of format 2
// already contribute to: the varieties each live training names, per year and place (counts.go). The
// kinds format 3 adds have no records yet. A hub's lean store counts nothing.
func countTrainingVarieties(s *Store, id query.Identity) error {
	if id.Lean {
		return nil
	}
	members := map[countKey]map[string]int{}
	// Idempotent: an attempt a crash cut short wrote some of the same keys with the same values (nothing
	// else writes to the store before the upgrade is done).
	err := s.db.View(func(txn *badger.Txn) error {
		return scanRecords(txn, ledger.KindTraining, func(rec ledger.Record) error {
			if rec.Deleted() {
				return nil
			}
			t, err := ledger.As[ledger.Training](rec)
			if err != nil {
				return nil
			}
			places, cs := contributions(t)
			for _, c := range cs {
				for _, p := range places {
					k := countKey{year: c.year, metric: c.metric, code: p}
					if members[k] == nil {
						members[k] = map[string]int{}
					}
					members[k][c.member] += c.n
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for k, ms := range members {
		for m, n := range ms {
			if err := wb.Set(countKeyBytes(k, m), binary.AppendVarint(nil, int64(n))); err != nil {
				return err
			}
		}
	}
	return wb.Flush()
}

// causalContext (format 4 → 5) has nothing to rewrite: format 5 may hold records whose fields carry a
// causal context beyond prev (codecV2, see ledger.Field), which format 4 cannot read, so an older
// program must refuse the store; a record of format 4 reads as one whose context is its prev alone,
// which is what it meant. Records gain a context as they are next written.
func causalContext(*Store, query.Identity) error { return nil }
