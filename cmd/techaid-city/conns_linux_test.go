package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"techaid/sync/synctest"
)

// An admin call that takes longer than --idle-timeout is not cut: a backup read slowly (a small
// receive buffer, 16 KiB every 5 ms) over several timeouts arrives whole and complete.
func TestLongAdminCall(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("sets the socket's receive buffer")
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "city")
	tok := addOffice(t, dir, "3703", "市局")
	const idle = 500 * time.Millisecond
	srv := &server{proc: start(t, cityBin, dir, "serve", "--listen", "127.0.0.1:0", "--idle-timeout", idle.String())}
	synctest.Eventually(t, "serve.json", func() bool {
		raw, err := os.ReadFile(filepath.Join(dir, "serve.json"))
		return err == nil && decodeServeFile(raw, &srv.sf)
	})
	// A hub store of several MiB, more than the kernel's socket buffers hold: the server is still
	// writing when the timeout passes.
	office := filepath.Join(t.TempDir(), "city-pc")
	succeeded(t, officeRun(t, office, "init", "--scope", "3703", "--clerk", "刘洋"))
	succeeded(t, officeRun(t, office, "seed", "--villages", zibo(t), "--advisors", "30", "--trainings", "5000"))
	succeeded(t, officeRun(t, office, "sync", "--city", "ws://"+strings.TrimPrefix(srv.sf.URL, "http://"), "--token-file", tokenFile(t, tok), "--once"))
	dialer := &net.Dialer{Control: func(network, address string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}
	cl := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext, DisableCompression: true}}
	req, _ := http.NewRequest(http.MethodGet, srv.sf.adminURL()+"/admin/backup", nil)
	req.Header.Set("Authorization", "Bearer "+srv.sf.Secret)
	began := time.Now()
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var n int64
	buf := make([]byte, 16<<10)
	for {
		k, err := io.ReadFull(resp.Body, buf)
		n += int64(k)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			t.Fatalf("the backup was cut after %d bytes and %s: %v", n, time.Since(began).Round(time.Millisecond), err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	took := time.Since(began)
	if got := resp.Trailer.Get(backupTrailer); got != "complete" {
		t.Fatalf("the backup's trailer after %d bytes and %s: %q", n, took, got)
	}
	if took < 2*idle {
		t.Fatalf("the backup (%d bytes) took %s, under two idle timeouts: the test did not reach what it checks", n, took)
	}
	t.Logf("a %d-byte backup read in %s with --idle-timeout %s", n, took.Round(time.Millisecond), idle)
}
