package main

// serve: the sync websocket on the public listener, the status page and the admin calls on a loopback
// one, until the process is told to stop.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"golang.org/x/sync/errgroup"

	"techaid/sync/hub"
)

// serveOptions are serve's flags.
type serveOptions struct {
	listen, adminListen string
	cert, key           string
	staleDays, memLimit int
	idle                time.Duration
	perAddr             int
	fileMB, dayMB       int
}

func (c *city) serveOptions(args []string) (serveOptions, error) {
	var o serveOptions
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8750", "address to listen on")
	fs.StringVar(&o.adminListen, "admin-listen", "127.0.0.1:0", "loopback address of the status page and the admin calls (port 0: any free port, written to DIR/serve.json)")
	fs.StringVar(&o.cert, "tls-cert", "", "TLS certificate (PEM); with --tls-key, serve wss:// and https://")
	fs.StringVar(&o.key, "tls-key", "", "TLS private key (PEM)")
	fs.IntVar(&o.staleDays, "stale-days", 7, "mark offices not heard from for this many days")
	fs.IntVar(&o.fileMB, "evidence-file-mb", hub.DefaultEvidenceFile>>20, "largest evidence file (photo, PDF) an office may send, in MiB")
	fs.IntVar(&o.dayMB, "evidence-day-mb", hub.DefaultEvidenceDay>>20, "evidence files one office may send in a day (China time), in MiB")
	fs.IntVar(&o.memLimit, "memory-limit", 256, "soft memory limit in MiB for the Go heap (the GC works harder near it); $GOMEMLIMIT wins")
	fs.DurationVar(&o.idle, "idle-timeout", time.Minute, "close an HTTP connection that sends no complete request for this long (a websocket session is the hub's: it pings)")
	fs.IntVar(&o.perAddr, "max-conns-per-address", 128, "open connections one remote address may hold (loopback is not counted); 0: no limit")
	if _, err := parse(fs, c, args, 0); err != nil {
		return o, err
	}
	if (o.cert == "") != (o.key == "") {
		return o, fmt.Errorf("--tls-cert and --tls-key go together: %w", errUsage)
	}
	if o.idle <= 0 {
		return o, fmt.Errorf("--idle-timeout %s: want a positive duration: %w", o.idle, errUsage)
	}
	return o, loopbackOnly(o.adminListen)
}

func (c *city) serve(ctx context.Context, args []string) error {
	o, err := c.serveOptions(args)
	if err != nil {
		return err
	}
	if os.Getenv("GOMEMLIMIT") == "" && o.memLimit > 0 {
		debug.SetMemoryLimit(int64(o.memLimit) << 20)
	}
	st, err := c.open()
	if err != nil {
		return err
	}
	defer st.Close()
	logger := log.New(c.stderr, "", log.LstdFlags)
	h, err := hub.New(hub.Config{Store: st, App: version, Releases: c.releasesDir(), StaleAfter: time.Duration(o.staleDays) * 24 * time.Hour, Logger: logger,
		EvidenceFile: int64(max(1, o.fileMB)) << 20, EvidenceDay: int64(max(1, o.dayMB)) << 20})
	if err != nil {
		return err
	}
	tcp, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	ln := limitPerAddress(tcp, o.perAddr, logger)
	defer ln.Close() // a server closes its listener, but ServeTLS fails on a bad certificate before serving
	adminLn, err := net.Listen("tcp", o.adminListen)
	if err != nil {
		return err
	}
	defer adminLn.Close()
	secret := randomHex(24)
	// The public listener serves the sync websocket and, to offices showing their token, the releases
	// of the app (release add); the status page (it names every office and its PCs' replica ids) and
	// the admin calls are on the loopback listener.
	srv := &http.Server{Handler: h, ErrorLog: logger}
	httpTimeouts(srv, o.idle)
	adminMux := http.NewServeMux()
	adminMux.Handle("/admin/", adminHandler(h, st, secret))
	adminMux.Handle("/", h.StatusHandler())
	adminSrv := &http.Server{Handler: adminMux, ErrorLog: logger}
	httpTimeouts(adminSrv, o.idle)
	scheme, ws := "http", "ws"
	if o.cert != "" {
		scheme, ws = "https", "wss"
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	sf := serveFile{URL: scheme + "://127.0.0.1:" + port, Admin: "http://" + adminLn.Addr().String(), Secret: secret, PID: os.Getpid()}
	buf, _ := json.Marshal(sf)
	if err := os.WriteFile(c.serveFilePath(), buf, 0o600); err != nil {
		return err
	}
	defer os.Remove(c.serveFilePath())

	// The hub's own work and both servers run in one group until the process is told to stop or one
	// of them fails; either way the last goroutine stops taking connections, ends the sessions (a push
	// being applied commits first) and closes the hub, which saves the peers.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return h.Run(gctx) })
	g.Go(func() error {
		if o.cert != "" {
			return served(srv.ServeTLS(ln, o.cert, o.key))
		}
		return served(srv.Serve(ln))
	})
	g.Go(func() error { return served(adminSrv.Serve(adminLn)) })
	g.Go(func() error {
		<-gctx.Done()
		logger.Printf("techaid-city: shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		_ = adminSrv.Shutdown(sctx)
		return h.Close()
	})
	logger.Printf("techaid-city %s: serving %s (epoch %s) on %s://%s%s; status page and admin on %s/status (this host only)",
		version, st.Identity().Scope, h.Epoch(), ws, ln.Addr(), "/sync", sf.Admin)
	if err := g.Wait(); err != nil {
		return err
	}
	logger.Printf("techaid-city: stopped")
	return nil
}

// served is a server's error, but for the one that says it was shut down.
func served(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
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
