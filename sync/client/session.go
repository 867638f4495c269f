package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/protocol"
)

// idle is how long the client waits for any frame before it takes the socket for dead; the hub pings
// every 30 s.
const idle = 90 * time.Second

// errReidentified ends a session whose store just took a new replica id; the next starts at once.
var errReidentified = errors.New("the store took a new replica id; starting again")

// inbound is one frame from the hub, decoded, or the error that ended reading.
type inbound struct {
	m   protocol.Message
	err error
}

// session is one connection to the hub. Its steps, in order: hello (say who this replica is and what
// it holds, measure the clock against the hub's), reconcile (decide from the welcome what to send again
// and where to pull from), then, until the session ends, push (the change log, in batches within the
// window) and apply (the hub's changes, holding live ones while this office's own edits are on their
// way). The steps change the session's state and the store; run does the socket's I/O around them.
// One goroutine reads the socket (the reader); everything else runs on the caller's.
type session struct {
	c      *Client
	st     *storage.Store
	once   bool // return when both directions are caught up
	start  time.Time
	sum    Summary
	conn   *websocket.Conn
	frames chan inbound   // from the reader
	reader sync.WaitGroup // the reader and the goroutine that closes the socket when the session ends

	// hello
	seq    uint64             // the store's last change when it said hello
	pulled storage.PullCursor // where the store had pulled to
	// reconcile
	welcome protocol.Welcome
	offset  time.Duration // the hub's clock minus this PC's
	hubAt   time.Time     // the hub's time at monoAt, as the welcome said it
	monoAt  time.Time     // read with the monotonic clock: hubAt + time.Since(monoAt) is the hub's time now
	cursor  uint64        // pulled up to
	first   uint64        // acknowledged when the session began
	acked   uint64        // acknowledged by the hub
	// push
	next     uint64 // pushed up to
	inflight int    // pushes awaiting their ack
	// apply
	pulling  bool
	caughtUp bool
	waiting  []protocol.Changes // live batches held until the hub holds this office's edits
	// evidence files (files.go)
	file         *sending
	checking     map[string]*sending // sent whole, awaiting the hub's verdict
	queue        []storage.Blob      // files to send after file, as read when the store's head was queueHead
	queueHead    uint64
	queueRead    bool
	refusedFiles map[string]bool // refused in this session: not offered again in it
	chunk        int             // bytes of the next chunk
}

func (c *Client) newSession(once bool) *session {
	return &session{c: c, st: c.st, once: once, start: time.Now(), refusedFiles: map[string]bool{}, chunk: 8 * minChunk}
}

// session runs one connection: hello, reconcile, then push and apply until ctx ends or the connection
// fails. In once mode it returns when both directions are caught up.
func (c *Client) session(ctx context.Context, once bool) (Summary, error) {
	s := c.newSession(once)
	if Plain(c.cfg.URL) && !c.cfg.Plain {
		return s.sum, fmt.Errorf("%s: %w", URL(c.cfg.URL), ErrPlain)
	}
	c.update(func(st *State) { st.Phase, st.Done, st.Total, st.Pulled = Connecting, 0, 0, 0 })
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := s.dial(ctx); err != nil {
		return s.sum, err
	}
	defer s.close(cancel)
	welcome, err := s.hello(ctx)
	if err != nil {
		return s.sum, err
	}
	if err := s.reconcile(welcome); err != nil {
		return s.sum, err
	}
	return s.sum, s.run(ctx)
}

// dial connects and starts the reader, which decodes frames and hands them over on s.frames until the
// socket fails or ctx ends (which closes the socket).
func (s *session) dial(ctx context.Context) error {
	url := URL(s.c.cfg.URL)
	conn, _, err := s.c.cfg.Dialer.DialContext(ctx, url, nil)
	if err != nil {
		return fmt.Errorf("connect %s: %w", url, err)
	}
	s.conn = conn
	conn.SetReadLimit(protocol.MaxFrame)
	// The ping handler runs on the reader, so it is set before the reader starts: set after, a hub's
	// ping early in a session read it unsynchronised (a data race).
	conn.SetPingHandler(func(data string) error {
		_ = conn.SetReadDeadline(time.Now().Add(idle))
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(10*time.Second))
	})
	s.frames = make(chan inbound, 4)
	s.reader.Add(2)
	go func() {
		defer s.reader.Done()
		<-ctx.Done()
		_ = conn.Close() // unblocks the reader
	}()
	go func() {
		defer s.reader.Done()
		s.read(ctx)
	}()
	return nil
}

// read is the reader.
func (s *session) read(ctx context.Context) {
	for {
		_ = s.conn.SetReadDeadline(time.Now().Add(idle))
		_, frame, err := s.conn.ReadMessage()
		if err != nil {
			select {
			case s.frames <- inbound{err: err}:
			case <-ctx.Done():
			}
			return
		}
		m, err := protocol.Decode(frame)
		select {
		case s.frames <- inbound{m: m, err: err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// close ends the session's goroutines (cancel ends its context) and waits for them.
func (s *session) close(cancel context.CancelFunc) {
	cancel()
	_ = s.conn.Close()
	s.reader.Wait()
}

func (s *session) sendFrame(buf []byte) error {
	_ = s.conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	return s.conn.WriteMessage(websocket.TextMessage, buf)
}

func (s *session) send(m protocol.Message) error {
	buf, err := protocol.Encode(m)
	if err != nil {
		return err
	}
	return s.sendFrame(buf)
}

// hubErr is the error of a frame the hub did not take. The hub sends an error frame before it closes
// (shutting_down, revoked), and closing with pushes still unread resets the connection, so a write in
// flight fails with "connection reset" while the hub's reason waits in the reader: take the reason if
// it comes (the protocol says to act on its code), else the write's error. Without this a hub stopping
// in the middle of a push was reported as a network failure, and a token revoked then as one to retry.
func (s *session) hubErr(what string, err error) error {
	timeout := time.After(time.Second)
	for {
		select {
		case in := <-s.frames:
			if in.err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if pe, ok := in.m.(protocol.Error); ok {
				return pe
			}
			// An ack or changes before it: the session ends anyway; the next welcome says what the hub
			// holds.
		case <-timeout:
			return fmt.Errorf("%s: %w", what, err)
		}
	}
}

// hello says who this replica is and what it holds, and waits (30 s at most) for the hub's welcome.
// The hub's time in it, against this PC's when the hello left and half the round trip, is this PC's
// clock offset, which the store keeps and applies.
func (s *session) hello(ctx context.Context) (protocol.Welcome, error) {
	var welcome protocol.Welcome
	hello, err := s.holding()
	if err != nil {
		return welcome, err
	}
	sent := s.st.Wall()
	sentMono := time.Now()
	hello.Time = sent.UnixMilli()
	if err := s.send(hello); err != nil {
		return welcome, fmt.Errorf("hello: %w", err)
	}
	select {
	case in := <-s.frames:
		if in.err != nil {
			return welcome, fmt.Errorf("welcome: %w", in.err)
		}
		switch m := in.m.(type) {
		case protocol.Welcome:
			welcome = m
		case protocol.Error:
			if m.Release != nil {
				s.c.update(func(st *State) { st.Release = m.Release })
			}
			return welcome, m
		default:
			return welcome, fmt.Errorf("welcome: got %s", in.m.MessageType())
		}
	case <-time.After(30 * time.Second):
		return welcome, errors.New("welcome: no answer in 30 s")
	case <-ctx.Done():
		return welcome, ctx.Err()
	}
	s.c.update(func(st *State) { st.Release = welcome.Release })
	rtt := time.Since(sentMono)
	s.offset = time.UnixMilli(welcome.Time).Sub(sent.Add(rtt / 2))
	s.hubAt, s.monoAt = time.UnixMilli(welcome.Time), sentMono.Add(rtt/2)
	if err := s.st.SetClockOffset(s.offset); err != nil {
		return welcome, err
	}
	return welcome, nil
}

// recheckClock measures the offset again, without the network, before a push: the hub's time is the
// welcome's moved on by the monotonic clock, which setting the PC's clock does not move. A clerk who sets
// the clock while the session runs (a year typed wrong, or set right) would otherwise stamp with the old
// correction until the next pong, and a save meanwhile would push a stamp the hub refuses as beyond its
// time (PROTOCOL.md §5). Storing the new offset moves what was stamped meanwhile (storage restamps).
func (s *session) recheckClock() error {
	if s.monoAt.IsZero() {
		return nil
	}
	off := s.hubAt.Add(time.Since(s.monoAt)).Sub(s.st.Wall())
	if d := off - s.st.Clock().Offset(); d <= ledger.MaxAhead && d >= -ledger.MaxAhead {
		return nil
	}
	s.offset = off
	if err := s.st.SetClockOffset(off); err != nil {
		return err
	}
	s.c.update(func(st *State) { st.Offset = off })
	return nil
}

// holding reads what the store holds, as the hello says it (but for the time): this replica, its last
// change and where it has pulled to.
func (s *session) holding() (protocol.Hello, error) {
	s.seq, _ = s.st.Committed()
	pc, err := s.st.Pulled()
	if err != nil {
		return protocol.Hello{}, err
	}
	s.pulled = pc
	return protocol.Hello{Proto: protocol.Version, Schema: protocol.Schema, App: s.c.cfg.App, Replica: s.st.Identity().Replica,
		Token: s.c.cfg.Token, Seq: s.seq, Epoch: pc.Epoch, Cursor: pc.Cursor, Platform: s.c.cfg.Platform}, nil
}

// reconcile decides from the hub's welcome what this session sends and where it pulls from, against
// what the store held at hello (s.seq, s.pulled):
//   - the hub holds changes of this replica that the store never made (more of them, or another change
//     under the number it acknowledged): the data folder was put back from an old copy, and new changes
//     would reuse numbers the hub takes for ones it holds. The store takes a new replica id, which sends
//     everything again, and the session ends with errReidentified (the next starts at once);
//   - the hub's epoch changed (it was restored from a backup), or it never had as many changes as the
//     cursor says: pull from the start;
//   - pushing starts after what the hub acknowledged, which the store records (it may be lower than
//     before: a restored hub lacks what it acknowledged since).
func (s *session) reconcile(w protocol.Welcome) error {
	s.welcome = w
	stale := w.Acked > s.seq
	if !stale && w.Acked > 0 && w.AckedMark != "" {
		// The same number can name another change: a copy put back that has since made as many changes
		// as the hub holds. The hub's fingerprint of the change it acknowledged tells.
		ch, err := s.st.ChangeAt(w.Acked)
		if err != nil {
			return err
		}
		stale = storage.ChangeMark(ch.Kind, ch.ID, ch.Fields) != w.AckedMark
	}
	if stale {
		s.c.log.Printf("sync: the city holds changes of this replica up to %d that this store did not make (%d made here; data put back from a copy?): taking a new replica id", w.Acked, s.seq)
		if err := s.st.Reidentify(); err != nil {
			return err
		}
		return errReidentified
	}
	s.cursor = s.pulled.Cursor
	if w.Epoch == s.pulled.Epoch && s.cursor > w.Head {
		s.cursor = 0 // the hub never had that many changes in this epoch: trust nothing of the cursor
	}
	if w.Epoch != s.pulled.Epoch {
		if s.pulled.Epoch != "" {
			s.c.log.Printf("sync: the city's hub was restored (epoch %s → %s): pulling everything again, resending what it lacks", s.pulled.Epoch, w.Epoch)
			// The backup may lack files it acknowledged: offer every file attached here again (one
			// frame each for those it holds).
			if _, err := s.st.RequeueUploads(context.Background()); err != nil {
				return err
			}
		}
		s.cursor = 0
	}
	if w.Acked != s.st.Stats(nil).Acked {
		if err := s.st.SetAcked(w.Acked); err != nil {
			return err
		}
	}
	s.acked, s.first, s.next = w.Acked, w.Acked, w.Acked
	s.c.update(func(st *State) {
		st.Phase, st.Offset, st.Office, st.Scope, st.Err = Syncing, s.offset, w.Office, w.Scope, nil
		st.Total, st.Pending = s.seq-w.Acked, s.seq-w.Acked
	})
	return nil
}

// run pushes and applies until the session ends: each turn it sends what the window allows, pulls
// once everything is pushed, reports the state, and waits for a frame, a new local change or the
// ping timer.
func (s *session) run(ctx context.Context) error {
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		head, changed := s.st.Committed()
		if err := s.push(head); err != nil {
			return err
		}
		if err := s.settle(ctx, head); err != nil {
			return err
		}
		if err := s.files(head); err != nil {
			return err
		}
		upToDate := s.upToDate(head)
		s.report(head, upToDate)
		if s.once && upToDate && s.filesDone(head) {
			s.sum.Elapsed = time.Since(s.start)
			_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "done"),
				time.Now().Add(time.Second))
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-ping.C:
			if err := s.send(protocol.Ping{Time: s.st.Wall().UnixMilli()}); err != nil {
				return s.hubErr("ping", err)
			}
		case in := <-s.frames:
			if err := s.receive(ctx, in); err != nil {
				return err
			}
		}
	}
}

// upToDate reports both directions caught up: the hub holds every change up to head and this office
// everything of its scope.
func (s *session) upToDate(head uint64) bool { return s.caughtUp && s.inflight == 0 && s.acked >= head }

// report tells the UI where the session is.
func (s *session) report(head uint64, upToDate bool) {
	s.c.update(func(st *State) {
		st.Done, st.Total, st.Pending = s.acked-s.first, head-s.first, head-s.acked
		if upToDate {
			st.Phase, st.AsOf = UpToDate, time.Now()
		} else {
			st.Phase = Syncing
		}
	})
}

// receive handles one frame from the hub.
func (s *session) receive(ctx context.Context, in inbound) error {
	if in.err != nil {
		var ce *websocket.CloseError
		if errors.As(in.err, &ce) {
			return fmt.Errorf("the hub closed the connection: %w", in.err)
		}
		return fmt.Errorf("read: %w", in.err)
	}
	switch m := in.m.(type) {
	case protocol.Ack:
		return s.ack(m)
	case protocol.Changes:
		return s.changes(ctx, m)
	case protocol.Pong:
		return s.pong(m)
	case protocol.FileAck:
		return s.fileAck(ctx, m)
	case protocol.FileRefused:
		return s.fileRefused(m)
	case protocol.Error:
		return m
	}
	return fmt.Errorf("unexpected %s from the hub", in.m.MessageType())
}

// push sends the changes after s.next up to head, a batch at a time, while fewer than Window pushes
// await their ack.
func (s *session) push(head uint64) error {
	for s.inflight < s.c.cfg.Window && s.next < head {
		p, buf, err := s.nextPush()
		if err != nil || p.To == 0 {
			return err
		}
		if err := s.sendFrame(buf); err != nil {
			return s.hubErr("push", err)
		}
		s.next = p.To
		s.inflight++
	}
	return nil
}

// settle, once the hub holds every change up to head, applies the batches held meanwhile and, the first
// time, pulls. Push first, then pull: the hub sees this office's concurrent edits before the office
// receives the winners, so both sides log the conflict.
func (s *session) settle(ctx context.Context, head uint64) error {
	if s.inflight > 0 || s.next < head {
		return nil
	}
	if err := s.applyWaiting(ctx); err != nil {
		return err
	}
	if !s.pulling {
		if err := s.send(protocol.Pull{Cursor: s.cursor}); err != nil {
			return s.hubErr("pull", err)
		}
		s.pulling = true
	}
	return nil
}

// nextPush is the push of the changes after s.next, encoded: at most Batch of them and about
// protocol.BatchBytes (cut by the estimate, then by the encoded size; one change always goes). A push
// of nothing (To 0) when there are no changes after s.next.
func (s *session) nextPush() (protocol.Push, []byte, error) {
	if err := s.recheckClock(); err != nil {
		return protocol.Push{}, nil, err
	}
	chs, err := s.st.Changes(s.next, s.c.cfg.Batch)
	if err != nil || len(chs) == 0 {
		return protocol.Push{}, nil, err
	}
	recs := make([]ledger.Record, len(chs))
	for i, ch := range chs {
		recs[i] = ch.Record
	}
	chs = chs[:protocol.Fit(recs)]
	p, buf, err := pushOf(s.next, chs)
	for err == nil && len(buf) > protocol.BatchBytes && len(chs) > 1 {
		chs = chs[:protocol.Shrink(len(chs), len(buf))]
		p, buf, err = pushOf(s.next, chs)
	}
	return p, buf, err
}

// pushOf makes the push of changes chs, which follow sequence number after, and encodes it.
func pushOf(after uint64, chs []storage.Change) (protocol.Push, []byte, error) {
	p := protocol.Push{From: after + 1, To: chs[len(chs)-1].Seq, Seqs: make([]uint64, len(chs)), Records: make([]ledger.Record, len(chs))}
	for i, ch := range chs {
		p.Seqs[i], p.Records[i] = ch.Seq, ch.Record
	}
	buf, err := protocol.Encode(p)
	return p, buf, err
}

// ack takes the hub's acknowledgement of a push: the store records how far the hub holds this office's
// changes, and the refusals are logged and kept for the summary.
func (s *session) ack(m protocol.Ack) error {
	if s.inflight == 0 || m.Acked > s.next {
		return fmt.Errorf("ack %d: nothing of that was pushed", m.Acked)
	}
	s.inflight--
	if m.Acked > s.acked {
		s.sum.Pushed += int(m.Acked - s.acked)
		s.acked = m.Acked
		if err := s.st.Ack(s.acked); err != nil {
			return err
		}
	}
	for _, r := range m.Refused {
		s.c.log.Printf("sync: the city refused %s %s (change %d): %s", r.Kind, r.ID, r.Seq, r.Message)
	}
	s.sum.Refused = append(s.sum.Refused, m.Refused...)
	return nil
}

// changes takes a batch of the hub's changes. Live, a change from another office can arrive while a
// save made here is not yet at the hub. Applying it first would push the winner instead of this
// office's value, and the hub would never see (nor log) the conflict: it is held (up to 64 batches)
// until the hub holds this office's changes, then applied in order (applyWaiting).
func (s *session) changes(ctx context.Context, m protocol.Changes) error {
	if h, _ := s.st.Committed(); (s.inflight > 0 || s.next < h) && len(s.waiting) < 64 {
		s.waiting = append(s.waiting, m)
		return nil
	}
	if err := s.applyWaiting(ctx); err != nil {
		return err
	}
	return s.apply(ctx, m)
}

// applyWaiting applies the held batches, oldest first.
func (s *session) applyWaiting(ctx context.Context) error {
	for len(s.waiting) > 0 {
		m := s.waiting[0]
		s.waiting = s.waiting[1:]
		if err := s.apply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// apply applies one batch with its cursor, in one transaction of the store.
func (s *session) apply(ctx context.Context, m protocol.Changes) error {
	res, err := s.st.ApplyPulled(ctx, m.Records, s.welcome.Epoch, m.Cursor)
	if err != nil {
		return fmt.Errorf("apply pulled changes: %w", err)
	}
	for _, r := range res.Refused {
		s.c.log.Printf("sync: not applied here: %s: %v", r.ID, r.Err)
	}
	s.cursor = m.Cursor
	s.sum.Pulled += len(m.Records)
	s.sum.Changed += res.Changed
	s.sum.Conflicts += res.Conflicts
	s.c.update(func(st *State) { st.Pulled += len(m.Records) })
	if m.CaughtUp {
		s.caughtUp = true
	}
	return nil
}

// pong takes a fresh measurement of the clock offset; the store keeps it only if it moved by more than
// a second.
func (s *session) pong(m protocol.Pong) error {
	now := s.st.Wall()
	rtt := now.Sub(time.UnixMilli(m.Echo))
	off := time.UnixMilli(m.Time).Sub(time.UnixMilli(m.Echo).Add(rtt / 2))
	if d := off - s.offset; d > time.Second || d < -time.Second {
		s.offset = off
		if err := s.st.SetClockOffset(off); err != nil {
			return err
		}
		s.c.update(func(st *State) { st.Offset = off })
	}
	return nil
}
