package storage

import (
	"testing"

	"techaid/ledger"
)

// BenchmarkRecordCodec encodes and decodes a training of fifteen fields written by two saves, the one
// on top of the other, as a store writes and reads every record.
func BenchmarkRecordCodec(b *testing.B) {
	created := ledger.Version{VersionID: ledger.VersionID{Stamp: 100, Replica: "01a23d42-1f74-7df0-ab70-b08625301730"}, Author: "张敏", Office: "370323102"}
	edited := ledger.Version{VersionID: ledger.VersionID{Stamp: 200, Replica: "01a23d42-2066-794c-8fa7-4a52cefea8e2"}, Author: "刘洋", Office: "370323"}
	rec := ledger.Record{Kind: ledger.KindTraining, ID: "01a23d42-5073-7476-aaa4-a67f9e93862c", Fields: map[string]ledger.Field{}}
	for _, name := range []string{"kind", "date", "start", "end", "villages", "advisors", "topic", "content", "attendees",
		"poor_attendees", "brochures", "varieties", "notes", "office", "deleted"} {
		rec.Fields[name] = ledger.Field{Value: "苹果树冬季修剪 " + name, Version: created}
	}
	for _, name := range []string{"topic", "attendees"} {
		rec.Fields[name] = ledger.Field{Value: "梨树春季修剪", Version: edited, Prev: created.VersionID}
	}
	for b.Loop() {
		if _, err := decodeRecord(encodeRecord(rec)); err != nil {
			b.Fatal(err)
		}
	}
}
