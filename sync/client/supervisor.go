package client

import (
	"context"
	"log"
	"runtime"
	"sync"

	"techaid/storage"
)

// Supervisor keeps an office in sync for a program that stays open (the desktop app): it runs a Client
// with the hub address and token the office remembers, starts it again with new ones when the clerk
// changes them (Configure) or on another store when a restore replaced the store (Use), and stops it
// (Stop). Every state goes to the report function given to NewSupervisor, one at a time and in order:
// the client's, or Off when no address or token is set, or Failed when the remembered token cannot be
// read here.
type Supervisor struct {
	app    string
	report func(State)
	log    *log.Logger

	life sync.Mutex // one Use, Configure or Stop at a time

	mu      sync.Mutex // the fields below
	st      *storage.Store
	cfg     Remembered
	problem error // why no client can run although an address is set (ErrTokenUnreadable)
	stop    context.CancelFunc
	done    chan struct{} // closed when the running client and its reporting have ended
}

// NewSupervisor starts sync on st with what it remembers; app is this build's version, for the hub's
// status page; its client asks the hub for the app's release for this platform. report is called from the supervisor's goroutines and must not block for long.
func NewSupervisor(st *storage.Store, app string, report func(State)) *Supervisor {
	s := &Supervisor{app: app, report: report, log: log.Default()}
	s.Use(st)
	return s
}

// Use stops sync and starts it again on st with what st remembers: at start-up, and after a restore
// replaced the store.
func (s *Supervisor) Use(st *storage.Store) {
	s.life.Lock()
	defer s.life.Unlock()
	s.stopRunning()
	cfg, err := LoadRemembered(st)
	if err != nil {
		s.log.Printf("sync: read settings: %v", err)
	}
	s.mu.Lock()
	s.st, s.cfg, s.problem = st, cfg, err
	s.mu.Unlock()
	s.start()
}

// Config is the remembered address and token.
func (s *Supervisor) Config() Remembered {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// Configure remembers cfg in the store (see Remember, whose warning it returns) and starts sync again
// with it; an empty address stops sync.
func (s *Supervisor) Configure(cfg Remembered) (warning string, err error) {
	s.life.Lock()
	defer s.life.Unlock()
	s.mu.Lock()
	st := s.st
	s.mu.Unlock()
	if warning, err = Remember(st, cfg); err != nil {
		return "", err
	}
	s.stopRunning()
	s.mu.Lock()
	s.cfg, s.problem = cfg, nil
	s.mu.Unlock()
	s.start()
	return warning, nil
}

// start runs a client if an address and a token are known, else reports why not.
func (s *Supervisor) start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.cfg.City != "" && s.problem != nil:
		s.report(State{Phase: Failed, Err: s.problem})
		return
	case s.cfg.City == "" || s.cfg.Token == "":
		s.report(State{Phase: Off})
		return
	}
	cl := New(Config{URL: s.cfg.City, Token: s.cfg.Token, Plain: s.cfg.Plain, Store: s.st, App: s.app, Platform: runtime.GOOS + "-" + runtime.GOARCH, Logger: s.log})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.stop, s.done = stop, done
	go func() {
		defer close(done)
		ran := make(chan struct{})
		go func() {
			defer close(ran)
			_ = cl.Run(ctx) // it reports its failures through its states
		}()
		for {
			select {
			case st := <-cl.States():
				s.report(st)
			case <-ran:
				select { // the last state, if not read yet
				case st := <-cl.States():
					s.report(st)
				default:
				}
				return
			}
		}
	}()
}

// Stop ends the running client, if any, and waits until it and its reporting have ended: no state is
// reported after Stop returns, until sync starts again.
func (s *Supervisor) Stop() {
	s.life.Lock()
	defer s.life.Unlock()
	s.stopRunning()
}

func (s *Supervisor) stopRunning() {
	s.mu.Lock()
	stop, done := s.stop, s.done
	s.stop, s.done = nil, nil
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}
