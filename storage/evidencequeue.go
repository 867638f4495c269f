package storage

// The upload queue of the files attached here, and giving back the space of files no record lists
// (evidence.go has the keys and the rest of the evidence store).

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// PendingUploads lists the files attached here that the city has not acknowledged, oldest first, at
// most limit (0: all).
func (s *Store) PendingUploads(limit int) ([]Blob, error) {
	var out []Blob
	err := s.view(func(txn *badger.Txn) error {
		prefix := []byte{prefixEvidence, evQueue}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			bl, ok, err := getBlob(txn, it.Item().Key()[len(prefix):])
			if err != nil {
				return err
			}
			if ok && bl.Complete() {
				out = append(out, bl)
			}
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b Blob) int { return a.Added.Compare(b.Added) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

// MarkUploaded records, durably, that the city holds the file hash: it leaves the upload queue.
func (s *Store) MarkUploaded(ctx context.Context, hash string) error {
	hb, err := hashBytes(hash)
	if err != nil {
		return err
	}
	return s.write(func(b *batch) error {
		bl, ok, err := getBlob(b.txn, hb)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("evidence %s: %w", hash, ErrNoEvidence)
		}
		if err := b.del(evKey(evQueue, hb)); err != nil {
			return err
		}
		bl.Uploaded = true
		return b.putBlob(hb, bl)
	})
}

// RequeueUploads puts every file attached here back in the upload queue (after the city was restored
// from a backup that may lack them); it returns how many.
func (s *Store) RequeueUploads(ctx context.Context) (int, error) {
	n := 0
	err := s.write(func(b *batch) error {
		return b.eachBlob(func(hb []byte, bl Blob) error {
			if !bl.Local || !bl.Complete() {
				return nil
			}
			n++
			bl.Uploaded = false
			if err := b.set(evKey(evQueue, hb), nil); err != nil {
				return err
			}
			return b.putBlob(hb, bl)
		})
	})
	return n, err
}

func (b *batch) eachBlob(fn func(hb []byte, bl Blob) error) error {
	prefix := []byte{prefixEvidence, evMeta}
	it := b.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	type one struct {
		hb []byte
		bl Blob
	}
	var all []one
	for it.Rewind(); it.Valid(); it.Next() {
		hb := it.Item().KeyCopy(nil)[len(prefix):]
		bl, _, err := getBlob(b.txn, hb)
		if err != nil {
			it.Close()
			return err
		}
		all = append(all, one{hb, bl})
	}
	it.Close()
	for _, o := range all {
		if err := fn(o.hb, o.bl); err != nil {
			return err
		}
	}
	return nil
}

// CollectEvidence gives back the space of files no record has listed for EvidenceGrace: it marks the
// files listed by none with now, and drops those marked longer ago than the grace. A deleted record
// still lists its files (it can be undeleted), so deleting a record frees nothing; removing a file
// from every record that lists it frees it after the grace, and Badger's value-log GC then returns
// the disk space. It returns the files and bytes dropped.
func (s *Store) CollectEvidence(ctx context.Context, now time.Time) (files int, size int64, err error) {
	err = s.write(func(b *batch) error {
		return b.eachBlob(func(hb []byte, bl Blob) error {
			it := b.txn.NewIterator(badger.IteratorOptions{Prefix: evKey(evRef, hb), PrefetchValues: false})
			it.Rewind()
			listed := it.Valid()
			it.Close()
			item, err := b.txn.Get(evKey(evOrphan, hb))
			marked := err == nil
			if err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
				return err
			}
			switch {
			case listed && marked:
				b.dirty = true
				return b.del(evKey(evOrphan, hb))
			case listed:
				return nil
			case !marked:
				b.dirty = true
				return b.set(evKey(evOrphan, hb), binary.BigEndian.AppendUint64(nil, uint64(now.UnixMilli())))
			}
			var since int64
			if err := item.Value(func(v []byte) error {
				if len(v) == 8 {
					since = int64(binary.BigEndian.Uint64(v))
				}
				return nil
			}); err != nil {
				return err
			}
			if now.Sub(time.UnixMilli(since)) < EvidenceGrace {
				return nil
			}
			files++
			size += bl.Received
			return b.dropBlob(hb, bl)
		})
	})
	if err != nil {
		return 0, 0, err
	}
	return files, size, nil
}
