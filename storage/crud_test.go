package storage

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"techaid/ledger"
	"techaid/query"
)

// nonEmpty lists the fields of e that hold a value: what a create writes.
func nonEmpty(e ledger.Entity) []string {
	var out []string
	for name, v := range ledger.Values(e) {
		if v != "" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func auditNames(a query.Audit) []string {
	var out []string
	for _, f := range a.Fields {
		out = append(out, f.Name)
	}
	sort.Strings(out)
	return out
}

// withID returns e with its id set, as the store returns it.
func withID(e ledger.Entity, id string) ledger.Entity {
	switch r := e.(type) {
	case ledger.Village:
		r.Code = ledger.Code(id)
		return r
	case ledger.Advisor:
		r.ID = id
		return r
	case ledger.Training:
		r.ID = id
		return r
	case ledger.Assignment:
		r.ID = id
		return r
	}
	return e
}

// TestLifecycle creates, edits (Update and SetFields), deletes and restores one record of every kind, and
// checks the typed getters, the lists, History, Changes and Stats after every step.
func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, city, Options{})
	aid := mustCreate(t, s, advisor("王建国", "林果"))
	id := s.Identity()

	type kindCase struct {
		name   string
		create ledger.Entity
		// edit changes one field of a typed record, named by the string.
		edit func(ledger.Entity) (ledger.Entity, string)
		set  map[string]string // a SetFields edit
		get  func(id string) (ledger.Entity, error)
		// listed reports whether the record appears in its list query.
		listed func(id string) bool
		count  func(query.Stats) int
	}
	tests := []kindCase{
		{
			name:   "village",
			create: ledger.Village{Code: "370323102202", Name: "鲁村二村村委会", TownshipName: "鲁村镇", CountyName: "沂源县", Key: true, KeyYear: 2016, Households: 412},
			edit: func(e ledger.Entity) (ledger.Entity, string) {
				v := e.(ledger.Village)
				v.Households = 420
				return v, "households"
			},
			set: map[string]string{"secretary": "李书记", "secretary_phone": "13905331234"},
			get: func(id string) (ledger.Entity, error) {
				if _, err := Get[ledger.Village](s, id); err != nil {
					return nil, err
				}
				return s.Village(ledger.Code(id))
			},
			listed: func(id string) bool {
				vs, _ := s.Villages(query.Villages{Under: lucun}, nil)
				return slices.ContainsFunc(vs, func(v ledger.Village) bool { return string(v.Code) == id })
			},
			count: func(st query.Stats) int { return st.Villages },
		},
		{
			name:   "advisor",
			create: advisor("李秀英", "蔬菜"),
			edit: func(e ledger.Entity) (ledger.Entity, string) {
				a := e.(ledger.Advisor)
				a.Status = ledger.StatusAdjusting
				return a, "status"
			},
			set: map[string]string{"title": "高级农艺师", "expert": "true"},
			get: func(id string) (ledger.Entity, error) {
				if _, err := Get[ledger.Advisor](s, id); err != nil {
					return nil, err
				}
				return s.Advisor(id)
			},
			listed: func(id string) bool {
				return slices.ContainsFunc(s.Advisors(query.Advisors{}, nil), func(a ledger.Advisor) bool { return a.ID == id })
			},
			count: func(st query.Stats) int { return st.Advisors },
		},
		{
			name:   "training",
			create: training("2026-10-20", []ledger.Code{lucun1, wangcun}, []string{aid}),
			edit: func(e ledger.Entity) (ledger.Entity, string) {
				tr := e.(ledger.Training)
				tr.Attendees = 45
				return tr, "attendees"
			},
			set: map[string]string{"notes": "雨天改在村委会", "brochures": "80"},
			get: func(id string) (ledger.Entity, error) { return Get[ledger.Training](s, id) },
			listed: func(id string) bool {
				p, err := s.Trainings(query.Trainings{Village: wangcun}, nil)
				if err != nil {
					t.Fatal(err)
				}
				return slices.ContainsFunc(p.Trainings, func(tr ledger.Training) bool { return tr.ID == id })
			},
			count: func(st query.Stats) int { return st.Trainings },
		},
		{
			name:   "assignment",
			create: ledger.Assignment{Advisor: aid, Village: lucun1, From: "2025-03-01", Reason: "结对帮扶"},
			edit: func(e ledger.Entity) (ledger.Entity, string) {
				a := e.(ledger.Assignment)
				a.To = "2026-12-31"
				return a, "to"
			},
			set: map[string]string{"notes": "每月两次", "reason": "动态调整"},
			get: func(id string) (ledger.Entity, error) {
				a, err := Get[ledger.Assignment](s, id)
				if err != nil {
					return nil, err
				}
				for _, b := range s.Assignments(a.Village, "", "", nil) {
					if b.ID == id {
						return b, nil
					}
				}
				return nil, ErrNotFound
			},
			listed: func(id string) bool {
				return slices.ContainsFunc(s.Assignments("", aid, "", nil), func(a ledger.Assignment) bool { return a.ID == id })
			},
			count: func(st query.Stats) int { return st.Assignments },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind := tt.create.RecordKind()
			mustBe := func(step string, want ledger.Entity) {
				t.Helper()
				got, err := tt.get(want.RecordID())
				if err != nil {
					t.Fatalf("%s: get: %v", step, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: got %+v\nwant %+v", step, got, want)
				}
				if !tt.listed(want.RecordID()) {
					t.Errorf("%s: %s %s is not in its list", step, kind, want.RecordID())
				}
			}
			lastChange := func() Change {
				c := allChanges(t, s)
				return c[len(c)-1]
			}
			st0 := s.Stats(nil)

			// Create.
			rid := mustCreate(t, s, tt.create)
			cur := withID(tt.create, rid)
			mustBe("create", cur)
			st1 := s.Stats(nil)
			if tt.count(st1) != tt.count(st0)+1 || st1.Changes != st0.Changes+1 {
				t.Errorf("after create: count %d→%d, changes %d→%d", tt.count(st0), tt.count(st1), st0.Changes, st1.Changes)
			}
			rec, err := s.Record(rid)
			if err != nil {
				t.Fatal(err)
			}
			created := rec.Fields
			if names := slices.Sorted(maps.Keys(created)); !slices.Equal(names, nonEmpty(cur)) {
				t.Errorf("created fields %v, want the non-empty ones %v", names, nonEmpty(cur))
			}
			for name, f := range created {
				if f.Author != clerkName || f.Office != city || f.Replica != id.Replica || f.Stamp == 0 || !f.Prev.IsZero() {
					t.Errorf("field %s version %+v, want 张三, %s, %s, a stamp and no prev", name, f.Version, city, id.Replica)
				}
			}
			if h := mustHistory(t, s, rid); len(h) != 1 || h[0].Op != query.OpCreate || h[0].Author != clerkName ||
				!slices.Equal(auditNames(h[0]), nonEmpty(cur)) {
				t.Errorf("history after create: %+v", h)
			}
			if c := lastChange(); c.Kind != kind || c.ID != rid || !slices.Equal(slices.Sorted(slices.Values(c.Fields)), nonEmpty(cur)) ||
				!reflect.DeepEqual(c.Record.Fields, created) {
				t.Errorf("change after create: %+v", c)
			}
			if k, err := s.KindOf(rid); err != nil || k != kind {
				t.Errorf("KindOf(%s) = %v, %v", rid, k, err)
			}

			// Update changes exactly one field, and only that field gets a new version.
			next, field := tt.edit(cur)
			mustUpdate(t, s, cur, next)
			mustBe("update", next)
			rec, _ = s.Record(rid)
			for name, f := range created {
				if name != field && !rec.Fields[name].Same(f) {
					t.Errorf("update of %s rewrote %s: %+v → %+v", field, name, f, rec.Fields[name])
				}
			}
			if f := rec.Fields[field]; f.Value != ledger.Values(next)[field] || f.Stamp <= created[nonEmpty(cur)[0]].Stamp {
				t.Errorf("updated field %s = %+v", field, f)
			}
			h := mustHistory(t, s, rid)
			if last := h[len(h)-1]; len(h) != 2 || last.Op != query.OpUpdate || len(last.Fields) != 1 || last.Fields[0] !=
				(query.AuditField{Name: field, Old: ledger.Values(cur)[field], New: ledger.Values(next)[field]}) {
				t.Errorf("history after update: %+v", h)
			}
			if c := lastChange(); !slices.Equal(c.Fields, []string{field}) || len(c.Record.Fields) != 1 {
				t.Errorf("change after update: %+v, want only %s", c, field)
			}
			cur = next

			// An Update that changes nothing writes nothing.
			before := s.Stats(nil)
			mustUpdate(t, s, cur, cur)
			if after := s.Stats(nil); after.Changes != before.Changes || len(mustHistory(t, s, rid)) != 2 {
				t.Errorf("a no-op update wrote: changes %d→%d", before.Changes, after.Changes)
			}

			// SetFields.
			if err := s.SetFields(ctx, kind, rid, tt.set); err != nil {
				t.Fatalf("SetFields: %v", err)
			}
			want := cur
			vals := ledger.Values(cur)
			maps.Copy(vals, tt.set)
			e, _ := ledger.Decode(kind, rid, vals)
			want = e
			mustBe("set fields", want)
			if c := lastChange(); !slices.Equal(c.Fields, slices.Sorted(maps.Keys(tt.set))) {
				t.Errorf("change after SetFields: fields %v, want %v", c.Fields, slices.Sorted(maps.Keys(tt.set)))
			}
			cur = want
			before = s.Stats(nil)
			if err := s.SetFields(ctx, kind, rid, map[string]string{"colour": "red"}); err == nil || !strings.Contains(err.Error(), "colour") {
				t.Errorf("SetFields of an unknown field = %v, want an error naming it", err)
			}
			if err := s.SetFields(ctx, kind, "no-such-id", map[string]string{"notes": "x"}); !errors.Is(err, ErrNotFound) {
				t.Errorf("SetFields of an unknown record = %v, want ErrNotFound", err)
			}
			if after := s.Stats(nil); after.Changes != before.Changes {
				t.Errorf("refused SetFields wrote %d changes", after.Changes-before.Changes)
			}

			// Delete: gone from getters and lists, kept on disk with its history.
			if err := s.Delete(ctx, rid); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, err := tt.get(rid); !errors.Is(err, ErrNotFound) {
				t.Errorf("get after delete = %v, want ErrNotFound", err)
			}
			if tt.listed(rid) {
				t.Errorf("deleted %s still listed", kind)
			}
			if rec, err := s.Record(rid); err != nil || !rec.Deleted() {
				t.Errorf("Record after delete = %+v, %v; want the tombstoned record", rec, err)
			}
			if st := s.Stats(nil); tt.count(st) != tt.count(st0) {
				t.Errorf("count after delete = %d, want %d", tt.count(st), tt.count(st0))
			}
			h = mustHistory(t, s, rid)
			if last := h[len(h)-1]; last.Op != query.OpDelete || len(last.Fields) != 1 || last.Fields[0].New != "true" {
				t.Errorf("history after delete ends with %+v", last)
			}
			n := s.Stats(nil).Changes
			if err := s.Delete(ctx, rid); err != nil || s.Stats(nil).Changes != n {
				t.Errorf("deleting twice: %v, changes %d→%d", err, n, s.Stats(nil).Changes)
			}

			// Undelete brings back the last state.
			if err := s.Undelete(ctx, rid); err != nil {
				t.Fatalf("Undelete: %v", err)
			}
			mustBe("undelete", cur)
			if st := s.Stats(nil); tt.count(st) != tt.count(st0)+1 {
				t.Errorf("count after undelete = %d, want %d", tt.count(st), tt.count(st0)+1)
			}
			h = mustHistory(t, s, rid)
			if last := h[len(h)-1]; len(last.Fields) != 1 || last.Fields[0] != (query.AuditField{Name: "deleted", Old: "true", New: ""}) {
				t.Errorf("history after undelete ends with %+v", last)
			}
			ops := []string{}
			for _, a := range h {
				ops = append(ops, a.Op)
			}
			if want := []string{query.OpCreate, query.OpUpdate, query.OpUpdate, query.OpDelete, query.OpUpdate}; !slices.Equal(ops, want) {
				t.Errorf("history ops %v, want %v", ops, want)
			}
			for i := 1; i < len(h); i++ {
				if h[i].Stamp <= h[i-1].Stamp {
					t.Errorf("history not oldest first: %v then %v", h[i-1].Stamp, h[i].Stamp)
				}
			}
			checkConsistent(t, s)
		})
	}

	if _, err := Get[ledger.Training](s, "no-such-id"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of an unknown id = %v, want ErrNotFound", err)
	}
	if _, err := Get[ledger.Advisor](s, string(lucun1)); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get[Advisor] of a village code = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "no-such-id"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete of an unknown id = %v, want ErrNotFound", err)
	}
	if _, err := s.Create(ctx, ledger.Village{Code: lucun1, Name: "重复"}); err == nil {
		t.Error("creating a village that exists succeeded")
	}
}

// TestUpdateKeepsUntouchedFields: Update writes what the clerk changed on screen, not the whole record,
// so an edit that arrived meanwhile (by sync, or another clerk) in another field survives.
func TestUpdateKeepsUntouchedFields(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, city, Options{})
	aid := mustCreate(t, s, advisor("王建国", "林果"))
	id := mustCreate(t, s, training("2026-10-20", []ledger.Code{lucun1}, []string{aid}))
	onScreen := mustGet[ledger.Training](t, s, id)

	// Meanwhile the topic is corrected elsewhere.
	if err := s.SetFields(ctx, ledger.KindTraining, id, map[string]string{"topic": "苹果树冬剪与清园"}); err != nil {
		t.Fatal(err)
	}
	topic, _ := s.Record(id)

	edited := onScreen
	edited.Attendees = 52
	mustUpdate(t, s, onScreen, edited)

	got := mustGet[ledger.Training](t, s, id)
	if got.Topic != "苹果树冬剪与清园" || got.Attendees != 52 {
		t.Errorf("after the stale-screen update: topic %q, attendees %d; want both edits", got.Topic, got.Attendees)
	}
	rec, _ := s.Record(id)
	if !rec.Fields["topic"].Same(topic.Fields["topic"]) {
		t.Errorf("the topic got a new version: %+v", rec.Fields["topic"])
	}
	h := mustHistory(t, s, id)
	if last := h[len(h)-1]; !slices.Equal(auditNames(last), []string{"attendees"}) {
		t.Errorf("the update's audit entry lists %v, want [attendees]", auditNames(last))
	}
	changes := allChanges(t, s)
	if last := changes[len(changes)-1]; !slices.Equal(last.Fields, []string{"attendees"}) {
		t.Errorf("the update's change-log entry lists %v, want [attendees]", last.Fields)
	}

	// Blanking a field is an edit too.
	blanked := got
	blanked.Varieties = nil
	mustUpdate(t, s, got, blanked)
	if rec, _ := s.Record(id); rec.Fields["varieties"].Value != "" {
		t.Errorf("varieties = %q after blanking", rec.Fields["varieties"].Value)
	}
	if err := s.Update(ctx, got, ledger.Training{ID: "other"}); err == nil {
		t.Error("Update with before and after of different records succeeded")
	}
}

func TestImportResult(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, yiyuan, Options{})
	villages := sampleVillages(t)
	var in []ledger.Entity
	for _, v := range villages {
		in = append(in, v)
	}
	// Again: nothing changes. With a household count added and a bad row: one updated, one rejected.
	res, err := s.Import(ctx, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Unchanged != 20 || res.Created != 0 || res.Updated != 0 || len(res.Rejected) != 20 {
		t.Errorf("re-import: %+v, want 20 unchanged and the 20 of 高青县 rejected", res)
	}
	v := villages[25]
	v.Households = 300
	bad := ledger.Village{Code: "370323102299", Name: "", TownshipName: "鲁村镇"}
	var done []int
	changes := s.Stats(nil).Changes
	res, err = s.Import(ctx, []ledger.Entity{v, bad}, func(n int) { done = append(done, n) })
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 1 || len(res.Rejected) != 1 || res.Rejected[0].Row != 2 || !errors.Is(res.Rejected[0].Err, ledger.ErrInvalid) {
		t.Errorf("import of an edit and a bad row: %+v", res)
	}
	if !slices.Equal(done, []int{2}) {
		t.Errorf("progress calls %v, want [2]", done)
	}
	if got := s.Stats(nil).Changes; got != changes+1 {
		t.Errorf("import wrote %d changes, want 1", got-changes)
	}
	// An import never blanks a field the input leaves empty.
	v.Households = 0
	if _, err := s.Import(ctx, []ledger.Entity{v}, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Village(v.Code); got.Households != 300 {
		t.Errorf("import with an empty households blanked it: %d", got.Households)
	}
	if h := mustHistory(t, s, string(v.Code)); h[0].Op != query.OpImport {
		t.Errorf("first history entry of an imported village: %+v", h[0])
	}
}

// TestImportLarge imports more trainings than one import transaction holds, with long free text, the
// way a county's spreadsheet of a year's work arrives.
func TestImportLarge(t *testing.T) {
	t.Parallel()
	// Free text of these lengths puts the record and its audit entry below and above Badger's value
	// threshold (1 KiB), which decides how much of the transaction limit each one uses: below it, 2,000
	// trainings do not fit in one transaction.
	for _, chars := range []int{150, 2000} {
		t.Run(fmt.Sprint(chars, " characters of content"), func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, city, Options{})
			var aids []string
			for i := range 5 {
				aids = append(aids, mustCreate(t, s, advisor("王"+string(rune('甲'+i)), "林果")))
			}
			codes := sampleCodes(t)
			var in []ledger.Entity
			for i := range 1200 {
				tr := training(ledger.DateOf(baseWall.AddDate(0, 0, -i%600)),
					[]ledger.Code{codes[i%40], codes[(i+7)%40], codes[(i+13)%40]}, aids[:1+i%5])
				tr.Content = strings.Repeat("讲", chars)
				in = append(in, tr)
			}
			res, err := s.Import(ctx, in, nil)
			if err != nil {
				t.Fatalf("Import of %d trainings: %v", len(in), err)
			}
			if res.Created != len(in) || len(res.Rejected) != 0 {
				t.Errorf("Import: %+v", res)
			}
			if n, _ := s.CountTrainings(query.Trainings{}); n != len(in) {
				t.Errorf("CountTrainings = %d, want %d", n, len(in))
			}
			checkConsistent(t, s)
		})
	}
}

func TestVillageQueries(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, city, Options{})
	villages := sampleVillages(t)
	sort.Slice(villages, func(i, j int) bool { return villages[i].Code < villages[j].Code })
	key := map[ledger.Code]bool{}
	for i, v := range villages {
		if i%3 == 0 {
			key[v.Code] = true
			if err := s.SetFields(ctx, ledger.KindVillage, string(v.Code), map[string]string{"key": "true", "key_year": "2016"}); err != nil {
				t.Fatal(err)
			}
			villages[i].Key, villages[i].KeyYear = true, 2016
		}
	}
	// One village deleted: never listed, never counted.
	gone := villages[7]
	if err := s.Delete(ctx, string(gone.Code)); err != nil {
		t.Fatal(err)
	}
	var live []ledger.Village
	for _, v := range villages {
		if v.Code != gone.Code {
			live = append(live, v)
		}
	}
	filter := func(f func(ledger.Village) bool) []ledger.Village {
		var out []ledger.Village
		for _, v := range live {
			if f(v) {
				out = append(out, v)
			}
		}
		return out
	}
	under := func(c ledger.Code) func(ledger.Village) bool {
		return func(v ledger.Village) bool { return c.Contains(v.Code) }
	}
	tests := []struct {
		name  string
		q     query.Villages
		want  []ledger.Village // before Offset and Limit
		page  [2]int           // the slice of want expected, [0,0] for all
		total int
	}{
		{"all", query.Villages{}, live, [2]int{}, 39},
		{"city", query.Villages{Under: city}, live, [2]int{}, 39},
		{"county 高青县", query.Villages{Under: gaoqing}, filter(under(gaoqing)), [2]int{}, 19},
		{"county 沂源县", query.Villages{Under: yiyuan}, filter(under(yiyuan)), [2]int{}, 20},
		{"township 鲁村镇", query.Villages{Under: lucun}, filter(under(lucun)), [2]int{}, 2},
		{"key villages", query.Villages{KeyOnly: true}, filter(func(v ledger.Village) bool { return v.Key }), [2]int{}, len(key)},
		{"key villages of 沂源县", query.Villages{Under: yiyuan, KeyOnly: true},
			filter(func(v ledger.Village) bool { return v.Key && yiyuan.Contains(v.Code) }), [2]int{}, -1},
		{"key villages of 鲁村镇", query.Villages{Under: lucun, KeyOnly: true},
			filter(func(v ledger.Village) bool { return v.Key && lucun.Contains(v.Code) }), [2]int{}, -1},
		{"name part", query.Villages{Search: "大"}, filter(func(v ledger.Village) bool { return strings.Contains(v.Name, "大") }), [2]int{}, -1},
		{"name part with spaces", query.Villages{Search: " 石臼 "}, filter(func(v ledger.Village) bool { return strings.Contains(v.Name, "石臼") }), [2]int{}, 2},
		{"code start", query.Villages{Search: "370323102"}, filter(under(lucun)), [2]int{}, 2},
		{"name part in a county", query.Villages{Under: gaoqing, Search: "村委会"},
			filter(func(v ledger.Village) bool { return gaoqing.Contains(v.Code) && strings.Contains(v.Name, "村委会") }), [2]int{}, -1},
		{"no match", query.Villages{Search: "不存在"}, nil, [2]int{}, 0},
		{"second page", query.Villages{Offset: 5, Limit: 7}, live, [2]int{5, 12}, 39},
		{"last page", query.Villages{Offset: 35, Limit: 7}, live, [2]int{35, 39}, 39},
		{"past the end", query.Villages{Offset: 50, Limit: 7}, live, [2]int{39, 39}, 39},
		{"page of a county", query.Villages{Under: yiyuan, Offset: 18, Limit: 5}, filter(under(yiyuan)), [2]int{18, 20}, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if tt.page != [2]int{} {
				want = want[tt.page[0]:tt.page[1]]
			}
			if len(want) == 0 {
				want = nil
			}
			got, total := s.Villages(tt.q, nil)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Villages(%+v) = %d villages %v\nwant %d %v", tt.q, len(got), codesOf(got), len(want), codesOf(want))
			}
			wantTotal := tt.total
			if wantTotal < 0 {
				wantTotal = len(tt.want)
			}
			if total != wantTotal || total != len(tt.want) {
				t.Errorf("Villages(%+v) total = %d, want %d", tt.q, total, wantTotal)
			}
		})
	}

	t.Run("type-ahead", func(t *testing.T) {
		for _, tt := range []struct {
			prefix string
			limit  int
		}{{"大", 10}, {"大", 2}, {"东", 10}, {"刘家", 5}, {"无", 5}, {"", 3}} {
			var want []ledger.Village
			for _, v := range live {
				if strings.HasPrefix(v.Name, tt.prefix) {
					want = append(want, v)
				}
			}
			sort.SliceStable(want, func(i, j int) bool { return want[i].Name < want[j].Name })
			want = want[:min(tt.limit, len(want))]
			if len(want) == 0 {
				want = nil
			}
			if got := s.VillagesByName(tt.prefix, tt.limit); !reflect.DeepEqual(got, want) {
				t.Errorf("VillagesByName(%q, %d) = %v, want %v", tt.prefix, tt.limit, namesOf(got), namesOf(want))
			}
		}
		if got := s.VillagesByName(gone.Name, 5); len(got) != 0 {
			t.Errorf("type-ahead offers the deleted village %s", gone.Name)
		}
	})
}

func codesOf(vs []ledger.Village) []ledger.Code {
	var out []ledger.Code
	for _, v := range vs {
		out = append(out, v.Code)
	}
	return out
}

func namesOf(vs []ledger.Village) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

func TestAdvisorQueries(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, city, Options{})
	type row struct {
		name, group, status, phone, employer string
		expert                               bool
	}
	rows := []row{
		{"王建国", "林果", ledger.StatusActive, "13905331111", "淄博市农业科学研究院", true},
		{"李秀英", "蔬菜", ledger.StatusActive, "13905332222", "沂源县农业农村局", false},
		{"王芳", "林果", ledger.StatusAdjusting, "0533-3221234", "沂源县果树站", false},
		{"张伟", "畜牧", ledger.StatusLeft, "13905334444", "高青县畜牧站", true},
		{"赵丽", "粮食", ledger.StatusActive, "13905335555", "山东理工大学", false},
		{"王强", "水产", ledger.StatusActive, "13905336666", "高青县水产站", true},
	}
	var all []ledger.Advisor
	for _, r := range rows {
		a := advisor(r.name, r.group)
		a.Status, a.Phone, a.Employer, a.Expert = r.status, r.phone, r.employer, r.expert
		a.ID = mustCreate(t, s, a)
		all = append(all, a)
	}
	gone := mustCreate(t, s, advisor("王已删", "林果"))
	if err := s.Delete(ctx, gone); err != nil {
		t.Fatal(err)
	}
	byName := slices.Clone(all)
	sort.SliceStable(byName, func(i, j int) bool { return byName[i].Name < byName[j].Name })
	filter := func(f func(ledger.Advisor) bool) []string {
		var out []string
		for _, a := range byName {
			if f(a) {
				out = append(out, a.Name)
			}
		}
		return out
	}
	tests := []struct {
		name string
		q    query.Advisors
		want []string
	}{
		{"all, by name", query.Advisors{}, filter(func(ledger.Advisor) bool { return true })},
		{"group", query.Advisors{Group: "林果"}, []string{"王建国", "王芳"}},
		{"empty group", query.Advisors{Group: "经济作物"}, nil},
		{"status", query.Advisors{Status: ledger.StatusActive}, filter(func(a ledger.Advisor) bool { return a.Status == ledger.StatusActive })},
		{"group and status", query.Advisors{Group: "林果", Status: ledger.StatusAdjusting}, []string{"王芳"}},
		{"experts", query.Advisors{ExpertOnly: true}, filter(func(a ledger.Advisor) bool { return a.Expert })},
		{"name part", query.Advisors{Search: "王"}, filter(func(a ledger.Advisor) bool { return strings.Contains(a.Name, "王") })},
		{"phone part", query.Advisors{Search: "3221234"}, []string{"王芳"}},
		{"employer part", query.Advisors{Search: "高青县"}, filter(func(a ledger.Advisor) bool { return strings.Contains(a.Employer, "高青县") })},
		{"search and group", query.Advisors{Search: "王", Group: "水产"}, []string{"王强"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, a := range s.Advisors(tt.q, nil) {
				got = append(got, a.Name)
			}
			want := tt.want
			if tt.q.Group != "" && tt.q.Search == "" && tt.q.Status == "" {
				sort.Strings(want) // within a group the order is by name too
			}
			if !slices.Equal(got, want) {
				t.Errorf("Advisors(%+v) = %v, want %v", tt.q, got, want)
			}
		})
	}
	got := s.AdvisorsByName("王", 2)
	if len(got) != 2 || got[0].Name != byName[slices.IndexFunc(byName, func(a ledger.Advisor) bool { return strings.HasPrefix(a.Name, "王") })].Name {
		t.Errorf("AdvisorsByName(王, 2) = %+v", got)
	}
	if a, err := s.Advisor(all[2].ID); err != nil || !reflect.DeepEqual(a, all[2]) {
		t.Errorf("Advisor(%s) = %+v, %v; want %+v", all[2].ID, a, err, all[2])
	}
	if _, err := s.Advisor(gone); !errors.Is(err, ErrNotFound) {
		t.Errorf("Advisor of a deleted advisor = %v", err)
	}
}

func TestAssignmentQueries(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, city, Options{})
	a1 := mustCreate(t, s, advisor("王建国", "林果"))
	a2 := mustCreate(t, s, advisor("李秀英", "蔬菜"))
	// 鲁村一村 was served by 王建国 until 2025-12-31, then by 李秀英 (a dynamic adjustment).
	p1 := mustCreate(t, s, ledger.Assignment{Advisor: a1, Village: lucun1, From: "2024-03-01", To: "2025-12-31"})
	p2 := mustCreate(t, s, ledger.Assignment{Advisor: a2, Village: lucun1, From: "2026-01-01", Reason: "原指导员调整"})
	p3 := mustCreate(t, s, ledger.Assignment{Advisor: a1, Village: wangcun, From: "2026-01-01"})
	p4 := mustCreate(t, s, ledger.Assignment{Advisor: a2, Village: taisun, From: "2025-01-01"})
	if err := s.Delete(ctx, p4); err != nil {
		t.Fatal(err)
	}
	ids := func(as []ledger.Assignment) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	tests := []struct {
		name    string
		village ledger.Code
		advisor string
		on      ledger.Date
		want    []string
	}{
		{"all", "", "", "", []string{p1, p2, p3}},
		{"village", lucun1, "", "", []string{p1, p2}},
		{"village on a day in 2025", lucun1, "", "2025-06-01", []string{p1}},
		{"village on its last day", lucun1, "", "2025-12-31", []string{p1}},
		{"village on a day in 2026", lucun1, "", "2026-06-01", []string{p2}},
		{"advisor", "", a1, "", []string{p1, p3}},
		{"advisor in 2026", "", a1, "2026-06-01", []string{p3}},
		{"all in 2026", "", "", "2026-06-01", []string{p2, p3}},
		{"deleted only", taisun, "", "", nil},
		{"before any", "", "", "2020-01-01", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(s.Assignments(tt.village, tt.advisor, tt.on, nil))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Assignments(%q, %q, %q) = %v, want %v", tt.village, tt.advisor, tt.on, got, tt.want)
			}
		})
	}
}

// trainingFixture is a city store with advisors and trainings of known dates, villages and kinds.
type trainingFixture struct {
	s         *Store
	advisors  []string
	trainings map[string]ledger.Training // live ones, by id
}

func newTrainingFixture(t *testing.T, n int) *trainingFixture {
	t.Helper()
	ctx := context.Background()
	s := newStore(t, city, Options{})
	f := &trainingFixture{s: s, trainings: map[string]ledger.Training{}}
	for i := range 4 {
		f.advisors = append(f.advisors, mustCreate(t, s, advisor("王"+string(rune('甲'+i)), ledger.Groups[i])))
	}
	codes := sampleCodes(t)
	var in []ledger.Entity
	for i := range n {
		// Dates repeat (several trainings a day) and cross the year; villages repeat; kinds cycle.
		date := ledger.DateOf(time.Date(2025, 10, 1, 0, 0, 0, 0, ledger.China).AddDate(0, 0, (i*7)%150))
		villages := []ledger.Code{codes[i%40]}
		if i%4 == 0 {
			villages = append(villages, codes[(i+21)%40])
		}
		tr := training(date, villages, []string{f.advisors[(i/3)%4]})
		if i%6 == 0 {
			tr.Advisors = append(tr.Advisors, f.advisors[(i+1)%4])
		}
		tr.Kind = ledger.TrainingKinds[i%len(ledger.TrainingKinds)]
		tr.Attendees = i % 90
		tr.PoorAttendees = 0
		in = append(in, tr)
	}
	if _, err := s.Import(ctx, in, nil); err != nil {
		t.Fatal(err)
	}
	page, err := s.Trainings(query.Trainings{Limit: n + 1}, nil)
	if err != nil || len(page.Trainings) != n {
		t.Fatalf("listing all %d trainings: %d, %v", n, len(page.Trainings), err)
	}
	// Delete every tenth: they must vanish from every list and count.
	for i, tr := range page.Trainings {
		if i%10 == 3 {
			if err := s.Delete(ctx, tr.ID); err != nil {
				t.Fatal(err)
			}
			continue
		}
		f.trainings[tr.ID] = tr
	}
	return f
}

func (f *trainingFixture) want(match func(ledger.Training) bool) map[string]bool {
	out := map[string]bool{}
	for id, tr := range f.trainings {
		if match(tr) {
			out[id] = true
		}
	}
	return out
}

func TestTrainingQueries(t *testing.T) {
	f := newTrainingFixture(t, 300)
	s := f.s
	a0, a1 := f.advisors[0], f.advisors[1]
	tests := []struct {
		name  string
		q     query.Trainings
		match func(ledger.Training) bool
	}{
		{"all", query.Trainings{}, func(ledger.Training) bool { return true }},
		{"village (primary or not)", query.Trainings{Village: wangcun}, func(tr ledger.Training) bool { return slices.Contains(tr.Villages, wangcun) }},
		{"advisor", query.Trainings{Advisor: a1}, func(tr ledger.Training) bool { return slices.Contains(tr.Advisors, a1) }},
		{"under a county", query.Trainings{Under: gaoqing}, func(tr ledger.Training) bool { return gaoqing.Contains(tr.Village()) }},
		{"under a township, a date range", query.Trainings{Under: lucun, From: "2025-11-01", To: "2026-01-31"},
			func(tr ledger.Training) bool {
				return lucun.Contains(tr.Village()) && tr.Date >= "2025-11-01" && tr.Date <= "2026-01-31"
			}},
		{"date range", query.Trainings{From: "2025-12-01", To: "2025-12-31"}, func(tr ledger.Training) bool { return tr.Date >= "2025-12-01" && tr.Date <= "2025-12-31" }},
		{"from only", query.Trainings{From: "2026-02-01"}, func(tr ledger.Training) bool { return tr.Date >= "2026-02-01" }},
		{"to only", query.Trainings{To: "2025-10-15"}, func(tr ledger.Training) bool { return tr.Date <= "2025-10-15" }},
		{"kind", query.Trainings{Kind: ledger.TrainingSurvey}, func(tr ledger.Training) bool { return tr.Kind == ledger.TrainingSurvey }},
		{"kind under a county in a range", query.Trainings{Kind: ledger.TrainingOnSite, Under: yiyuan, From: "2025-11-01", To: "2026-02-28"},
			func(tr ledger.Training) bool {
				return tr.Kind == ledger.TrainingOnSite && yiyuan.Contains(tr.Village()) && tr.Date >= "2025-11-01" && tr.Date <= "2026-02-28"
			}},
		{"village and a range", query.Trainings{Village: lucun1, From: "2025-10-01", To: "2025-12-31"},
			func(tr ledger.Training) bool {
				return slices.Contains(tr.Villages, lucun1) && tr.Date <= "2025-12-31"
			}},
		{"advisor under a county", query.Trainings{Advisor: a0, Under: yiyuan}, func(tr ledger.Training) bool {
			return slices.Contains(tr.Advisors, a0) && yiyuan.Contains(tr.Village())
		}},
		{"village and advisor", query.Trainings{Village: lucun1, Advisor: a1}, func(tr ledger.Training) bool {
			return slices.Contains(tr.Villages, lucun1) && slices.Contains(tr.Advisors, a1)
		}},
		{"village and kind", query.Trainings{Village: wangcun, Kind: ledger.TrainingCourse}, func(tr ledger.Training) bool {
			return slices.Contains(tr.Villages, wangcun) && tr.Kind == ledger.TrainingCourse
		}},
		{"empty range", query.Trainings{From: "2024-01-01", To: "2024-12-31"}, func(ledger.Training) bool { return false }},
		{"unknown village", query.Trainings{Village: "370323102299"}, func(ledger.Training) bool { return false }},
	}
	for _, tt := range tests {
		for _, oldest := range []bool{false, true} {
			for _, limit := range []int{7, 1000} {
				q := tt.q
				q.Oldest, q.Limit = oldest, limit
				name := tt.name
				if oldest {
					name += ", oldest first"
				}
				if limit < 1000 {
					name += ", pages of 7"
				}
				t.Run(name, func(t *testing.T) {
					want := f.want(tt.match)
					pages := allPages(t, s, q)
					seen := map[string]int{}
					var dates []ledger.Date
					for i, p := range pages {
						if len(p.Trainings) > q.Limit {
							t.Errorf("page %d has %d trainings, limit %d", i, len(p.Trainings), q.Limit)
						}
						if i < len(pages)-1 && len(p.Trainings) != q.Limit {
							t.Errorf("page %d of %d has %d trainings, want a full page of %d", i, len(pages), len(p.Trainings), q.Limit)
						}
						for _, tr := range p.Trainings {
							seen[tr.ID]++
							dates = append(dates, tr.Date)
							if !reflect.DeepEqual(tr, f.trainings[tr.ID]) {
								t.Errorf("listed %+v, stored %+v", tr, f.trainings[tr.ID])
							}
						}
					}
					if len(pages) > 1 && len(pages[len(pages)-1].Trainings) == 0 {
						t.Errorf("the last of %d pages is empty: Next was set on a page with nothing after it", len(pages))
					}
					for id, n := range seen {
						if n != 1 || !want[id] {
							t.Errorf("training %s listed %d times (wanted: %v)", id, n, want[id])
						}
					}
					if len(seen) != len(want) {
						t.Errorf("%d trainings listed, want %d", len(seen), len(want))
					}
					sorted := slices.IsSorted(dates)
					if !oldest {
						sorted = slices.IsSortedFunc(dates, func(a, b ledger.Date) int { return strings.Compare(string(b), string(a)) })
					}
					if !sorted {
						t.Errorf("dates not in order (oldest first %v): %v", oldest, dates)
					}
					n, err := s.CountTrainings(q)
					if err != nil || n != len(want) {
						t.Errorf("CountTrainings = %d, %v; want %d", n, err, len(want))
					}
				})
			}
		}
	}

	if _, err := s.Trainings(query.Trainings{After: "zz"}, nil); err == nil {
		t.Error("a malformed cursor was accepted")
	}
	p, _ := s.Trainings(query.Trainings{Village: lucun1, Limit: 2}, nil)
	if _, err := s.Trainings(query.Trainings{Advisor: a0, After: p.Next}, nil); err == nil {
		t.Error("a cursor of another query was accepted")
	}
}

// TestTrainingPagesExact: when the matches fill the last page exactly, that page says there is no next.
func TestTrainingPagesExact(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, city, Options{})
	var ids []string
	for i := range 12 {
		ids = append(ids, mustCreate(t, s, training(ledger.DateOf(baseWall.AddDate(0, 0, -i)), []ledger.Code{lucun1}, nil)))
	}
	for _, q := range []query.Trainings{{Limit: 4}, {Limit: 4, Oldest: true}, {Village: lucun1, Limit: 4}, {Under: lucun, Limit: 6}} {
		pages := allPages(t, s, q)
		if want := 12 / q.Limit; len(pages) != want {
			t.Errorf("%+v: %d pages, want %d (the last full page must have no Next)", q, len(pages), want)
		}
	}
	// With a deleted training at the very end, the last page is still the last.
	if err := s.Delete(ctx, ids[11]); err != nil {
		t.Fatal(err)
	}
	p, err := s.Trainings(query.Trainings{Limit: 11}, nil)
	if err != nil || len(p.Trainings) != 11 || p.Next != "" {
		t.Errorf("11 live trainings in a page of 11: %d, next %q, %v", len(p.Trainings), p.Next, err)
	}
}

func TestServiceDays(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, city, Options{})
	a := mustCreate(t, s, advisor("王建国", "林果"))
	b := mustCreate(t, s, advisor("李秀英", "蔬菜"))
	for _, d := range []struct {
		date     ledger.Date
		advisors []string
	}{
		{"2026-03-01", []string{a}},
		{"2026-03-01", []string{a, b}}, // the same day twice: one service day
		{"2026-03-02", []string{b, a}},
		{"2026-04-10", []string{a}},
		{"2025-12-31", []string{a}},
		{"2026-05-05", []string{b}},
	} {
		mustCreate(t, s, training(d.date, []ledger.Code{lucun1}, d.advisors))
	}
	gone := mustCreate(t, s, training("2026-06-06", []ledger.Code{lucun1}, []string{a}))
	if err := s.Delete(ctx, gone); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		advisor  string
		from, to ledger.Date
		want     int
	}{
		{a, "2026-01-01", "2026-12-31", 3},
		{a, "2025-01-01", "2026-12-31", 4},
		{a, "2026-03-01", "2026-03-01", 1},
		{a, "2026-03-02", "2026-04-10", 2},
		{a, "", "", 4},
		{b, "2026-01-01", "2026-12-31", 3},
		{b, "2026-06-01", "2026-12-31", 0},
		{"nobody", "", "", 0},
	}
	for _, tt := range tests {
		if got, err := s.ServiceDays(tt.advisor, tt.from, tt.to); err != nil || got != tt.want {
			t.Errorf("ServiceDays(%s, %s, %s) = %d, %v; want %d", tt.advisor, tt.from, tt.to, got, err, tt.want)
		}
	}
}
