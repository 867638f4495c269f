package storage

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"techaid/ledger"
	"techaid/query"
)

// dirState is every file of a directory with its content hash and modification time.
func dirState(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		info, _ := e.Info()
		sum := sha256.Sum256(b)
		out[e.Name()] = string(sum[:]) + info.ModTime().String()
	}
	return out
}

func storedFormat(t *testing.T, s *Store) int {
	t.Helper()
	var v int
	if err := s.db.View(func(txn *badger.Txn) error { return getJSON(txn, metaFormat, &v) }); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMigrateFormat1: a store written by format 1 (testdata/format1, made by techaid-cli before the kind
// index existed) opens in this build: everything it held is there, the kind index is built, and the
// store says format 2 in meta and in its format file. Opening it again changes nothing more.
func TestMigrateFormat1(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "testdata/format1", dir)
	s := openStore(t, dir, Options{Logger: testLogger(t)})
	if got := storedFormat(t, s); got != FormatVersion {
		t.Errorf("format after open: %d, want %d", got, FormatVersion)
	}
	if b, err := os.ReadFile(filepath.Join(dir, formatFile)); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(FormatVersion) {
		t.Errorf("format file: %q, %v", b, err)
	}
	st := s.Stats(nil)
	if st.Villages != 3 || st.Advisors != 2 || st.Assignments != 1 || st.Trainings != 4 || st.Changes != 13 {
		t.Errorf("after the upgrade the store holds %+v", st)
	}
	byKind := map[string][]string{}
	for _, kind := range []string{ledger.TrainingCourse, ledger.TrainingSurvey, ledger.TrainingPromotion, ledger.TrainingOnSite, ledger.TrainingOther} {
		page, err := s.Trainings(query.Trainings{Kind: kind, Limit: 10}, nil)
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.CountTrainings(query.Trainings{Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		if n != len(page.Trainings) {
			t.Errorf("%s: counted %d, listed %d", kind, n, len(page.Trainings))
		}
		for _, tr := range page.Trainings {
			if tr.Kind != kind {
				t.Errorf("the %s index lists a %s", kind, tr.Kind)
			}
			byKind[kind] = append(byKind[kind], tr.Topic)
		}
	}
	want := map[string][]string{
		ledger.TrainingCourse:    {"大棚蔬菜病虫害防治"},
		ledger.TrainingSurvey:    {"养殖户需求调研"}, // the deleted survey is not indexed
		ledger.TrainingPromotion: {"春季需求调研"},  // its kind was edited to 成果推广
		ledger.TrainingOnSite:    {"生猪防疫"},
	}
	for kind, topics := range want {
		if strings.Join(byKind[kind], ",") != strings.Join(topics, ",") {
			t.Errorf("%s: %v, want %v", kind, byKind[kind], topics)
		}
	}
	if len(byKind[ledger.TrainingOther]) != 0 {
		t.Errorf("其他: %v", byKind[ledger.TrainingOther])
	}
	// History came through the upgrade.
	page, _ := s.Trainings(query.Trainings{Kind: ledger.TrainingPromotion}, nil)
	if h := mustHistory(t, s, page.Trainings[0].ID); len(h) != 2 || h[1].Op != query.OpUpdate {
		t.Errorf("the edited training's history: %+v", h)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	again := openStore(t, dir, Options{Logger: testLogger(t)})
	if again.Stats(nil).Trainings != 4 || storedFormat(t, again) != FormatVersion {
		t.Errorf("the second open: %+v", again.Stats(nil))
	}
	if n, _ := again.CountTrainings(query.Trainings{Kind: ledger.TrainingSurvey}); n != 1 {
		t.Errorf("after the second open, %d surveys", n)
	}
}

// TestNewerFormatRefused: a store written by a newer program (its format file names a format this build
// does not know) is refused with ErrNewerFormat, and not a byte of it changes.
func TestNewerFormatRefused(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{Logger: testLogger(t)})
	if err := s.Init(lucun, clerkName); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return setJSON(txn, metaFormat, FormatVersion+1) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := writeFormatFile(dir, FormatVersion+1); err != nil {
		t.Fatal(err)
	}
	before := dirState(t, dir)
	_, err := Open(dir, Options{Logger: testLogger(t)})
	if !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("Open of a format %d store: %v, want ErrNewerFormat", FormatVersion+1, err)
	}
	if !strings.Contains(ledger.Chinese(err), "升级") {
		t.Errorf("the clerk reads %q", ledger.Chinese(err))
	}
	after := dirState(t, dir)
	if len(after) != len(before) {
		t.Errorf("files before %d, after %d", len(before), len(after))
	}
	for name, st := range before {
		if after[name] != st {
			t.Errorf("%s changed", name)
		}
	}
}

// TestKindIndexFollowsEdits: a new store writes the kind index with every save, and an edit of the kind
// moves the training from one index to the other.
func TestKindIndexFollowsEdits(t *testing.T) {
	s := newStore(t, lucun, Options{})
	tr := training("2026-10-01", []ledger.Code{lucun1}, nil)
	tr.Kind = ledger.TrainingSurvey
	id := mustCreate(t, s, tr)
	count := func(kind string) int {
		n, err := s.CountTrainings(query.Trainings{Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count(ledger.TrainingSurvey) != 1 {
		t.Fatalf("new survey not counted")
	}
	held := mustGet[ledger.Training](t, s, id)
	moved := held
	moved.Kind = ledger.TrainingOnSite
	mustUpdate(t, s, held, moved)
	if count(ledger.TrainingSurvey) != 0 || count(ledger.TrainingOnSite) != 1 {
		t.Errorf("after the edit: %d surveys, %d on-site", count(ledger.TrainingSurvey), count(ledger.TrainingOnSite))
	}
	if err := s.Delete(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if count(ledger.TrainingOnSite) != 0 {
		t.Errorf("a deleted training is still counted")
	}
}

// TestMigrateFormat2: a store written by format 2 (testdata/format2, made by techaid-cli before the
// programme's kinds existed) opens in this build: everything it held is there, the counts of the
// varieties its trainings name are built (and agree with a recount), its target keeps what the city set
// and reads the programme's defaults for the figures it could not hold, the new kinds can be written,
// and opening it again changes nothing more.
func TestMigrateFormat2(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "testdata/format2", dir)
	wall := func() time.Time { return time.Date(2026, 12, 3, 15, 0, 0, 0, ledger.China) }
	s := openStore(t, dir, Options{Logger: testLogger(t), Wall: wall})
	if got := storedFormat(t, s); got != FormatVersion {
		t.Errorf("format after open: %d, want %d", got, FormatVersion)
	}
	if b, err := os.ReadFile(filepath.Join(dir, formatFile)); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(FormatVersion) {
		t.Errorf("format file: %q, %v", b, err)
	}
	st := s.Stats(nil)
	if st.Villages != 3 || st.KeyVillages != 2 || st.Advisors != 1 || st.Trainings != 3 || st.Changes != 13 {
		t.Errorf("after the upgrade the store holds %+v", st)
	}
	checkConsistent(t, s)
	names := func(year int, under ledger.Code) string {
		var out []string
		for _, u := range s.Unlinked(year, under) {
			out = append(out, fmt.Sprintf("%s×%d", u.Name, u.Count))
		}
		return strings.Join(out, ",")
	}
	// 鲁丽 is named by both 2026 trainings (once as 鲁 丽): one name, named twice. The deleted training's
	// variety is not counted; the 2025 training's 济麦22 twice in one training counts once.
	if got := names(2026, ""); got != "鲁丽×2,烟富3号×1,维纳斯黄金×1" {
		t.Errorf("2026's unlinked names: %s", got)
	}
	if got := names(2025, "370322"); got != "济麦22×1" {
		t.Errorf("2025's in 高青县: %s", got)
	}
	tg, custom := s.YearTarget(2026)
	if !custom || tg.Activities != 30 || tg.Projects != 12 || tg.Attendees != 2000 || tg.ParkJobs != 50 || tg.NeedDays != 30 || tg.Stations != 10 {
		t.Errorf("the 2026 target after the upgrade: %+v (custom %v)", tg, custom)
	}
	// Registering the varieties counts them from the trainings already there.
	for _, name := range []string{"鲁丽", "烟富3号"} {
		mustCreate(t, s, ledger.Variety{Name: name, Kind: ledger.VarietyBreed})
	}
	if p := s.Progress(2026, lucun, "2026-12-03", nil); p.Varieties.Count != 2 || p.Varieties.Unlinked != 1 {
		t.Errorf("鲁村镇's varieties: %+v", p.Varieties)
	}
	mustCreate(t, s, need(lucun1, ledger.NeedWaiting, "2026-12-01", "", ""))
	checkConsistent(t, s)
	want := snapshot(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	again := openStore(t, dir, Options{Logger: testLogger(t), Wall: wall})
	if storedFormat(t, again) != FormatVersion {
		t.Error("the second open changed the format")
	}
	diffState(t, "after the second open", snapshot(t, again), want)
	checkConsistent(t, again)
}
