package storage

import (
	"github.com/dgraph-io/badger/v4"

	"techaid/ledger"
)

// EvidenceRef is a record that lists an evidence file.
type EvidenceRef struct {
	Kind ledger.Kind
	ID   string
}

// EvidenceRecords lists the records, live or deleted, whose evidence lists the file hash (sync names
// one of them when it offers the file to the city, which checks that it lists it).
func (s *Store) EvidenceRecords(hash string) ([]EvidenceRef, error) {
	hb, err := hashBytes(hash)
	if err != nil {
		return nil, err
	}
	kinds := make(map[byte]ledger.Kind, len(kindByte))
	for k, b := range kindByte {
		kinds[b] = k
	}
	var out []EvidenceRef
	err = s.view(func(txn *badger.Txn) error {
		prefix := evKey(evRef, hb)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			rest := it.Item().Key()[len(prefix):]
			if k, ok := kinds[rest[0]]; ok && len(rest) > 1 {
				out = append(out, EvidenceRef{Kind: k, ID: string(rest[1:])})
			}
		}
		return nil
	})
	return out, err
}
