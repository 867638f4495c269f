package main

import (
	"log"
	"net"
	"sync"
	"time"
)

// perAddress is a listener that holds each remote address to at most max open connections: one more
// is accepted and closed at once, so that a single machine cannot pin the server's file handles and
// memory however many connections it opens. golang.org/x/net/netutil's LimitListener caps all
// connections together, which would let that machine lock every office out instead.
//
// Loopback is not counted: it is this machine (its admin commands, a reverse proxy in front of the
// server, a load test), and behind a proxy every office arrives from 127.0.0.1; a proxy caps
// per address itself (nginx: limit_conn).
//
// A connection counts until it is closed, whoever closes it: the HTTP server after a timeout, or the
// hub at the end of a websocket session (the hijacked connection is this listener's conn).
type perAddress struct {
	net.Listener
	max    int
	logger *log.Logger
	// countLoopback counts loopback connections too (tests: their clients are all on loopback).
	countLoopback bool

	mu      sync.Mutex
	open    map[string]int
	refused map[string]time.Time // last time a refusal was logged, per address
}

func limitPerAddress(ln net.Listener, max int, logger *log.Logger) net.Listener {
	if max <= 0 {
		return ln
	}
	return &perAddress{Listener: ln, max: max, logger: logger, open: map[string]int{}, refused: map[string]time.Time{}}
}

func (l *perAddress) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host := hostOf(c.RemoteAddr())
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() && !l.countLoopback {
			return c, nil
		}
		if l.take(host) {
			return &countedConn{Conn: c, release: func() { l.release(host) }}, nil
		}
		_ = c.Close()
	}
}

// take counts a connection from host, or says no (logging it at most once a minute per address).
func (l *perAddress) take(host string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[host] < l.max {
		l.open[host]++
		return true
	}
	if now := time.Now(); now.Sub(l.refused[host]) > time.Minute {
		l.refused[host] = now
		if l.logger != nil {
			l.logger.Printf("techaid-city: %s already holds %d connections; refusing more (--max-conns-per-address)", host, l.max)
		}
	}
	return false
}

func (l *perAddress) release(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[host]--; l.open[host] <= 0 {
		delete(l.open, host)
		delete(l.refused, host)
	}
}

// countedConn gives its place back once, on the first Close.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

func hostOf(a net.Addr) string {
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}
