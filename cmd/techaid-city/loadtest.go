package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/sync/errgroup"

	"techaid/internal/memstat"
	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/protocol"
)

// loadtest simulates many offices against a running server (started with serve on the same --data):
// it registers them, connects them all, waits until each has caught up, then has every office push
// its records at once and measures the time until every office holds every record of its scope that
// the others pushed, and the server's memory. The offices speak the protocol directly and keep no
// store: the server is what is measured.
func (c *city) loadtest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	n := fs.Int("offices", 2000, "offices to simulate")
	per := fs.Int("records", 100, "trainings each office pushes")
	file := fs.String("villages", "", "division list CSV (columns of zibo_divisions.csv)")
	dials := fs.Int("dials", 64, "connections opened at once")
	if _, err := parse(fs, c, args, 0); err != nil || *file == "" {
		return errUsage
	}
	sf, err := c.running()
	if err != nil {
		return fmt.Errorf("%w: start `techaid-city --data %s serve` first", err, c.dir)
	}
	byTown, towns, err := townships(*file)
	if err != nil {
		return err
	}
	start := time.Now()
	offices, err := c.registerOffices(*n, towns)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "registered %d offices over %d townships in %.1fs\n", *n, len(towns), time.Since(start).Seconds())
	total := planRecords(offices, byTown, *per, time.Now())

	lt := &load{offices: offices, pushAll: make(chan struct{})}
	lt.caught.Add(len(offices))
	lt.done.Add(len(offices))
	url := client.URL(strings.Replace(strings.Replace(sf.URL, "https://", "wss://", 1), "http://", "ws://", 1))
	start = time.Now()
	g, gctx := errgroup.WithContext(ctx)
	lt.connect(gctx, g, url, *dials)
	if !waitGroup(gctx, &lt.caught) {
		return g.Wait()
	}
	idle := readMemory(sf.PID)
	fmt.Fprintf(c.stdout, "%d offices connected and caught up in %.1fs; server RSS %s\n", *n, time.Since(start).Seconds(), idle)

	sample := sampleMemory(sf.PID, idle)
	t0 := time.Now()
	close(lt.pushAll)
	ok := waitGroup(gctx, &lt.done)
	peak := sample.stop()
	if !ok {
		return g.Wait()
	}
	converged := time.Duration(lt.lastDone.Load() - t0.UnixNano())
	final := readMemory(sf.PID)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(c.stdout, "all %d offices pushed %d records each and converged in %.2fs (%d records delivered, %.0f/s)\n",
		*n, *per, converged.Seconds(), total, float64(total)/converged.Seconds())
	fmt.Fprintf(c.stdout, "server: %s; during fan-out: peak anonymous %.0f MiB, last sample %s; load generator heap %.0f MiB\n",
		final, memstat.MiB(peak.anon), peak.last, float64(ms.HeapInuse)/(1<<20))
	for _, o := range offices {
		o.close()
	}
	_ = g.Wait()
	return nil
}

// townships reads a division list: the villages of each township, and the townships in file order.
func townships(file string) (map[ledger.Code][]ledger.Code, []ledger.Code, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	divs, err := ledger.ReadDivisions(f)
	f.Close()
	if err != nil {
		return nil, nil, err
	}
	byTown := map[ledger.Code][]ledger.Code{}
	var towns []ledger.Code
	for _, d := range divs {
		t := d.Village.Township()
		if byTown[t] == nil {
			towns = append(towns, t)
		}
		byTown[t] = append(byTown[t], d.Village)
	}
	return byTown, towns, nil
}

// registerOffices registers n offices, a township each in turn, through the admin endpoint, as
// `office add` would.
func (c *city) registerOffices(n int, towns []ledger.Code) ([]*simOffice, error) {
	run := strconv.FormatInt(time.Now().Unix()%100000, 36)
	offices := make([]*simOffice, n)
	for i := range offices {
		var out addResult
		err := c.admin(func(*storage.Store) error { return storage.ErrLocked }, http.MethodPost, "/admin/offices",
			addRequest{Name: fmt.Sprintf("压测%s-%04d", run, i), Scope: towns[i%len(towns)]}, &out)
		if err != nil {
			return nil, fmt.Errorf("register office %d: %w", i, err)
		}
		offices[i] = &simOffice{token: out.Token, scope: out.Office.Scope, replica: storage.NewID()}
	}
	return offices, nil
}

// planRecords makes each office's records and counts what every office should receive: the others'
// records in its township. It returns how many records are to be delivered in all.
func planRecords(offices []*simOffice, byTown map[ledger.Code][]ledger.Code, per int, now time.Time) int {
	rng := rand.New(rand.NewPCG(1, 2))
	perTown := map[ledger.Code]int{}
	for _, o := range offices {
		o.records = simTrainings(rng, o, byTown[o.scope], per, now)
		perTown[o.scope] += len(o.records)
	}
	total := 0
	for _, o := range offices {
		o.want = int64(perTown[o.scope] - len(o.records))
		total += int(o.want)
	}
	return total
}

// load is one load test's offices and its two moments: every office caught up, every office holding
// what the others pushed.
type load struct {
	offices  []*simOffice
	caught   sync.WaitGroup // an office is done with it once caught up (or failed to connect)
	pushAll  chan struct{}  // closed: every office pushes its records
	done     sync.WaitGroup // an office is done with it once it received all it should
	lastDone atomic.Int64   // when the last office was done, in Unix nanoseconds
}

// connect connects every office, at most dials at once, and runs each in g.
func (lt *load) connect(ctx context.Context, g *errgroup.Group, url string, dials int) {
	sem := make(chan struct{}, dials)
	for _, o := range lt.offices {
		g.Go(func() error {
			sem <- struct{}{}
			err := o.connect(ctx, url)
			<-sem
			if err != nil {
				lt.caught.Done()
				lt.done.Done()
				return err
			}
			return o.run(ctx, &lt.caught, lt.pushAll, &lt.done, &lt.lastDone)
		})
	}
}

// waitGroup waits for wg, or for ctx to end first (false).
func waitGroup(ctx context.Context, wg *sync.WaitGroup) bool {
	ch := make(chan struct{})
	go func() { wg.Wait(); close(ch) }()
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}

// memory is a reading of the server's memory, as printed.
type memory struct {
	fig memstat.Figures
	err error
}

func readMemory(pid int) memory {
	f, err := memstat.Of(pid)
	return memory{f, err}
}

// String is the server's resident memory now and at its peak.
func (m memory) String() string {
	if m.err != nil {
		return "RSS unknown"
	}
	mib := func(n int64) string { return fmt.Sprintf("%.0f MiB", memstat.MiB(n)) }
	// RssFile is the store's files mapped by Badger (page cache the kernel can take back); RssAnon is
	// the process's own memory.
	return fmt.Sprintf("RSS %s (anonymous %s, mapped files %s), peak %s", mib(m.fig.RSS), mib(m.fig.Anon), mib(m.fig.File), mib(m.fig.Peak))
}

// sampler reads the server's memory every 100 ms while the pushes fan out.
type sampler struct {
	quit chan struct{}
	done chan peakMemory
}

// peakMemory is what a sampler saw: the highest anonymous memory in bytes, and the last reading.
type peakMemory struct {
	anon int64
	last memory
}

func sampleMemory(pid int, first memory) *sampler {
	s := &sampler{quit: make(chan struct{}), done: make(chan peakMemory, 1)}
	go func() {
		seen := peakMemory{last: first}
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.quit:
				s.done <- seen
				return
			case <-t.C:
				cur := readMemory(pid)
				seen.anon = max(seen.anon, cur.fig.Anon)
				seen.last = cur
			}
		}
	}()
	return s
}

// stop ends the sampling and returns what it saw.
func (s *sampler) stop() peakMemory {
	close(s.quit)
	return <-s.done
}

// simOffice is one simulated office: a websocket and the protocol, no store.
type simOffice struct {
	token, replica string
	scope          ledger.Code
	records        []ledger.Record
	want           int64 // records of others to receive
	got            atomic.Int64
	conn           *websocket.Conn
	mu             sync.Mutex
}

func (o *simOffice) send(m protocol.Message) error {
	buf, err := protocol.Encode(m)
	if err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.conn.WriteMessage(websocket.TextMessage, buf)
}

func (o *simOffice) close() {
	if o.conn != nil {
		_ = o.conn.Close()
	}
}

func (o *simOffice) connect(ctx context.Context, url string) error {
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 4 << 10, WriteBufferSize: 4 << 10}
	var err error
	for attempt := range 20 {
		o.conn, _, err = d.DialContext(ctx, url, nil)
		if err == nil {
			err = o.send(protocol.Hello{Proto: protocol.Version, Schema: protocol.Schema, App: "loadtest", Replica: o.replica,
				Token: o.token, Time: time.Now().UnixMilli()})
		}
		if err == nil {
			var m protocol.Message
			if m, err = o.read(); err == nil {
				if e, ok := m.(protocol.Error); ok {
					err = e
				}
			}
		}
		var pe protocol.Error
		if err == nil || !errors.As(err, &pe) || pe.Code != protocol.CodeBusy {
			break
		}
		o.close()
		time.Sleep(time.Duration(50*(attempt+1)) * time.Millisecond)
	}
	return err
}

func (o *simOffice) read() (protocol.Message, error) {
	_, frame, err := o.conn.ReadMessage()
	if err != nil {
		return nil, err
	}
	return protocol.Decode(frame)
}

// run pulls until caught up, waits for the start, pushes, and counts what arrives.
func (o *simOffice) run(ctx context.Context, caught *sync.WaitGroup, start <-chan struct{}, done *sync.WaitGroup, last *atomic.Int64) error {
	if err := o.send(protocol.Pull{}); err != nil {
		return err
	}
	ids := make(map[string]bool, len(o.records))
	for _, r := range o.records {
		ids[r.ID] = true
	}
	frames := make(chan lightChanges, 16)
	errc := make(chan error, 1)
	go func() {
		for {
			_, frame, err := o.conn.ReadMessage()
			if err != nil {
				errc <- err
				return
			}
			var m lightChanges
			if err := json.Unmarshal(frame, &m); err != nil {
				errc <- err
				return
			}
			frames <- m
		}
	}()
	isCaught, finished := false, false
	pushed := false
	for {
		var startCh <-chan struct{}
		if isCaught && !pushed {
			startCh = start
		}
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if finished {
				return nil
			}
			return fmt.Errorf("office %s: %w", o.scope, err)
		case <-startCh:
			pushed = true
			seqs := make([]uint64, len(o.records))
			for i := range seqs {
				seqs[i] = uint64(i + 1)
			}
			if err := o.send(protocol.Push{From: 1, To: uint64(len(o.records)), Seqs: seqs, Records: o.records}); err != nil {
				return err
			}
		case m := <-frames:
			switch m.T {
			case protocol.TError:
				return fmt.Errorf("office %s: hub error %s", o.scope, m.Message)
			case protocol.TChanges:
				for _, r := range m.Records {
					if r.Kind == ledger.KindTraining && !ids[r.ID] {
						o.got.Add(1)
					}
				}
				if m.CaughtUp && !isCaught {
					isCaught = true
					caught.Done()
				}
			}
			if pushed && !finished && o.got.Load() >= o.want {
				finished = true
				last.Store(max(last.Load(), time.Now().UnixNano()))
				done.Done()
			}
		}
	}
}

// lightChanges reads only what the load generator counts.
type lightChanges struct {
	T        protocol.Type `json:"t"`
	CaughtUp bool          `json:"caught_up"`
	Message  string        `json:"message"`
	Records  []struct {
		Kind ledger.Kind `json:"kind"`
		ID   string      `json:"id"`
	} `json:"records"`
}

// simTrainings makes n trainings in the office's villages, as records with versions.
func simTrainings(rng *rand.Rand, o *simOffice, villages []ledger.Code, n int, now time.Time) []ledger.Record {
	ts := ledger.SampleTrainings(rng, n, now.Year(), now, villages, []string{"loadtest-advisor"}, storage.NewID)
	out := make([]ledger.Record, n)
	base := ledger.MakeStamp(now.UnixMilli(), 0)
	for i, t := range ts {
		rec := ledger.Record{Kind: ledger.KindTraining, ID: t.ID, Fields: map[string]ledger.Field{}}
		v := ledger.Version{VersionID: ledger.VersionID{Stamp: base + ledger.Stamp(i), Replica: o.replica}, Author: "压测", Office: o.scope}
		for name, value := range ledger.Values(t) {
			if value != "" && name != "id" {
				rec.Fields[name] = ledger.Field{Value: value, Version: v}
			}
		}
		out[i] = rec
	}
	return out
}
