package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"techaid/internal/memstat"
	"techaid/ledger"
	"techaid/query"
)

// cmdBench measures what a clerk waits for on a seeded store, in a fresh process: opening it (which
// rebuilds the in-memory indexes) and the queries behind the screens. It prints figures; it asserts
// nothing.
func cmdBench(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	n := fs.Int("n", 2000, "queries of each kind")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	before, _ := memstat.Self() // zeros off Linux
	start, cpu0 := time.Now(), cpuTime()
	s, err := c.open()
	if err != nil {
		return err
	}
	defer s.Close()
	opened, openCPU := time.Since(start), cpuTime()-cpu0
	runtime.GC()
	after, _ := memstat.Self()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st := s.Stats(nil)
	fmt.Fprintf(c.stdout, "store: %d villages, %d advisors, %d trainings, %d needs, %d projects, %d introductions, %d leaders, %d reports\n",
		st.Villages, st.Advisors, st.Trainings, st.Needs, st.Projects, st.Introductions, st.Leaders, st.Publicity)
	fmt.Fprintf(c.stdout, "open (index rebuild): %v (CPU %v); RSS %.1f MiB (peak %.1f MiB, before open %.1f MiB), Go heap %.1f MiB\n",
		opened.Round(time.Millisecond), openCPU.Round(time.Millisecond), memstat.MiB(after.RSS), memstat.MiB(after.Peak), memstat.MiB(before.Peak), memstat.MiB(int64(ms.HeapAlloc)))

	villages, _ := s.Villages(query.Villages{}, nil)
	if len(villages) == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(1, 2))
	year := ledger.DateOf(s.Clock().Today()).Year()
	measure := func(name string, fn func() int) {
		lat := make([]time.Duration, *n)
		rows := 0
		cpu := cpuTime()
		for i := range lat {
			t := time.Now()
			rows += fn()
			lat[i] = time.Since(t)
		}
		cpu = cpuTime() - cpu
		slices.Sort(lat)
		fmt.Fprintf(c.stdout, "%-44s p50 %8v  p99 %8v  max %8v  CPU %8v/query  (%.1f rows/query)\n", name,
			lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1], (cpu / time.Duration(*n)).Round(time.Microsecond), float64(rows)/float64(*n))
	}
	measure("trainings of a village in a 3-month range", func() int {
		v := villages[rng.IntN(len(villages))]
		m := 1 + rng.IntN(10)
		page, _ := s.Trainings(query.Trainings{Village: v.Code, Limit: 50,
			From: ledger.Date(fmt.Sprintf("%d-%02d-01", year, m)), To: ledger.Date(fmt.Sprintf("%d-%02d-31", year, m+2))}, nil)
		return len(page.Trainings)
	})
	measure("trainings of a township, first page of 50", func() int {
		v := villages[rng.IntN(len(villages))]
		page, _ := s.Trainings(query.Trainings{Under: v.Code.Township(), Limit: 50}, nil)
		return len(page.Trainings)
	})
	measure("village name-prefix search (type-ahead)", func() int {
		v := villages[rng.IntN(len(villages))]
		r := []rune(v.Name)
		return len(s.VillagesByName(string(r[:min(2, len(r))]), 10))
	})
	measure("village search by part of the name", func() int {
		v := villages[rng.IntN(len(villages))]
		r := []rune(v.Name)
		vs, _ := s.Villages(query.Villages{Search: string(r[len(r)/2:][:1]), Limit: 50}, nil)
		return len(vs)
	})
	measure("dashboard progress for the city", func() int {
		p := s.Progress(year, s.Identity().Scope, ledger.DateOf(s.Clock().Today()), nil)
		return len(p.Townships)
	})
	measure("dashboard progress for a county", func() int {
		p := s.Progress(year, villages[rng.IntN(len(villages))].Code.County(), ledger.DateOf(s.Clock().Today()), nil)
		return len(p.Townships)
	})
	measure("dashboard progress for a township", func() int {
		p := s.Progress(year, villages[rng.IntN(len(villages))].Code.Township(), ledger.DateOf(s.Clock().Today()), nil)
		return len(p.Townships)
	})
	page := query.List{Limit: 50}
	measure("needs, first page of 50", func() int { ns, _ := s.Needs(query.Needs{List: page}, nil); return len(ns) })
	measure("needs of a township, first page of 50", func() int {
		ns, _ := s.Needs(query.Needs{List: query.List{Under: villages[rng.IntN(len(villages))].Code.Township(), Limit: 50}}, nil)
		return len(ns)
	})
	measure("needs open over 30 days of a group", func() int {
		ns, _ := s.Needs(query.Needs{List: page, Older: 30, Group: ledger.Groups[rng.IntN(len(ledger.Groups))]}, nil)
		return len(ns)
	})
	measure("needs searched by a word", func() int {
		ns, _ := s.Needs(query.Needs{List: query.List{Search: "苹果", Limit: 50}}, nil)
		return len(ns)
	})
	measure("projects supported, first page of 50", func() int {
		ps, _ := s.Projects(query.Projects{List: page, Supported: true}, nil)
		return len(ps)
	})
	measure("introductions, first page of 50", func() int { is, _ := s.Introductions(query.Introductions{List: page}, nil); return len(is) })
	measure("leaders, first page of 50", func() int { ls, _ := s.Leaders(query.Leaders{List: page}, nil); return len(ls) })
	measure("publicity, first page of 50", func() int { ps, _ := s.PublicityList(query.Publicity{List: page}, nil); return len(ps) })
	measure("needs open over 30 days, the city's 调度 list", func() int {
		ns, _ := s.Needs(query.Needs{List: page, Older: 30}, nil)
		return len(ns)
	})
	measure("platforms", func() int { ps, _ := s.Platforms(query.Platforms{}, nil); return len(ps) })
	measure("varieties registry", func() int { return len(s.Varieties(query.Varieties{}, nil)) })
	measure("park pairings of the year", func() int { return len(s.ParkPairings(query.ParkPairings{Year: year}, nil)) })
	measure("variety texts the registry lacks (city)", func() int { return len(s.Unlinked(year, "")) })
	measure("variety type-ahead", func() int { return len(s.VarietiesByName("鲁", 10)) })
	return nil
}
