// Command techaid-cli is a headless office replica: everything the desktop app does to the ledger,
// scriptable, for city IT, scripts and tests. It is cgo-free and never imports Fyne.
//
//	techaid-cli [--data DIR] COMMAND [ARGS]
//
// Exit status 0 on success; 1 with a one-line reason on stderr when the command failed; 2 on a usage
// error. Run it without arguments for the list of commands.
package main

import (
	"os"

	"techaid/internal/buildinfo"
)

func main() {
	version = buildinfo.Version(version) // a plain go build names its commit
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
