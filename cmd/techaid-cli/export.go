package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"techaid/ledger"
	"techaid/report"
	"techaid/storage"
)

// cmdExport writes one of the bureau's tables from the ledger. An .xlsx gets every table as a sheet; a
// .csv gets the first, and each other goes to a file beside it named after its sheet.
func cmdExport(ctx context.Context, c *cli, args []string) error {
	if len(args) > 0 && args[0] == "evidence" {
		return exportEvidence(ctx, c, args[1:])
	}
	if len(args) == 0 || !slices.Contains(report.Exports, args[0]) {
		return fmt.Errorf("%w: export %s --out FILE.xlsx|FILE.csv", errUsage, strings.Join(report.Exports, "|"))
	}
	spec := report.Spec{Name: args[0]}
	fs := flag.NewFlagSet("export "+spec.Name, flag.ContinueOnError)
	fs.IntVar(&spec.Year, "year", 0, "the year (default this year)")
	fs.IntVar(&spec.Month, "month", 0, "monthly: the month, 1-12 (default this month)")
	fs.IntVar(&spec.MinDays, "min-days", report.DefaultMinDays, "monthly: list advisors with fewer service days than this in the month")
	under := fs.String("under", "", "only within this county or township code")
	out := fs.String("out", "", "FILE.xlsx or FILE.csv")
	if _, err := parse(fs, c, args[1:], 0); err != nil {
		return err
	}
	if ext := strings.ToLower(filepath.Ext(*out)); ext != ".xlsx" && ext != ".csv" {
		return fmt.Errorf("%w: --out FILE.xlsx or FILE.csv", errUsage)
	}
	if err := checkCode("under", ledger.Code(*under), false); err != nil {
		return err
	}
	spec.Under = ledger.Code(*under)
	return c.withStore(func(s *storage.Store) error {
		start := time.Now()
		files, rows, err := report.Export(s, spec, *out)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "已导出%s %d 行：%s (%d rows, %.2fs)\n", report.ExportTitles[spec.Name], rows,
			strings.Join(files, "、"), rows, time.Since(start).Seconds())
		return nil
	})
}

// cmdImportSheet reads one of the bureau's lists (.xlsx or CSV: key villages, the advisor roster,
// projects, leaders and model households) and prints a line per row: what matched and how, what is new
// or changes, what is wrong. Only --apply writes, and never a row with a problem.
func cmdImportSheet(ctx context.Context, c *cli, what string, args []string) error {
	fs := flag.NewFlagSet("import "+what, flag.ContinueOnError)
	apply := fs.Bool("apply", false, "write the rows that matched (without it: only show what would be done)")
	pos, err := parse(fs, c, args, 1)
	if err != nil {
		return err
	}
	sheets, err := report.ReadFile(pos[0])
	if err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error {
		plan, err := report.PlanImport(s, what, sheets)
		if err != nil {
			return err
		}
		for _, l := range plan.Lines() {
			fmt.Fprintln(c.stdout, l.Text)
		}
		fmt.Fprintln(c.stdout, plan.Summary())
		if !*apply {
			fmt.Fprintln(c.stdout, "这只是预览，没有写入。核对无误后加 --apply 导入。 (preview only: add --apply to write)")
			return nil
		}
		res, err := plan.Apply(ctx, s, nil)
		if err != nil {
			return err
		}
		for _, r := range res.Rejected {
			if r.ID == "" {
				fmt.Fprintf(c.stderr, "未导入（第 %d 行）: %s\n", r.Row, oneLine(r.Err))
				continue
			}
			fmt.Fprintf(c.stderr, "未导入 (%s): %s\n", r.ID, oneLine(r.Err))
		}
		fmt.Fprintf(c.stdout, "已导入：新增 %d，修改 %d，无变化 %d，未导入 %d。 (applied)\n", res.Created, res.Updated, res.Unchanged, len(res.Rejected))
		return nil
	})
}
