package storage

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// TestPartial: chunks kept durably in order (across a reopen), a chunk out of place refused, the daily
// count grown with every chunk, dropped whole; the city's marks.
func TestPartial(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir, Options{})
	if err := st.Init("370323102", "王芳"); err != nil {
		t.Fatal(err)
	}
	const hash = "3f1c9d0e5b7a2468ace0f13579bdf02468ace13579bdf02468ace13579bdf024"
	file := bytes.Repeat([]byte("0123456789"), 30_000)
	held, err := st.AppendPartial("office-1", hash, 0, file[:100_000], "2026-05-11")
	if err != nil || held != 100_000 {
		t.Fatalf("first chunk: held %d, %v", held, err)
	}
	if _, err := st.AppendPartial("office-1", hash, 50_000, file[50_000:150_000], "2026-05-11"); !errors.Is(err, ErrPartialOffset) {
		t.Fatalf("a chunk over what is held: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStore(t, dir, Options{})
	if held, err := st.Partial("office-1", hash); err != nil || held != 100_000 {
		t.Fatalf("after reopen: held %d, %v", held, err)
	}
	if held, _ := st.Partial("office-2", hash); held != 0 {
		t.Fatalf("another office's upload of the same file holds %d", held)
	}
	if _, err := st.AppendPartial("office-1", hash, 100_000, file[100_000:], "2026-05-12"); err != nil {
		t.Fatal(err)
	}
	got, err := st.PartialBytes("office-1", hash)
	if err != nil || !bytes.Equal(got, file) {
		t.Fatalf("partial bytes: %d bytes, %v", len(got), err)
	}
	for day, want := range map[string]int64{"2026-05-11": 100_000, "2026-05-12": 200_000, "2026-05-13": 0} {
		if n, err := st.Received("office-1", day); err != nil || n != want {
			t.Errorf("received on %s: %d, %v; want %d", day, n, err, want)
		}
	}
	if err := st.DropPartial("office-1", hash); err != nil {
		t.Fatal(err)
	}
	if held, _ := st.Partial("office-1", hash); held != 0 {
		t.Fatalf("dropped, still holds %d", held)
	}
	if _, found, _ := st.FileRefused(hash); found {
		t.Fatal("refused before RefuseFile")
	}
	want := FileRefusal{Code: "not_evidence", Message: "不是图片", At: time.Date(2026, 5, 11, 1, 2, 3, 0, time.UTC)}
	if err := st.RefuseFile(hash, want); err != nil {
		t.Fatal(err)
	}
	if got, found, err := st.FileRefused(hash); !found || err != nil || got != want {
		t.Fatalf("FileRefused: %+v %v %v", got, found, err)
	}
}
