package client_test

import (
	"testing"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/synctest"
)

// county is 沂源县, the county of both townships the tests use.
const county ledger.Code = "370323"

// noConflicts fails for every conflict-log entry any of the stores holds on id.
func noConflicts(t *testing.T, id string, stores map[string]*storage.Store) {
	t.Helper()
	for name, st := range stores {
		cs, err := st.Conflicts(false)
		if err != nil {
			t.Fatalf("%s: conflicts: %v", name, err)
		}
		for _, c := range cs {
			if c.ID == id {
				t.Errorf("%s logged a conflict on %s: %q lost to %q, though the winner was written by a clerk who had seen it",
					name, c.Field, c.Loser.Value, c.Winner.Value)
			}
		}
	}
}

// Issue 14, item 8: a value replaced two hops later is no conflict. The city's PC holds A; the county
// edits A→B; a second PC of the county, which received B, edits B→C. The city's PC, offline
// meanwhile, receives C alone (the hub sends what it holds now, not the history): C was written by
// someone who had seen A, at two removes, so nobody overwrote anything unseen and no clerk is asked.
func TestTwoHopsNoConflict(t *testing.T) {
	t.Parallel()
	h := synctest.StartHub(t)
	countyToken := h.Office("沂源县", county)
	lu := synctest.NewReplica(t, h.URL, h.Office("鲁村镇", synctest.Lucun), synctest.Lucun, "张敏", storage.Options{})
	city := synctest.NewReplica(t, h.URL, h.Office("市局", synctest.City), synctest.City, "王芳", storage.Options{})
	cty := synctest.NewReplica(t, h.URL, countyToken, county, "刘洋", storage.Options{})
	cty2 := synctest.NewReplica(t, h.URL, countyToken, county, "陈静", storage.Options{})
	syncAll(1, lu, city, cty, cty2)
	id := create(t, lu.Store, training("苹果树冬季修剪", codes(t, synctest.Lucun)[0])) // A
	syncAll(1, lu, city, cty, cty2)

	set(t, cty.Store, ledger.KindTraining, id, map[string]string{"topic": "苹果树春季修剪"}) // A→B
	cty.Sync()
	cty2.Sync()
	set(t, cty2.Store, ledger.KindTraining, id, map[string]string{"topic": "梨树春季修剪"}) // B→C
	cty2.Sync()
	lu.Sync() // the township receives C alone too
	city.Sync()
	syncAll(2, lu, city, cty, cty2)

	checkConverged(t, h, lu, city, cty, cty2)
	for _, r := range []*synctest.Replica{lu, city, cty, cty2} {
		if v := value(t, r.Store, id, "topic"); v != "梨树春季修剪" {
			t.Errorf("%s holds topic %q, want the last edit", r.Store.Identity().Clerk, v)
		}
	}
	noConflicts(t, id, map[string]*storage.Store{"the hub": h.Store, "鲁村镇": lu.Store, "市局": city.Store,
		"沂源县": cty.Store, "沂源县 PC 2": cty2.Store})
}

// A clerk who saw a conflict and then wrote the field decided knowing both values: the write follows
// both, and the replica whose value lost, receiving it, logs nothing (the clerk who decided saw the
// entry). The conflict itself is still logged where the two concurrent values met.
func TestDecidedConflictNoConflict(t *testing.T) {
	t.Parallel()
	h := synctest.StartHub(t)
	lu := synctest.NewReplica(t, h.URL, h.Office("鲁村镇", synctest.Lucun), synctest.Lucun, "张敏", storage.Options{})
	city := synctest.NewReplica(t, h.URL, h.Office("市局", synctest.City), synctest.City, "王芳", storage.Options{})
	cty := synctest.NewReplica(t, h.URL, h.Office("沂源县", county), county, "刘洋", storage.Options{})
	syncAll(1, lu, city, cty)
	id := create(t, lu.Store, training("苹果树冬季修剪", codes(t, synctest.Lucun)[0]))
	syncAll(1, lu, city, cty)

	set(t, lu.Store, ledger.KindTraining, id, map[string]string{"topic": "乡镇的题目"}) // L
	lu.Sync()
	cty.Sync()                                                                       // the county holds L
	set(t, city.Store, ledger.KindTraining, id, map[string]string{"topic": "市局的题目"}) // W, concurrent with L
	city.Sync()
	cty.Sync() // the county receives W over L: a real conflict, logged there
	if v := value(t, cty.Store, id, "topic"); v != "市局的题目" {
		t.Fatalf("the county holds %q, want the later concurrent edit", v)
	}
	if n := len(conflictsOn(t, cty.Store, id, "topic")); n != 1 {
		t.Fatalf("the county logged %d conflicts on the topic, want 1", n)
	}
	if n := len(conflictsOn(t, h.Store, id, "topic")); n != 1 {
		t.Fatalf("the hub logged %d conflicts on the topic, want 1", n)
	}
	set(t, cty.Store, ledger.KindTraining, id, map[string]string{"topic": "县里定的题目"}) // V, knowing L and W
	cty.Sync()
	lu.Sync() // the township holds L and receives V alone
	syncAll(2, lu, city, cty)

	checkConverged(t, h, lu, city, cty)
	for _, r := range []*synctest.Replica{lu, city, cty} {
		if v := value(t, r.Store, id, "topic"); v != "县里定的题目" {
			t.Errorf("%s holds topic %q, want the county's decision", r.Store.Identity().Clerk, v)
		}
	}
	if cs := conflictsOn(t, lu.Store, id, "topic"); len(cs) != 0 {
		t.Errorf("the township logged %+v, though the county's clerk wrote on top of its value", cs)
	}
	if n := len(conflictsOn(t, h.Store, id, "topic")); n != 1 {
		t.Errorf("the hub's log holds %d entries on the topic, want the one real conflict", n)
	}
	if n := len(conflictsOn(t, cty.Store, id, "topic")); n != 1 {
		t.Errorf("the county's log holds %d entries on the topic, want the one real conflict", n)
	}
}
