package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/query"
)

// dirDigest hashes every file under dir (names and contents), to tell whether a directory was touched.
func dirDigest(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// siblings lists the names next to dir, to catch half-finished restores left behind.
func siblings(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// withoutIdentity drops the meta keys a restore is meant to change.
func withoutIdentity(keys map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range keys {
		if k != string(metaKey(metaIdentity)) && k != string(metaKey(metaCounters)) {
			out[k] = v
		}
	}
	return out
}

// storeWithEverything is a city store with records of every kind, edits, deletions, a conflict (so the
// conflict log is not empty) and some changes acknowledged.
func storeWithEverything(t *testing.T) *Store {
	t.Helper()
	wallA, wallB := newTestClock(baseWall), newTestClock(baseWall)
	a := newStore(t, city, Options{Wall: wallA.Now})
	w := newWorkload(t, a, 7)
	w.populate(30, 30, 300)
	b := newStore(t, city, Options{Wall: wallB.Now})
	exchange(t, a, b)
	wallA.Advance(2 * time.Second)
	wallB.Advance(time.Second)
	if err := a.SetFields(t.Context(), ledger.KindVillage, string(lucun1), map[string]string{"secretary": "甲"}); err != nil {
		t.Fatal(err)
	}
	if err := b.SetFields(t.Context(), ledger.KindVillage, string(lucun1), map[string]string{"secretary": "乙"}); err != nil {
		t.Fatal(err)
	}
	exchange(t, b, a)
	if len(mustConflicts(t, a, true)) != 1 {
		t.Fatal("no conflict to back up")
	}
	if err := a.Ack(a.Stats(nil).Changes - 10); err != nil {
		t.Fatal(err)
	}
	return a
}

// restoredLike checks that restored holds what orig held when the backup was taken: every record,
// history, change-log entry, conflict and index, under a new replica id with nothing acknowledged.
func restoredLike(t *testing.T, restored *Store, orig query.Identity, want map[string]any, wantKeys map[string]string, wantStats query.Stats) {
	t.Helper()
	id := restored.Identity()
	if id.Replica == "" || id.Replica == orig.Replica || id.Scope != orig.Scope || id.Clerk != orig.Clerk {
		t.Errorf("restored identity %+v, original %+v: want a new replica id, the same scope and clerk", id, orig)
	}
	st := restored.Stats(nil)
	if st.Acked != 0 || st.Pending != st.Changes || st.Changes != wantStats.Changes {
		t.Errorf("restored stats %+v: want %d changes, none acknowledged", st, wantStats.Changes)
	}
	got := snapshot(t, restored)
	wantStats.Replica, wantStats.Acked, wantStats.Pending = id.Replica, 0, wantStats.Changes
	want["Stats"] = wantStats
	diffState(t, "restored", got, want)
	if keys := withoutIdentity(rawKeys(t, restored)); !reflect.DeepEqual(keys, withoutIdentity(wantKeys)) {
		t.Errorf("restored keys differ: extra %q, missing %q", keyDiff(keys, withoutIdentity(wantKeys)), keyDiff(withoutIdentity(wantKeys), keys))
	}
	checkConsistent(t, restored)
	// The restored replica goes on writing after the restored change log.
	if _, err := restored.Create(t.Context(), training("2026-10-30", []ledger.Code{lucun1}, nil)); err != nil {
		t.Fatal(err)
	}
	if c := allChanges(t, restored); c[len(c)-1].Seq != wantStats.Changes+1 {
		t.Errorf("the first change after the restore has seq %d, want %d", c[len(c)-1].Seq, wantStats.Changes+1)
	}
}

func TestBackupRestore(t *testing.T) {
	t.Parallel()
	s := storeWithEverything(t)
	dir, orig := s.Dir(), s.Identity()
	want, wantKeys, wantStats := snapshot(t, s), rawKeys(t, s), s.Stats(nil)
	histories := map[string][]query.Audit{}
	for id := range allRecords(t, s) {
		histories[id] = mustHistory(t, s, id)
	}
	file := filepath.Join(t.TempDir(), "ledger.backup")
	if err := s.BackupFile(file); err != nil { // while in use
		t.Fatal(err)
	}
	checkHistories := func(t *testing.T, r *Store) {
		t.Helper()
		for id, h := range histories {
			if got := mustHistory(t, r, id); !reflect.DeepEqual(got, h) {
				t.Errorf("history of %s: %d entries, want %d", id, len(got), len(h))
			}
		}
	}

	t.Run("into a new directory", func(t *testing.T) {
		fresh := filepath.Join(t.TempDir(), "restored")
		kept, err := Restore(fresh, file, Options{})
		if err != nil || kept != "" {
			t.Fatalf("Restore = %q, %v", kept, err)
		}
		r := openStore(t, fresh, Options{Wall: newTestClock(baseWall).Now, Logger: testLogger(t)})
		checkHistories(t, r)
		restoredLike(t, r, orig, copyState(want), wantKeys, wantStats)
	})

	t.Run("into the same directory", func(t *testing.T) {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		kept, err := Restore(dir, file, Options{})
		if err != nil {
			t.Fatalf("Restore: %v", err)
		}
		if kept == "" || kept == dir {
			t.Fatalf("Restore kept the old data at %q", kept)
		}
		r := openStore(t, dir, Options{Wall: newTestClock(baseWall).Now, Logger: testLogger(t)})
		checkHistories(t, r)
		restoredLike(t, r, orig, copyState(want), wantKeys, wantStats)

		// The data it replaced is still there, as it was.
		old := openStore(t, kept, Options{Wall: newTestClock(baseWall).Now, Logger: testLogger(t)})
		if old.Identity() != orig {
			t.Errorf("the kept store is %+v, want %+v", old.Identity(), orig)
		}
		if keys := rawKeys(t, old); !reflect.DeepEqual(keys, wantKeys) {
			t.Errorf("the kept store changed: extra %q, missing %q", keyDiff(keys, wantKeys), keyDiff(wantKeys, keys))
		}
	})
}

// copyState copies a snapshot so that a subtest can change it.
func copyState(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// restoreNoPanic runs Restore and turns a panic into an error: a damaged file must never crash the app.
func restoreNoPanic(dir, file string) (kept string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("Restore panicked: %v", p)
		}
	}()
	return Restore(dir, file, Options{})
}

func TestRestoreRefusesWhatIsNotABackup(t *testing.T) {
	s := newStore(t, city, Options{})
	mustCreate(t, s, training("2026-10-01", []ledger.Code{lucun1}, nil))
	var good bytes.Buffer
	if err := s.Backup(&good); err != nil {
		t.Fatal(err)
	}
	dir := s.Dir()
	wantKeys := rawKeys(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	header, _, _ := bytes.Cut(good.Bytes(), []byte("\n"))
	header = append(header, '\n')
	tests := []struct {
		name    string
		content []byte
		notOne  bool // must be ErrNotBackup (otherwise any error will do: it is a damaged backup)
	}{
		{"random bytes", random, true},
		{"an empty file", nil, true},
		{"a spreadsheet", []byte("county_code,county,township_code\n370322,高青县,370322001\n"), true},
		{"a header alone", []byte(backupMagic + "\n"), true},
		{"a header with broken JSON", []byte(backupMagic + " {\"format\":\n"), true},
		{"a header of a newer format", []byte(backupMagic + ` {"format":99}` + "\n"), false},
		{"a header and no data", header, false},
		{"a header and garbage", append(slicesClone(header), random...), false},
		{"a backup cut in half", good.Bytes()[:len(header)+(good.Len()-len(header))/2], false},
		{"a backup cut short by a byte", good.Bytes()[:good.Len()-1], false},
	}
	// Cut exactly between two frames of Badger's stream: each such file parses to its end, so only an
	// end mark can tell that frames are missing.
	frames := 0
	for at := len(header); at+8 <= good.Len(); {
		n := binary.LittleEndian.Uint64(good.Bytes()[at:])
		if n == endFrame {
			break
		}
		at += 8 + int(n)
		frames++
		tests = append(tests, struct {
			name    string
			content []byte
			notOne  bool
		}{fmt.Sprintf("a backup cut after frame %d", frames), good.Bytes()[:at], false})
	}
	if frames == 0 {
		t.Fatal("the backup has no frames")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "not.backup")
			if err := os.WriteFile(file, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			before, around := dirDigest(t, dir), siblings(t, dir)
			kept, err := restoreNoPanic(dir, file)
			if err == nil {
				t.Fatalf("Restore of %s succeeded (kept %q)", tt.name, kept)
			}
			if strings.Contains(err.Error(), "panicked") {
				t.Fatal(err)
			}
			if tt.notOne && !errors.Is(err, ErrNotBackup) {
				t.Errorf("Restore = %v, want ErrNotBackup", err)
			}
			if kept != "" {
				t.Errorf("Restore moved the store to %q", kept)
			}
			if dirDigest(t, dir) != before {
				t.Error("the store directory was changed")
			}
			if got := siblings(t, dir); !reflect.DeepEqual(got, around) {
				t.Errorf("Restore left %v beside the store, before %v", got, around)
			}
		})
	}
	r := openStore(t, dir, Options{Wall: newTestClock(baseWall).Now, Logger: testLogger(t)})
	if got := rawKeys(t, r); !reflect.DeepEqual(got, wantKeys) {
		t.Error("the store no longer holds what it held")
	}
}

func slicesClone(b []byte) []byte { return append([]byte(nil), b...) }

func TestRestoreWhileOpen(t *testing.T) {
	s := newStore(t, city, Options{})
	id := mustCreate(t, s, training("2026-10-01", []ledger.Code{lucun1}, nil))
	file := filepath.Join(t.TempDir(), "ledger.backup")
	if err := s.BackupFile(file); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, training("2026-10-02", []ledger.Code{lucun1}, nil)) // after the backup
	dir := s.Dir()
	keys, around := rawKeys(t, s), siblings(t, dir)

	kept, err := Restore(dir, file, Options{})
	if !errors.Is(err, ErrLocked) || kept != "" {
		t.Fatalf("Restore while open = %q, %v; want ErrLocked", kept, err)
	}
	if got := rawKeys(t, s); !reflect.DeepEqual(got, keys) {
		t.Error("the open store changed")
	}
	if got := siblings(t, dir); !reflect.DeepEqual(got, around) {
		t.Errorf("Restore left %v beside the store, before %v", got, around)
	}
	// The store in use is unharmed and still writable.
	if _, err := Get[ledger.Training](s, id); err != nil {
		t.Error(err)
	}
	if err := s.SetFields(context.Background(), ledger.KindTraining, id, map[string]string{"notes": "恢复失败后仍可写"}); err != nil {
		t.Errorf("write after the refused restore: %v", err)
	}
}
