package client

import (
	"bytes"
	"errors"
	"runtime"
	"testing"
)

// seal and unseal on this system (DPAPI on Windows, the key file elsewhere): the token comes back,
// the sealed bytes do not hold it, a changed byte or another keeper is refused. On Linux this runs in
// make test; the Windows build is compiled for Windows by the same test run (TestWindowsBuild) and was
// run under wine (see RELIABILITY.md).
func TestSealRoundTrip(t *testing.T) {
	if runtime.GOOS != "windows" {
		t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	}
	plain := []byte("k7wq2xzb-m4nt6pjr-c3vh5sdy-e2gu7lfa")
	sealed, err := seal(plain)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, plain) || bytes.Contains(sealed, plain[:8]) {
		t.Fatalf("the sealed token holds it in plain bytes: %x", sealed)
	}
	again, err := seal(plain)
	if err != nil || bytes.Equal(again, sealed) {
		t.Errorf("two seals of one token are equal (%v): a nonce is missing", err)
	}
	got, err := unseal(sealed, keeper)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("unseal: %q, %v", got, err)
	}
	bad := bytes.Clone(sealed)
	bad[len(bad)-1] ^= 1
	if _, err := unseal(bad, keeper); !errors.Is(err, ErrTokenUnreadable) {
		t.Errorf("unseal of a changed blob: %v, want ErrTokenUnreadable", err)
	}
	other := map[string]string{"dpapi": "keyfile", "keyfile": "dpapi"}[keeper]
	if _, err := unseal(sealed, other); !errors.Is(err, ErrTokenUnreadable) {
		t.Errorf("unseal of a blob sealed by %s: %v, want ErrTokenUnreadable", other, err)
	}
}
