package storage

import (
	"reflect"
	"testing"

	"techaid/ledger"
)

// A record whose fields carry no context beyond prev, and nothing seen besides, is written as codecV1, as before format 4 (so a
// store's bytes do not grow for it); one with a context or what the replica has seen is codecV2, and
// both read back as written.
func TestRecordCodecContext(t *testing.T) {
	v := func(replica string, stamp ledger.Stamp) ledger.VersionID {
		return ledger.VersionID{Stamp: stamp, Replica: replica}
	}
	ver := ledger.Version{VersionID: v("r3", 300), Author: "王芳", Office: "3703"}
	plain := ledger.Record{Kind: ledger.KindTraining, ID: "t1", Fields: map[string]ledger.Field{
		"topic": {Value: "苹果修剪", Version: ver, Prev: v("r2", 200)},
		"notes": {Value: "备注", Version: ver},
	}}
	b := encodeRecord(plain)
	if b[0] != codecV1 {
		t.Errorf("a record without context is written as codec %d, want %d", b[0], codecV1)
	}
	if got, err := decodeRecord(b); err != nil || !reflect.DeepEqual(got, plain) {
		t.Errorf("read back %+v, %v", got, err)
	}

	causal := plain.Clone()
	f := causal.Fields["topic"]
	f.Context = []ledger.VersionID{v("r1", 100), v("r4", 150)}
	causal.Fields["topic"] = f
	causal.Seen = map[string][]ledger.VersionID{"notes": {v("r5", 290)}}
	b = encodeRecord(causal)
	if b[0] != codecV2 {
		t.Errorf("a record with a context is written as codec %d, want %d", b[0], codecV2)
	}
	got, err := decodeRecord(b)
	if err != nil || !reflect.DeepEqual(got, causal) {
		t.Errorf("read back %+v, %v; want %+v", got, err, causal)
	}
	for n := range len(b) {
		if _, err := decodeRecord(b[:n]); err == nil {
			t.Errorf("a record cut to %d of %d bytes reads without error", n, len(b))
		}
	}
}
