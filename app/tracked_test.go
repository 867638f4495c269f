package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoroutinesTracked: every goroutine the UI starts is started by spawn (which Stop waits for) or by
// followSync (which Close waits for), so that once Close returns nothing of the UI reads the store, and
// the tests close stores on that alone. A go statement anywhere else fails here.
func TestGoroutinesTracked(t *testing.T) {
	fset, files := goSources(t)
	allowed := map[string]bool{"spawn": true, "followSync": true}
	found := 0
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if g, ok := n.(*ast.GoStmt); ok {
					found++
					if !allowed[fd.Name.Name] {
						t.Errorf("%s: %s starts a goroutine of its own; use u.spawn, which Stop waits for",
							fset.Position(g.Pos()), fd.Name.Name)
					}
				}
				return true
			})
		}
	}
	if found != len(allowed) {
		t.Errorf("found %d go statements, want one in each of %d functions: did spawn or followSync change?", found, len(allowed))
	}
}

// goSources parses the package's non-test sources, for the tests that read the code itself.
func goSources(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return fset, files
}
