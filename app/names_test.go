package app

import (
	"testing"

	"techaid/ledger"
)

// TestAdvisorChoicesOursFirst: in a township the type-ahead offers the advisors paired with its own
// villages before the rest of the city's roster.
func TestAdvisorChoicesOursFirst(t *testing.T) {
	st := townStore(t, baseWall)
	u := &UI{st: st, id: st.Identity()}
	first := func() string {
		cs := u.advisorChoices("王志")
		if len(cs) != 2 {
			t.Fatalf("suggestions for 王志: %+v, want 王志强 and 王志刚", cs)
		}
		return cs[0].text
	}
	before := first()
	other := map[string]string{"王志强": "王志刚", "王志刚": "王志强"}[before]
	pair(t, st, other, "鲁村二村村委会")
	if got := first(); got != other {
		t.Errorf("after pairing %s with a village of 鲁村镇 the first suggestion is %s", other, got)
	}
	if u.id.Scope.Level() != ledger.LevelTownship {
		t.Fatalf("scope %s", u.id.Scope)
	}
}
