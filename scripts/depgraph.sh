#!/usr/bin/env bash
# Prints the import graph of this module's packages as `go list` sees it, one
# line per package: "package -> imports", where the imports are the module's
# own packages (short paths) followed by outside libraries (full paths; the
# standard library is left out), "-" when there are none. Packages without
# Go files are left out. The packages under tests/ are end-to-end tests,
# whose imports are mostly in their _test.go files: they are listed with
# those, marked "(tests)". The packages with browser code (jsbridge, cmd/wasm, webaudio) are
# listed again as GOOS=js GOARCH=wasm builds them, marked "(js/wasm)".
#
# docs/architecture.md carries this output between its depgraph markers;
# docs/depgraph_test.go fails when the two differ.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

mod="$(go list -m)"
tmpl='{{if .GoFiles}}{{.ImportPath}}{{range .Imports}} {{.}}{{end}}{{"\n"}}{{end}}'
tmpl_tests='{{.ImportPath}}{{range .Imports}} {{.}}{{end}}{{range .TestImports}} {{.}}{{end}}{{range .XTestImports}} {{.}}{{end}}{{"\n"}}'

# edges TAG: turns `go list` lines on stdin into graph lines.
edges() {
	awk -v mod="$mod" -v tag="$1" '
	# joined returns the n entries of a, sorted, each after a space
	function joined(a, n,    i, j, t, out) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		out = ""
		for (i = 1; i <= n; i++) out = out " " a[i]
		return out
	}
	NF > 0 {
		pkg = $1
		sub("^" mod "/", "", pkg)
		n_own = 0; n_ext = 0
		split("", own); split("", ext); split("", seen)
		for (i = 2; i <= NF; i++) {
			d = $i
			if (d == $1 || seen[d]++) continue
			if (index(d, mod "/") == 1) {
				own[++n_own] = substr(d, length(mod) + 2)
			} else {
				split(d, part, "/")
				if (part[1] ~ /\./) ext[++n_ext] = d
			}
		}
		deps = joined(own, n_own) joined(ext, n_ext)
		if (deps == "") deps = " -"
		print pkg tag " ->" deps
	}'
}

{
	go list -f "$tmpl" ./... | grep -v "^$mod/tests/" | edges ""
	go list -f "$tmpl_tests" ./tests/... | edges " (tests)"
	GOOS=js GOARCH=wasm go list -f "$tmpl" ./jsbridge/... ./cmd/wasm/... ./webaudio/... | edges " (js/wasm)"
} | sort
