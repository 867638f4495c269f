package client_test

import (
	"context"
	"testing"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/synctest"
)

func TestSmoke(t *testing.T) {
	h := synctest.StartHub(t)
	a := synctest.NewReplica(t, h.URL, h.Office("鲁村镇", synctest.Lucun), synctest.Lucun, "张敏", storage.Options{})
	b := synctest.NewReplica(t, h.URL, h.Office("东里镇", synctest.Dongli), synctest.Dongli, "李强", storage.Options{})
	sa := a.Sync()
	t.Logf("a first sync: %+v", sa)
	if n := len(a.Store.VillagesByName("", 1000)); n != 68 {
		t.Fatalf("a holds %d villages, want 68", n)
	}
	b.Sync()
	v := synctest.Villages(t, synctest.Lucun)[0]
	id, err := a.Store.Create(context.Background(), ledger.Training{Kind: ledger.TrainingCourse, Date: "2026-11-20",
		Villages: []ledger.Code{v.Code}, Topic: "苹果树冬季修剪", Attendees: 30})
	if err != nil {
		t.Fatal(err)
	}
	s := a.Sync()
	t.Logf("a second: %+v", s)
	if _, err := storage.Get[ledger.Training](h.Store, id); err != nil {
		t.Fatalf("hub lacks the training: %v", err)
	}
	b.Sync()
	if _, err := storage.Get[ledger.Training](b.Store, id); err == nil {
		t.Fatalf("b (another township) received a's training")
	}
	st, _ := h.Status()
	t.Logf("%+v", st)
}
