package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"techaid/assets"
	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
)

// The UI tests drive the real widgets over a real store on disk: they type, press keys and tap, then
// wait for the views to show what the store now holds.

const (
	lucun     ledger.Code = "370323102" // 鲁村镇, 沂源县: 68 villages in the division list
	yiyuan    ledger.Code = "370323"    // 沂源县
	waitFor               = time.Minute // as synctest.Patience: only a hang reaches it, a loaded machine never
	clerkName             = "王芳"
)

// baseWall is the offices' wall clock: a fixed instant, so that dates typed as "5-3" fall in a known
// year and are not in the future.
var baseWall = time.Date(2026, 11, 1, 10, 0, 0, 0, ledger.China)

var (
	// divisions is the real division list of 淄博市, as main.go reads it.
	divisions []ledger.Division
	// roster holds the advisor records of a real city store (王志刚, 王志强, 李秀英), applied to township
	// stores the way sync brings them: only the city may write the roster.
	roster []ledger.Record
)

func TestMain(m *testing.M) {
	var err error
	if divisions, err = ledger.ReadDivisions(bytes.NewReader(assets.Divisions)); err != nil {
		fmt.Fprintln(os.Stderr, "divisions:", err)
		os.Exit(1)
	}
	if err := LoadTranslations(assets.Translations, "translations"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if roster, err = cityRoster(); err != nil {
		fmt.Fprintln(os.Stderr, "roster:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// cityRoster writes three advisors in a city store and returns their records.
func cityRoster() ([]ledger.Record, error) {
	dir, err := os.MkdirTemp("", "techaid-roster-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	st, err := storage.Open(dir, storage.Options{Wall: fixedWall(baseWall)})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := st.Init(City, "市局"); err != nil {
		return nil, err
	}
	var out []ledger.Record
	for _, a := range []ledger.Advisor{
		{Name: "王志强", Group: "蔬菜", Status: ledger.StatusActive, Employer: "沂源县农业农村局"},
		{Name: "王志刚", Group: "林果", Status: ledger.StatusActive, Employer: "沂源县林业发展中心"},
		{Name: "李秀英", Group: "畜牧", Status: ledger.StatusActive, Employer: "沂源县畜牧站", Expert: true},
	} {
		id, err := st.Create(context.Background(), a)
		if err != nil {
			return nil, err
		}
		rec, err := st.Record(id)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

func fixedWall(t time.Time) func() time.Time { return func() time.Time { return t } }

// openStore opens an empty store in a temporary directory; it is closed when the test ends.
func openStore(t *testing.T, wall time.Time) *storage.Store {
	t.Helper()
	st, err := storage.Open(t.TempDir(), storage.Options{Wall: fixedWall(wall)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// townStore is 鲁村镇's store as the first run leaves it: its 68 villages from the division list, and
// the city's roster as the first sync brings it.
func townStore(t *testing.T, wall time.Time) *storage.Store {
	t.Helper()
	st := openStore(t, wall)
	if err := st.Init(lucun, clerkName); err != nil {
		t.Fatal(err)
	}
	var seeds []ledger.Entity
	for _, d := range townDivisions(lucun) {
		seeds = append(seeds, d.Record())
	}
	if _, err := st.Import(context.Background(), seeds, nil); err != nil {
		t.Fatal(err)
	}
	res, err := st.ApplyRemote(context.Background(), roster)
	if err != nil || res.Changed != len(roster) {
		t.Fatalf("apply roster: %+v, %v", res, err)
	}
	return st
}

// cityStore is the city office's store, with no villages.
func cityStore(t *testing.T) *storage.Store {
	t.Helper()
	st := openStore(t, baseWall)
	if err := st.Init(City, "市局"); err != nil {
		t.Fatal(err)
	}
	return st
}

func townDivisions(town ledger.Code) []ledger.Division {
	var out []ledger.Division
	for _, d := range divisions {
		if d.Township == town {
			out = append(out, d)
		}
	}
	return out
}

// village is the division of 鲁村镇 with the given name.
func village(t *testing.T, name string) ledger.Division {
	t.Helper()
	for _, d := range townDivisions(lucun) {
		if d.VillageName == name {
			return d
		}
	}
	t.Fatalf("no village %s in 鲁村镇", name)
	return ledger.Division{}
}

func advisorID(t *testing.T, name string) string {
	t.Helper()
	for _, rec := range roster {
		if rec.Fields["name"].Value == name {
			return rec.ID
		}
	}
	t.Fatalf("no advisor %s in the roster", name)
	return ""
}

// uiDriver stands in for the desktop driver's UI thread. Fyne's test driver runs fyne.Do at once on the
// calling goroutine, so the views' reader goroutines would change widgets while the test reads them: a
// data race the real driver, which runs every fyne.Do on its one event loop, never has. uiDriver queues
// those calls and runs them on the test's goroutine whenever the test waits, as the event loop would
// between two key presses.
type uiDriver struct {
	fyne.Driver
	owner atomic.Uint64 // the goroutine that plays the UI thread
	mu    sync.Mutex
	queue []func()
	wake  chan struct{}
}

func (d *uiDriver) DoFromGoroutine(f func(), wait bool) {
	if goid() == d.owner.Load() {
		f()
		return
	}
	done := make(chan struct{})
	d.mu.Lock()
	d.queue = append(d.queue, func() { defer close(done); f() })
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
	if wait {
		<-done
	}
}

// pump runs what the background goroutines handed to the UI thread, on the calling goroutine.
func (d *uiDriver) pump() {
	d.owner.Store(goid())
	for {
		d.mu.Lock()
		q := d.queue
		d.queue = nil
		d.mu.Unlock()
		if len(q) == 0 {
			return
		}
		for _, f := range q {
			f()
		}
	}
}

func goid() uint64 {
	var buf [32]byte
	n := runtime.Stack(buf[:], false)
	s := strings.TrimPrefix(string(buf[:n]), "goroutine ")
	var id uint64
	for _, r := range s {
		if r < '0' || r > '9' {
			break
		}
		id = id*10 + uint64(r-'0')
	}
	return id
}

type uiApp struct {
	fyne.App
	drv *uiDriver
}

func (a *uiApp) Driver() fyne.Driver { return a.drv }

// harness is one window of the app over a store.
type harness struct {
	t   *testing.T
	app fyne.App
	drv *uiDriver
	win fyne.Window
	st  *storage.Store
	u   *UI
	// close stops the UI and closes its window, once.
	close func()
	// sync, if set before open, is the UI's Syncer.
	sync Syncer
	// install, if set before open, is Options.Install.
	install func() error
}

// newHarness builds the UI over st as main.go does and starts it.
func newHarness(t *testing.T, st *storage.Store) *harness {
	t.Helper()
	h := newApp(t)
	h.open(st)
	return h
}

// newApp is a test app whose fyne.Do runs on the test's goroutine; open puts a UI in a window.
func newApp(t *testing.T) *harness {
	t.Helper()
	base := test.NewTempApp(t)
	drv := &uiDriver{Driver: base.Driver(), wake: make(chan struct{}, 1)}
	drv.owner.Store(goid())
	a := &uiApp{App: base, drv: drv}
	fyne.SetCurrentApp(a)
	return &harness{t: t, app: a, drv: drv}
}

func (h *harness) open(st *storage.Store) *UI {
	h.t.Helper()
	h.st = st
	h.win = h.app.NewWindow("科技帮扶台账")
	h.win.Resize(fyne.NewSize(1280, 800))
	h.u = New(h.app, h.win, st, Options{Divisions: divisions, Version: "test", Sync: h.sync, Install: h.install})
	u, w := h.u, h.win
	h.close = sync.OnceFunc(func() {
		u.Close() // every goroutine of the UI has returned: the store may close (TestGoroutinesTracked)
		w.Close() // the test driver panics on a second Close
	})
	h.t.Cleanup(h.close)
	h.u.Start()
	if st.Identity().Replica != "" {
		h.eventually("the lists show", func() bool {
			return u.trainings.count.Text != "" && u.villages.count.Text != "" && u.advisors.count.Text != ""
		})
	}
	return h.u
}

// eventually waits until cond holds, running the UI thread's queued work meanwhile; cond runs on the
// UI thread, so it may read widgets.
func (h *harness) eventually(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		h.drv.pump()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("still not so after %v: %s", waitFor, what)
		}
		select {
		case <-h.drv.wake:
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// focused is what has the keyboard.
func (h *harness) focused() fyne.Focusable { return h.win.Canvas().Focused() }

// focus puts the keyboard in f, as a click into it would.
func (h *harness) focus(f fyne.Focusable) {
	h.t.Helper()
	h.win.Canvas().Focus(f)
	if h.focused() != f {
		h.t.Fatalf("cannot focus %T", f)
	}
}

// typeText types into what has the keyboard.
func (h *harness) typeText(s string) {
	h.t.Helper()
	f := h.focused()
	if f == nil {
		h.t.Fatalf("typing %q with nothing focused", s)
	}
	for _, r := range s {
		f.TypedRune(r)
	}
}

// retype replaces the text of f as a clerk does, without Ctrl+A: the keyboard comes to the field (from
// elsewhere, if it is there already), which selects what it holds, and the typing replaces it.
func (h *harness) retype(f fyne.Focusable, s string) {
	h.t.Helper()
	if h.focused() == f {
		h.win.Canvas().Unfocus()
	}
	h.focus(f)
	if e := entryOf(f); e != nil && e.SelectedText() != e.Text {
		h.t.Fatalf("the keyboard came to a field reading %q with %q selected", e.Text, e.SelectedText())
	}
	h.typeText(s)
}

// press sends a key to what has the keyboard.
func (h *harness) press(k fyne.KeyName) {
	h.t.Helper()
	f := h.focused()
	if f == nil {
		h.t.Fatalf("pressing %s with nothing focused", k)
	}
	f.TypedKey(&fyne.KeyEvent{Name: k})
}

// tab moves the keyboard on, as the driver does for Tab in a single-line field.
func (h *harness) tab() { h.win.Canvas().FocusNext() }

// backTab moves the keyboard back, as the driver does for Shift+Tab.
func (h *harness) backTab() { h.win.Canvas().FocusPrevious() }

// click presses and releases the left mouse button over o near its left edge, in the order the desktop
// driver delivers a click: MouseDown (an entry takes the keyboard and places its caret there), MouseUp,
// then Tapped.
func (h *harness) click(o fyne.CanvasObject) {
	h.t.Helper()
	ev := &desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(6, o.Size().Height/2)},
		Button: desktop.MouseButtonPrimary}
	m, ok := o.(desktop.Mouseable)
	if !ok {
		h.t.Fatalf("%T takes no mouse presses", o)
	}
	m.MouseDown(ev)
	m.MouseUp(ev)
	if tp, ok := o.(fyne.Tappable); ok {
		tp.Tapped(&ev.PointEvent)
	}
}

// switchAway is the clerk switching to another program and back while f has the keyboard: the window's
// focus manager tells f it lost focus, the app leaves the foreground, then f gains focus again.
func (h *harness) switchAway() {
	h.t.Helper()
	f := h.focused()
	if f == nil {
		h.t.Fatal("switching away with nothing focused")
	}
	f.FocusLost()
	h.u.leftWindow()
	f.FocusGained()
}

// wantSelected fails unless f has the keyboard with its whole text, want, selected: typing replaces it.
func (h *harness) wantSelected(what string, f fyne.Focusable, want string) {
	h.t.Helper()
	if h.focused() != f {
		h.t.Errorf("%s: the keyboard is in %T, want the field", what, h.focused())
		return
	}
	e := entryOf(f)
	if e == nil {
		h.t.Fatalf("%s: %T is not a text field", what, f)
	}
	if e.Text != want || e.SelectedText() != want {
		h.t.Errorf("%s: the field reads %q with %q selected, want %q all selected", what, e.Text, e.SelectedText(), want)
	}
}

// children are the objects an object shows: a container's, or a widget's renderer's.
func children(o fyne.CanvasObject) []fyne.CanvasObject {
	switch x := o.(type) {
	case *fyne.Container:
		return x.Objects
	case fyne.Widget:
		if r := test.WidgetRenderer(x); r != nil {
			return r.Objects()
		}
	}
	return nil
}

// walk visits o and everything under it, depth first, until visit returns true.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) bool {
	if o == nil {
		return false
	}
	if visit(o) {
		return true
	}
	for _, c := range children(o) {
		if walk(c, visit) {
			return true
		}
	}
	return false
}

// find is the first object under root of type T that match accepts; nil if none.
func find[T fyne.CanvasObject](root fyne.CanvasObject, match func(T) bool) T {
	var found T
	walk(root, func(o fyne.CanvasObject) bool {
		if x, ok := o.(T); ok && match(x) {
			found = x
			return true
		}
		return false
	})
	return found
}

func button(root fyne.CanvasObject, text string) *widget.Button {
	return find(root, func(b *widget.Button) bool { return b.Text == text })
}

func mustButton(t *testing.T, root fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	b := button(root, text)
	if b == nil {
		t.Fatalf("no button %q", text)
	}
	return b
}

// tapMenuItem taps the entry of the open pop-up menu (a Select's list) that reads text.
func (h *harness) tapMenuItem(text string) {
	h.t.Helper()
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		h.t.Fatalf("no pop-up open to pick %q from", text)
	}
	var hit fyne.Tappable
	var visit func(o fyne.CanvasObject, near fyne.Tappable) bool
	visit = func(o fyne.CanvasObject, near fyne.Tappable) bool {
		if tp, ok := o.(fyne.Tappable); ok {
			near = tp
		}
		if tx, ok := o.(*canvas.Text); ok && tx.Text == text && near != nil {
			hit = near
			return true
		}
		for _, c := range children(o) {
			if visit(c, near) {
				return true
			}
		}
		return false
	}
	if !visit(top, nil) {
		h.t.Fatalf("the pop-up has no item %q", text)
	}
	test.Tap(hit)
}

// pick chooses an option of a Select as a clerk does: tap it, tap the option.
func (h *harness) pick(s *widget.Select, option string) {
	h.t.Helper()
	test.Tap(s)
	h.tapMenuItem(option)
	if s.Selected != option {
		h.t.Fatalf("select shows %q after picking %q", s.Selected, option)
	}
}

// trainings lists the store's trainings under 鲁村镇, newest first.
func trainings(t *testing.T, st *storage.Store) []ledger.Training {
	t.Helper()
	page, err := st.Trainings(query.Trainings{Limit: 1000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return page.Trainings
}

func rowIDs(rows []trainingRow) []string {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.t.ID
	}
	return ids
}

func hasRow(rows []trainingRow, id string) bool {
	for _, r := range rows {
		if r.t.ID == id {
			return true
		}
	}
	return false
}

// pair has the city pair an advisor of the roster with a village of 鲁村镇, and applies the pairing to
// st as sync would bring it.
func pair(t *testing.T, st *storage.Store, advisor, villageName string) {
	t.Helper()
	city := cityStore(t)
	v := village(t, villageName)
	if _, err := city.Import(t.Context(), []ledger.Entity{v.Record()}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := city.ApplyRemote(t.Context(), roster); err != nil {
		t.Fatal(err)
	}
	id, err := city.Create(t.Context(), ledger.Assignment{Advisor: advisorID(t, advisor), Village: v.Village, From: "2026-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := city.Record(id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApplyRemote(t.Context(), []ledger.Record{rec}); err != nil {
		t.Fatal(err)
	}
}
