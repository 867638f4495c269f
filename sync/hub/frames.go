package hub

import (
	"sync"

	"techaid/ledger"
)

// frameCache shares encoded live batches between the sessions of one scope. When a push lands, every
// office of that township is woken at the same cursor and would read and encode the same batch; the
// first one does, the others send its bytes. Entries are keyed by scope, cursor range and head, so a
// batch is shared only between sessions that would have built exactly the same one. The cache keeps
// about max bytes, dropping the oldest entries first.
type frameCache struct {
	mu    sync.Mutex
	max   int
	size  int
	items map[frameKey]*sharedFrame
	order []frameKey
}

type frameKey struct {
	scope            ledger.Code
	from, upto, head uint64
}

type sharedFrame struct {
	buf     []byte
	records int // how many records it carries (the records themselves are not kept)
}

func newFrameCache(max int) *frameCache {
	return &frameCache{max: max, items: map[frameKey]*sharedFrame{}}
}

func (c *frameCache) get(scope ledger.Code, from, upto, head uint64) *sharedFrame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.items[frameKey{scope, from, upto, head}]
}

func (c *frameCache) put(scope ledger.Code, from, upto, head uint64, f *sharedFrame) {
	k := frameKey{scope, from, upto, head}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; ok || len(f.buf) > c.max/4 {
		return
	}
	c.items[k] = f
	c.order = append(c.order, k)
	c.size += len(f.buf)
	for c.size > c.max && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		if e, ok := c.items[old]; ok {
			c.size -= len(e.buf)
			delete(c.items, old)
		}
	}
}
