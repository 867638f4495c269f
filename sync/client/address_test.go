package client_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/gorilla/websocket"

	"techaid/sync/client"
)

func TestAddresses(t *testing.T) {
	for _, c := range []struct {
		in, url string
		plain   bool
	}{
		{"kjj.zibo.gov.cn", "wss://kjj.zibo.gov.cn/sync", false},
		{"kjj.zibo.gov.cn:8750", "wss://kjj.zibo.gov.cn:8750/sync", false},
		{"192.168.1.10:8750", "wss://192.168.1.10:8750/sync", false},
		{"https://kjj.zibo.gov.cn/", "wss://kjj.zibo.gov.cn/sync", false},
		{"wss://kjj.zibo.gov.cn/sync", "wss://kjj.zibo.gov.cn/sync", false},
		{"http://192.168.1.10:8750", "ws://192.168.1.10:8750/sync", true},
		{"ws://kjj.zibo.gov.cn", "ws://kjj.zibo.gov.cn/sync", true},
		{"ws://[2001:db8::1]:8750", "ws://[2001:db8::1]:8750/sync", true},
		{"ws://127.0.0.1:8750", "ws://127.0.0.1:8750/sync", false},
		{"ws://127.3.0.9:8750", "ws://127.3.0.9:8750/sync", false},
		{"http://localhost:8750", "ws://localhost:8750/sync", false},
		{"ws://[::1]:8750", "ws://[::1]:8750/sync", false},
	} {
		if got := client.URL(c.in); got != c.url {
			t.Errorf("URL(%q) = %q, want %q", c.in, got, c.url)
		}
		if got := client.Plain(c.in); got != c.plain {
			t.Errorf("Plain(%q) = %v, want %v", c.in, got, c.plain)
		}
	}
	for _, bad := range []string{"", "wss://", "ftp://kjj.zibo.gov.cn", "kjj zibo"} {
		if client.CheckAddress(bad) == nil {
			t.Errorf("CheckAddress(%q) accepted it", bad)
		}
	}
}

// The client itself refuses plain ws:// to another machine, before dialling, for good (retrying cannot
// help): whatever calls it, the token is not sent. With Plain set it dials.
func TestPlainRefusedBeforeDialling(t *testing.T) {
	st := open(t, filepath.Join(t.TempDir(), "data"))
	var dials atomic.Int32
	dialer := &websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return nil, errors.New("no network in this test")
	}}
	cfg := client.Config{URL: "ws://192.0.2.7:8750", Token: token, Store: st, Dialer: dialer}
	_, err := client.New(cfg).Once(context.Background())
	if !errors.Is(err, client.ErrPlain) || dials.Load() != 0 {
		t.Fatalf("Once to plain ws:// on another machine: %v after %d dials; want ErrPlain and no dial", err, dials.Load())
	}
	if err := client.New(cfg).Run(context.Background()); !errors.Is(err, client.ErrPlain) || dials.Load() != 0 {
		t.Fatalf("Run: %v after %d dials; want ErrPlain at once, no retries", err, dials.Load())
	}
	cfg.Plain = true
	if _, err := client.New(cfg).Once(context.Background()); errors.Is(err, client.ErrPlain) || dials.Load() != 1 {
		t.Fatalf("with Plain: %v after %d dials; want one dial", err, dials.Load())
	}
}
