package storage

import (
	"bytes"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// PurgeDoc deletes the document collection/key and removes every version of it from the store's
// files now. A document overwritten or deleted with PutDoc stays in Badger's tables and logs until a
// compaction happens to drop it, which is no harm for most documents and wrong for one that held a
// secret in plain bytes (an office's token, as versions before the sealed token kept it). No other
// document of the collection may have a key that begins with key: Badger drops by prefix.
func (s *Store) PurgeDoc(collection, key string) error {
	s.mu.Lock() // no write of this store may run while Badger drops (it refuses writes meanwhile)
	defer s.mu.Unlock()
	if s.db.IsClosed() {
		return ErrClosed
	}
	exact := docKey(collection, key)
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: exact})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if k := it.Item().Key(); !bytes.Equal(k, exact) {
				return fmt.Errorf("purge %s/%s: the document %q shares its key's prefix", collection, key, k[len(exact)-len(key):])
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.db.DropPrefix(exact); err != nil {
		return fmt.Errorf("purge %s/%s: %w", collection, key, err)
	}
	return nil
}
