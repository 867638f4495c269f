package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"techaid/ledger"
	"techaid/query"
)

// Evidence files (photos of sign-in sheets, acceptance papers) are stored by content hash beside the
// records that list them (ledger.FieldEvidence): the same file attached twice, or to two records, is
// stored once. A file's bytes are kept in chunks, so that one arriving over a bad line is kept as far
// as it came and resumes there; an attached file is written whole with the record's new list in one
// transaction, so a crash leaves both or neither. Keys (keys.go has the rest):
//
//	e m <hash:32>               the file's Blob (JSON)
//	e b <hash:32> <offset:8>    the bytes from offset, a chunk of up to EvidenceChunk
//	e r <hash:32> <kind> <id>   a record (live or deleted) whose evidence field lists the file
//	e q <hash:32>               attached here and not yet acknowledged by the city (upload queue)
//	e z <hash:32>               listed by no record since the stamp (unix ms) this holds (GC)
const (
	evMeta   byte = 'm'
	evChunk  byte = 'b'
	evRef    byte = 'r'
	evQueue  byte = 'q'
	evOrphan byte = 'z'
)

// EvidenceChunk is the size of the chunks an attached file is stored in.
const EvidenceChunk = 256 << 10

// EvidenceGrace is how long a file listed by no record is kept before its space is given back: an
// edit that removed it may be lost to a concurrent one that keeps it, or restored from the conflict log.
const EvidenceGrace = 30 * 24 * time.Hour

// Errors of evidence.
var (
	ErrNoEvidence    = errors.New("no such evidence file here")
	ErrEvidenceKind  = errors.New("records of this kind keep no evidence")
	ErrHashMismatch  = errors.New("the file's bytes do not match its hash")
	ErrChunkOffset   = errors.New("the chunk does not start where the file was cut")
	ErrEvidenceSize  = errors.New("the file's size does not match")
	ErrRecordDeleted = errors.New("the record is deleted")
)

// Blob, Attachment and EvidenceItem are query's: the UI speaks them without importing storage.
type (
	Blob         = query.Blob
	Attachment   = query.Attachment
	EvidenceItem = query.EvidenceItem
)

func hashBytes(h string) ([]byte, error) {
	if !ledger.ValidHash(h) {
		return nil, fmt.Errorf("evidence %q: not a SHA-256 in lower-case hex", h)
	}
	b, _ := hex.DecodeString(h)
	return b, nil
}

func evKey(sub byte, hash []byte, rest ...byte) []byte {
	k := make([]byte, 0, 2+len(hash)+len(rest))
	return append(append(append(k, prefixEvidence, sub), hash...), rest...)
}

func chunkKey(hash []byte, off int64) []byte {
	return binary.BigEndian.AppendUint64(evKey(evChunk, hash), uint64(off))
}

func refKey(hash []byte, k ledger.Kind, id string) []byte {
	return append(evKey(evRef, hash, kindByte[k]), id...)
}

// evidenceList is the evidence field's items of a stored record.
func evidenceList(rec ledger.Record) []string {
	items, _ := parseItems(rec.Fields[ledger.FieldEvidence].Value)
	return items
}

func parseItems(text string) ([]string, error) {
	if text == "" {
		return nil, nil
	}
	var items []string
	err := json.Unmarshal([]byte(text), &items)
	return items, err
}

// hashesOf lists the hashes a record's evidence field names (items that do not parse name none).
func hashesOf(rec ledger.Record) []string {
	var out []string
	for _, ev := range ledger.ParseEvidenceList(evidenceList(rec)) {
		out = append(out, ev.Hash)
	}
	return out
}

// reref moves the record's references from the files old lists to those cur lists. Deleted records
// keep theirs: an undelete brings the evidence back.
func (b *batch) reref(old, cur ledger.Record) error {
	was, is := hashesOf(old), hashesOf(cur)
	for _, h := range was {
		if !slices.Contains(is, h) {
			hb, _ := hashBytes(h)
			if err := b.del(refKey(hb, cur.Kind, cur.ID)); err != nil {
				return err
			}
		}
	}
	for _, h := range is {
		if !slices.Contains(was, h) {
			hb, _ := hashBytes(h)
			if err := b.set(refKey(hb, cur.Kind, cur.ID), nil); err != nil {
				return err
			}
			if err := b.del(evKey(evOrphan, hb)); err != nil {
				return err
			}
		}
	}
	return nil
}

func getBlob(txn *badger.Txn, hash []byte) (Blob, bool, error) {
	item, err := txn.Get(evKey(evMeta, hash))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return Blob{}, false, nil
	}
	if err != nil {
		return Blob{}, false, err
	}
	var bl Blob
	if err := item.Value(func(v []byte) error { return json.Unmarshal(v, &bl) }); err != nil {
		return Blob{}, false, fmt.Errorf("read evidence %x: %w", hash, err)
	}
	bl.Hash = hex.EncodeToString(hash)
	return bl, true, nil
}

func (b *batch) putBlob(hash []byte, bl Blob) error {
	v, err := json.Marshal(bl)
	if err != nil {
		return err
	}
	b.dirty = true
	return b.set(evKey(evMeta, hash), v)
}

// putChunks writes data as the file's chunks from offset off.
func (b *batch) putChunks(hash []byte, off int64, data []byte) error {
	for len(data) > 0 {
		n := min(len(data), EvidenceChunk)
		if err := b.set(chunkKey(hash, off), bytes.Clone(data[:n])); err != nil {
			return err
		}
		off += int64(n)
		data = data[n:]
	}
	return nil
}

// Attach adds files to the evidence of the record id (a training, a need, a project or a park
// pairing): the files not stored yet and the record's new evidence list are written in one durable
// transaction, so a crash leaves both or neither. A file the record lists already is not listed
// twice; a file stored already (attached to another record) is not stored twice. It returns the
// record's evidence list after the write. The items are checked against the bytes (hash and size);
// what the bytes are (evidence.Prepare) is the caller's to have checked.
func (s *Store) Attach(ctx context.Context, id string, files ...Attachment) ([]ledger.Evidence, error) {
	k, err := s.KindOf(id)
	if err != nil {
		return nil, err
	}
	if !k.HasEvidence() {
		return nil, fmt.Errorf("attach to %s %s: %w", k, id, ErrEvidenceKind)
	}
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		if hex.EncodeToString(sum[:]) != f.Item.Hash {
			return nil, fmt.Errorf("attach %s: %w", f.Item.Name, ErrHashMismatch)
		}
		if int64(len(f.Data)) != f.Item.Size {
			return nil, fmt.Errorf("attach %s: %w", f.Item.Name, ErrEvidenceSize)
		}
		if _, err := ledger.ParseEvidence(f.Item.String()); err != nil {
			return nil, fmt.Errorf("attach: %w", err)
		}
	}
	var out []ledger.Evidence
	err = s.write(func(b *batch) error {
		held, exists, err := b.get(k, id)
		if err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("attach to %s %s: %w", k, id, ErrNotFound)
		}
		if held.Deleted() {
			return fmt.Errorf("attach to %s %s: %w", k, id, ErrRecordDeleted)
		}
		items := evidenceList(held)
		listed := hashesOf(held)
		now := time.Now().UTC()
		for i, f := range files {
			hb, _ := hashBytes(f.Item.Hash)
			if !slices.Contains(listed, f.Item.Hash) {
				items = append(items, f.Item.String())
				listed = append(listed, f.Item.Hash)
			}
			bl, ok, err := getBlob(b.txn, hb)
			if err != nil {
				return err
			}
			if ok && bl.Complete() {
				continue
			}
			if ok { // a download cut short: what was attached here is the whole of it
				if err := b.dropChunks(hb); err != nil {
					return err
				}
			}
			if err := b.putChunks(hb, 0, f.Data); err != nil {
				return err
			}
			// Added orders the upload queue: the files of one attach in the order given.
			bl = Blob{Type: f.Item.Type, Size: f.Item.Size, Received: f.Item.Size, Local: true, Added: now.Add(time.Duration(i))}
			if err := b.putBlob(hb, bl); err != nil {
				return err
			}
			if err := b.set(evKey(evQueue, hb), nil); err != nil {
				return err
			}
			b.cnt.EvidenceFiles++
			b.cnt.EvidenceBytes += bl.Size
		}
		text, err := json.Marshal(items)
		if err != nil {
			return err
		}
		if _, err := b.local(query.OpUpdate, k, id, map[string]string{ledger.FieldEvidence: string(text)}); err != nil {
			return err
		}
		out = ledger.ParseEvidenceList(items)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Detach removes the file hash from the record's evidence list. The file stays stored while any record
// lists it, deleted ones included, and EvidenceGrace after the last one stopped (CollectEvidence).
func (s *Store) Detach(ctx context.Context, id, hash string) error {
	k, err := s.KindOf(id)
	if err != nil {
		return err
	}
	return s.write(func(b *batch) error {
		held, exists, err := b.get(k, id)
		if err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("detach from %s %s: %w", k, id, ErrNotFound)
		}
		items := evidenceList(held)
		kept := items[:0:0]
		for _, it := range items {
			if ev, err := ledger.ParseEvidence(it); err != nil || ev.Hash != hash {
				kept = append(kept, it)
			}
		}
		if len(kept) == len(items) {
			return fmt.Errorf("detach %s from %s %s: %w", hash, k, id, ErrNoEvidence)
		}
		text := ""
		if len(kept) > 0 {
			b, _ := json.Marshal(kept)
			text = string(b)
		}
		_, err = b.local(query.OpUpdate, k, id, map[string]string{ledger.FieldEvidence: text})
		return err
	})
}

// EvidenceOf lists the evidence of the record id, each with what this store holds of its file
// (Blob.Complete false, or Size 0 if nothing: the file is at the city, to be fetched).
func (s *Store) EvidenceOf(id string) ([]EvidenceItem, error) {
	rec, err := s.Record(id)
	if err != nil {
		return nil, err
	}
	var out []EvidenceItem
	err = s.view(func(txn *badger.Txn) error {
		for _, ev := range ledger.ParseEvidenceList(evidenceList(rec)) {
			hb, _ := hashBytes(ev.Hash)
			bl, _, err := getBlob(txn, hb)
			if err != nil {
				return err
			}
			bl.Hash = ev.Hash
			out = append(out, EvidenceItem{Evidence: ev, Blob: bl})
		}
		return nil
	})
	return out, err
}

// EvidenceBlob says what the store holds of the file hash: ErrNoEvidence if nothing.
func (s *Store) EvidenceBlob(hash string) (Blob, error) {
	hb, err := hashBytes(hash)
	if err != nil {
		return Blob{}, err
	}
	var bl Blob
	err = s.view(func(txn *badger.Txn) error {
		var ok bool
		bl, ok, err = getBlob(txn, hb)
		if err == nil && !ok {
			err = fmt.Errorf("evidence %s: %w", hash, ErrNoEvidence)
		}
		return err
	})
	return bl, err
}

// ReadEvidence returns the whole file hash; ErrNoEvidence unless it is complete here.
func (s *Store) ReadEvidence(hash string) ([]byte, error) {
	bl, err := s.EvidenceBlob(hash)
	if err != nil {
		return nil, err
	}
	if !bl.Complete() {
		return nil, fmt.Errorf("evidence %s: %d of %d bytes here: %w", hash, bl.Received, bl.Size, ErrNoEvidence)
	}
	return s.ReadEvidenceAt(hash, 0, int(bl.Size))
}

// ReadEvidenceAt returns up to n bytes of the file hash from offset off (fewer at its end), of what is
// durably stored: an upload reads its chunks with it.
func (s *Store) ReadEvidenceAt(hash string, off int64, n int) ([]byte, error) {
	hb, err := hashBytes(hash)
	if err != nil {
		return nil, err
	}
	if off < 0 || n < 0 {
		return nil, fmt.Errorf("read evidence %s: bad range %d+%d", hash, off, n)
	}
	out := make([]byte, 0, min(n, 32<<20))
	err = s.view(func(txn *badger.Txn) error {
		bl, ok, err := getBlob(txn, hb)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("evidence %s: %w", hash, ErrNoEvidence)
		}
		end := min(off+int64(n), bl.Received)
		prefix := evKey(evChunk, hb)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
		defer it.Close()
		for it.Rewind(); it.Valid() && off < end; it.Next() {
			start := int64(binary.BigEndian.Uint64(it.Item().Key()[len(prefix):]))
			err := it.Item().Value(func(v []byte) error {
				stop := start + int64(len(v))
				if stop <= off || start >= end {
					return nil
				}
				from, to := max(off, start)-start, min(end, stop)-start
				out = append(out, v[from:to]...)
				off = start + to
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// PutEvidenceChunk stores bytes of a file arriving from elsewhere (on a hub, from the office that
// attached it; in an office, from the city when someone opens it): data is the file's bytes from
// offset, which must be where it was cut (the received count EvidenceBlob reports; 0 for a new file),
// and the chunk is durable when it returns. The chunk that completes the file has the whole checked in
// the same transaction: its SHA-256 against hash, then verify (which may be nil) on the whole bytes,
// returning the file's type (evidence.Check); if either fails, everything received of the file is
// dropped and the error returned. A chunk of a file already complete changes nothing. It returns the
// bytes now held.
func (s *Store) PutEvidenceChunk(ctx context.Context, hash string, size, offset int64, data []byte, verify func([]byte) (string, error)) (int64, error) {
	hb, err := hashBytes(hash)
	if err != nil {
		return 0, err
	}
	if size <= 0 || offset < 0 || offset+int64(len(data)) > size {
		return 0, fmt.Errorf("evidence %s: a chunk of %d bytes at %d of a %d-byte file: %w", hash, len(data), offset, size, ErrEvidenceSize)
	}
	var received int64
	var refused error
	err = s.write(func(b *batch) error {
		bl, ok, err := getBlob(b.txn, hb)
		if err != nil {
			return err
		}
		if ok && bl.Complete() {
			received = bl.Size
			return nil
		}
		if !ok {
			bl = Blob{Size: size, Added: time.Now().UTC()}
		}
		if bl.Size != size {
			return fmt.Errorf("evidence %s: %d bytes announced, %d before: %w", hash, size, bl.Size, ErrEvidenceSize)
		}
		if offset != bl.Received {
			received = bl.Received
			return fmt.Errorf("evidence %s: chunk at %d, the file was cut at %d: %w", hash, offset, bl.Received, ErrChunkOffset)
		}
		if err := b.putChunks(hb, offset, data); err != nil {
			return err
		}
		bl.Received += int64(len(data))
		if bl.Received == bl.Size {
			whole, err := readChunks(b.txn, hb, offset)
			if err != nil {
				return err
			}
			whole = append(whole, data...)
			sum := sha256.Sum256(whole)
			typ := ""
			if hex.EncodeToString(sum[:]) != hash {
				refused = fmt.Errorf("evidence %s: %w", hash, ErrHashMismatch)
			} else if verify != nil {
				if typ, err = verify(whole); err != nil {
					refused = fmt.Errorf("evidence %s: %w", hash, err)
				}
			}
			if refused != nil {
				received = 0
				return b.dropBlob(hb, Blob{})
			}
			bl.Type = typ
			b.cnt.EvidenceFiles++
			b.cnt.EvidenceBytes += bl.Size
		}
		received = bl.Received
		return b.putBlob(hb, bl)
	})
	if err == nil {
		err = refused
	}
	return received, err
}

// readChunks reads a file's stored bytes before offset end.
func readChunks(txn *badger.Txn, hb []byte, end int64) ([]byte, error) {
	out := make([]byte, 0, end)
	prefix := evKey(evChunk, hb)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		start := int64(binary.BigEndian.Uint64(it.Item().Key()[len(prefix):]))
		if start >= end {
			break
		}
		err := it.Item().Value(func(v []byte) error {
			out = append(out, v...)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// dropChunks deletes a file's chunks.
func (b *batch) dropChunks(hb []byte) error {
	prefix := evKey(evChunk, hb)
	it := b.txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
	var keys [][]byte
	for it.Rewind(); it.Valid(); it.Next() {
		keys = append(keys, it.Item().KeyCopy(nil))
	}
	it.Close()
	for _, k := range keys {
		if err := b.del(k); err != nil {
			return err
		}
	}
	b.dirty = true
	return nil
}

// dropBlob deletes a file: its chunks, its meta, its queue and orphan marks; bl is its meta as held,
// whose complete bytes leave the counters.
func (b *batch) dropBlob(hb []byte, bl Blob) error {
	if err := b.dropChunks(hb); err != nil {
		return err
	}
	for _, sub := range []byte{evMeta, evQueue, evOrphan} {
		if err := b.del(evKey(sub, hb)); err != nil {
			return err
		}
	}
	if bl.Complete() {
		b.cnt.EvidenceFiles--
		b.cnt.EvidenceBytes -= bl.Size
	}
	return nil
}

// PutEvidence stores a whole file that arrived from elsewhere (assembled from its chunks in transit,
// uploads.go): checked against hash and by verify (nil: hash only) in the transaction that stores it.
// What this store held of the file in chunks is replaced; a file already complete changes nothing.
func (s *Store) PutEvidence(ctx context.Context, hash string, data []byte, verify func([]byte) (string, error)) error {
	if bl, err := s.EvidenceBlob(hash); err == nil && !bl.Complete() && bl.Received > 0 {
		err := s.write(func(b *batch) error {
			hb, _ := hashBytes(hash)
			return b.dropBlob(hb, bl)
		})
		if err != nil {
			return err
		}
	}
	_, err := s.PutEvidenceChunk(ctx, hash, int64(len(data)), 0, data, verify)
	return err
}
