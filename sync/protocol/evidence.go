package protocol

import (
	"encoding/hex"
	"fmt"

	"techaid/ledger"
)

// Evidence (佐证材料: photos of sign-in sheets, a project's papers as PDF) travels apart from records:
// a record lists its files by content hash, and the files follow it. Upward, inside the session, once
// no record is waiting: the office offers a file (FileOffer), the hub says how much of it it holds
// durably (FileAck), the office sends the rest in chunks, each acknowledged once it is on the hub's
// disk, so that a cut transfer resumes where it stopped; the hub checks the hash and decodes the whole
// file before it keeps it, or says why not (FileRefused). Downward, on demand, over HTTP at
// EvidencePath, with Range, like a release. PROTOCOL.md section 15 is the specification.

// The evidence messages.
const (
	TFileOffer   Type = "file_offer"
	TFileChunk   Type = "file_chunk"
	TFileAck     Type = "file_ack"
	TFileRefused Type = "file_refused"
)

// MaxChunk bounds the data of one chunk (before base64): its frame stays far under MaxFrame, and a
// record pushed behind it waits for no more than that on the line.
const MaxChunk = 256 << 10

// EvidencePath is where the hub serves the files it holds: EvidencePath + SHA256, with the record that
// lists the file as the query (?kind=training&id=…).
const EvidencePath = "/evidence/"

// FileOffer asks the hub how much of a file it holds. The file is listed by the record Kind/ID, which
// the hub must already hold (records go first) inside the office's scope.
type FileOffer struct {
	T      Type        `json:"t"`
	SHA256 string      `json:"sha256"` // of the whole file, 64 lower-case hex digits
	Size   int64       `json:"size"`   // in bytes, at least 1
	Kind   ledger.Kind `json:"kind"`   // the record that lists it
	ID     string      `json:"id"`
}

// FileChunk carries bytes Offset … Offset+len(Data)-1 of the file offered last. Data is base64 in JSON.
type FileChunk struct {
	T      Type   `json:"t"`
	SHA256 string `json:"sha256"`
	Offset int64  `json:"offset"`
	Data   []byte `json:"data"`
}

// FileAck says the hub holds the first Held bytes of a file durably; with Done, it holds the whole file,
// checked (hash and content), and the office need never send it again.
type FileAck struct {
	T      Type   `json:"t"`
	SHA256 string `json:"sha256"`
	Held   int64  `json:"held"`
	Done   bool   `json:"done,omitempty"`
}

// FileRefused says the hub will not take a file now (Code.Retry tells whether later may do) and why.
// The session goes on.
type FileRefused struct {
	T       Type   `json:"t"`
	SHA256  string `json:"sha256"`
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

func (FileOffer) MessageType() Type   { return TFileOffer }
func (FileChunk) MessageType() Type   { return TFileChunk }
func (FileAck) MessageType() Type     { return TFileAck }
func (FileRefused) MessageType() Type { return TFileRefused }

// The refusals of a file (in FileRefused).
const (
	CodeFileTooLarge Code = "file_too_large" // over the hub's limit for one file
	CodeQuota        Code = "quota"          // the office's files of today would pass the hub's daily limit
	CodeNotEvidence  Code = "not_evidence"   // decoded, it is neither a JPEG or PNG image nor a PDF
	CodeHashMismatch Code = "hash_mismatch"  // the bytes received do not have the offered hash
	CodeNotListed    Code = "not_listed"     // no record the hub holds in the office's scope lists it
)

// Retry reports whether a refused file may be offered again later: the next day for CodeQuota, after
// the records have synced for CodeNotListed, at once (from the start) for CodeHashMismatch. A file too
// large or not evidence never will be taken.
func (c Code) Retry() bool {
	return c == CodeQuota || c == CodeNotListed || c == CodeHashMismatch
}

// CheckSHA256 says whether s is a SHA-256 as the protocol writes it: 64 lower-case hex digits.
func CheckSHA256(s string) error {
	if len(s) != 64 {
		return fmt.Errorf("sha256 %.70q: 64 hex digits", s)
	}
	if _, err := hex.DecodeString(s); err != nil {
		return fmt.Errorf("sha256 %.70q: 64 hex digits", s)
	}
	for _, c := range s {
		if c >= 'A' && c <= 'F' {
			return fmt.Errorf("sha256 %.70q: lower-case hex digits", s)
		}
	}
	return nil
}

// check enforces what a file_offer promises.
func (m FileOffer) check() error {
	if err := CheckSHA256(m.SHA256); err != nil {
		return err
	}
	if m.Size < 1 {
		return fmt.Errorf("size %d", m.Size)
	}
	if m.Kind == "" || m.ID == "" || len(m.ID) > 64 {
		return fmt.Errorf("record %q %.70q: a kind and an id of 1 to 64 bytes", m.Kind, m.ID)
	}
	return nil
}

// check enforces what a file_chunk promises.
func (m FileChunk) check() error {
	if err := CheckSHA256(m.SHA256); err != nil {
		return err
	}
	if m.Offset < 0 {
		return fmt.Errorf("offset %d", m.Offset)
	}
	if len(m.Data) < 1 || len(m.Data) > MaxChunk {
		return fmt.Errorf("%d bytes of data: 1 to %d", len(m.Data), MaxChunk)
	}
	return nil
}

// check enforces what a file_ack promises.
func (m FileAck) check() error {
	if err := CheckSHA256(m.SHA256); err != nil {
		return err
	}
	if m.Held < 0 {
		return fmt.Errorf("held %d", m.Held)
	}
	return nil
}
