package hub

import (
	"context"

	"techaid/evidence"
	"techaid/ledger"
	"techaid/storage"
)

// The files the hub keeps are the store's evidence files (storage.Store's blob store), by SHA-256.
// Uploads in progress are kept apart, per office (storage.AppendPartial): an office can neither spoil
// another's upload of the same file nor count its bytes against another's daily limit.

func (h *Hub) hasFile(hash string) bool {
	b, err := h.st.EvidenceBlob(hash)
	return err == nil && b.Complete()
}

// putFile keeps a whole file, already checked (typ is its type), in the store's pieces, each written
// durably: a hub stopped in the middle goes on from what it holds the next time the file is offered.
func (h *Hub) putFile(hash, typ string, data []byte) error {
	held := int64(0)
	if b, err := h.st.EvidenceBlob(hash); err == nil {
		if b.Complete() {
			return nil
		}
		held = b.Received
	}
	size := int64(len(data))
	checked := func([]byte) (string, error) { return typ, nil } // decoded before, outside the store's lock
	for held < size {
		end := min(size, held+storage.EvidenceChunk)
		var err error
		if held, err = h.st.PutEvidenceChunk(context.Background(), hash, size, held, data[held:end], checked); err != nil {
			return err
		}
	}
	return nil
}

func (h *Hub) file(hash string) ([]byte, error) { return h.st.ReadEvidence(hash) }

// checkFile is Config.Check's default: evidence.Check, the check an office runs when a clerk attaches.
func checkFile(data []byte) (string, error) {
	info, err := evidence.Check(data)
	return info.Type, err
}

// notEvidence says in Chinese why Check refused a file.
func notEvidence(err error) string { return ledger.Chinese(err) }
