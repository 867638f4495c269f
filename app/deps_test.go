package app

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports: Fyne's app package (the GL driver, ~3 min of cgo to build cold) is imported by main.go
// alone, so that the UI's tests build on the headless driver; the UI knows nothing of the network; and
// the city server stays free of Fyne.
func TestImports(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	deps := func(pkg string) []string {
		out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	for _, d := range deps("techaid/app") {
		if d == "github.com/gorilla/websocket" || d == "techaid/sync/client" {
			t.Errorf("the UI depends on %s: sync reaches it only through the Syncer interface", d)
		}
	}
	for _, pkg := range []string{"techaid/app", "techaid/storage", "techaid/sync/client"} {
		for _, d := range deps(pkg) {
			if d == "fyne.io/fyne/v2/app" {
				t.Errorf("%s imports fyne.io/fyne/v2/app; only main may", pkg)
			}
		}
	}
	city := deps("techaid/cmd/techaid-city")
	for _, d := range city {
		if strings.HasPrefix(d, "fyne.io/") {
			t.Errorf("techaid-city depends on %s", d)
		}
	}
	if len(city) < 20 {
		t.Errorf("go list -deps looks wrong: %d packages", len(city))
	}
}
