package client_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"techaid/query"
	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/protocol"
	"techaid/sync/synctest"
)

// reports keeps what a supervisor reported, in order.
type reports struct {
	mu  sync.Mutex
	all []client.State
}

func (r *reports) report(s client.State) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, s)
}

func (r *reports) last() client.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.all) == 0 {
		return client.State{Phase: -1}
	}
	return r.all[len(r.all)-1]
}

func (r *reports) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.all)
}

// await waits until the last state reported is ok.
func (r *reports) await(t *testing.T, what string, ok func(client.State) bool) {
	t.Helper()
	synctest.Eventually(t, what+" (last state reported: "+fmt.Sprint(r.last().Phase)+")", func() bool { return ok(r.last()) })
}

func trainingsAt(t *testing.T, st *storage.Store) int {
	t.Helper()
	n, err := st.CountTrainings(query.Trainings{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The supervisor as the app uses it: off until the clerk gives an address and a token, then in sync;
// another token restarts it (a wrong one fails for good, without retrying); a restore hands it another
// store, whose remembered address it uses; a token this user cannot read fails it with that reason;
// no address stops it. Nothing is reported once Stop has returned.
func TestSupervisor(t *testing.T) {
	userConfig(t)
	h := synctest.StartHub(t)
	tok := h.Office("鲁村镇", synctest.Lucun)
	st := synctest.Open(t, filepath.Join(t.TempDir(), "data"), synctest.Lucun, "张敏", storage.Options{})
	var r reports
	sup := client.NewSupervisor(st, "test", r.report)
	defer sup.Stop()
	if s := r.last(); s.Phase != client.Off || r.count() != 1 {
		t.Fatalf("nothing remembered: %d states, the last %s; want off at once", r.count(), s.Phase)
	}

	cfg := client.Remembered{City: h.URL, Token: tok}
	if _, err := sup.Configure(cfg); err != nil {
		t.Fatal(err)
	}
	r.await(t, "in sync", synctest.UpToDate)
	if got, err := client.LoadRemembered(st); sup.Config() != cfg || err != nil || got != cfg {
		t.Errorf("Config %+v, remembered %+v (%v); want %+v", sup.Config(), got, err, cfg)
	}
	lu := codes(t, synctest.Lucun)
	create(t, st, training("苹果树冬季修剪", lu[0]))
	synctest.Eventually(t, "the training at the hub", func() bool { return trainingsAt(t, h.Store) == 1 })

	if _, err := sup.Configure(client.Remembered{City: h.URL, Token: "not-a-token"}); err != nil {
		t.Fatal(err)
	}
	r.await(t, "refused", func(s client.State) bool { return s.Phase == client.Failed })
	var pe protocol.Error
	if err := r.last().Err; !errors.As(err, &pe) || pe.Code != protocol.CodeUnauthorized {
		t.Errorf("with a wrong token: %v, want %s", err, protocol.CodeUnauthorized)
	}
	if _, err := sup.Configure(cfg); err != nil {
		t.Fatal(err)
	}
	r.await(t, "in sync again", synctest.UpToDate)

	// A restore: another store, which remembers the same hub.
	restored := synctest.Open(t, filepath.Join(t.TempDir(), "restored"), synctest.Lucun, "张敏", storage.Options{})
	if _, err := client.Remember(restored, cfg); err != nil {
		t.Fatal(err)
	}
	sup.Use(restored)
	r.await(t, "the restored store in sync", func(s client.State) bool { return s.Phase == client.UpToDate && s.Pulled > 0 })
	create(t, restored, training("果园病虫害防治", lu[1]))
	synctest.Eventually(t, "the restored store's training at the hub", func() bool { return trainingsAt(t, h.Store) == 2 })

	userConfig(t) // another user of the PC: the sealed token cannot be read
	sup.Use(restored)
	if s := r.last(); s.Phase != client.Failed || !errors.Is(s.Err, client.ErrTokenUnreadable) || sup.Config().City != h.URL {
		t.Errorf("a token this user cannot read: %s (%v), address %q; want failed, ErrTokenUnreadable, the address kept",
			s.Phase, s.Err, sup.Config().City)
	}

	if _, err := sup.Configure(client.Remembered{}); err != nil {
		t.Fatal(err)
	}
	if s := r.last(); s.Phase != client.Off {
		t.Errorf("no address: %s, want off", s.Phase)
	}
	if _, err := sup.Configure(cfg); err != nil {
		t.Fatal(err)
	}
	r.await(t, "in sync once more", synctest.UpToDate)
	sup.Stop()
	n := r.count()
	sup.Stop() // again: nothing to stop
	create(t, restored, training("大棚蔬菜管理", lu[2]))
	city := synctest.NewReplica(t, h.URL, h.Office("市局", synctest.City), synctest.City, "刘洋", storage.Options{})
	city.Sync() // the hub would send the township the city's data, were it connected
	if got := r.count(); got != n {
		t.Errorf("%d states reported after Stop returned", got-n)
	}
}
