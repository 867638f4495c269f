package main

import (
	"context"
	"errors"
	"log"
	"math/rand/v2"
	"sync"
	"time"

	"techaid/app"
	"techaid/sync/client"
	"techaid/sync/protocol"
	"techaid/sync/update"
)

// upgrader fetches the release the city names in its welcome, while the clerk works, and says how far
// it has come; once the download is verified the status bar offers to install it (app.Options.Install).
type upgrader struct {
	version string
	dir     string
	config  func() client.Remembered // the hub's address and the token, as sync uses them
	changed func()                   // the state changed

	mu     sync.Mutex
	state  app.Upgrade
	want   *protocol.Release // the release fetched, or being fetched
	ready  string            // its verified download
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newUpgrader(version string, config func() client.Remembered, changed func()) *upgrader {
	dir, err := update.DefaultDir()
	if err != nil {
		log.Printf("upgrade: no folder for downloads: %v", err)
	}
	return &upgrader{version: version, dir: dir, config: config, changed: changed}
}

// offer starts fetching rel if it is a newer release for this platform and not the one fetched already.
func (u *upgrader) offer(rel *protocol.Release) {
	if u.dir == "" || !update.Applies(rel, u.version) {
		return
	}
	u.mu.Lock()
	if u.want != nil && u.want.SHA256 == rel.SHA256 {
		u.mu.Unlock()
		return
	}
	if u.cancel != nil {
		u.cancel() // the city published another since
	}
	r := *rel
	u.want, u.ready = &r, ""
	u.state = app.Upgrade{Version: r.Version, Total: r.Size}
	ctx, cancel := context.WithCancel(context.Background())
	u.cancel = cancel
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		u.fetch(ctx, r)
	}()
	u.mu.Unlock()
	u.changed()
}

// fetch downloads r until it is verified or ctx ends, retrying after a cut: half a minute, doubling
// up to ten minutes.
func (u *upgrader) fetch(ctx context.Context, r protocol.Release) {
	wait := 30 * time.Second
	for {
		cfg := u.config()
		lastPct := int64(-1)
		path, err := update.Fetch(ctx, update.Config{Hub: cfg.City, Token: cfg.Token, Dir: u.dir}, r, func(done, total int64) {
			if pct := done * 100 / total; pct != lastPct {
				lastPct = pct
				u.set(r, func(s *app.Upgrade) { s.Done, s.Problem = done, "" })
			}
		})
		if err == nil {
			u.mu.Lock()
			if u.want != nil && u.want.SHA256 == r.SHA256 {
				u.ready = path
				u.state.Done, u.state.Ready, u.state.Problem = r.Size, true, ""
			}
			u.mu.Unlock()
			log.Printf("upgrade: %s %s downloaded and verified: %s", r.Version, r.Platform, path)
			u.changed()
			return
		}
		if ctx.Err() != nil {
			return
		}
		log.Printf("upgrade: fetch %s: %v", r.File, err)
		u.set(r, func(s *app.Upgrade) { s.Problem = update.Chinese(err) })
		if errors.Is(err, update.ErrGone) {
			return // the next welcome names the release that replaced it
		}
		d := wait/2 + time.Duration(rand.Int64N(int64(wait/2)))
		select {
		case <-ctx.Done():
			return
		case <-time.After(d):
		}
		wait = min(2*wait, 10*time.Minute)
	}
}

func (u *upgrader) set(r protocol.Release, fn func(*app.Upgrade)) {
	u.mu.Lock()
	if u.want == nil || u.want.SHA256 != r.SHA256 {
		u.mu.Unlock()
		return
	}
	fn(&u.state)
	u.mu.Unlock()
	u.changed()
}

// State is what the status bar shows of the new version.
func (u *upgrader) State() app.Upgrade {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.state
}

// Ready is the verified download, "" if none.
func (u *upgrader) Ready() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.ready
}

// stop ends a download in progress (what it has is kept for the next offer to resume) and waits for it.
func (u *upgrader) stop() {
	u.mu.Lock()
	if u.cancel != nil {
		u.cancel()
		u.cancel = nil
	}
	if u.ready == "" {
		u.want = nil // sync starting again (after a restore) offers it again
	}
	u.mu.Unlock()
	u.wg.Wait()
}
