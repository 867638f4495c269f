package faketime_test

import (
	"strings"
	"testing"
	"time"

	"techaid/internal/faketime"
)

// The tool shifts what a Go program reads as the wall clock, both ways, and leaves the program's exit
// status alone.
func TestShift(t *testing.T) {
	tool := faketime.Tool(t)
	faketime.Require(t, tool)
	for _, at := range []time.Time{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2099, 12, 31, 23, 0, 0, 0, time.UTC)} {
		out, err := faketime.Command(tool, at, tool, "--now").Output()
		if err != nil {
			t.Fatal(err)
		}
		seen, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(out)))
		if err != nil || seen.Before(at) || seen.After(at.Add(time.Minute)) {
			t.Errorf("clock set to %s, the program saw %q", at, out)
		}
	}
	out, err := faketime.Shifted(tool, -24*time.Hour, tool, "--now").Output()
	seen, perr := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(out)))
	if err != nil || perr != nil || time.Since(seen) < 23*time.Hour || time.Since(seen) > 25*time.Hour {
		t.Errorf("a day behind: the program saw %q (%v)", out, err)
	}
	err = faketime.Shifted(tool, time.Hour, "sh", "-c", "exit 3").Run()
	if code := exitCode(err); code != 3 {
		t.Errorf("exit status through the tool = %d (%v), want 3", code, err)
	}
}

func exitCode(err error) int {
	if e, ok := err.(interface{ ExitCode() int }); ok {
		return e.ExitCode()
	}
	return -1
}
