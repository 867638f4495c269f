package main

// The commands that write records: add and edit of each kind, delete and undelete.

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"techaid/ledger"
	"techaid/storage"
)

// editOrAdd implements "KIND add ..." and "KIND edit ID ...": flags write into a typed record that holds
// the current values, and only the fields the flags changed are stored.
func editOrAdd[T ledger.Entity](ctx context.Context, c *cli, args []string, bind func(*flag.FlagSet, *T), defaults func(*T, *storage.Store), withID func(*T, string)) error {
	if len(args) == 0 || args[0] != "add" && args[0] != "edit" {
		return errUsage
	}
	verb, args := args[0], args[1:]
	return c.withStore(func(s *storage.Store) error {
		var before, after T
		fs := flag.NewFlagSet(verb, flag.ContinueOnError)
		if verb == "edit" {
			if len(args) == 0 || strings.HasPrefix(args[0], "-") {
				return errUsage
			}
			var err error
			if before, err = storage.Get[T](s, args[0]); err != nil {
				return err
			}
			after = before
			bind(fs, &after)
			if _, err := parse(fs, c, args[1:], 0); err != nil {
				return err
			}
			return s.Update(ctx, before, after)
		}
		bind(fs, &after)
		npos := 0
		if withID != nil {
			npos = 1
		}
		pos, err := parse(fs, c, args, npos)
		if err != nil {
			return err
		}
		if withID != nil {
			withID(&after, pos[0])
		}
		if defaults != nil {
			defaults(&after, s)
		}
		id, err := s.Create(ctx, after)
		if err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, id)
		return nil
	})
}

func cmdVillage(ctx context.Context, c *cli, args []string) error {
	return editOrAdd(ctx, c, args, villageFlags, nil, func(v *ledger.Village, id string) { v.Code = ledger.Code(id) })
}

func cmdAdvisor(ctx context.Context, c *cli, args []string) error {
	return editOrAdd(ctx, c, args, advisorFlags, func(a *ledger.Advisor, s *storage.Store) {
		if a.Status == "" {
			a.Status = ledger.StatusActive
		}
	}, nil)
}

func cmdTraining(ctx context.Context, c *cli, args []string) error {
	return editOrAdd(ctx, c, args, trainingFlags, func(t *ledger.Training, s *storage.Store) {
		if t.Date == "" {
			t.Date = ledger.DateOf(s.Clock().Today())
		}
	}, nil)
}

func cmdAssignment(ctx context.Context, c *cli, args []string) error {
	return editOrAdd(ctx, c, args, assignmentFlags, func(a *ledger.Assignment, s *storage.Store) {
		if a.From == "" {
			a.From = ledger.DateOf(s.Clock().Today())
		}
	}, nil)
}

// cmdTarget sets the city's targets of a year; counts not given keep the programme's defaults.
func cmdTarget(ctx context.Context, c *cli, args []string) error {
	return editOrAdd(ctx, c, args, targetFlags, func(t *ledger.Target, _ *storage.Store) {
		// Every count not given takes the programme's default.
		year, _ := strconv.Atoi(t.Year)
		values := ledger.Values(*t)
		for name, v := range ledger.Values(ledger.DefaultTarget(year)) {
			if values[name] == "" {
				values[name] = v
			}
		}
		if e, err := ledger.Decode(ledger.KindTarget, t.Year, values); err == nil {
			*t = e.(ledger.Target)
		}
	}, func(t *ledger.Target, id string) { t.Year = id })
}

func cmdDelete(ctx context.Context, c *cli, args []string) error {
	pos, err := parse(flag.NewFlagSet("delete", flag.ContinueOnError), c, args, 1)
	if err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error { return s.Delete(ctx, pos[0]) })
}

func cmdUndelete(ctx context.Context, c *cli, args []string) error {
	pos, err := parse(flag.NewFlagSet("undelete", flag.ContinueOnError), c, args, 1)
	if err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error { return s.Undelete(ctx, pos[0]) })
}
