package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"techaid/cmd/internal/cmdline"
	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
)

// errUsage marks a usage error (exit status 2); the message has been printed.
var errUsage = cmdline.ErrUsage

// errNoPassphrase is an encrypted store opened without $TECHAID_PASSPHRASE: "wrong passphrase, enter it
// again" would send a script's author looking for a prompt that does not exist.
var errNoPassphrase = errors.New("the store is encrypted: set TECHAID_PASSPHRASE to its passphrase")

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
			"                                     --reference: copies of the list as the app's set-up writes them (only villages not\n" +
			"                                     held, never sent, not pending)\n" +
			"  import keyvillages|advisors FILE.xlsx|FILE.csv [--apply]   the bureau's lists: a line per row; --apply writes", cmdImport},
		{"village", "village add CODE --name N ... | village edit CODE [--key] [--industries 苹果,桃] ...", cmdVillage},
		{"advisor", "advisor add --name N --group 林果 ... | advisor edit ID ...", cmdAdvisor},
		{"training", "training add --village CODE --advisor ID --date D --kind K --topic T ... | training edit ID ...", cmdTraining},
		{"assignment", "assignment add --advisor ID --village CODE --from D | assignment edit ID --to D --reason R", cmdAssignment},
		{"export", "export ledger|targets|monthly|keyvillages|advisors [--year 2026] [--month 5] [--under CODE] --out FILE.xlsx|FILE.csv\n" +
			"  工作台账, 目标完成情况, 月度调度 (--min-days N), 重点村名单, 人员名册 (CSV: one file per sheet)", cmdExport},
		{"target", "target add YEAR [--attendees 2400 ...] | target edit YEAR ...   the city's yearly targets (unset: the defaults)", cmdTarget},
		{"list", "list villages|advisors|trainings|assignments [--json] [filters]", cmdList},
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
		{"seed", "seed --villages FILE [--advisors 300] [--trainings 100000] [--year 2026]   demo and benchmark data", cmdSeed},
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
func oneLine(err error) string {
	var ve *ledger.ValidationError
	var se *storage.ScopeError
	var le *ledger.LineError
	msg := err.Error()
	switch {
	case errors.Is(err, errNoPassphrase):
		msg = "数据已加密，请在环境变量 TECHAID_PASSPHRASE 中提供加密口令后再试。 (" + err.Error() + ")"
	case errors.As(err, &ve), errors.As(err, &se):
		msg = ledger.Chinese(err) + " (" + err.Error() + ")"
	case errors.As(err, &le):
		msg = fmt.Sprintf("第 %d 行有误，未导入任何记录 (%v)", le.Line, err)
	case errors.Is(err, storage.ErrLocked), errors.Is(err, storage.ErrPassphrase), errors.Is(err, storage.ErrNotInitialized),
		errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrNewerFormat), errors.Is(err, storage.ErrInitialized),
		errors.Is(err, storage.ErrInUse):
		msg = ledger.Chinese(err) + " (" + err.Error() + ")"
	}
	return strings.ReplaceAll(msg, "\n", "; ")
}

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
}

// withStore opens the store, runs fn, and closes it, keeping fn's error first.
func (c *cli) withStore(fn func(s *storage.Store) error) error {
	s, err := c.open()
	if err != nil {
		return err
	}
	err = fn(s)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

func (c *cli) printJSON(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (c *cli) table(header string, rows [][]string) {
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, header)
	for _, r := range rows {
		fmt.Fprintln(w, strings.Join(r, "\t"))
	}
	w.Flush()
}

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
	if len(args) > 0 && (args[0] == "keyvillages" || args[0] == "advisors") {
		return cmdImportSheet(ctx, c, args[0], args[1:])
	}
	pos, err := parse(fs, c, args, 2)
	if err != nil {
		return err
	}
	if pos[0] != "villages" {
		return fmt.Errorf("%w: import villages|keyvillages|advisors FILE", errUsage)
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
		write := s.Import
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
		year, _ := strconv.Atoi(t.Year)
		def := ledger.DefaultTarget(year)
		for _, f := range []struct{ to, def *int }{{&t.Activities, &def.Activities}, {&t.Attendees, &def.Attendees},
			{&t.Brochures, &def.Brochures}, {&t.Projects, &def.Projects}, {&t.Varieties, &def.Varieties},
			{&t.Surveys, &def.Surveys}, {&t.Leaders, &def.Leaders}, {&t.Reports, &def.Reports}} {
			if *f.to == 0 {
				*f.to = *f.def
			}
		}
	}, func(t *ledger.Target, id string) { t.Year = id })
}

func cmdList(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	what, args := args[0], args[1:]
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "JSON output")
	under := fs.String("under", "", "only within this county or township code")
	search := fs.String("search", "", "part of the name (or the start of a code)")
	limit := fs.Int("limit", 0, "at most this many (0: all)")
	switch what {
	case "villages":
		key := fs.Bool("key", false, "only key villages")
		fs.StringVar(under, "township", "", "only this township (same as --under)")
		if _, err := parse(fs, c, args, 0); err != nil {
			return err
		}
		if err := checkCode("under", ledger.Code(*under), false); err != nil {
			return err
		}
		return c.withStore(func(s *storage.Store) error {
			vs, total := s.Villages(query.Villages{Under: ledger.Code(*under), KeyOnly: *key, Search: *search, Limit: *limit}, nil)
			if *asJSON {
				return c.printJSON(orEmpty(vs))
			}
			var rows [][]string
			for _, v := range vs {
				rows = append(rows, []string{string(v.Code), v.Name, v.TownshipName, yes(v.Key), strings.Join(v.Industries, "、")})
			}
			c.table("代码\t村名\t乡镇\t重点村\t主导产业", rows)
			fmt.Fprintf(c.stdout, "%d of %d\n", len(vs), total)
			return nil
		})
	case "advisors":
		group := fs.String("group", "", "professional group")
		status := fs.String("status", "", "status")
		expert := fs.Bool("expert", false, "only expert group members")
		if _, err := parse(fs, c, args, 0); err != nil {
			return err
		}
		return c.withStore(func(s *storage.Store) error {
			as := s.Advisors(query.Advisors{Group: *group, Status: *status, ExpertOnly: *expert, Search: *search}, nil)
			if *limit > 0 && len(as) > *limit {
				as = as[:*limit]
			}
			if *asJSON {
				return c.printJSON(orEmpty(as))
			}
			var rows [][]string
			for _, a := range as {
				rows = append(rows, []string{a.ID, a.Name, a.Group, a.Phone, a.Employer, a.Status})
			}
			c.table("编号\t姓名\t专业组\t电话\t派出单位\t状态", rows)
			return nil
		})
	case "trainings":
		var q query.Trainings
		fs.Var(codeValue{&q.Village}, "village", "trainings in this village")
		fs.StringVar(&q.Advisor, "advisor", "", "trainings by this advisor")
		fs.Var(dateValue{&q.From}, "from", "on or after YYYY-MM-DD")
		fs.Var(dateValue{&q.To}, "to", "on or before YYYY-MM-DD")
		fs.StringVar(&q.Kind, "kind", "", "服务形式")
		fs.BoolVar(&q.Oldest, "oldest", false, "oldest first")
		if _, err := parse(fs, c, args, 0); err != nil {
			return err
		}
		q.Under = ledger.Code(*under)
		if err := errors.Join(checkCode("village", q.Village, true), checkCode("under", q.Under, false),
			checkDate("from", q.From), checkDate("to", q.To)); err != nil {
			return err
		}
		return c.withStore(func(s *storage.Store) error {
			var all []ledger.Training
			q.Limit = 500
			for {
				page, err := s.Trainings(q, nil)
				if err != nil {
					return err
				}
				all = append(all, page.Trainings...)
				if page.Next == "" || *limit > 0 && len(all) >= *limit {
					break
				}
				q.After = page.Next
			}
			if *limit > 0 && len(all) > *limit {
				all = all[:*limit]
			}
			if *asJSON {
				return c.printJSON(orEmpty(all))
			}
			var rows [][]string
			for _, t := range all {
				rows = append(rows, []string{t.ID, string(t.Date), t.Kind, villageNames(s, t.Villages), t.Topic,
					fmt.Sprint(t.Attendees), fmt.Sprint(t.Brochures)})
			}
			c.table("编号\t日期\t服务形式\t村\t主题\t人次\t资料", rows)
			return nil
		})
	case "assignments":
		var village ledger.Code
		fs.Var(codeValue{&village}, "village", "of this village")
		advisor := fs.String("advisor", "", "of this advisor")
		var on ledger.Date
		fs.Var(dateValue{&on}, "active", "only those active on this date")
		if _, err := parse(fs, c, args, 0); err != nil {
			return err
		}
		if err := errors.Join(checkCode("village", village, true), checkDate("active", on)); err != nil {
			return err
		}
		return c.withStore(func(s *storage.Store) error {
			as := s.Assignments(village, *advisor, on, nil)
			if *asJSON {
				return c.printJSON(orEmpty(as))
			}
			var rows [][]string
			for _, a := range as {
				name := a.Advisor
				if adv, err := s.Advisor(a.Advisor); err == nil {
					name = adv.Name
				}
				rows = append(rows, []string{a.ID, name, villageNames(s, []ledger.Code{a.Village}), string(a.From), string(a.To), a.Reason})
			}
			c.table("编号\t科技指导人员\t村\t开始\t结束\t原因", rows)
			return nil
		})
	}
	return errUsage
}

// checkCode and checkDate refuse a mistyped filter. It would match nothing, and an empty list with
// exit status 0 is a wrong answer, not an error, to whoever scripts the command.
func checkCode(name string, code ledger.Code, village bool) error {
	if code == "" || code.Valid() && (!village || code.Level() == ledger.LevelVillage) {
		return nil
	}
	want := "a 4, 6, 9 or 12-digit division code"
	if village {
		want = "a 12-digit village code"
	}
	return fmt.Errorf("--%s %q is not %s", name, code, want)
}

func checkDate(name string, d ledger.Date) error {
	if d == "" || d.Valid() {
		return nil
	}
	return fmt.Errorf("--%s %q is not a date (YYYY-MM-DD)", name, d)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func yes(b bool) string {
	if b {
		return "是"
	}
	return ""
}

func villageNames(s *storage.Store, codes []ledger.Code) string {
	names := make([]string, len(codes))
	for i, code := range codes {
		names[i] = string(code)
		if v, err := s.Village(code); err == nil {
			names[i] = v.Name
		}
	}
	return strings.Join(names, "、")
}

// when renders a stamp's wall time in China time.
func when(st ledger.Stamp) string { return st.Time().In(ledger.China).Format("2006-01-02 15:04:05") }

func cmdShow(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "the record with every field's version, as JSON")
	pos, err := parse(fs, c, args, 1)
	if err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error {
		rec, err := s.Record(pos[0])
		if err != nil {
			return err
		}
		if *asJSON {
			return c.printJSON(rec)
		}
		fmt.Fprintf(c.stdout, "%s %s", ledger.KindName(rec.Kind), rec.ID)
		if rec.Deleted() {
			fmt.Fprint(c.stdout, "（已删除）")
		}
		fmt.Fprintln(c.stdout)
		var rows [][]string
		for _, fi := range ledger.Fields(rec.Kind) {
			if f, ok := rec.Fields[fi.Name]; ok && f.Value != "" {
				rows = append(rows, []string{fi.Zh, display(f.Value), f.Author, string(f.Office), when(f.Stamp)})
			}
		}
		c.table("字段\t内容\t录入人\t单位\t时间", rows)
		return nil
	})
}

func cmdHistory(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("history", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parse(fs, c, args, 1)
	if err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error {
		rec, err := s.Record(pos[0])
		if err != nil {
			return err
		}
		hist, err := s.History(pos[0])
		if err != nil {
			return err
		}
		if *asJSON {
			return c.printJSON(orEmpty(hist))
		}
		for _, a := range hist {
			fmt.Fprintf(c.stdout, "%s  %s（%s）%s\n", when(a.Stamp), a.Author, a.Office, opName(a.Op))
			for _, f := range a.Fields {
				zh, _ := ledger.Label(rec.Kind, f.Name)
				fmt.Fprintf(c.stdout, "    %s: %q → %q\n", zh, display(f.Old), display(f.New))
			}
		}
		return nil
	})
}

// display renders a field's stored text for a clerk: a list (stored as a JSON array) as 苹果、桃, not
// as ["苹果","桃"], which %q would turn into "[\"苹果\",\"桃\"]".
func display(text string) string {
	var items []string
	if strings.HasPrefix(text, "[") && json.Unmarshal([]byte(text), &items) == nil {
		return strings.Join(items, "、")
	}
	return text
}

func opName(op string) string {
	return map[string]string{query.OpCreate: "新建", query.OpUpdate: "修改", query.OpDelete: "删除",
		query.OpImport: "导入", query.OpSync: "同步", query.OpRestore: "恢复冲突值"}[op]
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

func cmdConflicts(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("conflicts", flag.ContinueOnError)
	all := fs.Bool("all", false, "also the resolved ones")
	asJSON := fs.Bool("json", false, "JSON output")
	if len(args) > 0 && (args[0] == "restore" || args[0] == "dismiss") {
		pos, err := parse(fs, c, args[1:], 1)
		if err != nil {
			return err
		}
		var seq uint64
		if _, err := fmt.Sscan(pos[0], &seq); err != nil {
			return fmt.Errorf("conflict number %q: %w", pos[0], err)
		}
		return c.withStore(func(s *storage.Store) error { return s.ResolveConflict(ctx, seq, args[0] == "restore") })
	}
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error {
		cs, err := s.Conflicts(!*all)
		if err != nil {
			return err
		}
		if *asJSON {
			return c.printJSON(orEmpty(cs))
		}
		for _, x := range cs {
			fmt.Fprintf(c.stdout, "#%d %s\n", x.Seq, describeConflict(s, x))
		}
		if len(cs) == 0 {
			fmt.Fprintln(c.stdout, "没有待处理的冲突。")
		}
		return nil
	})
}

// describeConflict says in plain language what happened to a field.
func describeConflict(s *storage.Store, x query.Conflict) string {
	name := x.ID
	if rec, err := s.Record(x.ID); err == nil {
		if n := rec.Fields["name"].Value; n != "" {
			name = n
		} else if t := rec.Fields["topic"].Value; t != "" {
			name = t
		}
	}
	zh, _ := ledger.Label(x.Kind, x.Field)
	msg := fmt.Sprintf("%s「%s」的「%s」：%s（%s）于 %s 填写「%s」，%s（%s）于 %s 填写「%s」；现采用后者「%s」。",
		ledger.KindName(x.Kind), name, zh, x.Loser.Author, x.Loser.Office, when(x.Loser.Stamp), x.Loser.Value,
		x.Winner.Author, x.Winner.Office, when(x.Winner.Stamp), x.Winner.Value, x.Winner.Value)
	if x.Resolved != "" {
		msg += map[string]string{query.ResolvedRestored: "（已恢复前者）", query.ResolvedDismissed: "（已确认）"}[x.Resolved]
	}
	return msg
}

func cmdStats(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "JSON output")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error {
		st := s.Stats(nil)
		if *asJSON {
			return c.printJSON(st)
		}
		fmt.Fprintf(c.stdout, "单位 %s  录入人 %s  数据目录 %s\n村庄 %d（重点村 %d）  科技指导人员 %d  结对 %d  培训与服务记录 %d\n"+
			"本机修改 %d，市局已收到 %d，待上报 %d，待处理冲突 %d\n",
			st.Scope, st.Clerk, s.Dir(), st.Villages, st.KeyVillages, st.Advisors, st.Assignments, st.Trainings,
			st.Changes, st.Acked, st.Pending, st.Conflicts)
		return nil
	})
}

func cmdProgress(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("progress", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "JSON output")
	year := fs.Int("year", 0, "year (default this year)")
	under := fs.String("under", "", "county or township code (default the office's scope)")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	if err := checkCode("under", ledger.Code(*under), false); err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error {
		today := ledger.DateOf(s.Clock().Today())
		if *year == 0 {
			*year = today.Year()
		}
		code := ledger.Code(*under)
		if code == "" {
			code = s.Identity().Scope
		}
		p := s.Progress(*year, code, today, nil)
		if *asJSON {
			return c.printJSON(p)
		}
		fmt.Fprintf(c.stdout, "%d 年 %s：活动 %d 次，培训 %d 人次（贫困户 %d），发放资料 %d 份，引进品种/技术 %d 项\n"+
			"重点村 %d 个：有科技指导人员 %d，已开展活动 %d，完成需求调研（≥%d 次）%d\n",
			p.Year, code, p.Total.Trainings, p.Total.Attendees, p.Total.PoorAttendees, p.Total.Brochures, p.Total.Varieties,
			p.KeyVillages, p.KeyVillagesCovered, p.KeyVillagesVisited, query.SurveysPerKeyVillage, p.KeyVillagesSurveyed)
		var towns []ledger.Code
		for t := range p.Townships {
			towns = append(towns, t)
		}
		sort.Slice(towns, func(i, j int) bool { return towns[i] < towns[j] })
		var rows [][]string
		for _, t := range towns {
			x := p.Townships[t]
			rows = append(rows, []string{string(t), fmt.Sprint(x.Trainings), fmt.Sprint(x.Attendees), fmt.Sprint(x.Brochures), fmt.Sprint(x.Visits)})
		}
		c.table("乡镇\t活动\t培训人次\t资料\t到村次数", rows)
		return nil
	})
}

func cmdChanges(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("changes", flag.ContinueOnError)
	after := fs.Uint64("after", 0, "after this sequence number")
	limit := fs.Int("limit", 1000, "at most this many")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error {
		changes, err := s.Changes(*after, *limit)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(c.stdout)
		for _, ch := range changes {
			if err := enc.Encode(struct {
				Seq    uint64        `json:"seq"`
				Record ledger.Record `json:"record"`
			}{ch.Seq, ch.Record}); err != nil {
				return err
			}
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
	kept, err := storage.Restore(c.dir, pos[0], c.opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "restored %s from %s", c.dir, pos[0])
	if kept != "" {
		fmt.Fprintf(c.stdout, "; the previous data is kept in %s", kept)
	}
	fmt.Fprintln(c.stdout)
	return nil
}
