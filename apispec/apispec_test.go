package apispec

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const root = ".."

func load(t *testing.T) []Name {
	t.Helper()
	names, err := All()
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func readFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The table is well formed: unique names, known kinds and statuses, a
// failure value for every function, aliases of names in the table with the
// same status, a forwarding target for every built Go-backed function.
func TestTableIsConsistent(t *testing.T) {
	names := load(t)
	byName := map[string]Name{}
	for _, n := range names {
		if _, dup := byName[n.Name]; dup {
			t.Errorf("%s is listed twice", n.Name)
		}
		byName[n.Name] = n
		switch n.Kind {
		case KindFunction, KindAlias, KindHelper, KindAPI, KindCallback, KindCallState:
		default:
			t.Errorf("%s: unknown kind %q", n.Name, n.Kind)
		}
		switch n.Status {
		case Implemented, Partial, NotSupported, NotApplicable:
		default:
			t.Errorf("%s: unknown status %q", n.Name, n.Status)
		}
		if n.Ref == "" {
			t.Errorf("%s: no reference into mizu_api.md", n.Name)
		}
		if n.Status == Partial && n.Note == "" {
			t.Errorf("%s: partial without a note saying what is missing", n.Name)
		}
		if n.Kind == KindFunction || n.Kind == KindHelper || n.Kind == KindAPI {
			if n.Fail == nil {
				t.Errorf("%s: no documented failure value", n.Name)
			} else if !json.Valid(n.Fail) {
				t.Errorf("%s: failure value %s is not JSON", n.Name, n.Fail)
			}
		}
		if n.Callback != nil {
			params := strings.Split(n.Params, ",")
			if *n.Callback < 0 || *n.Callback >= len(params) || !strings.Contains(params[*n.Callback], "callback") {
				t.Errorf("%s(%s): callback position %d is not a callback parameter", n.Name, n.Params, *n.Callback)
			}
		}
	}
	for _, n := range names {
		if n.Kind == KindAlias {
			target, ok := byName[n.Of]
			switch {
			case !ok:
				t.Errorf("alias %s: %q is not in the table", n.Name, n.Of)
			case target.Status != n.Status:
				t.Errorf("alias %s is %q but %s is %q", n.Name, n.Status, n.Of, target.Status)
			case string(target.Fail) != string(n.Fail):
				t.Errorf("alias %s fails with %s but %s with %s", n.Name, n.Fail, n.Of, target.Fail)
			}
		} else if n.Of != "" {
			t.Errorf("%s: only aliases have of", n.Name)
		}
		if n.Go != "" && !n.Built() {
			t.Errorf("%s: forwards to Go %q but is %q", n.Name, n.Go, n.Status)
		}
	}
}

// docs/api-status.md and the NOT_BUILT block of webphone_api.js are what
// `go generate ./apispec` makes of names.json.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	names := load(t)
	if got := readFile(t, "docs/api-status.md"); got != StatusMarkdown(names) {
		t.Error("docs/api-status.md is stale: run go generate ./apispec")
	}
	_, block, _, err := SplitJS(readFile(t, "www/webphone_api.js"))
	if err != nil {
		t.Fatal(err)
	}
	if block != JSBlock(names) {
		t.Error("the NOT_BUILT block of www/webphone_api.js is stale: run go generate ./apispec")
	}
	ref, err := ReferenceMarkdown(names)
	if err != nil {
		t.Fatal(err)
	}
	if readFile(t, "docs/api-reference.md") != ref {
		t.Error("docs/api-reference.md is stale: run go generate ./apispec")
	}
	dts, err := DTS(names)
	if err != nil {
		t.Fatal(err)
	}
	if readFile(t, "www/webphone_api.d.ts") != dts {
		t.Error("www/webphone_api.d.ts is stale: run go generate ./apispec")
	}
}

// www/webphone_api.d.ts declares every member of the table on WebphoneAPI
// (and nothing else), with a listener type for each callback registrar,
// and every old call-state name in WebphoneOldCallState.
func TestDeclarationsDeclareEveryName(t *testing.T) {
	names := load(t)
	dts := readFile(t, "www/webphone_api.d.ts")
	start := strings.Index(dts, "interface WebphoneAPI {")
	end := strings.Index(dts[start:], "\n}\n")
	if start < 0 || end < 0 {
		t.Fatal("www/webphone_api.d.ts has no interface WebphoneAPI")
	}
	body := dts[start : start+end]
	declared := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^  ([A-Za-z_$][\w$]*)(\(.*\): (.+));$`).FindAllStringSubmatch(body, -1) {
		declared[m[1]] = m[2]
	}
	union := regexp.MustCompile(`type WebphoneOldCallState = ([^;]+);`).FindStringSubmatch(dts)
	if union == nil {
		t.Fatal("www/webphone_api.d.ts has no WebphoneOldCallState")
	}
	members := 0
	for _, n := range names {
		if !n.Member() {
			if !strings.Contains(union[1], strconv.Quote(n.Name)) {
				t.Errorf("%s is not in WebphoneOldCallState", n.Name)
			}
			continue
		}
		members++
		sig, ok := declared[n.Name]
		switch {
		case !ok:
			t.Errorf("%s is not declared in www/webphone_api.d.ts", n.Name)
		case !n.IsFunction() && !strings.HasPrefix(sig, "(callback: ((") || !n.IsFunction() && !strings.HasSuffix(sig, ": void"):
			t.Errorf("registrar %s is declared %s, want a listener or null, returning void", n.Name, sig)
		case n.IsFunction() && strings.HasSuffix(sig, ": void"):
			t.Errorf("function %s is declared %s, want its answer's type", n.Name, sig)
		}
	}
	if len(declared) != members {
		t.Errorf("www/webphone_api.d.ts declares %d members, the table has %d", len(declared), members)
	}
	if !strings.Contains(dts, "declare var webphone_api: WebphoneAPI;") {
		t.Error("www/webphone_api.d.ts does not declare the global webphone_api")
	}
}

// A parameter without a TypeScript type stops the generator instead of
// becoming any.
func TestDeclarationsNeedEveryParameterType(t *testing.T) {
	_, err := DTS([]Name{{Name: "f", Kind: KindFunction, Params: "mystery", Status: Implemented, Fail: []byte("false")}})
	if err == nil || !strings.Contains(err.Error(), "mystery") {
		t.Errorf("DTS with an untyped parameter: err = %v, want one naming it", err)
	}
}

// handWritten returns the webphone_api members the hand-written part of
// webphone_api.js defines: api.x = ..., and the registrars of its CALLBACKS
// and DEPRECATED lists.
func handWritten(t *testing.T) map[string]bool {
	t.Helper()
	before, _, after, err := SplitJS(readFile(t, "www/webphone_api.js"))
	if err != nil {
		t.Fatal(err)
	}
	js := before + after
	defined := map[string]bool{}
	for _, m := range regexp.MustCompile(`\bapi\.([A-Za-z_$][\w$]*)\s*=[^=]`).FindAllStringSubmatch(js, -1) {
		defined[m[1]] = true
	}
	lists := regexp.MustCompile(`var (?:CALLBACKS|DEPRECATED) = \[([^\]]*)\]`).FindAllStringSubmatch(js, -1)
	if len(lists) != 2 {
		t.Fatalf("webphone_api.js: found %d of the CALLBACKS and DEPRECATED lists, want 2", len(lists))
	}
	for _, l := range lists {
		for _, m := range regexp.MustCompile(`'([^']+)'`).FindAllStringSubmatch(l[1], -1) {
			defined[m[1]] = true
		}
	}
	return defined
}

// The hand-written part of webphone_api.js defines every built member and
// none that is not built (those come from the generated table), and defines
// nothing the table does not document.
func TestWebphoneAPIDefinesTheBuiltNames(t *testing.T) {
	names := load(t)
	defined := handWritten(t)
	documented := map[string]bool{"parameters": true, "__booted": true}
	for _, n := range names {
		if !n.Member() {
			continue
		}
		documented[n.Name] = true
		if n.Built() && !defined[n.Name] {
			t.Errorf("%s is %q in names.json but webphone_api.js does not define it", n.Name, n.Status)
		}
		if !n.Built() && defined[n.Name] {
			t.Errorf("%s is %q in names.json but webphone_api.js defines it by hand: mark it built, or remove the definition", n.Name, n.Status)
		}
	}
	var extra []string
	for name := range defined {
		if !documented[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("webphone_api.js defines names the table does not list: %v", extra)
	}
}

// goExports returns the member names of the maps that jsbridge's exported
// API constructors return (EngineAPI, and the feature sets cmd/wasm merges
// into it: any exported function whose name ends in "API").
func goExports(t *testing.T) map[string]bool {
	t.Helper()
	dir := filepath.Join(root, "jsbridge")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	keys := map[string]bool{}
	for _, ent := range entries {
		name := ent.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Body == nil || !fn.Name.IsExported() || !strings.HasSuffix(fn.Name.Name, "API") {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				ret, ok := n.(*ast.ReturnStmt)
				if !ok || len(ret.Results) != 1 {
					return true
				}
				lit, ok := ret.Results[0].(*ast.CompositeLit)
				if !ok {
					return true
				}
				for _, el := range lit.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if bl, ok := kv.Key.(*ast.BasicLit); ok && bl.Kind == token.STRING {
							s, _ := strconv.Unquote(bl.Value)
							keys[s] = true
						}
					}
				}
				return false
			})
		}
	}
	if !keys["call"] {
		t.Fatal("jsbridge: found no EngineAPI map with its members (call missing)")
	}
	return keys
}

// Every built function that names a Go member is exported by
// jsbridge.EngineAPI, and webphone_api.js names that member (the browser
// test TestAPINamesExistAndSurviveJunk checks the call really arrives).
func TestBuiltFunctionsAreForwarded(t *testing.T) {
	names := load(t)
	exports := goExports(t)
	before, _, after, err := SplitJS(readFile(t, "www/webphone_api.js"))
	if err != nil {
		t.Fatal(err)
	}
	js := before + after
	for _, n := range names {
		if n.Go == "" {
			continue
		}
		if !exports[n.Go] {
			t.Errorf("%s forwards to %q, which jsbridge.EngineAPI does not export", n.Name, n.Go)
		}
		if !strings.Contains(js, "'"+n.Go+"'") {
			t.Errorf("%s forwards to %q, which webphone_api.js never names", n.Name, n.Go)
		}
	}
	for _, n := range names {
		if n.Kind == KindFunction && n.Built() && n.Go == "" && n.Note == "" {
			t.Errorf("%s is built without a Go member: say in its note what answers it", n.Name)
		}
	}
}

// A built old call-state name (callSetup, ...) is the apibehaviour twin of
// a new name the engine emits.
func TestBuiltCallStatesAreEmitted(t *testing.T) {
	names := load(t)
	files, err := filepath.Glob(filepath.Join(root, "engine", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	engine := src.String()
	if !strings.Contains(engine, `old := "call" + strings.ToUpper(event[:1]) + event[1:]`) {
		t.Fatal("engine no longer derives the old call-state names the way this test expects (engine/callstate.go)")
	}
	for _, n := range names {
		if n.Kind != KindCallState {
			continue
		}
		event := strings.ToLower(n.Name[4:5]) + n.Name[5:]
		emitted := strings.Contains(engine, `emitCallState("`+event+`"`)
		if n.Built() != emitted {
			t.Errorf("%s is %q in names.json, but the engine emitting %q is %v", n.Name, n.Status, event, emitted)
		}
	}
}
