package client

import (
	"context"
	"errors"
	"fmt"
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

// session runs one connection: hello, push from what the hub holds, pull from the cursor, then live.
// In once mode it returns when both directions are caught up.
func (c *Client) session(parent context.Context, once bool) (Summary, error) {
	var sum Summary
	start := time.Now()
	if Plain(c.cfg.URL) && !c.cfg.Plain {
		return sum, fmt.Errorf("%s: %w", URL(c.cfg.URL), ErrPlain)
	}
	c.update(func(s *State) { s.Phase, s.Done, s.Total, s.Pulled = Connecting, 0, 0, 0 })
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	conn, _, err := c.cfg.Dialer.DialContext(ctx, URL(c.cfg.URL), nil)
	if err != nil {
		return sum, fmt.Errorf("connect %s: %w", URL(c.cfg.URL), err)
	}
	defer conn.Close()
	go func() {
		<-ctx.Done()
		_ = conn.Close() // unblocks the reader
	}()
	conn.SetReadLimit(protocol.MaxFrame)
	sendFrame := func(buf []byte) error {
		_ = conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
		return conn.WriteMessage(websocket.TextMessage, buf)
	}
	send := func(m protocol.Message) error {
		buf, err := protocol.Encode(m)
		if err != nil {
			return err
		}
		return sendFrame(buf)
	}

	id := c.st.Identity()
	seq, _ := c.st.Committed()
	pc, err := c.st.Pulled()
	if err != nil {
		return sum, err
	}
	sent := c.st.Wall()
	sentMono := time.Now()
	err = send(protocol.Hello{Proto: protocol.Version, Schema: protocol.Schema, App: c.cfg.App, Replica: id.Replica,
		Token: c.cfg.Token, Seq: seq, Epoch: pc.Epoch, Cursor: pc.Cursor, Time: sent.UnixMilli()})
	if err != nil {
		return sum, fmt.Errorf("hello: %w", err)
	}

	// The reader decodes frames and hands them over; the loop below does everything else. The ping
	// handler runs on the reader, so it is set before the reader starts: set after, a hub's ping early
	// in a session read it unsynchronised (a data race).
	conn.SetPingHandler(func(data string) error {
		_ = conn.SetReadDeadline(time.Now().Add(idle))
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(10*time.Second))
	})
	frames := make(chan inbound, 4)
	go func() {
		for {
			_ = conn.SetReadDeadline(time.Now().Add(idle))
			_, frame, err := conn.ReadMessage()
			if err != nil {
				select {
				case frames <- inbound{err: err}:
				case <-ctx.Done():
				}
				return
			}
			m, err := protocol.Decode(frame)
			select {
			case frames <- inbound{m: m, err: err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()

	var welcome protocol.Welcome
	select {
	case in := <-frames:
		if in.err != nil {
			return sum, fmt.Errorf("welcome: %w", in.err)
		}
		switch m := in.m.(type) {
		case protocol.Welcome:
			welcome = m
		case protocol.Error:
			return sum, m
		default:
			return sum, fmt.Errorf("welcome: got %s", in.m.MessageType())
		}
	case <-time.After(30 * time.Second):
		return sum, errors.New("welcome: no answer in 30 s")
	case <-ctx.Done():
		return sum, ctx.Err()
	}
	// hubErr is the error of a frame the hub did not take. The hub sends an error frame before it
	// closes (shutting_down, revoked), and closing with pushes still unread resets the connection, so
	// a write in flight fails with "connection reset" while the hub's reason waits in the reader: take
	// the reason if it comes (the protocol says to act on its code), else the write's error. Without
	// this a hub stopping in the middle of a push was reported as a network failure, and a token
	// revoked then as one to retry.
	hubErr := func(what string, err error) error {
		timeout := time.After(time.Second)
		for {
			select {
			case in := <-frames:
				if in.err != nil {
					return fmt.Errorf("%s: %w", what, err)
				}
				if pe, ok := in.m.(protocol.Error); ok {
					return pe
				}
				// An ack or changes before it: the session ends anyway; the next welcome says what the
				// hub holds.
			case <-timeout:
				return fmt.Errorf("%s: %w", what, err)
			}
		}
	}
	rtt := time.Since(sentMono)
	offset := time.UnixMilli(welcome.Time).Sub(sent.Add(rtt / 2))
	if err := c.st.SetClockOffset(offset); err != nil {
		return sum, err
	}
	stale := welcome.Acked > seq
	if !stale && welcome.Acked > 0 && welcome.AckedMark != "" {
		// The same number can name another change: a copy put back that has since made as many changes
		// as the hub holds. The hub's fingerprint of the change it acknowledged tells.
		ch, err := c.st.ChangeAt(welcome.Acked)
		if err != nil {
			return sum, err
		}
		stale = storage.ChangeMark(ch.Kind, ch.ID, ch.Fields) != welcome.AckedMark
	}
	if stale {
		// The hub holds changes of this replica that the store never wrote: the data directory was put
		// back from an old copy. New changes would reuse those sequence numbers and be taken for ones the
		// hub has. Become a new replica, which resends everything, and start again.
		c.log.Printf("sync: the city holds changes of this replica up to %d that this store did not make (%d made here; data put back from a copy?): taking a new replica id", welcome.Acked, seq)
		if err := c.st.Reidentify(); err != nil {
			return sum, err
		}
		return sum, errReidentified
	}
	cursor := pc.Cursor
	if welcome.Epoch == pc.Epoch && cursor > welcome.Head {
		cursor = 0 // the hub never had that many changes in this epoch: trust nothing of the cursor
	}
	if welcome.Epoch != pc.Epoch {
		if pc.Epoch != "" {
			c.log.Printf("sync: the city's hub was restored (epoch %s → %s): pulling everything again, resending what it lacks", pc.Epoch, welcome.Epoch)
		}
		cursor = 0
	}
	acked := welcome.Acked
	if acked != c.st.Stats(nil).Acked {
		if err := c.st.SetAcked(acked); err != nil {
			return sum, err
		}
	}
	first := acked
	c.update(func(s *State) {
		s.Phase, s.Offset, s.Office, s.Scope, s.Err = Syncing, offset, welcome.Office, welcome.Scope, nil
		s.Total, s.Pending = seq-acked, seq-acked
	})

	// apply applies one pulled batch with its cursor; waiting holds batches that arrived while this
	// office had changes the hub did not hold yet.
	caughtUp := false
	var waiting []protocol.Changes
	apply := func(m protocol.Changes) error {
		res, err := c.st.ApplyPulled(ctx, m.Records, welcome.Epoch, m.Cursor)
		if err != nil {
			return fmt.Errorf("apply pulled changes: %w", err)
		}
		for _, r := range res.Refused {
			c.log.Printf("sync: not applied here: %s: %v", r.ID, r.Err)
		}
		cursor = m.Cursor
		sum.Pulled += len(m.Records)
		sum.Changed += res.Changed
		sum.Conflicts += res.Conflicts
		c.update(func(s *State) { s.Pulled += len(m.Records) })
		if m.CaughtUp {
			caughtUp = true
		}
		return nil
	}
	applyWaiting := func() error {
		for len(waiting) > 0 {
			m := waiting[0]
			waiting = waiting[1:]
			if err := apply(m); err != nil {
				return err
			}
		}
		return nil
	}
	next := acked // pushed up to
	inflight := 0
	pulling := false
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		head, changed := c.st.Committed()
		for inflight < c.cfg.Window && next < head {
			chs, err := c.st.Changes(next, c.cfg.Batch)
			if err != nil {
				return sum, err
			}
			if len(chs) == 0 {
				break
			}
			// Keep a push within about protocol.BatchBytes: Batch records as large as validation allows
			// (long texts) make a frame over protocol.MaxFrame, which the hub refuses with too_large, so
			// they could never be sent. Cut by an estimate, then, if escaping made the JSON larger, by
			// the encoded size, in proportion, until it fits (one record always goes).
			size := 0
			for i, ch := range chs {
				if size += approxSize(ch.Record); i > 0 && size > protocol.BatchBytes {
					chs = chs[:i]
					break
				}
			}
			p, buf, err := pushOf(next, chs)
			for err == nil && len(buf) > protocol.BatchBytes && len(chs) > 1 {
				chs = chs[:max(1, min(len(chs)-1, len(chs)*protocol.BatchBytes/len(buf)))]
				p, buf, err = pushOf(next, chs)
			}
			if err != nil {
				return sum, err
			}
			if err := sendFrame(buf); err != nil {
				return sum, hubErr("push", err)
			}
			next = p.To
			inflight++
		}
		if inflight == 0 && next >= head {
			if err := applyWaiting(); err != nil {
				return sum, err
			}
		}
		if !pulling && inflight == 0 && next >= head {
			// Push first, then pull: the hub sees this office's concurrent edits before the office
			// receives the winners, so both sides log the conflict.
			if err := send(protocol.Pull{Cursor: cursor}); err != nil {
				return sum, hubErr("pull", err)
			}
			pulling = true
		}
		upToDate := caughtUp && inflight == 0 && acked >= head
		c.update(func(s *State) {
			s.Done, s.Total, s.Pending = acked-first, head-first, head-acked
			if upToDate {
				s.Phase, s.AsOf = UpToDate, time.Now()
			} else {
				s.Phase = Syncing
			}
		})
		if once && upToDate {
			sum.Elapsed = time.Since(start)
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "done"),
				time.Now().Add(time.Second))
			return sum, nil
		}
		select {
		case <-ctx.Done():
			return sum, ctx.Err()
		case <-changed:
		case <-ping.C:
			if err := send(protocol.Ping{Time: c.st.Wall().UnixMilli()}); err != nil {
				return sum, hubErr("ping", err)
			}
		case in := <-frames:
			if in.err != nil {
				var ce *websocket.CloseError
				if errors.As(in.err, &ce) {
					return sum, fmt.Errorf("the hub closed the connection: %w", in.err)
				}
				return sum, fmt.Errorf("read: %w", in.err)
			}
			switch m := in.m.(type) {
			case protocol.Ack:
				if inflight == 0 || m.Acked > next {
					return sum, fmt.Errorf("ack %d: nothing of that was pushed", m.Acked)
				}
				inflight--
				if m.Acked > acked {
					sum.Pushed += int(m.Acked - acked)
					acked = m.Acked
					if err := c.st.Ack(acked); err != nil {
						return sum, err
					}
				}
				for _, r := range m.Refused {
					c.log.Printf("sync: the city refused %s %s (change %d): %s", r.Kind, r.ID, r.Seq, r.Message)
				}
				sum.Refused = append(sum.Refused, m.Refused...)
			case protocol.Changes:
				// Live, a change from another office can arrive while a save made here is not yet at
				// the hub. Applying it first would push the winner instead of this office's value, and
				// the hub would never see (nor log) the conflict: it waits until the hub holds ours.
				if h, _ := c.st.Committed(); (inflight > 0 || next < h) && len(waiting) < 64 {
					waiting = append(waiting, m)
					continue
				}
				if err := applyWaiting(); err != nil {
					return sum, err
				}
				if err := apply(m); err != nil {
					return sum, err
				}
			case protocol.Pong:
				// A fresh offset measurement; stored only if it moved noticeably.
				now := c.st.Wall()
				rtt := now.Sub(time.UnixMilli(m.Echo))
				off := time.UnixMilli(m.Time).Sub(time.UnixMilli(m.Echo).Add(rtt / 2))
				if d := off - offset; d > time.Second || d < -time.Second {
					offset = off
					if err := c.st.SetClockOffset(off); err != nil {
						return sum, err
					}
					c.update(func(s *State) { s.Offset = off })
				}
			case protocol.Error:
				return sum, m
			default:
				return sum, fmt.Errorf("unexpected %s from the hub", in.m.MessageType())
			}
		}
	}
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

// approxSize estimates the JSON size of a record, without encoding it: exact but for escaped
// characters (which can make a value up to six times longer).
func approxSize(r ledger.Record) int {
	n := 40 + len(r.Kind) + len(r.ID)
	for name, f := range r.Fields {
		n += 130 + len(name) + len(f.Value) + len(f.Author) + len(f.Office) + len(f.Replica) + len(f.Prev.Replica)
	}
	return n
}
