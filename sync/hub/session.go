package hub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/protocol"
)

// session is one connected office replica.
type session struct {
	h       *Hub
	conn    *websocket.Conn
	office  Office
	replica string
	peer    *Peer

	writeMu sync.Mutex
	ending  atomic.Bool   // fail began: no frame is written after its own
	wakeCh  chan struct{} // new changes in the session's scope
	ctx     context.Context
	cancel  context.CancelFunc
	once    sync.Once
	upload  *upload        // the evidence file offered last (the reader's)
	bg      sync.WaitGroup // checks of evidence files, waited for before the session is dropped
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
	if s.ending.Load() {
		return errEnding
	}
	_ = s.conn.SetWriteDeadline(time.Now().Add(s.h.cfg.WriteTimeout))
	if err := s.conn.WriteMessage(websocket.TextMessage, buf); err != nil {
		return err
	}
	// An office taking frames as fast as they come is alive even if it has nothing to say.
	return s.conn.SetReadDeadline(time.Now().Add(s.h.cfg.Idle))
}

// fail tells the office why the session ends, and ends it.
func (s *session) fail(e protocol.Error) {
	s.once.Do(func() {
		if e.Code != protocol.CodeShuttingDown {
			s.h.log.Printf("hub: %s (replica %s): ending the session: %s", s.office.Name, s.replica, e.Message)
		}
		// An office that stopped reading may hold writeMu in a write that waits out the write timeout
		// (30 s; Revoke and Close waited as long): no write starts after this, a near deadline on the
		// socket ends the one under way, and the error frame and the close get a second each.
		s.ending.Store(true)
		_ = s.conn.NetConn().SetWriteDeadline(time.Now().Add(time.Second))
		s.writeMu.Lock()
		if buf, err := protocol.Encode(e); err == nil {
			_ = s.conn.SetWriteDeadline(time.Now().Add(time.Second))
			_ = s.conn.WriteMessage(websocket.TextMessage, buf)
		}
		_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, string(e.Code)),
			time.Now().Add(time.Second))
		s.writeMu.Unlock()
		s.cancel()
		_ = s.conn.Close()
	})
}

// errEnding is sendFrame's error once the session is being ended (fail).
var errEnding = errors.New("the session is ending")

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

// readMessage reads and decodes the body of one frame; a protocol.Error says why the session must end.
func (s *session) readMessage(kind int, r io.Reader) (protocol.Message, error) {
	// The body of a frame must come within the write timeout once its header has: a slow sender
	// must not hold an intake slot for long.
	_ = s.conn.SetReadDeadline(time.Now().Add(s.h.cfg.WriteTimeout))
	frame, err := io.ReadAll(io.LimitReader(r, protocol.MaxFrame+1))
	switch {
	case err != nil:
		return nil, err
	case len(frame) > protocol.MaxFrame:
		return nil, protocol.Err(protocol.CodeTooLarge, fmt.Sprintf("frame over %d bytes", protocol.MaxFrame))
	case kind != websocket.TextMessage:
		return nil, protocol.Err(protocol.CodeBadRequest, "frames are JSON text")
	}
	_ = s.conn.SetReadDeadline(time.Now().Add(s.h.cfg.Idle))
	s.h.touch(s, func(p *Peer) { p.LastContact = s.h.now().UTC() })
	m, err := protocol.Decode(frame)
	if err != nil {
		return nil, protocol.Err(protocol.CodeBadRequest, err.Error())
	}
	return m, nil
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
	defer s.bg.Wait()
	defer pumps.Wait()
	defer s.cancel()
	pulling := false
	for {
		// Each frame is read, decoded and (a push) applied holding an intake slot, taken once its header
		// has arrived: pushes apply one at a time anyway, and 2,000 offices pushing at once must not all
		// hold their batches in memory meanwhile; the bodies wait in the kernel's buffers instead.
		kind, r, err := s.conn.NextReader()
		if err != nil {
			return
		}
		h.intake <- struct{}{}
		m, err := s.readMessage(kind, r)
		if err == nil {
			if p, ok := m.(protocol.Push); ok {
				err = s.push(p)
				<-h.intake
				if err != nil {
					return
				}
				continue
			}
			if c, ok := m.(protocol.FileChunk); ok {
				err = s.chunk(c)
				<-h.intake
				if err != nil {
					s.fileFailed(err)
					return
				}
				continue
			}
		}
		<-h.intake
		if err != nil {
			var pe protocol.Error
			if errors.As(err, &pe) {
				s.fail(pe)
			}
			return
		}
		switch m := m.(type) {
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
		case protocol.FileOffer:
			if err := s.offer(m); err != nil {
				s.fileFailed(err)
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
	res, err := h.apply(s.ctx, storage.Push{Replica: s.replica, Scope: s.office.Scope, Office: s.office.ID, Today: h.now(),
		From: m.From, To: m.To, Seqs: m.Seqs, Records: m.Records})
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
		refusal := protocol.Refusal{Seq: uint64(r.Row), Kind: kind, ID: r.ID, Code: code, Message: code.Chinese() + ": " + ledger.Chinese(r.Err)}
		var ve *ledger.ValidationError
		if errors.As(r.Err, &ve) {
			for _, f := range ve.Fields {
				if !slices.Contains(refusal.Fields, f.Field) {
					refusal.Fields = append(refusal.Fields, f.Field)
				}
			}
			slices.Sort(refusal.Fields)
		}
		ack.Refused = append(ack.Refused, refusal)
	}
	if len(res.Refused) > 0 {
		h.log.Printf("hub: %s (replica %s): refused %d of %d records, first: %v", s.office.Name, s.replica, len(res.Refused), len(m.Records), res.Refused[0].Err)
	}
	if res.Ignored > 0 {
		h.log.Printf("hub: %s (replica %s): push %d..%d: left out %d fields written in another office's name", s.office.Name, s.replica, m.From, m.To, res.Ignored)
	}
	if res.Parked > 0 {
		h.log.Printf("hub: %s (replica %s): push %d..%d: kept aside %d records until the rest of them arrives", s.office.Name, s.replica, m.From, m.To, res.Parked)
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
	if cursor == 0 {
		var err error
		if cursor, err = s.snapshot(); err != nil || s.ctx.Err() != nil {
			return err
		}
	}
	caughtUp := false
	told := cursor // the cursor the office was last sent
	for {
		for {
			f, err := s.changesAfter(cursor, caughtUp)
			if err != nil {
				return err
			}
			// Send records; send an empty batch to say caught up the first time, or when the office's
			// cursor lags far behind (changes of other scopes only), so its next pull starts near the head.
			if f.records > 0 || !caughtUp || f.upto-told >= 10000 {
				if err := s.sendFrame(f.buf); err != nil {
					return nil // the socket is gone; the reader ends the session
				}
				told = f.upto
				if f.upto >= f.head && !caughtUp {
					caughtUp = true
					h.touch(s, func(p *Peer) { p.LastSync = h.now().UTC() })
				}
			}
			cursor = f.upto
			if f.upto >= f.head {
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

// changesFrame is a changes message for one office, encoded: records of it, up to cursor upto of the
// hub's log, whose head was head when it was built.
type changesFrame struct {
	buf        []byte
	records    int
	upto, head uint64
}

// changesAfter builds the next frame of the session's changes after cursor: at most MaxBatch/2 of them
// and about protocol.BatchBytes, for records as large as validation allows (long texts) would make a
// frame over protocol.MaxFrame, which the office cannot read, so it would never catch up. Fewer
// changes, in proportion, until it fits (protocol.Shrink, by the estimate, then, if escaping made the
// JSON larger, by the encoded size); the cursor then stops at the last change sent. Live (caught up),
// frames are shared between the sessions of a scope (see frameCache).
//
// It holds one of a few work slots while it reads and encodes: 2,000 offices woken by one push would
// otherwise each hold a batch in memory at once. The slot is free again before the frame is sent,
// which takes as long as the office takes to read it (up to the write timeout): an office that does
// not read must not keep the slot, and with it every other office's catch-up and live changes,
// waiting that long.
func (s *session) changesAfter(cursor uint64, live bool) (changesFrame, error) {
	h := s.h
	h.work <- struct{}{}
	defer func() { <-h.work }()
	h.mu.Lock()
	seqs, upto := h.idx.after(s.office.Scope, cursor, protocol.MaxBatch/2)
	head := h.idx.head
	h.mu.Unlock()
	for {
		f := changesFrame{upto: upto, head: head}
		if shared := h.frames.get(s.office.Scope, cursor, upto, head); shared != nil && live {
			f.buf, f.records = shared.buf, shared.records
			return f, nil
		}
		msg := protocol.Changes{Cursor: upto, CaughtUp: upto >= head, Records: []ledger.Record{}}
		if len(seqs) > 0 {
			recs, err := h.st.ChangesAt(seqs, s.sharedSkip(live))
			if err != nil {
				return f, err
			}
			if recs != nil {
				msg.Records = recs
			}
		}
		size := 0
		for _, r := range msg.Records {
			size += protocol.ApproxSize(r)
		}
		if size <= protocol.BatchBytes || len(seqs) <= 1 {
			var err error
			if f.buf, err = protocol.Encode(msg); err != nil {
				return f, err
			}
			f.records = len(msg.Records)
			if size = len(f.buf); size <= protocol.BatchBytes || len(seqs) <= 1 {
				if live {
					h.frames.put(s.office.Scope, cursor, upto, head, &sharedFrame{buf: f.buf, records: f.records})
				}
				return f, nil
			}
		}
		seqs = seqs[:protocol.Shrink(len(seqs), size)]
		upto = seqs[len(seqs)-1]
	}
}

// sharedSkip is whose fields ChangesAt leaves out. Live batches are shared between the sessions of one
// scope (see frameCache), so they leave out nothing: an office gets its own changes back, which it
// already holds and merges as a no-op. Catching up, each office gets only what it lacks: the fields
// whose versions name its replica, which the hub took from this office alone (versions naming a
// replica of another office are left out of a push, and a replica's hello is refused to any office but
// its own), so no other office's claim can hide a record from it.
func (s *session) sharedSkip(live bool) string {
	if live {
		return ""
	}
	return s.replica
}

// snapshot sends an office that pulls from the start every record of its scope, but for the fields it
// wrote itself (see sharedSkip), read in one scan of the hub's store rather than one lookup per
// change, and returns the sequence number the scan covers. Batches before the last carry cursor 0: an
// office cut off mid-snapshot starts again.
func (s *session) snapshot() (uint64, error) {
	h := s.h
	h.mu.Lock()
	head := h.idx.head // every change up to head is committed, so the scan below sees it
	h.mu.Unlock()
	if head == 0 {
		return 0, nil
	}
	h.work <- struct{}{} // see pump
	defer func() { <-h.work }()
	var batch []ledger.Record
	size := 0
	flush := func(cursor uint64) error {
		buf, err := protocol.Encode(protocol.Changes{Cursor: cursor, Records: append([]ledger.Record{}, batch...)})
		if err != nil {
			return err
		}
		batch, size = batch[:0], 0
		<-h.work // not held while the office reads the frame (see pump)
		err = s.sendFrame(buf)
		h.work <- struct{}{}
		return err
	}
	err := h.st.Snapshot(func(rec ledger.Record, place ledger.Code) error {
		if !covers(s.office.Scope, place) {
			return nil
		}
		for name, f := range rec.Fields {
			if f.Replica == s.replica {
				delete(rec.Fields, name) // the office wrote it; it has it (see sharedSkip)
			}
		}
		if len(rec.Fields) == 0 {
			return nil
		}
		n := protocol.ApproxSize(rec)
		if len(batch) > 0 && (size+n > protocol.BatchBytes || len(batch) == protocol.MaxBatch) {
			if err := flush(0); err != nil {
				return errGone
			}
		}
		batch, size = append(batch, rec), size+n
		return nil
	})
	if errors.Is(err, errGone) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if err := flush(head); err != nil {
		return 0, nil // the socket is gone; the reader ends the session
	}
	return head, nil
}

// errGone stops a snapshot whose socket is gone.
var errGone = errors.New("session gone")
