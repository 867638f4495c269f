package main

import (
	"context"
	"errors"
	"strings"
	"sync"

	"techaid/app"
	"techaid/internal/latest"
	"techaid/storage"
	"techaid/sync/client"
)

// syncer is the office's sync as the UI sees it (app.Syncer): a client.Supervisor, which runs and
// restarts the sync client, with its states translated into the UI's and the clerk's address checked.
type syncer struct {
	sup    *client.Supervisor
	up     *upgrader // fetches a newer version the city names in its welcome
	states *latest.Chan[app.SyncState]

	mu   sync.Mutex
	last app.SyncState // the client's, translated; the upgrade's state is added as it goes out
}

func newSyncer(st *storage.Store, version string) *syncer {
	s := &syncer{states: latest.New[app.SyncState]()}
	s.up = newUpgrader(version, s.config, s.publish)
	sup := client.NewSupervisor(st, version, func(cs client.State) {
		s.mu.Lock()
		s.last = translate(cs)
		s.mu.Unlock()
		s.up.offer(cs.Release)
		s.publish()
	})
	s.mu.Lock()
	s.sup = sup
	s.mu.Unlock()
	return s
}

// config is what sync uses, for the download: the hub's address and the token.
func (s *syncer) config() client.Remembered {
	s.mu.Lock()
	sup := s.sup
	s.mu.Unlock()
	if sup == nil {
		return client.Remembered{}
	}
	return sup.Config()
}

// publish sends the latest state with the upgrade's.
func (s *syncer) publish() {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.last
	st.Upgrade = s.up.State()
	s.states.Set(st) // under mu: states go out in order
}

// use (re)starts sync on a store: after a restore replaced the store.
func (s *syncer) use(st *storage.Store) { s.sup.Use(st) }

// stop ends sync and a download in progress, and waits for them.
func (s *syncer) stop() {
	s.sup.Stop()
	s.up.stop()
}

func (s *syncer) States() <-chan app.SyncState { return s.states.C() }

func (s *syncer) Config() (string, string) {
	cfg := s.sup.Config()
	return cfg.City, cfg.Token
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
	return s.sup.Configure(client.Remembered{City: addr, Token: strings.TrimSpace(token), Plain: plain && client.Plain(addr)})
}

func translate(c client.State) app.SyncState {
	st := app.SyncState{Done: c.Done, Total: c.Total, Pulled: c.Pulled, AsOf: c.AsOf, Offset: c.Offset, Office: c.Office}
	switch c.Phase {
	case client.Off:
		st.Phase = app.SyncOff
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
