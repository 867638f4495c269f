// Command techaid-city is the city's sync server: it registers offices and their tokens, serves the
// sync websocket and a status page, and backs the city's store up. It is cgo-free and never imports
// Fyne.
//
//	techaid-city --data DIR office add --scope 370323102 --name 鲁村镇   # prints the token once
//	techaid-city --data DIR office list [--json] | office revoke NAME_OR_ID
//	techaid-city --data DIR import villages FILE.csv
//	techaid-city --data DIR serve --listen 127.0.0.1:8750 [--tls-cert F --tls-key F] [--stale-days 7]
//	techaid-city --data DIR backup FILE | restore FILE
//
// While serve runs it holds the store; office commands then go to the running server over its admin
// endpoint (loopback only, with a secret it writes to DIR/serve.json), so a revoked token is cut at
// once. Exit status 0 on success, 1 with a one-line reason, 2 on a usage error.
package main

import (
	"os"

	"techaid/internal/buildinfo"
)

func main() {
	version = buildinfo.Version(version) // a plain go build names its commit
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
