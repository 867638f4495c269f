// Package synctest sets up real sync parts for tests and benchmarks: a hub on a real store served over
// a real websocket on 127.0.0.1, and office replicas on real stores in temp dirs, with the real Zibo
// divisions. It is imported only by tests and benchmark commands.
package synctest

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/hub"
)

// City is the city of the reference data: 淄博市.
const City ledger.Code = "3703"

// Two townships of 沂源县 and one of 淄川区, used as offices in tests.
const (
	Lucun   ledger.Code = "370323102" // 沂源县鲁村镇
	Dongli  ledger.Code = "370323103" // 沂源县东里镇
	Chezhan ledger.Code = "370303001" // 张店区车站街道
)

var (
	divOnce sync.Once
	divs    []ledger.Division
	divErr  error
)

// Divisions returns the 2,931 village-level divisions of 淄博市 from the shared reference data.
func Divisions(t testing.TB) []ledger.Division {
	t.Helper()
	divOnce.Do(func() {
		path, err := dataFile("zibo_divisions.csv")
		if err != nil {
			divErr = err
			return
		}
		f, err := os.Open(path)
		if err != nil {
			divErr = err
			return
		}
		defer f.Close()
		divs, divErr = ledger.ReadDivisions(f)
	})
	if divErr != nil {
		t.Skipf("reference data: %v", divErr)
	}
	return divs
}

// dataFile finds ../shared/data/name beside the repository root.
func dataFile(name string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "..", "shared", "data", name)
			if _, err := os.Stat(p); err != nil {
				return "", err
			}
			return p, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", fmt.Errorf("%s: no go.mod above the working directory", name)
		}
		dir = up
	}
}

// Villages returns the villages (as records) inside scope.
func Villages(t testing.TB, scope ledger.Code) []ledger.Village {
	var out []ledger.Village
	for _, d := range Divisions(t) {
		if scope.Contains(d.Village) {
			out = append(out, d.Record())
		}
	}
	return out
}

// Logger is a logger that writes to the test log (quiet unless the test fails or -v).
func Logger(t testing.TB) *log.Logger {
	return log.New(testWriter{t}, "", log.Lmicroseconds)
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p[:len(p)-1]))
	return len(p), nil
}

// Open opens a store in dir, initialised with scope and clerk if new, closed when the test ends.
func Open(t testing.TB, dir string, scope ledger.Code, clerk string, opts storage.Options) *storage.Store {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = log.New(io.Discard, "", 0)
	}
	st, err := storage.Open(dir, opts)
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if st.Identity().Replica == "" {
		if err := st.Init(scope, clerk); err != nil {
			t.Fatalf("init %s: %v", scope, err)
		}
	}
	return st
}

// Hub is a running hub on a real store, served on 127.0.0.1, as techaid-city serve runs it: its own
// work (Run) beside the server.
type Hub struct {
	*hub.Hub
	Store  *storage.Store
	Dir    string
	Server *httptest.Server
	URL    string
	t      testing.TB
	stop   context.CancelFunc // ends Run
	ran    chan struct{}      // closed when Run has returned
}

// StartHub starts a hub for 淄博市 in a new temp dir, with every village imported into its store.
func StartHub(t testing.TB) *Hub {
	t.Helper()
	dir := t.TempDir()
	st := Open(t, dir, City, "市局", storage.Options{})
	var in []ledger.Entity
	for _, v := range Villages(t, City) {
		in = append(in, v)
	}
	if _, err := st.Import(context.Background(), in, nil); err != nil {
		t.Fatalf("import villages into the hub: %v", err)
	}
	return Serve(t, st, dir)
}

// StartEmptyHub starts a hub for 淄博市 with an empty store.
func StartEmptyHub(t testing.TB) *Hub {
	t.Helper()
	dir := t.TempDir()
	return Serve(t, Open(t, dir, City, "市局", storage.Options{}), dir)
}

// Serve serves a hub on st (already initialised) until the test ends.
func Serve(t testing.TB, st *storage.Store, dir string) *Hub {
	t.Helper()
	return ServeConfig(t, hub.Config{Store: st}, dir)
}

// ServeConfig serves a hub of the configuration until the test ends; its store (cfg.Store, already
// initialised, in dir) is the test's to close. App and Logger are set for the test if empty.
func ServeConfig(t testing.TB, cfg hub.Config, dir string) *Hub {
	t.Helper()
	if cfg.App == "" {
		cfg.App = "test"
	}
	if cfg.Logger == nil {
		cfg.Logger = Logger(t)
	}
	h, err := hub.New(cfg)
	if err != nil {
		t.Fatalf("hub: %v", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	hb := &Hub{Hub: h, Store: cfg.Store, Dir: dir, t: t, stop: stop, ran: make(chan struct{})}
	go func() {
		defer close(hb.ran)
		_ = h.Run(ctx)
	}()
	hb.Server = httptest.NewServer(h)
	hb.URL = hb.Server.URL
	t.Cleanup(hb.Stop)
	return hb
}

// Stop ends the hub's own work, every session and the server (idempotent).
func (h *Hub) Stop() {
	if h.Server == nil {
		return
	}
	h.stop()
	<-h.ran
	_ = h.Hub.Close()
	h.Server.CloseClientConnections()
	h.Server.Close()
	h.Server = nil
}

// Office registers an office of scope and returns its token.
func (h *Hub) Office(name string, scope ledger.Code) string {
	h.t.Helper()
	_, token, err := h.AddOffice(name, scope)
	if err != nil {
		h.t.Fatalf("add office %s: %v", name, err)
	}
	return token
}

// Replica is an office PC: a store and a client for it.
type Replica struct {
	Store  *storage.Store
	Dir    string
	Client *client.Client
	t      testing.TB
}

// NewReplica opens a new office store of scope in a temp dir, with a client for the hub at url.
func NewReplica(t testing.TB, url, token string, scope ledger.Code, clerk string, opts storage.Options) *Replica {
	t.Helper()
	return OpenReplica(t, t.TempDir(), url, token, scope, clerk, opts)
}

// OpenReplica opens the office store in dir (initialised with scope and clerk if new), with a client
// for the hub at url: how a test opens again a replica whose store it closed (to copy its data
// directory, or put an old copy back).
func OpenReplica(t testing.TB, dir, url, token string, scope ledger.Code, clerk string, opts storage.Options) *Replica {
	t.Helper()
	st := Open(t, dir, scope, clerk, opts)
	return &Replica{Store: st, Dir: dir, t: t, Client: NewClient(t, st, url, token)}
}

// NewClient makes a client with short backoffs for tests.
func NewClient(t testing.TB, st *storage.Store, url, token string) *client.Client {
	return client.New(client.Config{URL: url, Token: token, Store: st, App: "test",
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Logger: Logger(t)})
}

// Sync runs one session (push all, pull until caught up) and fails the test on error.
func (r *Replica) Sync() client.Summary {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sum, err := r.Client.Once(ctx)
	if err != nil {
		r.t.Fatalf("sync %s: %v", r.Store.Identity().Scope, err)
	}
	return sum
}

// SyncErr runs one session and returns its error (for tests that expect one).
func (r *Replica) SyncErr() (client.Summary, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return r.Client.Once(ctx)
}

// Connect replaces the replica's client with one for the hub at url (a restarted hub, a proxy).
func (r *Replica) Connect(url, token string) {
	r.Client = NewClient(r.t, r.Store, url, token)
}

// Clock is a PC's wall clock that a test can set: it reads time.Now shifted by a skew, so once set
// (to the year 2000, say) it runs on from there. Pass its Now as storage.Options.Wall.
type Clock struct{ skew atomic.Int64 }

// Now reads the clock.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.skew.Load())) }

// Set makes the clock read t now.
func (c *Clock) Set(t time.Time) { c.skew.Store(int64(time.Until(t))) }

// Records returns every live record st holds (of every kind), by id, with its field versions.
func Records(t testing.TB, st *storage.Store) map[string]ledger.Record {
	t.Helper()
	var ids []string
	vs, _ := st.Villages(query.Villages{}, nil)
	for _, v := range vs {
		ids = append(ids, string(v.Code))
	}
	for _, a := range st.Advisors(query.Advisors{}, nil) {
		ids = append(ids, a.ID)
	}
	for _, a := range st.Assignments("", "", "", nil) {
		ids = append(ids, a.ID)
	}
	var programme []ledger.Entity
	ns, _ := st.Needs(query.Needs{}, nil)
	programme = append(programme, ledger.Entities(ns)...)
	ps, _ := st.Projects(query.Projects{}, nil)
	programme = append(programme, ledger.Entities(ps)...)
	programme = append(programme, ledger.Entities(st.Varieties(query.Varieties{}, nil))...)
	is, _ := st.Introductions(query.Introductions{}, nil)
	programme = append(programme, ledger.Entities(is)...)
	ls, _ := st.Leaders(query.Leaders{}, nil)
	programme = append(programme, ledger.Entities(ls)...)
	bs, _ := st.PublicityList(query.Publicity{}, nil)
	programme = append(programme, ledger.Entities(bs)...)
	programme = append(programme, ledger.Entities(st.Parks("", nil))...)
	programme = append(programme, ledger.Entities(st.ParkPairings(query.ParkPairings{}, nil))...)
	fs, _ := st.Platforms(query.Platforms{}, nil)
	programme = append(programme, ledger.Entities(fs)...)
	for _, e := range programme {
		ids = append(ids, e.RecordID())
	}
	q := query.Trainings{Limit: 1000}
	for {
		page, err := st.Trainings(q, nil)
		if err != nil {
			t.Fatalf("list trainings: %v", err)
		}
		for _, tr := range page.Trainings {
			ids = append(ids, tr.ID)
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	out := make(map[string]ledger.Record, len(ids))
	for _, id := range ids {
		rec, err := st.Record(id)
		if err != nil {
			t.Fatalf("read %s: %v", id, err)
		}
		if _, dup := out[id]; dup {
			t.Fatalf("record %s listed twice", id)
		}
		out[id] = rec
	}
	return out
}

// Logged returns every record named in st's change log (live or deleted), as st holds it now. On the
// hub that is everything it ever imported or accepted: every record of the city.
func Logged(t testing.TB, st *storage.Store) map[string]ledger.Record {
	t.Helper()
	out := map[string]ledger.Record{}
	var after uint64
	for {
		chs, err := st.Changes(after, 1000)
		if err != nil {
			t.Fatalf("read the change log: %v", err)
		}
		if len(chs) == 0 {
			return out
		}
		for _, ch := range chs {
			after = ch.Seq
			if _, seen := out[ch.ID]; seen {
				continue
			}
			rec, err := st.Record(ch.ID)
			if err != nil {
				t.Fatalf("read %s %s of change %d: %v", ch.Kind, ch.ID, ch.Seq, err)
			}
			out[ch.ID] = rec
		}
	}
}

// InScope reports whether an office of scope holds rec: rosters always, other records if their place
// lies inside the scope.
func InScope(scope ledger.Code, rec ledger.Record) bool {
	if rec.Kind.Roster() {
		return true
	}
	e, err := ledger.Decode(rec.Kind, rec.ID, rec.Values())
	if err != nil {
		return false
	}
	p := storage.Place(e)
	return p != "" && scope.Contains(p)
}

// StartLeanHub starts a hub for 淄博市 on an empty lean store, as techaid-city runs it
// (storage.Options.Lean: no history, training indexes or tallies at the hub).
func StartLeanHub(t testing.TB) *Hub {
	t.Helper()
	dir := t.TempDir()
	return Serve(t, Open(t, dir, City, "市局", storage.Options{Lean: true}), dir)
}
