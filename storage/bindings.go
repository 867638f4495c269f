package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Replica ids are bound, on a hub, to the office registration that first used them: in a hello
// (BindReplica) or in a version it pushed (ApplyPush). The bindings are documents of the store, so a
// backup holds them; a replica bound after the backup a hub was restored from is bound again by the
// first use after it, normally its owner's next hello.
const replicaDocs = "replica"

// HubOwner owns the replica ids a hub's store wrote with itself (its epochs): no office may use them.
const HubOwner = "(hub)"

// ReplicaBinding is who owns a replica id, and since when.
type ReplicaBinding struct {
	Replica string    `json:"replica"`
	Office  string    `json:"office"` // the office registration's id, or HubOwner
	Bound   time.Time `json:"bound"`
}

// BindReplica binds replica to office if it is not bound yet, and returns its owner: office, or the one
// it was bound to before.
func (s *Store) BindReplica(replica, office string) (string, error) {
	var owner string
	err := s.write(func(b *batch) error {
		var err error
		owner, err = b.replicaOwner(replica)
		if err != nil || owner != "" {
			return err
		}
		owner = office
		return b.bindReplica(replica, office)
	})
	return owner, err
}

// ReplicaBindings calls fn with every binding, in replica order.
func (s *Store) ReplicaBindings(fn func(ReplicaBinding) error) error {
	return s.Docs(replicaDocs, func(_ string, raw []byte) error {
		var rb ReplicaBinding
		if err := json.Unmarshal(raw, &rb); err != nil {
			return err
		}
		return fn(rb)
	})
}

func (b *batch) replicaOwner(replica string) (string, error) {
	item, err := b.txn.Get(docKey(replicaDocs, replica))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var rb ReplicaBinding
	if err := item.Value(func(v []byte) error { return json.Unmarshal(v, &rb) }); err != nil {
		return "", fmt.Errorf("replica %s: %w", replica, err)
	}
	return rb.Office, nil
}

func (b *batch) bindReplica(replica, office string) error {
	buf, _ := json.Marshal(ReplicaBinding{Replica: replica, Office: office, Bound: time.Now().UTC()})
	b.kind[kindMeta] = true
	return b.set(docKey(replicaDocs, replica), buf)
}

// claim reports whether a version naming replica is office's own: bound to it, or not bound to anyone
// (then it is bound to office now, in this write). A push names few replicas in many fields: the
// answers are kept for the write.
func (b *batch) claim(replica, office string) (bool, error) {
	if owner, ok := b.owners[replica]; ok {
		return owner == office, nil
	}
	owner, err := b.replicaOwner(replica)
	switch {
	case err != nil:
		return false, err
	case owner == "":
		if err := b.bindReplica(replica, office); err != nil {
			return false, err
		}
		owner = office
	}
	if b.owners == nil {
		b.owners = map[string]string{}
	}
	b.owners[replica] = owner
	return owner == office, nil
}
