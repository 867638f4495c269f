package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"techaid/query"
)

// settle is how long a view waits after a change before it reads again, so that a sync applying
// batches back to back redraws a list a few times a second, not a thousand times.
const settle = 150 * time.Millisecond

// view is a read that stays current: it runs read off the UI thread, shows the result on it, and runs
// again whenever the store says the result may have changed or the view asks (a filter changed).
type view[T any] struct {
	read func(ws query.WatchSet) T
	show func(T)
	poke chan struct{}
}

// live starts a view of the UI; it stops with the UI's view (UI.Stop waits for it).
func live[T any](u *UI, read func(ws query.WatchSet) T, show func(T)) *view[T] {
	v := &view[T]{read: read, show: show, poke: make(chan struct{}, 1)}
	ctx := u.ctx
	u.spawn(func() { v.run(ctx) })
	return v
}

// refresh asks the view to read again now (after a filter changed).
func (v *view[T]) refresh() {
	select {
	case v.poke <- struct{}{}:
	default:
	}
}

func (v *view[T]) run(ctx context.Context) {
	for {
		ws := query.NewWatchSet()
		result := v.read(ws)
		if ctx.Err() != nil {
			return
		}
		fyne.Do(func() { v.show(result) })
		wctx, cancel := context.WithCancel(ctx)
		changed := ws.Changed(wctx)
		select {
		case <-ctx.Done():
			cancel()
			return
		case <-v.poke:
		case <-changed:
			select { // let a burst of writes finish
			case <-time.After(settle):
			case <-ctx.Done():
			}
		}
		cancel()
	}
}

// related is the live text under a record's detail (a village's advisors and latest trainings, an
// advisor's service days and record): one view, pointed at whichever record is open.
type related struct {
	label *widget.Label
	view  *view[string]
}

func newRelated() *related {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	return &related{label: l}
}

// follow starts the view on its first use and reads again on later ones (another record opened).
func (r *related) follow(u *UI, read func(ws query.WatchSet) string) {
	if r.view == nil {
		r.view = live(u, read, r.label.SetText)
		return
	}
	r.view.refresh()
}
