// Package cmdline holds what the two commands (techaid-cli, techaid-city) share: reading their
// arguments, running a command on a store, restoring one, and the one line a failure is printed as.
package cmdline

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"techaid/ledger"
	"techaid/storage"
)

// ErrUsage marks a usage error: the command prints its usage and exits 2.
var ErrUsage = errors.New("usage")

// Parse parses flags and positional arguments in any order ("edit CODE --key" and "edit --key CODE"
// both work). It returns the positionals; any other number than need is ErrUsage.
func Parse(fs *flag.FlagSet, stderr io.Writer, args []string, need int) ([]string, error) {
	fs.SetOutput(stderr)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, ErrUsage
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if need >= 0 && len(pos) != need { // need < 0: any number, the command checks
		return nil, ErrUsage
	}
	return pos, nil
}

// OneLine renders an error for the terminal on one line: the Chinese sentence a clerk reads, when the
// error has one (ledger.ChineseError), then the English detail for whoever maintains the script.
func OneLine(err error) string {
	msg := err.Error()
	var ce ledger.ChineseError
	if errors.As(err, &ce) {
		msg = ce.Chinese() + " (" + msg + ")"
	}
	return strings.ReplaceAll(msg, "\n", "; ")
}

// WithStore opens a store with open, runs fn on it and closes it, keeping fn's error first.
func WithStore(open func() (*storage.Store, error), fn func(*storage.Store) error) error {
	st, err := open()
	if err != nil {
		return err
	}
	err = fn(st)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return err
}

// Restore replaces the data in dir with the backup in file (storage.Restore) and says so on w, with
// after (what else the command has to say) before the folder the previous data is kept in.
func Restore(w io.Writer, dir, file string, opts storage.Options, after string) error {
	kept, err := storage.Restore(dir, file, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "restored %s from %s%s", dir, file, after)
	if kept != "" {
		fmt.Fprintf(w, "; the previous data is kept in %s", kept)
	}
	fmt.Fprintln(w)
	return nil
}

// PrintJSON writes v as indented JSON.
func PrintJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
