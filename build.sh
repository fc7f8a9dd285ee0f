#!/usr/bin/env bash
# build.sh: builds the browser deliverable in www/.
#
#   ./build.sh         www/webphone.wasm + www/wasm_exec.js (from this Go)
#   ./build.sh deps    check what the wasm links (no root sipgo package)
#   ./build.sh test    run the jsbridge tests inside headless Chromium
#   ./build.sh all     build, deps and test
#
# The end-to-end tests of the pages (softphone.html, examples/basic.html)
# against the demo server, Kamailio and baresip are plain Go tests:
#   go test ./tests/browser/
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

build() {
	GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o www/webphone.wasm ./cmd/wasm
	# wasm_exec.js must match the Go that built the wasm (Go >= 1.24 keeps it in lib/wasm).
	if [ -f "$GOROOT_DIR/lib/wasm/wasm_exec.js" ]; then
		cp "$GOROOT_DIR/lib/wasm/wasm_exec.js" www/wasm_exec.js
	else
		cp "$GOROOT_DIR/misc/wasm/wasm_exec.js" www/wasm_exec.js
	fi
	size=$(wc -c < www/webphone.wasm)
	gz=$(gzip -9 -c www/webphone.wasm | wc -c)
	echo "www/webphone.wasm: $size bytes ($gz gzipped), www/wasm_exec.js from $(go version | cut -d' ' -f3)"
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
deps) deps ;;
test) shift; browsertest "$@" ;;
all) build; deps; browsertest ;;
*) echo "usage: $0 [build|deps|test [go test flags]|all]" >&2; exit 2 ;;
esac
