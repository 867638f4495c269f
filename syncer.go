package main

import (
	"context"
	"errors"
	"log"
	"net/url"
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

	mu     sync.Mutex
	cfg    client.Remembered
	cancel context.CancelFunc
	done   chan struct{}
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
	if err != nil {
		log.Printf("sync: read settings: %v", err)
	}
	s.mu.Lock()
	s.st, s.cfg = st, cfg
	s.mu.Unlock()
	s.start()
}

func (s *syncer) States() <-chan app.SyncState { return s.states }

func (s *syncer) Config() (string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.City, s.cfg.Token
}

// Configure checks the address, remembers it and the token, and restarts sync.
func (s *syncer) Configure(addr, token string) error {
	if addr != "" {
		u, err := url.Parse(client.URL(addr))
		if err != nil || u.Host == "" || (u.Scheme != "ws" && u.Scheme != "wss") {
			return errors.New("市局服务器地址不对，应当像 wss://kjj.zibo.gov.cn 或 http://192.168.1.10:8750 这样")
		}
	}
	cfg := client.Remembered{City: strings.TrimSpace(addr), Token: strings.TrimSpace(token)}
	s.mu.Lock()
	st := s.st
	s.mu.Unlock()
	if err := client.Remember(st, cfg); err != nil {
		return err
	}
	s.stop()
	s.mu.Lock()
	s.cfg = cfg
	s.mu.Unlock()
	s.start()
	return nil
}

// start runs the client if an address and token are known; otherwise it reports that sync is off.
func (s *syncer) start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.City == "" || s.cfg.Token == "" {
		s.publish(app.SyncState{Phase: app.SyncOff})
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	cl := client.New(client.Config{URL: s.cfg.City, Token: s.cfg.Token, Store: s.st, App: s.version})
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
