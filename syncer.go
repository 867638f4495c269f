package main

import (
	"context"
	"errors"
	"log"
	"strings"
	"sync"

	"techaid/app"
	"techaid/storage"
	"techaid/sync/client"
)

// syncer runs the sync client for the UI: it starts it with the remembered address and token, restarts
// it when the clerk changes them, and translates its states into the UI's.
type syncer struct {
	st      *storage.Store
	version string
	states  chan app.SyncState

	mu      sync.Mutex
	cfg     client.Remembered
	problem string // why sync cannot start although an address is set (a token this user cannot read)
	cancel  context.CancelFunc
	done    chan struct{}
}

func newSyncer(st *storage.Store, version string) *syncer {
	s := &syncer{version: version, states: make(chan app.SyncState, 1)}
	s.use(st)
	return s
}

// use (re)starts sync on a store: at start-up, and after a restore replaced the store.
func (s *syncer) use(st *storage.Store) {
	s.stop()
	cfg, err := client.LoadRemembered(st)
	problem := ""
	if err != nil {
		log.Printf("sync: read settings: %v", err)
		problem = client.Chinese(err)
	}
	s.mu.Lock()
	s.st, s.cfg, s.problem = st, cfg, problem
	s.mu.Unlock()
	s.start()
}

func (s *syncer) States() <-chan app.SyncState { return s.states }

func (s *syncer) Config() (string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.City, s.cfg.Token
}

func (s *syncer) Unencrypted(addr string) bool { return client.Plain(addr) }

// Configure checks the address, remembers it and the token, and restarts sync.
func (s *syncer) Configure(addr, token string, plain bool) (string, error) {
	addr = strings.TrimSpace(addr)
	if addr != "" {
		if client.CheckAddress(addr) != nil {
			return "", errors.New("市局服务器地址不对，应当像 wss://kjj.zibo.gov.cn 或 kjj.zibo.gov.cn:8750 这样")
		}
		if client.Plain(addr) && !plain {
			return "", errors.New("这个地址不加密，需要先确认才能使用；请改用 wss:// 开头的地址")
		}
	}
	cfg := client.Remembered{City: addr, Token: strings.TrimSpace(token), Plain: plain && client.Plain(addr)}
	s.mu.Lock()
	st := s.st
	s.mu.Unlock()
	warning, err := client.Remember(st, cfg)
	if err != nil {
		return "", err
	}
	s.stop()
	s.mu.Lock()
	s.cfg, s.problem = cfg, ""
	s.mu.Unlock()
	s.start()
	return warning, nil
}

// start runs the client if an address and token are known; otherwise it reports that sync is off.
func (s *syncer) start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.City != "" && s.problem != "" {
		s.publish(app.SyncState{Phase: app.SyncFailed, Problem: s.problem})
		return
	}
	if s.cfg.City == "" || s.cfg.Token == "" {
		s.publish(app.SyncState{Phase: app.SyncOff})
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	cl := client.New(client.Config{URL: s.cfg.City, Token: s.cfg.Token, Plain: s.cfg.Plain, Store: s.st, App: s.version})
	done := s.done
	go func() {
		defer close(done)
		states := cl.States()
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			_ = cl.Run(ctx) // it reports its failures through its states
		}()
		for {
			select {
			case st := <-states:
				s.publish(translate(st))
			case <-finished:
				select { // the last state, if any
				case st := <-states:
					s.publish(translate(st))
				default:
				}
				return
			}
		}
	}()
}

// stop ends the client and waits for it.
func (s *syncer) stop() {
	s.mu.Lock()
	cancel, done := s.cancel, s.done
	s.cancel, s.done = nil, nil
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// publish replaces whatever state the UI has not read yet with st.
func (s *syncer) publish(st app.SyncState) {
	for {
		select {
		case s.states <- st:
			return
		default:
		}
		select {
		case <-s.states:
		default:
		}
	}
}

func translate(c client.State) app.SyncState {
	st := app.SyncState{Done: c.Done, Total: c.Total, Pulled: c.Pulled, AsOf: c.AsOf, Offset: c.Offset, Office: c.Office}
	switch c.Phase {
	case client.Offline:
		st.Phase = app.SyncOffline
	case client.Connecting:
		st.Phase = app.SyncConnecting
	case client.Syncing:
		st.Phase = app.SyncSyncing
	case client.UpToDate:
		st.Phase = app.SyncUpToDate
	case client.Failed:
		st.Phase = app.SyncFailed
	}
	if c.Err != nil && !errors.Is(c.Err, context.Canceled) {
		st.Problem = client.Chinese(c.Err)
	}
	return st
}
