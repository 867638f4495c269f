package latest

import (
	"sync"
	"testing"
)

func TestLatest(t *testing.T) {
	c := New[int]()
	for i := range 5 {
		c.Set(i) // never blocks, though nobody reads
	}
	if v := <-c.C(); v != 4 {
		t.Errorf("read %d after sets 0..4, want the newest, 4", v)
	}
	select {
	case v := <-c.C():
		t.Errorf("read %d again; want nothing new", v)
	default:
	}
	c.Set(7)
	c.Close()
	c.Set(8) // after Close: nothing
	var got []int
	for v := range c.C() {
		got = append(got, v)
	}
	if len(got) != 1 || got[0] != 7 {
		t.Errorf("after Close the reader got %v, want [7] and the end", got)
	}
	c.Close() // again: no panic
}

// Writers and a reader at once (under -race): the reader ends having seen the last value set.
func TestLatestConcurrent(t *testing.T) {
	c := New[int]()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				c.Set(w*1000 + i)
			}
		}()
	}
	done := make(chan int)
	go func() {
		last := -1
		for v := range c.C() {
			last = v
		}
		done <- last
	}()
	wg.Wait()
	c.Set(-7)
	c.Close()
	if last := <-done; last != -7 {
		t.Errorf("the reader's last value: %d, want -7", last)
	}
}
