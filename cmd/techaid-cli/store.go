package main

// The commands on the data folder as a whole: set it up, name the clerk, import the division list,
// back it up and put a backup back.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"techaid/cmd/internal/cmdline"
	"techaid/ledger"
	"techaid/report"
	"techaid/storage"
)

func cmdInit(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	scope := fs.String("scope", "", "office scope: 4-digit city, 6-digit county or 9-digit township code")
	clerk := fs.String("clerk", "", "the clerk's name")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	if *scope == "" || *clerk == "" {
		return errUsage
	}
	code, err := ledger.ParseCode(*scope)
	if err != nil {
		return err
	}
	s, err := storage.Open(c.dir, c.opts)
	if err != nil {
		return err
	}
	defer s.Close()
	c.notice(s)
	if err := s.Init(code, *clerk); err != nil {
		return err
	}
	id := s.Identity()
	fmt.Fprintf(c.stdout, "initialised %s: office %s, clerk %s, replica %s\n", c.dir, id.Scope, id.Clerk, id.Replica)
	return nil
}

func cmdClerk(ctx context.Context, c *cli, args []string) error {
	pos, err := parse(flag.NewFlagSet("clerk", flag.ContinueOnError), c, args, 1)
	if err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error { return s.SetClerk(pos[0]) })
}

func cmdImport(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	quiet := fs.Bool("quiet", false, "no progress lines")
	reference := fs.Bool("reference", false, "copies of the division list, as the app's set-up writes them")
	if len(args) > 0 && slices.Contains(report.Imports, args[0]) {
		return cmdImportSheet(ctx, c, args[0], args[1:])
	}
	pos, err := parse(fs, c, args, 2)
	if err != nil {
		return err
	}
	if pos[0] != "villages" {
		return fmt.Errorf("%w: import villages|%s FILE", errUsage, strings.Join(report.Imports, "|"))
	}
	f, err := os.Open(pos[1])
	if err != nil {
		return err
	}
	defer f.Close()
	divisions, err := ledger.ReadDivisions(f)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[1], err)
	}
	return c.withStore(func(s *storage.Store) error {
		scope := s.Identity().Scope
		var villages []ledger.Entity
		var lines []int // each village's line in the file, to name it if rejected (Import counts only these)
		for i, d := range divisions {
			if scope.Contains(d.Village) {
				villages = append(villages, d.Record())
				lines = append(lines, i+2) // after the header, one line per row as division lists are
			}
		}
		skipped := len(divisions) - len(villages)
		start := time.Now()
		write := s.ImportDivisions
		if *reference {
			write = s.ImportReference
		}
		res, err := write(ctx, villages, func(done int) {
			if !*quiet {
				fmt.Fprintf(c.stderr, "导入 imported %d/%d\n", done, len(villages))
			}
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%d villages read: %d created, %d updated, %d unchanged, %d outside %s skipped, %d rejected (%.2fs)\n",
			len(divisions), res.Created, res.Updated, res.Unchanged, skipped, scope, len(res.Rejected), time.Since(start).Seconds())
		for _, r := range res.Rejected {
			fmt.Fprintf(c.stderr, "第 %d 行 (%s): %s\n", lines[r.Row-1], r.ID, oneLine(r.Err))
		}
		return nil
	})
}

func cmdBackup(ctx context.Context, c *cli, args []string) error {
	pos, err := parse(flag.NewFlagSet("backup", flag.ContinueOnError), c, args, 1)
	if err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error {
		if err := s.BackupFile(pos[0]); err != nil {
			return err
		}
		fi, err := os.Stat(pos[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "backed up %s to %s (%d bytes)\n", c.dir, pos[0], fi.Size())
		return nil
	})
}

func cmdRestore(ctx context.Context, c *cli, args []string) error {
	pos, err := parse(flag.NewFlagSet("restore", flag.ContinueOnError), c, args, 1)
	if err != nil {
		return err
	}
	return cmdline.Restore(c.stdout, c.dir, pos[0], c.opts, "")
}
