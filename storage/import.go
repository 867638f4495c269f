package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"techaid/ledger"
	"techaid/query"
)

// Limits of one import transaction: well inside Badger's (15% of a memtable, 2.4 MiB here), with room
// for the largest record validation allows.
const (
	importTxnBytes   = 1 << 20
	importTxnEntries = 10_000
)

// Import writes many records, each created or updated field by field (an import never blanks a field
// the input leaves empty). A record that fails validation or scope is reported in Rejected with its
// row and skipped; the others are written. progress, if not nil, is called with the number of input
// records durably written so far. Import returns when everything is on disk.
//
// To other writers and to the screens it is one write: memdb changes once, at the end, when every
// Badger transaction has committed. On disk it is a sequence of transactions of about 1 MiB, each
// holding whole records (record, change log, audit, index keys, tallies, counters), so a crash leaves
// whole records. One goroutine prepares a transaction's writes while another commits the previous one
// (Badger lets a new transaction begin only when the last has been written), so both cores work.
func (s *Store) Import(ctx context.Context, records []ledger.Entity, progress func(done int)) (query.ImportResult, error) {
	return s.importRecords(ctx, records, progress, edits)
}

// importMode is how an import stamps and logs what it writes.
type importMode int

const (
	edits      importMode = iota // the clerk's (or the bureau's) values: stamped now, logged
	copies                       // copies of reference data for the replica alone: reference-stamped, not logged
	listCopies                   // copies of reference data to share: reference-stamped, logged
)

// ImportReference writes records copied from reference data, the NBS division list a new office starts
// its villages from: only the fields the store never wrote (a record it does not hold, or a field its
// copy lacks), every one stamped ledger.ReferenceStamp, so that any real edit, here or arriving by sync,
// replaces them without a conflict and they never replace one, whatever this PC's clock says. They are
// not changes anyone made: they stay out of the change log, so they are not sent to the city (which
// imports the same list itself) and are not counted as pending (Stats.Pending). Their history says
// where they came from.
func (s *Store) ImportReference(ctx context.Context, records []ledger.Entity, progress func(done int)) (query.ImportResult, error) {
	return s.importRecords(ctx, records, progress, copies)
}

// ImportDivisions writes records copied from the division list by an explicit import (techaid-cli and
// techaid-city import villages): stamped and merged as ImportReference's (PROTOCOL.md section 4: a PC
// whose clock says 2099 stamps them as any other does), but logged, so that they reach the replicas
// that never imported the list: the hub's copies go to every office of their scope, an office's to a
// hub that lacks them. Wherever they go they lose to every edit.
func (s *Store) ImportDivisions(ctx context.Context, records []ledger.Entity, progress func(done int)) (query.ImportResult, error) {
	return s.importRecords(ctx, records, progress, listCopies)
}

func (s *Store) importRecords(ctx context.Context, records []ledger.Entity, progress func(done int), mode importMode) (query.ImportResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.begin()
	if err != nil {
		return query.ImportResult{}, err
	}
	defer b.mem.Abort()
	b.txn.Discard()
	b.txn = s.db.NewTransaction(false) // the snapshot records are read from
	defer func() { b.txn.Discard() }()
	b.buffered, b.chunk = true, map[string]ledger.Record{}
	b.reference, b.logReference = mode != edits, mode == listCopies

	c := s.startCommitter()
	var res query.ImportResult
	committed := map[string]bool{} // record keys written by transactions handed to the committer
	reported := 0
	report := func(done int) {
		if progress != nil && done > reported {
			progress(done)
			reported = done
		}
	}
	// flush hands the buffered writes to the committer.
	flush := func(done int) error {
		if len(b.chunk) == 0 {
			return nil
		}
		if err := b.seal(); err != nil {
			return err
		}
		for key := range b.chunk {
			committed[key] = true
		}
		c.wg.Add(1)
		c.jobs <- commitJob{writes: b.buf, done: done}
		b.buf, b.size, b.count = nil, 0, 0
		clear(b.chunk)
		report(c.durable())
		return nil
	}
	err = func() error {
		for i, e := range records {
			if err := ctx.Err(); err != nil {
				return err
			}
			id := e.RecordID()
			if id == "" {
				id = NewID()
			}
			if b.size > importTxnBytes || b.count > importTxnEntries {
				if err := flush(i); err != nil {
					return err
				}
			}
			if committed[string(recordKey(e.RecordKind(), id))] {
				// The same record again, already handed on: read it back once everything is on disk.
				if err := flush(i); err != nil {
					return err
				}
				if err := c.wait(); err != nil {
					return err
				}
				b.txn.Discard()
				b.txn = s.db.NewTransaction(false)
				clear(committed)
			}
			values := ledger.Values(e)
			delete(values, ledger.FieldDeleted)
			for name, v := range values {
				if v == "" {
					delete(values, name)
				}
			}
			result, err := b.local(query.OpImport, e.RecordKind(), id, values)
			var ve *ledger.ValidationError
			var se *ScopeError
			switch {
			case errors.As(err, &ve) || errors.As(err, &se):
				res.Rejected = append(res.Rejected, query.RowError{Row: i + 1, ID: id, Err: err})
			case err != nil:
				return err
			case result == unchanged:
				res.Unchanged++
			case result == updated:
				res.Updated++
			default:
				res.Created++
			}
		}
		return flush(len(records))
	}()
	if werr := c.stop(); err == nil {
		err = werr
	}
	if err != nil {
		// Some transactions may have committed: bring memory back in line with the disk.
		b.mem.Abort()
		if rerr := s.reload(); rerr != nil {
			return res, errors.Join(err, rerr)
		}
		return res, err
	}
	b.bumpGens()
	b.publish()
	b.mem.Commit()
	s.setCounters(b.cnt)
	report(len(records))
	return res, nil
}

type commitJob struct {
	writes []kvWrite
	done   int // input records covered once this job is on disk
}

// committer writes jobs to Badger one transaction each, in order, on its own goroutine. After the
// first failure it drops the remaining jobs.
type committer struct {
	jobs chan commitJob
	wg   sync.WaitGroup // one per job sent and not yet finished
	mu   sync.Mutex
	err  error
	upto int
	done chan struct{}
}

func (s *Store) startCommitter() *committer {
	c := &committer{jobs: make(chan commitJob, 1), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for job := range c.jobs {
			err := c.failed()
			if err == nil {
				err = s.commitWrites(job.writes)
			}
			c.mu.Lock()
			if err != nil && c.err == nil {
				c.err = err
			} else if err == nil {
				c.upto = job.done
			}
			c.mu.Unlock()
			c.wg.Done()
		}
	}()
	return c
}

func (c *committer) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *committer) durable() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.upto
}

// wait blocks until every job sent so far is finished and returns the first failure.
func (c *committer) wait() error {
	c.wg.Wait()
	return c.failed()
}

// stop waits for the jobs and ends the goroutine.
func (c *committer) stop() error {
	err := c.wait()
	close(c.jobs)
	<-c.done
	return err
}

// commitWrites writes buffered writes in one synced Badger transaction.
func (s *Store) commitWrites(writes []kvWrite) error {
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	for _, w := range writes {
		var err error
		if w.del {
			err = txn.Delete(w.key)
		} else {
			err = txn.Set(w.key, w.value)
		}
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}
