package query

import (
	"context"
	"reflect"
)

// WatchSet collects the channels a read depends on: the store closes one when something the read saw
// changes. A reader passes a new set to each read (nil: no watching) and then waits on it.
type WatchSet map[<-chan struct{}]struct{}

// NewWatchSet returns an empty set.
func NewWatchSet() WatchSet { return WatchSet{} }

// Add adds a channel to the set.
func (w WatchSet) Add(ch <-chan struct{}) {
	if w != nil {
		w[ch] = struct{}{}
	}
}

// Changed returns a channel closed as soon as one of the set's channels is closed; its goroutine ends
// then or when ctx ends, whichever comes first (the channel is then left open). An empty set never
// changes.
func (w WatchSet) Changed(ctx context.Context) <-chan struct{} {
	out := make(chan struct{})
	cases := make([]reflect.SelectCase, 0, len(w)+1)
	cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())})
	for ch := range w {
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)})
	}
	go func() {
		if chosen, _, _ := reflect.Select(cases); chosen > 0 {
			close(out)
		}
	}()
	return out
}

// Wait blocks until one of the set's channels is closed (nil) or ctx ends (ctx's error).
func (w WatchSet) Wait(ctx context.Context) error {
	select {
	case <-w.Changed(ctx):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
