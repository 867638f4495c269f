package ledger_test

import (
	"bytes"
	"errors"
	"io"
	"log"
	"maps"
	"reflect"
	"slices"
	"testing"
	"unicode/utf8"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/protocol"
)

// FuzzValidate decodes arbitrary field values (name=value pairs, each ended by a NUL byte, so that a
// value may hold any other byte, invalid UTF-8 included) into a record of any kind and validates it.
// Decoding and validating never panic; a refusal is a *ValidationError naming each field with a
// reason in both languages; a live record that validates keeps its values through the canonical text
// (Values, Decode), validates again from it, and arrives unchanged through the sync protocol's
// encoding and a real store (its codec, written and read back).
func FuzzValidate(f *testing.F) {
	for _, e := range []ledger.Entity{validVillage, validAdvisor, validTraining, validAssignment, ledger.DefaultTarget(2026),
		fullVillage, fullTraining, validNeed, validProject, validVariety, validIntroduction, validLeader, validPublicity,
		validPark, validParkPairing, validPlatform, fullNeed, fullProject} {
		add(f, e.RecordKind(), e.RecordID(), ledger.Values(e))
	}
	add(f, ledger.KindNeed, "n-1", map[string]string{"village": "370323102201", "problem": "缺技术", "group": "果树", "state": "已解决",
		"raised": "2026-04-02", "closed": "2026-04-01", "trainings": `["T-1","T-1"]`, "survey": "T-9"})
	add(f, ledger.KindProject, "p-1", map[string]string{"name": "示范", "year": "2027", "villages": `["370323102201"]`, "lead": "A-017",
		"team": `["A-017"]`, "amount": "NaN", "state": "实施", "source": "中央", "applied": "2026-02-01", "approved": "2026-01-01"})
	add(f, ledger.KindVariety, "v-2", map[string]string{"name": "鲁 丽", "kind": "新品种", "aliases": `["","鲁丽"]`})
	add(f, ledger.KindIntroduction, "i-2", map[string]string{"variety": "V-1", "year": "2026", "date": "2025-12-31",
		"villages": `["370323102201"]`, "area": "-1e308"})
	add(f, ledger.KindPublicity, "b-2", map[string]string{"title": "报道", "outlet": "日报", "date": "2026-04-01", "form": "新闻",
		"org": "370323104", "villages": `["370323102201"]`})
	add(f, ledger.KindPlatform, "f-2", map[string]string{"name": "驿站", "kind": "农科驿站", "level": "县级", "state": "认定",
		"date": "2026-04-01", "location": "370323102201"})
	add(f, ledger.KindParkPairing, "q-2", map[string]string{"park": "K-1", "village": "370323102201", "from": "2026-04-01",
		"to": "2026-03-01", "jobs": "-3"})
	add(f, ledger.KindTraining, "t-1", map[string]string{"kind": "技术培训", "date": "2026-05-32", "villages": `["370323102201","370323102201"]`,
		"attendees": "-3", "poor_attendees": "9", "start": "25:00", "end": "08:00", "advisors": `["A-404"]`})
	add(f, ledger.KindVillage, "3703231022019", map[string]string{"name": "", "households": "20001", "poor_households": "9",
		"farmland": "NaN", "secretary_phone": "12345"})
	add(f, ledger.KindAdvisor, "a-1", map[string]string{"name": "李\xff", "gender": "X", "group": "果树", "status": "", "since": "2099-01-01"})
	add(f, ledger.KindAssignment, "s-1", map[string]string{"advisor": "A-017", "village": "370323102201", "from": "2026-05-01", "to": "2026-04-01"})
	add(f, ledger.KindTarget, "1999", map[string]string{"activities": "1000001", "notes": "目标"})
	add(f, "report", "r-1", map[string]string{"name": "x"})
	add(f, ledger.KindVillage, "370323102201", map[string]string{"name": "鲁村一村", "township_name": "鲁村\xff镇", "county_name": "沂源县"})

	// One store for the whole run: a record that validates is merged into it and read back.
	st, err := storage.Open(f.TempDir(), storage.Options{Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = st.Close() })
	if err := st.Init("3703", "市局"); err != nil {
		f.Fatal(err)
	}
	var written int64

	f.Fuzz(func(t *testing.T, kind, id string, fields []byte) {
		values := map[string]string{}
		for _, pair := range bytes.Split(fields, []byte{0}) {
			if name, value, ok := bytes.Cut(pair, []byte("=")); ok {
				values[string(name)] = string(value)
			}
		}
		k := ledger.Kind(kind)
		e, err := ledger.Decode(k, id, values)
		if !k.Valid() {
			if err == nil {
				t.Fatalf("decoded a record of kind %q", kind)
			}
			return
		}
		if err != nil {
			t.Fatalf("decode %s: %v", kind, err)
		}
		if e.RecordKind() != k || e.RecordID() != id {
			t.Fatalf("decoded %s %q as %s %q", k, id, e.RecordKind(), e.RecordID())
		}
		if err := ledger.Validate(e, world); err != nil {
			var ve *ledger.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ledger.ErrInvalid) || len(ve.Fields) == 0 || ve.Chinese() == "" || ve.Error() == "" {
				t.Fatalf("validation error %#v", err)
			}
			for _, fe := range ve.Fields {
				if fe.Field == "" || fe.Label == "" || fe.Zh == "" || fe.En == "" {
					t.Fatalf("field error %+v", fe)
				}
			}
			return
		}

		canon := ledger.Values(e)
		// A tombstone validates whatever its other fields hold, as long as they are text (seeds
		// tombstone-*-not-utf8 are refused above): it need not be placeable (a deleted training with
		// no village), so the promises below are for live records.
		if canon[ledger.FieldDeleted] == "true" {
			return
		}
		again, err := ledger.Decode(k, id, canon)
		if err != nil || !maps.Equal(ledger.Values(again), canon) {
			t.Fatalf("the canonical text does not decode to itself:\n%q\n%q (%v)", canon, ledger.Values(again), err)
		}
		if err := ledger.Validate(again, world); err != nil {
			t.Fatalf("valid, but not once written as canonical text: %v", err)
		}

		// Ids are made by the store (or are village codes and years, which validation checks): the
		// wire and the store take 1 to 64 bytes of UTF-8.
		if id == "" || len(id) > 64 || !utf8.ValidString(id) {
			return
		}
		written++
		v := ledger.Version{VersionID: ledger.VersionID{Stamp: ledger.MakeStamp(1_800_000_000_000+written, 0), Replica: "fuzz"}, Author: "张敏", Office: "3703"}
		rec := ledger.Record{Kind: k, ID: id, Fields: map[string]ledger.Field{}}
		for name, value := range canon {
			if value != "" {
				rec.Fields[name] = ledger.Field{Value: value, Version: v}
			}
		}
		frame, err := protocol.Encode(protocol.Push{From: 1, To: 1, Seqs: []uint64{1}, Records: []ledger.Record{rec}})
		if err != nil {
			t.Fatal(err)
		}
		m, err := protocol.Decode(frame)
		if err != nil {
			t.Fatalf("a valid record does not decode from the wire: %v\n%s", err, frame)
		}
		if got := m.(protocol.Push).Records[0]; !reflect.DeepEqual(got, rec) {
			t.Fatalf("through the wire:\nsent %+v\ngot  %+v", rec, got)
		}

		if len(rec.Fields) == 0 {
			return
		}
		if held, err := st.Record(id); err == nil && held.Kind != k {
			return // another kind holds this id in the store already
		}
		res, err := st.ApplyRemote(t.Context(), []ledger.Record{rec})
		var se *storage.ScopeError
		if err == nil && len(res.Refused) == 1 && errors.As(res.Refused[0].Err, &se) {
			return // a valid record of a place outside the store's 3703 (010000000000): scope, not validity
		}
		if err != nil || len(res.Refused) > 0 {
			t.Fatalf("the store took %s %q: %+v, %v", k, id, res, err)
		}
		held, err := st.Record(id)
		if err != nil {
			t.Fatal(err)
		}
		for name, fl := range rec.Fields {
			if !held.Fields[name].Same(fl) {
				t.Errorf("stored field %s: %+v, want %+v", name, held.Fields[name], fl)
			}
		}
	})
}

// add adds a seed: kind, id and the values as FuzzValidate reads them.
func add(f *testing.F, k ledger.Kind, id string, values map[string]string) {
	var b []byte
	for _, name := range slices.Sorted(maps.Keys(values)) {
		b = append(append(append(append(b, name...), '='), values[name]...), 0)
	}
	f.Add(string(k), id, b)
}

// Found by FuzzValidate: a village's township and county names were not checked, so invalid UTF-8 in
// them validated, was changed on the wire (JSON writes U+FFFD for it), and office and city then held
// different values under one version for good.
func TestVillageNamesAreText(t *testing.T) {
	for _, field := range []string{"township_name", "county_name"} {
		values := ledger.Values(validVillage)
		values[field] = "鲁村\xff镇"
		e, err := ledger.Decode(ledger.KindVillage, string(validVillage.Code), values)
		if err != nil {
			t.Fatal(err)
		}
		var ve *ledger.ValidationError
		if err := ledger.Validate(e, world); !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != field {
			t.Errorf("%s with invalid UTF-8: %v", field, err)
		}
	}
}

// Found by FuzzValidate: a tombstone was accepted whatever its fields held, invalid UTF-8 included, which
// the wire changes (U+FFFD), so sender and city would hold different values. Its fields must be text;
// anything else about a tombstone is still acceptable.
func TestTombstonesAreText(t *testing.T) {
	dead := ledger.Training{ID: "T-1", Deleted: true, Varieties: []string{"富士\xff"}}
	var ve *ledger.ValidationError
	if err := ledger.Validate(dead, world); !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "varieties" {
		t.Errorf("tombstone with an invalid variety: %v", err)
	}
	dead = ledger.Training{ID: "T-1", Deleted: true, Topic: "\xfe"}
	if err := ledger.Validate(dead, world); !errors.As(err, &ve) || ve.Fields[0].Field != "topic" {
		t.Errorf("tombstone with an invalid topic: %v", err)
	}
	if err := ledger.Validate(ledger.Training{ID: "T-1", Deleted: true, Attendees: -5}, world); err != nil {
		t.Errorf("a tombstone with text fields is refused: %v", err)
	}
}
