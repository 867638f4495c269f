package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"techaid/cmd/internal/cmdline"
	"techaid/ledger"
	"techaid/query"
	"techaid/storage"
	"techaid/sync/hub"
)

// version is stamped at build time (scripts/package.sh: -ldflags "-X main.version=…").
var version = "dev"

var errUsage = cmdline.ErrUsage

const usage = `usage: techaid-city [--data DIR] [--city CODE] COMMAND [ARGS]
       techaid-city --version

commands:
  office add --scope CODE --name NAME     register an office; prints its token once
  office list [--json]                    offices, with revoked ones
  office revoke NAME_OR_ID                refuse the office's token from now on (live sessions are cut)
  import villages FILE.csv                the division list (columns of zibo_divisions.csv)
  serve [--listen 127.0.0.1:8750] [--admin-listen 127.0.0.1:0] [--tls-cert F --tls-key F] [--stale-days 7]
        [--idle-timeout 1m] [--max-conns-per-address 128]
  status [--json]                         the status of a running server
  conflicts [--json]                      the hub's conflict log: values that lost to another office's edit
  backup FILE|FOLDER/                     a consistent backup, written by this command (also while the server
                                          runs); into a folder: city-YYYY-MM-DD.bak. Stop the server to restore
  restore FILE                            replace the data with a backup; offices resend what it lacks
  loadtest --villages FILE [--offices 2000] [--records 100]   simulate offices against the running server

The store is created on first use for the city --city (default 3703, 淄博市).
An encrypted store reads its passphrase from $TECHAID_PASSPHRASE.`

type city struct {
	stdout, stderr io.Writer
	dir            string
	code           ledger.Code
	opts           storage.Options
}

func run(args []string, stdout, stderr io.Writer) int {
	c := &city{stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("techaid-city", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.dir, "data", "", "data directory (default: $TECHAID_DATA or the per-user data directory + -city)")
	code := fs.String("city", "3703", "the city's 4-digit code, used when the store is created")
	fs.Usage = func() { fmt.Fprintln(stderr, usage) }
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *showVersion {
		fmt.Fprintln(stdout, "techaid-city", version)
		return 0
	}
	c.code = ledger.Code(*code)
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	if c.dir == "" {
		dir, err := storage.DefaultDir()
		if err != nil {
			fmt.Fprintf(stderr, "techaid-city: no data directory: %v\n", err)
			return 1
		}
		c.dir = dir + "-city"
	}
	c.opts.Passphrase = os.Getenv("TECHAID_PASSPHRASE")
	c.opts.Lean = true // the city reads through a city replica; the hub only merges and serves
	c.opts.Logger = log.New(stderr, "badger: ", log.LstdFlags)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	rest := fs.Args()[1:]
	switch fs.Arg(0) {
	case "office":
		err = c.office(ctx, rest)
	case "import":
		err = c.importVillages(ctx, rest)
	case "serve":
		err = c.serve(ctx, rest)
	case "status":
		err = c.status(rest)
	case "conflicts":
		err = c.conflicts(rest)
	case "backup":
		err = c.backup(rest)
	case "loadtest":
		err = c.loadtest(ctx, rest)
	case "restore":
		err = c.restore(rest)
	default:
		fs.Usage()
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, usage)
		return 2
	}
	fmt.Fprintln(stderr, "techaid-city: "+oneLine(err))
	return 1
}

func oneLine(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, storage.ErrLocked), errors.Is(err, storage.ErrPassphrase), errors.Is(err, storage.ErrNewerFormat):
		msg = ledger.Chinese(err) + " (" + msg + ")"
	case errors.Is(err, hub.ErrNoOffice):
		msg = "没有这个单位 (" + msg + ")"
	case errors.Is(err, hub.ErrOfficeExists):
		msg = "已有同名单位 (" + msg + ")"
	}
	return strings.ReplaceAll(msg, "\n", "; ")
}

// open opens the city's store, creating it for the city on first use.
func (c *city) open() (*storage.Store, error) {
	if c.code.Level() != ledger.LevelCity {
		return nil, fmt.Errorf("--city %q: a 4-digit city code: %w", c.code, errUsage)
	}
	st, err := storage.Open(c.dir, c.opts)
	if err != nil {
		return nil, err
	}
	if st.Identity().Replica == "" {
		if err := st.Init(c.code, "市局服务器"); err != nil {
			st.Close()
			return nil, err
		}
		fmt.Fprintf(c.stderr, "techaid-city: created the store for %s in %s\n", c.code, c.dir)
	}
	return st, nil
}

func (c *city) withStore(fn func(st *storage.Store) error) error {
	st, err := c.open()
	if err != nil {
		return err
	}
	err = fn(st)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return err
}

// parse parses flags and positional arguments in any order (cmdline.Parse).
func parse(fs *flag.FlagSet, c *city, args []string, need int) ([]string, error) {
	return cmdline.Parse(fs, c.stderr, args, need)
}

func (c *city) office(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "add":
		fs := flag.NewFlagSet("office add", flag.ContinueOnError)
		scope := fs.String("scope", "", "the office's scope: city, county or township code")
		name := fs.String("name", "", "the office's name, e.g. 鲁村镇")
		if _, err := parse(fs, c, args[1:], 0); err != nil || *scope == "" || *name == "" {
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
	case "list":
		fs := flag.NewFlagSet("office list", flag.ContinueOnError)
		asJSON := fs.Bool("json", false, "JSON output")
		if _, err := parse(fs, c, args[1:], 0); err != nil {
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
			enc := json.NewEncoder(c.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(offices)
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
	case "revoke":
		pos, err := parse(flag.NewFlagSet("office revoke", flag.ContinueOnError), c, args[1:], 1)
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
	return errUsage
}

type addRequest struct {
	Name  string      `json:"name"`
	Scope ledger.Code `json:"scope"`
}

type addResult struct {
	Office hub.Office `json:"office"`
	Token  string     `json:"token"`
}

type revokeRequest struct {
	Office string `json:"office"`
}

// serveFile tells office commands where the running server is: its sync listener (URL, as 127.0.0.1)
// and its admin listener (Admin: loopback only, the status page and the admin calls).
type serveFile struct {
	URL    string `json:"url"`
	Admin  string `json:"admin,omitempty"` // the admin listener's base URL (a server before it had none: URL)
	Secret string `json:"secret"`
	PID    int    `json:"pid"`
}

// adminURL is where the admin calls go.
func (sf serveFile) adminURL() string {
	if sf.Admin != "" {
		return sf.Admin
	}
	return sf.URL
}

// running reads serve.json: the server holding the store, if one does.
func (c *city) running() (serveFile, error) {
	var sf serveFile
	raw, err := os.ReadFile(c.serveFilePath())
	if err != nil {
		return sf, fmt.Errorf("no server is running on %s", c.dir)
	}
	if err := json.Unmarshal(raw, &sf); err != nil {
		return sf, fmt.Errorf("%s: %w", c.serveFilePath(), err)
	}
	return sf, nil
}

// adminClient talks to the admin listener: plain HTTP on loopback, never through a proxy.
var adminClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{Proxy: nil}}

func (c *city) serveFilePath() string { return filepath.Join(c.dir, "serve.json") }

// admin runs local on the store if it can open it; if a server holds the store, it sends the request
// to that server's admin endpoint instead.
func (c *city) admin(local func(st *storage.Store) error, method, path string, body, out any) error {
	err := c.withStore(local)
	if !errors.Is(err, storage.ErrLocked) {
		return err
	}
	if _, ferr := os.Stat(c.serveFilePath()); ferr != nil {
		return err // locked, but not by a server we can talk to
	}
	sf, err := c.running()
	if err != nil {
		return err
	}
	var rd io.Reader
	if body != nil {
		buf, _ := json.Marshal(body)
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, sf.adminURL()+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+sf.Secret)
	resp, err := adminClient.Do(req)
	if err != nil {
		return fmt.Errorf("the running server at %s: %w", sf.adminURL(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		switch resp.StatusCode {
		case http.StatusNotFound:
			return fmt.Errorf("%s: %w", e.Error, hub.ErrNoOffice)
		case http.StatusConflict:
			return fmt.Errorf("%s: %w", e.Error, hub.ErrOfficeExists)
		}
		return fmt.Errorf("the running server: %s (%s)", e.Error, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// adminHandler serves the office commands for a running server, with the secret, on the admin listener
// (loopback only; never the public one, where a reverse proxy on the same host makes every request come
// from 127.0.0.1). It checks the peer is loopback all the same.
func adminHandler(h *hub.Hub, st *storage.Store, secret string) http.Handler {
	reply := func(w http.ResponseWriter, code int, v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	fail := func(w http.ResponseWriter, err error) {
		code := http.StatusBadRequest
		switch {
		case errors.Is(err, hub.ErrNoOffice):
			code = http.StatusNotFound
		case errors.Is(err, hub.ErrOfficeExists):
			code = http.StatusConflict
		}
		reply(w, code, map[string]string{"error": err.Error()})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		ip := net.ParseIP(host)
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if ip == nil || !ip.IsLoopback() || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			reply(w, http.StatusForbidden, map[string]string{"error": "forbidden"})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		// A backup or a CPU profile may take longer than the server's write timeout allows a status page.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
		if strings.HasPrefix(r.URL.Path, "/admin/debug/pprof/") { // profiles, for whoever runs the server
			r.URL.Path = strings.TrimPrefix(r.URL.Path, "/admin")
			switch name := strings.TrimPrefix(r.URL.Path, "/debug/pprof/"); name {
			case "profile":
				pprof.Profile(w, r)
			case "":
				pprof.Index(w, r)
			default:
				pprof.Handler(name).ServeHTTP(w, r)
			}
			return
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/admin/offices":
			offices, err := h.Offices()
			if err != nil {
				fail(w, err)
				return
			}
			reply(w, http.StatusOK, offices)
		case r.Method == http.MethodPost && r.URL.Path == "/admin/offices":
			var req addRequest
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
				fail(w, err)
				return
			}
			o, token, err := h.AddOffice(req.Name, req.Scope)
			if err != nil {
				fail(w, err)
				return
			}
			reply(w, http.StatusOK, addResult{Office: o, Token: token})
		case r.Method == http.MethodPost && r.URL.Path == "/admin/revoke":
			var req revokeRequest
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
				fail(w, err)
				return
			}
			o, err := h.Revoke(req.Office)
			if err != nil {
				fail(w, err)
				return
			}
			reply(w, http.StatusOK, o)
		case r.Method == http.MethodGet && r.URL.Path == "/admin/conflicts":
			conflicts, err := h.Conflicts()
			if err != nil {
				fail(w, err)
				return
			}
			reply(w, http.StatusOK, conflicts)
		case r.Method == http.MethodGet && r.URL.Path == "/admin/backup":
			serveBackup(w, st) // the command writes the file: the server writes nothing outside its folder
		default:
			reply(w, http.StatusNotFound, map[string]string{"error": "no such admin call"})
		}
	})
}

func (c *city) serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8750", "address to listen on")
	adminListen := fs.String("admin-listen", "127.0.0.1:0", "loopback address of the status page and the admin calls (port 0: any free port, written to DIR/serve.json)")
	cert := fs.String("tls-cert", "", "TLS certificate (PEM); with --tls-key, serve wss:// and https://")
	key := fs.String("tls-key", "", "TLS private key (PEM)")
	staleDays := fs.Int("stale-days", 7, "mark offices not heard from for this many days")
	memLimit := fs.Int("memory-limit", 256, "soft memory limit in MiB for the Go heap (the GC works harder near it); $GOMEMLIMIT wins")
	idle := fs.Duration("idle-timeout", time.Minute, "close an HTTP connection that sends no complete request for this long (a websocket session is the hub's: it pings)")
	perAddr := fs.Int("max-conns-per-address", 128, "open connections one remote address may hold (loopback is not counted); 0: no limit")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	if (*cert == "") != (*key == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together: %w", errUsage)
	}
	if *idle <= 0 {
		return fmt.Errorf("--idle-timeout %s: want a positive duration: %w", *idle, errUsage)
	}
	if err := loopbackOnly(*adminListen); err != nil {
		return err
	}
	if os.Getenv("GOMEMLIMIT") == "" && *memLimit > 0 {
		debug.SetMemoryLimit(int64(*memLimit) << 20)
	}
	st, err := c.open()
	if err != nil {
		return err
	}
	defer st.Close()
	logger := log.New(c.stderr, "", log.LstdFlags)
	h, err := hub.New(hub.Config{Store: st, App: version, StaleAfter: time.Duration(*staleDays) * 24 * time.Hour, Logger: logger})
	if err != nil {
		return err
	}
	tcp, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	ln := limitPerAddress(tcp, *perAddr, logger)
	adminLn, err := net.Listen("tcp", *adminListen)
	if err != nil {
		ln.Close()
		return err
	}
	secret := randomHex(24)
	// The public listener serves the sync websocket and nothing else; the status page (it names every
	// office and its PCs' replica ids) and the admin calls are on the loopback listener.
	srv := &http.Server{Handler: h, ErrorLog: logger}
	httpTimeouts(srv, *idle)
	adminMux := http.NewServeMux()
	adminMux.Handle("/admin/", adminHandler(h, st, secret))
	adminMux.Handle("/", h.StatusHandler())
	adminSrv := &http.Server{Handler: adminMux, ErrorLog: logger}
	httpTimeouts(adminSrv, *idle)
	scheme := "http"
	if *cert != "" {
		scheme = "https"
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	sf := serveFile{URL: scheme + "://127.0.0.1:" + port, Admin: "http://" + adminLn.Addr().String(), Secret: secret, PID: os.Getpid()}
	buf, _ := json.Marshal(sf)
	if err := os.WriteFile(c.serveFilePath(), buf, 0o600); err != nil {
		return err
	}
	defer os.Remove(c.serveFilePath())

	runCtx, stopPeers := context.WithCancel(ctx)
	defer stopPeers()
	go h.Run(runCtx, 10*time.Second)
	served := make(chan error, 2)
	go func() {
		if *cert != "" {
			served <- srv.ServeTLS(ln, *cert, *key)
		} else {
			served <- srv.Serve(ln)
		}
	}()
	go func() { served <- adminSrv.Serve(adminLn) }()
	ws := "ws"
	if *cert != "" {
		ws = "wss"
	}
	logger.Printf("techaid-city %s: serving %s (epoch %s) on %s://%s%s; status page and admin on %s/status (this host only)",
		version, st.Identity().Scope, h.Epoch(), ws, ln.Addr(), "/sync", sf.Admin)
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// Stop taking connections, end the sessions (a push being applied commits first), save, close.
	logger.Printf("techaid-city: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	_ = adminSrv.Shutdown(sctx)
	if err := h.Close(); err != nil {
		return err
	}
	logger.Printf("techaid-city: stopped")
	return nil
}

// httpTimeouts bounds what an HTTP client may hold without using it: a connection that sends no complete
// request within idle, or sits idle that long between requests, is closed, and a header is at most
// 16 KiB. A websocket session is not bound by these: gorilla/websocket clears the server's deadlines
// when it takes the connection over, and the hub then reads with its own (a hello within 10 s, a
// frame or pong within 90 s; it pings every 10 s). An admin call that takes long (a backup) lifts
// its own write deadline (adminHandler).
func httpTimeouts(srv *http.Server, idle time.Duration) {
	srv.ReadHeaderTimeout = min(10*time.Second, idle)
	srv.ReadTimeout = idle  // headers and body of a request; our bodies are at most 64 KiB
	srv.WriteTimeout = idle // a status page
	srv.IdleTimeout = idle  // between two requests on a kept-alive connection
	srv.MaxHeaderBytes = 16 << 10
}

// loopbackOnly refuses an admin address that is not a loopback IP: the admin calls and the status page
// must never face the network.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--admin-listen %q: %v: %w", addr, err, errUsage)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--admin-listen %q: the status page and admin calls are for this host only: use 127.0.0.1 or ::1 (admin 地址只能是本机回环地址): %w", addr, errUsage)
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

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
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
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

func (c *city) importVillages(ctx context.Context, args []string) error {
	pos, err := parse(flag.NewFlagSet("import", flag.ContinueOnError), c, args, 2)
	if err != nil || pos[0] != "villages" {
		return errUsage
	}
	f, err := os.Open(pos[1])
	if err != nil {
		return err
	}
	defer f.Close()
	divs, err := ledger.ReadDivisions(f)
	if err != nil {
		return err
	}
	return c.withStore(func(st *storage.Store) error {
		var in []ledger.Entity
		for _, d := range divs {
			if st.Identity().Scope.Contains(d.Village) {
				in = append(in, d.Record())
			}
		}
		res, err := st.Import(ctx, in, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "导入村庄 %d 个，新增 %d，更新 %d，未变 %d，有误 %d (imported %d villages)\n",
			len(in), res.Created, res.Updated, res.Unchanged, len(res.Rejected), len(in))
		return nil
	})
}

func (c *city) restore(args []string) error {
	pos, err := parse(flag.NewFlagSet("restore", flag.ContinueOnError), c, args, 1)
	if err != nil {
		return err
	}
	kept, err := storage.Restore(c.dir, pos[0], c.opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "restored %s from %s; offices will resend what the backup lacks", c.dir, pos[0])
	if kept != "" {
		fmt.Fprintf(c.stdout, "; the previous data is kept in %s", kept)
	}
	fmt.Fprintln(c.stdout)
	return nil
}
