package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"

	"techaid/cmd/internal/cmdline"
	"techaid/ledger"
	"techaid/storage"
)

// errUsage marks a usage error (exit status 2); the message has been printed.
var errUsage = cmdline.ErrUsage

// errNoPassphrase is an encrypted store opened without $TECHAID_PASSPHRASE: "wrong passphrase, enter it
// again" would send a script's author looking for a prompt that does not exist.
var errNoPassphrase = ledger.ClerkError("the store is encrypted: set TECHAID_PASSPHRASE to its passphrase",
	"数据已加密，请在环境变量 TECHAID_PASSPHRASE 中提供加密口令后再试。")

type cli struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	dir    string
	opts   storage.Options
	// badger holds what Badger logs. A failed command prints exactly one line, so these are dropped
	// then (the error says what happened: "Encryption key mismatch" is the wrong passphrase); after a
	// command that succeeded they are passed on to stderr.
	badger lockedBuffer
}

// lockedBuffer is a bytes.Buffer that Badger's goroutines may write while the command runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type command struct {
	name  string
	usage string
	run   func(ctx context.Context, c *cli, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"init", "init --scope CODE --clerk NAME", cmdInit},
		{"clerk", "clerk NAME                         switch the clerk at this PC", cmdClerk},
		{"import", "import villages FILE.csv [--reference]   columns of zibo_divisions.csv; rows outside the scope are skipped;\n" +
			"                                     the list's values carry the reference stamp (they lose to every edit, whatever\n" +
			"                                     this PC's clock says) and fill only what the store lacks; they are sent to the city.\n" +
			"                                     --reference: as the app's set-up writes them (never sent, not pending)\n" +
			"  import keyvillages|advisors|projects|leaders FILE.xlsx|FILE.csv [--apply]   the bureau's lists: a line per row\n" +
			"                                     (villages and advisors matched by name); --apply writes the rows without problems", cmdImport},
		{"village", "village add CODE --name N ... | village edit CODE [--key] [--industries 苹果,桃] ...", cmdVillage},
		{"advisor", "advisor add --name N --group 林果 ... | advisor edit ID ...", cmdAdvisor},
		{"training", "training add --village CODE --advisor ID --date D --kind K --topic T ... | training edit ID ...", cmdTraining},
		{"assignment", "assignment add --advisor ID --village CODE --from D | assignment edit ID --to D --reason R", cmdAssignment},
		{"export", "export ledger|targets|monthly|keyvillages|advisors [--year 2026] [--month 5] [--under CODE] --out FILE.xlsx|FILE.csv\n" +
			"  工作台账, 目标完成情况, 月度调度 (--min-days N), 重点村名单, 人员名册 (CSV: one file per sheet)\n" +
			"  export evidence --month M [--year Y] [--under CODE] --out DIR|FILE.zip   a month's 佐证材料 in folders by township and date", cmdExport},
		{"target", "target add YEAR [--attendees 2400 ...] | target edit YEAR ...   the city's yearly targets (unset: the defaults)", cmdTarget},
		{"attach", "attach ID FILE...                  attach photos (JPEG, PNG: shrunk to 1600 px) or PDFs to a training, need, project or park pairing", cmdAttach},
		{"evidence", "evidence list ID [--json] | evidence get ID [HASH|NAME] [--out DIR|FILE] | evidence detach ID HASH|NAME", cmdEvidence},
		{"list", "list villages|advisors|trainings|assignments|needs|projects|varieties|introductions|leaders|publicity|parks|park-pairings|platforms|unlinked\n" +
			"                                     [--json] [--under CODE] [--search TEXT] [--limit N] [filters: see list KIND --help]", cmdList},
		{"show", "show ID [--json]", cmdShow},
		{"history", "history ID [--json]", cmdHistory},
		{"delete", "delete ID", cmdDelete},
		{"undelete", "undelete ID", cmdUndelete},
		{"conflicts", "conflicts [--all] [--json] | conflicts restore SEQ | conflicts dismiss SEQ", cmdConflicts},
		{"stats", "stats [--json]", cmdStats},
		{"progress", "progress [--year Y] [--under CODE] [--json]", cmdProgress},
		{"changes", "changes [--after SEQ] [--limit N]   the change log, as sync pushes it (JSON lines)", cmdChanges},
		{"sync", "sync [--city HOST[:PORT] [--insecure]] [--token-file FILE] [--once]   sync with the city hub (wss:// unless ws:// is given; address and token remembered; the token also from $TECHAID_TOKEN or a prompt)", cmdSync},
		{"backup", "backup FILE", cmdBackup},
		{"restore", "restore FILE                       replaces the data directory; the old one is kept beside it", cmdRestore},
		{"seed", "seed --villages FILE [--advisors 300] [--trainings 100000] [--needs 10000] [--projects 1000] [--introductions 5000]\n" +
			"                                     [--leaders 1000] [--publicity 300] [--year 2026]   demo and benchmark data", cmdSeed},
		{"clock", "clock [--json]                     this PC's time, corrected by the city's as last measured, and today's date", cmdClock},
		{"bench", "bench                              open the store and print open time, RSS and query latencies", cmdBench},
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("techaid-cli", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.dir, "data", "", "data directory (default: $TECHAID_DATA or the per-user data directory)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: techaid-cli [--data DIR] COMMAND [ARGS]\n       techaid-cli --version\n\ncommands:")
		for _, cmd := range commands {
			fmt.Fprintln(stderr, "  "+cmd.usage)
		}
		fmt.Fprintln(stderr, "\nAn encrypted store reads its passphrase from $TECHAID_PASSPHRASE.")
	}
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *showVersion {
		fmt.Fprintln(stdout, "techaid-cli", version)
		return 0
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	if c.dir == "" {
		dir, err := storage.DefaultDir()
		if err != nil {
			fmt.Fprintf(stderr, "techaid-cli: no data directory: %v\n", err)
			return 1
		}
		c.dir = dir
	}
	c.opts.Passphrase = os.Getenv("TECHAID_PASSPHRASE")
	c.opts.Logger = log.New(&c.badger, "", log.LstdFlags)
	name := fs.Arg(0)
	i := slices.IndexFunc(commands, func(cmd command) bool { return cmd.name == name })
	if i < 0 {
		fmt.Fprintf(stderr, "techaid-cli: unknown command %q\n", name)
		fs.Usage()
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := commands[i].run(ctx, c, fs.Args()[1:])
	if errors.Is(err, storage.ErrPassphrase) && c.opts.Passphrase == "" {
		err = fmt.Errorf("%s: %w", c.dir, errNoPassphrase)
	}
	switch {
	case err == nil:
		io.WriteString(stderr, c.badger.String())
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "usage: techaid-cli %s\n", commands[i].usage)
		return 2
	}
	fmt.Fprintln(stderr, "techaid-cli: "+oneLine(err))
	return 1
}

// oneLine renders an error for the terminal: the Chinese sentence a clerk reads, then the English
// detail for whoever maintains the script.
var oneLine = cmdline.OneLine

// parse parses flags and positional arguments in any order (cmdline.Parse).
func parse(fs *flag.FlagSet, c *cli, args []string, need int) ([]string, error) {
	return cmdline.Parse(fs, c.stderr, args, need)
}

func (c *cli) open() (*storage.Store, error) {
	// A missing or empty directory holds no store. Opening it would create one (Badger's files, and a
	// salt with a passphrase) only to refuse it as not initialised; say what to do and leave it alone.
	if entries, err := os.ReadDir(c.dir); errors.Is(err, os.ErrNotExist) || err == nil && len(entries) == 0 {
		return nil, fmt.Errorf("%s: no store here: run `techaid-cli --data %s init --scope CODE --clerk NAME` first: %w",
			c.dir, c.dir, storage.ErrNotInitialized)
	}
	s, err := storage.Open(c.dir, c.opts)
	if err != nil {
		return nil, err
	}
	c.notice(s)
	if s.Identity().Replica == "" {
		s.Close()
		return nil, fmt.Errorf("%s: %w", c.dir, storage.ErrNotInitialized)
	}
	return s, nil
}

// notice tells the clerk, once, that the data folder was open to other users and what was done.
func (c *cli) notice(s *storage.Store) {
	if t := s.Tightened(); t != nil {
		fmt.Fprintln(c.stderr, "techaid-cli: 注意："+t.Chinese())
	}
	// A wrong clock never stops a clerk recording; it is said every time, as the app's status bar does.
	if w := s.Clock().Warning(); w != "" {
		fmt.Fprintln(c.stderr, "techaid-cli: 注意："+w)
	}
}

// withStore opens the store, runs fn, and closes it, keeping fn's error first.
func (c *cli) withStore(fn func(s *storage.Store) error) error { return cmdline.WithStore(c.open, fn) }

func (c *cli) printJSON(v any) error { return cmdline.PrintJSON(c.stdout, v) }

func (c *cli) table(header string, rows [][]string) {
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, header)
	for _, r := range rows {
		fmt.Fprintln(w, strings.Join(r, "\t"))
	}
	w.Flush()
}
