package storage

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"testing"

	"techaid/ledger"
)

func TestSealedStream(t *testing.T) {
	key, err := keyFrom("口令 passphrase", []byte("0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := keyFrom("wrong", []byte("0123456789abcdef"))
	for _, size := range []int{0, 1, sealChunk - 1, sealChunk, sealChunk + 1, 3*sealChunk + 17} {
		plain := make([]byte, size)
		rand.Read(plain)
		var sealed bytes.Buffer
		w, err := newSealWriter(&sealed, key)
		if err != nil {
			t.Fatal(err)
		}
		// Odd write sizes cross chunk boundaries.
		for rest := plain; len(rest) > 0; {
			n := min(len(rest), 1000+len(rest)%7919)
			if _, err := w.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if size > 64 && bytes.Contains(sealed.Bytes(), plain[:64]) {
			t.Fatalf("size %d: plaintext visible in the sealed stream", size)
		}
		read := func(b []byte, k []byte) ([]byte, error) {
			r, err := newOpenReader(bytes.NewReader(b), k)
			if err != nil {
				t.Fatal(err)
			}
			return io.ReadAll(r)
		}
		got, err := read(sealed.Bytes(), key)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("size %d: round trip: err %v, %d bytes back", size, err, len(got))
		}
		bad := map[string][]byte{
			"wrong key": nil,
			"cut short": sealed.Bytes()[:sealed.Len()-1],
			"flipped":   flip(sealed.Bytes(), sealed.Len()/2),
		}
		if size >= sealChunk { // drop the final chunk: every remaining chunk is authentic, the end is not
			bad["last chunk dropped"] = sealed.Bytes()[:sealed.Len()-(4+16)-(size%sealChunk)]
		}
		for name, b := range bad {
			k := key
			if b == nil {
				b, k = sealed.Bytes(), other
			}
			if _, err := read(b, k); !errors.Is(err, errSealed) {
				t.Errorf("size %d, %s: err = %v, want errSealed", size, name, err)
			}
		}
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1
	return c
}

func TestEncryptedBackup(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	const secret = "县里的口令"
	s, err := Open(dir+"/a", Options{Passphrase: secret})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Init("3703", "张三"); err != nil {
		t.Fatal(err)
	}
	const name = "独一无二测试村"
	if _, err := s.Create(ctx, ledger.Village{Code: "370323102201", Name: name}); err != nil {
		t.Fatal(err)
	}
	file := dir + "/a.bak"
	if err := s.BackupFile(file); err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(name)) || bytes.Contains(raw, []byte("370323102201")) {
		t.Fatal("the backup of an encrypted store holds its data in plain text")
	}
	for _, pass := range []string{"", "wrong"} {
		if _, err := Restore(dir+"/b", file, Options{Passphrase: pass}); !errors.Is(err, ErrPassphrase) {
			t.Errorf("restore with passphrase %q: err = %v, want ErrPassphrase", pass, err)
		}
		if _, err := os.Stat(dir + "/b"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("restore with passphrase %q left %s behind", pass, dir+"/b")
		}
	}
	if _, err := Restore(dir+"/b", file, Options{Passphrase: secret}); err != nil {
		t.Fatal(err)
	}
	r, err := Open(dir+"/b", Options{Passphrase: secret})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if v, err := r.Village("370323102201"); err != nil || v.Name != name {
		t.Fatalf("restored village = %+v, %v", v, err)
	}
}
