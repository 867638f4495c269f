package client

import (
	"context"
	"fmt"
	"time"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/protocol"
)

// Evidence files go up to the city after the records and never ahead of them (PROTOCOL.md 15.2): a
// file is offered, then sent a chunk at a time, each acknowledged once the hub has it on disk, and only
// while no record waits, so a save made meanwhile goes out before the next chunk. A cut costs nothing
// acknowledged: the next session's offer learns what the hub holds and goes on from there.

// Chunk sizes: a chunk should take about half a second at most on the line, since a record saved
// meanwhile waits behind it. Start at minChunk×8, halve when an acknowledgement took longer than
// slowChunk, double while they take under fastChunk.
const (
	minChunk  = 8 << 10
	slowChunk = 500 * time.Millisecond
	fastChunk = 100 * time.Millisecond
)

// sending is the file being sent.
type sending struct {
	blob     storage.Blob
	kind     ledger.Kind
	id       string
	held     int64     // what the hub holds, as it last said
	awaiting bool      // an offer or a chunk is on its way; nothing more is sent until it is answered
	sentAt   time.Time // when the chunk on its way left (zero for an offer)
	sentLen  int
}

// filesQuiet reports that no record waits: every change up to head is pushed and acknowledged and no
// changes frame is held back.
func (s *session) filesQuiet(head uint64) bool {
	return s.inflight == 0 && s.next >= head && len(s.waiting) == 0
}

// maxChecking is how many files, sent whole, may await the hub's verdict while the next is sent.
const maxChecking = 4

// filesDone reports that every file of the queue was sent and judged (or refused) in this session.
func (s *session) filesDone(head uint64) bool {
	if s.file != nil || len(s.checking) > 0 {
		return false
	}
	if s.queueHead != head || !s.queueRead {
		if err := s.readQueue(head); err != nil {
			return false
		}
	}
	return len(s.queue) == 0
}

// readQueue reads the files to upload again, but for those refused in this session.
func (s *session) readQueue(head uint64) error {
	blobs, err := s.st.PendingUploads(0)
	if err != nil {
		return err
	}
	s.queue = s.queue[:0]
	for _, b := range blobs {
		if s.refusedFiles[b.Hash] {
			continue
		}
		if _, never, err := s.st.FileRefused(b.Hash); err != nil || never {
			continue
		}
		s.queue = append(s.queue, b)
	}
	s.queueHead, s.queueRead = head, true
	if n := len(s.queue); n != s.c.State().Files {
		s.c.update(func(st *State) { st.Files = n })
	}
	return nil
}

// files sends what may go now of the evidence files: nothing while a record waits or a frame of a file
// is unanswered; else the next chunk of the file being sent, or an offer of the next file.
func (s *session) files(head uint64) error {
	if !s.filesQuiet(head) || (s.file != nil && s.file.awaiting) {
		return nil
	}
	if s.file == nil {
		if len(s.checking) >= maxChecking {
			return nil
		}
		if len(s.queue) == 0 && (!s.queueRead || s.queueHead != head) {
			if err := s.readQueue(head); err != nil {
				return err
			}
		}
		for s.file == nil && len(s.queue) > 0 {
			b := s.queue[0]
			s.queue = s.queue[1:]
			if _, judging := s.checking[b.Hash]; judging {
				continue
			}
			refs, err := s.st.EvidenceRecords(b.Hash)
			if err != nil {
				return err
			}
			if len(refs) == 0 {
				continue // no record lists it any more: nothing to back
			}
			s.file = &sending{blob: b, kind: refs[0].Kind, id: refs[0].ID}
		}
		if s.file == nil {
			return nil
		}
		s.file.awaiting = true
		m := protocol.FileOffer{SHA256: s.file.blob.Hash, Size: s.file.blob.Size, Kind: s.file.kind, ID: s.file.id}
		if err := s.send(m); err != nil {
			return s.hubErr("file_offer", err)
		}
		return nil
	}
	f := s.file
	data, err := s.st.ReadEvidenceAt(f.blob.Hash, f.held, s.chunk)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return fmt.Errorf("file %s: nothing to read at %d of %d", f.blob.Hash, f.held, f.blob.Size)
	}
	f.awaiting, f.sentAt, f.sentLen = true, time.Now(), len(data)
	if err := s.send(protocol.FileChunk{SHA256: f.blob.Hash, Offset: f.held, Data: data}); err != nil {
		return s.hubErr("file_chunk", err)
	}
	return nil
}

// fileAck takes the hub's word on what it holds of the file being sent, or on a file sent whole.
func (s *session) fileAck(ctx context.Context, m protocol.FileAck) error {
	if f, judged := s.checking[m.SHA256]; judged {
		if !m.Done {
			return nil
		}
		delete(s.checking, m.SHA256)
		return s.uploaded(ctx, f)
	}
	f := s.file
	if f == nil || f.blob.Hash != m.SHA256 || !f.awaiting {
		return nil // of a file given up in this session
	}
	f.awaiting = false
	chunk := !f.sentAt.IsZero() // the answer to a chunk, not to the offer
	if chunk {
		switch took := time.Since(f.sentAt); {
		case took > slowChunk:
			s.chunk = max(minChunk, s.chunk/2)
		case took < fastChunk && f.sentLen == s.chunk:
			s.chunk = min(protocol.MaxChunk, s.chunk*2)
		}
		f.sentAt = time.Time{}
	}
	if m.Held > f.blob.Size || m.Held < 0 {
		return fmt.Errorf("file_ack %s: the hub holds %d of %d bytes", m.SHA256, m.Held, f.blob.Size)
	}
	if chunk {
		s.sum.FileBytes += max(0, m.Held-f.held)
	}
	f.held = m.Held
	switch {
	case m.Done:
		s.file = nil
		return s.uploaded(ctx, f)
	case m.Held == f.blob.Size: // whole at the hub, which checks it: the next file may go meanwhile
		if s.checking == nil {
			s.checking = map[string]*sending{}
		}
		s.checking[m.SHA256] = f
		s.file = nil
	}
	return nil
}

// uploaded records that the city holds a file whole: it leaves the queue for good.
func (s *session) uploaded(ctx context.Context, f *sending) error {
	if err := s.st.MarkUploaded(ctx, f.blob.Hash); err != nil {
		return err
	}
	s.sum.Files++
	s.c.update(func(st *State) { st.Files = max(0, st.Files-1) })
	return nil
}

// fileRefused takes the hub's refusal of the file being sent: it is not offered again in this session,
// nor ever if the refusal is for good (PROTOCOL.md 15.1: not evidence, too large), which the store keeps
// for the clerk to see.
func (s *session) fileRefused(m protocol.FileRefused) error {
	s.c.log.Printf("sync: the city refused the evidence file %s: %s", m.SHA256, m.Message)
	s.refusedFiles[m.SHA256] = true
	if !m.Code.Retry() {
		r := storage.FileRefusal{Code: string(m.Code), Message: m.Message, At: time.Now().UTC()}
		if err := s.st.RefuseFile(m.SHA256, r); err != nil {
			return err
		}
	}
	s.sum.FilesRefused = append(s.sum.FilesRefused, m)
	if s.file != nil && s.file.blob.Hash == m.SHA256 {
		s.file = nil
	}
	delete(s.checking, m.SHA256)
	return nil
}
