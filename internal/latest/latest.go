// Package latest is a channel that holds only the newest value sent to it: the writer never blocks,
// and a slow reader skips the values it missed and reads the newest. Sync reports its state this way,
// to a UI that must show where sync is now, not where it was.
package latest

import "sync"

// Chan is a latest-value channel. Make it with New.
type Chan[T any] struct {
	mu     sync.Mutex // serialises Set and Close: the buffer is emptied and filled as one step
	ch     chan T
	closed bool
}

// New makes an empty channel.
func New[T any]() *Chan[T] { return &Chan[T]{ch: make(chan T, 1)} }

// Set replaces the value not read yet, if any, with v. After Close it does nothing.
func (c *Chan[T]) Set(v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	select {
	case <-c.ch:
	default:
	}
	c.ch <- v // never blocks: the buffer is empty, and only Set, under mu, sends
}

// C is the channel to read.
func (c *Chan[T]) C() <-chan T { return c.ch }

// Close closes the channel: a reader ranging over C reads the value not read yet, if any, and ends.
func (c *Chan[T]) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		close(c.ch)
	}
}
