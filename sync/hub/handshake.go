package hub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"techaid/sync/protocol"
)

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
	s, welcome, perr := h.handshake(conn, r)
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
	// An office too old for this hub is told so with the release it can install, if the city publishes
	// one for its platform (the file itself is served only for a good token).
	upgrade := func(detail string) (*session, protocol.Welcome, *protocol.Error) {
		e := protocol.Err(protocol.CodeUpgrade, detail)
		h.mu.Lock()
		e.Release = h.currentRelease(hello.Platform)
		h.mu.Unlock()
		return nil, protocol.Welcome{}, &e
	}
	if hello.Proto < protocol.MinVersion {
		return upgrade(fmt.Sprintf("protocol %d; this hub speaks %d to %d", hello.Proto, protocol.MinVersion, protocol.Version))
	}
	if hello.Schema != protocol.Schema {
		return upgrade(fmt.Sprintf("schema %d; this hub has schema %d", hello.Schema, protocol.Schema))
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
	case o == nil && h.retired[hash]:
		return fail(protocol.CodeRevoked, "")
	case o == nil:
		return fail(protocol.CodeUnauthorized, "")
	case o.Revoked != nil:
		return fail(protocol.CodeRevoked, "")
	}
	// A handshake slot is for an office whose token the hub knows: connections that never say hello,
	// or say it with a token nobody was given, cost a goroutine for at most the 10 s a hello may take
	// (and the city's listener caps them per address), never a slot an office needs (issue 14).
	select {
	case h.shakes <- struct{}{}:
		defer func() { <-h.shakes }()
	default:
		return fail(protocol.CodeBusy, "too many connections are starting")
	}
	// A replica id belongs to the office that first used it. Another office's hello with it is refused
	// before anything else: the owner's session stays, and nothing of what the hub holds from it is shown
	// (its acknowledged position would let the other office move it past changes the hub never got).
	owner, err := h.st.BindReplica(hello.Replica, o.ID)
	if err != nil {
		h.log.Printf("hub: bind replica %s: %v", hello.Replica, err)
		return fail(protocol.CodeInternal, "")
	}
	if owner != o.ID {
		h.log.Printf("hub: %s (%s) said hello as replica %s, which belongs to %s: refused", o.Name, o.Scope, hello.Replica, h.ownerName(owner))
		return fail(protocol.CodeReplicaTaken, "replica "+hello.Replica)
	}
	// The cap counts the sessions that go on: a PC reconnecting after a cut the hub has not noticed
	// replaces its old session below, so it is not told busy while its own dead socket holds a place.
	replaced := 0
	for old := range h.sessions {
		if old.replica == hello.Replica {
			replaced++
		}
	}
	if len(h.sessions)-replaced >= h.cfg.MaxSessions {
		return fail(protocol.CodeBusy, "too many offices connected")
	}
	acked, mark, err := h.st.PeerAckedMark(hello.Replica)
	if err != nil {
		return fail(protocol.CodeInternal, "")
	}
	// One session per replica: a new hello from a replica means its old socket is dead (a cut the hub has
	// not noticed yet).
	for old := range h.sessions {
		if old.replica == hello.Replica {
			h.wg.Add(1) // Close waits for it, as for the session
			go func() {
				defer h.wg.Done()
				old.fail(protocol.Err(protocol.CodeBadRequest, "replaced by a new session of the same replica"))
			}()
			delete(h.sessions, old)
		}
	}
	p := h.peers[hello.Replica]
	if p == nil {
		p = &Peer{Replica: hello.Replica, FirstSeen: now.UTC()}
		h.peers[hello.Replica] = p
	}
	// The app's version is only shown; a hello may carry 64 KiB of it, which every peer would keep
	// for good (a token's holder can make peers with new replica ids at will).
	app := hello.App
	if len(app) > maxApp {
		app = strings.ToValidUTF8(app[:maxApp], "")
	}
	p.OfficeID, p.Scope, p.App, p.LastContact = o.ID, o.Scope, app, now.UTC()
	p.Seq, p.Acked, p.OffsetMS, p.dirty = hello.Seq, acked, now.UnixMilli()-hello.Time, true

	ctx, cancel := context.WithCancel(context.Background())
	s := &session{h: h, conn: conn, office: *o, replica: hello.Replica, peer: p, wakeCh: make(chan struct{}, 1), ctx: ctx, cancel: cancel}
	h.sessions[s] = true
	h.wg.Add(1)
	proto := min(hello.Proto, protocol.Version)
	return s, protocol.Welcome{Proto: proto, Epoch: h.epoch, Time: now.UnixMilli(), Acked: acked, AckedMark: mark, Head: h.idx.head,
		Office: o.Name, Scope: o.Scope, Release: h.currentRelease(hello.Platform)}, nil
}

// maxApp is as much of hello.App as a peer keeps.
const maxApp = 64
