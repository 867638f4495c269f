package client

import (
	"context"
	"fmt"
	"time"

	"techaid/sync/protocol"
)

// Session drives one session a step at a time for the tests of package client_test. They set up real
// hubs and stores with synctest, which imports this package, so they cannot live inside it.
type Session struct {
	s      *session
	cancel context.CancelFunc
}

// NewSession makes a session of c's (in once mode) without connecting.
func (c *Client) NewSession() *Session { return &Session{s: c.newSession(true), cancel: func() {}} }

// Dial connects to the hub and starts the reader; Close ends both.
func (t *Session) Dial(ctx context.Context) error {
	ctx, t.cancel = context.WithCancel(ctx)
	return t.s.dial(ctx)
}

// Close ends the session's connection and goroutines.
func (t *Session) Close() {
	if t.s.conn != nil {
		t.s.close(t.cancel)
	}
}

func (t *Session) Hello(ctx context.Context) (protocol.Welcome, error) { return t.s.hello(ctx) }
func (t *Session) Holding() (protocol.Hello, error)                    { return t.s.holding() }
func (t *Session) Reconcile(w protocol.Welcome) error                  { return t.s.reconcile(w) }
func (t *Session) NextPush() (protocol.Push, []byte, error)            { return t.s.nextPush() }
func (t *Session) Ack(m protocol.Ack) error                            { return t.s.ack(m) }
func (t *Session) Changes(ctx context.Context, m protocol.Changes) error {
	return t.s.changes(ctx, m)
}
func (t *Session) Pong(m protocol.Pong) error { return t.s.pong(m) }

// Step does one turn of run without waiting: push within the window, then settle.
func (t *Session) Step(ctx context.Context) error {
	head, _ := t.s.st.Committed()
	if err := t.s.push(head); err != nil {
		return err
	}
	return t.s.settle(ctx, head)
}

// Receive waits (a minute at most) for the next frame from the hub and handles it as run does; it
// returns the message.
func (t *Session) Receive(ctx context.Context) (protocol.Message, error) {
	select {
	case in := <-t.s.frames:
		return in.m, t.s.receive(ctx, in)
	case <-time.After(time.Minute):
		return nil, fmt.Errorf("no frame from the hub in a minute")
	}
}

// Progress is where a session is.
type Progress struct {
	Cursor, Acked, Next uint64
	Inflight, Waiting   int
	Pulling, CaughtUp   bool
	Offset              time.Duration
	Summary             Summary
}

func (t *Session) Progress() Progress {
	s := t.s
	return Progress{Cursor: s.cursor, Acked: s.acked, Next: s.next, Inflight: s.inflight, Waiting: len(s.waiting),
		Pulling: s.pulling, CaughtUp: s.caughtUp, Offset: s.offset, Summary: s.sum}
}

// UpToDate reports both directions caught up.
func (t *Session) UpToDate() bool {
	head, _ := t.s.st.Committed()
	return t.s.upToDate(head)
}
