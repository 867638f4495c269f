package hub

import (
	_ "embed"
	"encoding/json"
	"html/template"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"techaid/ledger"
)

// Status is what the status page shows: the hub, and each office with its replicas.
type Status struct {
	Epoch      string         `json:"epoch"`
	App        string         `json:"app"`
	Scope      ledger.Code    `json:"scope"`
	Started    time.Time      `json:"started"`
	Now        time.Time      `json:"now"`
	Head       uint64         `json:"head"` // the last global sequence number
	Sessions   int            `json:"sessions"`
	StaleAfter string         `json:"stale_after"`
	Conflicts  uint64         `json:"conflicts"` // entries in the hub's conflict log (techaid-city conflicts lists them)
	Parked     int            `json:"parked"`    // records kept aside until the rest of them arrives
	Offices    []OfficeStatus `json:"offices"`
	Counties   []County       `json:"counties"` // the counties the offices lie in, for the page's filter
	// Restore is what the last restore from a backup did; nil if the store was never restored.
	Restore *RestoreNote `json:"restore,omitempty"`
}

// County is a county some offices lie in, with its name as the offices' names give it.
type County struct {
	Code ledger.Code `json:"code"`
	Name string      `json:"name"`
}

// OfficeStatus is one office on the status page.
type OfficeStatus struct {
	ID           string       `json:"id"`
	Name         string       `json:"name"`
	Scope        ledger.Code  `json:"scope"`
	Revoked      bool         `json:"revoked"`
	Connected    int          `json:"connected"` // replicas connected now
	LastContact  *time.Time   `json:"last_contact"`
	LastSync     *time.Time   `json:"last_sync"`
	Received     int          `json:"received"`
	Files        int          `json:"files"`         // evidence files its replicas sent that the hub kept
	FilesRefused int          `json:"files_refused"` // evidence files the hub refused them
	Pending      uint64       `json:"pending"`       // changes its replicas made that the hub does not hold, as far as it knows
	Stale        bool         `json:"stale"`         // not heard from for StaleAfter (or never)
	County       ledger.Code  `json:"county"`        // the county it lies in; "" for the city's own offices
	Replicas     []PeerStatus `json:"replicas"`
	// FromRegistry: the last restore took this office's registration from the registry file, not from
	// the backup (registered, revoked or given a new token after the backup was taken).
	FromRegistry bool `json:"from_registry,omitempty"`
	// Behind: the store was restored and none of the office's PCs has synced since, so what it
	// recorded after the backup was taken is not at the city yet.
	Behind bool `json:"behind,omitempty"`
}

// PeerStatus is one replica (PC) of an office.
type PeerStatus struct {
	Peer
	Connected  bool   `json:"connected"`
	Pending    uint64 `json:"pending"`
	OffsetWarn bool   `json:"offset_warning"` // its clock is more than ledger.MaxAhead off the hub's
}

// Status reports the hub's state.
func (h *Hub) Status() (Status, error) {
	offices, err := ListOffices(h.st)
	if err != nil {
		return Status{}, err
	}
	parked, err := h.st.Parked()
	if err != nil {
		return Status{}, err
	}
	restore, err := LastRestore(h.st)
	if err != nil {
		return Status{}, err
	}
	conflicts := h.st.ConflictCount()
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	st := Status{Epoch: h.epoch, App: h.cfg.App, Scope: h.st.Identity().Scope, Started: h.started.UTC(), Now: now.UTC(),
		Head: h.idx.head, Sessions: len(h.sessions), StaleAfter: h.cfg.StaleAfter.String(), Conflicts: conflicts, Parked: parked, Restore: restore}
	live := map[string]bool{}
	for s := range h.sessions {
		live[s.replica] = true
	}
	byOffice := map[string][]*Peer{}
	for _, p := range h.peers {
		byOffice[p.OfficeID] = append(byOffice[p.OfficeID], p)
	}
	for _, o := range offices {
		os := OfficeStatus{ID: o.ID, Name: o.Name, Scope: o.Scope, Revoked: o.Revoked != nil, County: o.Scope.County()}
		peers := byOffice[o.ID]
		slices.SortFunc(peers, func(a, b *Peer) int { return b.LastContact.Compare(a.LastContact) })
		for _, p := range peers {
			ps := PeerStatus{Peer: *p, Connected: live[p.Replica], OffsetWarn: abs(p.OffsetMS) > ledger.MaxAhead.Milliseconds()}
			if p.Seq > p.Acked {
				ps.Pending = p.Seq - p.Acked
			}
			os.Replicas = append(os.Replicas, ps)
			os.Received += p.Received
			os.Files += p.Files
			os.FilesRefused += p.FilesRefused
			os.Pending += ps.Pending
			if ps.Connected {
				os.Connected++
			}
			if os.LastContact == nil || p.LastContact.After(*os.LastContact) {
				t := p.LastContact
				os.LastContact = &t
			}
			if !p.LastSync.IsZero() && (os.LastSync == nil || p.LastSync.After(*os.LastSync)) {
				t := p.LastSync
				os.LastSync = &t
			}
		}
		os.Stale = !os.Revoked && os.Connected == 0 && (os.LastContact == nil || now.Sub(*os.LastContact) > h.cfg.StaleAfter)
		if restore != nil {
			os.FromRegistry = slices.Contains(restore.Offices, o.ID)
			os.Behind = !os.Revoked && (os.LastSync == nil || os.LastSync.Before(restore.At))
		}
		st.Offices = append(st.Offices, os)
	}
	st.Counties = counties(st.Offices)
	return st, nil
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func (h *Hub) serveStatusJSON(w http.ResponseWriter, _ *http.Request) {
	st, err := h.Status()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(st)
}

func (h *Hub) serveStatusHTML(w http.ResponseWriter, _ *http.Request) {
	st, err := h.Status()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = statusPage.Execute(w, st)
}

// county names the county an office lies in (its scope's first six digits) by the office names the city
// gave: 沂源县鲁村镇 is in 沂源县. An office whose name names no county leaves the code alone.
var countyName = regexp.MustCompile(`^(.{1,8}?(?:自治县|县|区|市|旗))`)

func counties(offices []OfficeStatus) []County {
	names := map[ledger.Code]string{}
	for _, o := range offices {
		c := o.Scope.County()
		if c == "" {
			continue
		}
		if _, ok := names[c]; !ok {
			names[c] = ""
		}
		if m := countyName.FindStringSubmatch(o.Name); m != nil && (names[c] == "" || o.Scope == c) {
			names[c] = m[1]
		}
	}
	var out []County
	for _, c := range slices.Sorted(maps.Keys(names)) {
		n := names[c]
		if n == "" {
			n = string(c)
		}
		out = append(out, County{Code: c, Name: n})
	}
	return out
}

//go:embed status.html
var statusHTML string

var statusPage = template.Must(template.New("status").Funcs(template.FuncMap{
	"when": func(t *time.Time) string {
		if t == nil {
			return "从未"
		}
		return t.In(ledger.China).Format("2006-01-02 15:04")
	},
	"at":       func(t time.Time) string { return t.In(ledger.China).Format("2006-01-02 15:04") },
	"names":    func(ns []string) string { return strings.Join(ns, "、") },
	"offset":   func(ms int64) string { return (time.Duration(ms) * time.Millisecond).Round(time.Second).String() },
	"versions": appVersions,
}).Parse(statusHTML))

// appVersions lists the app versions an office's PCs run, newest contact first, each once.
func appVersions(o OfficeStatus) string {
	var vs []string
	for _, r := range o.Replicas {
		if r.App != "" && !slices.Contains(vs, r.App) {
			vs = append(vs, r.App)
		}
	}
	return strings.Join(vs, " / ")
}
