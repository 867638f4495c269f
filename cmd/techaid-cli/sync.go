package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"time"

	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/protocol"
)

// version is this build's version, sent to the hub for its status page; stamped at build time
// (scripts/package.sh: -ldflags "-X main.version=…").
var version = "dev"

func cmdSync(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	city := fs.String("city", "", "the city hub, e.g. ws://127.0.0.1:8750 (remembered)")
	token := fs.String("token", "", "this office's token, from the city (remembered)")
	once := fs.Bool("once", false, "push everything, pull until caught up, then exit")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error {
		cfg, err := client.LoadRemembered(s)
		if err != nil {
			return err
		}
		changed := false
		if *city != "" && *city != cfg.City {
			cfg.City, changed = *city, true
		}
		if *token != "" && *token != cfg.Token {
			cfg.Token, changed = *token, true
		}
		if cfg.City == "" || cfg.Token == "" {
			return fmt.Errorf("%w: the first sync needs --city URL and --token TOKEN", errUsage)
		}
		if changed {
			if err := client.Remember(s, cfg); err != nil {
				return err
			}
		}
		cl := client.New(client.Config{URL: cfg.City, Token: cfg.Token, Store: s, App: version,
			Logger: log.New(c.stderr, "", log.LstdFlags)})
		if *once {
			sum, err := cl.Once(ctx)
			for _, r := range sum.Refused {
				fmt.Fprintf(c.stdout, "市局未接收 %s %s（第 %d 条变更）：%s\n", r.Kind, r.ID, r.Seq, r.Message)
			}
			if err != nil {
				return syncError{err}
			}
			st := cl.State()
			rate := float64(sum.Pushed+sum.Pulled) / max(sum.Elapsed.Seconds(), 1e-9)
			fmt.Fprintf(c.stdout, "已同步：上报 %d 条，市局未接收 %d 条，接收 %d 条（更新本机 %d 条），新冲突 %d 条，用时 %.2f 秒 (pushed %d, refused %d, pulled %d, changed %d, conflicts %d, %.0f records/s; office %s %s)\n",
				sum.Pushed, len(sum.Refused), sum.Pulled, sum.Changed, sum.Conflicts, sum.Elapsed.Seconds(),
				sum.Pushed, len(sum.Refused), sum.Pulled, sum.Changed, sum.Conflicts, rate, st.Office, st.Scope)
			if st.OffsetWarning() {
				fmt.Fprintf(c.stdout, "注意：本机时钟与市局相差 %s，请校准本机时间 (clock offset %s)\n", st.Offset.Round(time.Second), st.Offset)
			}
			return nil
		}
		done := make(chan error, 1)
		go func() { done <- cl.Run(ctx) }()
		last := ""
		for {
			select {
			case st := <-cl.States():
				line := st.Chinese()
				if st.Pulled > 0 && st.Phase == client.UpToDate {
					line += fmt.Sprintf("（这次连接共接收 %d 条）", st.Pulled)
				}
				if line != last {
					fmt.Fprintf(c.stdout, "%s %s\n", time.Now().In(time.Local).Format("15:04:05"), line)
					last = line
				}
			case err := <-done:
				if errors.Is(err, context.Canceled) {
					return nil
				}
				return syncError{err}
			}
		}
	})
}

// syncError renders a sync failure as the clerk's sentence with the detail.
type syncError struct{ err error }

func (e syncError) Error() string {
	var pe protocol.Error
	if errors.As(e.err, &pe) {
		return pe.Message + " (hub: " + string(pe.Code) + ")" // the hub's sentence is already Chinese
	}
	return client.Chinese(e.err) + " (" + e.err.Error() + ")"
}
func (e syncError) Unwrap() error { return e.err }
