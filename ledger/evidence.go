package ledger

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// FieldEvidence is the field of a training, a need, a project and a park pairing that lists the files
// kept as its evidence (佐证材料: a sign-in sheet, photos of the visit, acceptance papers). It is a list
// field like any other: it merges, syncs and is audited as one value. The files themselves are stored
// by content hash beside the records (storage) and travel on their own (sync).
const FieldEvidence = "evidence"

// MaxEvidence bounds the files one record lists.
const MaxEvidence = 50

// Evidence is one file a record lists. Its text form, one item of the evidence field, is
//
//	<sha256 hex>|<type>|<bytes>|<taken>|<place>|<name>
//
// with the name last so that it may hold any character. Taken and Place come from the photo's EXIF
// (the moment it was taken, in the ledger's time zone, "2006-01-02 15:04"; the place as "lat,lon" in
// degrees) and are empty when the file had none: the city reads when and where a photo was taken
// without fetching it.
type Evidence struct {
	Hash  string // SHA-256 of the stored bytes, lower-case hex: the file's identity everywhere
	Type  string // "jpeg", "png" or "pdf"
	Size  int64  // stored bytes
	Taken string // EXIF date and time, or ""
	Place string // EXIF GPS "36.812345,118.054321", or ""
	Name  string // the file's name as the clerk attached it (a shrunk photo's ends in .jpg or .png)
}

// EvidenceTypes are the kinds of file evidence may be.
var EvidenceTypes = []string{"jpeg", "png", "pdf"}

// String is the evidence field's text of e.
func (e Evidence) String() string {
	return strings.Join([]string{e.Hash, e.Type, strconv.FormatInt(e.Size, 10), e.Taken, e.Place, e.Name}, "|")
}

// ParseEvidence reads one item of an evidence field.
func ParseEvidence(s string) (Evidence, error) {
	parts := strings.SplitN(s, "|", 6)
	if len(parts) != 6 {
		return Evidence{}, fmt.Errorf("evidence %q: want hash|type|size|taken|place|name", s)
	}
	e := Evidence{Hash: parts[0], Type: parts[1], Taken: parts[3], Place: parts[4], Name: parts[5]}
	if !ValidHash(e.Hash) {
		return Evidence{}, fmt.Errorf("evidence %q: the hash is not 64 lower-case hex digits", s)
	}
	size, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || size <= 0 {
		return Evidence{}, fmt.Errorf("evidence %q: bad size", s)
	}
	e.Size = size
	switch e.Type {
	case "jpeg", "png", "pdf":
	default:
		return Evidence{}, fmt.Errorf("evidence %q: unknown type %q", s, e.Type)
	}
	if strings.TrimSpace(e.Name) == "" {
		return Evidence{}, fmt.Errorf("evidence %q: no name", s)
	}
	return e, nil
}

// ValidHash reports whether h is a SHA-256 in lower-case hex.
func ValidHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for _, c := range []byte(h) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// EvidenceOf lists the evidence items of a record's typed view, skipping any that do not parse (a
// replica stores what it is sent; validation refuses them in local edits). nil for kinds without the
// field.
func EvidenceOf(e Entity) []Evidence {
	var items []string
	switch r := e.(type) {
	case Training:
		items = r.Evidence
	case Need:
		items = r.Evidence
	case Project:
		items = r.Evidence
	case ParkPairing:
		items = r.Evidence
	default:
		return nil
	}
	return ParseEvidenceList(items)
}

// ParseEvidenceList parses the items of an evidence field, skipping those that do not parse.
func ParseEvidenceList(items []string) []Evidence {
	out := make([]Evidence, 0, len(items))
	for _, it := range items {
		if ev, err := ParseEvidence(it); err == nil {
			out = append(out, ev)
		}
	}
	return out
}

// HasEvidence reports whether records of the kind carry an evidence field.
func (k Kind) HasEvidence() bool {
	switch k {
	case KindTraining, KindNeed, KindProject, KindParkPairing:
		return true
	}
	return false
}

// evidence checks a record's evidence list, of a live record and of a tombstone alike (a tombstone
// keeps its evidence so that an undelete brings it back): each item well-formed, each file listed
// once, no more than MaxEvidence.
func (c *checks) evidence(e Entity) {
	v := reflect.ValueOf(e)
	f := v.FieldByName("Evidence")
	if !f.IsValid() {
		return
	}
	items, _ := f.Interface().([]string)
	if len(items) > MaxEvidence {
		c.fail(FieldEvidence, fmt.Sprintf("最多 %d 个文件", MaxEvidence), fmt.Sprintf("at most %d files", MaxEvidence))
	}
	seen := map[string]bool{}
	for _, it := range items {
		ev, err := ParseEvidence(it)
		if err != nil {
			c.fail(FieldEvidence, "文件记录格式不对："+it, err.Error())
			return
		}
		if seen[ev.Hash] {
			c.fail(FieldEvidence, "同一个文件「"+ev.Name+"」列了两次", "the file "+ev.Name+" is listed twice")
			return
		}
		seen[ev.Hash] = true
	}
}
