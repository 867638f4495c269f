package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	"techaid/cmd/internal/cmdline"
	"techaid/ledger"
	"techaid/storage"
)

// version is stamped at build time (scripts/package.sh: -ldflags "-X main.version=…").
var version = "dev"

var errUsage = cmdline.ErrUsage

const usage = `usage: techaid-city [--data DIR] [--city CODE] COMMAND [ARGS]
       techaid-city --version

commands:
  office add --scope CODE --name NAME     register an office; prints its token once
  office list [--json]                    offices, with revoked ones
  office revoke NAME_OR_ID                refuse the office's token from now on (live sessions are cut)
  import villages FILE.csv                the division list (columns of zibo_divisions.csv)
  serve [--listen 127.0.0.1:8750] [--admin-listen 127.0.0.1:0] [--tls-cert F --tls-key F] [--stale-days 7]
        [--idle-timeout 1m] [--max-conns-per-address 128]
  status [--json]                         the status of a running server
  conflicts [--json]                      the hub's conflict log: values that lost to another office's edit
  backup FILE|FOLDER/                     a consistent backup, written by this command (also while the server
                                          runs); into a folder: city-YYYY-MM-DD.bak. Stop the server to restore
  restore FILE [--offices REGISTRY]       replace the data with a backup; offices resend what it lacks; the office
                                          registry (offices.json of the data, or REGISTRY) is carried across
  release add FILE [--version V] [--platform P]   publish a new version of the app to every office: the
                                          Windows installer or the Linux package package.sh makes; offices
                                          download it from this server and offer to install it
  release list [--json]                   the versions published, per platform
  loadtest --villages FILE [--offices 2000] [--records 100]   simulate offices against the running server

The store is created on first use for the city --city (default 3703, 淄博市).
An encrypted store reads its passphrase from $TECHAID_PASSPHRASE.`

type city struct {
	stdout, stderr io.Writer
	dir            string
	code           ledger.Code
	opts           storage.Options
}

func run(args []string, stdout, stderr io.Writer) int {
	c := &city{stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("techaid-city", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.dir, "data", "", "data directory (default: $TECHAID_DATA or the per-user data directory + -city)")
	code := fs.String("city", "3703", "the city's 4-digit code, used when the store is created")
	fs.Usage = func() { fmt.Fprintln(stderr, usage) }
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *showVersion {
		fmt.Fprintln(stdout, "techaid-city", version)
		return 0
	}
	c.code = ledger.Code(*code)
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	if c.dir == "" {
		dir, err := storage.DefaultDir()
		if err != nil {
			fmt.Fprintf(stderr, "techaid-city: no data directory: %v\n", err)
			return 1
		}
		c.dir = dir + "-city"
	}
	c.opts.Passphrase = os.Getenv("TECHAID_PASSPHRASE")
	c.opts.Lean = true // the city reads through a city replica; the hub only merges and serves
	c.opts.Logger = log.New(stderr, "badger: ", log.LstdFlags)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	rest := fs.Args()[1:]
	switch fs.Arg(0) {
	case "office":
		err = c.office(ctx, rest)
	case "import":
		err = c.importVillages(ctx, rest)
	case "serve":
		err = c.serve(ctx, rest)
	case "status":
		err = c.status(rest)
	case "conflicts":
		err = c.conflicts(rest)
	case "backup":
		err = c.backup(rest)
	case "release":
		err = c.release(rest)
	case "loadtest":
		err = c.loadtest(ctx, rest)
	case "restore":
		err = c.restore(rest)
	default:
		fs.Usage()
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, usage)
		return 2
	}
	fmt.Fprintln(stderr, "techaid-city: "+cmdline.OneLine(err))
	return 1
}

// open opens the city's store, creating it for the city on first use.
func (c *city) open() (*storage.Store, error) {
	if c.code.Level() != ledger.LevelCity {
		return nil, fmt.Errorf("--city %q: a 4-digit city code: %w", c.code, errUsage)
	}
	st, err := storage.Open(c.dir, c.opts)
	if err != nil {
		return nil, err
	}
	if st.Identity().Replica == "" {
		if err := st.Init(c.code, "市局服务器"); err != nil {
			st.Close()
			return nil, err
		}
		fmt.Fprintf(c.stderr, "techaid-city: created the store for %s in %s\n", c.code, c.dir)
	}
	return st, nil
}

func (c *city) withStore(fn func(st *storage.Store) error) error {
	return cmdline.WithStore(c.open, fn)
}

// parse parses flags and positional arguments in any order (cmdline.Parse).
func parse(fs *flag.FlagSet, c *city, args []string, need int) ([]string, error) {
	return cmdline.Parse(fs, c.stderr, args, need)
}

func (c *city) importVillages(ctx context.Context, args []string) error {
	pos, err := parse(flag.NewFlagSet("import", flag.ContinueOnError), c, args, 2)
	if err != nil || pos[0] != "villages" {
		return errUsage
	}
	f, err := os.Open(pos[1])
	if err != nil {
		return err
	}
	defer f.Close()
	divs, err := ledger.ReadDivisions(f)
	if err != nil {
		return err
	}
	return c.withStore(func(st *storage.Store) error {
		var in []ledger.Entity
		for _, d := range divs {
			if st.Identity().Scope.Contains(d.Village) {
				in = append(in, d.Record())
			}
		}
		res, err := st.ImportDivisions(ctx, in, nil) // reference-stamped, served to offices (PROTOCOL.md section 4)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "导入村庄 %d 个，新增 %d，更新 %d，未变 %d，有误 %d (imported %d villages)\n",
			len(in), res.Created, res.Updated, res.Unchanged, len(res.Rejected), len(in))
		return nil
	})
}
