package storage

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"techaid/ledger"
	"techaid/query"
)

// refusedCleanly checks that a refused write left the store exactly as it was: the same keys and values
// on disk, the same Stats, the same change log.
func refusedCleanly(t *testing.T, s *Store, keys map[string]string, st query.Stats, changes []Change) {
	t.Helper()
	if got := s.Stats(nil); got != st {
		t.Errorf("Stats moved: %+v → %+v", st, got)
	}
	if got := allChanges(t, s); !reflect.DeepEqual(got, changes) {
		t.Errorf("the change log moved: %d → %d entries", len(changes), len(got))
	}
	if got := rawKeys(t, s); !reflect.DeepEqual(got, keys) {
		t.Errorf("something was stored: %d keys before, %d after; new %q", len(keys), len(got), keyDiff(got, keys))
	}
}

// TestScopeRefusesWrites: a township office writes only its own villages and trainings, and no roster;
// a county office no roster either. Every refusal is a *ScopeError and stores nothing.
func TestScopeRefusesWrites(t *testing.T) {
	ctx := context.Background()
	// Rosters reach a township office from the city; give the township an advisor that way, so that the
	// refusals below are about scope and not about an unknown advisor.
	cityStore := newStore(t, city, Options{})
	aid := mustCreate(t, cityStore, advisor("王建国", "林果"))
	township := newStore(t, lucun, Options{})
	county := newStore(t, yiyuan, Options{})
	for _, s := range []*Store{township, county} {
		if res := exchange(t, cityStore, s); res.Changed == 0 {
			t.Fatalf("the roster did not arrive: %+v", res)
		}
		if _, err := s.Advisor(aid); err != nil {
			t.Fatal(err)
		}
	}
	own := mustCreate(t, township, training("2026-10-01", []ledger.Code{lucun1}, []string{aid}))
	ownTraining := mustGet[ledger.Training](t, township, own)
	dongli := ledger.Code("370323103201") // 东里西村, 东里镇: same county, another township

	tests := []struct {
		name  string
		s     *Store
		write func(s *Store) error
		kind  ledger.Kind
		org   ledger.Code
	}{
		{"village of another township", township, func(s *Store) error {
			_, err := s.Create(ctx, ledger.Village{Code: "370323103202", Name: "东里东村村委会"})
			return err
		}, ledger.KindVillage, "370323103202"},
		{"village of another county", township, func(s *Store) error {
			_, err := s.Create(ctx, ledger.Village{Code: "370322001209", Name: "某村村委会"})
			return err
		}, ledger.KindVillage, "370322001209"},
		{"village of another county, from a county office", county, func(s *Store) error {
			_, err := s.Create(ctx, ledger.Village{Code: "370322001209", Name: "某村村委会"})
			return err
		}, ledger.KindVillage, "370322001209"},
		{"training in another township", township, func(s *Store) error {
			_, err := s.Create(ctx, training("2026-10-02", []ledger.Code{dongli}, []string{aid}))
			return err
		}, ledger.KindTraining, dongli},
		{"training in another county", township, func(s *Store) error {
			_, err := s.Create(ctx, training("2026-10-02", []ledger.Code{taisun}, nil))
			return err
		}, ledger.KindTraining, taisun},
		{"training listing a village of another township too", township, func(s *Store) error {
			_, err := s.Create(ctx, training("2026-10-02", []ledger.Code{lucun1, dongli}, nil))
			return err
		}, ledger.KindTraining, dongli},
		{"moving an own training to another township", township, func(s *Store) error {
			moved := ownTraining
			moved.Villages = []ledger.Code{dongli}
			return s.Update(ctx, ownTraining, moved)
		}, ledger.KindTraining, dongli},
		{"advisor, from a township office", township, func(s *Store) error {
			_, err := s.Create(ctx, advisor("李秀英", "蔬菜"))
			return err
		}, ledger.KindAdvisor, ""},
		{"advisor, from a county office", county, func(s *Store) error {
			_, err := s.Create(ctx, advisor("李秀英", "蔬菜"))
			return err
		}, ledger.KindAdvisor, ""},
		{"editing an advisor, from a township office", township, func(s *Store) error {
			return s.SetFields(ctx, ledger.KindAdvisor, aid, map[string]string{"status": ledger.StatusLeft})
		}, ledger.KindAdvisor, ""},
		{"deleting an advisor, from a county office", county, func(s *Store) error {
			return s.Delete(ctx, aid)
		}, ledger.KindAdvisor, ""},
		{"assignment, from a township office", township, func(s *Store) error {
			_, err := s.Create(ctx, ledger.Assignment{Advisor: aid, Village: lucun1, From: "2026-01-01"})
			return err
		}, ledger.KindAssignment, ""},
		{"assignment, from a county office", county, func(s *Store) error {
			_, err := s.Create(ctx, ledger.Assignment{Advisor: aid, Village: lucun1, From: "2026-01-01"})
			return err
		}, ledger.KindAssignment, ""},
		{"targets, from a township office", township, func(s *Store) error {
			_, err := s.Create(ctx, ledger.DefaultTarget(2026))
			return err
		}, ledger.KindTarget, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, st, changes := rawKeys(t, tt.s), tt.s.Stats(nil), allChanges(t, tt.s)
			err := tt.write(tt.s)
			var se *ScopeError
			if !errors.As(err, &se) || !errors.Is(err, ErrScope) {
				t.Fatalf("got %v (%T), want a *ScopeError", err, err)
			}
			if se.Kind != tt.kind || se.Org != tt.org || se.Scope != tt.s.Identity().Scope {
				t.Errorf("ScopeError %+v, want kind %s, org %q, scope %s", se, tt.kind, tt.org, tt.s.Identity().Scope)
			}
			if zh := ledger.Chinese(err); !strings.Contains(zh, string(tt.s.Identity().Scope)) || !strings.Contains(zh, ledger.KindName(tt.kind)) {
				t.Errorf("Chinese(%v) = %q: it should name the office and the kind", err, zh)
			}
			refusedCleanly(t, tt.s, keys, st, changes)
		})
	}

	// The import of the sample into the township kept exactly its two villages.
	if vs, n := township.Villages(query.Villages{}, nil); n != 2 || vs[0].Code != lucun1 || vs[1].Code != wangcun {
		t.Errorf("township villages: %v", codesOf(vs))
	}
	// What is in scope is still writable.
	if err := township.SetFields(ctx, ledger.KindVillage, string(wangcun), map[string]string{"households": "260"}); err != nil {
		t.Errorf("editing an own village: %v", err)
	}
	if _, err := county.Create(ctx, training("2026-10-02", []ledger.Code{lucun1, dongli}, []string{aid})); err != nil {
		t.Errorf("a county office recording a training in two of its townships: %v", err)
	}
	if _, err := cityStore.Create(ctx, ledger.Assignment{Advisor: aid, Village: lucun1, From: "2026-01-01"}); err != nil {
		t.Errorf("the city writing an assignment: %v", err)
	}
}

// TestBadInputRefused: each kind of bad input is a *ledger.ValidationError naming the field, and
// nothing is stored.
func TestBadInputRefused(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, city, Options{})
	aid := mustCreate(t, s, advisor("王建国", "林果"))
	tid := mustCreate(t, s, training("2026-10-01", []ledger.Code{lucun1}, []string{aid}))
	tr := mustGet[ledger.Training](t, s, tid)
	with := func(f func(*ledger.Training)) ledger.Training {
		c := training("2026-10-01", []ledger.Code{lucun1}, []string{aid})
		f(&c)
		return c
	}
	tests := []struct {
		name  string
		write func() error
		field string
	}{
		{"unknown village code in a training", func() error {
			_, err := s.Create(ctx, with(func(t *ledger.Training) { t.Villages = []ledger.Code{"370323102202"} })) // real, not imported
			return err
		}, "villages"},
		{"negative attendee count", func() error {
			_, err := s.Create(ctx, with(func(t *ledger.Training) { t.Attendees, t.PoorAttendees = -3, 0 }))
			return err
		}, "attendees"},
		{"a date in 2099", func() error {
			_, err := s.Create(ctx, with(func(t *ledger.Training) { t.Date = "2099-05-01" }))
			return err
		}, "date"},
		{"a 13-digit village code in a training", func() error {
			_, err := s.Create(ctx, with(func(t *ledger.Training) { t.Villages = []ledger.Code{"3703231022011"} }))
			return err
		}, "villages"},
		{"a 13-digit village code", func() error {
			_, err := s.Create(ctx, ledger.Village{Code: "3703231022011", Name: "鲁村一村村委会"})
			return err
		}, "id"},
		{"a blank village code in a training", func() error {
			_, err := s.Create(ctx, with(func(t *ledger.Training) { t.Villages = []ledger.Code{""} }))
			return err
		}, "villages"},
		{"a village code of letters", func() error {
			_, err := s.Create(ctx, ledger.Village{Code: "37032310220X", Name: "鲁村一村村委会"})
			return err
		}, "id"},
		{"unknown advisor id in a training", func() error {
			_, err := s.Create(ctx, with(func(t *ledger.Training) { t.Advisors = []string{aid, "A-999"} }))
			return err
		}, "advisors"},
		{"unknown advisor id in an assignment", func() error {
			_, err := s.Create(ctx, ledger.Assignment{Advisor: "A-999", Village: lucun1, From: "2026-01-01"})
			return err
		}, "advisor"},
		{"negative attendees as an edit", func() error {
			return s.SetFields(ctx, ledger.KindTraining, tid, map[string]string{"attendees": "-5"})
		}, "attendees"},
		{"moving a training to 2099", func() error {
			moved := tr
			moved.Date = "2099-01-01"
			return s.Update(ctx, tr, moved)
		}, "date"},
		{"an unknown group", func() error {
			_, err := s.Create(ctx, advisor("李秀英", "果树"))
			return err
		}, "group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, st, changes := rawKeys(t, s), s.Stats(nil), allChanges(t, s)
			err := tt.write()
			var ve *ledger.ValidationError
			if !errors.Is(err, ledger.ErrInvalid) || !errors.As(err, &ve) {
				t.Fatalf("got %v (%T), want a *ledger.ValidationError", err, err)
			}
			if len(ve.Fields) != 1 || ve.Fields[0].Field != tt.field {
				t.Fatalf("fields in error: %+v, want just %q", ve.Fields, tt.field)
			}
			zh, en := ledger.Label(ve.Kind, tt.field)
			if !strings.Contains(err.Error(), en) || !strings.Contains(ledger.Chinese(err), zh) {
				t.Errorf("the messages do not name the field: %q / %q", err, ledger.Chinese(err))
			}
			refusedCleanly(t, s, keys, st, changes)
		})
	}
}

// TestTargetsAreARoster: the city writes a year's targets, and they reach a township office like the
// advisors do; the township reads them but cannot change them.
func TestTargetsAreARoster(t *testing.T) {
	ctx := context.Background()
	cityStore := newStore(t, city, Options{})
	township := newStore(t, lucun, Options{})
	tg := ledger.DefaultTarget(2026)
	tg.Attendees = 2400
	if id := mustCreate(t, cityStore, tg); id != "2026" {
		t.Fatalf("a target's id is its year: got %q", id)
	}
	if res := exchange(t, cityStore, township); res.Changed == 0 {
		t.Fatalf("the targets did not arrive: %+v", res)
	}
	got := mustGet[ledger.Target](t, township, "2026")
	if got.Attendees != 2400 || got.Activities != 20 {
		t.Errorf("the township holds %+v", got)
	}
	edited := got
	edited.Attendees = 10
	if err := township.Update(ctx, got, edited); !errors.Is(err, ErrScope) {
		t.Errorf("a township edited the city's targets: %v", err)
	}
	if Place(tg) != "" {
		t.Errorf("targets go to every office: Place = %q", Place(tg))
	}
}
