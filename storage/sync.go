package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"techaid/ledger"
	"techaid/query"
)

// This file holds what sync needs from a store beyond the ledger itself. An office replica keeps a pull
// cursor and acknowledgements; the city hub keeps, in the same kind of store, a global change log (its
// own change log: every change it accepted, with the place that decides who receives it) and each
// office replica's acknowledged sequence number, written in the transaction that applies the push.

// Place is where a record lies for fan-out: the township of a village, the narrowest division holding
// every village a record names (a training, a need, a project, an introduction, a leader), the office
// of a publicity report, "" for the shared rosters (which every office receives), "-" for a record that
// cannot be placed (only the city sees it).
func Place(e ledger.Entity) ledger.Code {
	switch r := e.(type) {
	case ledger.Village:
		return r.Code.Township()
	case ledger.Publicity:
		if l := r.Org.Level(); l == ledger.LevelInvalid || l == ledger.LevelVillage {
			return "-"
		}
		return r.Org
	}
	if e.RecordKind().Roster() {
		return ""
	}
	return narrowest(ledger.VillagesOf(e))
}

// narrowest is the narrowest division holding every village: their longest common prefix, cut to a
// level; "-" for none, or for villages of two cities (or malformed codes, which validation keeps out):
// no office's scope holds those, so they stay at the hub.
func narrowest(villages []ledger.Code) ledger.Code {
	if len(villages) == 0 {
		return "-"
	}
	p := string(villages[0])
	for _, v := range villages[1:] {
		n := 0
		for n < len(p) && n < len(v) && p[n] == v[n] {
			n++
		}
		p = p[:n]
	}
	for _, n := range []int{9, 6, 4} {
		if len(p) >= n {
			return ledger.Code(p[:n])
		}
	}
	return "-"
}

// Push is one batch of changes an office replica sent to the hub.
type Push struct {
	Replica string      // the office replica
	Scope   ledger.Code // the scope its token carries: what it may write
	// Office is the registration of the pushing office, which replica ids are bound to (BindReplica):
	// a field whose version names a replica bound to another office (or to the hub) is not this
	// office's news and is left out (see ApplyPush); a replica not bound yet is bound to this office.
	// "" binds nothing: only Replica's versions are the office's.
	Office  string
	Today   time.Time // the hub's date, which no record's date may pass; the store's clock if zero
	From    uint64    // its first sequence number in the batch
	To      uint64    // its last
	Seqs    []uint64  // the sequence number of each record
	Records []ledger.Record
}

// Logged is one entry the hub added to its change log.
type Logged struct {
	Seq   uint64
	Place ledger.Code
}

// PushResult reports what ApplyPush did.
type PushResult struct {
	Acked     uint64   // the replica's acknowledged sequence number after the push
	Replay    bool     // the whole batch was already held; nothing was applied
	Logged    []Logged // new entries of the hub's change log, in order
	Changed   int
	Refused   []query.RowError // Row is the record's sequence number in the office's change log
	Conflicts int
	Parked    int // records kept aside until the rest of them arrives (an edit of a record the hub lacks)
	Ignored   int // fields left out because their versions name another office's replica
}

// ErrGap is returned by ApplyPush for a batch that does not follow what the hub holds from the replica.
var ErrGap = errors.New("push does not follow the acknowledged sequence")

func peerAckKey(replica string) []byte { return metaKey("ack\x00" + replica) }

// PeerAcked is the last sequence number of replica that this (hub) store holds.
func (s *Store) PeerAcked(replica string) (uint64, error) {
	n, _, err := s.PeerAckedMark(replica)
	return n, err
}

// PeerAckedMark is PeerAcked and the fingerprint (ChangeMark) of that change, as it was pushed: an
// office compares it with its own change of that number to learn that its data directory was put back
// from an old copy, which then made other changes under the same numbers.
func (s *Store) PeerAckedMark(replica string) (uint64, string, error) {
	var n uint64
	var mark string
	err := s.view(func(txn *badger.Txn) error {
		var err error
		n, mark, err = getAck(txn, peerAckKey(replica))
		return err
	})
	return n, mark, err
}

// ChangeMark fingerprints a change by what it changed (kind, id, field names): the same change on the
// office and in its push to the hub has the same mark.
func ChangeMark(kind ledger.Kind, id string, fields []string) string {
	h := fnv.New64a()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(id))
	for _, f := range slices.Sorted(slices.Values(fields)) {
		h.Write([]byte{0})
		h.Write([]byte(f))
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// ChangeAt returns the change-log entry seq (without its record); ErrNotFound if there is none.
func (s *Store) ChangeAt(seq uint64) (Change, error) {
	var c Change
	err := s.view(func(txn *badger.Txn) error {
		item, err := txn.Get(seqKey(prefixChange, seq))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("change %d: %w", seq, ErrNotFound)
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			c, err = decodeChange(seq, v)
			return err
		})
	})
	return c, err
}

// getAck reads a replica's acknowledged sequence number (8 bytes) and the mark after it.
func getAck(txn *badger.Txn, key []byte) (uint64, string, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", err
	}
	var n uint64
	var mark string
	err = item.Value(func(v []byte) error {
		if len(v) < 8 {
			return errCorrupt
		}
		n, mark = binary.BigEndian.Uint64(v), string(v[8:])
		return nil
	})
	return n, mark, err
}

// ApplyPush applies an office's batch on the hub in one transaction with the replica's new acknowledged
// sequence number: a batch that was applied before is a no-op, and a batch is never half applied. Each
// changed record is appended to the hub's change log with its place, which is what the hub fans out and
// serves to pulls. What the hub checks of each record, before it changes anything:
//
//   - versions: a field whose version names a replica of the pushing office (bound to p.Office, or not
//     bound yet, which binds it) is the office's write, and its office becomes the office's scope
//     whatever the version said; a field naming a replica of another office or of the hub is left out
//     (Ignored): an honest office sends one only when another office's later edit overwrote the field
//     before the push went out, and the hub has that edit from its writer (or will, after a restore,
//     when the writer sends it again). So no office can write in another's name.
//   - scope: the record before and after the change lies in the office's scope (rosters only from the
//     city scope);
//   - validation: the record as it will be after the merge, by the ledger's rules (validatePush); a
//     value the office sent that breaks a rule refuses the record (ledger.ErrInvalid, naming the
//     fields); a record the hub does not hold that lacks required fields is kept aside (Parked) until
//     the rest of it arrives, and reaches no replica meanwhile.
//
// A refused record is reported and acknowledged; the rest of the batch still applies.
func (s *Store) ApplyPush(ctx context.Context, p Push) (PushResult, error) {
	var res PushResult
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if len(p.Seqs) != len(p.Records) || p.From == 0 || p.To < p.From {
		return res, fmt.Errorf("push %d..%d: %d sequence numbers for %d records", p.From, p.To, len(p.Seqs), len(p.Records))
	}
	err := s.write(func(b *batch) error {
		res = PushResult{}
		acked, _, err := getAck(b.txn, peerAckKey(p.Replica))
		if err != nil {
			return err
		}
		res.Acked = acked
		if p.To <= acked {
			res.Replay = true
			return nil
		}
		if p.From > acked+1 {
			return fmt.Errorf("push %d..%d after %d: %w", p.From, p.To, acked, ErrGap)
		}
		b.id.Scope = p.Scope
		b.push = true
		b.today = p.Today
		b.own = func(r string) (bool, error) { return r == p.Replica, nil }
		if p.Office != "" {
			b.own = func(r string) (bool, error) { return b.claim(r, p.Office) }
		}
		b.kind[kindMeta] = true // the new ack must commit even if no record changes
		for i, rec := range p.Records {
			if p.Seqs[i] <= acked {
				continue // held already: a batch that overlaps an earlier one
			}
			n, place, err := b.remoteLogged(rec)
			var bad *badRecord
			var se *ScopeError
			switch {
			case errors.As(err, &bad) || errors.As(err, &se) || errors.Is(err, ledger.ErrInvalid):
				res.Refused = append(res.Refused, query.RowError{Row: int(p.Seqs[i]), ID: rec.ID, Err: err})
			case err != nil:
				return err
			case n == parked:
				res.Parked++
			case n >= 0:
				res.Changed++
				res.Conflicts += n
				if place != nil {
					res.Logged = append(res.Logged, *place)
				}
			}
		}
		res.Acked = p.To
		res.Ignored = b.ignored
		mark := ""
		if last := len(p.Seqs) - 1; last >= 0 && p.Seqs[last] == p.To {
			r := p.Records[last]
			mark = ChangeMark(r.Kind, r.ID, slices.Collect(maps.Keys(r.Fields)))
		}
		return b.set(peerAckKey(p.Replica), append(binary.BigEndian.AppendUint64(nil, p.To), mark...))
	})
	if err != nil {
		return PushResult{}, err
	}
	return res, nil
}

// remoteLogged merges rec and, if the record changed, appends it to the change log.
func (b *batch) remoteLogged(rec ledger.Record) (int, *Logged, error) {
	b.changed = nil
	n, err := b.remote(rec)
	if err != nil || n < 0 || len(b.changed) == 0 {
		return n, nil, err
	}
	b.cnt.Seq++
	l := &Logged{Seq: b.cnt.Seq, Place: b.place}
	err = b.set(seqKey(prefixChange, b.cnt.Seq), encodeChange(Change{Kind: rec.Kind, ID: rec.ID, Fields: b.changed, Place: b.place}))
	return n, l, err
}

// Parked counts the records a hub keeps aside until the rest of them arrives (see ApplyPush).
func (s *Store) Parked() (int, error) {
	n := 0
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixParked}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	return n, err
}

// ConflictCount is the number of entries in the conflict log, reviewed ones too.
func (s *Store) ConflictCount() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cnt.Conflicts
}

// ApplyPulled applies a batch pulled from the hub and moves the pull cursor in the same transaction,
// so a batch applied twice (after a cut before the cursor moved) is harmless and none is skipped.
func (s *Store) ApplyPulled(ctx context.Context, recs []ledger.Record, epoch string, cursor uint64) (ApplyResult, error) {
	var res ApplyResult
	if err := ctx.Err(); err != nil {
		return res, err
	}
	err := s.write(func(b *batch) error {
		var err error
		if res, err = b.applyRemote(recs); err != nil {
			return err
		}
		pc := PullCursor{Epoch: epoch, Cursor: cursor, At: time.Now().UTC()}
		b.kind[kindMeta] = true
		return setJSONBatch(b, metaPull, pc)
	})
	return res, err
}

// PullCursor is how far this replica has pulled from the hub: the hub's epoch and its sequence number.
type PullCursor struct {
	Epoch  string    `json:"epoch"`
	Cursor uint64    `json:"cursor"`
	At     time.Time `json:"at"` // when the last pulled batch was applied
}

// Pulled returns the pull cursor ("" and 0 if this replica never pulled).
func (s *Store) Pulled() (PullCursor, error) {
	var pc PullCursor
	err := s.view(func(txn *badger.Txn) error { return getJSON(txn, metaPull, &pc) })
	return pc, err
}

// SetAcked records what the city holds from this replica, as the hub said when the session began. It
// may be lower than before: a hub restored from an older backup lacks what it acknowledged since, and
// those changes are pending again until it holds them once more.
func (s *Store) SetAcked(seq uint64) error {
	return s.write(func(b *batch) error {
		if seq > b.cnt.Seq {
			return fmt.Errorf("ack %d: only %d changes were made here", seq, b.cnt.Seq)
		}
		b.cnt.Acked = seq
		return nil
	})
}

// Reidentify gives the store a new replica id with nothing acknowledged, as Restore does. Sync calls it
// when the hub holds more of this replica than the store has ever written: the data directory was put
// back from an old copy, and new changes would reuse sequence numbers the hub takes for ones it holds.
// Under the new id every change is sent again; the hub already holding some of them is harmless.
func (s *Store) Reidentify() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, cnt := s.id, s.cnt
	id.Replica = NewID()
	cnt.Acked = 0
	err := s.db.Update(func(txn *badger.Txn) error {
		if err := setJSON(txn, metaIdentity, id); err != nil {
			return err
		}
		return setJSON(txn, metaCounters, cnt)
	})
	if err != nil {
		return fmt.Errorf("reidentify: %w", err)
	}
	s.id = id
	s.setCounters(cnt)
	return nil
}

// SetClockOffset stores the offset between the hub's clock and this PC's (see ledger.Clock.Correct) and
// applies it to the store's clock; it is applied again on every open (ledger.Clock.Resume).
//
// When it differs by more than ledger.MaxAhead from the offset the store's clock applied until now (none
// before a first sync), the PC's clock was wrong when its clerk recorded what the hub does not hold yet:
// those versions are moved by the difference in the same write (restamp), before they are pushed.
func (s *Store) SetClockOffset(d time.Duration) error {
	delta := d - s.clock.Offset()
	s.clock.Correct(d)
	now := s.clock.Wall().Add(d)
	return s.write(func(b *batch) error {
		b.kind[kindMeta] = true
		if delta > ledger.MaxAhead || delta < -ledger.MaxAhead {
			if _, err := b.restamp(delta, now); err != nil {
				return fmt.Errorf("restamp: %w", err)
			}
		}
		return setJSONBatch(b, metaOffset, int64(d))
	})
}

// Wall reads the PC's wall clock as the store's clock sees it (Options.Wall), uncorrected: what sync
// compares with the hub's time.
func (s *Store) Wall() time.Time { return s.clock.Wall() }

// Committed returns the last change-log sequence number and a channel closed by the next write that
// adds to the change log: how sync learns that there is something new to push (or, on the hub, to
// send).
func (s *Store) Committed() (uint64, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cnt.Seq, s.seqCh
}

// LogPlaces calls fn for every entry of the change log after seq, in order, with the entry's place:
// how a hub rebuilds its fan-out index on start.
func (s *Store) LogPlaces(after uint64, fn func(seq uint64, kind ledger.Kind, place ledger.Code)) error {
	return s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixChange}, PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		for it.Seek(seqKey(prefixChange, after+1)); it.Valid(); it.Next() {
			seq := keySeq(it.Item().Key())
			err := it.Item().Value(func(v []byte) error {
				c, err := decodeChange(seq, v)
				if err == nil {
					fn(seq, c.Kind, c.Place)
				}
				return err
			})
			if err != nil {
				return fmt.Errorf("read change %d: %w", seq, err)
			}
		}
		return nil
	})
}

// ChangesAt returns the records changed by the given change-log entries, as the store holds them now,
// with only the fields those changes touched. Several entries of one record come back as one record.
// Fields whose current version names the replica skip are left out (it wrote them, so it has them),
// and so is a record left with no fields. On a hub that hides nothing a replica lacks: the hub holds a
// version naming a replica only if that replica's own office pushed it (ApplyPush binds every replica
// id to one office, and a session of the replica is that office's), and an office PC keeps what it wrote.
func (s *Store) ChangesAt(seqs []uint64, skip string) ([]ledger.Record, error) {
	var out []ledger.Record
	err := s.view(func(txn *badger.Txn) error {
		at := map[string]int{}
		for _, seq := range seqs {
			item, err := txn.Get(seqKey(prefixChange, seq))
			if err != nil {
				return fmt.Errorf("read change %d: %w", seq, err)
			}
			var c Change
			if err := item.Value(func(v []byte) error {
				c, err = decodeChange(seq, v)
				return err
			}); err != nil {
				return fmt.Errorf("read change %d: %w", seq, err)
			}
			rec, ok, err := getRecord(txn, c.Kind, c.ID)
			if err != nil {
				return fmt.Errorf("read %s %s of change %d: %w", c.Kind, c.ID, seq, err)
			}
			if !ok {
				return fmt.Errorf("read %s %s of change %d: %w", c.Kind, c.ID, seq, ErrNotFound)
			}
			key := string(c.Kind) + "\x00" + c.ID
			i, seen := at[key]
			if !seen {
				i = len(out)
				at[key] = i
				out = append(out, ledger.Record{Kind: c.Kind, ID: c.ID, Fields: make(map[string]ledger.Field, len(c.Fields))})
			}
			for _, name := range c.Fields {
				if f, ok := rec.Fields[name]; ok && (skip == "" || f.Replica != skip) {
					out[i].Fields[name] = f
				}
			}
		}
		return nil
	})
	return slices.DeleteFunc(out, func(r ledger.Record) bool { return len(r.Fields) == 0 }), err
}

// Snapshot calls fn with every record the store holds, kind by kind, from one consistent snapshot
// that includes every write committed before it was called, and with the place of each record
// (RecordPlace). It is how a hub serves a new office everything at once: one sequential scan instead
// of a lookup per change.
func (s *Store) Snapshot(fn func(rec ledger.Record, place ledger.Code) error) error {
	return s.view(func(txn *badger.Txn) error {
		for _, k := range ledger.Kinds {
			err := scanRecords(txn, k, func(rec ledger.Record) error { return fn(rec, RecordPlace(rec)) })
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// RecordPlace is Place of a raw record, reading only the fields that decide it.
func RecordPlace(rec ledger.Record) ledger.Code {
	switch {
	case rec.Kind == ledger.KindVillage:
		return ledger.Code(rec.ID).Township()
	case rec.Kind == ledger.KindTraining:
		var t ledger.Training
		if f, ok := rec.Fields["villages"]; ok {
			_ = json.Unmarshal([]byte(f.Value), &t.Villages)
		}
		return Place(t)
	case rec.Kind.Roster():
		return ""
	}
	values := map[string]string{}
	for _, name := range placeFields {
		if f, ok := rec.Fields[name]; ok {
			values[name] = f.Value
		}
	}
	e, err := ledger.Decode(rec.Kind, rec.ID, values)
	if err != nil {
		return "-"
	}
	return Place(e)
}

// placeFields are the fields that decide where a record lies.
var placeFields = []string{"village", "villages", "org"}

// Docs are small JSON documents kept beside the ledger (the hub's office registry, sync settings):
// backed up and restored with it, never synced.
func docKey(collection, key string) []byte {
	return append(append(append([]byte{prefixDoc}, collection...), 0), key...)
}

// PutDoc stores v as JSON under collection/key.
func (s *Store) PutDoc(collection, key string, v any) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.write(func(b *batch) error {
		b.kind[kindMeta] = true
		return b.set(docKey(collection, key), buf)
	})
}

// GetDoc reads collection/key into v; ErrNotFound if there is none.
func (s *Store) GetDoc(collection, key string, v any) error {
	return s.view(func(txn *badger.Txn) error {
		item, err := txn.Get(docKey(collection, key))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("%s %s: %w", collection, key, ErrNotFound)
		}
		if err != nil {
			return err
		}
		return item.Value(func(b []byte) error { return json.Unmarshal(b, v) })
	})
}

// Docs calls fn with the raw JSON of every document of a collection, in key order.
func (s *Store) Docs(collection string, fn func(key string, raw []byte) error) error {
	prefix := docKey(collection, "")
	return s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			key := string(it.Item().Key()[len(prefix):])
			if err := it.Item().Value(func(v []byte) error { return fn(key, v) }); err != nil {
				return err
			}
		}
		return nil
	})
}

func setJSONBatch(b *batch, name string, v any) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.set(metaKey(name), buf)
}
