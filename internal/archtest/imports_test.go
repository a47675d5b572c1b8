package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// root is the module's directory, from this package's.
const root = "../.."

// rules are ARCHITECTURE.md's rules on imports, each broken by one import
// of a product file (a non-test .go file) of package pkg.
var rules = []struct {
	name   string
	broken func(m module, pkg, imp string) bool
}{
	{"only postgres imports pgx (besides wiring in cmd, migrations and the scratch databases of internal/scratch and internal/testenv)", func(m module, pkg, imp string) bool {
		return strings.HasPrefix(imp, "github.com/jackc/pgx") &&
			!m.in(pkg, "postgres", "cmd", "migrations", "internal/scratch", "internal/testenv")
	}},
	{"domains never import api (only cmd wires it)", func(m module, pkg, imp string) bool {
		return m.in(imp, "api") && !m.in(pkg, "api", "cmd")
	}},
	{"jobs knows no domain: it imports the root package, postgres and internal/snapshot only", func(m module, pkg, imp string) bool {
		return m.in(pkg, "jobs") && m.own(imp) && imp != m.path && !m.in(imp, "jobs", "postgres", "internal/snapshot")
	}},
	{"postgres knows no domain: it imports the root package only", func(m module, pkg, imp string) bool {
		return m.in(pkg, "postgres") && m.own(imp) && imp != m.path && !m.in(imp, "postgres")
	}},
	{"product code never imports test code (internal/testenv, *test packages)", func(m module, pkg, imp string) bool {
		return m.own(imp) && m.testCode(imp) && !m.testCode(pkg)
	}},
}

// exceptions are imports allowed to break a rule, by file and import, and
// why ("path/file.go import/path": "reason"); there are none. The test
// reports an exception no longer needed, so that it is deleted.
var exceptions = map[string]string{}

// TestImportRules reads the imports of every product file of the module
// and fails on each that breaks a rule and is not an exception, and on
// each exception no longer needed.
func TestImportRules(t *testing.T) {
	m := readModule(t)
	used := map[string]bool{}
	for _, f := range productFiles(t, m) {
		for _, imp := range f.imports {
			for _, r := range rules {
				if !r.broken(m, f.pkg, imp) {
					continue
				}
				if key := f.path + " " + imp; exceptions[key] != "" {
					used[key] = true
					continue
				}
				t.Errorf("%s imports %s, but %s", f.path, imp, r.name)
			}
		}
	}
	for key := range exceptions {
		if !used[key] {
			t.Errorf("exception %q breaks no rule any more: delete it from exceptions", key)
		}
	}
}

// module is the module under test.
type module struct{ path string }

// own reports whether imp is a package of the module.
func (m module) own(imp string) bool { return imp == m.path || strings.HasPrefix(imp, m.path+"/") }

// in reports whether pkg is one of the module's packages dirs (relative
// to the module's root) or below one.
func (m module) in(pkg string, dirs ...string) bool {
	for _, d := range dirs {
		if p := m.path + "/" + d; pkg == p || strings.HasPrefix(pkg, p+"/") {
			return true
		}
	}
	return false
}

// testCode reports whether pkg exists for tests: internal/testenv,
// internal/archtest and the test servers (packages named *test).
func (m module) testCode(pkg string) bool {
	return m.in(pkg, "internal/testenv", "internal/archtest") || strings.HasSuffix(pkg[strings.LastIndex(pkg, "/")+1:], "test")
}

func readModule(t *testing.T) module {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	match := regexp.MustCompile(`(?m)^module\s+(\S+)`).FindSubmatch(b)
	if match == nil {
		t.Fatal("go.mod names no module")
	}
	return module{path: string(match[1])}
}

// productFile is one non-test Go file: its path from the module's root,
// its package's import path and its imports.
type productFile struct {
	path    string
	pkg     string
	imports []string
}

func productFiles(t *testing.T, m module) []productFile {
	t.Helper()
	var out []productFile
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		pf := productFile{path: rel, pkg: m.path}
		if dir := filepath.ToSlash(filepath.Dir(rel)); dir != "." {
			pf.pkg += "/" + dir
		}
		for _, s := range f.Imports {
			imp, err := strconv.Unquote(s.Path.Value)
			if err != nil {
				return err
			}
			pf.imports = append(pf.imports, imp)
		}
		out = append(out, pf)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 100 {
		t.Fatalf("read %d product files; is root the module's directory?", len(out))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}
