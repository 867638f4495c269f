package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Evidence files on their way to the city (sync, PROTOCOL.md section 15). On the hub, an office's upload
// travels in chunks, each kept durably as it arrives, so that a transfer cut in the middle goes on from
// where it stopped; each office's chunks are kept apart (owner: the office's registration id), so no
// office can spoil another's upload of the same file, and the office's bytes of the day are counted in
// the same write (the hub's daily limit). Once whole and checked, the file goes to the store's evidence
// files (evidence.go) and its chunks are dropped. On an office, the city's refusals for good.
//
//	u <owner> 0x00 <sha256:64> <offset:8> <length:4>   a chunk of a partial file (Badger's value sizes
//	                                        are approximate: the key says where the chunk ends)
//	q <owner> 0x00 <day:10>                 bytes of files an owner sent on a day (the hub's daily limit)
//	w <sha256:64>                           on an office: the city refused this file for good (FileRefusal)
const (
	prefixPartial  byte = 'u'
	prefixReceived byte = 'q'
	prefixRefused  byte = 'w'
)

// ErrPartialOffset is AppendPartial's error for a chunk that does not start where the partial file ends.
var ErrPartialOffset = errors.New("the chunk does not start where the partial file ends")

func partialPrefix(owner, hash string) []byte {
	return append(append(append([]byte{prefixPartial}, owner...), 0), hash...)
}

func receivedKey(owner, day string) []byte {
	return append(append(append([]byte{prefixReceived}, owner...), 0), day...)
}

func refusedKey(hash string) []byte { return append([]byte{prefixRefused}, hash...) }

// partialHeld is how many bytes of the partial file are held: where its last chunk ends.
func partialHeld(txn *badger.Txn, prefix []byte) int64 {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, Reverse: true})
	defer it.Close()
	seek := append(bytes.Clone(prefix), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	it.Seek(seek)
	if !it.Valid() {
		return 0
	}
	k := it.Item().Key()
	if len(k) != len(prefix)+12 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(k[len(prefix):])) + int64(binary.BigEndian.Uint32(k[len(prefix)+8:]))
}

// Partial is how many bytes, from the start, of the file hash the store holds in transit from owner.
func (s *Store) Partial(owner, hash string) (int64, error) {
	var held int64
	err := s.view(func(txn *badger.Txn) error {
		held = partialHeld(txn, partialPrefix(owner, hash))
		return nil
	})
	return held, err
}

// AppendPartial adds data at offset to the partial file hash of owner, and len(data) to owner's bytes
// of day, in one durable write; it returns the bytes now held. A chunk that does not start where the
// partial ends is not written: ErrPartialOffset, with what is held.
func (s *Store) AppendPartial(owner, hash string, offset int64, data []byte, day string) (int64, error) {
	var held int64
	err := s.write(func(b *batch) error {
		prefix := partialPrefix(owner, hash)
		held = partialHeld(b.txn, prefix)
		if offset != held {
			return ErrPartialOffset
		}
		key := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(prefix, uint64(offset)), uint32(len(data)))
		if err := b.set(key, bytes.Clone(data)); err != nil {
			return err
		}
		if day != "" {
			n, err := received(b.txn, owner, day)
			if err != nil {
				return err
			}
			if err := b.set(receivedKey(owner, day), binary.BigEndian.AppendUint64(nil, uint64(n+int64(len(data))))); err != nil {
				return err
			}
		}
		held += int64(len(data))
		b.kind[kindMeta] = true
		return nil
	})
	return held, err
}

// PartialBytes reads the partial file hash of owner, whole.
func (s *Store) PartialBytes(owner, hash string) ([]byte, error) {
	var out []byte
	err := s.view(func(txn *badger.Txn) error {
		prefix := partialPrefix(owner, hash)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			if len(k) != len(prefix)+12 || int64(binary.BigEndian.Uint64(k[len(prefix):])) != int64(len(out)) {
				return fmt.Errorf("partial %s: chunks out of order", hash)
			}
			if err := it.Item().Value(func(v []byte) error { out = append(out, v...); return nil }); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// DropPartial forgets the partial file hash of owner.
func (s *Store) DropPartial(owner, hash string) error {
	prefix := partialPrefix(owner, hash)
	var keys [][]byte
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
		}
		return nil
	})
	if err != nil || len(keys) == 0 {
		return err
	}
	return s.write(func(b *batch) error {
		for _, k := range keys {
			if err := b.del(k); err != nil {
				return err
			}
		}
		b.kind[kindMeta] = true
		return nil
	})
}

func received(txn *badger.Txn, owner, day string) (int64, error) {
	item, err := txn.Get(receivedKey(owner, day))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var n int64
	err = item.Value(func(v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("received %s %s: %d bytes", owner, day, len(v))
		}
		n = int64(binary.BigEndian.Uint64(v))
		return nil
	})
	return n, err
}

// Received is how many bytes of files owner sent on day (YYYY-MM-DD), as AppendPartial counted them.
func (s *Store) Received(owner, day string) (int64, error) {
	var n int64
	err := s.view(func(txn *badger.Txn) error {
		var err error
		n, err = received(txn, owner, day)
		return err
	})
	return n, err
}

// FileRefusal is, on an office, the city's refusal of an evidence file for good (not an image or a
// PDF, too large): the file is not offered again, and the clerk is shown why.
type FileRefusal struct {
	Code    string    `json:"code"`
	Message string    `json:"message"` // the hub's words, in Chinese
	At      time.Time `json:"at"`
}

// RefuseFile records the city's refusal of the file hash for good.
func (s *Store) RefuseFile(hash string, r FileRefusal) error {
	buf, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.write(func(b *batch) error {
		b.kind[kindMeta] = true
		return b.set(refusedKey(hash), buf)
	})
}

// FileRefused says whether, and why, the city refused the file hash for good.
func (s *Store) FileRefused(hash string) (FileRefusal, bool, error) {
	var r FileRefusal
	found := false
	err := s.view(func(txn *badger.Txn) error {
		item, err := txn.Get(refusedKey(hash))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		return item.Value(func(v []byte) error { return json.Unmarshal(v, &r) })
	})
	return r, found, err
}
