package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"time"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/protocol"
)

// version is this build's version, sent to the hub for its status page; stamped at build time
// (scripts/package.sh: -ldflags "-X main.version=…").
var version = "dev"

func cmdSync(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	city := fs.String("city", "", "the city hub, e.g. kjj.zibo.gov.cn:8750 (wss:// unless a scheme is given; remembered)")
	tokenFile := fs.String("token-file", "", "read this office's token from FILE (- for standard input); else $TECHAID_TOKEN, the remembered one, or a prompt")
	insecure := fs.Bool("insecure", false, "accept a plain ws:// or http:// address to another machine: the token and the records cross the network unencrypted (remembered with the address)")
	legacy := fs.String("token", "", "refused: a command line is visible to every user of the PC")
	once := fs.Bool("once", false, "push everything, pull until caught up, then exit")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	if *legacy != "" {
		return errTokenFlag
	}
	given, err := c.givenToken(*tokenFile)
	if err != nil {
		return err
	}
	if *city != "" {
		if err := client.CheckAddress(*city); err != nil {
			return fmt.Errorf("--city %q: %w (want wss://HOST[:PORT], HOST[:PORT] or https://…)", *city, errBadAddress)
		}
	}
	return c.withStore(func(s *storage.Store) error {
		cfg, err := c.syncConfig(s, *city, *insecure, given)
		if err != nil {
			return err
		}
		cl := client.New(client.Config{URL: cfg.City, Token: cfg.Token, Plain: cfg.Plain, Store: s, App: version,
			Logger: log.New(c.stderr, "", log.LstdFlags)})
		if *once {
			return c.syncOnce(ctx, cl)
		}
		return c.syncLive(ctx, cl)
	})
}

// syncConfig is the hub's address and the token to sync with: the remembered ones, unless the command
// gives others (which are remembered then). A first sync with no token given asks for it.
func (c *cli) syncConfig(s *storage.Store, city string, insecure bool, given string) (client.Remembered, error) {
	cfg, err := client.LoadRemembered(s)
	if errors.Is(err, client.ErrTokenUnreadable) && given == "" {
		fmt.Fprintf(c.stderr, "techaid-cli: %s (%v)\n", client.Chinese(err), err)
	} else if err != nil && !errors.Is(err, client.ErrTokenUnreadable) {
		return cfg, err
	}
	before := cfg
	if city != "" && city != cfg.City {
		cfg.City, cfg.Plain = city, false // an acceptance belongs to its address
	}
	if insecure {
		cfg.Plain = true
	}
	if given != "" {
		cfg.Token = given
	}
	if cfg.Token == "" && cfg.City != "" {
		if cfg.Token, err = c.promptToken(); err != nil {
			return cfg, err
		}
	}
	if cfg.City == "" || cfg.Token == "" {
		return cfg, fmt.Errorf("同步需要市局服务器地址和本单位的令牌：第一次同步请给出 --city 地址，令牌用 --token-file 文件 或环境变量 TECHAID_TOKEN，或在提示时输入 (the first sync needs --city and a token: --token-file FILE, $TECHAID_TOKEN, or typed at the prompt): %w", errNoHub)
	}
	if client.Plain(cfg.City) && !cfg.Plain {
		return cfg, fmt.Errorf("市局服务器地址 %s 不加密，令牌和记录会以明文经过网络；请改用 wss:// 地址，确需使用时加 --insecure (%w)", cfg.City, client.ErrPlain)
	}
	if cfg != before {
		warning, err := client.Remember(s, cfg)
		if err != nil {
			return cfg, err
		}
		if warning != "" {
			fmt.Fprintln(c.stderr, "techaid-cli: 注意："+warning)
		}
	}
	return cfg, nil
}

// syncOnce pushes everything, pulls until caught up, and says what it did.
func (c *cli) syncOnce(ctx context.Context, cl *client.Client) error {
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
		fmt.Fprintf(c.stdout, "注意：%s (clock offset %s)\n", ledger.OffsetWarning(st.Offset), st.Offset.Round(time.Second))
	}
	return nil
}

// syncLive stays in sync until ctx ends, printing a line whenever the state a clerk reads changes.
func (c *cli) syncLive(ctx context.Context, cl *client.Client) error {
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
}

var (
	errBadAddress = errors.New("not a hub address")
	errNoHub      = errors.New("no hub address or token")
)

// syncError is a sync failure: the clerk's sentence (client.Chinese, or the hub's own, already Chinese)
// and the detail.
type syncError struct{ err error }

func (e syncError) Error() string {
	var pe protocol.Error
	if errors.As(e.err, &pe) {
		return "hub: " + string(pe.Code)
	}
	return e.err.Error()
}

func (e syncError) Chinese() string {
	var pe protocol.Error
	if errors.As(e.err, &pe) {
		return pe.Message
	}
	return client.Chinese(e.err)
}

func (e syncError) Unwrap() error { return e.err }
func cmdChanges(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("changes", flag.ContinueOnError)
	after := fs.Uint64("after", 0, "after this sequence number")
	limit := fs.Int("limit", 1000, "at most this many")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error {
		changes, err := s.Changes(*after, *limit)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(c.stdout)
		for _, ch := range changes {
			if err := enc.Encode(struct {
				Seq    uint64        `json:"seq"`
				Record ledger.Record `json:"record"`
			}{ch.Seq, ch.Record}); err != nil {
				return err
			}
		}
		return nil
	})
}
