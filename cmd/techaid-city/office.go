package main

// The office commands: register an office and print its token once, list them, revoke one. Each runs on
// the store, or, while a server holds it, through the server's admin endpoint (admin.go).

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"text/tabwriter"
	"time"

	"techaid/cmd/internal/cmdline"
	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/hub"
)

func (c *city) office(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "add":
		return c.officeAdd(args[1:])
	case "list":
		return c.officeList(args[1:])
	case "revoke":
		return c.officeRevoke(args[1:])
	}
	return errUsage
}

func (c *city) officeAdd(args []string) error {
	fs := flag.NewFlagSet("office add", flag.ContinueOnError)
	scope := fs.String("scope", "", "the office's scope: city, county or township code")
	name := fs.String("name", "", "the office's name, e.g. 鲁村镇")
	if _, err := parse(fs, c, args, 0); err != nil || *scope == "" || *name == "" {
		return errUsage
	}
	var out addResult
	err := c.admin(func(st *storage.Store) error {
		o, token, err := hub.AddOffice(st, *name, ledger.Code(*scope), time.Now())
		out = addResult{Office: o, Token: token}
		return err
	}, http.MethodPost, "/admin/offices", addRequest{Name: *name, Scope: ledger.Code(*scope)}, &out)
	if err != nil {
		return err
	}
	if out.Office.Reissued != nil {
		fmt.Fprintf(c.stderr, "已为 %s（范围 %s）重新签发令牌，原来的令牌仍停用；该单位的电脑沿用原登记。令牌只显示这一次，请交给该单位 (office %s: new token, same registration; the token is shown once):\n",
			out.Office.Name, out.Office.Scope, out.Office.ID)
	} else {
		fmt.Fprintf(c.stderr, "已登记 %s（范围 %s）。令牌只显示这一次，请交给该单位 (office %s added; the token is shown once):\n", out.Office.Name, out.Office.Scope, out.Office.ID)
	}
	fmt.Fprintln(c.stdout, out.Token)
	return nil
}

func (c *city) officeList(args []string) error {
	fs := flag.NewFlagSet("office list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "JSON output")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	var offices []hub.Office
	err := c.admin(func(st *storage.Store) error {
		var err error
		offices, err = hub.ListOffices(st)
		return err
	}, http.MethodGet, "/admin/offices", nil, &offices)
	if err != nil {
		return err
	}
	if *asJSON {
		for i := range offices {
			offices[i].TokenHash, offices[i].Retired = "", nil
		}
		return cmdline.PrintJSON(c.stdout, offices)
	}
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "名称\t范围\t登记时间\t状态\tID")
	for _, o := range offices {
		state := "有效"
		if o.Reissued != nil {
			state = "有效（" + o.Reissued.In(ledger.China).Format("2006-01-02 15:04") + " 重新签发）"
		}
		if o.Revoked != nil {
			state = "已停用 " + o.Revoked.In(ledger.China).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", o.Name, o.Scope, o.Created.In(ledger.China).Format("2006-01-02 15:04"), state, o.ID)
	}
	return w.Flush()
}

func (c *city) officeRevoke(args []string) error {
	pos, err := parse(flag.NewFlagSet("office revoke", flag.ContinueOnError), c, args, 1)
	if err != nil {
		return err
	}
	var o hub.Office
	err = c.admin(func(st *storage.Store) error {
		var err error
		o, err = hub.RevokeOffice(st, pos[0], time.Now())
		return err
	}, http.MethodPost, "/admin/revoke", revokeRequest{Office: pos[0]}, &o)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "已停用 %s 的令牌 (revoked office %s, %s)\n", o.Name, o.ID, o.Scope)
	return nil
}
