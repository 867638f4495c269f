package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"techaid/ledger"
)

// pushFrame builds a push frame of n village records with the given range and sequence numbers.
func pushFrame(from, to uint64, seqs []uint64, n int) string {
	recs := make([]string, n)
	for i := range recs {
		recs[i] = fmt.Sprintf(`{"kind":"village","id":"3703231022%02d","fields":{}}`, i%100)
	}
	s, _ := json.Marshal(seqs)
	if seqs == nil {
		s = []byte("[]")
	}
	return fmt.Sprintf(`{"t":"push","from":%d,"to":%d,"seqs":%s,"records":[%s]}`, from, to, s, strings.Join(recs, ","))
}

func seqRange(from, to uint64) []uint64 {
	var s []uint64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

// changesFrame builds a changes frame of n village records.
func changesFrame(n int) string {
	recs := make([]string, n)
	for i := range recs {
		recs[i] = fmt.Sprintf(`{"kind":"village","id":"3703231022%02d","fields":{}}`, i%100)
	}
	return fmt.Sprintf(`{"t":"changes","cursor":5,"records":[%s]}`, strings.Join(recs, ","))
}

const field = `{"value":"鲁村一村","stamp":"019e1460fac00000","replica":"r1","author":"王芳","office":"370323102","prev":{"stamp":"0000000000000000","replica":""}}`

func TestDecodeErrors(t *testing.T) {
	oversized := `{"t":"ping","time":1,"pad":"` + strings.Repeat("x", MaxFrame) + `"}`
	tests := []struct {
		name  string
		frame string
	}{
		{"empty", ``},
		{"not JSON", `hello`},
		{"not an object", `[{"t":"ping","time":1}]`},
		{"JSON null", `null`},
		{"no type", `{"time":1}`},
		{"empty type", `{"t":"","time":1}`},
		{"type not a string", `{"t":1}`},
		{"unknown type", `{"t":"goodbye"}`},
		{"type in other case", `{"t":"Hello"}`},
		{"trailing message", `{"t":"ping","time":1}{"t":"ping","time":2}`},
		{"trailing garbage", `{"t":"ping","time":1} x`},
		{"trailing bracket", `{"t":"ping","time":1}]`},
		{"truncated", `{"t":"ping","time":1`},
		{"wrong member type", `{"t":"welcome","acked":"42"}`},
		{"negative sequence", `{"t":"hello","seq":-1}`},
		{"fractional cursor", `{"t":"pull","cursor":1.5}`},
		{"push seqs and records mismatch", pushFrame(1, 2, []uint64{1, 2}, 1)},
		{"push more records than seqs", pushFrame(1, 2, []uint64{1}, 2)},
		{"push seqs out of order", pushFrame(1, 2, []uint64{2, 1}, 2)},
		{"push seqs repeated", pushFrame(1, 2, []uint64{1, 1}, 2)},
		{"push seq below from", pushFrame(5, 6, []uint64{4, 6}, 2)},
		{"push seq above to", pushFrame(1, 2, []uint64{1, 3}, 2)},
		{"push from 0", pushFrame(0, 1, []uint64{1}, 1)},
		{"push from 0, empty", pushFrame(0, 0, nil, 0)},
		{"push to before from", pushFrame(5, 4, nil, 0)},
		{"push over MaxBatch records", pushFrame(1, MaxBatch+1, seqRange(1, MaxBatch+1), MaxBatch+1)},
		{"push record without id", `{"t":"push","from":1,"to":1,"seqs":[1],"records":[{"kind":"village","fields":{"name":` + field + `}}]}`},
		{"push record without kind", `{"t":"push","from":1,"to":1,"seqs":[1],"records":[{"id":"370323102201","fields":{"name":` + field + `}}]}`},
		{"push bad stamp", `{"t":"push","from":1,"to":1,"seqs":[1],"records":[{"kind":"village","id":"370323102201","fields":{"name":` +
			strings.Replace(field, "019e1460fac00000", "19e1460fac00000", 1) + `}}]}`},
		{"push stamp not hex", `{"t":"push","from":1,"to":1,"seqs":[1],"records":[{"kind":"village","id":"370323102201","fields":{"name":` +
			strings.Replace(field, "019e1460fac00000", "019e1460fac0000g", 1) + `}}]}`},
		{"push stamp a number", `{"t":"push","from":1,"to":1,"seqs":[1],"records":[{"kind":"village","id":"370323102201","fields":{"name":` +
			strings.Replace(field, `"019e1460fac00000"`, "113", 1) + `}}]}`},
		{"changes record without id", `{"t":"changes","cursor":5,"records":[{"kind":"village","id":"","fields":{}}]}`},
		{"changes record without kind", `{"t":"changes","cursor":5,"records":[{"id":"370323102201","fields":{}}]}`},
		{"changes over MaxBatch records", changesFrame(MaxBatch + 1)},
		{"oversized frame", oversized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode([]byte(tt.frame))
			if err == nil {
				t.Fatalf("Decode succeeded: %#v", m)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if m != nil {
				t.Errorf("Decode returned a message with its error: %#v", m)
			}
			if len(err.Error()) > 500 {
				t.Errorf("error message is %d bytes long; it should not quote the frame", len(err.Error()))
			}
		})
	}
}

func TestDecodeAccepts(t *testing.T) {
	tests := []struct {
		name  string
		frame string
		want  Message
	}{
		{"unknown members are ignored", `{"t":"ping","time":7,"zone":"CST","extra":{"a":[1,2]}}`, Ping{T: TPing, Time: 7}},
		{"type need not come first", `{"time":7,"t":"ping"}`, Ping{T: TPing, Time: 7}},
		{"whitespace around", " \n{\"t\":\"pull\",\"cursor\":12}\r\n\t", Pull{T: TPull, Cursor: 12}},
		{"missing members are zero", `{"t":"welcome"}`, Welcome{T: TWelcome}},
		{"ack without refused", `{"t":"ack","acked":9}`, Ack{T: TAck, Acked: 9}},
		{"changes not caught up", `{"t":"changes","cursor":3,"records":[]}`, Changes{T: TChanges, Cursor: 3, Records: []ledger.Record{}}},
		{"empty push", `{"t":"push","from":4,"to":4,"seqs":[],"records":[]}`, Push{T: TPush, From: 4, To: 4, Seqs: []uint64{}, Records: []ledger.Record{}}},
		{"push with a gap in seqs", pushFrame(4, 9, []uint64{4, 7, 9}, 3), nil},
		{"push of MaxBatch records", pushFrame(1, MaxBatch, seqRange(1, MaxBatch), MaxBatch), nil},
		{"changes of MaxBatch records", changesFrame(MaxBatch), nil},
		{"uppercase stamp", `{"t":"changes","cursor":5,"records":[{"kind":"village","id":"370323102201","fields":{"name":` +
			strings.Replace(field, "019e1460fac00000", "019E1460FAC00000", 1) + `}}]}`, nil},
		{"unknown record kind is the receiver's to refuse", `{"t":"changes","cursor":5,"records":[{"kind":"farm","id":"x","fields":{}}]}`, nil},
		{"frame of exactly MaxFrame bytes", `{"t":"ping","time":1,"pad":"` + strings.Repeat("x", MaxFrame-len(`{"t":"ping","time":1,"pad":""}`)) + `"}`, Ping{T: TPing, Time: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode([]byte(tt.frame))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if tt.want != nil && !reflect.DeepEqual(m, tt.want) {
				t.Errorf("Decode = %#v, want %#v", m, tt.want)
			}
		})
	}
}

func TestDecodeRecord(t *testing.T) {
	frame := `{"t":"changes","cursor":5,"caught_up":true,"records":[{"kind":"village","id":"370323102201","fields":{"name":` + field + `}}]}`
	m, err := Decode([]byte(frame))
	if err != nil {
		t.Fatal(err)
	}
	c := m.(Changes)
	f := c.Records[0].Fields["name"]
	want := ledger.Field{Value: "鲁村一村", Version: ledger.Version{
		VersionID: ledger.VersionID{Stamp: ledger.MakeStamp(1778458360512, 0), Replica: "r1"}, Author: "王芳", Office: "370323102"}}
	if !c.CaughtUp || c.Cursor != 5 || !reflect.DeepEqual(f, want) {
		t.Errorf("decoded %+v, field %+v; want field %+v", c, f, want)
	}
}

var allCodes = []Code{CodeBadRequest, CodeUnauthorized, CodeRevoked, CodeUpgrade, CodeTooLarge, CodeGap,
	CodeOutOfScope, CodeInvalid, CodeBusy, CodeShuttingDown, CodeInternal}

func TestCodePermanent(t *testing.T) {
	permanent := map[Code]bool{CodeUnauthorized: true, CodeRevoked: true, CodeUpgrade: true}
	for _, c := range allCodes {
		if got := c.Permanent(); got != permanent[c] {
			t.Errorf("%s.Permanent() = %v, want %v", c, got, permanent[c])
		}
	}
	if Code("something_new").Permanent() {
		t.Error("an unknown code is permanent: a newer hub's code must lead to a retry, not a dead end")
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func TestErr(t *testing.T) {
	seen := map[string]Code{}
	for _, c := range allCodes {
		e := Err(c, "")
		if e.T != TError || e.Code != c {
			t.Errorf("Err(%s) = %+v", c, e)
		}
		if !hasHan(e.Message) {
			t.Errorf("Err(%s).Message = %q has no Chinese", c, e.Message)
		}
		if e.Message != c.Chinese() {
			t.Errorf("Err(%s, \"\").Message = %q, want %q", c, e.Message, c.Chinese())
		}
		if other, dup := seen[e.Message]; dup {
			t.Errorf("%s and %s tell the clerk the same thing: %q", c, other, e.Message)
		}
		seen[e.Message] = c

		d := Err(c, "seq 44")
		if !hasHan(d.Message) || !strings.HasPrefix(d.Message, c.Chinese()) || !strings.Contains(d.Message, "seq 44") {
			t.Errorf("Err(%s, detail).Message = %q: want the Chinese sentence, then the detail", c, d.Message)
		}
		var err error = d
		if !strings.Contains(err.Error(), string(c)) || !strings.Contains(err.Error(), "seq 44") {
			t.Errorf("Error() = %q: want the code and the message", err.Error())
		}
		// An Error travels as a message and comes back as the same error.
		frame, encErr := Encode(d)
		if encErr != nil {
			t.Fatal(encErr)
		}
		m, decErr := Decode(frame)
		if decErr != nil {
			t.Fatal(decErr)
		}
		var got Error
		if !errors.As(m.(error), &got) || got != d {
			t.Errorf("Error round trip: got %#v, want %#v", m, d)
		}
	}
	if !hasHan(Code("something_new").Chinese()) {
		t.Error("an unknown code has no Chinese sentence")
	}
}

// TestEncodeSetsType: Encode writes the right "t" whatever the message's T holds, and Decode gives it back.
func TestEncodeSetsType(t *testing.T) {
	msgs := []Message{
		Hello{Proto: Version, Schema: Schema, Replica: "r1"},
		Welcome{T: "wrong", Proto: Version},
		Push{From: 1, To: 1, Seqs: []uint64{1}, Records: []ledger.Record{{Kind: ledger.KindVillage, ID: "370323102201"}}},
		Ack{Acked: 1},
		Pull{T: TPush},
		Changes{Cursor: 1},
		Error{Code: CodeBusy},
		Ping{Time: 1},
		Pong{T: TPing, Echo: 1, Time: 2},
	}
	seen := map[Type]bool{}
	for _, m := range msgs {
		frame, err := Encode(m)
		if err != nil {
			t.Fatalf("Encode(%T): %v", m, err)
		}
		var head map[string]any
		if err := json.Unmarshal(frame, &head); err != nil {
			t.Fatalf("Encode(%T) wrote %s: %v", m, frame, err)
		}
		if head["t"] != string(m.MessageType()) {
			t.Errorf("Encode(%T) wrote t = %v, want %q", m, head["t"], m.MessageType())
		}
		back, err := Decode(frame)
		if err != nil {
			t.Fatalf("Decode(Encode(%T)): %v", m, err)
		}
		if back.MessageType() != m.MessageType() {
			t.Errorf("Decode(Encode(%T)) is a %s", m, back.MessageType())
		}
		seen[m.MessageType()] = true
	}
	for _, typ := range allTypes {
		if !seen[typ] {
			t.Errorf("no Encode test for %s", typ)
		}
	}
}

type strange struct{}

func (strange) MessageType() Type { return "strange" }

func TestEncodeUnknown(t *testing.T) {
	if frame, err := Encode(strange{}); err == nil {
		t.Errorf("Encode of an unknown message wrote %s", frame)
	}
}

// TestLimits pins the numbers PROTOCOL.md states.
func TestLimits(t *testing.T) {
	if MaxFrame != 8*1024*1024 || MaxHello != 64*1024 || MaxBatch != 1000 || BatchBytes != 1024*1024 {
		t.Errorf("limits changed (MaxFrame %d, MaxHello %d, MaxBatch %d, BatchBytes %d): update PROTOCOL.md", MaxFrame, MaxHello, MaxBatch, BatchBytes)
	}
	if Path != "/sync" || Version != 1 || MinVersion != 1 || Schema != 1 {
		t.Errorf("path or versions changed: update PROTOCOL.md")
	}
}
