package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
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

// TestNoLocale: started without a language (LANG unset, C, C.UTF-8, POSIX: what Xvfb, cron and many
// service managers give a program), the app logs nothing about the locale and Fyne's own texts are
// Chinese. The test binary initialises the same packages as the app, in the same order, so the child
// it starts shows whether internal/locale ran before Fyne's lang package read the environment.
func TestNoLocale(t *testing.T) {
	if os.Getenv("TECHAID_LOCALE_CHILD") != "" {
		fmt.Println("Cancel=" + lang.L("Cancel"))
		return
	}
	for _, env := range [][]string{{}, {"LANG=C"}, {"LANG=C.UTF-8"}, {"LANG=POSIX"}, {"LC_ALL=C.UTF-8", "LANG=en_US.UTF-8"}} {
		t.Run(strings.Join(append([]string{"env"}, env...), " "), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestNoLocale$")
			for _, kv := range os.Environ() {
				if name, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(name, "LC_") && name != "LANG" && name != "LANGUAGE" {
					cmd.Env = append(cmd.Env, kv)
				}
			}
			cmd.Env = append(append(cmd.Env, "TECHAID_LOCALE_CHILD=1"), env...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("child: %v\n%s%s", err, out, stderr.Bytes())
			}
			if strings.Contains(stderr.String(), "locale") {
				t.Errorf("the locale was logged:\n%s", stderr.Bytes())
			}
			if !strings.Contains(string(out), "Cancel=取消") {
				t.Errorf("Fyne's texts are not Chinese: %s", out)
			}
		})
	}
}
