// Package cmdline holds what the commands share in reading their arguments.
package cmdline

import (
	"errors"
	"flag"
	"io"
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
	if len(pos) != need {
		return nil, ErrUsage
	}
	return pos, nil
}
