package storage

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/hashicorp/go-memdb"

	"techaid/ledger"
	"techaid/query"
)

// Record reads a record by id, of whatever kind, with its field versions; deleted records too. It is the
// replicated record: what this replica alone has seen (ledger.Record.Seen) is left out.
func (s *Store) Record(id string) (ledger.Record, error) {
	var rec ledger.Record
	err := s.view(func(txn *badger.Txn) error {
		for _, k := range ledger.Kinds {
			r, ok, err := getRecord(txn, k, id)
			if err != nil {
				return err
			}
			if ok {
				rec = replicated(r)
				return nil
			}
		}
		return fmt.Errorf("record %s: %w", id, ErrNotFound)
	})
	return rec, err
}

// replicated is rec without what this replica alone has seen of its fields (ledger.Record.Seen).
func replicated(rec ledger.Record) ledger.Record {
	rec.Seen = nil
	return rec
}

// KindOf tells which kind of record an id names.
func (s *Store) KindOf(id string) (ledger.Kind, error) {
	rec, err := s.Record(id)
	return rec.Kind, err
}

// Get reads a live record as its typed view: ErrNotFound if it does not exist or is deleted.
func Get[T ledger.Entity](s *Store, id string) (T, error) {
	var zero T
	var rec ledger.Record
	err := s.view(func(txn *badger.Txn) error {
		r, ok, err := getRecord(txn, zero.RecordKind(), id)
		if err == nil && (!ok || r.Deleted()) {
			err = fmt.Errorf("%s %s: %w", zero.RecordKind(), id, ErrNotFound)
		}
		rec = r
		return err
	})
	if err != nil {
		return zero, err
	}
	return ledger.As[T](rec)
}

// History lists a record's audit entries, oldest first.
func (s *Store) History(id string) ([]query.Audit, error) {
	var out []query.Audit
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: historyPrefix(id), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var a query.Audit
			err := it.Item().Value(func(v []byte) error {
				var err error
				a, err = decodeAudit(v)
				return err
			})
			if err != nil {
				return fmt.Errorf("read history of %s: %w", id, err)
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// watchGen adds the watch channel of a kind's write counter to ws.
func watchGen(txn *memdb.Txn, ws query.WatchSet, kind string) {
	if ws == nil {
		return
	}
	ch, _, err := txn.FirstWatch(tableGens, indexID, kind)
	if err == nil {
		ws.Add(ch)
	}
}

// Villages lists live villages in code order, and how many match in all. If ws is not nil it is given
// channels that fire when the result may have changed.
func (s *Store) Villages(q query.Villages, ws query.WatchSet) ([]ledger.Village, int) {
	txn := s.mem.Txn(false)
	var it memdb.ResultIterator
	var err error
	switch {
	case q.Under.Level() == ledger.LevelTownship:
		it, err = txn.Get(tableVillages, indexTownship, string(q.Under))
	case q.KeyOnly:
		it, err = txn.Get(tableVillages, indexKey, true)
	default:
		it, err = txn.Get(tableVillages, indexID+"_prefix", string(q.Under))
	}
	if err != nil {
		panic(fmt.Sprintf("storage: villages query: %v", err)) // the schema has these indexes
	}
	if ws != nil {
		ws.Add(it.WatchCh())
	}
	search := strings.TrimSpace(q.Search)
	var out []ledger.Village
	total := 0
	for obj := it.Next(); obj != nil; obj = it.Next() {
		v := obj.(*villageRow).Village
		if q.KeyOnly && !v.Key || !q.Under.Contains(v.Code) && q.Under != "" {
			continue
		}
		if search != "" && !strings.Contains(v.Name, search) && !strings.HasPrefix(string(v.Code), search) {
			continue
		}
		total++
		if total > q.Offset && (q.Limit == 0 || len(out) < q.Limit) {
			out = append(out, v)
		}
	}
	return out, total
}

// VillagesByName is type-ahead: live villages whose name starts with prefix, at most limit.
func (s *Store) VillagesByName(prefix string, limit int) []ledger.Village {
	txn := s.mem.Txn(false)
	it, err := txn.Get(tableVillages, indexName+"_prefix", prefix)
	if err != nil {
		panic(fmt.Sprintf("storage: village name query: %v", err))
	}
	var out []ledger.Village
	for obj := it.Next(); obj != nil && len(out) < limit; obj = it.Next() {
		out = append(out, obj.(*villageRow).Village)
	}
	return out
}

// Village reads a live village from memory.
func (s *Store) Village(code ledger.Code) (ledger.Village, error) {
	obj, _ := s.mem.Txn(false).First(tableVillages, indexID, string(code))
	if obj == nil {
		return ledger.Village{}, fmt.Errorf("village %s: %w", code, ErrNotFound)
	}
	return obj.(*villageRow).Village, nil
}

// Advisors lists live advisors by name.
func (s *Store) Advisors(q query.Advisors, ws query.WatchSet) []ledger.Advisor {
	txn := s.mem.Txn(false)
	var it memdb.ResultIterator
	var err error
	if q.Group != "" {
		it, err = txn.Get(tableAdvisors, indexGroup, q.Group)
	} else {
		it, err = txn.Get(tableAdvisors, indexName+"_prefix", "")
	}
	if err != nil {
		panic(fmt.Sprintf("storage: advisors query: %v", err))
	}
	if ws != nil {
		ws.Add(it.WatchCh())
	}
	var out []ledger.Advisor
	for obj := it.Next(); obj != nil; obj = it.Next() {
		a := *obj.(*ledger.Advisor)
		if q.Status != "" && a.Status != q.Status || q.ExpertOnly && !a.Expert {
			continue
		}
		if q.Search != "" && !strings.Contains(a.Name, q.Search) && !strings.Contains(a.Phone, q.Search) &&
			!strings.Contains(a.Employer, q.Search) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// Advisor reads a live advisor from memory.
func (s *Store) Advisor(id string) (ledger.Advisor, error) {
	obj, _ := s.mem.Txn(false).First(tableAdvisors, indexID, id)
	if obj == nil {
		return ledger.Advisor{}, fmt.Errorf("advisor %s: %w", id, ErrNotFound)
	}
	return *obj.(*ledger.Advisor), nil
}

// AdvisorsByName is type-ahead on advisor names.
func (s *Store) AdvisorsByName(prefix string, limit int) []ledger.Advisor {
	it, err := s.mem.Txn(false).Get(tableAdvisors, indexName+"_prefix", prefix)
	if err != nil {
		panic(fmt.Sprintf("storage: advisor name query: %v", err))
	}
	var out []ledger.Advisor
	for obj := it.Next(); obj != nil && len(out) < limit; obj = it.Next() {
		out = append(out, *obj.(*ledger.Advisor))
	}
	return out
}

// Assignments lists the live assignments of a village or of an advisor (one of the two), oldest first;
// with on set, only those active on that date.
func (s *Store) Assignments(village ledger.Code, advisor string, on ledger.Date, ws query.WatchSet) []ledger.Assignment {
	txn := s.mem.Txn(false)
	var it memdb.ResultIterator
	var err error
	switch {
	case village != "":
		it, err = txn.Get(tableAssignments, indexVillage, string(village))
	case advisor != "":
		it, err = txn.Get(tableAssignments, indexAdvisor, advisor)
	default:
		it, err = txn.Get(tableAssignments, indexID)
	}
	if err != nil {
		panic(fmt.Sprintf("storage: assignments query: %v", err))
	}
	if ws != nil {
		ws.Add(it.WatchCh())
	}
	var out []ledger.Assignment
	for obj := it.Next(); obj != nil; obj = it.Next() {
		a := *obj.(*ledger.Assignment)
		if on == "" || a.ActiveOn(on) {
			out = append(out, a)
		}
	}
	return out
}

// Stats counts what the store holds.
func (s *Store) Stats(ws query.WatchSet) query.Stats {
	s.mu.Lock()
	id, cnt := s.id, s.cnt
	s.mu.Unlock()
	st := query.Stats{Replica: id.Replica, Scope: id.Scope, Clerk: id.Clerk, Trainings: cnt.Trainings,
		Changes: cnt.Seq, Acked: cnt.Acked, Pending: cnt.Seq - cnt.Acked, Conflicts: cnt.Open,
		EvidenceFiles: cnt.EvidenceFiles, EvidenceBytes: cnt.EvidenceBytes}
	_ = s.view(func(txn *badger.Txn) error { // the upload queue is short: files attached since the last sync
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixEvidence, evQueue}, PrefetchValues: false})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			st.EvidencePending++
		}
		return nil
	})
	txn := s.mem.Txn(false)
	watchGen(txn, ws, kindMeta)
	count := func(table, index string, args ...any) int {
		it, err := txn.Get(table, index, args...)
		if err != nil {
			panic(fmt.Sprintf("storage: count %s: %v", table, err))
		}
		n := 0
		for obj := it.Next(); obj != nil; obj = it.Next() {
			n++
		}
		return n
	}
	st.Villages = count(tableVillages, indexID)
	st.KeyVillages = count(tableVillages, indexKey, true)
	st.Advisors = count(tableAdvisors, indexID)
	st.Assignments = count(tableAssignments, indexID)
	rows := s.lists().rows
	for _, c := range []struct {
		n *int
		k ledger.Kind
	}{{&st.Needs, ledger.KindNeed}, {&st.Projects, ledger.KindProject}, {&st.Varieties, ledger.KindVariety},
		{&st.Introductions, ledger.KindIntroduction}, {&st.Leaders, ledger.KindLeader}, {&st.Publicity, ledger.KindPublicity},
		{&st.Parks, ledger.KindPark}, {&st.ParkPairings, ledger.KindParkPairing}, {&st.Platforms, ledger.KindPlatform}} {
		watchGen(txn, ws, string(c.k))
		*c.n = len(rows[c.k])
	}
	return st
}

// view runs a read-only Badger transaction, translating a closed store to ErrClosed.
func (s *Store) view(fn func(txn *badger.Txn) error) error {
	err := s.db.View(fn)
	if errors.Is(err, badger.ErrDBClosed) {
		return ErrClosed
	}
	return err
}
