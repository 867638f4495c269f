package main

import (
	"os"
	"os/exec"
	"testing"
)

// TestRealInput types a sign-in sheet into the real app (the GL build, under Xvfb, by xdotool) and checks
// the record landed as typed: scripts/entry-speed.sh. It needs a cold cgo build of Fyne (~3 min) and
// an X server, so it runs with the long tests (make test-long) where Xvfb and xdotool are installed.
func TestRealInput(t *testing.T) {
	if os.Getenv("TECHAID_LONG") == "" {
		t.Skip("long test: set TECHAID_LONG=1 (make test-long)")
	}
	for _, tool := range []string{"Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (scripts/setup.sh installs it)", tool)
		}
	}
	out, err := exec.Command("bash", "scripts/entry-speed.sh").CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("scripts/entry-speed.sh: %v", err)
	}
}
