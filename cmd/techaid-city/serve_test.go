package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"techaid/storage"
)

// freeAddr is a loopback address nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// A server that fails (here: serving TLS with certificate files that are not there) stops everything
// it started before it returns: the hub's own work, the admin server (which served on), both
// listeners; serve.json is gone and the store can be opened again. Run in this process, so that what
// is left running would still be found.
func TestServeFailureStopsEverything(t *testing.T) {
	dir := t.TempDir()
	public, admin := freeAddr(t), freeAddr(t)
	missing := filepath.Join(t.TempDir(), "none.pem")
	var stdout, stderr bytes.Buffer
	code := run([]string{"--data", dir, "serve", "--listen", public, "--admin-listen", admin, "--tls-cert", missing, "--tls-key", missing},
		&stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "none.pem") {
		t.Fatalf("serve with missing certificates: exit %d, stderr %q; want 1 and the file named", code, stderr.String())
	}
	for name, addr := range map[string]string{"public": public, "admin": admin} {
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			t.Errorf("the %s listener %s still answers after serve returned", name, addr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "serve.json")); !os.IsNotExist(err) {
		t.Errorf("serve.json left behind: %v", err)
	}
	c := &city{stdout: &stdout, stderr: &stderr, dir: dir, code: "3703"}
	if err := c.withStore(func(st *storage.Store) error { return nil }); err != nil {
		t.Errorf("the store after serve failed: %v", err)
	}
}
