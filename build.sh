#!/usr/bin/env bash
# build.sh: builds the browser deliverable in www/.
#
#   ./build.sh         www/webphone.wasm + www/wasm_exec.js (the repository's
#                      wasm_exec.js, checked against this Go's)
#   ./build.sh wasmexec  take this Go's wasm_exec.js into the repository
#   ./build.sh size    raw, gzip and brotli sizes of www/webphone.wasm
#   ./build.sh deps    check what the wasm links (no root sipgo package)
#   ./build.sh test    run the jsbridge tests inside headless Chromium
#   ./build.sh all     build, deps and test
#
# The end-to-end tests of the pages (softphone.html, click2call.html, examples/)
# against the demo server, Kamailio and baresip are plain Go tests:
#   go test ./tests/browser/
#
# Size (issue 13; docs/size.md): the wasm is built with -trimpath,
# -ldflags="-s -w" and -gcflags=all=-l (no inlining: 9 % smaller after
# brotli, SIP parsing about 2x slower, still well under a millisecond;
# WEBPHONE_GCFLAGS= builds with the compiler's default). wasm-opt (Debian's
# binaryen) made the brotli stream larger on this build at every level, so
# it runs only when asked: WEBPHONE_WASM_OPT=-O1 (or another level). The
# build prints the raw and gzip -9 sizes; "./build.sh size" adds brotli -q 11
# (the brotli tool).
#
# The test mode needs wasmbrowsertest:
#   go install github.com/agnivade/wasmbrowsertest@v0.11.0
# and Chromium (/usr/bin/chromium, or set WEBPHONE_CHROMIUM). It puts
# jsbridge/testdata/bin first on PATH: its "chromium" wrapper adds a fake
# microphone, no permission prompts, autoplay and loopback ICE candidates.
set -euo pipefail
cd "$(dirname "$0")"

GOROOT_DIR=$(go env GOROOT)
GOBIN_DIR=$(go env GOPATH)/bin

# The wasm features Go's output uses, which wasm-opt must be told about.
WASM_OPT_FEATURES=(--enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int)
WASM_OPT_LEVEL="${WEBPHONE_WASM_OPT:-off}"
GCFLAGS="${WEBPHONE_GCFLAGS-all=-l}"

build() {
	# Build next to the target and rename, so that a page (or a test copying
	# www/) never reads a half-written wasm.
	tmp=$(mktemp www/.webphone.wasm.XXXXXX)
	trap 'rm -f "$tmp" "$tmp.opt"' EXIT
	GOOS=js GOARCH=wasm go build -trimpath -gcflags="$GCFLAGS" -ldflags="-s -w" -o "$tmp" ./cmd/wasm
	opt="wasm-opt: not installed (apt-get install binaryen), wasm left as Go built it"
	if [ "$WASM_OPT_LEVEL" = off ]; then
		opt="wasm-opt: not run (larger after brotli, docs/size.md; WEBPHONE_WASM_OPT=-O1 runs it)"
	elif command -v wasm-opt >/dev/null 2>&1; then
		before=$(wc -c < "$tmp")
		wasm-opt "$WASM_OPT_LEVEL" "${WASM_OPT_FEATURES[@]}" "$tmp" -o "$tmp.opt"
		mv "$tmp.opt" "$tmp"
		opt="wasm-opt $WASM_OPT_LEVEL: $before -> $(wc -c < "$tmp") bytes"
	fi
	chmod 644 "$tmp"
	mv "$tmp" www/webphone.wasm
	trap - EXIT
	# wasm_exec.js must match the Go that built the wasm (Go >= 1.24 keeps it in lib/wasm).
	check_wasm_exec
	cp wasm_exec.js www/wasm_exec.js
	size=$(wc -c < www/webphone.wasm)
	gz=$(gzip -9 -c www/webphone.wasm | wc -c)
	echo "$opt"
	echo "www/webphone.wasm: $size bytes ($gz gzipped; gcflags '$GCFLAGS'), www/wasm_exec.js from $(go version | cut -d' ' -f3)"
}

# size prints the raw, gzip -9 and brotli -q 11 sizes of the built wasm
# (brotli takes half a minute, so the plain build leaves it out).
size() {
	f=www/webphone.wasm
	[ -f "$f" ] || { echo "no $f: run ./build.sh first" >&2; exit 1; }
	br="brotli tool not installed (apt-get install brotli)"
	if command -v brotli >/dev/null 2>&1; then
		br=$(brotli -q 11 -c "$f" | wc -c)
	fi
	echo "size: $f raw $(wc -c < "$f") gzip-9 $(gzip -9 -c "$f" | wc -c) brotli-11 $br (budget: 1500000 brotli)"
}

# check_wasm_exec: the repository's wasm_exec.js (the one the deliverable
# ships) must be the one of the Go toolchain that builds the wasm; after a Go
# upgrade, `./build.sh wasmexec` takes the toolchain's.
toolchain_wasm_exec() {
	if [ -f "$GOROOT_DIR/lib/wasm/wasm_exec.js" ]; then
		echo "$GOROOT_DIR/lib/wasm/wasm_exec.js"
	else
		echo "$GOROOT_DIR/misc/wasm/wasm_exec.js"
	fi
}

check_wasm_exec() {
	if ! cmp -s wasm_exec.js "$(toolchain_wasm_exec)"; then
		echo "FAIL: wasm_exec.js differs from $(toolchain_wasm_exec) ($(go version | cut -d' ' -f3));" \
			"run ./build.sh wasmexec to take the toolchain's and commit it" >&2
		exit 1
	fi
}

deps() {
	list=$(GOOS=js GOARCH=wasm go list -deps ./cmd/wasm)
	if echo "$list" | grep -qx 'github.com/emiago/sipgo'; then
		echo "FAIL: the root github.com/emiago/sipgo package is linked into the wasm" >&2
		exit 1
	fi
	# net, net/http and crypto/tls come in through github.com/emiago/sipgo/sip
	# (and its gobwas/ws and icholy/digest imports); report who pulls them in.
	for p in net net/http crypto/tls; do
		if echo "$list" | grep -qx "$p"; then
			who=$(GOOS=js GOARCH=wasm go list -deps -f '{{.ImportPath}} {{join .Imports " "}}' ./cmd/wasm |
				awk -v p="$p" '{for (i = 2; i <= NF; i++) if ($i == p) print $1}' | grep -v '^net' | grep -v '^crypto' | grep -v '^vendor' | tr '\n' ' ')
			echo "note: $p is linked, imported by: $who"
		fi
	done
	# jsbridge itself must not add any of them.
	direct=$(GOOS=js GOARCH=wasm go list -f '{{join .Imports " "}}' ./jsbridge ./cmd/wasm)
	for p in net net/http crypto/tls github.com/emiago/sipgo; do
		if echo " $direct " | grep -q " $p "; then
			echo "FAIL: jsbridge or cmd/wasm imports $p directly" >&2
			exit 1
		fi
	done
	echo "deps ok: no root sipgo package; jsbridge and cmd/wasm import no net, net/http or crypto/tls"
}

browsertest() {
	if ! command -v wasmbrowsertest >/dev/null 2>&1 && [ ! -x "$GOBIN_DIR/wasmbrowsertest" ]; then
		echo "wasmbrowsertest missing: go install github.com/agnivade/wasmbrowsertest@v0.11.0" >&2
		exit 1
	fi
	PATH="$(pwd)/jsbridge/testdata/bin:$GOBIN_DIR:$PATH" GOOS=js GOARCH=wasm \
		go test -exec wasmbrowsertest "$@" ./jsbridge/... 2>&1 |
		{ grep -v 'unknown IPAddressSpace value' || true; }
}

case "${1:-build}" in
build) build ;;
wasmexec) cp "$(toolchain_wasm_exec)" wasm_exec.js && echo "wasm_exec.js from $(go version | cut -d' ' -f3)" ;;
size) size ;;
deps) deps ;;
test) shift; browsertest "$@" ;;
all) build; deps; browsertest ;;
*) echo "usage: $0 [build|wasmexec|size|deps|test [go test flags]|all]" >&2; exit 2 ;;
esac
