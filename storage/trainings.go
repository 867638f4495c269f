package storage

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"techaid/ledger"
	"techaid/query"
)

// trainingPlan picks the index key range for a query: the most selective index given, then the date range.
// tail is the length of the fixed part after the date (a village code in the date index), so that the
// id can be cut out of a key.
func trainingPlan(q query.Trainings) (prefix []byte, tail int) {
	switch {
	case q.Village != "":
		return villageIndexPrefix(q.Village), 0
	case q.Advisor != "":
		return advisorIndexPrefix(q.Advisor), 0
	case q.Under.Level() == ledger.LevelTownship:
		return townIndexPrefix(q.Under), 0
	case q.Kind != "":
		return kindIndexPrefix(q.Kind), 0
	}
	return dateIndexPrefix(), 12
}

// scanTrainings walks the index keys matching q in order and calls fn with each training id (and the
// key, the cursor); fn returns false to stop. Only keys are read.
func scanTrainings(txn *badger.Txn, q query.Trainings, fn func(key []byte, id string) (bool, error)) error {
	prefix, tail := trainingPlan(q)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, Reverse: !q.Oldest})
	defer it.Close()
	var seek []byte
	switch {
	case q.After != "":
		after, err := hex.DecodeString(q.After)
		if err != nil || !strings.HasPrefix(string(after), string(prefix)) {
			return fmt.Errorf("trainings: bad page cursor %q", q.After)
		}
		seek = after
	case q.Oldest:
		seek = append(append([]byte{}, prefix...), q.From...)
	case q.To != "":
		seek = append(append(append([]byte{}, prefix...), q.To...), 0xff)
	default:
		seek = append(append([]byte{}, prefix...), 0xff)
	}
	for it.Seek(seek); it.Valid(); it.Next() {
		key := it.Item().Key()
		if q.After != "" && string(key) == string(seek) {
			continue
		}
		rest := key[len(prefix):]
		if len(rest) < 10+tail {
			continue
		}
		date := ledger.Date(rest[:10])
		if q.Oldest && q.To != "" && date > q.To || !q.Oldest && q.From != "" && date < q.From {
			return nil // past the end of the range
		}
		if q.From != "" && date < q.From || q.To != "" && date > q.To {
			continue
		}
		if tail == 12 && q.Under != "" && !q.Under.Contains(ledger.Code(rest[10:22])) {
			continue
		}
		more, err := fn(key, string(rest[10+tail:]))
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// Trainings returns one page of live trainings matching q, newest first unless q.Oldest. If ws is not
// nil it gets a channel that fires when any training changes.
func (s *Store) Trainings(q query.Trainings, ws query.WatchSet) (query.TrainingPage, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	watchGen(s.mem.Txn(false), ws, string(ledger.KindTraining))
	var page query.TrainingPage
	more := false
	err := s.view(func(txn *badger.Txn) error {
		return scanTrainings(txn, q, func(key []byte, id string) (bool, error) {
			t, ok, err := loadTraining(txn, id)
			if err != nil || !ok || !trainingMatches(q, t) {
				return err == nil, err
			}
			if len(page.Trainings) == q.Limit {
				more = true // one more exists: there is a next page
				return false, nil
			}
			page.Trainings = append(page.Trainings, t)
			page.Next = hex.EncodeToString(key)
			return true, nil
		})
	})
	if !more {
		page.Next = "" // a full last page has nothing after it
	}
	return page, err
}

// trainingMatches applies the filters the chosen index did not.
func trainingMatches(q query.Trainings, t ledger.Training) bool {
	if q.Kind != "" && t.Kind != q.Kind {
		return false
	}
	// trainingPlan uses the village index when both a village and an advisor are asked for.
	if q.Advisor != "" && !slices.Contains(t.Advisors, q.Advisor) {
		return false
	}
	if q.Under != "" && !q.Under.Contains(t.Village()) {
		return false
	}
	return true
}

// CountTrainings counts the live trainings matching q (ignoring Limit and After). Only index keys are
// read when one index covers the filters (a kind alone, since format 2, or no kind).
func (s *Store) CountTrainings(q query.Trainings) (int, error) {
	q.After = ""
	n := 0
	err := s.view(func(txn *badger.Txn) error {
		return scanTrainings(txn, q, func(_ []byte, id string) (bool, error) {
			// Keys alone answer it when the chosen index covers every filter given.
			byKind := q.Kind != "" && q.Village == "" && q.Advisor == "" && q.Under == ""
			if byKind || q.Kind == "" && (q.Under == "" || q.Village == "" && q.Advisor == "") && (q.Village == "" || q.Advisor == "") {
				n++
				return true, nil
			}
			t, ok, err := loadTraining(txn, id)
			if ok && trainingMatches(q, t) {
				n++
			}
			return err == nil, err
		})
	})
	return n, err
}

func loadTraining(txn *badger.Txn, id string) (ledger.Training, bool, error) {
	rec, ok, err := getRecord(txn, ledger.KindTraining, id)
	if err != nil || !ok || rec.Deleted() {
		return ledger.Training{}, false, err
	}
	t, err := ledger.As[ledger.Training](rec)
	return t, err == nil, err
}

// ServiceDays counts the distinct days in [from, to] on which an advisor served (any training listing
// them): the figure the programme asks of every advisor. Only index keys are read.
func (s *Store) ServiceDays(advisor string, from, to ledger.Date) (int, error) {
	days := map[ledger.Date]bool{}
	err := s.view(func(txn *badger.Txn) error {
		return scanTrainings(txn, query.Trainings{Advisor: advisor, From: from, To: to, Oldest: true},
			func(key []byte, _ string) (bool, error) {
				rest := key[len(advisorIndexPrefix(advisor)):]
				days[ledger.Date(rest[:10])] = true
				return true, nil
			})
	})
	return len(days), err
}
