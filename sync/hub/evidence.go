package hub

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/protocol"
)

// Evidence files from offices (PROTOCOL.md section 15): an office offers a file that one of its records
// lists, sends it in chunks the hub writes durably as they come, and the hub keeps the file once its
// hash and its content check out. Limits: a file's size, and the bytes an office may send in a day.

// The hub's limits unless Config says otherwise.
const (
	DefaultEvidenceFile = 20 << 20
	DefaultEvidenceDay  = 200 << 20
)

// upload is the file a session's office offered last. Only the session's reader touches it.
type upload struct {
	hash     string
	size     int64
	held     int64
	checking bool // every byte is here; the check runs (or ran) in the background
}

// day is the hub's date in China time, the day the limits count.
func (h *Hub) day() string { return h.now().In(ledger.China).Format("2006-01-02") }

// mb writes a size in MB for a clerk.
func mb(n int64) string {
	if n < 10<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d MB", n>>20)
}

// refuseFile tells the office the hub will not take the file now, and why.
func (s *session) refuseFile(hash string, code protocol.Code, detail string) error {
	s.h.log.Printf("hub: %s (replica %s): file %s refused: %s (%s)", s.office.Name, s.replica, hash, code, detail)
	s.h.touch(s, func(p *Peer) { p.FilesRefused++ })
	msg := code.Chinese()
	if detail != "" {
		msg += " (" + detail + ")"
	}
	return s.send(protocol.FileRefused{SHA256: hash, Code: code, Message: msg})
}

// offer answers a file_offer with what the hub holds of the file, or a refusal.
func (s *session) offer(m protocol.FileOffer) error {
	h := s.h
	s.upload = nil
	if why := h.listed(s.office.Scope, m.Kind, m.ID, m.SHA256); why != "" {
		return s.refuseFile(m.SHA256, protocol.CodeNotListed, why)
	}
	if m.Size > h.cfg.EvidenceFile {
		return s.refuseFile(m.SHA256, protocol.CodeFileTooLarge, fmt.Sprintf("文件 %s，每个文件不能超过 %s", mb(m.Size), mb(h.cfg.EvidenceFile)))
	}
	if h.hasFile(m.SHA256) {
		return s.send(protocol.FileAck{SHA256: m.SHA256, Held: m.Size, Done: true})
	}
	held, err := h.st.Partial(s.office.ID, m.SHA256)
	if err != nil {
		return storeError{err}
	}
	if held > m.Size { // what is held was sent under another size: it cannot be this file
		if err := h.st.DropPartial(s.office.ID, m.SHA256); err != nil {
			return storeError{err}
		}
		held = 0
	}
	u := &upload{hash: m.SHA256, size: m.Size, held: held}
	s.upload = u
	if held == m.Size { // whole before the hub stopped, never checked
		return s.check(u)
	}
	if why := s.overQuota(m.Size - held); why != "" {
		s.upload = nil
		return s.refuseFile(m.SHA256, protocol.CodeQuota, why)
	}
	return s.send(protocol.FileAck{SHA256: m.SHA256, Held: held})
}

// overQuota says why n more bytes would take the office past its daily limit, or "".
func (s *session) overQuota(n int64) string {
	got, err := s.h.st.Received(s.office.ID, s.h.day())
	if err != nil || got+n <= s.h.cfg.EvidenceDay {
		return ""
	}
	return fmt.Sprintf("今天已收到 %s，每天不超过 %s", mb(got), mb(s.h.cfg.EvidenceDay))
}

// chunk writes a chunk of the offered file durably and acknowledges it; the last one starts the check.
func (s *session) chunk(m protocol.FileChunk) error {
	h := s.h
	u := s.upload
	switch {
	case u == nil || u.hash != m.SHA256:
		return protocol.Err(protocol.CodeBadRequest, "file_chunk for a file not offered last")
	case m.Offset+int64(len(m.Data)) > u.size:
		return protocol.Err(protocol.CodeBadRequest, fmt.Sprintf("file_chunk beyond the offered size %d", u.size))
	case u.checking || m.Offset != u.held:
		return s.send(protocol.FileAck{SHA256: u.hash, Held: u.held})
	}
	if why := s.overQuota(int64(len(m.Data))); why != "" {
		s.upload = nil
		return s.refuseFile(u.hash, protocol.CodeQuota, why)
	}
	held, err := h.st.AppendPartial(s.office.ID, u.hash, m.Offset, m.Data, h.day())
	if errors.Is(err, storage.ErrPartialOffset) { // another PC of the office sends the same file
		held, err = h.st.Partial(s.office.ID, u.hash)
	}
	if err != nil {
		return storeError{err}
	}
	u.held = held
	if held >= u.size {
		return s.check(u)
	}
	return s.send(protocol.FileAck{SHA256: u.hash, Held: held})
}

// check acknowledges the whole of an upload, checks it in the background (decoding a photo takes tens
// of milliseconds, and neither the office's pushes nor its next file need wait for it), keeps it if it
// passes, and then tells the office: done, or refused.
func (s *session) check(u *upload) error {
	u.checking = true
	if err := s.send(protocol.FileAck{SHA256: u.hash, Held: u.size}); err != nil {
		return err
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		h := s.h
		h.checks <- struct{}{}
		code, why, err := h.keep(s.office.ID, u.hash)
		<-h.checks
		switch {
		case err != nil:
			h.log.Printf("hub: %s (replica %s): file %s: %v", s.office.Name, s.replica, u.hash, err)
			s.fail(protocol.Err(protocol.CodeInternal, ""))
		case code != "":
			_ = s.refuseFile(u.hash, code, why)
		default:
			h.log.Printf("hub: %s (replica %s): file %s received (%d bytes)", s.office.Name, s.replica, u.hash, u.size)
			h.touch(s, func(p *Peer) { p.Files++ })
			_ = s.send(protocol.FileAck{SHA256: u.hash, Held: u.size, Done: true})
		}
	}()
	return nil
}

// keep checks the whole partial file hash of owner, keeps it as a file of the hub if it is what was
// offered and is evidence, and drops the partial either way; a refusal's code and reason otherwise.
func (h *Hub) keep(owner, hash string) (protocol.Code, string, error) {
	data, err := h.st.PartialBytes(owner, hash)
	if err != nil {
		return "", "", err
	}
	sum := sha256.Sum256(data)
	code, why := protocol.Code(""), ""
	if hex.EncodeToString(sum[:]) != hash {
		code, why = protocol.CodeHashMismatch, "收到的内容与文件编号不符"
	} else if typ, err := h.cfg.Check(data); err != nil {
		code, why = protocol.CodeNotEvidence, notEvidence(err)
	} else if err := h.putFile(hash, typ, data); err != nil {
		return "", "", err
	}
	return code, why, h.st.DropPartial(owner, hash)
}

// listed says why the file hash may not be sent or fetched as evidence of record kind/id by an office
// of scope ("" if it may): the hub holds the record, the office receives it, and it lists the file.
func (h *Hub) listed(scope ledger.Code, kind ledger.Kind, id, hash string) string {
	rec, err := h.st.Record(id)
	if err != nil || rec.Kind != kind {
		return "市局没有这条记录"
	}
	if !covers(scope, storage.RecordPlace(rec)) {
		return "这条记录不属于本单位"
	}
	if !lists(rec, hash) {
		return "这条记录没有列出这个文件"
	}
	return ""
}

// lists reports whether a record's evidence field lists the file hash. Its items are
// "sha256|type|size|taken|place|name" (ledger.Evidence).
func lists(rec ledger.Record, hash string) bool {
	var items []string
	if err := json.Unmarshal([]byte(rec.Fields[fieldEvidence].Value), &items); err != nil {
		return false
	}
	for _, it := range items {
		if h, _, _ := strings.Cut(it, "|"); h == hash {
			return true
		}
	}
	return false
}

const fieldEvidence = "evidence"

// serveEvidence serves a file the hub holds to an office whose token it knows, for a record the office
// receives that lists it (PROTOCOL.md 15.4); Range requests let a cut download go on.
func (h *Hub) serveEvidence(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	hash := strings.TrimPrefix(r.URL.Path, protocol.EvidencePath)
	token, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	h.mu.Lock()
	o := h.offices[HashToken(strings.TrimSpace(token))]
	h.mu.Unlock()
	if !bearer || o == nil || o.Revoked != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="techaid"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if protocol.CheckSHA256(hash) != nil {
		http.NotFound(w, r)
		return
	}
	if why := h.listed(o.Scope, ledger.Kind(r.URL.Query().Get("kind")), r.URL.Query().Get("id"), hash); why != "" {
		http.Error(w, why, http.StatusForbidden)
		return
	}
	data, err := h.file(hash)
	if err != nil {
		http.Error(w, "市局还没有收到这个文件：上报它的单位联网后会自动上报，请稍后再试", http.StatusNotFound)
		return
	}
	w.Header().Set("ETag", `"`+hash+`"`)
	w.Header().Set("Content-Type", contentType(data))
	http.ServeContent(&rollingDeadline{ResponseWriter: w, rc: http.NewResponseController(w)}, r, "", time.Time{}, bytes.NewReader(data))
}

func contentType(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG")):
		return "image/png"
	}
	return "application/pdf"
}

// storeError is a failure of the hub's store while it handled an evidence frame.
type storeError struct{ error }

// fileFailed ends a session whose evidence frame could not be handled: a protocol error as it says, a
// failure of the hub's store as internal; any other error is the socket's, and the session is over.
func (s *session) fileFailed(err error) {
	var pe protocol.Error
	var se storeError
	switch {
	case errors.As(err, &pe):
		s.fail(pe)
	case errors.As(err, &se) && s.ctx.Err() == nil:
		s.h.log.Printf("hub: %s (replica %s): evidence: %v", s.office.Name, s.replica, se.error)
		s.fail(protocol.Err(protocol.CodeInternal, ""))
	}
}
