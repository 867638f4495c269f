package main

// The commands that show one record: as it is, its history, and the conflicts a clerk may settle.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
)

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

// when renders a stamp's wall time in China time.
func when(st ledger.Stamp) string { return st.Time().In(ledger.China).Format("2006-01-02 15:04:05") }

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
