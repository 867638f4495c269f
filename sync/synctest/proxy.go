package synctest

import (
	"maps"
	"math"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// FaultKind is what a Proxy does to one connection.
type FaultKind int

// The faults a Proxy can play on a connection.
const (
	Pass     FaultKind = iota // forward both ways untouched (with Delay, if set)
	Drop                      // close the office's side at once, before a byte reaches the hub
	Truncate                  // forward After bytes in one direction, then close both sides (FIN): a frame cut short
	Reset                     // as Truncate, but abort both sides with RST (SetLinger(0)): a cable pulled
)

func (k FaultKind) String() string {
	return [...]string{"pass", "drop", "truncate", "reset"}[k]
}

// Fault is the fate of one connection through a Proxy.
type Fault struct {
	Kind  FaultKind
	After int64         // Truncate, Reset: bytes forwarded in the counted direction before the cut
	Down  bool          // count hub → office bytes (a pull cut short) instead of office → hub (a push)
	Delay time.Duration // wait before forwarding each chunk read, either way
}

// FaultStats counts what a Proxy did.
type FaultStats struct {
	Conns int               // connections accepted
	Kinds map[FaultKind]int // connections by the fault played
	Cut   map[FaultKind]int // connections that met their fault: every Drop, Truncate and Reset ones that reached their cut point
}

// Proxy is a TCP proxy on 127.0.0.1 in front of a hub: it stands for the network between an office and
// the city. It plays a Fault on each connection: those queued with Next first, then, while Random is
// set, a random one drawn from a seeded source, so that a run can be replayed (connections are numbered
// in the order they are accepted); without either it passes everything through. Hold stalls the uplink
// while the downlink flows, and it counts the bytes each way.
type Proxy struct {
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
	gate   chan struct{} // while not nil, office → hub bytes wait for it to close (Hold)

	up, down atomic.Int64 // bytes forwarded from the office to the hub, and from the hub to the office
	held     atomic.Int32 // reads of the office's bytes waiting at the gate
}

const pcgStream = 0x7465636861696421 // "techaid!"

// StartFaultProxy forwards 127.0.0.1:random to target (host:port) until the test ends; seed drives the
// random faults.
func StartFaultProxy(t testing.TB, target string, seed uint64) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	p := &Proxy{URL: "ws://" + ln.Addr().String(), ln: ln, target: target,
		rng: rand.New(rand.NewPCG(seed, pcgStream)), open: map[net.Conn]bool{},
		stats: FaultStats{Kinds: map[FaultKind]int{}, Cut: map[FaultKind]int{}}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// StartProxy forwards 127.0.0.1:random to target (host:port) until the test ends, cutting connections:
// the i-th is cut (both directions, at once) when cuts[i] bytes have gone from the office to the hub,
// and those after the last cut pass untouched. It stands for a cable pulled in the middle of a sync.
func StartProxy(t testing.TB, target string, cuts ...int64) *Proxy {
	t.Helper()
	p := StartFaultProxy(t, target, 0)
	for _, after := range cuts {
		p.Next(Fault{Kind: Truncate, After: after})
	}
	return p
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

// wait waits at the gate while the uplink is held.
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

// Conns is the number of connections accepted so far.
func (p *Proxy) Conns() int { return p.Stats().Conns }

// Cut is the number of connections cut so far (dropped, truncated or reset).
func (p *Proxy) Cut() int {
	n := 0
	for _, c := range p.Stats().Cut {
		n += c
	}
	return n
}

// Next queues faults for the next connections, in order.
func (p *Proxy) Next(fs ...Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queue = append(p.queue, fs...)
}

// Random makes every connection not covered by Next draw its fault from pick, with the proxy's seeded
// source; nil passes them through.
func (p *Proxy) Random(pick func(r *rand.Rand) Fault) {
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
func (p *Proxy) Seed(seed uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rng = rand.New(rand.NewPCG(seed, pcgStream))
}

// Stats reports what the proxy did so far.
func (p *Proxy) Stats() FaultStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return FaultStats{Conns: p.stats.Conns, Kinds: maps.Clone(p.stats.Kinds), Cut: maps.Clone(p.stats.Cut)}
}

// Close stops the proxy and drops every connection; bytes held by Hold are let go, so that it never
// waits for a Release that will not come.
func (p *Proxy) Close() {
	_ = p.ln.Close()
	p.mu.Lock()
	p.closed = true
	if p.gate != nil {
		close(p.gate)
		p.gate = nil
	}
	for c := range p.open {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// next takes the fault of a new connection and registers its two ends; false if the proxy is closed.
func (p *Proxy) next(down, up net.Conn) (Fault, bool) {
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
		go p.pipe(up, down, true, f.Delay, limit(!f.Down), f.Kind == Reset, end)
		go p.pipe(down, up, false, f.Delay, limit(f.Down), f.Kind == Reset, end)
	}
}

func (p *Proxy) forget(down, up net.Conn) {
	p.mu.Lock()
	delete(p.open, down)
	delete(p.open, up)
	p.mu.Unlock()
}

// pipe copies from src to dst, the office's bytes to the hub (uplink) or the hub's to the office; with
// limit ≥ 0 it stops after limit bytes and ends the connection (with RST if abort), counting a cut.
func (p *Proxy) pipe(dst, src net.Conn, uplink bool, delay time.Duration, limit int64, abort bool, end func(abort bool)) {
	defer p.wg.Done()
	count := &p.down
	if uplink {
		count = &p.up
	}
	buf := make([]byte, 32<<10)
	var sent int64
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if uplink {
				p.wait()
			}
			if delay > 0 {
				time.Sleep(delay)
			}
			if limit >= 0 && sent+int64(n) >= limit {
				k, _ := dst.Write(buf[:limit-sent])
				count.Add(int64(k))
				kind := Truncate
				if abort {
					kind = Reset
				}
				p.mu.Lock()
				p.stats.Cut[kind]++
				p.mu.Unlock()
				end(abort)
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				end(false)
				return
			}
			sent += int64(n)
			count.Add(int64(n))
		}
		if err != nil {
			end(false) // EOF or error: the websocket never half-closes, so end both ways
			return
		}
	}
}
