package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
	"github.com/hashicorp/go-memdb"
	"golang.org/x/sync/errgroup"

	"techaid/ledger"
	"techaid/query"
)

// FormatVersion is the version of the on-disk layout this build writes. A store of a newer version is
// refused untouched; older ones are migrated on open.
const FormatVersion = 5 // 2: the training index by kind; 3: the programme's counts; 4: evidence; 5: causal context (migrate.go)

// Options configure Open. The zero value is right for an office PC.
type Options struct {
	// Passphrase turns on encryption at rest (AES-256, key derived from the passphrase).
	Passphrase string
	// Wall is the wall clock; time.Now if nil. Tests set a PC that woke up in the year 2000.
	Wall func() time.Time
	// GCInterval is how often the value log is garbage-collected; 10 minutes if zero.
	GCInterval time.Duration
	// Logger receives Badger's warnings and errors; log.Default() if nil.
	Logger *log.Logger
	// Lean makes a store created by Init a hub's store: it merges, logs and serves changes but keeps
	// no history and no training indexes or tallies, which a hub never reads (the city reads through
	// a city replica). It is decided at Init and kept in the store's identity.
	Lean bool
}

func (o Options) logger() *log.Logger {
	if o.Logger == nil {
		return log.Default()
	}
	return o.Logger
}

// Store is one replica's ledger. It is safe for concurrent use.
type Store struct {
	db    *badger.DB
	mem   *memdb.MemDB
	clock *ledger.Clock
	dir   string
	// passphrase is kept to seal backups of an encrypted store with a key of their own.
	passphrase string

	// mu serialises writers (with memdb's own writer lock) and guards the counters below, which mirror
	// their meta keys and change only after a Badger commit.
	mu    sync.Mutex
	id    query.Identity
	cnt   counters
	seqCh chan struct{} // closed when cnt.Seq moves (see Committed)
	// parked says whether a hub's store may hold records kept aside (ApplyPush): unknown until the
	// first push looks, true once one is kept, so that a hub that keeps none looks for none.
	parked, parkedKnown bool
	// leanInit is Options.Lean, used by Init; id.Lean says whether this store is lean.
	leanInit bool
	// cat holds the lists of the programme's records (lists.go); figures its counts (counts.go), which
	// countMu guards: writers change them holding mu too.
	cat     atomic.Pointer[catalog]
	countMu sync.RWMutex
	figures *counts
	// tightened is what Open changed to make the data folder private (perm.go); nil if nothing.
	tightened *Tightened
	close     func() error
}

// counters are the store-wide numbers every write may move; kept in meta keys, mirrored in memory.
type counters struct {
	Seq       uint64 `json:"seq"`       // last local change-log sequence number
	Acked     uint64 `json:"acked"`     // last sequence number the city acknowledged
	Conflicts uint64 `json:"conflicts"` // last conflict-log sequence number
	Open      int    `json:"open"`      // conflicts not yet reviewed
	Trainings int    `json:"trainings"` // live trainings
	// Evidence files complete in this store and their bytes (evidence.go).
	EvidenceFiles int   `json:"evidence_files,omitempty"`
	EvidenceBytes int64 `json:"evidence_bytes,omitempty"`
}

const (
	metaFormat   = "format"
	metaIdentity = "identity"
	metaCounters = "counters"
	metaClock    = "clock"
	metaPull     = "pull"   // PullCursor
	metaOffset   = "offset" // the hub's clock minus this PC's, nanoseconds
)

// Open opens (creating if needed) the store in dir and rebuilds the in-memory indexes from disk. The
// value-log collector runs until Close. It first makes the folder private to this user (perm.go) and
// logs what it changed; Tightened says it again for the clerk.
func Open(dir string, opts Options) (*Store, error) {
	logger := opts.logger()
	tightened := makePrivate(dir)
	if tightened != nil {
		logger.Print(tightened.String())
	}
	if err := checkFormatFile(dir); err != nil {
		return nil, err // before Badger writes a byte
	}
	bopts, err := badgerOptions(dir, opts.Passphrase, logger)
	if err != nil {
		return nil, err
	}
	db, err := badger.Open(bopts)
	// Badger creates a memtable log and a value-log file on every open. Killed before one is sized (a
	// power cut during start-up), the file stays empty, and the next open fails on it with z.NewFile's
	// message ("Create a new file": Badger v4.9 treats the bootstrap of an existing empty file as an
	// error) after repairing it under the directory lock. Each attempt repairs one: open again.
	for try := 0; try < 3 && err != nil && strings.Contains(err.Error(), "Create a new file"); try++ {
		db, err = badger.Open(bopts)
	}
	if err != nil {
		return nil, translateOpenError(dir, err)
	}
	s := &Store{db: db, dir: dir, passphrase: opts.Passphrase, leanInit: opts.Lean, tightened: tightened}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.load(opts.Wall); err != nil {
		db.Close()
		return nil, err
	}
	interval := opts.GCInterval
	if interval <= 0 {
		interval = 10 * time.Minute
	}
	ctx, cancel := context.WithCancel(context.Background())
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { s.collectGarbage(ctx, interval, logger); return nil })
	var once sync.Once
	s.close = func() error {
		var err error
		once.Do(func() {
			cancel()
			_ = g.Wait()
			s.mu.Lock()
			defer s.mu.Unlock()
			if e := s.db.Close(); e != nil {
				err = fmt.Errorf("close store: %w", e)
			}
			// Files made while open are private by the umask Open set, unless the program loosened
			// it since; the folder keeps them out of reach meanwhile, and this makes them private.
			if t := makePrivate(dir); t != nil && (t.DirWas != 0 || t.Files > 0) {
				logger.Print(t.String()) // what Open could not change it has said already
			}
		})
		return err
	}
	return s, nil
}

func translateOpenError(dir string, err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, badger.ErrEncryptionKeyMismatch), strings.Contains(msg, "Encryption key mismatch"),
		strings.Contains(msg, "encryption key"):
		return fmt.Errorf("open %s: %w", dir, ErrPassphrase)
	case strings.Contains(msg, "Cannot acquire directory lock"), strings.Contains(msg, "resource temporarily unavailable"):
		return fmt.Errorf("open %s: %w", dir, ErrLocked)
	}
	return fmt.Errorf("open %s: %s", dir, msg)
}

// Close stops background work and closes the store. It is safe to call twice.
func (s *Store) Close() error { return s.close() }

// Dir is the data directory.
func (s *Store) Dir() string { return s.dir }

// load reads meta and rebuilds memdb from Badger.
func (s *Store) load(wall func() time.Time) error {
	mem, err := memdb.NewMemDB(schema())
	if err != nil {
		panic(fmt.Sprintf("storage: memdb schema: %v", err)) // programmer error
	}
	s.mem = mem
	var last ledger.Stamp
	var offset *int64 // nil until a hub told this replica its clock offset
	err = s.db.View(func(txn *badger.Txn) error {
		var format int
		if err := getJSON(txn, metaFormat, &format); err != nil {
			return err
		}
		if format > FormatVersion {
			return fmt.Errorf("store format %d, this program knows up to %d: %w", format, FormatVersion, ErrNewerFormat)
		}
		if err := getJSON(txn, metaIdentity, &s.id); err != nil {
			return err
		}
		if err := getJSON(txn, metaCounters, &s.cnt); err != nil {
			return err
		}
		if item, err := txn.Get(metaKey(metaClock)); err == nil {
			_ = item.Value(func(v []byte) error {
				if len(v) == 8 {
					last = ledger.Stamp(binary.BigEndian.Uint64(v))
				}
				return nil
			})
		}
		if err := getJSON(txn, metaOffset, &offset); err != nil {
			return err
		}
		return s.rebuild(txn)
	})
	if err != nil {
		return err
	}
	s.clock = ledger.NewClock(wall, last)
	if offset != nil {
		s.clock.Resume(time.Duration(*offset))
	}
	s.seqCh = make(chan struct{})
	return nil
}

// rebuild fills memdb from the records on disk. A memdb write transaction of a few thousand rows is
// small (trainings are not in memdb), so one is enough.
func (s *Store) rebuild(txn *badger.Txn) error {
	mtxn := s.mem.Txn(true)
	defer mtxn.Abort()
	for _, table := range []string{tableVillages, tableAdvisors, tableAssignments, tableTallies, tableGens} {
		if _, err := mtxn.DeleteAll(table, indexID); err != nil {
			return err
		}
	}
	for _, k := range ledger.Kinds {
		mtxn.Insert(tableGens, &gen{Kind: string(k)})
	}
	for _, k := range []ledger.Kind{ledger.KindVillage, ledger.KindAdvisor, ledger.KindAssignment} {
		err := scanRecords(txn, k, func(rec ledger.Record) error {
			if rec.Deleted() {
				return nil
			}
			e, err := ledger.Decode(rec.Kind, rec.ID, rec.Values())
			if err != nil {
				return err
			}
			return memPut(mtxn, e)
		})
		if err != nil {
			return err
		}
	}
	mtxn.Insert(tableGens, &gen{Kind: kindMeta})
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixTally}, PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		key := it.Item().Key()
		t := tally{Tally: query.Tally{Year: int(binary.BigEndian.Uint32(key[1:5])), Village: ledger.Code(key[5:])}}
		t.ID = tallyID(t.Year, t.Village)
		if err := it.Item().Value(func(v []byte) error { return decodeTally(v, &t.Tally) }); err != nil {
			return fmt.Errorf("rebuild tally %s: %w", t.ID, err)
		}
		if err := mtxn.Insert(tableTallies, &t); err != nil {
			return err
		}
	}
	// The programme's lists and counts; a hub's lean store keeps neither (Options.Lean).
	cat, figures := &catalog{rows: map[ledger.Kind][]*row{}, names: map[string]string{}}, newCounts()
	if !s.id.Lean {
		var err error
		if cat, err = buildLists(func(k ledger.Kind, fn func(ledger.Record) error) error { return scanRecords(txn, k, fn) }); err != nil {
			return err
		}
		if figures, err = loadCounts(txn); err != nil {
			return err
		}
	}
	s.cat.Store(cat)
	s.countMu.Lock()
	s.figures = figures
	s.countMu.Unlock()
	mtxn.Commit()
	return nil
}

// scanRecords calls fn for every record of a kind, live or deleted.
func scanRecords(txn *badger.Txn, k ledger.Kind, fn func(ledger.Record) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: recordPrefix(k), PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		var rec ledger.Record
		err := it.Item().Value(func(v []byte) error {
			var err error
			rec, err = decodeRecord(v)
			return err
		})
		if err != nil {
			return fmt.Errorf("read %s record %q: %w", k, it.Item().Key()[2:], err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}

// memTables maps the kinds memdb holds to their tables.
var memTables = map[ledger.Kind]string{
	ledger.KindVillage: tableVillages, ledger.KindAdvisor: tableAdvisors, ledger.KindAssignment: tableAssignments,
}

// memPut mirrors a live typed record into memdb; kinds memdb does not hold are ignored.
func memPut(mtxn *memdb.Txn, e ledger.Entity) error {
	switch r := e.(type) {
	case ledger.Village:
		return mtxn.Insert(tableVillages, &villageRow{Village: r, Township: string(r.Code.Township())})
	case ledger.Advisor:
		return mtxn.Insert(tableAdvisors, &r)
	case ledger.Assignment:
		return mtxn.Insert(tableAssignments, &r)
	}
	return nil
}

// memDelete removes a record from memdb, if memdb holds its kind and the record.
func memDelete(mtxn *memdb.Txn, k ledger.Kind, id string) error {
	table, ok := memTables[k]
	if !ok {
		return nil
	}
	if existing, _ := mtxn.First(table, indexID, id); existing != nil {
		return mtxn.Delete(table, existing)
	}
	return nil
}

func getJSON(txn *badger.Txn, name string, v any) error {
	item, err := txn.Get(metaKey(name))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read meta %s: %w", name, err)
	}
	return item.Value(func(b []byte) error { return json.Unmarshal(b, v) })
}

func setJSON(txn *badger.Txn, name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return txn.Set(metaKey(name), b)
}

// reload brings memdb and the counters back in line with the disk, after a write that failed with some
// of its transactions committed. s.mu must be held.
func (s *Store) reload() error {
	return s.db.View(func(txn *badger.Txn) error {
		var cnt counters
		if err := getJSON(txn, metaCounters, &cnt); err != nil {
			return err
		}
		if err := s.rebuild(txn); err != nil {
			return err
		}
		s.setCounters(cnt)
		return nil
	})
}

// setCounters moves the in-memory counters after a commit, waking Committed's waiters if the change
// log grew. s.mu must be held.
func (s *Store) setCounters(cnt counters) {
	if cnt.Seq != s.cnt.Seq && s.seqCh != nil {
		close(s.seqCh)
		s.seqCh = make(chan struct{})
	}
	s.cnt = cnt
}

// Identity returns who this replica is.
func (s *Store) Identity() query.Identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

// Init makes an empty store the replica of the office with the given scope. Initialising again with the
// same scope only changes the clerk; another scope is refused (ErrInitialized).
func (s *Store) Init(scope ledger.Code, clerk string) error {
	if scope.Level() == ledger.LevelInvalid || scope.Level() == ledger.LevelVillage {
		return fmt.Errorf("init: scope %q: want a city (4 digits), county (6) or township (9) code", scope)
	}
	clerk = strings.TrimSpace(clerk)
	if clerk == "" {
		return errors.New("init: the clerk's name is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.id
	if id.Replica != "" && id.Scope != scope {
		return fmt.Errorf("init %s: store belongs to %s: %w", scope, id.Scope, ErrInitialized)
	}
	if id.Replica == "" {
		id = query.Identity{Replica: NewID(), Scope: scope, Lean: s.leanInit}
	}
	id.Clerk = clerk
	err := s.db.Update(func(txn *badger.Txn) error {
		if err := setJSON(txn, metaFormat, FormatVersion); err != nil {
			return err
		}
		return setJSON(txn, metaIdentity, id)
	})
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if err := writeFormatFile(s.dir, FormatVersion); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	s.id = id
	return nil
}

// SetClerk changes who is at the keyboard (one PC is shared by several clerks).
func (s *Store) SetClerk(clerk string) error {
	id := s.Identity()
	if id.Replica == "" {
		return ErrNotInitialized
	}
	return s.Init(id.Scope, clerk)
}

// NewID returns a UUIDv7: time-ordered, so new records cluster at the end of the key space.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// Clock returns the replica's hybrid logical clock (sync observes the hub's stamps through it).
func (s *Store) Clock() *ledger.Clock { return s.clock }

// collectGarbage runs Badger's value-log GC every interval until ctx ends. Values under the value
// threshold live in the LSM tree and are compacted there; this reclaims the larger ones.
func (s *Store) collectGarbage(ctx context.Context, interval time.Duration, logger *log.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if files, size, err := s.CollectEvidence(ctx, time.Now()); err != nil {
			logger.Printf("storage: evidence GC: %v", err)
		} else if files > 0 {
			logger.Printf("storage: evidence GC: %d files no record has listed for %v, %d bytes, given back", files, EvidenceGrace, size)
		}
		for ctx.Err() == nil {
			err := s.db.RunValueLogGC(0.5)
			if err != nil {
				if !errors.Is(err, badger.ErrNoRewrite) && !errors.Is(err, badger.ErrRejected) {
					logger.Printf("storage: value-log GC: %v", err)
				}
				break
			}
		}
	}
}
