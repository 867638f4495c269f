package main

// The commands that count: the store's figures and the year's progress against the targets.

import (
	"context"
	"flag"
	"fmt"
	"sort"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
)

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
