package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
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

// version and field are one version table entry and one field naming it, in the wire form of records.
const (
	version = `{"stamp":"019e1460fac00000","replica":"r1","author":"王芳","office":"370323102"}`
	field   = `{"v":"鲁村一村","i":0}`
)

// villageRecord is a village record on the wire with the given version table and fields.
func villageRecord(versions, fields string) string {
	return `{"kind":"village","id":"370323102201","versions":` + versions + `,"fields":` + fields + `}`
}

// onePush and oneChanges are frames of one record.
func onePush(rec string) string {
	return `{"t":"push","from":1,"to":1,"seqs":[1],"records":[` + rec + `]}`
}

func oneChanges(rec string) string { return `{"t":"changes","cursor":5,"records":[` + rec + `]}` }

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
		{"push record without id", `{"t":"push","from":1,"to":1,"seqs":[1],"records":[{"kind":"village","versions":[` + version + `],"fields":{"name":` + field + `}}]}`},
		{"push record without kind", `{"t":"push","from":1,"to":1,"seqs":[1],"records":[{"id":"370323102201","versions":[` + version + `],"fields":{"name":` + field + `}}]}`},
		{"push bad stamp", onePush(villageRecord(`[`+strings.Replace(version, "019e1460fac00000", "19e1460fac00000", 1)+`]`, `{"name":`+field+`}`))},
		{"push stamp not hex", onePush(villageRecord(`[`+strings.Replace(version, "019e1460fac00000", "019e1460fac0000g", 1)+`]`, `{"name":`+field+`}`))},
		{"push stamp a number", onePush(villageRecord(`[`+strings.Replace(version, `"019e1460fac00000"`, "113", 1)+`]`, `{"name":`+field+`}`))},
		{"push bad stamp in an unused version", onePush(villageRecord(`[`+version+`,`+strings.Replace(version, "019e1460fac00000", "2026", 1)+`]`, `{"name":`+field+`}`))},
		{"push bad prev stamp", onePush(villageRecord(`[`+version+`]`, `{"name":{"v":"x","i":0,"prev":{"stamp":"0","replica":"r0"}}}`))},
		{"push version index negative", onePush(villageRecord(`[`+version+`]`, `{"name":{"v":"x","i":-1}}`))},
		{"push version index = len(versions)", onePush(villageRecord(`[`+version+`]`, `{"name":{"v":"x","i":1}}`))},
		{"push version index = len(versions), two versions", onePush(villageRecord(`[`+version+`,`+strings.Replace(version, "r1", "r2", 1)+`]`,
			`{"name":{"v":"x","i":0},"notes":{"v":"y","i":1},"households":{"v":"3","i":2}}`))},
		{"push version index far out", onePush(villageRecord(`[`+version+`]`, `{"name":{"v":"x","i":4294967296}}`))},
		{"push version index overflows", onePush(villageRecord(`[`+version+`]`, `{"name":{"v":"x","i":99999999999999999999}}`))},
		{"push version index fractional", onePush(villageRecord(`[`+version+`]`, `{"name":{"v":"x","i":0.5}}`))},
		{"push version index a string", onePush(villageRecord(`[`+version+`]`, `{"name":{"v":"x","i":"0"}}`))},
		{"push versions missing, field names 0", onePush(`{"kind":"village","id":"370323102201","fields":{"name":{"v":"x","i":0}}}`)},
		{"push versions missing, field without i", onePush(`{"kind":"village","id":"370323102201","fields":{"name":{"v":"x"}}}`)},
		{"push versions null, field names 0", onePush(villageRecord(`null`, `{"name":{"v":"x","i":0}}`))},
		{"push versions empty, field names 0", onePush(villageRecord(`[]`, `{"name":{"v":"x","i":0}}`))},
		{"push versions not a list", onePush(villageRecord(version, `{"name":`+field+`}`))},
		{"push a version table is per record", `{"t":"push","from":1,"to":2,"seqs":[1,2],"records":[` +
			villageRecord(`[`+version+`,`+strings.Replace(version, "r1", "r2", 1)+`]`, `{"name":{"v":"x","i":1}}`) + `,` +
			`{"kind":"village","id":"370323102202","fields":{"name":{"v":"y","i":1}}}]}`},
		// A record in the form before version tables (a version in every field) names version 0 of none.
		{"record in the old form", onePush(`{"kind":"village","id":"370323102201","fields":{"name":{"value":"x","stamp":"019e1460fac00000",` +
			`"replica":"r1","author":"王芳","office":"370323102","prev":{"stamp":"0000000000000000","replica":""}}}}`)},
		{"changes version index negative", oneChanges(villageRecord(`[`+version+`]`, `{"name":{"v":"x","i":-1}}`))},
		{"changes version index = len(versions)", oneChanges(villageRecord(`[`+version+`]`, `{"name":{"v":"x","i":1}}`))},
		{"changes versions missing, field names 0", oneChanges(`{"kind":"village","id":"370323102201","fields":{"name":{"v":"x","i":0}}}`)},
		{"changes bad stamp", oneChanges(villageRecord(`[`+strings.Replace(version, "019e1460fac00000", "019e1460fac0000", 1)+`]`, `{"name":`+field+`}`))},
		{"changes record without id", `{"t":"changes","cursor":5,"records":[{"kind":"village","id":"","fields":{}}]}`},
		{"changes record without kind", `{"t":"changes","cursor":5,"records":[{"id":"370323102201","fields":{}}]}`},
		{"changes over MaxBatch records", changesFrame(MaxBatch + 1)},
		{"oversized frame", oversized},
	}
	// Some frames must fail for one reason in particular, not for another one that happens to be there.
	because := map[string]string{
		"push bad stamp":                                   "stamp",
		"push stamp not hex":                               "stamp",
		"push bad stamp in an unused version":              "stamp",
		"push bad prev stamp":                              "stamp",
		"push version index negative":                      "version -1 of 1",
		"push version index = len(versions)":               "version 1 of 1",
		"push version index = len(versions), two versions": `field "households": version 2 of 2`,
		"push version index far out":                       "version 4294967296 of 1",
		"push versions missing, field names 0":             "version 0 of 0",
		"push versions missing, field without i":           "version 0 of 0",
		"push versions null, field names 0":                "version 0 of 0",
		"push versions empty, field names 0":               "version 0 of 0",
		"push a version table is per record":               "record 2 field \"name\": version 1 of 0",
		"record in the old form":                           "version 0 of 0",
		"changes version index negative":                   "version -1 of 1",
		"changes version index = len(versions)":            "version 1 of 1",
		"changes versions missing, field names 0":          "version 0 of 0",
		"changes bad stamp":                                "stamp",
	}
	for name := range because {
		if !slices.ContainsFunc(tests, func(tt struct{ name, frame string }) bool { return tt.name == name }) {
			t.Errorf("no test %q", name)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode([]byte(tt.frame))
			if err == nil {
				t.Fatalf("Decode succeeded: %#v", m)
			}
			if why, ok := because[tt.name]; ok && !strings.Contains(err.Error(), why) {
				t.Errorf("error %q does not say %q", err, why)
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
		{"uppercase stamp", oneChanges(villageRecord(`[`+strings.Replace(version, "019e1460fac00000", "019E1460FAC00000", 1)+`]`, `{"name":`+field+`}`)), nil},
		{"record without versions or fields", oneChanges(`{"kind":"village","id":"370323102201"}`),
			Changes{T: TChanges, Cursor: 5, Records: []ledger.Record{{Kind: ledger.KindVillage, ID: "370323102201", Fields: map[string]ledger.Field{}}}}},
		{"versions that no field names are ignored", oneChanges(villageRecord(`[`+version+`,`+strings.Replace(version, "r1", "r2", 1)+`]`, `{"name":{"v":"x","i":1}}`)),
			Changes{T: TChanges, Cursor: 5, Records: []ledger.Record{{Kind: ledger.KindVillage, ID: "370323102201", Fields: map[string]ledger.Field{
				"name": {Value: "x", Version: testVersion("r2")}}}}}},
		{"a repeated version is accepted", oneChanges(villageRecord(`[`+version+`,`+version+`]`, `{"name":{"v":"x","i":0},"notes":{"v":"y","i":1}}`)),
			Changes{T: TChanges, Cursor: 5, Records: []ledger.Record{{Kind: ledger.KindVillage, ID: "370323102201", Fields: map[string]ledger.Field{
				"name": {Value: "x", Version: testVersion("r1")}, "notes": {Value: "y", Version: testVersion("r1")}}}}}},
		{"missing i is 0", oneChanges(villageRecord(`[`+version+`]`, `{"name":{"v":"x"}}`)),
			Changes{T: TChanges, Cursor: 5, Records: []ledger.Record{{Kind: ledger.KindVillage, ID: "370323102201", Fields: map[string]ledger.Field{
				"name": {Value: "x", Version: testVersion("r1")}}}}}},
		{"zero prev written out, or null, is zero", oneChanges(villageRecord(`[`+version+`]`,
			`{"name":{"v":"x","i":0,"prev":{"stamp":"0000000000000000","replica":""}},"notes":{"v":"y","i":0,"prev":null}}`)),
			Changes{T: TChanges, Cursor: 5, Records: []ledger.Record{{Kind: ledger.KindVillage, ID: "370323102201", Fields: map[string]ledger.Field{
				"name": {Value: "x", Version: testVersion("r1")}, "notes": {Value: "y", Version: testVersion("r1")}}}}}},
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

// testVersion is the version of the constant version above, with the given replica.
func testVersion(replica string) ledger.Version {
	return ledger.Version{VersionID: ledger.VersionID{Stamp: ledger.MakeStamp(1778458360512, 0), Replica: replica}, Author: "王芳", Office: "370323102"}
}

func TestDecodeRecord(t *testing.T) {
	v2 := `{"stamp":"019e1460fac00001","replica":"r2","author":"孙丽","office":"370323"}`
	frame := `{"t":"changes","cursor":5,"caught_up":true,"records":[` + villageRecord(`[`+version+`,`+v2+`]`,
		`{"name":`+field+`,"notes":{"v":"改","i":1,"prev":{"stamp":"019e1460fac00000","replica":"r1"}}}`) + `]}`
	m, err := Decode([]byte(frame))
	if err != nil {
		t.Fatal(err)
	}
	c := m.(Changes)
	want := ledger.Record{Kind: ledger.KindVillage, ID: "370323102201", Fields: map[string]ledger.Field{
		"name": {Value: "鲁村一村", Version: testVersion("r1")},
		"notes": {Value: "改", Version: ledger.Version{
			VersionID: ledger.VersionID{Stamp: ledger.MakeStamp(1778458360512, 1), Replica: "r2"}, Author: "孙丽", Office: "370323"},
			Prev: testVersion("r1").VersionID},
	}}
	if !c.CaughtUp || c.Cursor != 5 || len(c.Records) != 1 || !reflect.DeepEqual(c.Records[0], want) {
		t.Errorf("decoded %+v; want record %+v", c, want)
	}
}

// twoVersionRecord is a training created by one save and later edited in one field by another replica:
// its fields carry two versions, and the edited one a prev (like the example in section 3.1 of
// PROTOCOL.md).
func twoVersionRecord() ledger.Record {
	created := ledger.Version{VersionID: ledger.VersionID{Stamp: 0x019e19bf88720000, Replica: "0196cc4e-3680-7d41-b0e3-6a9c2f1d8e57"},
		Author: "王芳", Office: "370323102"}
	edited := ledger.Version{VersionID: ledger.VersionID{Stamp: 0x019e1a2d5b400000, Replica: "0196a7d0-3c11-7f08-9b2e-47c5a8d3e910"},
		Author: "孙丽", Office: "370323"}
	return ledger.Record{Kind: ledger.KindTraining, ID: "019e19bf-8872-7a3c-8d15-2b7e4f90c6a1", Fields: map[string]ledger.Field{
		"date":     {Value: "2026-05-11", Version: created},
		"kind":     {Value: "技术培训", Version: created},
		"topic":    {Value: "苹果疏花疏果技术要点", Version: edited, Prev: created.VersionID},
		"villages": {Value: `["370323102201"]`, Version: created},
		"notes":    {Value: "", Version: edited}, // a field cleared, never written before on the editing replica
	}}
}

// TestRecordRoundTrip: a record whose fields were written by different versions, some with a prev, comes
// back from Encode and Decode exactly; its versions travel once each, and a zero prev not at all.
func TestRecordRoundTrip(t *testing.T) {
	rec := twoVersionRecord()
	village := ledger.Record{Kind: ledger.KindVillage, ID: "370323102201", Fields: map[string]ledger.Field{
		"households": {Value: "320", Version: testVersion("r1"), Prev: ledger.VersionID{Stamp: 1, Replica: "r0"}}}}
	for _, m := range []Message{
		Push{T: TPush, From: 7, To: 9, Seqs: []uint64{7, 9}, Records: []ledger.Record{rec, village}},
		Changes{T: TChanges, Cursor: 12, CaughtUp: true, Records: []ledger.Record{village, rec}},
	} {
		t.Run(string(m.MessageType()), func(t *testing.T) {
			frame, err := Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Decode(frame)
			if err != nil {
				t.Fatalf("Decode: %v\n%s", err, frame)
			}
			if !reflect.DeepEqual(back, m) {
				t.Errorf("round trip changed the message\nsent: %#v\ngot:  %#v\nframe: %s", m, back, frame)
			}

			// The bytes: each record lists its distinct versions once, each field's "i" names its own
			// version, and a prev is there exactly when it is not zero.
			var wire struct {
				Records []struct {
					ID       string                     `json:"id"`
					Versions []ledger.Version           `json:"versions"`
					Fields   map[string]json.RawMessage `json:"fields"`
				} `json:"records"`
			}
			if err := json.Unmarshal(frame, &wire); err != nil {
				t.Fatal(err)
			}
			recs := map[string]ledger.Record{rec.ID: rec, village.ID: village}
			for _, w := range wire.Records {
				r := recs[w.ID]
				distinct := map[ledger.Version]bool{}
				for _, f := range r.Fields {
					distinct[f.Version] = true
				}
				if len(w.Versions) != len(distinct) {
					t.Errorf("record %s: %d versions on the wire, want the %d distinct ones: %v", w.ID, len(w.Versions), len(distinct), w.Versions)
				}
				for name, raw := range w.Fields {
					var members map[string]json.RawMessage
					if err := json.Unmarshal(raw, &members); err != nil {
						t.Fatal(err)
					}
					var i int
					if err := json.Unmarshal(members["i"], &i); err != nil || i < 0 || i >= len(w.Versions) {
						t.Errorf("record %s field %s: i = %s", w.ID, name, members["i"])
						continue
					}
					if w.Versions[i] != r.Fields[name].Version {
						t.Errorf("record %s field %s: i = %d names %+v, want %+v", w.ID, name, i, w.Versions[i], r.Fields[name].Version)
					}
					_, hasPrev := members["prev"]
					if hasPrev == r.Fields[name].Prev.IsZero() {
						t.Errorf("record %s field %s: prev written = %v, but prev is %+v: %s", w.ID, name, hasPrev, r.Fields[name].Prev, raw)
					}
					for k := range members {
						if k != "v" && k != "i" && k != "prev" {
							t.Errorf("record %s field %s: unexpected member %q: %s", w.ID, name, k, raw)
						}
					}
				}
			}
			if strings.Contains(string(frame), "0000000000000000") {
				t.Errorf("a zero stamp was written: %s", frame)
			}
		})
	}
}

// TestEncodeDeterministic: the same message always encodes to the same bytes, also when a record's
// fields carry several versions (golden files and the fuzz target's stability check depend on it).
func TestEncodeDeterministic(t *testing.T) {
	// protocol.go's toWire ranges over the Fields map, so the order of a record's versions table (and
	// every "i") changes from one Encode to the next when a record has more than one version.
	m := Changes{Cursor: 1, Records: []ledger.Record{twoVersionRecord()}}
	first, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		again, err := Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, first) {
			t.Fatalf("Encode wrote different bytes for the same message\nfirst: %s\nlater: %s", first, again)
		}
	}
}

var allCodes = []Code{CodeBadRequest, CodeUnauthorized, CodeRevoked, CodeUpgrade, CodeTooLarge, CodeGap,
	CodeOutOfScope, CodeInvalid, CodeBusy, CodeShuttingDown, CodeInternal, CodeReplicaTaken}

func TestCodePermanent(t *testing.T) {
	permanent := map[Code]bool{CodeUnauthorized: true, CodeRevoked: true, CodeUpgrade: true, CodeReplicaTaken: true}
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
		FileOffer{SHA256: strings.Repeat("ab", 32), Size: 1, Kind: ledger.KindTraining, ID: "t1"},
		FileChunk{T: TFileAck, SHA256: strings.Repeat("ab", 32), Data: []byte{0xff}},
		FileAck{SHA256: strings.Repeat("ab", 32), Held: 1, Done: true},
		FileRefused{SHA256: strings.Repeat("ab", 32), Code: CodeQuota},
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
	if Path != "/sync" || Version != 1 || MinVersion != 1 || Schema != 2 {
		t.Errorf("path or versions changed: update PROTOCOL.md")
	}
}

// TestCausalContext: a field's context beyond prev travels as "ctx" and comes back exactly; a field
// without one is written as before "ctx" existed (an older receiver, ignoring it, decides by prev);
// a frame from an older office, without "ctx", reads as a context of prev alone; a "ctx" with a
// malformed stamp or too many entries makes the frame malformed.
func TestCausalContext(t *testing.T) {
	rec := twoVersionRecord()
	topic := rec.Fields["topic"]
	topic.Context = []ledger.VersionID{{Stamp: 0x019e19c000000000, Replica: "0196b111-0000-7000-8000-000000000001"}}
	rec.Fields["topic"] = topic
	m := Changes{T: TChanges, Cursor: 3, Records: []ledger.Record{rec}}
	frame, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(frame, []byte(`"ctx":`)); n != 1 {
		t.Errorf("%d ctx members in the frame, want the topic's alone: %s", n, frame)
	}
	back, err := Decode(frame)
	if err != nil || !reflect.DeepEqual(back, m) {
		t.Fatalf("round trip: %v\nsent %#v\ngot  %#v", err, m, back)
	}
	if size := ApproxSize(rec); size < len(frame)-40 {
		t.Errorf("ApproxSize %d for a record of %d bytes of JSON", size, len(frame))
	}

	old := `{"t":"changes","cursor":5,"records":[` + villageRecord(`[`+version+`]`,
		`{"notes":{"v":"改","i":0,"prev":{"stamp":"019e1460fac00000","replica":"r0"}}}`) + `]}`
	if m, err := Decode([]byte(old)); err != nil || m.(Changes).Records[0].Fields["notes"].Context != nil {
		t.Errorf("a field without ctx: %+v, %v", m, err)
	}
	for name, ctx := range map[string]string{
		"a bad stamp":      `[{"stamp":"19e1460fac00000","replica":"r0"}]`,
		"too many entries": `[` + strings.Repeat(`{"stamp":"019e1460fac00000","replica":"r0"},`, MaxContext) + `{"stamp":"019e1460fac00000","replica":"r0"}]`,
	} {
		frame := `{"t":"changes","cursor":5,"records":[` + villageRecord(`[`+version+`]`,
			`{"notes":{"v":"改","i":0,"ctx":`+ctx+`}}`) + `]}`
		if _, err := Decode([]byte(frame)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}
