package faults

import (
	"os"
	"testing"
)

// TestMain runs the tests, then removes the binaries the crash tests built (crashBinaries), if any:
// they are built once per test binary, so no single test's TempDir can hold them.
func TestMain(m *testing.M) {
	code := m.Run()
	if crashBinDir != "" {
		_ = os.RemoveAll(crashBinDir)
	}
	os.Exit(code)
}
