package synctest

import (
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Proxy is a TCP proxy in front of a hub that cuts connections: the i-th connection is cut (both
// directions, at once) when Cuts[i] bytes have gone from the office to the hub; connections after the
// last cut pass untouched. It stands for a cable pulled in the middle of a sync.
type Proxy struct {
	URL    string // ws://127.0.0.1:port, for client.Config.URL
	ln     net.Listener
	target string
	cuts   []int64
	mu     sync.Mutex
	n      int // connections accepted
	cut    int // connections cut
	open   map[net.Conn]bool
	closed bool
	wg     sync.WaitGroup
	gate   chan struct{} // while not nil, office → hub bytes wait for it to close (Hold)
	up     atomic.Int64  // bytes forwarded from the office to the hub
	down   atomic.Int64  // bytes forwarded from the hub to the office
	held   atomic.Int32  // reads of the office's bytes waiting at the gate
}

// Hold stops bytes from the office to the hub (they wait in the proxy) until Release: an uplink that
// has stalled while the downlink still flows.
func (p *Proxy) Hold() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gate == nil {
		p.gate = make(chan struct{})
	}
}

// Release lets the held bytes through.
func (p *Proxy) Release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gate != nil {
		close(p.gate)
		p.gate = nil
	}
}

func (p *Proxy) wait() {
	p.mu.Lock()
	g := p.gate
	p.mu.Unlock()
	if g != nil {
		p.held.Add(1)
		<-g
		p.held.Add(-1)
	}
}

// Held is how many reads of the office's bytes wait at the gate: something the office sent is held.
func (p *Proxy) Held() int { return int(p.held.Load()) }

// Up and Down are the bytes forwarded so far from the office to the hub and from the hub to the office
// (websocket frames and all).
func (p *Proxy) Up() int64   { return p.up.Load() }
func (p *Proxy) Down() int64 { return p.down.Load() }

// StartProxy forwards 127.0.0.1:random to target (host:port) until the test ends.
func StartProxy(t testing.TB, target string, cuts ...int64) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	p := &Proxy{URL: "ws://" + ln.Addr().String(), ln: ln, target: target, cuts: cuts, open: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// Conns is the number of connections accepted so far.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// Cut is the number of connections cut so far.
func (p *Proxy) Cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cut
}

// Close stops the proxy and drops every connection.
func (p *Proxy) Close() {
	_ = p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.open {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		down, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = down.Close()
			continue
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			_ = down.Close()
			_ = up.Close()
			return
		}
		limit := int64(-1)
		if p.n < len(p.cuts) {
			limit = p.cuts[p.n]
		}
		p.n++
		p.open[down], p.open[up] = true, true
		p.mu.Unlock()
		closeBoth := func() {
			p.mu.Lock()
			delete(p.open, down)
			delete(p.open, up)
			p.mu.Unlock()
			_ = down.Close()
			_ = up.Close()
		}
		p.wg.Add(2)
		go func() { // hub → office, untouched
			defer p.wg.Done()
			_, _ = io.Copy(down, counting{up, &p.down})
			closeBoth()
		}()
		go func() { // office → hub, cut after limit bytes
			defer p.wg.Done()
			defer closeBoth()
			buf := make([]byte, 32<<10)
			var sent int64
			for {
				n, err := down.Read(buf)
				if n > 0 {
					p.wait()
					if limit >= 0 && sent+int64(n) >= limit {
						_, _ = up.Write(buf[:limit-sent])
						p.mu.Lock()
						p.cut++
						p.mu.Unlock()
						return
					}
					if _, werr := up.Write(buf[:n]); werr != nil {
						return
					}
					sent += int64(n)
					p.up.Add(int64(n))
				}
				if err != nil {
					return
				}
			}
		}()
	}
}

// counting is a reader that adds what it reads to n.
type counting struct {
	r io.Reader
	n *atomic.Int64
}

func (c counting) Read(b []byte) (int, error) {
	k, err := c.r.Read(b)
	c.n.Add(int64(k))
	return k, err
}

// FaultKind is what a FaultProxy does to one connection.
type FaultKind int

// The faults a FaultProxy can play on a connection.
const (
	Pass     FaultKind = iota // forward both ways untouched (with Delay, if set)
	Drop                      // close the office's side at once, before a byte reaches the hub
	Truncate                  // forward After bytes in one direction, then close both sides (FIN): a frame cut short
	Reset                     // as Truncate, but abort both sides with RST (SetLinger(0)): a cable pulled
)

func (k FaultKind) String() string {
	return [...]string{"pass", "drop", "truncate", "reset"}[k]
}

// Fault is the fate of one connection through a FaultProxy.
type Fault struct {
	Kind  FaultKind
	After int64         // Truncate, Reset: bytes forwarded in the counted direction before the cut
	Down  bool          // count hub → office bytes (a pull cut short) instead of office → hub (a push)
	Delay time.Duration // wait before forwarding each chunk read, either way
}

// FaultStats counts what a FaultProxy did.
type FaultStats struct {
	Conns int               // connections accepted
	Kinds map[FaultKind]int // connections by the fault played
	Cut   map[FaultKind]int // connections that met their fault: every Drop, Truncate and Reset ones that reached their cut point
}

// FaultProxy is a TCP proxy on 127.0.0.1 in front of a hub that plays a Fault on each connection: those
// queued with Next first, then, while Random is set, a random one drawn from a seeded source, so that a
// run can be replayed (connections are numbered in the order they are accepted). Without either it
// passes everything through.
type FaultProxy struct {
	URL    string // ws://127.0.0.1:port, for client.Config.URL
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu     sync.Mutex
	rng    *rand.Rand
	queue  []Fault
	random func(r *rand.Rand) Fault
	stats  FaultStats
	open   map[net.Conn]bool
	closed bool
}

const pcgStream = 0x7465636861696421 // "techaid!"

// StartFaultProxy forwards 127.0.0.1:random to target (host:port) until the test ends; seed drives the
// random faults.
func StartFaultProxy(t testing.TB, target string, seed uint64) *FaultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("fault proxy: %v", err)
	}
	p := &FaultProxy{URL: "ws://" + ln.Addr().String(), ln: ln, target: target,
		rng: rand.New(rand.NewPCG(seed, pcgStream)), open: map[net.Conn]bool{},
		stats: FaultStats{Kinds: map[FaultKind]int{}, Cut: map[FaultKind]int{}}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// Next queues faults for the next connections, in order.
func (p *FaultProxy) Next(fs ...Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queue = append(p.queue, fs...)
}

// Random makes every connection not covered by Next draw its fault from pick, with the proxy's seeded
// source; nil passes them through.
func (p *FaultProxy) Random(pick func(r *rand.Rand) Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.random = pick
}

// RandomCuts is a pick for Random: a connection is cut with probability rate, by Truncate or Reset
// (even odds) in a direction chosen at even odds, after 1 to max bytes drawn log-uniformly (as often
// within the first kilobyte, in the hello and welcome, as deep inside a large batch); one in ten of the
// cut ones is dropped instead.
func RandomCuts(rate float64, max int64) func(r *rand.Rand) Fault {
	return func(r *rand.Rand) Fault {
		if r.Float64() >= rate {
			return Fault{Kind: Pass}
		}
		if r.IntN(10) == 0 {
			return Fault{Kind: Drop}
		}
		after := int64(math.Exp(r.Float64() * math.Log(float64(max))))
		return Fault{Kind: Truncate + FaultKind(r.IntN(2)), After: after, Down: r.IntN(2) == 0}
	}
}

// Seed restarts the random faults from seed, so that a part of a run can be replayed on its own.
func (p *FaultProxy) Seed(seed uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rng = rand.New(rand.NewPCG(seed, pcgStream))
}

// Stats reports what the proxy did so far.
func (p *FaultProxy) Stats() FaultStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return FaultStats{Conns: p.stats.Conns, Kinds: maps.Clone(p.stats.Kinds), Cut: maps.Clone(p.stats.Cut)}
}

// Close stops the proxy and drops every connection.
func (p *FaultProxy) Close() {
	_ = p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.open {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// next takes the fault of a new connection and registers its two ends; false if the proxy is closed.
func (p *FaultProxy) next(down, up net.Conn) (Fault, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return Fault{}, false
	}
	var f Fault
	switch {
	case len(p.queue) > 0:
		f, p.queue = p.queue[0], p.queue[1:]
	case p.random != nil:
		f = p.random(p.rng)
	}
	p.stats.Conns++
	p.stats.Kinds[f.Kind]++
	if f.Kind == Drop {
		p.stats.Cut[Drop]++
	}
	p.open[down] = true
	if up != nil {
		p.open[up] = true
	}
	return f, true
}

func (p *FaultProxy) accept() {
	defer p.wg.Done()
	for {
		down, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = down.Close()
			continue
		}
		f, ok := p.next(down, up)
		if !ok || f.Kind == Drop {
			_ = down.Close()
			_ = up.Close()
			if !ok {
				return
			}
			p.forget(down, up)
			continue
		}
		var once sync.Once
		end := func(abort bool) {
			once.Do(func() {
				if abort {
					for _, c := range []net.Conn{down, up} {
						if tc, ok := c.(*net.TCPConn); ok {
							_ = tc.SetLinger(0) // close sends RST, not FIN
						}
					}
				}
				_ = down.Close()
				_ = up.Close()
				p.forget(down, up)
			})
		}
		limit := func(counted bool) int64 {
			if counted && (f.Kind == Truncate || f.Kind == Reset) {
				return f.After
			}
			return -1
		}
		p.wg.Add(2)
		go p.pipe(up, down, f.Delay, limit(!f.Down), f.Kind == Reset, end)
		go p.pipe(down, up, f.Delay, limit(f.Down), f.Kind == Reset, end)
	}
}

func (p *FaultProxy) forget(down, up net.Conn) {
	p.mu.Lock()
	delete(p.open, down)
	delete(p.open, up)
	p.mu.Unlock()
}

// pipe copies from src to dst; with limit ≥ 0 it stops after limit bytes and ends the connection (with
// RST if abort), counting a cut.
func (p *FaultProxy) pipe(dst, src net.Conn, delay time.Duration, limit int64, abort bool, end func(abort bool)) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	var sent int64
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if delay > 0 {
				time.Sleep(delay)
			}
			if limit >= 0 && sent+int64(n) >= limit {
				_, _ = dst.Write(buf[:limit-sent])
				p.mu.Lock()
				p.stats.Cut[map[bool]FaultKind{false: Truncate, true: Reset}[abort]]++
				p.mu.Unlock()
				end(abort)
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				end(false)
				return
			}
			sent += int64(n)
		}
		if err != nil {
			end(false) // EOF or error: the websocket never half-closes, so end both ways
			return
		}
	}
}
