package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"techaid/ledger"
)

// A village name no real village has, written to the store and then looked for in its raw files.
const secretName = "鲁村一村机密检验XQZJ7"

// filesContaining lists the files under dir whose bytes contain needle.
func filesContaining(t *testing.T, dir string, needle []byte) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, needle) {
			out = append(out, filepath.Base(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEncryption(t *testing.T) {
	t.Parallel() // the key derivation is slow on purpose
	const pass = "淄博科技局-2026"
	ctx := context.Background()
	wall := newTestClock(baseWall).Now
	opts := Options{Passphrase: pass, Wall: wall, Logger: testLogger(t)}
	s := newStore(t, city, opts)
	dir := s.Dir()
	if err := s.SetFields(ctx, ledger.KindVillage, string(lucun1), map[string]string{"name": secretName, "notes": secretName}); err != nil {
		t.Fatal(err)
	}
	tid := mustCreate(t, s, training("2026-10-01", []ledger.Code{lucun1}, nil))
	needles := [][]byte{[]byte(secretName), []byte("XQZJ7"), []byte("王村村委会")}
	check := func(when string) {
		t.Helper()
		for _, n := range needles {
			if files := filesContaining(t, dir, n); len(files) > 0 {
				t.Errorf("%s: %q is readable in %v", when, n, files)
			}
		}
	}
	check("while open") // the write-ahead log and value log
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check("after close") // and the tables written on close

	for _, tt := range []struct {
		name string
		pass string
	}{{"wrong passphrase", "淄博科技局-2026 "}, {"no passphrase", ""}} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(dir, Options{Passphrase: tt.pass, Wall: wall, Logger: testLogger(t)})
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			if !errors.Is(err, ErrPassphrase) {
				t.Errorf("Open = %v, want ErrPassphrase", err)
			}
		})
	}

	// Refused attempts harmed nothing: the right passphrase still opens it, with everything there.
	s = openStore(t, dir, opts)
	if v, err := s.Village(lucun1); err != nil || v.Name != secretName {
		t.Errorf("village after reopen: %+v, %v", v, err)
	}
	if _, err := Get[ledger.Training](s, tid); err != nil {
		t.Errorf("training after reopen: %v", err)
	}
	if st := s.Stats(nil); st.Villages != 40 || st.Trainings != 1 {
		t.Errorf("stats after reopen: %+v", st)
	}
	checkConsistent(t, s)
	check("after reopen")
}

// TestPlaintextControl shows the needle search works: without a passphrase the name is on disk.
func TestPlaintextControl(t *testing.T) {
	t.Parallel()
	s := newStore(t, city, Options{})
	if err := s.SetFields(context.Background(), ledger.KindVillage, string(lucun1), map[string]string{"name": secretName}); err != nil {
		t.Fatal(err)
	}
	if files := filesContaining(t, s.Dir(), []byte(secretName)); len(files) == 0 {
		t.Error("an unencrypted store does not show the name: the search in TestEncryption proves nothing")
	}
	s.Close()
	// A passphrase on a store that was made without one is refused, not silently ignored, and the
	// store still opens without one afterwards.
	if s, err := Open(s.Dir(), Options{Passphrase: "x", Logger: testLogger(t)}); err == nil {
		s.Close()
		t.Error("an unencrypted store opened with a passphrase")
	}
	again := openStore(t, s.Dir(), Options{Logger: testLogger(t)})
	if v, err := again.Village(lucun1); err != nil || v.Name != secretName {
		t.Errorf("after the refused passphrase: %+v, %v", v, err)
	}
}

func TestOpenLocked(t *testing.T) {
	s := newStore(t, city, Options{})
	dir := s.Dir()
	for range 2 {
		second, err := Open(dir, Options{Logger: testLogger(t)})
		if err == nil {
			second.Close()
			t.Fatal("a second Open of an open store succeeded")
		}
		if !errors.Is(err, ErrLocked) {
			t.Errorf("second Open = %v, want ErrLocked", err)
		}
		if zh := ledger.Chinese(err); !strings.Contains(zh, "另一个") {
			t.Errorf("Chinese(%v) = %q, want the message about another program", err, zh)
		}
	}
	// The first is unharmed, and once it is closed the directory opens again.
	mustCreate(t, s, training("2026-10-01", []ledger.Code{lucun1}, nil))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	again := openStore(t, dir, Options{Logger: testLogger(t)})
	if st := again.Stats(nil); st.Trainings != 1 || st.Villages != 40 {
		t.Errorf("reopened: %+v", st)
	}
}

// TestOpenAfterKillInOpen: Badger creates a new memtable log and value-log file on every open; a kill
// (or a power cut) between creating one and sizing it leaves an empty file, which must not keep the
// store from opening. (TestCrash found both.)
func TestOpenAfterKillInOpen(t *testing.T) {
	for _, empty := range [][]string{{"vlog"}, {"mem"}, {"mem", "vlog"}} {
		t.Run(strings.Join(empty, " and "), func(t *testing.T) {
			s := newStore(t, city, Options{})
			tid := mustCreate(t, s, training("2026-10-01", []ledger.Code{lucun1}, nil))
			dir := s.Dir()
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			for _, ext := range empty {
				// The next file number, as Badger would have created it.
				files, _ := filepath.Glob(filepath.Join(dir, "*."+ext))
				last := 0
				for _, f := range files {
					var n int
					if _, err := fmt.Sscanf(filepath.Base(f), "%d."+ext, &n); err == nil {
						last = max(last, n)
					}
				}
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%05d.%s", last+1, ext)), nil, 0o600); err != nil {
					t.Fatal(err)
				}
				if ext == "vlog" { // value-log files have six digits
					os.Rename(filepath.Join(dir, fmt.Sprintf("%05d.vlog", last+1)), filepath.Join(dir, fmt.Sprintf("%06d.vlog", last+1)))
				}
			}
			s, err := Open(dir, Options{Logger: testLogger(t)})
			if err != nil {
				t.Fatalf("Open after a kill inside Open: %v", err)
			}
			defer s.Close()
			if _, err := Get[ledger.Training](s, tid); err != nil {
				t.Error(err)
			}
			checkConsistent(t, s)
		})
	}
}
