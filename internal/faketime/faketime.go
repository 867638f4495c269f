// Package faketime runs a real program under a wrong wall clock, for tests of what township PCs do when
// their clock says 2000 or 2099.
//
// Go reads the wall clock through the vDSO, without a system call, so LD_PRELOAD tools (libfaketime) do
// not reach a Go program, and time namespaces do not shift CLOCK_REALTIME. Run traces the program with
// ptrace instead: at its exec it rewrites the auxiliary vector's AT_SYSINFO_EHDR entry into AT_IGNORE,
// which hides the vDSO (Go then falls back to the clock_gettime system call), and at the end of every
// clock_gettime(CLOCK_REALTIME) and gettimeofday it adds the offset to the result. Threads the program
// starts are traced too; CLOCK_MONOTONIC is left alone, so timers and timeouts run as they would.
// Programs the traced one forks are not shifted.
//
// The faketime command (cmd/faketime) wraps Run; tests build it with Tool and start programs through
// Command. Every system call of the program stops it twice, so it runs slower, not differently.
package faketime

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// ErrUnavailable is returned when this machine does not let a process trace its child (a container
// without ptrace, a kernel or architecture Run is not written for).
var ErrUnavailable = errors.New("faketime: ptrace is not available")

// Tool builds the faketime command into a temporary directory of t and returns its path.
func Tool(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(t.TempDir(), "faketime")
	build := exec.Command("go", "build", "-o", bin, "./cmd/faketime")
	build.Dir = filepath.Dir(file)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build faketime: %v\n%s", err, out)
	}
	return bin
}

// Command is name with args, run by tool with the wall clock set to at when it starts (the clock then
// runs on from there at its normal pace).
func Command(tool string, at time.Time, name string, args ...string) *exec.Cmd {
	return exec.Command(tool, append([]string{"--at", at.Format(time.RFC3339Nano), "--", name}, args...)...)
}

// Shifted is name with args, run by tool with the wall clock running offset off the real one. A test
// that runs several commands on one PC's data uses one offset for all of them, so that the PC's time
// moves on between them as it would.
func Shifted(tool string, offset time.Duration, name string, args ...string) *exec.Cmd {
	return exec.Command(tool, append([]string{"--offset", offset.String(), "--", name}, args...)...)
}

// Require runs the tool once under a clock set to 2000-01-01 and checks that the clock it reports is
// that one. Where ptrace is not permitted it skips the test, saying so (in CI as well: .ci/run prints
// the same probe's verdict, so a run without these tests says it); any other failure fails the test.
func Require(t testing.TB, tool string) {
	t.Helper()
	at := time.Date(2000, 1, 1, 9, 0, 0, 0, time.UTC)
	out, err := Command(tool, at, tool, "--now").CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), ErrUnavailable.Error()) {
			t.Skipf("wrong-clock test skipped: this machine does not permit ptrace: %s", strings.TrimSpace(string(out)))
		}
		t.Fatalf("faketime probe: %v\n%s", err, out)
	}
	seen, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(out)))
	if err != nil || seen.Before(at) || seen.After(at.Add(time.Minute)) {
		t.Fatalf("faketime probe: set the clock to %s, the program saw %q", at, out)
	}
}
