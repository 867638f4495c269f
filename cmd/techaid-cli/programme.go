package main

// The programme's kinds beyond villages, advisors, trainings and pairings: add, edit and list needs,
// projects, varieties and their introductions, leaders, publicity, parks and their pairings, platforms
// (show, history, delete and undelete take any record's id).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"

	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
)

// programmeCommands are the add/edit commands of the programme's kinds, for the command table.
var programmeCommands = []command{
	{"need", "need add --village CODE --problem 群众原话 --group 林果 [--state 待对接] [--advisor ID] [--raised D] ... | need edit ID --state 已解决 --closed D", cmdNeed},
	{"project", "project add --name N --village CODE[,CODE] --lead ID --group G --source 市科技计划 [--state 申报] [--amount 万元] ... | project edit ID ...", cmdProject},
	{"variety", "variety add --name N [--kind 新品种|新技术] [--aliases A,B] ... | variety edit ID ... | variety match TEXT   the city's registry", cmdVariety},
	{"introduction", "introduction add --variety ID|NAME --village CODE[,CODE] [--year Y] [--area 亩] [--households N] ... | introduction edit ID ...", cmdIntroduction},
	{"leader", "leader add --name N --village CODE [--kind 科技致富带头人|科技示范户] [--advisor ID] [--since D] ... | leader edit ID ...", cmdLeader},
	{"publicity", "publicity add --title T --outlet 淄博日报 [--form 新闻] [--date D] [--org CODE] ... | publicity edit ID ...", cmdPublicity},
	{"park", "park add --name N --county CODE [--speciality 沂源红苹果] | park edit ID ...   the city's science parks", cmdPark},
	{"park-pairing", "park-pairing add --park ID|NAME --village CODE [--from D] [--jobs N] | park-pairing edit ID --to D --reason R", cmdParkPairing},
	{"platform", "platform add --name N --kind 星创天地|农科驿站 --level 省级 --state 认定 --date D --location CODE [--village CODE,...] | platform edit ID ...", cmdPlatform},
}

func init() {
	i := slices.IndexFunc(commands, func(c command) bool { return c.name == "target" })
	commands = slices.Insert(commands, i+1, programmeCommands...)
	for k, v := range map[string]func(l *listing, args []string) error{
		"needs": listNeeds, "projects": listProjects, "varieties": listVarieties, "introductions": listIntroductions,
		"leaders": listLeaders, "publicity": listPublicity, "parks": listParks, "park-pairings": listParkPairings,
		"platforms": listPlatforms, "unlinked": listUnlinked,
	} {
		listers[k] = v
	}
}

func listFlag(fs *flag.FlagSet, list *[]string, name, usage string) {
	fs.Var(&listValue{list: list}, name, usage+", repeated or comma-separated")
}

func codesFlag(fs *flag.FlagSet, codes *[]ledger.Code, name, usage string) {
	fs.Var(&codeListValue{codes: codes}, name, usage+", repeated or comma-separated")
}

// today is the store's date, for the dates a new record defaults to.
func today(s *storage.Store) ledger.Date { return ledger.DateOf(s.Clock().Today()) }

func needFlags(fs *flag.FlagSet, n *ledger.Need) {
	fs.Var(codeValue{&n.Village}, "village", "村代码")
	fs.StringVar(&n.Industry, "industry", n.Industry, "产业")
	fs.StringVar(&n.Problem, "problem", n.Problem, "需求（群众原话）")
	fs.StringVar(&n.Group, "group", n.Group, "专业组: "+strings.Join(ledger.Groups, "/"))
	fs.StringVar(&n.Advisor, "advisor", n.Advisor, "承接的科技指导人员或专家编号")
	fs.StringVar(&n.State, "state", n.State, "状态: "+strings.Join(ledger.NeedStates, "/")+" (default 待对接)")
	fs.StringVar(&n.Reason, "reason", n.Reason, "原因说明（无法解决时必填）")
	fs.StringVar(&n.Survey, "survey", n.Survey, "提出它的需求调研记录编号")
	listFlag(fs, &n.Trainings, "trainings", "服务记录编号")
	listFlag(fs, &n.Projects, "projects", "支持项目编号")
	fs.Var(dateValue{&n.Raised}, "raised", "提出日期 (default today)")
	fs.Var(dateValue{&n.Closed}, "closed", "办结日期")
	fs.StringVar(&n.Notes, "notes", n.Notes, "备注")
}

func cmdNeed(ctx context.Context, c *cli, args []string) error {
	return editOrAdd(ctx, c, args, needFlags, func(n *ledger.Need, s *storage.Store) {
		if n.State == "" {
			n.State = ledger.NeedWaiting
		}
		if n.Raised == "" {
			n.Raised = today(s)
		}
	}, nil)
}

func projectFlags(fs *flag.FlagSet, p *ledger.Project) {
	fs.StringVar(&p.Name, "name", p.Name, "项目名称")
	fs.IntVar(&p.Year, "year", p.Year, "年度 (default this year)")
	codesFlag(fs, &p.Villages, "village", "实施村代码")
	fs.StringVar(&p.Lead, "lead", p.Lead, "项目负责人（科技指导人员编号）")
	listFlag(fs, &p.Team, "team", "团队成员编号")
	fs.StringVar(&p.Group, "group", p.Group, "专业组")
	fs.StringVar(&p.Source, "source", p.Source, "支持来源: "+strings.Join(ledger.ProjectSources, "/"))
	fs.Float64Var(&p.Amount, "amount", p.Amount, "支持金额（万元）")
	fs.StringVar(&p.State, "state", p.State, "状态: "+strings.Join(ledger.ProjectStates, "/")+" (default 申报)")
	fs.Var(dateValue{&p.Applied}, "applied", "申报日期")
	fs.Var(dateValue{&p.Approved}, "approved", "立项日期")
	fs.Var(dateValue{&p.Finished}, "finished", "验收（终止）日期")
	fs.IntVar(&p.Households, "households", p.Households, "受益户数")
	fs.IntVar(&p.Jobs, "jobs", p.Jobs, "带动就业（人）")
	listFlag(fs, &p.Varieties, "varieties", "引进品种/技术")
	fs.StringVar(&p.Notes, "notes", p.Notes, "备注")
}

func cmdProject(ctx context.Context, c *cli, args []string) error {
	return editOrAdd(ctx, c, args, projectFlags, func(p *ledger.Project, s *storage.Store) {
		if p.State == "" {
			p.State = ledger.ProjectApplied
		}
		if p.Year == 0 {
			p.Year = today(s).Year()
		}
	}, nil)
}

func varietyFlags(fs *flag.FlagSet, v *ledger.Variety) {
	fs.StringVar(&v.Name, "name", v.Name, "名称")
	fs.StringVar(&v.Kind, "kind", v.Kind, "类别: "+strings.Join(ledger.VarietyKinds, "/")+" (default 新品种)")
	fs.StringVar(&v.Group, "group", v.Group, "专业组")
	fs.StringVar(&v.Industry, "industry", v.Industry, "产业")
	listFlag(fs, &v.Aliases, "aliases", "别名（培训记录里的其他写法）")
	fs.StringVar(&v.Source, "source", v.Source, "选育（研发）单位")
	fs.StringVar(&v.Description, "description", v.Description, "简介")
	fs.StringVar(&v.Notes, "notes", v.Notes, "备注")
}

func cmdVariety(ctx context.Context, c *cli, args []string) error {
	if len(args) > 0 && args[0] == "match" {
		return varietyMatch(c, args[1:])
	}
	return editOrAdd(ctx, c, args, varietyFlags, func(v *ledger.Variety, _ *storage.Store) {
		if v.Kind == "" {
			v.Kind = ledger.VarietyBreed
		}
	}, nil)
}

// varietyMatch says what a text (as a training names a variety) counts as: a registered variety, or
// none, with the ones it may mean.
func varietyMatch(c *cli, args []string) error {
	fs := flag.NewFlagSet("match", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parse(fs, c, args, 1)
	if err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error {
		m := s.MatchVariety(pos[0])
		if *asJSON {
			return c.printJSON(m)
		}
		if m.Variety != nil {
			fmt.Fprintf(c.stdout, "「%s」计为 %s（%s，编号 %s）\n", m.Text, m.Variety.Name, m.Variety.Kind, m.Variety.ID)
			return nil
		}
		fmt.Fprintf(c.stdout, "「%s」未登记，不计入新品种新技术%s\n", m.Text, nearText(m.Near))
		return nil
	})
}

func nearText(near []ledger.Variety) string {
	if len(near) == 0 {
		return ""
	}
	names := make([]string, len(near))
	for i, v := range near {
		names[i] = fmt.Sprintf("%s（%s）", v.Name, v.ID)
	}
	return "；是否指：" + strings.Join(names, "、") + "？如是，请市局把它登记为别名"
}

// resolveVariety takes a variety id, or a name the registry knows (NormalName, aliases); a name it
// does not know is left as it is for validation to refuse, with what it may mean in the error.
func resolveVariety(s *storage.Store, text string) (string, error) {
	if rec, err := s.Record(text); err == nil && rec.Kind == ledger.KindVariety {
		return text, nil
	}
	m := s.MatchVariety(text)
	if m.Variety != nil {
		return m.Variety.ID, nil
	}
	return "", ledger.ClerkError(fmt.Sprintf("variety %q is not registered", text),
		fmt.Sprintf("品种/技术「%s」未登记%s", text, nearText(m.Near)))
}

func introductionFlags(fs *flag.FlagSet, i *ledger.Introduction) {
	fs.StringVar(&i.Variety, "variety", i.Variety, "品种/技术（编号或登记的名称、别名）")
	fs.IntVar(&i.Year, "year", i.Year, "年度 (default this year)")
	fs.Var(dateValue{&i.Date}, "date", "引进日期")
	codesFlag(fs, &i.Villages, "village", "推广村代码")
	fs.Float64Var(&i.Area, "area", i.Area, "推广面积（亩）")
	fs.IntVar(&i.Households, "households", i.Households, "带动户数")
	listFlag(fs, &i.Trainings, "trainings", "相关培训编号")
	fs.StringVar(&i.Notes, "notes", i.Notes, "备注")
}

func cmdIntroduction(ctx context.Context, c *cli, args []string) error {
	var resolveErr error
	err := editOrAdd(ctx, c, args, introductionFlags, func(i *ledger.Introduction, s *storage.Store) {
		if i.Year == 0 {
			i.Year = today(s).Year()
			if y := i.Date.Year(); y != 0 {
				i.Year = y
			}
		}
		if i.Variety != "" {
			if id, err := resolveVariety(s, i.Variety); err == nil {
				i.Variety = id
			} else {
				resolveErr = err
			}
		}
	}, nil)
	var ve *ledger.ValidationError
	if resolveErr != nil && errors.As(err, &ve) {
		return resolveErr // the name the clerk typed, and what it may mean, rather than "no variety of that id"
	}
	return err
}

func leaderFlags(fs *flag.FlagSet, l *ledger.Leader) {
	fs.StringVar(&l.Name, "name", l.Name, "姓名")
	fs.StringVar(&l.Kind, "kind", l.Kind, "类别: "+strings.Join(ledger.LeaderKinds, "/")+" (default 科技致富带头人)")
	fs.Var(codeValue{&l.Village}, "village", "村代码")
	fs.StringVar(&l.Gender, "gender", l.Gender, "性别 (男/女)")
	fs.StringVar(&l.Phone, "phone", l.Phone, "电话")
	fs.StringVar(&l.Industry, "industry", l.Industry, "产业")
	fs.StringVar(&l.Advisor, "advisor", l.Advisor, "帮带的科技指导人员编号")
	fs.Var(dateValue{&l.Since}, "since", "认定日期 (default today)")
	fs.StringVar(&l.Notes, "notes", l.Notes, "备注")
}

func cmdLeader(ctx context.Context, c *cli, args []string) error {
	return editOrAdd(ctx, c, args, leaderFlags, func(l *ledger.Leader, s *storage.Store) {
		if l.Kind == "" {
			l.Kind = ledger.LeaderRich
		}
		if l.Since == "" {
			l.Since = today(s)
		}
	}, nil)
}

func publicityFlags(fs *flag.FlagSet, p *ledger.Publicity) {
	fs.StringVar(&p.Title, "title", p.Title, "标题")
	fs.StringVar(&p.Outlet, "outlet", p.Outlet, "刊发媒体")
	fs.Var(dateValue{&p.Date}, "date", "刊发日期 (default today)")
	fs.StringVar(&p.Form, "form", p.Form, "形式: "+strings.Join(ledger.PublicityForms, "/")+" (default 新闻)")
	fs.Var(codeValue{&p.Org}, "org", "报送单位的区划代码 (default this office's)")
	listFlag(fs, &p.Advisors, "advisor", "涉及的科技指导人员编号")
	codesFlag(fs, &p.Villages, "village", "涉及的村代码")
	fs.StringVar(&p.Link, "link", p.Link, "链接或出处")
	fs.StringVar(&p.Notes, "notes", p.Notes, "备注")
}

func cmdPublicity(ctx context.Context, c *cli, args []string) error {
	return editOrAdd(ctx, c, args, publicityFlags, func(p *ledger.Publicity, s *storage.Store) {
		if p.Form == "" {
			p.Form = ledger.PublicityNews
		}
		if p.Date == "" {
			p.Date = today(s)
		}
		if p.Org == "" {
			p.Org = s.Identity().Scope
		}
	}, nil)
}

func parkFlags(fs *flag.FlagSet, p *ledger.Park) {
	fs.StringVar(&p.Name, "name", p.Name, "园区名称")
	fs.Var(codeValue{&p.County}, "county", "所在区县代码")
	fs.StringVar(&p.Speciality, "speciality", p.Speciality, "特色产业")
	fs.IntVar(&p.Year, "year", p.Year, "认定年份")
	fs.StringVar(&p.Notes, "notes", p.Notes, "备注")
}

func cmdPark(ctx context.Context, c *cli, args []string) error {
	return editOrAdd(ctx, c, args, parkFlags, nil, nil)
}

func parkPairingFlags(fs *flag.FlagSet, p *ledger.ParkPairing) {
	fs.StringVar(&p.Park, "park", p.Park, "园区（编号或名称）")
	fs.Var(codeValue{&p.Village}, "village", "村代码")
	fs.Var(dateValue{&p.From}, "from", "开始日期 (default today)")
	fs.Var(dateValue{&p.To}, "to", "结束日期")
	fs.StringVar(&p.Reason, "reason", p.Reason, "结对（调整）原因")
	fs.IntVar(&p.Jobs, "jobs", p.Jobs, "带动就业（人）")
	fs.StringVar(&p.Notes, "notes", p.Notes, "备注")
}

func cmdParkPairing(ctx context.Context, c *cli, args []string) error {
	return editOrAdd(ctx, c, args, parkPairingFlags, func(p *ledger.ParkPairing, s *storage.Store) {
		if p.From == "" {
			p.From = today(s)
		}
		if rec, err := s.Record(p.Park); err != nil || rec.Kind != ledger.KindPark {
			for _, park := range s.Parks("", nil) { // a park named rather than given by id
				if park.Name == strings.TrimSpace(p.Park) {
					p.Park = park.ID
				}
			}
		}
	}, nil)
}

func platformFlags(fs *flag.FlagSet, p *ledger.Platform) {
	fs.StringVar(&p.Name, "name", p.Name, "名称")
	fs.StringVar(&p.Kind, "kind", p.Kind, "类型: "+strings.Join(ledger.PlatformKinds, "/"))
	fs.StringVar(&p.Level, "level", p.Level, "级别: "+strings.Join(ledger.PlatformLevels, "/"))
	fs.StringVar(&p.State, "state", p.State, "状态: "+strings.Join(ledger.PlatformStates, "/"))
	fs.Var(dateValue{&p.Date}, "date", "认定（筹建）日期")
	fs.Var(codeValue{&p.Location}, "location", "所在区县或乡镇代码")
	fs.StringVar(&p.Address, "address", p.Address, "地址")
	fs.StringVar(&p.Operator, "operator", p.Operator, "运营主体")
	codesFlag(fs, &p.Villages, "village", "服务村代码")
	fs.StringVar(&p.Notes, "notes", p.Notes, "备注")
}

func cmdPlatform(ctx context.Context, c *cli, args []string) error {
	return editOrAdd(ctx, c, args, platformFlags, nil, nil)
}

// listFilters adds the flags the lists of the programme's kinds share (--under, --search, --limit are
// every list's) and returns the filter they fill.
func (l *listing) listFilters() *query.List {
	q := &query.List{}
	l.fs.StringVar(&q.Advisor, "advisor", "", "records naming this advisor")
	l.fs.IntVar(&q.Year, "year", 0, "records of this year")
	l.fs.Var(dateValue{&q.From}, "from", "dated on or after YYYY-MM-DD")
	l.fs.Var(dateValue{&q.To}, "to", "dated on or before YYYY-MM-DD")
	return q
}

// done completes the shared filter after parsing and checks it.
func (l *listing) done(q *query.List) error {
	q.Under, q.Search, q.Limit = ledger.Code(l.under), l.search, l.limit
	return errors.Join(checkCode("under", q.Under, false), checkDate("from", q.From), checkDate("to", q.To))
}

// printPage prints a list and, as a table, how many of how many.
func printPage[T any](l *listing, items []T, total int, header string, row func(T) []string) error {
	err := printList(l, items, header, row)
	if err == nil && !l.json {
		fmt.Fprintf(l.c.stdout, "%d of %d\n", len(items), total)
	}
	return err
}

func advisorName(s *storage.Store, id string) string {
	if a, err := s.Advisor(id); err == nil {
		return a.Name
	}
	return id
}

func listNeeds(l *listing, args []string) error {
	base := l.listFilters()
	var q query.Needs
	l.fs.StringVar(&q.Group, "group", "", "professional group")
	l.fs.StringVar(&q.State, "state", "", "state")
	l.fs.BoolVar(&q.Open, "open", false, "only open needs (待对接, 已对接, 服务中)")
	l.fs.IntVar(&q.Older, "older", 0, "only open needs waiting more than N days")
	l.fs.StringVar(&q.Training, "training", "", "needs a training served or raised")
	if err := l.parse(args); err != nil {
		return err
	}
	if err := l.done(base); err != nil {
		return err
	}
	q.List = *base
	return l.c.withStore(func(s *storage.Store) error {
		ns, total := s.Needs(q, nil)
		on := today(s)
		return printPage(l, ns, total, "编号\t提出日期\t村\t专业组\t状态\t已等待\t承接人\t需求", func(n ledger.Need) []string {
			waited := ""
			if n.Open() {
				if d, ok := n.Raised.Days(); ok {
					t, _ := on.Days()
					waited = fmt.Sprintf("%d 天", t-d)
				}
			}
			return []string{n.ID, string(n.Raised), villageNames(s, []ledger.Code{n.Village}), n.Group, n.State, waited,
				advisorName(s, n.Advisor), n.Problem}
		})
	})
}

func listProjects(l *listing, args []string) error {
	base := l.listFilters()
	var q query.Projects
	l.fs.StringVar(&q.Group, "group", "", "professional group")
	l.fs.StringVar(&q.State, "state", "", "state")
	l.fs.StringVar(&q.Source, "source", "", "source of support")
	l.fs.BoolVar(&q.Supported, "supported", false, "only projects counted as supported (立项, 实施, 验收)")
	if err := l.parse(args); err != nil {
		return err
	}
	if err := l.done(base); err != nil {
		return err
	}
	q.List = *base
	return l.c.withStore(func(s *storage.Store) error {
		ps, total := s.Projects(q, nil)
		return printPage(l, ps, total, "编号\t年度\t项目名称\t状态\t支持来源\t金额（万元）\t负责人\t实施村", func(p ledger.Project) []string {
			return []string{p.ID, fmt.Sprint(p.Year), p.Name, p.State, p.Source, fmt.Sprint(p.Amount), advisorName(s, p.Lead),
				villageNames(s, p.Villages)}
		})
	})
}

func listVarieties(l *listing, args []string) error {
	var q query.Varieties
	l.fs.StringVar(&q.Kind, "kind", "", "新品种 or 新技术")
	l.fs.StringVar(&q.Group, "group", "", "professional group")
	if err := l.parse(args); err != nil {
		return err
	}
	q.Search = l.search
	return l.c.withStore(func(s *storage.Store) error {
		vs := s.Varieties(q, nil)
		if l.limit > 0 && len(vs) > l.limit {
			vs = vs[:l.limit]
		}
		return printList(l, vs, "编号\t名称\t类别\t专业组\t产业\t别名", func(v ledger.Variety) []string {
			return []string{v.ID, v.Name, v.Kind, v.Group, v.Industry, strings.Join(v.Aliases, "、")}
		})
	})
}

func listIntroductions(l *listing, args []string) error {
	base := l.listFilters()
	var q query.Introductions
	l.fs.StringVar(&q.Variety, "variety", "", "introductions of this variety (id or registered name)")
	if err := l.parse(args); err != nil {
		return err
	}
	if err := l.done(base); err != nil {
		return err
	}
	q.List = *base
	return l.c.withStore(func(s *storage.Store) error {
		if q.Variety != "" {
			id, err := resolveVariety(s, q.Variety)
			if err != nil {
				return err
			}
			q.Variety = id
		}
		is, total := s.Introductions(q, nil)
		return printPage(l, is, total, "编号\t年度\t品种/技术\t推广村\t面积（亩）\t带动户数", func(i ledger.Introduction) []string {
			name := i.Variety
			if v, err := storage.Get[ledger.Variety](s, i.Variety); err == nil {
				name = v.Name
			}
			return []string{i.ID, fmt.Sprint(i.Year), name, villageNames(s, i.Villages), fmt.Sprint(i.Area), fmt.Sprint(i.Households)}
		})
	})
}

func listLeaders(l *listing, args []string) error {
	base := l.listFilters()
	var q query.Leaders
	l.fs.StringVar(&q.Kind, "kind", "", "科技致富带头人 or 科技示范户")
	if err := l.parse(args); err != nil {
		return err
	}
	if err := l.done(base); err != nil {
		return err
	}
	q.List = *base
	return l.c.withStore(func(s *storage.Store) error {
		ls, total := s.Leaders(q, nil)
		return printPage(l, ls, total, "编号\t认定日期\t姓名\t类别\t村\t产业\t帮带人", func(x ledger.Leader) []string {
			return []string{x.ID, string(x.Since), x.Name, x.Kind, villageNames(s, []ledger.Code{x.Village}), x.Industry, advisorName(s, x.Advisor)}
		})
	})
}

func listPublicity(l *listing, args []string) error {
	base := l.listFilters()
	var q query.Publicity
	l.fs.StringVar(&q.Form, "form", "", "新闻, 专栏 or 专题")
	if err := l.parse(args); err != nil {
		return err
	}
	if err := l.done(base); err != nil {
		return err
	}
	q.List = *base
	return l.c.withStore(func(s *storage.Store) error {
		ps, total := s.PublicityList(q, nil)
		return printPage(l, ps, total, "编号\t日期\t标题\t媒体\t形式\t报送单位", func(p ledger.Publicity) []string {
			return []string{p.ID, string(p.Date), p.Title, p.Outlet, p.Form, string(p.Org)}
		})
	})
}

func listParks(l *listing, args []string) error {
	if err := l.parse(args); err != nil {
		return err
	}
	if err := checkCode("under", ledger.Code(l.under), false); err != nil {
		return err
	}
	return l.c.withStore(func(s *storage.Store) error {
		return printList(l, s.Parks(ledger.Code(l.under), nil), "编号\t园区名称\t所在区县\t特色产业", func(p ledger.Park) []string {
			return []string{p.ID, p.Name, string(p.County), p.Speciality}
		})
	})
}

func listParkPairings(l *listing, args []string) error {
	var q query.ParkPairings
	l.fs.StringVar(&q.Park, "park", "", "pairings of this park")
	l.fs.Var(dateValue{&q.On}, "active", "only those active on this date")
	l.fs.IntVar(&q.Year, "year", 0, "only those running in this year")
	if err := l.parse(args); err != nil {
		return err
	}
	q.Under = ledger.Code(l.under)
	if err := errors.Join(checkCode("under", q.Under, false), checkDate("active", q.On)); err != nil {
		return err
	}
	return l.c.withStore(func(s *storage.Store) error {
		ps := s.ParkPairings(q, nil)
		return printList(l, ps, "编号\t园区\t村\t开始\t结束\t带动就业\t原因", func(p ledger.ParkPairing) []string {
			name := p.Park
			if park, err := storage.Get[ledger.Park](s, p.Park); err == nil {
				name = park.Name
			}
			return []string{p.ID, name, villageNames(s, []ledger.Code{p.Village}), string(p.From), string(p.To), fmt.Sprint(p.Jobs), p.Reason}
		})
	})
}

func listPlatforms(l *listing, args []string) error {
	base := l.listFilters()
	var q query.Platforms
	l.fs.StringVar(&q.Kind, "kind", "", "星创天地 or 农科驿站")
	l.fs.StringVar(&q.Level, "level", "", "国家级, 省级 or 市级")
	l.fs.StringVar(&q.State, "state", "", "筹建 or 认定")
	if err := l.parse(args); err != nil {
		return err
	}
	if err := l.done(base); err != nil {
		return err
	}
	q.List = *base
	return l.c.withStore(func(s *storage.Store) error {
		ps, total := s.Platforms(q, nil)
		return printPage(l, ps, total, "编号\t名称\t类型\t级别\t状态\t日期\t所在地\t服务村", func(p ledger.Platform) []string {
			return []string{p.ID, p.Name, p.Kind, p.Level, p.State, string(p.Date), string(p.Location), villageNames(s, p.Villages)}
		})
	})
}

// listUnlinked lists the variety texts trainings and projects name that the registry does not know.
func listUnlinked(l *listing, args []string) error {
	year := l.fs.Int("year", 0, "year (default this year)")
	if err := l.parse(args); err != nil {
		return err
	}
	if err := checkCode("under", ledger.Code(l.under), false); err != nil {
		return err
	}
	return l.c.withStore(func(s *storage.Store) error {
		if *year == 0 {
			*year = today(s).Year()
		}
		us := s.Unlinked(*year, ledger.Code(l.under))
		return printList(l, us, "名称\t次数\t是否指", func(u query.Unlinked) []string {
			var near []string
			for _, v := range u.Near {
				near = append(near, v.Name)
			}
			return []string{u.Name, fmt.Sprint(u.Count), strings.Join(near, "、")}
		})
	})
}
