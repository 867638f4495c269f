package protocol

import (
	"slices"

	"techaid/ledger"
)

// Batch sizing, the one rule both ends follow: a push or a changes frame holds at most MaxBatch records
// and about BatchBytes of JSON, so that records as large as validation allows (long texts) never make
// a frame over MaxFrame, which the other end would refuse. A sender cuts a batch by ApproxSize (Fit),
// encodes it, and while the frame is still over BatchBytes because escaping made the JSON longer, cuts
// it again in proportion (Shrink). One record always goes.

// ApproxSize estimates the JSON size of a record in a frame without encoding it: exact but for escaped
// characters (which can make a value up to six times longer). Versions count once per record, as the
// wire form lists them (see toWire).
func ApproxSize(r ledger.Record) int {
	n := 60 + len(r.Kind) + len(r.ID)
	versions := make([]ledger.Version, 0, 4)
	for name, f := range r.Fields {
		n += 16 + len(name) + len(f.Value)
		if !slices.Contains(versions, f.Version) {
			versions = append(versions, f.Version)
			n += 70 + len(f.Author) + len(f.Office) + len(f.Replica)
		}
		if !f.Prev.IsZero() {
			n += 50 + len(f.Prev.Replica)
		}
		for _, c := range f.Context {
			n += 45 + len(c.Replica)
		}
	}
	return n
}

// Fit is how many of records, from the first, make a batch of about BatchBytes by ApproxSize: at least
// one (if there is one), at most MaxBatch.
func Fit(records []ledger.Record) int {
	size := 0
	for i, r := range records {
		if size += ApproxSize(r); i > 0 && (size > BatchBytes || i == MaxBatch) {
			return i
		}
	}
	return min(len(records), MaxBatch)
}

// Shrink is how many of n records to send when n of them encoded to size bytes, over BatchBytes: fewer
// in proportion, at least one fewer, and at least one.
func Shrink(n, size int) int {
	return max(1, min(n-1, n*BatchBytes/size))
}
