package synctest

import (
	"bytes"
	"io"
	"net"
	"testing"
)

// echo is a TCP server on 127.0.0.1 that sends back what it reads, until the test ends; each
// connection's bytes, once it ends, are sent on the channel.
func echo(t *testing.T) (string, <-chan []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	read := make(chan []byte, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = c.Close() }()
				var got bytes.Buffer
				_, _ = io.Copy(c, io.TeeReader(c, &got))
				read <- got.Bytes()
			}()
		}
	}()
	return ln.Addr().String(), read
}

func dial(t *testing.T, p *Proxy) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", p.URL[len("ws://"):])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// The first connection is cut after its cut point, both ways; the next passes whole; the bytes are
// counted each way.
func TestProxyCuts(t *testing.T) {
	addr, read := echo(t)
	p := StartProxy(t, addr, 5)
	c := dial(t, p)
	if _, err := c.Write([]byte("0123456789")); err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(c); err != nil || len(got) > 5 { // ends when the proxy cuts the connection
		t.Errorf("through the cut connection: %q, %v; want the end, after at most the 5 bytes before the cut", got, err)
	}
	if got := <-read; string(got) != "01234" {
		t.Errorf("the server read %q, want the 5 bytes before the cut", got)
	}
	Eventually(t, "one connection cut", func() bool { return p.Cut() == 1 })
	down := p.Down()

	c = dial(t, p)
	msg := bytes.Repeat([]byte("科技帮扶"), 1000)
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	back := make([]byte, len(msg))
	if _, err := io.ReadFull(c, back); err != nil || !bytes.Equal(back, msg) {
		t.Fatalf("through the second connection: %v, equal %v", err, bytes.Equal(back, msg))
	}
	if p.Conns() != 2 || p.Cut() != 1 {
		t.Errorf("%d connections, %d cut; want 2, 1", p.Conns(), p.Cut())
	}
	if p.Up() != 5+int64(len(msg)) || p.Down() != down+int64(len(msg)) {
		t.Errorf("up %d, down %d bytes; want %d, %d", p.Up(), p.Down(), 5+len(msg), down+int64(len(msg)))
	}
}

// Held bytes wait in the proxy until Release; a proxy closed while holding them does not wait for a
// Release that never comes.
func TestProxyHold(t *testing.T) {
	addr, _ := echo(t)
	p := StartProxy(t, addr)
	c := dial(t, p)
	p.Hold()
	if _, err := c.Write([]byte("held")); err != nil {
		t.Fatal(err)
	}
	Eventually(t, "the bytes held", func() bool { return p.Held() == 1 })
	if p.Up() != 0 {
		t.Errorf("%d bytes went up while held", p.Up())
	}
	p.Release()
	back := make([]byte, 4)
	if _, err := io.ReadFull(c, back); err != nil || string(back) != "held" {
		t.Fatalf("after Release: %q, %v", back, err)
	}

	p.Hold()
	if _, err := c.Write([]byte("never")); err != nil {
		t.Fatal(err)
	}
	Eventually(t, "the bytes held again", func() bool { return p.Held() == 1 })
	p.Close() // returns: the test would hang here otherwise
	if p.Held() != 0 {
		t.Errorf("%d reads still held after Close", p.Held())
	}
}
