package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/protocol"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// session is one connected office replica.
type session struct {
	h       *Hub
	conn    *websocket.Conn
	office  Office
	replica string
	peer    *Peer

	writeMu sync.Mutex
	wakeCh  chan struct{} // new changes in the session's scope
	ctx     context.Context
	cancel  context.CancelFunc
	once    sync.Once
}

func (s *session) wake() {
	select {
	case s.wakeCh <- struct{}{}:
	default:
	}
}

// send writes one message; a client that does not take it within the write timeout is cut.
func (s *session) send(m protocol.Message) error {
	buf, err := protocol.Encode(m)
	if err != nil {
		return err
	}
	return s.sendFrame(buf)
}

// sendFrame writes one encoded message.
func (s *session) sendFrame(buf []byte) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_ = s.conn.SetWriteDeadline(time.Now().Add(s.h.cfg.WriteTimeout))
	return s.conn.WriteMessage(websocket.TextMessage, buf)
}

// fail tells the office why the session ends, and ends it.
func (s *session) fail(e protocol.Error) {
	s.once.Do(func() {
		_ = s.send(e)
		s.writeMu.Lock()
		_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, string(e.Code)),
			time.Now().Add(time.Second))
		s.writeMu.Unlock()
		s.cancel()
		_ = s.conn.Close()
	})
}

// errTooLarge is readFrame's error for a frame over its limit.
var errTooLarge = errors.New("frame over the size limit")

// readFrame reads one frame of at most limit bytes, holding no more than limit+1 bytes of it. The
// connection's own read limit (SetReadLimit) is not used: gorilla answers a frame over it with a close
// frame of its own, at once, and then refuses to send anything more, so the office never got the
// too_large error frame the protocol promises before the close.
func readFrame(conn *websocket.Conn, limit int) (int, []byte, error) {
	kind, r, err := conn.NextReader()
	if err != nil {
		return kind, nil, err
	}
	frame, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err == nil && len(frame) > limit {
		err = errTooLarge
	}
	return kind, frame, err
}

// refuse answers a connection that never becomes a session.
func refuse(conn *websocket.Conn, e protocol.Error) {
	if buf, err := protocol.Encode(e); err == nil {
		_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		_ = conn.WriteMessage(websocket.TextMessage, buf)
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, string(e.Code)),
			time.Now().Add(time.Second))
	}
	_ = conn.Close()
}

func (h *Hub) serveSync(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	closing := h.closing
	h.mu.Unlock()
	if closing {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	select {
	case h.shakes <- struct{}{}:
	default:
		refuse(conn, protocol.Err(protocol.CodeBusy, "too many connections are starting"))
		return
	}
	s, welcome, perr := h.handshake(conn, r)
	<-h.shakes
	if perr != nil {
		h.log.Printf("hub: %s: refused: %s", r.RemoteAddr, perr.Message)
		refuse(conn, *perr)
		return
	}
	if err := s.send(welcome); err != nil {
		h.drop(s)
		_ = conn.Close()
		return
	}
	h.log.Printf("hub: %s (%s, replica %s) connected from %s", s.office.Name, s.office.Scope, s.replica, r.RemoteAddr)
	s.serve()
}

// handshake reads the hello and registers the session, or says why not.
func (h *Hub) handshake(conn *websocket.Conn, r *http.Request) (*session, protocol.Welcome, *protocol.Error) {
	fail := func(code protocol.Code, detail string) (*session, protocol.Welcome, *protocol.Error) {
		e := protocol.Err(code, detail)
		return nil, protocol.Welcome{}, &e
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	kind, frame, err := readFrame(conn, protocol.MaxHello)
	if errors.Is(err, errTooLarge) {
		return fail(protocol.CodeTooLarge, "hello over 64 KiB")
	}
	if err != nil {
		return fail(protocol.CodeBadRequest, "no hello")
	}
	if kind != websocket.TextMessage {
		return fail(protocol.CodeBadRequest, "frames are JSON text")
	}
	m, err := protocol.Decode(frame)
	if err != nil {
		return fail(protocol.CodeBadRequest, err.Error())
	}
	hello, ok := m.(protocol.Hello)
	if !ok {
		return fail(protocol.CodeBadRequest, "the first frame must be hello")
	}
	if hello.Proto < protocol.MinVersion {
		return fail(protocol.CodeUpgrade, fmt.Sprintf("protocol %d; this hub speaks %d to %d", hello.Proto, protocol.MinVersion, protocol.Version))
	}
	if hello.Schema != protocol.Schema {
		return fail(protocol.CodeUpgrade, fmt.Sprintf("schema %d; this hub has schema %d", hello.Schema, protocol.Schema))
	}
	if hello.Token == "" {
		return fail(protocol.CodeUnauthorized, "no token")
	}
	if hello.Replica == "" || len(hello.Replica) > 64 {
		return fail(protocol.CodeBadRequest, "replica id: 1 to 64 bytes")
	}
	hash := HashToken(hello.Token)
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	o := h.offices[hash]
	switch {
	case h.closing:
		return fail(protocol.CodeShuttingDown, "")
	case o == nil:
		return fail(protocol.CodeUnauthorized, "")
	case o.Revoked != nil:
		return fail(protocol.CodeRevoked, "")
	case len(h.sessions) >= h.cfg.MaxSessions:
		return fail(protocol.CodeBusy, "too many offices connected")
	}
	acked, err := h.st.PeerAcked(hello.Replica)
	if err != nil {
		return fail(protocol.CodeInternal, "")
	}
	// One session per replica: a new hello from a replica means its old socket is dead (a cut the hub has
	// not noticed yet).
	for old := range h.sessions {
		if old.replica == hello.Replica {
			go old.fail(protocol.Err(protocol.CodeBadRequest, "replaced by a new session of the same replica"))
			delete(h.sessions, old)
		}
	}
	p := h.peers[hello.Replica]
	if p == nil {
		p = &Peer{Replica: hello.Replica, FirstSeen: now.UTC()}
		h.peers[hello.Replica] = p
	}
	p.OfficeID, p.Scope, p.App, p.LastContact = o.ID, o.Scope, hello.App, now.UTC()
	p.Seq, p.Acked, p.OffsetMS, p.dirty = hello.Seq, acked, now.UnixMilli()-hello.Time, true

	ctx, cancel := context.WithCancel(context.Background())
	s := &session{h: h, conn: conn, office: *o, replica: hello.Replica, peer: p, wakeCh: make(chan struct{}, 1), ctx: ctx, cancel: cancel}
	h.sessions[s] = true
	h.wg.Add(1)
	proto := min(hello.Proto, protocol.Version)
	return s, protocol.Welcome{Proto: proto, Epoch: h.epoch, Time: now.UnixMilli(), Acked: acked, Head: h.idx.head,
		Office: o.Name, Scope: o.Scope}, nil
}

// drop forgets a session.
func (h *Hub) drop(s *session) {
	h.mu.Lock()
	if h.sessions[s] {
		delete(h.sessions, s)
	}
	h.mu.Unlock()
	s.cancel()
	h.wg.Done()
}

// serve runs a session until its socket closes: the reader here, the pump (changes to the office) in
// its own goroutine once the office pulls, pings in another.
func (s *session) serve() {
	h := s.h
	defer h.drop(s)
	defer s.conn.Close()
	idle := h.cfg.Idle
	_ = s.conn.SetReadDeadline(time.Now().Add(idle))
	s.conn.SetPongHandler(func(string) error { return s.conn.SetReadDeadline(time.Now().Add(idle)) })
	var pumps sync.WaitGroup
	defer pumps.Wait()
	defer s.cancel()
	pumps.Add(1)
	go func() {
		defer pumps.Done()
		t := time.NewTicker(idle / 3)
		defer t.Stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-t.C:
				s.writeMu.Lock()
				err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(h.cfg.WriteTimeout))
				s.writeMu.Unlock()
				if err != nil {
					s.fail(protocol.Err(protocol.CodeBadRequest, "ping failed"))
					return
				}
			}
		}
	}()
	pulling := false
	for {
		kind, frame, err := readFrame(s.conn, protocol.MaxFrame)
		if err != nil {
			if errors.Is(err, errTooLarge) {
				s.fail(protocol.Err(protocol.CodeTooLarge, fmt.Sprintf("frame over %d bytes", protocol.MaxFrame)))
			}
			return
		}
		_ = s.conn.SetReadDeadline(time.Now().Add(idle))
		h.touch(s, func(p *Peer) { p.LastContact = h.now().UTC() })
		if kind != websocket.TextMessage {
			s.fail(protocol.Err(protocol.CodeBadRequest, "frames are JSON text"))
			return
		}
		m, err := protocol.Decode(frame)
		if err != nil {
			s.fail(protocol.Err(protocol.CodeBadRequest, err.Error()))
			return
		}
		switch m := m.(type) {
		case protocol.Push:
			if err := s.push(m); err != nil {
				return
			}
		case protocol.Pull:
			if pulling {
				s.fail(protocol.Err(protocol.CodeBadRequest, "pull sent twice"))
				return
			}
			pulling = true
			pumps.Add(1)
			go func() {
				defer pumps.Done()
				if err := s.pump(m.Cursor); err != nil && s.ctx.Err() == nil {
					h.log.Printf("hub: %s (replica %s): %v", s.office.Name, s.replica, err)
					s.fail(protocol.Err(protocol.CodeInternal, ""))
				}
			}()
		case protocol.Ping:
			if err := s.send(protocol.Pong{Echo: m.Time, Time: h.now().UnixMilli()}); err != nil {
				return
			}
		default:
			s.fail(protocol.Err(protocol.CodeBadRequest, fmt.Sprintf("%s is not sent by an office", m.MessageType())))
			return
		}
	}
}

// touch changes the session's peer under the hub's lock and marks it for saving.
func (h *Hub) touch(s *session, fn func(p *Peer)) {
	h.mu.Lock()
	fn(s.peer)
	s.peer.dirty = true
	h.mu.Unlock()
}

// push applies one batch and acknowledges it.
func (s *session) push(m protocol.Push) error {
	h := s.h
	res, err := h.apply(s.ctx, storage.Push{Replica: s.replica, Scope: s.office.Scope, From: m.From, To: m.To, Seqs: m.Seqs, Records: m.Records})
	switch {
	case errors.Is(err, storage.ErrGap):
		s.fail(protocol.Err(protocol.CodeGap, err.Error()))
		return err
	case err != nil:
		if s.ctx.Err() == nil {
			h.log.Printf("hub: %s (replica %s): push %d..%d: %v", s.office.Name, s.replica, m.From, m.To, err)
			s.fail(protocol.Err(protocol.CodeInternal, ""))
		}
		return err
	}
	ack := protocol.Ack{Acked: res.Acked}
	for _, r := range res.Refused {
		code := protocol.CodeInvalid
		var se *storage.ScopeError
		if errors.As(r.Err, &se) {
			code = protocol.CodeOutOfScope
		}
		kind := ledger.Kind("")
		for i, seq := range m.Seqs {
			if seq == uint64(r.Row) {
				kind = m.Records[i].Kind
			}
		}
		ack.Refused = append(ack.Refused, protocol.Refusal{Seq: uint64(r.Row), Kind: kind, ID: r.ID, Code: code,
			Message: code.Chinese() + ": " + storage.Chinese(r.Err)})
	}
	if len(res.Refused) > 0 {
		h.log.Printf("hub: %s (replica %s): refused %d of %d records, first: %v", s.office.Name, s.replica, len(res.Refused), len(m.Records), res.Refused[0].Err)
	}
	h.touch(s, func(p *Peer) {
		p.Acked = res.Acked
		p.Seq = max(p.Seq, m.To)
		p.Received += res.Changed
		p.Refused += len(res.Refused)
		p.LastSync = h.now().UTC()
	})
	return s.send(ack)
}

// pump sends the office every change of its scope after cursor, then stays live: each time a push
// lands in its scope it sends what is new. It returns when the session ends.
func (s *session) pump(cursor uint64) error {
	h := s.h
	caughtUp := false
	told := cursor // the cursor the office was last sent
	for {
		for {
			h.mu.Lock()
			seqs, upto := h.idx.after(s.office.Scope, cursor, protocol.MaxBatch/2)
			head := h.idx.head
			h.mu.Unlock()
			// Keep a frame within about protocol.BatchBytes: MaxBatch/2 records as large as validation
			// allows (long texts) make a frame over protocol.MaxFrame, which the office cannot read, so it
			// would never catch up. Fewer changes, in proportion, until it fits (by an estimate, then,
			// if escaping made the JSON larger, by the encoded size); the cursor then stops at the last
			// change sent.
			var msg protocol.Changes
			var buf []byte
			for {
				msg = protocol.Changes{Cursor: upto, CaughtUp: upto >= head, Records: []ledger.Record{}}
				if len(seqs) > 0 {
					recs, err := h.st.ChangesAt(seqs, s.replica)
					if err != nil {
						return err
					}
					if recs != nil {
						msg.Records = recs
					}
				}
				size := 0
				for _, r := range msg.Records {
					size += approxSize(r)
				}
				if size <= protocol.BatchBytes || len(seqs) <= 1 {
					var err error
					if buf, err = protocol.Encode(msg); err != nil {
						return err
					}
					if size = len(buf); size <= protocol.BatchBytes || len(seqs) <= 1 {
						break
					}
				}
				seqs = seqs[:max(1, min(len(seqs)-1, len(seqs)*protocol.BatchBytes/size))]
				upto = seqs[len(seqs)-1]
			}
			// Send records; send an empty batch to say caught up the first time, or when the office's
			// cursor lags far behind (changes of other scopes only), so its next pull starts near the head.
			if len(msg.Records) > 0 || !caughtUp || upto-told >= 10000 {
				if err := s.sendFrame(buf); err != nil {
					return nil // the socket is gone; the reader ends the session
				}
				told = upto
				if msg.CaughtUp && !caughtUp {
					caughtUp = true
					h.touch(s, func(p *Peer) { p.LastSync = h.now().UTC() })
				}
			}
			cursor = upto
			if upto >= head {
				break
			}
		}
		select {
		case <-s.ctx.Done():
			return nil
		case <-s.wakeCh:
		}
	}
}

// approxSize estimates the JSON size of a record, without encoding it: exact but for escaped
// characters (which can make a value up to six times longer).
func approxSize(r ledger.Record) int {
	n := 40 + len(r.Kind) + len(r.ID)
	for name, f := range r.Fields {
		n += 130 + len(name) + len(f.Value) + len(f.Author) + len(f.Office) + len(f.Replica) + len(f.Prev.Replica)
	}
	return n
}
