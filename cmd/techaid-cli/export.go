package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"techaid/ledger"
	"techaid/report"
	"techaid/storage"
)

// cmdExport writes the bureau's tables from the ledger. An .xlsx gets every table as a sheet; a .csv
// gets the work ledger, and each roll-up goes to a file beside it named after its sheet.
func cmdExport(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 || args[0] != "ledger" {
		return fmt.Errorf("%w: export ledger (more tables to come)", errUsage)
	}
	fs := flag.NewFlagSet("export ledger", flag.ContinueOnError)
	year := fs.Int("year", 0, "the year (default this year)")
	under := fs.String("under", "", "only within this county or township code")
	out := fs.String("out", "", "FILE.xlsx or FILE.csv")
	if _, err := parse(fs, c, args[1:], 0); err != nil {
		return err
	}
	ext := strings.ToLower(filepath.Ext(*out))
	if *out == "" || ext != ".xlsx" && ext != ".csv" {
		return fmt.Errorf("%w: --out FILE.xlsx or FILE.csv", errUsage)
	}
	if err := checkCode("under", ledger.Code(*under), false); err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error {
		y := *year
		if y == 0 {
			y = s.Clock().Today().Year()
		}
		tables, err := report.Ledger(s, y, ledger.Code(*under))
		if err != nil {
			return err
		}
		write := func(path string, fn func(f *os.File) error) error {
			f, err := os.Create(path)
			if err != nil {
				return err
			}
			if err := fn(f); err != nil {
				f.Close()
				return fmt.Errorf("write %s: %w", path, err)
			}
			return f.Close()
		}
		var files []string
		if ext == ".xlsx" {
			if err := write(*out, func(f *os.File) error { return report.WriteXLSX(f, tables) }); err != nil {
				return err
			}
			files = append(files, *out)
		} else {
			for i, t := range tables {
				path := *out
				if i > 0 {
					path = strings.TrimSuffix(*out, filepath.Ext(*out)) + "-" + t.Name + ".csv"
				}
				if err := write(path, func(f *os.File) error { return report.WriteCSV(f, t) }); err != nil {
					return err
				}
				files = append(files, path)
			}
		}
		fmt.Fprintf(c.stdout, "已导出 %d 年工作台账 %d 条：%s (%d rows)\n", y, len(tables[0].Rows), strings.Join(files, "、"), len(tables[0].Rows))
		return nil
	})
}
