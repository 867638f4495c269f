package hub_test

// Evidence files going up to the city (PROTOCOL.md section 15), with real offices, a real hub and real
// sockets: a transfer cut in the middle resumes and arrives byte for byte; what is not an image or a
// PDF, too large, or past an office's daily limit is refused with its code and a reason in Chinese and
// kept nowhere; a raw client that breaks the rules is refused or cut off; other offices fetch a file on
// demand, and a cut download resumes too.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/hub"
	"techaid/sync/protocol"
	"techaid/sync/synctest"
)

// newTraining saves a training of 鲁村镇 at the office and returns its id.
func newTraining(t *testing.T, st *storage.Store, topic string) string {
	t.Helper()
	id, err := st.Create(context.Background(), training(topic, codes(t, synctest.Lucun)[0]))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// officeID is the registration id of the office a token belongs to, as the hub knows it.
func officeID(t *testing.T, st *storage.Store, name string) string {
	t.Helper()
	offices, err := hub.ListOffices(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range offices {
		if o.Name == name {
			return o.ID
		}
	}
	t.Fatalf("no office %s", name)
	return ""
}

// TestEvidenceCut: a 3 MB PDF goes up through a line that is cut twice in the middle of the file. Each
// session goes on from what the hub acknowledged (it holds part of the file after the first cut, and
// the line carries the file about once, not three times); the city then holds it byte for byte under
// its hash, and the office no longer has it to send.
func TestEvidenceCut(t *testing.T) {
	h := synctest.StartHub(t)
	token := h.Office("鲁村镇", synctest.Lucun)
	office := synctest.NewReplica(t, h.URL, token, synctest.Lucun, "王芳", storage.Options{})
	office.Sync() // its villages
	id := newTraining(t, office.Store, "苹果疏花疏果")
	pdf := synctest.PDF("acceptance of the orchard project", 3<<20, 1)
	hash := synctest.Attach(t, office.Store, id, "验收材料.pdf", "pdf", pdf)

	const cut = 1200 << 10 // bytes of the office's uplink per connection before the cable is pulled
	proxy := synctest.StartProxy(t, strings.TrimPrefix(h.URL, "http://"), cut, cut)
	office.Connect(proxy.URL, token)
	if _, err := office.SyncErr(); err == nil {
		t.Fatal("the first session went through a cut line")
	}
	who := officeID(t, h.Store, "鲁村镇")
	held, err := h.Store.Partial(who, hash)
	if err != nil || held == 0 || held >= int64(len(pdf)) {
		t.Fatalf("after the first cut the hub holds %d of %d bytes (%v): want a part", held, len(pdf), err)
	}
	if _, err := h.Store.Record(id); err != nil {
		t.Fatalf("the training went before its file, and is at the hub: %v", err)
	}
	var last client.Summary
	for try := range 5 {
		if last, err = office.SyncErr(); err == nil {
			break
		}
		t.Logf("session %d: %v", try+2, err)
	}
	if err != nil {
		t.Fatalf("the file never arrived: %v", err)
	}
	got, err := h.Store.ReadEvidence(hash)
	if err != nil || !bytes.Equal(got, pdf) || sha(got) != hash {
		t.Fatalf("the city holds %d bytes (%v), want the %d the office attached under %s", len(got), err, len(pdf), hash)
	}
	if last.Files != 1 || last.FileBytes >= int64(len(pdf)) {
		t.Errorf("the last session sent %d files, %d bytes: want the one file, resumed (less than its %d bytes)", last.Files, last.FileBytes, len(pdf))
	}
	if held, _ := h.Store.Partial(who, hash); held != 0 {
		t.Errorf("the hub still holds %d bytes of the upload apart", held)
	}
	if pending, err := office.Store.PendingUploads(0); err != nil || len(pending) != 0 {
		t.Errorf("the office still has %d files to send (%v)", len(pending), err)
	}
	// Base64 makes the file about 4.2 MB on the line. Sent again from the start after each cut, the
	// line would have carried 1.2 + 1.2 + 4.2 MB.
	t.Logf("the office sent %d bytes on the line for a %d-byte file; the last session %d of its bytes", proxy.Up(), len(pdf), last.FileBytes)
	if up, once := proxy.Up(), int64(len(pdf))*4/3; up > once+(600<<10) {
		t.Errorf("the office sent %d bytes for a file of %d (%d in base64): the cut transfers started again", up, len(pdf), once)
	}
}

// TestEvidenceRefused: a hostile or broken office sends a ZIP attached as a photo, a PDF over the
// hub's limit for one file, and more photos than its daily limit. Each is refused with its code and a
// reason in Chinese, the office keeps the refusals for good ones, and the hub keeps none of those
// bytes; the photos within the limit arrive, and the rest the next day.
func TestEvidenceRefused(t *testing.T) {
	var day atomic.Int64 // days the hub's clock is moved on
	now := func() time.Time { return time.Now().Add(time.Duration(day.Load()) * 24 * time.Hour) }
	h := startHub(t, hub.Config{EvidenceFile: 2 << 20, EvidenceDay: 1 << 20, Now: now})
	token := h.office(t, "鲁村镇", synctest.Lucun)
	office := synctest.NewReplica(t, h.URL, token, synctest.Lucun, "王芳", storage.Options{})
	office.Sync()
	zip := append([]byte("PK\x03\x04"), bytes.Repeat([]byte("not a photo "), 400)...)
	zipHash := synctest.Attach(t, office.Store, newTraining(t, office.Store, "签到"), "签到表.jpg", "jpeg", zip)
	big := synctest.PDF("too large", 3<<20, 2)
	bigHash := synctest.Attach(t, office.Store, newTraining(t, office.Store, "验收"), "验收材料.pdf", "pdf", big)
	photos := map[string][]byte{}
	for i := range 5 {
		p := synctest.Photo(1000, 750, uint64(10+i))
		photos[synctest.Attach(t, office.Store, newTraining(t, office.Store, fmt.Sprintf("现场指导%d", i)), fmt.Sprintf("现场%d.jpg", i), "jpeg", p)] = p
	}
	sum := office.Sync()

	codes := map[string]protocol.Code{}
	for _, r := range sum.FilesRefused {
		codes[r.SHA256] = r.Code
		if !strings.ContainsFunc(r.Message, func(c rune) bool { return c >= 0x4e00 && c <= 0x9fff }) {
			t.Errorf("refusal %s says %q: no Chinese", r.Code, r.Message)
		}
	}
	if codes[zipHash] != protocol.CodeNotEvidence || codes[bigHash] != protocol.CodeFileTooLarge {
		t.Errorf("refusals %v: want not_evidence for the zip and file_too_large for the PDF", codes)
	}
	quota := 0
	for hash, p := range photos {
		switch got, err := h.Store.ReadEvidence(hash); {
		case codes[hash] == protocol.CodeQuota:
			quota++
			if err == nil {
				t.Errorf("a photo refused for the limit is at the hub")
			}
		case err != nil || !bytes.Equal(got, p):
			t.Errorf("photo %s: not at the hub (%v), and not refused (%v)", hash[:8], err, codes[hash])
		}
	}
	if quota == 0 || quota == len(photos) || sum.Files != len(photos)-quota {
		t.Fatalf("%d of %d photos refused for the daily limit, %d sent: want some of each", quota, len(photos), sum.Files)
	}
	for _, hash := range []string{zipHash, bigHash} {
		if _, err := h.Store.EvidenceBlob(hash); err == nil {
			t.Errorf("the hub keeps something of refused file %s", hash[:8])
		}
		if held, _ := h.Store.Partial(officeID(t, h.Store, "鲁村镇"), hash); held != 0 {
			t.Errorf("the hub keeps %d bytes of refused file %s apart", held, hash[:8])
		}
		if r, never, err := office.Store.FileRefused(hash); !never || err != nil || r.Message == "" {
			t.Errorf("the office does not keep the refusal of %s for good: %+v %v %v", hash[:8], r, never, err)
		}
	}
	if n, _ := h.Store.Received(officeID(t, h.Store, "鲁村镇"), now().In(ledger.China).Format("2006-01-02")); n > 1<<20 {
		t.Errorf("the hub took %d bytes from the office today, over its limit", n)
	}
	// The county opens a photo the city does not hold yet: it is told so.
	county := synctest.NewReplica(t, h.URL, h.office(t, "沂源县", "370323"), "370323", "孙丽", storage.Options{})
	county.Sync()
	for hash := range photos {
		if codes[hash] != protocol.CodeQuota {
			continue
		}
		refs, err := county.Store.EvidenceRecords(hash)
		if err != nil || len(refs) != 1 {
			t.Fatalf("the county's records listing %s: %v %v", hash[:8], refs, err)
		}
		if err := county.Client.Fetch(context.Background(), refs[0].Kind, refs[0].ID, hash, nil); !errors.Is(err, client.ErrNotAtCity) {
			t.Errorf("fetch of a file the city does not hold: %v, want ErrNotAtCity", err)
		}
		break
	}

	day.Store(1)
	sum = office.Sync()
	if sum.Files != quota || len(sum.FilesRefused) != 0 {
		t.Errorf("the next day: %d files sent, %d refused (%+v); want the %d held back, and the refused ones not offered again",
			sum.Files, len(sum.FilesRefused), sum.FilesRefused, quota)
	}
	for hash, p := range photos {
		if got, err := h.Store.ReadEvidence(hash); err != nil || !bytes.Equal(got, p) {
			t.Errorf("photo %s is not at the hub the next day: %v", hash[:8], err)
		}
	}
}

// TestEvidenceRawClient: a raw client that breaks the rules of section 15. A file no record lists, or
// one listed by another township's record, is refused not_listed; bytes that are not what the offer's
// hash says are refused hash_mismatch and dropped; a chunk of a file not offered, or beyond the offered
// size, ends the session bad_request. The hub keeps nothing of it, and a good office beside it syncs.
func TestEvidenceRawClient(t *testing.T) {
	h := startHub(t, hub.Config{})
	token := h.office(t, "鲁村镇", synctest.Lucun)
	good := startGoodOffice(t, h.URL, h.office(t, "东里镇", synctest.Dongli))
	replica := storage.NewID()
	c := session(t, h.wsURL(), token, replica)
	photo := synctest.Photo(200, 150, 1)
	other := synctest.Photo(200, 150, 2)[:len(photo)]
	w := &writer{replica: replica, office: synctest.Lucun}
	tr := training("签到", codes(t, synctest.Lucun)[0])
	tr.Evidence = []string{ledger.Evidence{Hash: sha(photo), Type: "jpeg", Size: int64(len(photo)), Name: "签到表.jpg"}.String()}
	id := storage.NewID()
	pushExpect(t, c, protocol.Push{From: 1, To: 1, Seqs: []uint64{1}, Records: []ledger.Record{w.record(tr, id)}})

	expectRefused := func(code protocol.Code) {
		t.Helper()
		m := recv(t, c)
		if r, ok := m.(protocol.FileRefused); !ok || r.Code != code || r.Message == "" {
			t.Fatalf("got %#v, want file_refused %s", m, code)
		}
	}
	// Not listed: another file, the record of another office, a record that is not there.
	send(t, c, protocol.FileOffer{SHA256: sha(other), Size: int64(len(other)), Kind: ledger.KindTraining, ID: id})
	expectRefused(protocol.CodeNotListed)
	send(t, c, protocol.FileOffer{SHA256: sha(photo), Size: int64(len(photo)), Kind: ledger.KindTraining, ID: storage.NewID()})
	expectRefused(protocol.CodeNotListed)
	// Bytes that are not the file offered: refused when whole, and dropped.
	send(t, c, protocol.FileOffer{SHA256: sha(photo), Size: int64(len(photo)), Kind: ledger.KindTraining, ID: id})
	if a, ok := recv(t, c).(protocol.FileAck); !ok || a.Held != 0 || a.Done {
		t.Fatalf("offer of a new file: got %#v, want held 0", a)
	}
	send(t, c, protocol.FileChunk{SHA256: sha(photo), Offset: 0, Data: other[:1000]})
	if a, ok := recv(t, c).(protocol.FileAck); !ok || a.Held != 1000 {
		t.Fatalf("chunk: got %#v, want held 1000", a)
	}
	send(t, c, protocol.FileChunk{SHA256: sha(photo), Offset: 500, Data: other[500:900]}) // not where it ends
	if a, ok := recv(t, c).(protocol.FileAck); !ok || a.Held != 1000 {
		t.Fatalf("chunk at the wrong offset: got %#v, want held 1000 again", a)
	}
	send(t, c, protocol.FileChunk{SHA256: sha(photo), Offset: 1000, Data: other[1000:]})
	if a, ok := recv(t, c).(protocol.FileAck); !ok || a.Held != int64(len(photo)) || a.Done {
		t.Fatalf("the last chunk: got %#v, want held all, no verdict yet", a)
	}
	expectRefused(protocol.CodeHashMismatch)
	if _, err := h.Store.EvidenceBlob(sha(photo)); err == nil {
		t.Error("the hub keeps bytes that did not match their hash")
	}
	// The right bytes then go.
	send(t, c, protocol.FileOffer{SHA256: sha(photo), Size: int64(len(photo)), Kind: ledger.KindTraining, ID: id})
	if a, ok := recv(t, c).(protocol.FileAck); !ok || a.Held != 0 {
		t.Fatalf("offer after the mismatch: got %#v, want held 0", a)
	}
	send(t, c, protocol.FileChunk{SHA256: sha(photo), Offset: 0, Data: photo})
	for _, done := range []bool{false, true} {
		if a, ok := recv(t, c).(protocol.FileAck); !ok || a.Done != done || a.Held != int64(len(photo)) {
			t.Fatalf("the whole photo: got %#v, want held all (done %v)", a, done)
		}
	}
	if got, err := h.Store.ReadEvidence(sha(photo)); err != nil || !bytes.Equal(got, photo) {
		t.Fatalf("the photo at the hub: %v", err)
	}
	// A chunk beyond the offered size, and one of a file not offered: the session ends.
	send(t, c, protocol.FileOffer{SHA256: sha(other), Size: 10, Kind: ledger.KindTraining, ID: id})
	expectRefused(protocol.CodeNotListed)
	send(t, c, protocol.FileChunk{SHA256: sha(other), Offset: 0, Data: other[:100]})
	expectError(t, c, protocol.CodeBadRequest)

	c = session(t, h.wsURL(), token, replica)
	send(t, c, protocol.FileOffer{SHA256: sha(photo), Size: int64(len(photo)), Kind: ledger.KindTraining, ID: id})
	if a, ok := recv(t, c).(protocol.FileAck); !ok || !a.Done {
		t.Fatalf("offer of a file the hub holds: got %#v, want done at once", a)
	}
	big := bytes.Repeat([]byte{1}, 5000)
	send(t, c, protocol.FileChunk{SHA256: sha(photo), Offset: 0, Data: big})
	expectError(t, c, protocol.CodeBadRequest)
	good.finish(t, h.Store)
}

// TestEvidenceFetch: another office opens the file: the county's office fetches it, and a download
// cut in the middle goes on from where it stopped; the other township may not have it (403), nor a
// token the hub does not know (401).
func TestEvidenceFetch(t *testing.T) {
	h := synctest.StartHub(t)
	token := h.Office("鲁村镇", synctest.Lucun)
	office := synctest.NewReplica(t, h.URL, token, synctest.Lucun, "王芳", storage.Options{})
	office.Sync()
	id := newTraining(t, office.Store, "果园验收")
	pdf := synctest.PDF("acceptance", 1<<20, 3)
	hash := synctest.Attach(t, office.Store, id, "验收.pdf", "pdf", pdf)
	office.Sync()
	ctx := context.Background()

	countyToken := h.Office("沂源县", "370323")
	county := synctest.NewReplica(t, h.URL, countyToken, "370323", "孙丽", storage.Options{})
	county.Sync()
	proxy := synctest.StartFaultProxy(t, strings.TrimPrefix(h.URL, "http://"), 0)
	proxy.Next(synctest.Fault{Kind: synctest.Reset, After: 400 << 10, Down: true})
	county.Connect(proxy.URL, countyToken)
	if err := county.Client.Fetch(ctx, ledger.KindTraining, id, hash, nil); err == nil {
		t.Fatal("the download went through a cut line")
	}
	b, err := county.Store.EvidenceBlob(hash)
	if err != nil || b.Received == 0 || b.Complete() {
		t.Fatalf("after the cut the county holds %+v (%v): want a part", b, err)
	}
	before := proxy.Down()
	if err := county.Client.Fetch(ctx, ledger.KindTraining, id, hash, nil); err != nil {
		t.Fatalf("the download after the cut: %v", err)
	}
	if got, err := county.Store.ReadEvidence(hash); err != nil || !bytes.Equal(got, pdf) {
		t.Fatalf("the county holds %d bytes (%v), want the file", len(got), err)
	}
	if again := proxy.Down() - before; again > int64(len(pdf))-b.Received+(64<<10) {
		t.Errorf("the second download took %d bytes; %d were left", again, int64(len(pdf))-b.Received)
	}
	if pending, _ := county.Store.PendingUploads(0); len(pending) != 0 {
		t.Errorf("the county would send the city's file back up: %d pending", len(pending))
	}

	get := func(token string) int {
		req, err := http.NewRequest(http.MethodGet, client.EvidenceURL(h.URL, ledger.KindTraining, id, hash), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(h.Office("东里镇", synctest.Dongli)); code != http.StatusForbidden {
		t.Errorf("another township fetched the file: %d, want 403", code)
	}
	if code := get("not-a-token"); code != http.StatusUnauthorized {
		t.Errorf("an unknown token fetched the file: %d, want 401", code)
	}
	if code := get(token); code != http.StatusOK {
		t.Errorf("the office's own fetch: %d, want 200", code)
	}
}

// TestEvidenceHubRestart: the hub stops in the middle of a file and its store is opened again: what it
// acknowledged is still held, and the office goes on from there.
func TestEvidenceHubRestart(t *testing.T) {
	h := synctest.StartHub(t)
	token := h.Office("鲁村镇", synctest.Lucun)
	office := synctest.NewReplica(t, h.URL, token, synctest.Lucun, "王芳", storage.Options{})
	office.Sync()
	pdf := synctest.PDF("acceptance", 2<<20, 5)
	hash := synctest.Attach(t, office.Store, newTraining(t, office.Store, "验收"), "验收.pdf", "pdf", pdf)
	proxy := synctest.StartProxy(t, strings.TrimPrefix(h.URL, "http://"), 1<<20)
	office.Connect(proxy.URL, token)
	if _, err := office.SyncErr(); err == nil {
		t.Fatal("the session went through a cut line")
	}
	who := officeID(t, h.Store, "鲁村镇")
	held, err := h.Store.Partial(who, hash)
	if err != nil || held == 0 {
		t.Fatalf("the hub holds %d bytes (%v) after the cut", held, err)
	}
	h.Stop()
	if err := h.Store.Close(); err != nil {
		t.Fatal(err)
	}
	st := synctest.Open(t, h.Dir, synctest.City, "市局", storage.Options{})
	if again, err := st.Partial(who, hash); err != nil || again != held {
		t.Fatalf("reopened, the hub holds %d bytes (%v); it acknowledged %d", again, err, held)
	}
	h2 := synctest.Serve(t, st, h.Dir)
	office.Connect(h2.URL, token)
	sum := office.Sync()
	if got, err := st.ReadEvidence(hash); err != nil || !bytes.Equal(got, pdf) {
		t.Fatalf("after the restart the city holds %d bytes (%v)", len(got), err)
	}
	if sum.Files != 1 || sum.FileBytes != int64(len(pdf))-held {
		t.Errorf("after the restart the office sent %d files, %d bytes; %d were left", sum.Files, sum.FileBytes, int64(len(pdf))-held)
	}
}
