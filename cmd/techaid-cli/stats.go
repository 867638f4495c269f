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
			"需求 %d  项目 %d  新品种新技术 %d（引进推广 %d）  带头人、示范户 %d  宣传报道 %d  园区 %d（结对 %d）  星创天地、农科驿站 %d\n"+
			"本机修改 %d，市局已收到 %d，待上报 %d，待处理冲突 %d\n"+
			"佐证材料 %d 个，共 %s，待上报 %d 个\n",
			st.Scope, st.Clerk, s.Dir(), st.Villages, st.KeyVillages, st.Advisors, st.Assignments, st.Trainings,
			st.Needs, st.Projects, st.Varieties, st.Introductions, st.Leaders, st.Publicity, st.Parks, st.ParkPairings, st.Platforms,
			st.Changes, st.Acked, st.Pending, st.Conflicts, st.EvidenceFiles, sizeText(st.EvidenceBytes), st.EvidencePending)
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
		tg := p.Target
		fmt.Fprintf(c.stdout, "需求：提出 %d 项，办结 %d（已解决 %d，无法解决 %d）；待办 %d 项，其中超过 %d 天 %d 项\n"+
			"支持项目 %d 个（目标 %d），支持金额 %.4g 万元，带动就业 %d 人\n"+
			"新品种新技术 %d 项（目标 %d；引进推广 %d 条，%.4g 亩，未登记的名称 %d 个）\n"+
			"科技带头人、示范户 %d 名（目标 %d）；宣传报道 %d 篇（目标 %d）\n"+
			"农业科技园区 %d 个，结对达标（≥%d 个重点村）%d 个，结对重点村 %d 个，带动就业 %d 人（目标 %d）\n"+
			"星创天地 %d 个（目标 %d），农科驿站 %d 个（目标 %d），筹建中 %d 个\n",
			p.Needs.Raised, p.Needs.Resolved+p.Needs.Unsolvable, p.Needs.Resolved, p.Needs.Unsolvable, p.Needs.Open, p.Needs.Days, p.Needs.Overdue,
			p.Projects.Supported, tg.Projects, p.Projects.Amount, p.Projects.Jobs,
			p.Varieties.Count, tg.Varieties, p.Varieties.Introductions, p.Varieties.Area, p.Varieties.Unlinked,
			p.Leaders, tg.Leaders, p.Publicity, tg.Reports,
			p.Parks.Parks, tg.ParkVillages, p.Parks.Paired, p.Parks.Villages, p.Parks.Jobs, tg.ParkJobs,
			p.Platforms.Stars, tg.Stars, p.Platforms.Stations, tg.Stations, p.Platforms.Building)
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
