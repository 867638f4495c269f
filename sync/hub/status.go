package hub

import (
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
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
}

// OfficeStatus is one office on the status page.
type OfficeStatus struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Scope       ledger.Code  `json:"scope"`
	Revoked     bool         `json:"revoked"`
	Connected   int          `json:"connected"` // replicas connected now
	LastContact *time.Time   `json:"last_contact"`
	LastSync    *time.Time   `json:"last_sync"`
	Received    int          `json:"received"`
	Pending     uint64       `json:"pending"` // changes its replicas made that the hub does not hold, as far as it knows
	Stale       bool         `json:"stale"`   // not heard from for StaleAfter (or never)
	Replicas    []PeerStatus `json:"replicas"`
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
	conflicts := h.st.ConflictCount()
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	st := Status{Epoch: h.epoch, App: h.cfg.App, Scope: h.st.Identity().Scope, Started: h.started.UTC(), Now: now.UTC(),
		Head: h.idx.head, Sessions: len(h.sessions), StaleAfter: h.cfg.StaleAfter.String(), Conflicts: conflicts, Parked: parked}
	live := map[string]bool{}
	for s := range h.sessions {
		live[s.replica] = true
	}
	byOffice := map[string][]*Peer{}
	for _, p := range h.peers {
		byOffice[p.OfficeID] = append(byOffice[p.OfficeID], p)
	}
	for _, o := range offices {
		os := OfficeStatus{ID: o.ID, Name: o.Name, Scope: o.Scope, Revoked: o.Revoked != nil}
		peers := byOffice[o.ID]
		slices.SortFunc(peers, func(a, b *Peer) int { return b.LastContact.Compare(a.LastContact) })
		for _, p := range peers {
			ps := PeerStatus{Peer: *p, Connected: live[p.Replica], OffsetWarn: abs(p.OffsetMS) > ledger.MaxAhead.Milliseconds()}
			if p.Seq > p.Acked {
				ps.Pending = p.Seq - p.Acked
			}
			os.Replicas = append(os.Replicas, ps)
			os.Received += p.Received
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
		st.Offices = append(st.Offices, os)
	}
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

var statusPage = template.Must(template.New("status").Funcs(template.FuncMap{
	"when": func(t *time.Time) string {
		if t == nil {
			return "从未"
		}
		return t.In(ledger.China).Format("2006-01-02 15:04")
	},
	"offset": func(ms int64) string { return (time.Duration(ms) * time.Millisecond).Round(time.Second).String() },
}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30">
<title>科技帮扶台账 · 市局同步服务</title>
<style>
body{font-family:sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.35em .6em;text-align:left;font-size:14px}
th{background:#f4f4f4}
tr.stale td{background:#fff1f0}
tr.revoked td{color:#999;text-decoration:line-through}
.warn{color:#c00;font-weight:bold}
small{color:#666}
</style></head><body>
<h1>科技帮扶台账 · 市局同步服务</h1>
<p>范围 {{.Scope}} · 已连接 {{.Sessions}} 台 · 全局序号 {{.Head}} · 版本 {{.App}} · 纪元 <small>{{.Epoch}}</small>
· <a href="/status.json">JSON</a></p>
<p>冲突记录 {{.Conflicts}} 条（<code>techaid-city conflicts</code> 列出）{{if .Parked}} · <span class="warn">待补全 {{.Parked}} 条</span>（只收到改动、尚未收到记录本身，暂不下发）{{end}}</p>
<table>
<tr><th>单位</th><th>范围</th><th>在线</th><th>最近联系</th><th>最近同步</th><th>已收记录</th><th>待收</th><th>电脑</th></tr>
{{range .Offices}}<tr class="{{if .Revoked}}revoked{{else if .Stale}}stale{{end}}">
<td>{{.Name}}{{if .Stale}} <span class="warn">久未联系</span>{{end}}</td><td>{{.Scope}}</td><td>{{.Connected}}</td>
<td>{{when .LastContact}}</td><td>{{when .LastSync}}</td><td>{{.Received}}</td><td>{{.Pending}}</td>
<td>{{range .Replicas}}<small>{{.Replica}} {{.App}}{{if .OffsetWarn}} <span class="warn">时钟偏差 {{offset .OffsetMS}}</span>{{end}}</small><br>{{end}}</td>
</tr>{{end}}
</table>
<p><small>超过 {{.StaleAfter}} 未联系的单位以红色标出。</small></p>
</body></html>
`))
