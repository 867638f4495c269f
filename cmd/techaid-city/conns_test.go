package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"techaid/sync/synctest"
)

// openFDs counts the open file descriptors of a process (Linux).
func openFDs(t *testing.T, pid int) int {
	t.Helper()
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatalf("count the server's open files: %v", err)
	}
	return len(ents)
}

// closedByPeer waits until the server closes c: a read returns EOF or a reset. It fails the test if c
// is still open after limit (a wait far beyond the server's timeout, not a timing assertion).
func closedByPeer(c net.Conn, limit time.Duration) error {
	_ = c.SetReadDeadline(time.Now().Add(limit))
	_, err := io.Copy(io.Discard, c)
	if err == nil { // EOF
		return nil
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return fmt.Errorf("still open after %s", limit)
	}
	return nil // reset by the server
}

// Idle connections are closed, a live office is not: a client that connects and says nothing, or makes
// one request and then sits on the connection, is cut after --idle-timeout, while a city replica that
// stays connected (sync without --once) keeps its one session through many timeouts and receives a
// township's training pushed meanwhile. The server's open files come back down to where they were.
func TestIdleConnections(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("counts open files through /proc")
	}
	t.Parallel()
	divisions := zibo(t)
	dir := filepath.Join(t.TempDir(), "city")
	cityTok := addOffice(t, dir, "3703", "市局")
	luTok := addOffice(t, dir, "370323102", "鲁村镇")
	const idle = 2 * time.Second
	srv := &server{proc: start(t, cityBin, dir, "serve", "--listen", "127.0.0.1:0", "--idle-timeout", idle.String())}
	synctest.Eventually(t, "serve.json", func() bool {
		raw, err := os.ReadFile(filepath.Join(dir, "serve.json"))
		return err == nil && decodeServeFile(raw, &srv.sf)
	})
	addr := strings.TrimPrefix(srv.sf.URL, "http://")
	ws := "ws://" + addr

	cityPC := filepath.Join(t.TempDir(), "city-pc")
	succeeded(t, officeRun(t, cityPC, "init", "--scope", "3703", "--clerk", "刘洋"))
	live := start(t, cliBin, cityPC, "sync", "--city", ws, "--token-file", tokenFile(t, cityTok))
	synctest.Eventually(t, "the city replica up to date", func() bool { return strings.Contains(live.output(t), "已送达市局") })
	before := openFDs(t, srv.cmd.Process.Pid)

	// 150 connections that say nothing, 150 that make one request and keep the connection.
	const silent, oneRequest = 150, 150
	var conns []net.Conn
	for i := 0; i < silent+oneRequest; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		defer c.Close()
		if i >= silent {
			fmt.Fprintf(c, "GET /status.json HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("connection %d: a request: %v", i, err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.Close {
				t.Fatalf("connection %d: the server did not keep the connection after one request", i)
			}
		}
		conns = append(conns, c)
	}
	held := openFDs(t, srv.cmd.Process.Pid)
	if held < before+silent+oneRequest {
		t.Fatalf("the server holds %d files with %d idle connections open, %d before: the test did not reach it", held, silent+oneRequest, before)
	}
	went := time.Now()
	for i, c := range conns {
		if err := closedByPeer(c, 60*time.Second); err != nil {
			t.Fatalf("idle connection %d (%s): %v", i, map[bool]string{true: "silent", false: "after one request"}[i < silent], err)
		}
	}
	t.Logf("%d idle connections closed by the server %s after they went idle (--idle-timeout %s); open files %d → %d → %d",
		len(conns), time.Since(went).Round(100*time.Millisecond), idle, before, held, openFDs(t, srv.cmd.Process.Pid))
	synctest.Eventually(t, "the server's open files back down", func() bool { return openFDs(t, srv.cmd.Process.Pid) <= before })

	// The live session outlasted several timeouts, and it still carries changes.
	time.Sleep(2 * idle)
	lucun := filepath.Join(t.TempDir(), "lucun")
	succeeded(t, officeRun(t, lucun, "init", "--scope", "370323102", "--clerk", "张敏"))
	succeeded(t, officeRun(t, lucun, "import", "villages", divisions))
	id := strings.TrimSpace(succeeded(t, officeRun(t, lucun, "training", "add", "--village", "370323102201",
		"--date", "2026-11-20", "--kind", "技术培训", "--topic", "苹果树冬季修剪", "--attendees", "32")))
	succeeded(t, officeRun(t, lucun, "sync", "--city", ws, "--token-file", tokenFile(t, luTok), "--once"))
	synctest.Eventually(t, "the training at the live city replica", func() bool {
		return strings.Contains(live.output(t), "接收") || strings.Contains(live.output(t), "离线")
	})
	if st := officeStatus(t, srv.status(t), "市局"); st.Connected != 1 {
		t.Errorf("the city replica's session: %+v", st)
	}
	out := live.output(t)
	if strings.Contains(out, "离线") || strings.Count(out, "正在连接") != 1 {
		t.Errorf("the live session was cut (it went offline or connected again):\n%s", out)
	}
	if code := live.stop(t); code != 0 {
		t.Fatalf("sync exited %d:\n%s", code, live.output(t))
	}
	contains(t, "the city replica holds the training pushed while it was live",
		succeeded(t, officeRun(t, cityPC, "show", id)), "苹果树冬季修剪")
}

// tokenFile writes an office's token to a file for --token-file: a token is never a process argument.
func tokenFile(t *testing.T, token string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "office.token")
	if err := os.WriteFile(f, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func decodeServeFile(raw []byte, sf *serveFile) bool {
	return json.Unmarshal(raw, sf) == nil && sf.URL != ""
}

// The per-address cap on real sockets: the max+1st connection from one address is closed at once, a
// closed connection gives its place back, and another address is not affected.
func TestPerAddressCap(t *testing.T) {
	t.Parallel()
	const max = 5
	var logged strings.Builder
	addr, ln := echoServer(t, max, true, log.New(&logged, "", 0))
	echoes := func(c net.Conn) bool {
		_ = c.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := c.Write([]byte("x")); err != nil {
			return false
		}
		b := make([]byte, 1)
		_, err := io.ReadFull(c, b)
		return err == nil
	}
	dial := func(addr string) net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	var held []net.Conn
	for i := 0; i < max; i++ {
		c := dial(addr)
		if !echoes(c) {
			t.Fatalf("connection %d of %d refused", i+1, max)
		}
		held = append(held, c)
	}
	if c := dial(addr); echoes(c) {
		t.Fatalf("connection %d from one address served, want it closed (cap %d)", max+1, max)
	}
	ln.mu.Lock()
	if !strings.Contains(logged.String(), "127.0.0.1") {
		t.Errorf("the refusal is not logged: %q", logged.String())
	}
	ln.mu.Unlock()
	held[0].Close()
	// The server side closes once it reads EOF; then there is room for one more.
	synctest.Eventually(t, "a place given back", func() bool {
		ln.mu.Lock()
		defer ln.mu.Unlock()
		return ln.open["127.0.0.1"] == max-1
	})
	if c := dial(addr); !echoes(c) {
		t.Fatal("after one closed, a new connection is still refused")
	}

	// Loopback is not counted unless asked: the server's own admin calls and a proxy in front.
	addr, _ = echoServer(t, max, false, log.New(io.Discard, "", 0))
	for i := 0; i < 2*max; i++ {
		if c := dial(addr); !echoes(c) {
			t.Fatalf("loopback connection %d over the cap refused", i+1)
		}
	}
}

// echoServer serves an echo on 127.0.0.1 through limitPerAddress until the test ends.
func echoServer(t *testing.T, max int, countLoopback bool, logger *log.Logger) (string, *perAddress) {
	t.Helper()
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitPerAddress(tcp, max, logger).(*perAddress)
	ln.countLoopback = countLoopback
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	return tcp.Addr().String(), ln
}
