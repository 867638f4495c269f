package client

import (
	"errors"
	"net"
	"net/url"
	"strings"

	"techaid/sync/protocol"
)

// ErrPlain refuses an unencrypted address (ws:// or http://) to another machine that nobody accepted:
// the hello carries the office's token, which anyone on the way could read and use.
var ErrPlain = errors.New("refusing to send the token unencrypted (ws://) to another machine: use wss://, or accept plain ws:// explicitly")

// URL is the websocket address for a hub address given as wss://, https://, ws://, http:// or as a
// bare HOST[:PORT], which means wss://: an address without a scheme is encrypted.
func URL(hub string) string {
	u := strings.TrimSpace(hub)
	scheme := "wss://"
	for prefix, ws := range map[string]string{"ws://": "ws://", "http://": "ws://", "wss://": "wss://", "https://": "wss://"} {
		if rest, ok := strings.CutPrefix(u, prefix); ok {
			scheme, u = ws, rest
			break
		}
	}
	u = scheme + strings.TrimRight(u, "/")
	if !strings.HasSuffix(u, protocol.Path) {
		u += protocol.Path
	}
	return u
}

// Plain reports whether hub would be reached unencrypted on another machine: ws:// or http:// to a
// host that is not this PC. Plain ws:// on loopback never leaves the PC (a test, a tunnel, a proxy on
// the same machine) and needs no acceptance.
func Plain(hub string) bool {
	u, err := url.Parse(URL(hub))
	if err != nil || u.Scheme != "ws" {
		return false // wss://, or not an address at all (dialling says so)
	}
	return !loopback(u.Hostname())
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckAddress says whether hub is an address the client can dial: a scheme it knows (or none) and a
// host.
func CheckAddress(hub string) error {
	bad := errors.New("not a hub address")
	if i := strings.Index(hub, "://"); i >= 0 {
		switch strings.TrimSpace(hub[:i]) {
		case "ws", "wss", "http", "https":
		default:
			return bad
		}
	}
	u, err := url.Parse(URL(hub))
	if err != nil || u.Hostname() == "" {
		return bad
	}
	return nil
}
