package main

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// listed is one package as `go list -deps` describes it.
type listed struct {
	standard bool
	deps     []string // every package it needs to build, transitively
	imports  []string // what it imports itself, its tests included
	cgo      bool     // has cgo files or imports "C"
}

// goList describes every package of the module and everything they depend on, as an ordinary build
// (no build tags) with cgo available sees them.
func goList(t *testing.T) map[string]listed {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	// CGO_ENABLED=1: with cgo off, go list leaves cgo files out and a dependency that needs cgo would
	// look clean.
	cmd := exec.Command(goTool, "list", "-deps", "-f",
		"{{.ImportPath}}\t{{.Standard}}\t{{join .Deps \" \"}}\t{{join .Imports \" \"}} {{join .TestImports \" \"}} {{join .XTestImports \" \"}}\t{{join .CgoFiles \" \"}}",
		"./...")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./...: %v", err)
	}
	pkgs := map[string]listed{}
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			t.Fatalf("go list line %q", line)
		}
		imports := strings.Fields(f[3])
		pkgs[f[0]] = listed{standard: f[1] == "true", deps: strings.Fields(f[2]), imports: imports,
			cgo: f[4] != "" || slices.Contains(imports, "C")}
	}
	return pkgs
}

// TestWalls holds every wall of DESIGN.md, read from what each package depends on: a change that makes a
// layer reach past its wall fails here, with the wall it broke.
func TestWalls(t *testing.T) {
	pkgs := goList(t)
	is := func(prefixes ...string) func(string) bool {
		return func(dep string) bool {
			for _, p := range prefixes {
				if dep == p || strings.HasPrefix(dep, p+"/") {
					return true
				}
			}
			return false
		}
	}
	notStandard := func(except ...string) func(string) bool {
		return func(dep string) bool { return !pkgs[dep].standard && !slices.Contains(except, dep) }
	}
	engines := is("github.com/dgraph-io/badger", "github.com/hashicorp/go-memdb")
	cgo := func(dep string) bool { return !pkgs[dep].standard && pkgs[dep].cgo } // net and os/user have cgo variants
	walls := []struct {
		pkg       string
		wall      string
		forbidden func(dep string) bool
	}{
		{"techaid/ledger", "the domain is the standard library only: it imports nothing of the module or beyond",
			notStandard("techaid/ledger")},
		{"techaid/query", "the plain types of reading a store carry no storage engine: the standard library and ledger only",
			notStandard("techaid/query", "techaid/ledger")},
		{"techaid/internal/latest", "a latest-value channel is the standard library only", notStandard("techaid/internal/latest")},
		{"techaid/internal/memstat", "reading /proc is the standard library only", notStandard("techaid/internal/memstat")},
		{"techaid/storage", "storage never imports sync, the UI or the reports",
			is("techaid/sync", "techaid/app", "techaid/report")},
		{"techaid/storage", "storage keeps evidence files as bytes and never decodes them (the evidence package does, for its callers)",
			is("techaid/evidence", "golang.org/x/image", "github.com/dsoprea")},
		{"techaid/evidence", "checking and shrinking files knows no store, no sync and no UI",
			func(dep string) bool {
				return engines(dep) || is("techaid/storage", "techaid/sync", "techaid/app", "fyne.io")(dep)
			}},
		{"techaid/evidence", "checking files runs on the city server: no cgo", cgo},
		{"techaid/sync/protocol", "the wire layer knows no storage and no socket",
			is("techaid/storage", "github.com/gorilla/websocket", "net", "net/http", "golang.org/x/net")},
		{"techaid/app", "the UI reaches the store and sync through the interfaces main wires: no Badger, go-memdb, storage, websocket or sync client",
			func(dep string) bool {
				return engines(dep) || is("techaid/storage", "github.com/gorilla/websocket", "techaid/sync")(dep)
			}},
		{"techaid/report", "the reports read the store through an interface: no storage engine",
			func(dep string) bool { return engines(dep) || dep == "techaid/storage" }},
		{"techaid/cmd/techaid-cli", "the headless replica has no Fyne", is("fyne.io")},
		{"techaid/cmd/techaid-cli", "the headless replica builds without cgo", cgo},
		{"techaid/cmd/techaid-city", "the city server has no Fyne", is("fyne.io")},
		{"techaid/cmd/techaid-city", "the city server builds without cgo", cgo},
	}
	for _, w := range walls {
		p, ok := pkgs[w.pkg]
		if !ok {
			t.Errorf("%s is not in the module any more: say where its wall moved", w.pkg)
			continue
		}
		var bad []string
		for _, dep := range p.deps {
			if w.forbidden(dep) {
				bad = append(bad, dep)
			}
		}
		if len(bad) > 3 {
			bad = append(bad[:3], fmt.Sprintf("%d more", len(bad)-3))
		}
		if len(bad) > 0 {
			t.Errorf("%s depends on %s: %s", w.pkg, strings.Join(bad, ", "), w.wall)
		}
	}

	// Fyne's app package (the GL driver, a cold cgo build of minutes) is imported by main alone, so that
	// everything else, the UI's tests included, builds on the headless driver.
	const fyneApp = "fyne.io/fyne/v2/app"
	for path, p := range pkgs {
		if strings.HasPrefix(path, "techaid/") && slices.Contains(p.imports, fyneApp) {
			t.Errorf("%s imports %s: only main may", path, fyneApp)
		}
	}

	// The walls are checked against real lists: the app is built on Fyne and storage on Badger, and main
	// does import Fyne's app package.
	for pkg, dep := range map[string]string{"techaid/app": "fyne.io/fyne/v2/widget",
		"techaid/storage": "github.com/dgraph-io/badger/v4", "techaid": fyneApp} {
		if !slices.Contains(pkgs[pkg].deps, dep) {
			t.Errorf("go list looks wrong: %s does not depend on %s", pkg, dep)
		}
	}
}
