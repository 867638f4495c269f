package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/query"
)

// TestWatch: the watch sets the UI waits on fire after a write from another goroutine or a sync, and stay
// quiet when nothing is written.
func TestWatch(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, city, Options{})
	other := newStore(t, city, Options{})
	aid := mustCreate(t, s, advisor("王建国", "林果"))
	tid := mustCreate(t, s, training("2026-10-01", []ledger.Code{lucun1}, []string{aid}))

	queries := map[string]func(query.WatchSet){
		"Villages":       func(ws query.WatchSet) { s.Villages(query.Villages{Under: lucun}, ws) },
		"Villages (all)": func(ws query.WatchSet) { s.Villages(query.Villages{}, ws) },
		"Trainings": func(ws query.WatchSet) {
			if _, err := s.Trainings(query.Trainings{Village: lucun1}, ws); err != nil {
				t.Error(err)
			}
		},
		"Stats":    func(ws query.WatchSet) { s.Stats(ws) },
		"Progress": func(ws query.WatchSet) { s.Progress(2026, yiyuan, "2026-10-01", ws) },
	}
	writes := map[string]map[string]func() error{
		"Villages": {
			"edit": func() error {
				return s.SetFields(ctx, ledger.KindVillage, string(wangcun), map[string]string{"households": "333"})
			},
			"remote": remoteVillageEdit(t, other, s, wangcun),
		},
		"Villages (all)": {
			"delete": func() error { return s.Delete(ctx, string(taisun)) },
			"remote": remoteVillageEdit(t, other, s, lucun1),
		},
		"Trainings": {
			"create": func() error {
				_, err := s.Create(ctx, training("2026-10-02", []ledger.Code{wangcun}, nil))
				return err
			},
			"edit": func() error {
				return s.SetFields(ctx, ledger.KindTraining, tid, map[string]string{"attendees": "61"})
			},
			"remote": remoteTraining(t, other, s, "2026-10-03"),
		},
		"Stats": {
			"advisor": func() error { _, err := s.Create(ctx, advisor("李秀英", "蔬菜")); return err },
			"ack":     func() error { return s.Ack(1) },
			"remote":  remoteTraining(t, other, s, "2026-10-04"),
		},
		"Progress": {
			"training": func() error {
				_, err := s.Create(ctx, training("2026-09-09", []ledger.Code{lucun1}, nil))
				return err
			},
			"key village": func() error {
				return s.SetFields(ctx, ledger.KindVillage, string(lucun1), map[string]string{"key": "true"})
			},
			"remote": remoteTraining(t, other, s, "2026-09-10"),
		},
	}
	for name, read := range queries {
		for wname, write := range writes[name] {
			t.Run(name+" fires on "+wname, func(t *testing.T) {
				ws := query.NewWatchSet()
				read(ws)
				done := make(chan error, 1)
				go func() {
					time.Sleep(20 * time.Millisecond)
					done <- write()
				}()
				wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				if err := ws.Wait(wctx); err != nil {
					t.Errorf("the watch did not fire: %v", err)
				}
				if err := <-done; err != nil {
					t.Fatalf("the write failed: %v", err)
				}
			})
		}
		t.Run(name+" stays quiet", func(t *testing.T) {
			ws := query.NewWatchSet()
			read(ws)
			// Reads and refused writes are not changes.
			s.Villages(query.Villages{}, nil)
			s.Stats(nil)
			if _, err := s.Create(ctx, training("2099-01-01", []ledger.Code{lucun1}, nil)); !errors.Is(err, ledger.ErrInvalid) {
				t.Fatalf("the invalid write: %v", err)
			}
			wctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancel()
			if err := ws.Wait(wctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("the watch fired with nothing written (%v)", err)
			}
		})
	}
}

// remoteVillageEdit edits a village on another replica and applies the change to s.
func remoteVillageEdit(t *testing.T, other, s *Store, code ledger.Code) func() error {
	return func() error {
		if err := other.SetFields(context.Background(), ledger.KindVillage, string(code), map[string]string{"notes": "同步来的 " + string(code)}); err != nil {
			return err
		}
		res, err := s.ApplyRemote(context.Background(), records(allChanges(t, other)))
		if err == nil && res.Changed == 0 {
			return errors.New("the remote edit changed nothing")
		}
		return err
	}
}

// remoteTraining records a training in 鲁村一村 on another replica and applies the change to s.
func remoteTraining(t *testing.T, other, s *Store, date ledger.Date) func() error {
	return func() error {
		if _, err := other.Create(context.Background(), training(date, []ledger.Code{lucun1}, nil)); err != nil {
			return err
		}
		res, err := s.ApplyRemote(context.Background(), records(allChanges(t, other)))
		if err == nil && res.Changed == 0 {
			return errors.New("the remote training changed nothing")
		}
		return err
	}
}
