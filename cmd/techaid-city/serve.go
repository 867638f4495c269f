package main

// serve: the sync websocket on the public listener, the status page and the admin calls on a loopback
// one, until the process is told to stop.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"techaid/sync/hub"
)

func (c *city) serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8750", "address to listen on")
	adminListen := fs.String("admin-listen", "127.0.0.1:0", "loopback address of the status page and the admin calls (port 0: any free port, written to DIR/serve.json)")
	cert := fs.String("tls-cert", "", "TLS certificate (PEM); with --tls-key, serve wss:// and https://")
	key := fs.String("tls-key", "", "TLS private key (PEM)")
	staleDays := fs.Int("stale-days", 7, "mark offices not heard from for this many days")
	memLimit := fs.Int("memory-limit", 256, "soft memory limit in MiB for the Go heap (the GC works harder near it); $GOMEMLIMIT wins")
	idle := fs.Duration("idle-timeout", time.Minute, "close an HTTP connection that sends no complete request for this long (a websocket session is the hub's: it pings)")
	perAddr := fs.Int("max-conns-per-address", 128, "open connections one remote address may hold (loopback is not counted); 0: no limit")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	if (*cert == "") != (*key == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together: %w", errUsage)
	}
	if *idle <= 0 {
		return fmt.Errorf("--idle-timeout %s: want a positive duration: %w", *idle, errUsage)
	}
	if err := loopbackOnly(*adminListen); err != nil {
		return err
	}
	if os.Getenv("GOMEMLIMIT") == "" && *memLimit > 0 {
		debug.SetMemoryLimit(int64(*memLimit) << 20)
	}
	st, err := c.open()
	if err != nil {
		return err
	}
	defer st.Close()
	logger := log.New(c.stderr, "", log.LstdFlags)
	h, err := hub.New(hub.Config{Store: st, App: version, StaleAfter: time.Duration(*staleDays) * 24 * time.Hour, Logger: logger})
	if err != nil {
		return err
	}
	tcp, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	ln := limitPerAddress(tcp, *perAddr, logger)
	adminLn, err := net.Listen("tcp", *adminListen)
	if err != nil {
		ln.Close()
		return err
	}
	secret := randomHex(24)
	// The public listener serves the sync websocket and nothing else; the status page (it names every
	// office and its PCs' replica ids) and the admin calls are on the loopback listener.
	srv := &http.Server{Handler: h, ErrorLog: logger}
	httpTimeouts(srv, *idle)
	adminMux := http.NewServeMux()
	adminMux.Handle("/admin/", adminHandler(h, st, secret))
	adminMux.Handle("/", h.StatusHandler())
	adminSrv := &http.Server{Handler: adminMux, ErrorLog: logger}
	httpTimeouts(adminSrv, *idle)
	scheme := "http"
	if *cert != "" {
		scheme = "https"
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	sf := serveFile{URL: scheme + "://127.0.0.1:" + port, Admin: "http://" + adminLn.Addr().String(), Secret: secret, PID: os.Getpid()}
	buf, _ := json.Marshal(sf)
	if err := os.WriteFile(c.serveFilePath(), buf, 0o600); err != nil {
		return err
	}
	defer os.Remove(c.serveFilePath())

	runCtx, stopPeers := context.WithCancel(ctx)
	defer stopPeers()
	go h.Run(runCtx, 10*time.Second)
	served := make(chan error, 2)
	go func() {
		if *cert != "" {
			served <- srv.ServeTLS(ln, *cert, *key)
		} else {
			served <- srv.Serve(ln)
		}
	}()
	go func() { served <- adminSrv.Serve(adminLn) }()
	ws := "ws"
	if *cert != "" {
		ws = "wss"
	}
	logger.Printf("techaid-city %s: serving %s (epoch %s) on %s://%s%s; status page and admin on %s/status (this host only)",
		version, st.Identity().Scope, h.Epoch(), ws, ln.Addr(), "/sync", sf.Admin)
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// Stop taking connections, end the sessions (a push being applied commits first), save, close.
	logger.Printf("techaid-city: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	_ = adminSrv.Shutdown(sctx)
	if err := h.Close(); err != nil {
		return err
	}
	logger.Printf("techaid-city: stopped")
	return nil
}

// httpTimeouts bounds what an HTTP client may hold without using it: a connection that sends no complete
// request within idle, or sits idle that long between requests, is closed, and a header is at most
// 16 KiB. A websocket session is not bound by these: gorilla/websocket clears the server's deadlines
// when it takes the connection over, and the hub then reads with its own (a hello within 10 s, a
// frame or pong within 90 s; it pings every 10 s). An admin call that takes long (a backup) lifts
// its own write deadline (adminHandler).
func httpTimeouts(srv *http.Server, idle time.Duration) {
	srv.ReadHeaderTimeout = min(10*time.Second, idle)
	srv.ReadTimeout = idle  // headers and body of a request; our bodies are at most 64 KiB
	srv.WriteTimeout = idle // a status page
	srv.IdleTimeout = idle  // between two requests on a kept-alive connection
	srv.MaxHeaderBytes = 16 << 10
}

// loopbackOnly refuses an admin address that is not a loopback IP: the admin calls and the status page
// must never face the network.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--admin-listen %q: %v: %w", addr, err, errUsage)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--admin-listen %q: the status page and admin calls are for this host only: use 127.0.0.1 or ::1 (admin 地址只能是本机回环地址): %w", addr, errUsage)
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
