// Package app is the desktop UI of a township, county or city office: Fyne widgets over the office's
// ledger. It declares the small interfaces it needs (Ledger, Syncer) and never touches Badger or the
// network itself; main.go wires those in. Every read runs off the UI thread and every view refreshes by
// itself when the store changes (a save, or sync applying the city's changes).
package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// Options are what main.go hands the UI besides the store.
type Options struct {
	Sync      Syncer            // nil: this build does not sync
	Divisions []ledger.Division // the real division list: the first run's office picker and village seeds
	Version   string
	// Restore replaces the store with a backup and returns the reopened store; nil hides the button.
	Restore func(ctx context.Context, path string) (Ledger, error)
	// Ready, if set, is called once the main window shows its data (start-up measurement).
	Ready func()
	// Screen is the tab to open on, by its Chinese title ("村庄"); the trainings form if "".
	Screen string
	// Notice is a sentence for the clerk, shown once when the main view first opens: the data folder
	// was readable by other users and has been made private, or could not be.
	Notice string
	// Install installs the new version the city published once Sync's state says it is ready
	// (SyncState.Upgrade): called off the UI thread, it prepares the installation and has the app
	// closed (through fyne.Do), or says in Chinese why it cannot. nil: the status bar never offers it.
	Install func() error
}

// UI is the app's window content.
type UI struct {
	ctx    context.Context
	cancel context.CancelFunc
	app    fyne.App
	win    fyne.Window
	st     Ledger
	opts   Options
	places places

	syncState SyncState // the latest from Sync, kept across rebuilds of the view
	// Every goroutine of the UI is one of these (a test holds that): running, the view's reads and
	// writes, set-up and restore, which Stop waits for; following, the loop reading Sync's states for
	// the app's lifetime, which Close waits for.
	running   sync.WaitGroup
	following sync.WaitGroup
	id        query.Identity
	tabs      *container.AppTabs
	villages  *villagesTab
	advisors  *advisorsTab
	trainings *trainingsTab
	dashboard *dashboardTab
	sheets    *sheetsTab
	syncTab   *syncTab
	status    *statusBar
	// The programme's screens beyond trainings, by their Chinese title (needs.go, projects.go, …).
	screens map[string]*kindScreen
	// needDialog is the need form of a survey's 登记调研需求 while it is open (tests reach it here).
	needDialog *recordForm[ledger.Need]
}

// New builds the UI in w; Start shows it.
func New(a fyne.App, w fyne.Window, st Ledger, opts Options) *UI {
	u := &UI{app: a, win: w, st: st, opts: opts, places: newPlaces(opts.Divisions)}
	u.syncState.Phase = SyncOff
	// The clerk switching to another program and back is no reason to select what they were typing.
	a.Lifecycle().SetOnExitedForeground(u.leftWindow)
	if opts.Sync != nil {
		u.followSync(opts.Sync.States())
	}
	return u
}

// followSync shows each sync state as it comes, until states is closed: for the app's lifetime, as the
// syncer outlives views and restores.
func (u *UI) followSync(states <-chan SyncState) {
	u.following.Add(1)
	go func() {
		defer u.following.Done()
		for s := range states {
			fyne.Do(func() {
				u.syncState = s
				if u.status != nil {
					u.status.show()
				}
			})
		}
	}()
}

// leftWindow runs when the app's window loses the keyboard to another program.
func (u *UI) leftWindow() { keepFocusedText(u.win.Canvas()) }

// Start shows the first-run set-up if the store has no office yet, else the main view.
func (u *UI) Start() {
	if u.st.Identity().Replica == "" {
		u.win.SetContent(u.setupScreen())
		return
	}
	u.showMain()
}

// Stop ends the view's background reads and waits for them and for writes in flight, so that the store
// can be closed (or replaced by a restore) safely afterwards.
func (u *UI) Stop() {
	if u.cancel != nil {
		u.cancel()
		u.cancel = nil
	}
	u.running.Wait()
}

// Close stops the view (Stop) and waits for the loop that follows sync, which ends once the Syncer's
// States channel is closed: after Close nothing of the UI runs.
func (u *UI) Close() {
	u.Stop()
	u.following.Wait()
}

// spawn runs fn in a goroutine that Stop waits for.
func (u *UI) spawn(fn func()) {
	u.running.Add(1)
	go func() {
		defer u.running.Done()
		fn()
	}()
}

// showMain (re)builds the main view: after set-up, a language switch, a restore.
func (u *UI) showMain() {
	u.Stop()
	u.ctx, u.cancel = context.WithCancel(context.Background())
	u.id = u.st.Identity()
	u.status = u.newStatusBar()
	u.villages = u.newVillagesTab()
	u.advisors = u.newAdvisorsTab()
	u.trainings = u.newTrainingsTab()
	u.dashboard = u.newDashboardTab()
	u.sheets = u.newSheetsTab()
	u.syncTab = u.newSyncTab()
	u.tabs = container.NewAppTabs(u.sidebar()...)
	u.tabs.SetTabLocation(container.TabLocationLeading)
	u.tabs.OnSelected = func(t *container.TabItem) {
		switch {
		case t.Content == u.trainings.content:
			u.trainings.focusForm()
		default:
			u.focusScreen(t)
		}
	}
	u.win.SetContent(container.NewBorder(nil, u.status.content, nil, nil, u.tabs))
	u.win.SetOnDropped(u.dropped) // photos and PDFs dropped on the window go to the record on screen
	u.win.SetTitle(T("科技帮扶台账") + " — " + u.places.name(u.id.Scope))
	u.trainings.focusForm()
	if u.opts.Screen != "" {
		u.Show(u.opts.Screen)
		u.opts.Screen = ""
	}
	if u.opts.Notice != "" {
		msg := widget.NewLabel(u.opts.Notice)
		msg.Wrapping = fyne.TextWrapWord
		d := dialog.NewCustom(T("请注意"), T("知道了"), msg, u.win)
		d.Resize(fyne.NewSize(480, 220))
		d.Show()
		u.opts.Notice = ""
	}
	if u.opts.Ready != nil {
		ready := u.opts.Ready
		u.opts.Ready = nil
		u.trainings.onFirstShow = ready
	}
}

// Show selects a screen by its Chinese title (tests, --screen and the status bar's links): a tab of the
// sidebar, or a screen within one of its groups (村庄 is in 基础名册).
func (u *UI) Show(title string) {
	for _, t := range u.tabs.Items {
		if t.Text == T(title) {
			u.tabs.Select(t)
			return
		}
	}
	for _, t := range u.tabs.Items {
		inner, ok := t.Content.(*container.AppTabs)
		if !ok {
			continue
		}
		for _, it := range inner.Items {
			if it.Text == T(title) {
				u.tabs.Select(t)
				inner.Select(it)
				return
			}
		}
	}
}

// today is the date on the office's clock, corrected by the city's offset once known.
func (u *UI) today() ledger.Date { return ledger.DateOf(u.st.Clock().Today()) }

func (u *UI) year() int { return u.st.Clock().Today().Year() }

// yearStart is the first day of this year: "this year" in the figures a detail shows.
func (u *UI) yearStart() ledger.Date { return ledger.Date(fmt.Sprintf("%04d-01-01", u.year())) }

// saveWith runs a write off the UI thread (a save waits for the disk) and hands its outcome to done on
// the UI thread.
func (u *UI) saveWith(write func(ctx context.Context) error, done func(err error)) {
	parent := u.ctx
	u.spawn(func() {
		ctx, cancel := context.WithTimeout(parent, time.Minute)
		defer cancel()
		err := write(ctx)
		fyne.Do(func() { done(err) })
	})
}

// showError tells the clerk in plain words what went wrong and what to do.
func (u *UI) showError(err error) {
	msg := widget.NewLabel(Sentence(err))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(T("没有完成"), T("知道了"), msg, u.win)
	d.Resize(fyne.NewSize(420, 200))
	d.Show()
}

// fieldLabel is a record field's label in the UI's language.
func fieldLabel(k ledger.Kind, field string) string {
	zh, en := ledger.Label(k, field)
	if english() {
		return en
	}
	return zh
}

// plainError is an error whose text is already a sentence for the clerk.
type plainError string

func (e plainError) Error() string { return string(e) }

// Sentence turns an error into what a clerk reads: what happened and what to do next. The errors of the
// ledger and the store say it themselves (ledger.ChineseError); in English, the error's own text.
func Sentence(err error) string {
	var pe plainError
	if errors.As(err, &pe) {
		return string(pe)
	}
	if english() {
		var ve *ledger.ValidationError
		if errors.As(err, &ve) {
			return ve.Error()
		}
		return err.Error()
	}
	return ledger.Chinese(err)
}

// heading is a bold label.
func heading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

// showForm shows a form in a dialog with our own button texts (Fyne's follow the system locale). The
// keyboard starts in its first field, text selected; Enter in a field saves as 保存 does, or, while a
// field holds something it cannot take (its Validator says why, and 保存 is greyed), goes to that field.
func (u *UI) showForm(title string, items []*widget.FormItem, ok func()) {
	d := dialog.NewForm(title, T("保存"), T("取消"), items, func(confirmed bool) {
		if confirmed {
			ok()
		}
	}, u.win)
	d.Resize(fyne.NewSize(460, 0))
	var fields []*field
	for _, it := range items {
		if f, isField := it.Widget.(*field); isField {
			fields = append(fields, f)
		}
	}
	for _, f := range fields {
		f.OnSubmitted = func(string) {
			for _, g := range fields {
				if g.Validator != nil && g.Validate() != nil {
					focusSelected(u.win.Canvas(), g)
					return
				}
			}
			d.Submit()
		}
	}
	d.Show()
	if len(fields) > 0 {
		focusSelected(u.win.Canvas(), fields[0])
	}
}

// maxWidth lays its objects out at most this wide, from the left: forms of a few fields read badly
// stretched over a 1,280-pixel window.
type maxWidth float32

func (m maxWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := min(size.Width, float32(m))
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}

func (m maxWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}
