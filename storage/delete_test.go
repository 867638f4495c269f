package storage

import (
	"errors"
	"strings"
	"testing"

	"techaid/ledger"
	"techaid/query"
)

// A village or an advisor that live trainings or assignments name cannot be deleted; once they are
// gone, it can.
func TestDeleteInUse(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, "3703", Options{})
	codes := sampleCodes(t)
	v, w := codes[0], codes[1]
	a := mustCreate(t, s, advisor("李四", "林果"))
	tr := mustCreate(t, s, training("2026-05-01", []ledger.Code{w, v}, []string{a}))
	as := mustCreate(t, s, ledger.Assignment{Advisor: a, Village: v, From: "2026-03-01"})

	for _, tc := range []struct {
		id                    string
		trainings, assignment int
	}{{string(v), 1, 1}, {string(w), 1, 0}, {a, 1, 1}} {
		before := s.Stats(nil)
		err := s.Delete(ctx, tc.id)
		var ue *InUseError
		if !errors.As(err, &ue) || !errors.Is(err, ErrInUse) {
			t.Fatalf("Delete(%s) = %v, want an InUseError", tc.id, err)
		}
		if ue.Trainings != tc.trainings || ue.Assignments != tc.assignment {
			t.Errorf("Delete(%s): %d trainings, %d assignments; want %d, %d", tc.id, ue.Trainings, ue.Assignments, tc.trainings, tc.assignment)
		}
		if !strings.Contains(ledger.Chinese(err), "不能删除") {
			t.Errorf("ledger.Chinese(%v) = %q", err, ledger.Chinese(err))
		}
		if after := s.Stats(nil); after != before {
			t.Errorf("a refused delete changed the store: %+v -> %+v", before, after)
		}
	}
	for _, id := range []string{tr, as, string(v), string(w), a} {
		if err := s.Delete(ctx, id); err != nil {
			t.Fatalf("Delete(%s) once nothing names it: %v", id, err)
		}
	}
	if _, err := s.Village(v); !errors.Is(err, ErrNotFound) {
		t.Errorf("village %s after delete: %v", v, err)
	}
}

func TestReadsAfterClose(t *testing.T) {
	s := newStore(t, "3703", Options{})
	s.Close()
	if _, err := s.Record(string(sampleCodes(t)[0])); !errors.Is(err, ErrClosed) {
		t.Errorf("Record after Close: %v, want ErrClosed", err)
	}
	if _, err := s.Trainings(query.Trainings{}, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Trainings after Close: %v, want ErrClosed", err)
	}
	if _, err := s.Create(t.Context(), ledger.Village{Code: "370323102299", Name: "新村"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Create after Close: %v, want ErrClosed", err)
	}
}

// A create with no fields at all is refused by validation, not silently skipped.
func TestCreateEmpty(t *testing.T) {
	s := newStore(t, "3703", Options{})
	before := s.Stats(nil)
	_, err := s.Create(t.Context(), ledger.Village{Code: "370323102299"})
	if !errors.Is(err, ledger.ErrInvalid) {
		t.Fatalf("Create(empty village) = %v, want a validation error", err)
	}
	if after := s.Stats(nil); after != before {
		t.Errorf("a refused create changed the store: %+v -> %+v", before, after)
	}
}
