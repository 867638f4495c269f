package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"techaid/evidence"
	"techaid/evidence/evidencetest"
	"techaid/ledger"
)

// attachment prepares a file as the app does.
func attachment(t testing.TB, name string, b []byte) Attachment {
	t.Helper()
	f, err := evidence.Prepare(name, b)
	if err != nil {
		t.Fatalf("Prepare %s: %v", name, err)
	}
	return Attachment{Item: f.Evidence(), Data: f.Data}
}

func TestAttachStoresOnceAndSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir, Options{Wall: newTestClock(baseWall).Now, Logger: testLogger(t)})
	if err := s.Init(lucun, clerkName); err != nil {
		t.Fatal(err)
	}
	importSample(t, s)
	a := mustCreate(t, s, training("2026-10-20", []ledger.Code{lucun1}, nil))
	b := mustCreate(t, s, training("2026-10-21", []ledger.Code{wangcun}, nil))
	photo := attachment(t, "签到表.jpg", evidencetest.Photo(1200, 900, 6, 1))
	pdf := attachment(t, "验收.pdf", evidencetest.PDF("sign-in"))

	list, err := s.Attach(ctx, a, photo, pdf)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Hash != photo.Item.Hash || list[1].Name != "验收.pdf" {
		t.Fatalf("evidence list %+v", list)
	}
	// The same photo again on the same record lists it once; on another record it is stored once.
	if list, err = s.Attach(ctx, a, photo); err != nil || len(list) != 2 {
		t.Fatalf("attach twice: %v, %+v", err, list)
	}
	if _, err := s.Attach(ctx, b, photo); err != nil {
		t.Fatal(err)
	}
	st := s.Stats(nil)
	want := photo.Item.Size + pdf.Item.Size
	if st.EvidenceFiles != 2 || st.EvidenceBytes != want || st.EvidencePending != 2 {
		t.Errorf("stats: %d files, %d bytes, %d pending; want 2, %d, 2", st.EvidenceFiles, st.EvidenceBytes, st.EvidencePending, want)
	}
	tr := mustGet[ledger.Training](t, s, a)
	if ev := ledger.EvidenceOf(tr); len(ev) != 2 || ev[0].Taken != "2026-04-28 09:12" {
		t.Errorf("the training's typed view lists %+v", ev)
	}
	if h := mustHistory(t, s, a); h[len(h)-1].Fields[0].Name != ledger.FieldEvidence {
		t.Errorf("the attach is not in the record's history: %+v", h[len(h)-1])
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir, Options{Logger: testLogger(t)})
	got, err := s.ReadEvidence(photo.Item.Hash)
	if err != nil || !bytes.Equal(got, photo.Data) {
		t.Fatalf("after reopen: %d bytes, %v", len(got), err)
	}
	part, err := s.ReadEvidenceAt(pdf.Item.Hash, 100, 50)
	if err != nil || !bytes.Equal(part, pdf.Data[100:150]) {
		t.Errorf("ReadEvidenceAt: %q, %v", part, err)
	}
	items, err := s.EvidenceOf(b)
	if err != nil || len(items) != 1 || !items[0].Here() || items[0].Blob.Type != evidence.JPEG {
		t.Errorf("EvidenceOf: %+v, %v", items, err)
	}
	if st := s.Stats(nil); st.EvidenceFiles != 2 || st.EvidenceBytes != want {
		t.Errorf("stats after reopen: %+v", st)
	}
}

func TestAttachRefuses(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, lucun, Options{})
	id := mustCreate(t, s, training("2026-10-20", []ledger.Code{lucun1}, nil))
	good := attachment(t, "a.jpg", evidencetest.Photo(64, 48, 1, 2))
	bad := good
	bad.Data = append([]byte{}, good.Data...)
	bad.Data[len(bad.Data)/2] ^= 1
	if _, err := s.Attach(ctx, id, bad); !errors.Is(err, ErrHashMismatch) {
		t.Errorf("bytes that do not match the hash: %v", err)
	}
	village := string(lucun1)
	if _, err := s.Attach(ctx, village, good); !errors.Is(err, ErrEvidenceKind) {
		t.Errorf("a village: %v", err)
	}
	if err := s.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Attach(ctx, id, good); !errors.Is(err, ErrRecordDeleted) {
		t.Errorf("a deleted training: %v", err)
	}
	if st := s.Stats(nil); st.EvidenceFiles != 0 || st.EvidencePending != 0 {
		t.Errorf("a refused attach stored something: %+v", st)
	}
}

// TestEvidenceCollected: deleting a record keeps its files (an undelete brings them back); removing a
// file from every record that lists it gives its space back after EvidenceGrace.
func TestEvidenceCollected(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, lucun, Options{})
	a := mustCreate(t, s, training("2026-10-20", []ledger.Code{lucun1}, nil))
	b := mustCreate(t, s, training("2026-10-21", []ledger.Code{lucun1}, nil))
	shared := attachment(t, "shared.jpg", evidencetest.Photo(200, 100, 1, 3))
	own := attachment(t, "own.pdf", evidencetest.PDF("own"))
	if _, err := s.Attach(ctx, a, shared, own); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Attach(ctx, b, shared); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, a); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	collect := func(at time.Time, wantFiles int) {
		t.Helper()
		n, _, err := s.CollectEvidence(ctx, at)
		if err != nil || n != wantFiles {
			t.Fatalf("CollectEvidence at %v: %d files, %v; want %d", at, n, err, wantFiles)
		}
	}
	collect(now, 0)
	collect(now.Add(2*EvidenceGrace), 0)
	if _, err := s.ReadEvidence(own.Item.Hash); err != nil {
		t.Fatalf("a deleted record's file is gone: %v", err)
	}
	if err := s.Undelete(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.Detach(ctx, a, own.Item.Hash); err != nil {
		t.Fatal(err)
	}
	if err := s.Detach(ctx, a, shared.Item.Hash); err != nil {
		t.Fatal(err)
	}
	collect(now, 0)                              // marked
	collect(now.Add(EvidenceGrace/2), 0)         // within the grace
	collect(now.Add(EvidenceGrace+time.Hour), 1) // own: listed by none since; shared: b lists it
	if _, err := s.ReadEvidence(own.Item.Hash); !errors.Is(err, ErrNoEvidence) {
		t.Errorf("a collected file reads: %v", err)
	}
	if _, err := s.ReadEvidence(shared.Item.Hash); err != nil {
		t.Errorf("a file another record lists was collected: %v", err)
	}
	if st := s.Stats(nil); st.EvidenceFiles != 1 || st.EvidenceBytes != shared.Item.Size || st.EvidencePending != 1 {
		t.Errorf("stats: %+v", st)
	}
	// Listed again within the grace: the mark goes.
	if _, err := s.Attach(ctx, a, shared); err != nil {
		t.Fatal(err)
	}
	if err := s.Detach(ctx, b, shared.Item.Hash); err != nil {
		t.Fatal(err)
	}
	collect(now.Add(3*EvidenceGrace), 0)
}

// TestEvidenceTravels: a record's evidence list reaches another replica with the record, the file does
// not; it arrives in chunks, resumes after a cut, and is checked whole.
func TestEvidenceTravels(t *testing.T) {
	ctx := context.Background()
	office := newStore(t, lucun, Options{})
	cityStore := newStore(t, city, Options{})
	id := mustCreate(t, office, training("2026-10-20", []ledger.Code{lucun1}, nil))
	pdf := attachment(t, "验收.pdf", bytes.Repeat(evidencetest.PDF("x"), 1)) // small
	photo := attachment(t, "现场.jpg", evidencetest.Photo(1600, 1200, 1, 4))
	if _, err := office.Attach(ctx, id, photo, pdf); err != nil {
		t.Fatal(err)
	}
	exchange(t, office, cityStore)
	items, err := cityStore.EvidenceOf(id)
	if err != nil || len(items) != 2 || items[0].Here() || items[0].Blob.Size != 0 {
		t.Fatalf("the city's view before the files came: %+v, %v", items, err)
	}
	pending, err := office.PendingUploads(0)
	if err != nil || len(pending) != 2 || pending[0].Hash != photo.Item.Hash {
		t.Fatalf("PendingUploads: %+v, %v", pending, err)
	}
	check := func(b []byte) (string, error) {
		info, err := evidence.Check(b)
		return info.Type, err
	}
	// Upload the photo in 100 KB chunks with a cut after the second, which the city kept.
	h, size := photo.Item.Hash, photo.Item.Size
	const n = 100_000
	for off := int64(0); off < 2*n; off += n {
		chunk, err := office.ReadEvidenceAt(h, off, n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cityStore.PutEvidenceChunk(ctx, h, size, off, chunk, check); err != nil {
			t.Fatal(err)
		}
	}
	// The office lost the acknowledgement of the second chunk and sends it again: told where to go on.
	chunk, _ := office.ReadEvidenceAt(h, n, n)
	got, err := cityStore.PutEvidenceChunk(ctx, h, size, n, chunk, check)
	if !errors.Is(err, ErrChunkOffset) || got != 2*n {
		t.Fatalf("a repeated chunk: received %d, %v", got, err)
	}
	if bl, err := cityStore.EvidenceBlob(h); err != nil || bl.Received != 2*n || bl.Complete() {
		t.Fatalf("partial blob %+v, %v", bl, err)
	}
	for off := got; off < size; off += n {
		chunk, err := office.ReadEvidenceAt(h, off, n)
		if err != nil {
			t.Fatal(err)
		}
		if got, err = cityStore.PutEvidenceChunk(ctx, h, size, off, chunk, check); err != nil {
			t.Fatal(err)
		}
	}
	if got != size {
		t.Fatalf("received %d of %d", got, size)
	}
	city, err := cityStore.ReadEvidence(h)
	if err != nil || !bytes.Equal(city, photo.Data) {
		t.Fatalf("the city's copy: %d bytes, %v", len(city), err)
	}
	if bl, _ := cityStore.EvidenceBlob(h); bl.Type != evidence.JPEG || bl.Local || !bl.Complete() {
		t.Errorf("the city's blob: %+v", bl)
	}
	if err := office.MarkUploaded(ctx, h); err != nil {
		t.Fatal(err)
	}
	if p, _ := office.PendingUploads(0); len(p) != 1 || p[0].Hash != pdf.Item.Hash {
		t.Errorf("after the photo was acknowledged, pending: %+v", p)
	}
	if n, err := office.RequeueUploads(ctx); err != nil || n != 2 {
		t.Errorf("RequeueUploads: %d, %v", n, err)
	}

	// A file whose bytes are not what its hash says, and one that is not an image or a PDF, are
	// dropped when they complete, with the reason.
	wrong := bytes.Clone(pdf.Data)
	wrong[20] ^= 1
	if _, err := cityStore.PutEvidenceChunk(ctx, pdf.Item.Hash, pdf.Item.Size, 0, wrong, check); !errors.Is(err, ErrHashMismatch) {
		t.Errorf("wrong bytes: %v", err)
	}
	if _, err := cityStore.EvidenceBlob(pdf.Item.Hash); !errors.Is(err, ErrNoEvidence) {
		t.Errorf("wrong bytes were kept: %v", err)
	}
	exe := append([]byte("MZ"), bytes.Repeat([]byte{0x90}, 5000)...)
	if _, err := cityStore.PutEvidenceChunk(ctx, evidence.Hash(exe), int64(len(exe)), 0, exe, check); !errors.Is(err, evidence.ErrNotEvidence) {
		t.Errorf("an executable: %v", err)
	}
	// Whole, as the hub stores what it assembled in transit.
	if err := cityStore.PutEvidence(ctx, pdf.Item.Hash, wrong, check); !errors.Is(err, ErrHashMismatch) {
		t.Errorf("PutEvidence of wrong bytes: %v", err)
	}
	if err := cityStore.PutEvidence(ctx, pdf.Item.Hash, pdf.Data, check); err != nil {
		t.Fatal(err)
	}
	if got, err := cityStore.ReadEvidence(pdf.Item.Hash); err != nil || !bytes.Equal(got, pdf.Data) {
		t.Errorf("PutEvidence: %d bytes, %v", len(got), err)
	}
	if st := cityStore.Stats(nil); st.EvidenceFiles != 2 || st.EvidenceBytes != size+pdf.Item.Size || st.EvidencePending != 0 {
		t.Errorf("the city's stats: %+v", st)
	}
}

// TestEvidenceEncryptedAndBackedUp: an encrypted store keeps no file byte in the clear, and a backup
// restores the files.
func TestEvidenceEncryptedAndBackedUp(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opts := Options{Passphrase: "鲁村镇 2026", Wall: newTestClock(baseWall).Now, Logger: testLogger(t)}
	s := openStore(t, dir, opts)
	if err := s.Init(lucun, clerkName); err != nil {
		t.Fatal(err)
	}
	importSample(t, s)
	id := mustCreate(t, s, training("2026-10-20", []ledger.Code{lucun1}, nil))
	marker := "SIGN-IN-SHEET-OF-LUCUN-IN-THE-CLEAR"
	pdf := attachment(t, "a.pdf", evidencetest.PDF(marker))
	if _, err := s.Attach(ctx, id, pdf); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "backup.techaid")
	if err := s.BackupFile(file); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, filepath.Dir(file)} {
		filepath.Walk(d, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(marker)) {
					t.Errorf("%s holds the file in the clear", p)
				}
			}
			return nil
		})
	}
	fresh := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(fresh, file, Options{Passphrase: opts.Passphrase}); err != nil {
		t.Fatal(err)
	}
	r := openStore(t, fresh, Options{Passphrase: opts.Passphrase, Logger: testLogger(t)})
	got, err := r.ReadEvidence(pdf.Item.Hash)
	if err != nil || !bytes.Equal(got, pdf.Data) {
		t.Fatalf("restored: %d bytes, %v", len(got), err)
	}
	if st := r.Stats(nil); st.EvidenceFiles != 1 {
		t.Errorf("restored stats: %+v", st)
	}
}
