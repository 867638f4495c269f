// Command faketime runs a program with its wall clock shifted (see package techaid/internal/faketime).
//
//	faketime --at 2000-01-01T09:00:00+08:00 -- PROGRAM [ARGS]   the clock starts at that moment
//	faketime --offset -26280h -- PROGRAM [ARGS]                 the clock runs that far off
//	faketime --now                                              print the wall clock this process sees
//
// It exits with the program's status; 125 when it could not start the program under the shifted clock.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"techaid/internal/faketime"
)

func main() {
	at := flag.String("at", "", "RFC 3339 time the program's clock starts at")
	offset := flag.Duration("offset", 0, "how far the program's clock runs off the real one")
	now := flag.Bool("now", false, "print this process's wall clock and exit (the probe)")
	flag.Parse()
	if *now {
		fmt.Println(time.Now().Format(time.RFC3339Nano))
		return
	}
	if *at != "" {
		t, err := time.Parse(time.RFC3339Nano, *at)
		if err != nil {
			fmt.Fprintln(os.Stderr, "faketime: --at:", err)
			os.Exit(125)
		}
		*offset = time.Until(t)
	}
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: faketime --at TIME | --offset DURATION -- PROGRAM [ARGS]")
		os.Exit(125)
	}
	status, err := faketime.Run(*offset, flag.Args(), os.Environ())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(125)
	}
	os.Exit(status)
}
