#!/usr/bin/env bash
# Measures speed and size: the Go benchmarks (with allocations) of the SIP
# and media engines and of the RTP relay (packets/s, CPU per call), and the size of the browser deliverable
# (raw, gzip, brotli; docs/size.md).
# 'scripts/bench.sh browser' measures the page against JsSIP 3.13.8 (docs/speed.md).
#
#   scripts/bench.sh              the Go benchmarks (with allocations) of the
#                                 SIP and media engines, and the wasm size
#   BENCHTIME=200x scripts/bench.sh
#   scripts/bench.sh browser      the browser phone against JsSIP 3.13.8 in
#                                 the same run (tests/bench): page to loaded and
#                                 registered, call set-up, idle CPU, sizes;
#                                 prints the table, writes docs/bench-browser.png
#                                 and the table in docs/speed.md
#   BENCH_ROUNDS=9 scripts/bench.sh browser
#
# The browser mode needs Kamailio, rtpengine, baresip and Chromium
# (scripts/install-deps.sh) and npm: it installs JsSIP 3.13.8 into a
# temporary folder and bundles it with esbuild (minified, as a site would
# ship it); set WEBPHONE_JSSIP_DIR to a folder holding jssip.js to skip that.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCHTIME="${BENCHTIME:-1s}"

JSSIP_TMP=""
cleanup() { if [ -n "$JSSIP_TMP" ]; then rm -rf "$JSSIP_TMP"; fi; }
trap cleanup EXIT

browser() {
	./build.sh build
	local jdir="${WEBPHONE_JSSIP_DIR:-}" tmp=""
	if [ -z "$jdir" ]; then
		tmp=$(mktemp -d)
		JSSIP_TMP="$tmp"
		echo "npm install jssip@3.13.8 esbuild@0.24.2 into $tmp"
		npm install --prefix "$tmp" --no-audit --no-fund --loglevel=error jssip@3.13.8 esbuild@0.24.2
		"$tmp/node_modules/.bin/esbuild" "$tmp/node_modules/jssip/lib/JsSIP.js" --bundle --minify \
			--format=iife --global-name=JsSIP --platform=browser --log-level=warning --outfile="$tmp/jssip.js"
		jdir="$tmp"
	fi
	WEBPHONE_JSSIP_DIR="$jdir" go test -tags bench -count=1 -timeout 60m -run '^TestBrowserBench$' ./tests/bench/ "$@"
}

case "${1:-}" in
browser) shift; browser "$@" ;;
"")
	go test -run '^$' -bench . -benchmem -benchtime "$BENCHTIME" ./sipcore/... ./mediacore/... ./rtprelay/...
	# The PCM engine (docs/pcm-engine.md): CPU per call of its Go side and the
	# mouth-to-ear delay its worklet and jitter buffer add, as wasm in Chromium.
	env PATH="$(pwd)/jsbridge/testdata/bin:$PATH" GOOS=js GOARCH=wasm \
		go test -run '^$' -bench PCM -benchmem -benchtime "$BENCHTIME" -exec wasmbrowsertest ./webaudio/
	./build.sh build
	./build.sh size
	;;
*) echo "usage: $0 [browser [go test flags]]" >&2; exit 2 ;;
esac
