package protocol

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// brokenSeeds are frames Decode must refuse, as starting points for the fuzzer (they are also written to
// testdata/fuzz/FuzzDecode by go test -update).
var brokenSeeds = map[string]string{
	"empty":          ``,
	"not-json":       `hello`,
	"array":          `[{"t":"ping","time":1}]`,
	"no-type":        `{"time":1}`,
	"type-number":    `{"t":7}`,
	"unknown-type":   `{"t":"goodbye"}`,
	"trailing":       `{"t":"ping","time":1}{"t":"ping","time":2}`,
	"truncated":      `{"t":"push","from":1,"to":1,"seqs":[1],"records":[{"kind":"village","id":"370323102201","fie`,
	"seqs-mismatch":  `{"t":"push","from":1,"to":2,"seqs":[1,2],"records":[{"kind":"village","id":"370323102201","fields":{}}]}`,
	"seqs-order":     `{"t":"push","from":1,"to":2,"seqs":[2,1],"records":[{"kind":"village","id":"370323102201","fields":{}},{"kind":"village","id":"370323102202","fields":{}}]}`,
	"from-zero":      `{"t":"push","from":0,"to":0,"seqs":[],"records":[]}`,
	"bad-stamp":      `{"t":"changes","cursor":9,"records":[{"kind":"village","id":"370323102201","versions":[{"stamp":"2026","replica":"r","author":"a","office":"3703"}],"fields":{"name":{"v":"x","i":0}}}]}`,
	"bad-prev-stamp": `{"t":"changes","cursor":9,"records":[{"kind":"village","id":"370323102201","versions":[{"stamp":"019e1460fac00000","replica":"r","author":"a","office":"3703"}],"fields":{"name":{"v":"x","i":0,"prev":{"stamp":"x","replica":"q"}}}}]}`,
	"index-negative": `{"t":"changes","cursor":9,"records":[{"kind":"village","id":"370323102201","versions":[{"stamp":"019e1460fac00000","replica":"r","author":"a","office":"3703"}],"fields":{"name":{"v":"x","i":-1}}}]}`,
	"index-past-end": `{"t":"push","from":1,"to":1,"seqs":[1],"records":[{"kind":"village","id":"370323102201","versions":[{"stamp":"019e1460fac00000","replica":"r","author":"a","office":"3703"}],"fields":{"name":{"v":"x","i":0},"notes":{"v":"y","i":1}}}]}`,
	"no-versions":    `{"t":"push","from":1,"to":1,"seqs":[1],"records":[{"kind":"village","id":"370323102201","fields":{"name":{"v":"x","i":0}}}]}`,
	"old-record":     `{"t":"changes","cursor":9,"records":[{"kind":"village","id":"370323102201","fields":{"name":{"value":"x","stamp":"019e1460fac00000","replica":"r","author":"a","office":"3703","prev":{"stamp":"0000000000000000","replica":""}}}}]}`,
	"no-id":          `{"t":"changes","cursor":9,"records":[{"kind":"village","fields":{}}]}`,
	"negative-seq":   `{"t":"hello","seq":-1}`,
	"string-for-int": `{"t":"welcome","acked":"42"}`,
}

// TestBrokenSeeds: every broken seed is refused, so that none of them starts the fuzzer from a frame that
// was meant to be malformed but is not (any more).
func TestBrokenSeeds(t *testing.T) {
	for name, seed := range brokenSeeds {
		if m, err := Decode([]byte(seed)); err == nil {
			t.Errorf("broken seed %s decodes: %#v", name, m)
		}
	}
}

// FuzzDecode: no frame makes Decode panic; every error is ErrMalformed; a frame that decodes encodes
// again, and that decodes to the same type and encodes to the same bytes.
func FuzzDecode(f *testing.F) {
	for _, path := range goldenFiles(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, seed := range brokenSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		m, err := Decode(frame)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode error %v does not wrap ErrMalformed", err)
			}
			if m != nil {
				t.Fatalf("Decode returned %#v with error %v", m, err)
			}
			return
		}
		enc, err := Encode(m)
		if err != nil {
			t.Fatalf("Encode of a decoded %s: %v", m.MessageType(), err)
		}
		if len(enc) > MaxFrame {
			// Re-encoding may grow a frame near the limit (invalid UTF-8 becomes U+FFFD, <>& are
			// escaped); such a frame cannot be expected to decode again.
			return
		}
		again, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Encode(m)) of a %s: %v\nframe:   %q\nencoded: %s", m.MessageType(), err, frame, enc)
		}
		if again.MessageType() != m.MessageType() {
			t.Fatalf("round trip turned a %s into a %s", m.MessageType(), again.MessageType())
		}
		enc2, err := Encode(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding is not stable\nfirst:  %s\nsecond: %s", enc, enc2)
		}
	})
}
