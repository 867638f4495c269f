package query

import (
	"time"

	"techaid/ledger"
)

// Blob is what a store knows of one evidence file.
type Blob struct {
	Hash     string    `json:"-"`
	Type     string    `json:"type,omitempty"` // ledger.Evidence.Type; "" while incomplete
	Size     int64     `json:"size"`
	Received int64     `json:"received"`        // bytes durably stored; Size once complete
	Local    bool      `json:"local,omitempty"` // attached on this replica, which sends it to the city
	Uploaded bool      `json:"uploaded,omitempty"`
	Added    time.Time `json:"added"`
}

// Complete reports whether every byte of the file is here (and its hash was checked).
func (b Blob) Complete() bool { return b.Received == b.Size && b.Size > 0 }

// Attachment is a file to attach: its evidence item (as evidence.File.Evidence makes it) and its bytes.
type Attachment struct {
	Item ledger.Evidence
	Data []byte
}

// EvidenceItem is one item of a record's evidence and what the store holds of its file.
type EvidenceItem struct {
	ledger.Evidence
	Blob Blob
}

// Here reports whether the whole file is in this store.
func (e EvidenceItem) Here() bool { return e.Blob.Complete() }
