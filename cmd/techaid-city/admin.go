package main

// The admin endpoint: while serve holds the store, the office, conflicts and backup commands send
// their calls to the running server, on its loopback admin listener, with the secret from serve.json.

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strings"
	"time"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/hub"
)

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
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admin/offices", func(w http.ResponseWriter, r *http.Request) {
		offices, err := h.Offices()
		answer(w, offices, err)
	})
	mux.HandleFunc("POST /admin/offices", func(w http.ResponseWriter, r *http.Request) {
		var req addRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			answer(w, nil, err)
			return
		}
		o, token, err := h.AddOffice(req.Name, req.Scope)
		answer(w, addResult{Office: o, Token: token}, err)
	})
	mux.HandleFunc("POST /admin/revoke", func(w http.ResponseWriter, r *http.Request) {
		var req revokeRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			answer(w, nil, err)
			return
		}
		o, err := h.Revoke(req.Office)
		answer(w, o, err)
	})
	mux.HandleFunc("GET /admin/conflicts", func(w http.ResponseWriter, r *http.Request) {
		conflicts, err := h.Conflicts()
		answer(w, conflicts, err)
	})
	mux.HandleFunc("GET /admin/backup", func(w http.ResponseWriter, r *http.Request) {
		serveBackup(w, st) // the command writes the file: the server writes nothing outside its folder
	})
	mux.HandleFunc("/admin/debug/pprof/", serveProfile) // profiles, for whoever runs the server
	mux.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusNotFound, map[string]string{"error": "no such admin call"})
	})
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
		mux.ServeHTTP(w, r)
	})
}

// answer replies with v, or with err and the status that says which kind of failure it is.
func answer(w http.ResponseWriter, v any, err error) {
	if err == nil {
		reply(w, http.StatusOK, v)
		return
	}
	code := http.StatusBadRequest
	switch {
	case errors.Is(err, hub.ErrNoOffice):
		code = http.StatusNotFound
	case errors.Is(err, hub.ErrOfficeExists):
		code = http.StatusConflict
	}
	reply(w, code, map[string]string{"error": err.Error()})
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// serveProfile serves net/http/pprof under /admin/debug/pprof/ (pprof reads the path without the
// prefix).
func serveProfile(w http.ResponseWriter, r *http.Request) {
	r.URL.Path = strings.TrimPrefix(r.URL.Path, "/admin")
	switch name := strings.TrimPrefix(r.URL.Path, "/debug/pprof/"); name {
	case "profile":
		pprof.Profile(w, r)
	case "":
		pprof.Index(w, r)
	default:
		pprof.Handler(name).ServeHTTP(w, r)
	}
}
