package query

import (
	"context"
	"testing"
	"time"
)

// TestWatchSet: Changed closes when any channel of the set closes, not before, and its goroutine ends
// with the context when nothing changes.
func TestWatchSet(t *testing.T) {
	a, b := make(chan struct{}), make(chan struct{})
	ws := NewWatchSet()
	ws.Add(a)
	ws.Add(b)
	ws.Add(a) // once is enough
	if len(ws) != 2 {
		t.Fatalf("set holds %d channels, want 2", len(ws))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changed := ws.Changed(ctx)
	select {
	case <-changed:
		t.Fatal("changed before anything did")
	default:
	}
	close(b)
	select {
	case <-changed:
	case <-time.After(time.Minute): // only a hang reaches it, a loaded machine never
		t.Fatal("closing one channel of the set did not close Changed")
	}

	// Nothing changes: the context ends the wait and Changed stays open.
	ctx2, cancel2 := context.WithCancel(context.Background())
	quiet := NewWatchSet()
	quiet.Add(make(chan struct{}))
	ch := quiet.Changed(ctx2)
	cancel2()
	select {
	case <-ch:
		t.Fatal("Changed closed when only the context ended")
	case <-time.After(50 * time.Millisecond):
	}

	var none WatchSet
	none.Add(a) // a nil set ignores adds: a read that is not watched
	if len(none) != 0 {
		t.Error("a nil set took a channel")
	}
}
