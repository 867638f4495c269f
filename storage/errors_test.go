package storage

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"techaid/ledger"
)

// TestErrorsSayWhatToDo: every error of the store a clerk may meet carries its Chinese sentence, found
// through ledger.ChineseError however deeply it is wrapped, and errors.Is still tells them apart.
func TestErrorsSayWhatToDo(t *testing.T) {
	errs := []error{ErrNotFound, ErrNotInitialized, ErrInitialized, ErrLocked, ErrPassphrase, ErrNewerFormat,
		ErrScope, ErrClosed, ErrInUse,
		&ScopeError{Kind: ledger.KindVillage, ID: "370323102201", Org: "370323102201", Scope: "370303"},
		&InUseError{Kind: ledger.KindAdvisor, ID: "a1", Trainings: 3}}
	seen := map[string]bool{}
	for _, e := range errs {
		wrapped := fmt.Errorf("open /data: %w", fmt.Errorf("read: %w", e))
		zh := ledger.Chinese(wrapped)
		if zh == "" || strings.HasPrefix(zh, "操作没有完成") || seen[zh] {
			t.Errorf("%v: the clerk reads %q", e, zh)
		}
		seen[zh] = true
		if !errors.Is(wrapped, e) {
			t.Errorf("errors.Is lost %v", e)
		}
		for _, other := range errs[:9] {
			if other != e && errors.Is(wrapped, other) && !(other == ErrScope || other == ErrInUse) {
				t.Errorf("%v is also %v", e, other)
			}
		}
	}
	if got := ledger.Chinese(errors.New("disk on fire")); got != "操作没有完成：disk on fire" {
		t.Errorf("an unknown error reads %q", got)
	}
}
