package main

// The commands that read a running server or the city's store: status and the hub's conflict log.

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"text/tabwriter"

	"techaid/cmd/internal/cmdline"
	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
	"techaid/sync/hub"
)

func (c *city) status(args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print /status.json as it is")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	sf, err := c.running()
	if err != nil {
		return err
	}
	resp, err := adminClient.Get(sf.adminURL() + "/status.json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if *asJSON {
		_, err := io.Copy(c.stdout, resp.Body)
		return err
	}
	var st hub.Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "范围 %s · 已连接 %d · 全局序号 %d · 冲突记录 %d · 待补全 %d · 纪元 %s\n", st.Scope, st.Sessions, st.Head, st.Conflicts, st.Parked, st.Epoch)
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "单位\t范围\t在线\t最近联系\t已收\t待收\t")
	for _, o := range st.Offices {
		last := "从未"
		if o.LastContact != nil {
			last = o.LastContact.In(ledger.China).Format("2006-01-02 15:04")
		}
		mark := ""
		if o.Stale {
			mark = "久未联系"
		}
		if o.Revoked {
			mark = "已停用"
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%d\t%d\t%s\n", o.Name, o.Scope, o.Connected, last, o.Received, o.Pending, mark)
	}
	return w.Flush()
}

// conflicts lists the hub's conflict log: for each field two offices wrote without seeing each other's
// write, the value that holds everywhere and the one that lost (kept here; the office that wrote it
// has it in its own log, from which a clerk can put it back).
func (c *city) conflicts(args []string) error {
	fs := flag.NewFlagSet("conflicts", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "JSON output")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	var list []query.Conflict
	err := c.admin(func(st *storage.Store) error {
		var err error
		list, err = st.Conflicts(false)
		return err
	}, http.MethodGet, "/admin/conflicts", nil, &list)
	if err != nil {
		return err
	}
	if *asJSON {
		if list == nil {
			list = []query.Conflict{}
		}
		return cmdline.PrintJSON(c.stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(c.stdout, "市局没有冲突记录 (no conflicts)")
		return nil
	}
	who := func(f ledger.Field) string {
		return fmt.Sprintf("%s（%s，%s）", f.Value, f.Office, f.Author)
	}
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "序号\t记录\t字段\t现在的值（单位，录入人）\t被覆盖的值（单位，录入人）\t被覆盖的值写于")
	for _, cf := range list {
		zh, _ := ledger.Label(cf.Kind, cf.Field)
		fmt.Fprintf(w, "%d\t%s %s\t%s\t%s\t%s\t%s\n", cf.Seq, ledger.KindName(cf.Kind), cf.ID, zh, who(cf.Winner), who(cf.Loser),
			cf.Loser.Stamp.Time().In(ledger.China).Format("2006-01-02 15:04"))
	}
	return w.Flush()
}
