// Package client is the office side of sync: it connects to the city hub whenever a network exists,
// pushes the office's change log from what the hub holds, pulls the changes of the office's scope into
// the store, then stays live both ways; after any cut it resumes where it stopped. It reports its state
// on a channel a UI can watch.
package client

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"techaid/internal/latest"
	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/protocol"
)

// Config configures a Client.
type Config struct {
	URL   string // the hub, e.g. wss://city.example or ws://127.0.0.1:8750 (wss:// if no scheme; /sync is added)
	Token string // the office's token
	// Plain lets the client send the token and the records unencrypted (ws://) to another machine;
	// without it such an address is refused with ErrPlain (see Plain).
	Plain bool
	Store *storage.Store // the office's store
	App   string         // this build's version, shown on the hub's status page
	// Platform, GOOS-GOARCH, asks the hub to name its release of the app for it (update.Platform());
	// "" for a program that installs nothing.
	Platform string
	// Window is how many pushes may await their ack; 4 if zero. Batch is how many changes go in one
	// push; 500 if zero.
	Window, Batch int
	// MinBackoff and MaxBackoff bound the wait between attempts (doubling, full jitter); 1 s and 60 s.
	MinBackoff, MaxBackoff time.Duration
	Logger                 *log.Logger
	Dialer                 *websocket.Dialer // nil: a dialer with a 15 s handshake timeout
}

// Phase is where the client is.
type Phase int

const (
	Offline    Phase = iota // no session; waiting to retry
	Connecting              // dialling and saying hello
	Syncing                 // pushing or catching up
	UpToDate                // the hub holds everything of this office and this office everything of its scope
	Failed                  // the hub refused for good (token, version), or the token cannot be read: retrying cannot help
	Off                     // no hub address or token: nothing runs (a Supervisor's state)
)

func (p Phase) String() string {
	return [...]string{"offline", "connecting", "syncing", "up to date", "failed", "off"}[p]
}

// State is what the UI shows.
type State struct {
	Phase   Phase
	Pending uint64    // local changes the city has not acknowledged
	Done    uint64    // of the changes to push in this session, acknowledged so far
	Total   uint64    // changes to push in this session
	Pulled  int       // records received in this session
	AsOf    time.Time // when it was last up to date
	Offset  time.Duration
	Office  string      // as the city registered it
	Scope   ledger.Code // what the token may write
	Err     error       // why the last session ended, if it failed
	Retry   time.Time   // when the next attempt starts (Offline)
	// Release is the release of the app the hub last named for this platform (in its welcome, or with
	// an upgrade error); nil if none. The office installs it if it is newer (package update).
	Release *protocol.Release
	// Files is how many evidence files attached here the city does not hold yet, as last counted.
	Files int
}

// OffsetWarning reports a clock more than ledger.MaxAhead off the hub's.
func (s State) OffsetWarning() bool { return s.Offset > ledger.MaxAhead || s.Offset < -ledger.MaxAhead }

// Chinese is the state in a few words for the status bar.
func (s State) Chinese() string {
	var b strings.Builder
	switch s.Phase {
	case Offline:
		b.WriteString("离线")
		if s.Err != nil {
			b.WriteString("（" + Chinese(s.Err) + "）")
		}
	case Connecting:
		b.WriteString("正在连接市局…")
	case Syncing:
		fmt.Fprintf(&b, "正在同步 %d / %d", s.Done, s.Total)
	case UpToDate:
		b.WriteString("已送达市局 " + s.AsOf.In(ledger.China).Format("15:04"))
	case Failed:
		b.WriteString("同步已停止：" + Chinese(s.Err))
	case Off:
		b.WriteString("未设置市局服务器")
	}
	if s.Pending > 0 && s.Phase != UpToDate {
		fmt.Fprintf(&b, " · 待上报 %d 条", s.Pending)
	}
	if s.OffsetWarning() {
		b.WriteString(" · " + ledger.OffsetWarning(s.Offset))
	}
	return b.String()
}

// hubSchemaOlder reads an upgrade refusal's detail, as every hub writes it ("schema 2; this hub has
// schema 1"): true when the hub's record schema is older than this client's, so that it is the city's
// server, not this office, that needs the new version.
func hubSchemaOlder(msg string) bool {
	m := hubSchemaRE.FindStringSubmatch(msg)
	if m == nil {
		return false
	}
	n, err := strconv.Atoi(m[1])
	return err == nil && n < protocol.Schema
}

var hubSchemaRE = regexp.MustCompile(`this hub has schema (\d+)`)

// permanent reports an error that retrying cannot cure: the hub refused the token or the version, or
// the address would carry the token unencrypted to another machine.
func permanent(err error) bool {
	var pe protocol.Error
	return errors.As(err, &pe) && pe.Code.Permanent() || errors.Is(err, ErrPlain)
}

// Chinese is a sentence for a sync error.
func Chinese(err error) string {
	var pe protocol.Error
	if errors.As(err, &pe) {
		if pe.Code == protocol.CodeUpgrade && hubSchemaOlder(pe.Message) {
			return "市局服务器的软件版本比本机旧，暂时不能同步：请联系市局升级服务器。本机的记录都保存着，服务器升级后重新打开本程序即可自动上报"
		}
		return pe.Code.Chinese()
	}
	if errors.Is(err, ErrPlain) {
		return "市局服务器地址不加密（ws://），令牌会以明文经过网络，已拒绝连接；请改用 wss:// 地址，或确认使用不加密的地址"
	}
	if errors.Is(err, ErrTokenUnreadable) {
		return "本机保存的令牌无法读取（数据可能是从另一台电脑或另一个用户复制来的），请重新填写令牌"
	}
	if errors.Is(err, context.Canceled) {
		return "已停止"
	}
	return "连不上市局服务器，有网络时会自动重试"
}

// Summary reports one session.
type Summary struct {
	Pushed    int // changes the hub acknowledged
	Refused   []protocol.Refusal
	Pulled    int // records received
	Changed   int // of those, records that changed something here
	Conflicts int // conflicts logged here
	Elapsed   time.Duration
	// Evidence files: those the hub now holds whole, the bytes sent of them, and those it refused.
	Files        int
	FileBytes    int64
	FilesRefused []protocol.FileRefused
}

// Client syncs one store with the hub.
type Client struct {
	cfg    Config
	st     *storage.Store
	log    *log.Logger
	mu     sync.Mutex
	state  State
	states *latest.Chan[State]
}

// New makes a client; nothing happens until Run or Once.
func New(cfg Config) *Client {
	if cfg.Window == 0 {
		cfg.Window = 4
	}
	if cfg.Batch == 0 {
		cfg.Batch = 500
	}
	cfg.Batch = min(cfg.Batch, protocol.MaxBatch)
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = log.Default()
	}
	if cfg.Dialer == nil {
		cfg.Dialer = &websocket.Dialer{HandshakeTimeout: 15 * time.Second, Proxy: http.ProxyFromEnvironment,
			ReadBufferSize: 16 << 10, WriteBufferSize: 16 << 10}
	}
	c := &Client{cfg: cfg, st: cfg.Store, log: cfg.Logger, states: latest.New[State]()}
	c.state.Pending = c.st.Stats(nil).Pending
	return c
}

// States delivers the latest state whenever it changes; a slow reader skips intermediate ones.
func (c *Client) States() <-chan State { return c.states.C() }

// State returns the current state.
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

func (c *Client) update(fn func(s *State)) {
	c.mu.Lock()
	fn(&c.state)
	s := c.state
	c.states.Set(s) // under mu: states go out in the order they were made
	c.mu.Unlock()
}

// Run keeps the office in sync until ctx ends: it connects, syncs, stays live, and after any failure
// waits (exponential backoff with jitter) and tries again. It returns ctx's error, or the hub's error
// if the hub refused for good (unknown or revoked token, an app too old).
func (c *Client) Run(ctx context.Context) error {
	wait := c.cfg.MinBackoff
	for {
		start := time.Now()
		_, err := c.session(ctx, false)
		if errors.Is(err, errReidentified) {
			continue
		}
		if ctx.Err() != nil {
			c.update(func(s *State) { s.Phase, s.Err = Offline, nil })
			return ctx.Err()
		}
		if permanent(err) {
			c.update(func(s *State) { s.Phase, s.Err = Failed, err })
			return err
		}
		if time.Since(start) > 2*c.cfg.MaxBackoff {
			wait = c.cfg.MinBackoff // it ran a good while: a fresh cut, not a hub that keeps refusing
		}
		d := time.Duration(rand.Int64N(int64(wait))) + c.cfg.MinBackoff/2
		c.log.Printf("sync: %v; next attempt in %s", err, d.Round(time.Millisecond))
		c.update(func(s *State) { s.Phase, s.Err, s.Retry = Offline, err, time.Now().Add(d) })
		select {
		case <-ctx.Done():
			c.update(func(s *State) { s.Phase, s.Err = Offline, nil })
			return ctx.Err()
		case <-time.After(d):
		}
		wait = min(2*wait, c.cfg.MaxBackoff)
	}
}

// Once runs one session: push everything, pull until caught up, close.
func (c *Client) Once(ctx context.Context) (Summary, error) {
	sum, err := c.session(ctx, true)
	if errors.Is(err, errReidentified) {
		sum, err = c.session(ctx, true)
	}
	if err != nil {
		c.update(func(s *State) { s.Phase, s.Err = Offline, err })
		if permanent(err) {
			c.update(func(s *State) { s.Phase = Failed })
		}
	} else {
		c.update(func(s *State) { s.Phase = Offline })
	}
	return sum, err
}
