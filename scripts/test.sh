#!/usr/bin/env bash
# The one command that runs every test: installs dependencies, vets, runs the
# native tests, the wasm tests in headless Chromium, and a bounded fuzz run of
# every fuzz target; prints a summary line and exits non-zero on any failure.
#
# Environment: GO_TEST_TIMEOUT (default 30m), FUZZTIME (default 20s per
# target), SKIP_FUZZ=1 to leave fuzzing out.
set -uo pipefail
cd "$(dirname "$0")/.."

GO_TEST_TIMEOUT="${GO_TEST_TIMEOUT:-30m}"
FUZZTIME="${FUZZTIME:-20s}"
passed=0
failed=0
failed_steps=()

# step NAME CMD...: runs CMD, printing its output, and records the outcome.
step() {
	local name="$1"
	shift
	echo "=== ${name}: $*"
	if "$@"; then
		passed=$((passed + 1))
		echo "=== ${name}: ok"
	else
		failed=$((failed + 1))
		failed_steps+=("$name")
		echo "=== ${name}: FAILED"
	fi
}

if ! bash scripts/install-deps.sh; then
	echo "install-deps.sh failed"
	echo "steps: 0 passed, 1 failed"
	exit 1
fi
gobin="$(go env GOBIN)"
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
export PATH="$gobin:$PATH"

step vet go vet ./...

# The browser code (syscall/js) is invisible to the native vet: vet it for
# js/wasm too, in the folders that hold Go files.
wasm_pkgs=()
for d in jsbridge webaudio cmd/wasm; do
	if [ -d "$d" ] && [ -n "$(find "$d" -name '*.go' -print -quit)" ]; then
		wasm_pkgs+=("./$d/...")
	fi
done
if [ ${#wasm_pkgs[@]} -gt 0 ]; then
	step vet-wasm env GOOS=js GOARCH=wasm go vet "${wasm_pkgs[@]}"
fi
step test go test -count=1 -p 2 -timeout "$GO_TEST_TIMEOUT" ./...

# Wasm tests: only when jsbridge has test files.
if [ -d jsbridge ] && [ -n "$(find jsbridge -name '*_test.go' -print -quit)" ]; then
	step wasm-test env GOOS=js GOARCH=wasm go test -count=1 -p 1 -timeout "$GO_TEST_TIMEOUT" \
		-exec wasmbrowsertest ./jsbridge/...
else
	echo "=== wasm-test: no test files under jsbridge/"
fi

# Fuzz targets: every "func FuzzX(" in native test files (not js/wasm ones).
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
	while IFS= read -r file; do
		if grep -qE '^//go:build .*\bjs\b' "$file"; then
			continue
		fi
		dir="$(dirname "$file")"
		for fn in $(grep -oE '^func Fuzz[A-Za-z0-9_]*\(' "$file" | sed -e 's/^func //' -e 's/($//'); do
			step "fuzz ${dir}.${fn}" go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$FUZZTIME" "./${dir}"
		done
	done < <(grep -rlE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | grep -v '/vendor/' | sed 's|^\./||' | sort)
fi

if [ "$failed" -gt 0 ]; then
	echo "failed steps: ${failed_steps[*]}"
fi
echo "steps: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
