package main

// The list command: a kind's records, filtered, as a table or as JSON.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
)

// listers are the lists of each kind: each adds its own flags to the ones every list takes.
var listers = map[string]func(l *listing, args []string) error{
	"villages":    listVillages,
	"advisors":    listAdvisors,
	"trainings":   listTrainings,
	"assignments": listAssignments,
}

// listing is one list command: the flags every kind takes, and where it prints.
type listing struct {
	c      *cli
	fs     *flag.FlagSet
	json   bool
	under  string
	search string
	limit  int
}

func cmdList(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	list, ok := listers[args[0]]
	if !ok {
		return errUsage
	}
	l := &listing{c: c, fs: flag.NewFlagSet("list", flag.ContinueOnError)}
	l.fs.BoolVar(&l.json, "json", false, "JSON output")
	l.fs.StringVar(&l.under, "under", "", "only within this county or township code")
	l.fs.StringVar(&l.search, "search", "", "part of the name (or the start of a code)")
	l.fs.IntVar(&l.limit, "limit", 0, "at most this many (0: all)")
	return list(l, args[1:])
}

// parse reads the arguments: the common flags and the kind's own, which it has added to l.fs.
func (l *listing) parse(args []string) error {
	_, err := parse(l.fs, l.c, args, 0)
	return err
}

// printList prints items as JSON, or as a table: the header, then a row per item.
func printList[T any](l *listing, items []T, header string, row func(T) []string) error {
	if l.json {
		return l.c.printJSON(orEmpty(items))
	}
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		rows = append(rows, row(it))
	}
	l.c.table(header, rows)
	return nil
}

func listVillages(l *listing, args []string) error {
	key := l.fs.Bool("key", false, "only key villages")
	l.fs.StringVar(&l.under, "township", "", "only this township (same as --under)")
	if err := l.parse(args); err != nil {
		return err
	}
	if err := checkCode("under", ledger.Code(l.under), false); err != nil {
		return err
	}
	return l.c.withStore(func(s *storage.Store) error {
		vs, total := s.Villages(query.Villages{Under: ledger.Code(l.under), KeyOnly: *key, Search: l.search, Limit: l.limit}, nil)
		err := printList(l, vs, "代码\t村名\t乡镇\t重点村\t主导产业", func(v ledger.Village) []string {
			return []string{string(v.Code), v.Name, v.TownshipName, yes(v.Key), strings.Join(v.Industries, "、")}
		})
		if err == nil && !l.json {
			fmt.Fprintf(l.c.stdout, "%d of %d\n", len(vs), total)
		}
		return err
	})
}

func listAdvisors(l *listing, args []string) error {
	group := l.fs.String("group", "", "professional group")
	status := l.fs.String("status", "", "status")
	expert := l.fs.Bool("expert", false, "only expert group members")
	if err := l.parse(args); err != nil {
		return err
	}
	return l.c.withStore(func(s *storage.Store) error {
		as := s.Advisors(query.Advisors{Group: *group, Status: *status, ExpertOnly: *expert, Search: l.search}, nil)
		if l.limit > 0 && len(as) > l.limit {
			as = as[:l.limit]
		}
		return printList(l, as, "编号\t姓名\t专业组\t电话\t派出单位\t状态", func(a ledger.Advisor) []string {
			return []string{a.ID, a.Name, a.Group, a.Phone, a.Employer, a.Status}
		})
	})
}

func listTrainings(l *listing, args []string) error {
	var q query.Trainings
	l.fs.Var(codeValue{&q.Village}, "village", "trainings in this village")
	l.fs.StringVar(&q.Advisor, "advisor", "", "trainings by this advisor")
	l.fs.Var(dateValue{&q.From}, "from", "on or after YYYY-MM-DD")
	l.fs.Var(dateValue{&q.To}, "to", "on or before YYYY-MM-DD")
	l.fs.StringVar(&q.Kind, "kind", "", "服务形式")
	l.fs.BoolVar(&q.Oldest, "oldest", false, "oldest first")
	if err := l.parse(args); err != nil {
		return err
	}
	q.Under = ledger.Code(l.under)
	if err := errors.Join(checkCode("village", q.Village, true), checkCode("under", q.Under, false),
		checkDate("from", q.From), checkDate("to", q.To)); err != nil {
		return err
	}
	return l.c.withStore(func(s *storage.Store) error {
		all, err := trainingPages(s, q, l.limit)
		if err != nil {
			return err
		}
		return printList(l, all, "编号\t日期\t服务形式\t村\t主题\t人次\t资料", func(t ledger.Training) []string {
			return []string{t.ID, string(t.Date), t.Kind, villageNames(s, t.Villages), t.Topic,
				fmt.Sprint(t.Attendees), fmt.Sprint(t.Brochures)}
		})
	})
}

// trainingPages reads the trainings q asks for a page at a time, at most limit of them (0: all).
func trainingPages(s *storage.Store, q query.Trainings, limit int) ([]ledger.Training, error) {
	var all []ledger.Training
	q.Limit = 500
	for {
		page, err := s.Trainings(q, nil)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Trainings...)
		if page.Next == "" || limit > 0 && len(all) >= limit {
			break
		}
		q.After = page.Next
	}
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

func listAssignments(l *listing, args []string) error {
	var village ledger.Code
	l.fs.Var(codeValue{&village}, "village", "of this village")
	advisor := l.fs.String("advisor", "", "of this advisor")
	var on ledger.Date
	l.fs.Var(dateValue{&on}, "active", "only those active on this date")
	if err := l.parse(args); err != nil {
		return err
	}
	if err := errors.Join(checkCode("village", village, true), checkDate("active", on)); err != nil {
		return err
	}
	return l.c.withStore(func(s *storage.Store) error {
		as := s.Assignments(village, *advisor, on, nil)
		return printList(l, as, "编号\t科技指导人员\t村\t开始\t结束\t原因", func(a ledger.Assignment) []string {
			name := a.Advisor
			if adv, err := s.Advisor(a.Advisor); err == nil {
				name = adv.Name
			}
			return []string{a.ID, name, villageNames(s, []ledger.Code{a.Village}), string(a.From), string(a.To), a.Reason}
		})
	})
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
