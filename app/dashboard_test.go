package app

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/storage"
)

// bar is the progress bar of the dashboard line labelled label; nil if none.
func bar(d *dashboardTab, label string) *widget.ProgressBar {
	objs := d.bars.Objects
	for i := 0; i+1 < len(objs); i += 2 {
		if l, ok := objs[i].(*widget.Label); ok && l.Text == label {
			b, _ := objs[i+1].(*widget.ProgressBar)
			return b
		}
	}
	return nil
}

func barText(d *dashboardTab, label string) string {
	if b := bar(d, label); b != nil && b.TextFormatter != nil {
		return b.TextFormatter()
	}
	return ""
}

// dashboardCell is column col of the per-township table's row for town; "" if there is none.
func dashboardCell(d *dashboardTab, town string, col int) string {
	for _, r := range d.rows {
		if r[0] == town {
			return r[col]
		}
	}
	return ""
}

// keyVillages marks two villages of 鲁村镇 as key villages. The share of the city's targets is then
// 2/474: 2,000 attendees × 2 / 474 = 8.4, so 9; 20 activities × 2 / 474 = 0.08, so 1.
func keyVillages(t *testing.T, st *storage.Store) (wang, lucun1 ledger.Village) {
	t.Helper()
	for _, name := range []string{"王村村委会", "鲁村一村村委会"} {
		v := mustVillage(t, st, name)
		after := v
		after.Key, after.KeyYear = true, 2024
		if err := st.Update(context.Background(), v, after); err != nil {
			t.Fatal(err)
		}
	}
	return mustVillage(t, st, "王村村委会"), mustVillage(t, st, "鲁村一村村委会")
}

// someTrainings are two of this year's trainings and one of last year's.
func someTrainings(t *testing.T, st *storage.Store, wang, lucun1 ledger.Village) {
	t.Helper()
	for _, tr := range []ledger.Training{
		{Kind: ledger.TrainingCourse, Date: "2026-03-10", Villages: []ledger.Code{wang.Code}, Topic: "春季管理", Attendees: 3, Brochures: 10},
		{Kind: ledger.TrainingSurvey, Date: "2026-04-02", Villages: []ledger.Code{lucun1.Code, wang.Code}, Topic: "需求调研", Attendees: 2},
		{Kind: ledger.TrainingCourse, Date: "2025-12-30", Villages: []ledger.Code{wang.Code}, Topic: "去年的", Attendees: 100},
	} {
		if _, err := st.Create(context.Background(), tr); err != nil {
			t.Fatal(err)
		}
	}
}

func checkRows(t *testing.T, got, want [][]string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("table rows\n %v\nwant\n %v", got, want)
	}
}

// TestDashboard: in a township office the 培训农民 line sums this year's attendees against the
// township's share of the city target (pro-rated by its key villages), and the table has a row per
// village with trainings.
func TestDashboard(t *testing.T) {
	st := townStore(t, baseWall)
	wang, lucun1 := keyVillages(t, st)
	h := newHarness(t, st)
	dt := h.u.dashboard
	h.u.Show("目标进度")
	h.eventually("the dashboard shows the targets", func() bool { return barText(dt, "培训农民") == "0 / 9 人次  0%" })
	if want := "本单位有省定重点村 2 个，目标按全市 474 个重点村折算。"; !strings.HasPrefix(dt.note.Text, want) {
		t.Errorf("note %q, want it to start %q", dt.note.Text, want)
	}
	if len(dt.rows) != 0 {
		t.Errorf("table rows before any training: %v", dt.rows)
	}

	someTrainings(t, st, wang, lucun1)
	h.eventually("培训农民 sums this year's attendees", func() bool { return barText(dt, "培训农民") == "5 / 9 人次  55%" })
	if b := bar(dt, "培训农民"); math.Abs(b.Value-5.0/9) > 1e-9 {
		t.Errorf("培训农民 bar at %v, want 5/9", b.Value)
	}
	if got := barText(dt, "开展活动"); got != "2 次，已超额完成（目标 1）" {
		t.Errorf("开展活动 reads %q", got)
	}
	if b := bar(dt, "开展活动"); b.Value != 1 {
		t.Errorf("开展活动 bar at %v, want full", b.Value)
	}
	if got := barText(dt, "重点村已到村服务"); got != "2 / 2 个村  100%" {
		t.Errorf("重点村已到村服务 reads %q", got)
	}
	// A training counts for its first village; a visit for every village it lists.
	checkRows(t, dt.rows, [][]string{
		{"鲁村一村村委会", "1", "2", "0", "0", "1", "1"},
		{"王村村委会", "1", "3", "10", "0", "1", "2"},
	})

	// Last year's figures are a pick away.
	h.pick(dt.year, "2025")
	h.eventually("2025 shows last year's attendees", func() bool { return barText(dt, "培训农民") == "100 人次，已超额完成（目标 9）" })
}

// TestDashboardCounty: a county office's table has a row per township.
func TestDashboardCounty(t *testing.T) {
	st := openStore(t, baseWall)
	if err := st.Init(yiyuan, clerkName); err != nil {
		t.Fatal(err)
	}
	var seeds []ledger.Entity
	for _, d := range townDivisions(lucun) {
		seeds = append(seeds, d.Record())
	}
	if _, err := st.Import(context.Background(), seeds, nil); err != nil {
		t.Fatal(err)
	}
	wang, lucun1 := keyVillages(t, st)
	someTrainings(t, st, wang, lucun1)
	h := newHarness(t, st)
	dt := h.u.dashboard
	h.eventually("the township row", func() bool { return len(dt.rows) == 1 })
	checkRows(t, dt.rows, [][]string{{"鲁村镇", "2", "5", "10", "0", "2", "3"}})
	if got := barText(dt, "培训农民"); got != "5 / 9 人次  55%" {
		t.Errorf("培训农民 reads %q", got)
	}
}
