package synctest

import (
	"testing"
	"time"

	"techaid/sync/client"
)

// Patience is how long a test waits for something that must happen: far longer than it takes on a
// loaded machine, so that only a hang (or a bug) reaches it. Tests never assert how long things take.
const Patience = time.Minute

// Eventually polls cond every 20 ms until it holds, and fails the test, naming what it waited for, if
// it does not within Patience.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, Patience)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitState waits until the client reports a state that ok accepts, and fails the test, with the last
// state, if it does not within Patience.
func WaitState(t testing.TB, c *client.Client, what string, ok func(client.State) bool) {
	t.Helper()
	deadline := time.After(Patience)
	for !ok(c.State()) {
		select {
		case <-c.States():
		case <-time.After(50 * time.Millisecond): // a state may have been read by someone else
		case <-deadline:
			t.Fatalf("%s: not within %s; the client is %s (%v)", what, Patience, c.State().Phase, c.State().Err)
		}
	}
}

// UpToDate is a state that WaitState accepts when the client is up to date.
func UpToDate(s client.State) bool { return s.Phase == client.UpToDate }
