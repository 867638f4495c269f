package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"techaid/ledger"
	"techaid/storage"
)

// cmdSeed fills a store with villages from a division list and made-up advisors, assignments, trainings
// and the rest of the programme (needs, projects, varieties and their introductions, leaders,
// publicity, parks and their pairings, platforms), shaped like the programme's: for demos, screenshots
// and benchmarks.
func cmdSeed(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	file := fs.String("villages", "", "division list CSV (columns of zibo_divisions.csv)")
	nAdvisors := fs.Int("advisors", 300, "advisors to make (needs a city-scope store)")
	nTrainings := fs.Int("trainings", 100000, "trainings to make")
	year := fs.Int("year", 0, "year of the trainings (default this year, up to yesterday)")
	seed := fs.Uint64("rand", 1, "random seed")
	photos := fs.Int("photos", 0, "evidence photos to attach, five to a training (each a distinct 1600×1200 JPEG of ~300 KB)")
	// The rest of the programme scales with the trainings unless given: 100,000 trainings come with
	// 10,000 needs, 1,000 projects, 5,000 introductions, 1,000 leaders and 333 reports.
	sizes := ledger.SampleSizes{Needs: -1, Projects: -1, Introductions: -1, Leaders: -1, Publicity: -1}
	fs.IntVar(&sizes.Needs, "needs", -1, "needs to make, with the registry, the parks and the platforms (default trainings/10)")
	fs.IntVar(&sizes.Projects, "projects", -1, "projects to make (default trainings/100)")
	fs.IntVar(&sizes.Introductions, "introductions", -1, "introductions of varieties to make (default trainings/20)")
	fs.IntVar(&sizes.Leaders, "leaders", -1, "technology leaders and model households to make (default trainings/100)")
	fs.IntVar(&sizes.Publicity, "publicity", -1, "publicity reports to make (default trainings/300)")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	if *file == "" {
		return errUsage
	}
	for _, n := range []struct {
		n   *int
		per int
	}{{&sizes.Needs, 10}, {&sizes.Projects, 100}, {&sizes.Introductions, 20}, {&sizes.Leaders, 100}, {&sizes.Publicity, 300}} {
		if *n.n < 0 {
			*n.n = *nTrainings / n.per
		}
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	divisions, err := ledger.ReadDivisions(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	rng := rand.New(rand.NewPCG(*seed, 2026))
	return c.withStore(func(s *storage.Store) error {
		scope := s.Identity().Scope
		// Only the city writes the advisor roster: refuse before the villages are written, not after.
		if *nAdvisors > 0 && scope.Level() != ledger.LevelCity {
			return fmt.Errorf("seed: only a city store can be given advisors (this one is %s): use --advisors 0", scope)
		}
		divisions = slices.DeleteFunc(divisions, func(d ledger.Division) bool { return !scope.Contains(d.Village) })
		today := s.Clock().Today()
		if *year == 0 {
			*year = today.Year()
		}
		step := func(what string, es []ledger.Entity) error {
			start := time.Now()
			res, err := s.Import(ctx, es, nil)
			if err != nil {
				return fmt.Errorf("seed %s: %w", what, err)
			}
			if len(res.Rejected) > 0 {
				return fmt.Errorf("seed %s: %d rejected, first: %w", what, len(res.Rejected), res.Rejected[0].Err)
			}
			d := time.Since(start)
			fmt.Fprintf(c.stdout, "%-12s %7d in %6.2fs (%.0f/s)\n", what, len(es), d.Seconds(), float64(len(es))/d.Seconds())
			return nil
		}
		villages := ledger.SampleVillages(rng, divisions)
		if err := step("villages", ledger.Entities(villages)); err != nil {
			return err
		}
		if *nAdvisors == 0 {
			return nil
		}
		advisors := ledger.SampleAdvisors(rng, *nAdvisors, storage.NewID)
		if err := step("advisors", ledger.Entities(advisors)); err != nil {
			return err
		}
		var codes []ledger.Code
		var keys []ledger.Code
		for _, v := range villages {
			codes = append(codes, v.Code)
			if v.Key {
				keys = append(keys, v.Code)
			}
		}
		var ids []string
		for _, a := range advisors {
			ids = append(ids, a.ID)
		}
		var assignments []ledger.Assignment
		for i, v := range keys {
			assignments = append(assignments, ledger.Assignment{ID: storage.NewID(), Advisor: ids[i%len(ids)], Village: v,
				From: ledger.Date(fmt.Sprintf("%d-01-01", *year)), Reason: "年度结对"})
		}
		if err := step("assignments", ledger.Entities(assignments)); err != nil {
			return err
		}
		// Most visits go to key villages, as in the programme.
		targets := append(slices.Clone(codes), slices.Repeat(keys, 8)...)
		trainings := ledger.SampleTrainings(rng, *nTrainings, *year, today, targets, ids, storage.NewID)
		if err := step("trainings", ledger.Entities(trainings)); err != nil {
			return err
		}
		if err := seedPhotos(ctx, c, s, trainings, *photos); err != nil {
			return err
		}
		if sizes == (ledger.SampleSizes{}) || len(keys) == 0 {
			return nil
		}
		p := ledger.SampleProgrammeYear(rng, sizes, *year, today, keys, ids, trainings, storage.NewID)
		reuseRegistry(s, &p)
		return step("programme", p.Entities())
	})
}

// reuseRegistry keeps a second seed of the same store from registering the varieties and parks again
// (the registry refuses a variety twice): the sample's records name the ones already there.
func reuseRegistry(s *storage.Store, p *ledger.SampleProgramme) {
	varieties := map[string]string{}
	p.Varieties = slices.DeleteFunc(p.Varieties, func(v ledger.Variety) bool {
		if m := s.MatchVariety(v.Name); m.Variety != nil {
			varieties[v.ID] = m.Variety.ID
			return true
		}
		return false
	})
	for i, in := range p.Introductions {
		if id, ok := varieties[in.Variety]; ok {
			p.Introductions[i].Variety = id
		}
	}
	parks := map[string]string{}
	held := s.Parks("", nil)
	p.Parks = slices.DeleteFunc(p.Parks, func(k ledger.Park) bool {
		for _, h := range held {
			if h.Name == k.Name {
				parks[k.ID] = h.ID
				return true
			}
		}
		return false
	})
	for i, pa := range p.Pairings {
		if id, ok := parks[pa.Park]; ok {
			p.Pairings[i].Park = id
		}
	}
}
