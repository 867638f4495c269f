// Package hub is the city side of sync: it authenticates office replicas by token, applies their pushes
// to the city's store with the scope each token carries, serves each office the changes of its scope,
// fans new changes out live, and reports every office's state on a status page.
package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/sync/errgroup"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
	"techaid/sync/protocol"
)

// Config configures a Hub.
type Config struct {
	Store *storage.Store // the city's store (scope: the city); the hub owns it while it runs
	App   string         // this build's version, shown on the status page
	// Releases is the folder of the app's releases (AddRelease) that the hub names in its welcome and
	// serves to its offices at protocol.ReleasePrefix; "" serves none.
	Releases string
	// StaleAfter is how long an office may go unheard before the status page marks it; 7 days if zero.
	StaleAfter time.Duration
	// MaxSessions caps connected replicas, MaxHandshakes the hellos being handled at once; 10,000 and
	// 256 if zero. Beyond them a replica is told CodeBusy and retries later.
	MaxSessions, MaxHandshakes int
	// Idle is how long a session may stay silent before it is closed; 90 s if zero. Ping is how often
	// Run pings each session, which answers with a pong; Idle/3 if zero.
	Idle, Ping time.Duration
	// SaveEvery is how often Run saves what the status page shows of each office's PCs; 10 s if zero.
	SaveEvery time.Duration
	// WriteTimeout is how long one frame may take to send before a session is cut (a client that does
	// not read); 30 s if zero.
	WriteTimeout time.Duration
	Logger       *log.Logger
	Now          func() time.Time // the hub's clock; time.Now if nil
	// EvidenceFile bounds one evidence file, EvidenceDay the bytes of files one office may send in a
	// day (China time); DefaultEvidenceFile and DefaultEvidenceDay if zero (PROTOCOL.md section 15).
	EvidenceFile, EvidenceDay int64
	// Check says whether a file is evidence, decoding it whole, and its type; evidence.Check if nil.
	Check func(data []byte) (string, error)
}

// Hub serves sync sessions. Create it with New; run its own work (pings, saving peer state) with Run
// and serve sessions with ServeHTTP, both until the server stops; then Close it.
type Hub struct {
	cfg      Config
	st       *storage.Store
	log      *log.Logger
	now      func() time.Time
	epoch    string
	started  time.Time
	upgrader websocket.Upgrader
	shakes   chan struct{} // handshake slots

	applyMu sync.Mutex // one push at a time: log order is index order

	mu       sync.Mutex
	idx      *index
	offices  map[string]*Office // by token hash
	retired  map[string]bool    // hashes of tokens revoked before their office was reissued one
	sessions map[*session]bool
	peers    map[string]*Peer // by replica id
	closing  bool
	work     chan struct{} // slots for reading, encoding and sending a batch (see pump)
	intake   chan struct{} // slots for decoding and applying a large frame (a push)
	checks   chan struct{} // slots for checking a whole evidence file
	frames   *frameCache
	releases releases       // what the Releases folder holds, read again when it changes (h.mu)
	wg       sync.WaitGroup // sessions, and goroutines that end one
}

// Peer is what the hub knows about one office replica (one PC).
type Peer struct {
	Replica      string      `json:"replica"`
	OfficeID     string      `json:"office_id"`
	App          string      `json:"app"`
	FirstSeen    time.Time   `json:"first_seen"`
	LastContact  time.Time   `json:"last_contact"`
	LastSync     time.Time   `json:"last_sync,omitzero"` // the last push it made or pull it caught up on
	Received     int         `json:"received"`           // records it pushed that changed the city's data
	Refused      int         `json:"refused"`            // records it pushed that were refused
	Files        int         `json:"files"`              // evidence files it sent that the hub kept
	FilesRefused int         `json:"files_refused"`      // evidence files the hub refused (each time)
	Seq          uint64      `json:"seq"`                // its last change-log sequence number, as it said
	Acked        uint64      `json:"acked"`              // the last one the hub holds
	OffsetMS     int64       `json:"offset_ms"`          // hub clock minus its clock, as measured at hello
	Scope        ledger.Code `json:"scope"`
	dirty        bool
}

const peerDocs = "peer"

// New loads the hub's offices, peers and fan-out index from its store.
func New(cfg Config) (*Hub, error) {
	if cfg.Store == nil {
		return nil, errors.New("hub: no store")
	}
	if cfg.StaleAfter == 0 {
		cfg.StaleAfter = 7 * 24 * time.Hour
	}
	if cfg.MaxSessions == 0 {
		cfg.MaxSessions = 10000
	}
	if cfg.MaxHandshakes == 0 {
		cfg.MaxHandshakes = 256
	}
	if cfg.Idle == 0 {
		cfg.Idle = 90 * time.Second
	}
	if cfg.Ping == 0 {
		cfg.Ping = cfg.Idle / 3
	}
	if cfg.SaveEvery == 0 {
		cfg.SaveEvery = 10 * time.Second
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = log.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.EvidenceFile == 0 {
		cfg.EvidenceFile = DefaultEvidenceFile
	}
	if cfg.EvidenceDay == 0 {
		cfg.EvidenceDay = DefaultEvidenceDay
	}
	if cfg.Check == nil {
		cfg.Check = checkFile
	}
	id := cfg.Store.Identity()
	if id.Replica == "" {
		return nil, storage.ErrNotInitialized
	}
	if id.Scope.Level() != ledger.LevelCity {
		return nil, fmt.Errorf("hub: the store's scope is %s, not a city", id.Scope)
	}
	// The hub's clock is the reference every office's offset is measured against: its offset is zero by
	// definition. Saying so (and storing it, so the store knows it whenever it is opened) makes the
	// clock ignore stamps too far ahead of it (ledger.MaxAhead), as an office's does once it knows its
	// offset. Without it one office PC whose clock said 2099 dragged the hub's clock, and every stamp
	// the hub makes after (audit entries, conflict-log entries), to 2099 for good.
	if err := cfg.Store.SetClockOffset(0); err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	h := &Hub{
		cfg: cfg, st: cfg.Store, log: cfg.Logger, now: cfg.Now, epoch: id.Replica, started: cfg.Now(),
		shakes: make(chan struct{}, cfg.MaxHandshakes), idx: newIndex(),
		offices: map[string]*Office{}, sessions: map[*session]bool{}, peers: map[string]*Peer{},
		releases: releases{dir: cfg.Releases},
	}
	h.upgrader = websocket.Upgrader{
		// The HTTP server's read buffer is reused and write buffers are pooled (held only while a frame
		// is written): 2,000 idle offices should cost little.
		WriteBufferSize: 16 << 10, WriteBufferPool: &sync.Pool{},
		CheckOrigin: func(*http.Request) bool { return true }, // offices are programs, not browsers
	}
	offices, err := ListOffices(h.st)
	if err != nil {
		return nil, err
	}
	h.retired = map[string]bool{}
	for _, o := range offices {
		h.offices[o.TokenHash] = &o
		for _, r := range o.Retired {
			h.retired[r] = true
		}
	}
	// A store from before the registry had its file (or whose file was lost) gets it now.
	if err := SaveRegistry(h.st); err != nil {
		return nil, err
	}
	err = h.st.Docs(peerDocs, func(_ string, raw []byte) error {
		var p Peer
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		h.peers[p.Replica] = &p
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = h.st.LogPlaces(0, func(seq uint64, _ ledger.Kind, place ledger.Code) { h.idx.add(seq, place) })
	if err != nil {
		return nil, err
	}
	// The hub's own replica id writes what the city imports on the server: no office may use it. Replicas
	// seen before bindings were kept are bound to the office they last said hello for.
	if _, err := h.st.BindReplica(h.epoch, storage.HubOwner); err != nil {
		return nil, err
	}
	for _, p := range h.peers {
		if p.OfficeID != "" {
			if _, err := h.st.BindReplica(p.Replica, p.OfficeID); err != nil {
				return nil, err
			}
		}
	}
	head, _ := h.st.Committed()
	h.idx.head = head
	h.work = make(chan struct{}, runtime.GOMAXPROCS(0)+1)
	h.intake = make(chan struct{}, 16)
	h.checks = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1)) // a core stays for the sessions
	h.frames = newFrameCache(32 << 20)
	return h, nil
}

// Run does the hub's own work until ctx ends: it pings every session each Config.Ping, so that a dead
// connection is noticed (its read deadline passes) and NAT mappings stay open, and saves peer state
// each Config.SaveEvery (the status page survives a restart with at most that much lost;
// acknowledgements are never lost: they are written with each push). Every goroutine it starts has
// ended when it returns, with nil once ctx ends.
func (h *Hub) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		every(ctx, h.cfg.Ping, func() { h.pingAll(g) })
		return nil
	})
	g.Go(func() error {
		every(ctx, h.cfg.SaveEvery, func() {
			if err := h.savePeers(); err != nil && !errors.Is(err, storage.ErrClosed) {
				h.log.Printf("hub: save peers: %v", err)
			}
		})
		return nil
	})
	return g.Wait()
}

// every calls fn each interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}

// pingAll pings every session, each from a goroutine of g: one blocked write (WriteControl may wait
// for a frame being written) must not hold up the others. A socket too full to take a ping within the
// write timeout belongs to an office that does not read.
func (h *Hub) pingAll(g *errgroup.Group) {
	h.mu.Lock()
	all := make([]*session, 0, len(h.sessions))
	for s := range h.sessions {
		all = append(all, s)
	}
	h.mu.Unlock()
	for _, s := range all {
		g.Go(func() error {
			if err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(h.cfg.WriteTimeout)); err != nil {
				s.fail(protocol.Err(protocol.CodeBadRequest, "ping failed"))
			}
			return nil
		})
	}
}

// Epoch is the hub's epoch: it changes whenever the city's store is restored from a backup.
func (h *Hub) Epoch() string { return h.epoch }

// ServeHTTP serves the websocket at protocol.Path and nothing else: it is what faces the network. The
// status page names every office and its PCs' replica ids, so it is served apart (StatusHandler), on
// the city's loopback admin listener.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, protocol.ReleasePrefix) {
		h.serveRelease(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, protocol.EvidencePath) {
		h.serveEvidence(w, r)
		return
	}
	if r.URL.Path != protocol.Path {
		http.NotFound(w, r)
		return
	}
	h.serveSync(w, r)
}

// StatusHandler serves the status page at / and /status and its JSON at /status.json, for the city's
// own people and tools: serve it only where the office network cannot reach (techaid-city serves it
// on its loopback admin listener).
func (h *Hub) StatusHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/", "/status":
			h.serveStatusHTML(w, r)
		case "/status.json":
			h.serveStatusJSON(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}

// Conflicts is the hub's conflict log, oldest first: every value that lost to a concurrent write of
// another office as the pushes reached the city (the offices involved log it too).
func (h *Hub) Conflicts() ([]query.Conflict, error) { return h.st.Conflicts(false) }

// ownerName names the owner of a replica for the log. h.mu must be held.
func (h *Hub) ownerName(id string) string {
	if id == storage.HubOwner {
		return "the hub itself"
	}
	for _, o := range h.offices {
		if o.ID == id {
			return fmt.Sprintf("%s (%s)", o.Name, o.Scope)
		}
	}
	return "office " + id
}

// AddOffice registers an office while the hub runs.
func (h *Hub) AddOffice(name string, scope ledger.Code) (Office, string, error) {
	o, token, err := AddOffice(h.st, name, scope, h.now())
	if err == nil {
		h.mu.Lock()
		h.offices[o.TokenHash] = &o
		for _, r := range o.Retired {
			delete(h.offices, r)
			h.retired[r] = true
		}
		h.mu.Unlock()
	}
	return o, token, err
}

// Offices lists the registered offices.
func (h *Hub) Offices() ([]Office, error) { return ListOffices(h.st) }

// Revoke revokes an office's token and cuts its live sessions at once.
func (h *Hub) Revoke(nameOrID string) (Office, error) {
	o, err := RevokeOffice(h.st, nameOrID, h.now())
	if err != nil {
		return o, err
	}
	h.mu.Lock()
	h.offices[o.TokenHash] = &o
	var cut []*session
	for s := range h.sessions {
		if s.office.ID == o.ID {
			cut = append(cut, s)
		}
	}
	h.mu.Unlock()
	for _, s := range cut {
		s.fail(protocol.Err(protocol.CodeRevoked, ""))
	}
	return o, nil
}

// Close ends every session (telling each office the hub is shutting down) and waits for them: a push
// being applied commits before its session ends, or, if its socket is gone first, is sent again by
// the office and applies then. Peers are saved. The store stays open; the caller closes it.
func (h *Hub) Close() error {
	h.mu.Lock()
	h.closing = true
	all := make([]*session, 0, len(h.sessions))
	for s := range h.sessions {
		all = append(all, s)
	}
	h.mu.Unlock()
	for _, s := range all {
		s.fail(protocol.Err(protocol.CodeShuttingDown, ""))
	}
	h.wg.Wait()
	return h.savePeers()
}

// savePeers writes the peers whose state changed since they were last saved.
func (h *Hub) savePeers() error {
	h.mu.Lock()
	var dirty []Peer
	for _, p := range h.peers {
		if p.dirty {
			dirty = append(dirty, *p)
			p.dirty = false
		}
	}
	h.mu.Unlock()
	for _, p := range dirty {
		if err := h.st.PutDoc(peerDocs, p.Replica, p); err != nil {
			return err
		}
	}
	return nil
}

// apply applies one push and fans the logged changes out, as one step: the index grows in log order.
func (h *Hub) apply(ctx context.Context, p storage.Push) (storage.PushResult, error) {
	h.applyMu.Lock()
	defer h.applyMu.Unlock()
	res, err := h.st.ApplyPush(ctx, p)
	if err != nil || len(res.Logged) == 0 {
		return res, err
	}
	h.mu.Lock()
	places := map[ledger.Code]bool{}
	for _, l := range res.Logged {
		h.idx.add(l.Seq, l.Place)
		places[l.Place] = true
	}
	for s := range h.sessions {
		for place := range places {
			if covers(s.office.Scope, place) {
				s.wake()
				break
			}
		}
	}
	h.mu.Unlock()
	return res, nil
}
