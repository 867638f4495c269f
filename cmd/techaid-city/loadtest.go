package main

import (
	"bytes"
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
	raw, err := os.ReadFile(c.serveFilePath())
	if err != nil {
		return fmt.Errorf("no server is running on %s: start `techaid-city --data %s serve` first", c.dir, c.dir)
	}
	var sf serveFile
	if err := json.Unmarshal(raw, &sf); err != nil {
		return err
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	divs, err := ledger.ReadDivisions(f)
	f.Close()
	if err != nil {
		return err
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

	// Register the offices through the admin endpoint, as `office add` would.
	start := time.Now()
	run := strconv.FormatInt(time.Now().Unix()%100000, 36)
	offices := make([]*simOffice, *n)
	for i := range offices {
		var out addResult
		err := c.admin(func(*storage.Store) error { return storage.ErrLocked }, http.MethodPost, "/admin/offices",
			addRequest{Name: fmt.Sprintf("压测%s-%04d", run, i), Scope: towns[i%len(towns)]}, &out)
		if err != nil {
			return fmt.Errorf("register office %d: %w", i, err)
		}
		offices[i] = &simOffice{token: out.Token, scope: out.Office.Scope, replica: storage.NewID()}
	}
	fmt.Fprintf(c.stdout, "registered %d offices over %d townships in %.1fs\n", *n, len(towns), time.Since(start).Seconds())

	// Each office's records, and what every office should receive: the others' records in its township.
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now()
	perTown := map[ledger.Code]int{}
	for _, o := range offices {
		o.records = simTrainings(rng, o, byTown[o.scope], *per, now)
		perTown[o.scope] += len(o.records)
	}
	for _, o := range offices {
		o.want = int64(perTown[o.scope] - len(o.records))
	}

	url := client.URL(strings.Replace(strings.Replace(sf.URL, "https://", "wss://", 1), "http://", "ws://", 1))
	start = time.Now()
	var caught sync.WaitGroup
	caught.Add(len(offices))
	pushAll := make(chan struct{})
	var done sync.WaitGroup
	done.Add(len(offices))
	var lastDone atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	sem := make(chan struct{}, *dials)
	for _, o := range offices {
		g.Go(func() error {
			sem <- struct{}{}
			err := o.connect(gctx, url)
			<-sem
			if err != nil {
				caught.Done()
				done.Done()
				return err
			}
			return o.run(gctx, &caught, pushAll, &done, &lastDone)
		})
	}
	waitCh := func(wg *sync.WaitGroup) <-chan struct{} {
		ch := make(chan struct{})
		go func() { wg.Wait(); close(ch) }()
		return ch
	}
	select {
	case <-waitCh(&caught):
	case <-gctx.Done():
		return g.Wait()
	}
	connected := time.Since(start)
	hubIdle := procStatus(sf.PID)
	fmt.Fprintf(c.stdout, "%d offices connected and caught up in %.1fs; server RSS %s\n", *n, connected.Seconds(), hubIdle)

	var peak atomic.Value
	var peakAnon atomic.Int64
	peak.Store(hubIdle)
	stopSample := make(chan struct{})
	go func() { // the server's peak RSS while the pushes fan out
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopSample:
				return
			case <-t.C:
				cur := procStatus(sf.PID)
				if a := anonMiB(cur); a > peakAnon.Load() {
					peakAnon.Store(a)
				}
				peak.Store(cur)
			}
		}
	}()
	t0 := time.Now()
	close(pushAll)
	select {
	case <-waitCh(&done):
	case <-gctx.Done():
		close(stopSample)
		return g.Wait()
	}
	converged := time.Duration(lastDone.Load() - t0.UnixNano())
	close(stopSample)
	final := procStatus(sf.PID)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	total := 0
	for _, o := range offices {
		total += int(o.want)
	}
	fmt.Fprintf(c.stdout, "all %d offices pushed %d records each and converged in %.2fs (%d records delivered, %.0f/s)\n",
		*n, *per, converged.Seconds(), total, float64(total)/converged.Seconds())
	fmt.Fprintf(c.stdout, "server: %s; during fan-out: peak anonymous %d MiB, last sample %s; load generator heap %.0f MiB\n",
		final, peakAnon.Load(), peak.Load(), float64(ms.HeapInuse)/(1<<20))
	for _, o := range offices {
		o.close()
	}
	_ = g.Wait()
	return nil
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

// procStatus is a process's resident memory now and at its peak, from /proc (Linux).
func procStatus(pid int) string {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "RSS unknown"
	}
	v := map[string]string{}
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if f := strings.Fields(string(line)); len(f) >= 2 {
			v[strings.TrimSuffix(f[0], ":")] = f[1]
		}
	}
	kb := func(s string) string { n, _ := strconv.Atoi(s); return fmt.Sprintf("%.0f MiB", float64(n)/1024) }
	// RssFile is the store's files mapped by Badger (page cache the kernel can take back); RssAnon is
	// the process's own memory.
	return fmt.Sprintf("RSS %s (anonymous %s, mapped files %s), peak %s", kb(v["VmRSS"]), kb(v["RssAnon"]), kb(v["RssFile"]), kb(v["VmHWM"]))
}

// anonMiB reads the anonymous MiB back out of a procStatus line.
func anonMiB(status string) int64 {
	_, rest, ok := strings.Cut(status, "anonymous ")
	if !ok {
		return 0
	}
	n, _ := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
	return n
}
