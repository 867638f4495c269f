package client_test

// Integration tests of sync when something is put back or stopped under it: an office's data
// directory restored from an old copy, and the hub shut down in the middle of a push.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/protocol"
	"techaid/sync/synctest"
)

// copyDir copies the directory src, with every file in it, to dst, which must not exist yet.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatalf("copy %s to %s: %v", src, dst, err)
	}
}

// trainingTopics returns how many trainings of each topic st holds.
func trainingTopics(t *testing.T, st *storage.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	q := query.Trainings{Limit: 1000}
	for {
		page, err := st.Trainings(q, nil)
		if err != nil {
			t.Fatalf("list trainings: %v", err)
		}
		for _, tr := range page.Trainings {
			out[tr.Topic]++
		}
		if page.Next == "" {
			return out
		}
		q.After = page.Next
	}
}

// An office PC whose data directory is put back from an old copy (a clerk restoring a folder copied to
// a USB stick last week) holds fewer changes than the hub acknowledged under its replica id. Its new
// changes must not be taken for ones the hub holds: it takes a new replica id, sends everything again,
// and nothing is lost, on the hub or at the office.
//
// Three shapes: the copy makes fewer new changes than it lacks (the hub's acknowledged number is above
// its change log), exactly as many, and more (then only the hub's fingerprint of the change it
// acknowledged tells the two apart).
func TestStaleDataDirectory(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ m, extra int }{{3, 1}, {1, 1}, {2, 3}} {
		t.Run(fmt.Sprintf("%d lacked, %d new", tc.m, tc.extra), func(t *testing.T) {
			t.Parallel()
			staleDataDirectory(t, tc.m, tc.extra)
		})
	}
}

func staleDataDirectory(t *testing.T, m, extra int) {
	h := synctest.StartHub(t)
	tok := h.Office("鲁村镇", synctest.Lucun)
	dir := filepath.Join(t.TempDir(), "office")
	lu := synctest.OpenReplica(t, dir, h.URL, tok, synctest.Lucun, "张敏", storage.Options{})
	lu.Sync()
	lv := codes(t, synctest.Lucun)
	replica := lu.Store.Identity().Replica

	const n = 5
	var ids []string
	for i := range n {
		ids = append(ids, create(t, lu.Store, training(fmt.Sprintf("复制前的培训 %d", i), lv[i])))
	}
	lu.Sync()
	if acked, _ := h.Store.PeerAcked(replica); acked != n {
		t.Fatalf("the hub holds %d changes of the office, want %d", acked, n)
	}

	// The clerk copies the data directory aside, with the program closed.
	old := filepath.Join(t.TempDir(), "office-copy")
	if err := lu.Store.Close(); err != nil {
		t.Fatal(err)
	}
	copyDir(t, dir, old)
	lu = synctest.OpenReplica(t, dir, h.URL, tok, synctest.Lucun, "张敏", storage.Options{})

	// More work, synced.
	for i := range m {
		ids = append(ids, create(t, lu.Store, training(fmt.Sprintf("复制后已同步的培训 %d", i), lv[n+i])))
	}
	lu.Sync()
	if acked, _ := h.Store.PeerAcked(replica); acked != uint64(n+m) {
		t.Fatalf("the hub holds %d changes of the office, want %d", acked, n+m)
	}

	// The old copy is put back in place of the directory.
	if err := lu.Store.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	copyDir(t, old, dir)
	lu = synctest.OpenReplica(t, dir, h.URL, tok, synctest.Lucun, "张敏", storage.Options{})
	if id := lu.Store.Identity().Replica; id != replica {
		t.Fatalf("the old copy has replica id %s, want %s", id, replica)
	}
	if seq, _ := lu.Store.Committed(); seq != n {
		t.Fatalf("the old copy's change log ends at %d, want %d", seq, n)
	}
	for _, id := range ids[n:] {
		if _, err := lu.Store.Record(id); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("the old copy holds %s, made after it (err %v)", id, err)
		}
	}

	// New work on the old copy, then sync.
	for i := range extra {
		ids = append(ids, create(t, lu.Store, training(fmt.Sprintf("恢复旧副本后的培训 %d", i), lv[n+m+i])))
	}
	lu.Sync()

	if id := lu.Store.Identity().Replica; id == replica {
		t.Errorf("the office kept its replica id %s after the hub said it holds more of it than it made", id)
	}
	for i, id := range ids {
		if _, err := storage.Get[ledger.Training](h.Store, id); err != nil {
			t.Errorf("the hub lacks training %d (%s): %v", i, id, err)
		}
		if _, err := storage.Get[ledger.Training](lu.Store, id); err != nil {
			t.Errorf("the office lacks training %d (%s) after sync: %v", i, id, err)
		}
	}
	if got, _ := h.Store.CountTrainings(query.Trainings{}); got != len(ids) {
		t.Errorf("the hub holds %d trainings, want %d", got, len(ids))
	}
	for topic, c := range trainingTopics(t, h.Store) {
		if c != 1 {
			t.Errorf("the hub holds %d trainings %q", c, topic)
		}
	}
	// Sent again under the new id, the trainings the hub held changed nothing: logged once each.
	villages := len(synctest.Villages(t, synctest.City))
	if seq, _ := h.Store.Committed(); seq != uint64(villages+len(ids)) {
		t.Errorf("the hub's change log has %d entries, want %d villages + %d trainings", seq, villages, len(ids))
	}
	if st := lu.Store.Stats(nil); st.Pending != 0 {
		t.Errorf("office: %d changes pending after sync", st.Pending)
	}
	if acked, _ := h.Store.PeerAcked(lu.Store.Identity().Replica); acked != uint64(n+extra) {
		t.Errorf("the hub holds %d changes of the new replica id, want %d", acked, n+extra)
	}
	checkConverged(t, h, lu)
}

// The hub shut down (Close) while an office pushes: the office is told, or sees the connection close;
// a push being applied either commits or is sent again. Synced with a new hub on the same store, every
// training arrives exactly once.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	h := synctest.StartHub(t)
	tok := h.Office("鲁村镇", synctest.Lucun)
	lu := synctest.NewReplica(t, h.URL, tok, synctest.Lucun, "张敏", storage.Options{})
	lu.Sync() // the office holds its villages before it records anything
	base, _ := h.Store.Committed()
	lv := codes(t, synctest.Lucun)
	const n = 3000
	in := make([]ledger.Entity, n)
	for i := range in {
		in[i] = training(fmt.Sprintf("停机时录入的培训 %04d", i), lv[i%len(lv)])
	}
	if res, err := lu.Store.Import(bg, in, nil); err != nil || res.Created != n {
		t.Fatalf("import: %+v, %v", res, err)
	}
	// Small pushes, so there are many and the hub is surely stopped between two of them.
	lu.Client = client.New(client.Config{URL: h.URL, Token: tok, Store: lu.Store, App: "test", Batch: 100,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Logger: synctest.Logger(t)})

	ctx, cancel := context.WithTimeout(bg, time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := lu.Client.Once(ctx)
		done <- err
	}()
	var at uint64
	synctest.Eventually(t, "the hub applies a first push", func() bool {
		at, _ = h.Store.Committed()
		return at > base
	})
	if err := h.Hub.Close(); err != nil {
		t.Errorf("close the hub: %v", err)
	}
	if at >= base+n {
		t.Fatalf("the hub held all %d trainings before it was closed: the test needs more", n)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Once goes on after the hub closed")
	}
	var pe protocol.Error
	switch {
	case err == nil:
		t.Fatal("Once succeeded although the hub closed in the middle of the push")
	case errors.As(err, &pe) && pe.Code == protocol.CodeShuttingDown:
		if s := lu.Client.State(); s.Phase != client.Offline || !strings.Contains(s.Chinese(), "停机") {
			t.Errorf("state after the hub closed: %s, %q; want offline, the hub stopping", s.Phase, s.Chinese())
		}
	case strings.Contains(err.Error(), "closed"):
	default:
		t.Errorf("Once: %v, want the hub's shutting_down or a closed connection", err)
	}
	closed, _ := h.Store.Committed()
	t.Logf("closed at %d of %d trainings held; Once: %v", at-base, n, err)
	if closed > base+n {
		t.Fatalf("the hub's change log has %d entries after the close, want at most %d", closed, base+n)
	}

	// The city's server starts again on the same store.
	h.Stop()
	h2 := synctest.Serve(t, h.Store, h.Dir)
	lu.Connect(h2.URL, tok)
	lu.Sync()

	if got, _ := h2.Store.CountTrainings(query.Trainings{}); got != n {
		t.Errorf("the hub holds %d trainings, want %d", got, n)
	}
	if seq, _ := h2.Store.Committed(); seq != base+n {
		t.Errorf("the hub's change log has %d entries, want %d + %d trainings: something was logged twice", seq, base, n)
	}
	topics := trainingTopics(t, h2.Store)
	for i := range n {
		if c := topics[fmt.Sprintf("停机时录入的培训 %04d", i)]; c != 1 {
			t.Errorf("training %d is held %d times", i, c)
		}
	}
	if st := lu.Store.Stats(nil); st.Pending != 0 || st.Acked != n {
		t.Errorf("office: pending %d, acked %d; want 0, %d", st.Pending, st.Acked, n)
	}
	if acked, _ := h2.Store.PeerAcked(lu.Store.Identity().Replica); acked != n {
		t.Errorf("the hub holds the office up to %d, want %d", acked, n)
	}
}
