package hub_test

import (
	"errors"
	"strings"
	"testing"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
	"techaid/sync/protocol"
	"techaid/sync/synctest"
)

// TestProgrammeScopeThroughHub: a township office pushes records of every new kind to a real hub: its
// own needs, leaders, introductions and publicity apply; another township's, a county's, a record
// spanning townships, the city's registries and a need moved out of the township are refused with
// out_of_scope; a value breaking a rule with invalid; and every office then receives exactly its
// scope's records and all the registries.
func TestProgrammeScopeThroughHub(t *testing.T) {
	t.Parallel()
	h := synctest.StartHub(t)
	lv, dv := codes(t, synctest.Lucun), codes(t, synctest.Dongli)

	// The city registers a variety and a park, and pairs the park with a village of 东里镇.
	city := synctest.NewReplica(t, h.URL, h.Office("市局", synctest.City), synctest.City, "刘洋", storage.Options{})
	city.Sync()
	ctx := t.Context()
	variety, err := city.Store.Create(ctx, ledger.Variety{Name: "鲁丽", Kind: ledger.VarietyBreed})
	if err != nil {
		t.Fatal(err)
	}
	park, err := city.Store.Create(ctx, ledger.Park{Name: "沂源省级农业科技园区", County: "370323", Speciality: "沂源红苹果"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := city.Store.Create(ctx, ledger.ParkPairing{Park: park, Village: dv[0], From: "2025-03-01"}); err != nil {
		t.Fatal(err)
	}
	city.Sync()

	tok := h.Office("鲁村镇", synctest.Lucun)
	w := &writer{replica: storage.NewID(), office: synctest.Lucun}
	c := dial(t, h)
	send(t, c, hello(tok, w.replica))
	welcome(t, c)
	need := ledger.Need{Village: lv[0], Problem: "苹果腐烂病", Group: "林果", State: ledger.NeedWaiting, Raised: "2025-05-01"}
	needID := storage.NewID()
	moved := need
	moved.Village = dv[0]
	ids := make([]string, 14)
	for i := range ids {
		ids[i] = storage.NewID()
	}
	ids[0] = needID
	recs := []ledger.Record{
		w.record(need, ids[0]), // 1: good
		w.record(ledger.Leader{Name: "王德福", Kind: ledger.LeaderRich, Village: lv[1], Since: "2025-04-01"}, ids[1]),             // 2: good
		w.record(ledger.Introduction{Variety: variety, Year: 2025, Villages: []ledger.Code{lv[0], lv[1]}, Area: 12.5}, ids[2]), // 3: good
		w.record(ledger.Publicity{Title: "果园课堂", Outlet: "沂源报", Date: "2025-04-02", Form: ledger.PublicityNews, Org: synctest.Lucun,
			Villages: []ledger.Code{lv[0]}}, ids[3]), // 4: good
		w.record(ledger.Need{Village: dv[0], Problem: "大棚", Group: "蔬菜", State: ledger.NeedWaiting, Raised: "2025-05-01"}, ids[4]), // 5: 东里镇's
		w.record(ledger.Project{Name: "跨镇示范", Year: 2025, Villages: []ledger.Code{lv[0], dv[0]}, Lead: "A-1", Group: "林果",
			Source: ledger.SourceCounty, State: ledger.ProjectApplied}, ids[5]), // 6: spans two townships
		w.record(ledger.Publicity{Title: "全县", Outlet: "沂源报", Date: "2025-04-02", Form: ledger.PublicityNews, Org: "370323"}, ids[6]), // 7: the county's
		w.record(ledger.Variety{Name: "烟富3号", Kind: ledger.VarietyBreed}, ids[7]),                                                     // 8: a registry
		w.record(ledger.Park{Name: "园区", County: "370323"}, ids[8]),                                                                   // 9
		w.record(ledger.ParkPairing{Park: park, Village: lv[0], From: "2025-01-01"}, ids[9]),                                          // 10
		w.record(ledger.Platform{Name: "驿站", Kind: ledger.PlatformStation, Level: ledger.LevelProvincial, State: ledger.PlatformRecognised,
			Date: "2025-01-01", Location: synctest.Lucun}, ids[10]), // 11
		w.record(moved, needID, "village"), // 12: moving need 1 to 东里镇
		w.record(ledger.Leader{Name: "李", Kind: "能人", Village: lv[0], Since: "2025-04-01"}, ids[12]),                               // 13: invalid kind
		w.record(ledger.Need{Village: lv[0], Problem: "x", Group: "林果", State: ledger.NeedWaiting, Raised: "2099-01-01"}, ids[13]), // 14: 2099
	}
	seqs := make([]uint64, len(recs))
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	send(t, c, protocol.Push{From: 1, To: uint64(len(recs)), Seqs: seqs, Records: recs})
	ack, ok := recv(t, c).(protocol.Ack)
	if !ok {
		t.Fatal("no ack")
	}
	want := map[uint64]protocol.Code{5: protocol.CodeOutOfScope, 6: protocol.CodeOutOfScope, 7: protocol.CodeOutOfScope,
		8: protocol.CodeOutOfScope, 9: protocol.CodeOutOfScope, 10: protocol.CodeOutOfScope, 11: protocol.CodeOutOfScope,
		12: protocol.CodeOutOfScope, 13: protocol.CodeInvalid, 14: protocol.CodeInvalid}
	got := map[uint64]protocol.Code{}
	for _, r := range ack.Refused {
		got[r.Seq] = r.Code
		if !strings.Contains(r.Message, ledger.KindName(r.Kind)) && r.Code == protocol.CodeOutOfScope {
			t.Errorf("refusal %d says %q", r.Seq, r.Message)
		}
	}
	if ack.Acked != uint64(len(recs)) || len(got) != len(want) {
		t.Fatalf("ack %+v", ack)
	}
	for seq, code := range want {
		if got[seq] != code {
			t.Errorf("record %d: %q, want %s", seq, got[seq], code)
		}
	}
	for i, id := range ids {
		_, err := h.Store.Record(id)
		if applied := err == nil; applied != (i < 4) {
			t.Errorf("record %d applied: %v (%v)", i+1, applied, err)
		}
	}
	if n, err := storage.Get[ledger.Need](h.Store, needID); err != nil || n.Village != lv[0] {
		t.Errorf("the need at the hub: %+v, %v", n, err)
	}

	// Who receives what: 东里镇 the registries and its pairing, nothing of 鲁村镇; the county and the
	// city everything of 鲁村镇.
	dongli := synctest.NewReplica(t, h.URL, h.Office("东里镇", synctest.Dongli), synctest.Dongli, "李强", storage.Options{})
	county := synctest.NewReplica(t, h.URL, h.Office("沂源县", "370323"), "370323", "孙丽", storage.Options{})
	for _, r := range []*synctest.Replica{dongli, county, city} {
		r.Sync()
	}
	for _, id := range ids[:4] {
		if _, err := dongli.Store.Record(id); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("东里镇 received 鲁村镇's %s", id)
		}
		for _, r := range []*synctest.Replica{county, city} {
			if _, err := r.Store.Record(id); err != nil {
				t.Errorf("%s lacks %s: %v", r.Store.Identity().Scope, id, err)
			}
		}
	}
	if vs := dongli.Store.Varieties(query.Varieties{}, nil); len(vs) != 1 || vs[0].ID != variety {
		t.Errorf("东里镇's registry: %+v", vs)
	}
	if ps := dongli.Store.ParkPairings(query.ParkPairings{}, nil); len(ps) != 1 {
		t.Errorf("东里镇's pairings: %+v", ps)
	}
	p := county.Store.Progress(2025, "370323", "2025-12-31", nil)
	if p.Needs.Raised != 1 || p.Leaders != 1 || p.Varieties.Count != 1 || p.Publicity != 1 || p.Varieties.Area != 12.5 {
		t.Errorf("the county counts %+v", p)
	}
}

// TestPreviousSchema: an office still on the previous version (record schema 1) says hello to an
// upgraded hub: it is told to upgrade, in words, before anything happens, and nothing it sends is
// applied; once on the new schema, the same office's push applies.
func TestPreviousSchema(t *testing.T) {
	t.Parallel()
	h := synctest.StartHub(t)
	tok := h.Office("鲁村镇", synctest.Lucun)
	w := &writer{replica: storage.NewID(), office: synctest.Lucun}
	head, _ := h.Store.Committed()
	old := hello(tok, w.replica)
	old.Schema = protocol.Schema - 1
	c := dial(t, h)
	send(t, c, old)
	m := recv(t, c)
	e, ok := m.(protocol.Error)
	if !ok || e.Code != protocol.CodeUpgrade || !strings.Contains(e.Message, "请安装新版本") ||
		!strings.Contains(e.Message, "schema 1; this hub has schema 2") {
		t.Fatalf("the previous version is told %#v", m)
	}
	expectClosed(t, c)
	if now, _ := h.Store.Committed(); now != head {
		t.Errorf("the hub's log moved from %d to %d", head, now)
	}

	c = dial(t, h)
	send(t, c, hello(tok, w.replica))
	welcome(t, c)
	id := storage.NewID()
	need := ledger.Need{Village: codes(t, synctest.Lucun)[0], Problem: "缺技术", Group: "粮食", State: ledger.NeedWaiting, Raised: "2025-05-01"}
	send(t, c, protocol.Push{From: 1, To: 1, Seqs: []uint64{1}, Records: []ledger.Record{w.record(need, id)}})
	if ack, ok := recv(t, c).(protocol.Ack); !ok || ack.Acked != 1 || len(ack.Refused) != 0 {
		t.Fatalf("after upgrading: %+v", ack)
	}
	if _, err := storage.Get[ledger.Need](h.Store, id); err != nil {
		t.Errorf("the need did not apply: %v", err)
	}
}
