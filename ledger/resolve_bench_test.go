package ledger_test

import (
	"testing"

	"techaid/ledger"
)

// BenchmarkResolve is the merge of one incoming field version into a held one, as a pull or a push
// applies it to every field of every record: a plain edit made on top of the held version (the common
// case), a concurrent edit (a conflict) and an older version, each with what the replica remembers of
// it (Remember), as storage calls both.
func BenchmarkResolve(b *testing.B) {
	base := edit("01a23d42-1fdf-70ed-8e9e-abe2462be3ee", 100, "旧名", ledger.VersionID{})
	held := onTop("01a23d42-1f74-7df0-ab70-b08625301730", 200, "新名甲", base)
	later := onTop("01a23d42-2066-794c-8fa7-4a52cefea8e2", 300, "新名乙", held)
	concurrent := onTop("01a23d42-2093-7b3b-9ae9-40aa6a5e0009", 300, "新名丙", base)
	for _, bc := range []struct {
		name           string
		held, incoming ledger.Field
		want           ledger.Overwrite
	}{
		{"plain", held, later, ledger.TakeNew},
		{"conflict", held, concurrent, ledger.Conflict},
		{"older", later, held, ledger.KeepHeld},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				got, winner, _ := ledger.Resolve(bc.held, bc.incoming)
				if got != bc.want {
					b.Fatal(got)
				}
				ledger.Remember(nil, winner, bc.held, bc.incoming)
			}
		})
	}
}
