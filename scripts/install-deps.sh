#!/usr/bin/env bash
# Installs what the tests need, idempotently and fast when already present:
# Debian packages (Kamailio with WebSocket and presence modules, rtpengine,
# baresip, linphone-cli, coturn, sipp, Chromium, sox; binaryen's wasm-opt and
# brotli for the size of the wasm, see build.sh) and wasmbrowsertest as
# go_js_wasm_exec.
# Runs non-interactively as root on Debian bookworm with Go installed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(kamailio kamailio-websocket-modules kamailio-presence-modules rtpengine-daemon
	baresip-core linphone-cli coturn sip-tester chromium sox binaryen brotli)
WASMBROWSERTEST_VERSION=v0.11.0

log() { echo "install-deps: $*"; }

# nginx runs the HTTPS guide's site (deploy/nginx) in tests/browser/https_test.go;
# coturn (above) both the TURN guide's configuration and the TURN-only calls.
PACKAGES+=(nginx)

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else
		log "not root and no sudo: cannot install missing packages"; fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	# Keep the packages' services (kamailio on 5060, rtpengine on its default
	# ports, coturn on 3478) from starting: the tests start their own instances.
	policy=/usr/sbin/policy-rc.d
	added_policy=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
		"${SUDO[@]}" chmod 755 "$policy"
		added_policy=1
	fi
	trap '[ "$added_policy" = 1 ] && "${SUDO[@]}" rm -f "$policy"' EXIT
	"${SUDO[@]}" apt-get update -q
	"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
	log "Debian packages present"
fi

# wasmbrowsertest runs GOOS=js GOARCH=wasm tests in headless Chromium. Its
# documented use is as go_js_wasm_exec on PATH; scripts/test.sh also calls it
# by name with -exec.
gobin="$(go env GOBIN)"
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
have_version() {
	[ -x "$gobin/wasmbrowsertest" ] &&
		go version -m "$gobin/wasmbrowsertest" 2>/dev/null | grep -q "mod[[:space:]]*github.com/agnivade/wasmbrowsertest[[:space:]]*$WASMBROWSERTEST_VERSION"
}
if ! have_version; then
	log "go install github.com/agnivade/wasmbrowsertest@$WASMBROWSERTEST_VERSION"
	GOFLAGS= go install "github.com/agnivade/wasmbrowsertest@$WASMBROWSERTEST_VERSION"
fi
if ! cmp -s "$gobin/wasmbrowsertest" "$gobin/go_js_wasm_exec"; then
	cp "$gobin/wasmbrowsertest" "$gobin/go_js_wasm_exec"
fi
# Put both names on the default PATH too when we may.
if [ -w /usr/local/bin ]; then
	for n in wasmbrowsertest go_js_wasm_exec; do
		if [ "$(readlink -f /usr/local/bin/$n 2>/dev/null)" != "$gobin/$n" ]; then
			ln -sf "$gobin/$n" "/usr/local/bin/$n"
		fi
	done
fi
log "ok (wasmbrowsertest $WASMBROWSERTEST_VERSION in $gobin)"

# ensure_npm installs Node.js and npm from Debian when npm is missing.
ensure_npm() {
	if ! command -v npm >/dev/null 2>&1; then
		log "installing npm"
		"${SUDO[@]}" apt-get update -q
		"${SUDO[@]}" apt-get install -y -q --no-install-recommends nodejs npm
	fi
}

# JsSIP for the browser video test against a JsSIP peer page
# (tests/browser/video_jssip_test.go): the npm package ships CommonJS only,
# so esbuild bundles it into one browser script, jssip.js, in
# WEBPHONE_JSSIP_DIR (default /opt/webphone-test/jssip-<version>).
JSSIP_VERSION=3.13.8
ESBUILD_VERSION=0.24.2
JSSIP_DIR="${WEBPHONE_JSSIP_DIR:-/opt/webphone-test/jssip-$JSSIP_VERSION}"
if [ ! -s "$JSSIP_DIR/jssip.js" ]; then
	ensure_npm
	log "npm install jssip@$JSSIP_VERSION esbuild@$ESBUILD_VERSION into $JSSIP_DIR"
	"${SUDO[@]}" mkdir -p "$JSSIP_DIR"
	"${SUDO[@]}" npm install --prefix "$JSSIP_DIR" --no-audit --no-fund --loglevel=error \
		"jssip@$JSSIP_VERSION" "esbuild@$ESBUILD_VERSION"
	"${SUDO[@]}" "$JSSIP_DIR/node_modules/.bin/esbuild" "$JSSIP_DIR/node_modules/jssip/lib/JsSIP.js" \
		--bundle --format=iife --global-name=JsSIP --platform=browser --log-level=warning \
		--outfile="$JSSIP_DIR/jssip.js"
fi
log "ok (JsSIP $JSSIP_VERSION in $JSSIP_DIR/jssip.js)"

# TypeScript for the check of www/webphone_api.d.ts against the TypeScript
# example (scripts/test.sh step "typescript"), in WEBPHONE_TYPESCRIPT_DIR
# (default /opt/webphone-test/typescript-<version>).
TYPESCRIPT_VERSION=5.9.3
TS_DIR="${WEBPHONE_TYPESCRIPT_DIR:-/opt/webphone-test/typescript-$TYPESCRIPT_VERSION}"
if [ ! -x "$TS_DIR/node_modules/.bin/tsc" ]; then
	ensure_npm
	log "npm install typescript@$TYPESCRIPT_VERSION into $TS_DIR"
	"${SUDO[@]}" mkdir -p "$TS_DIR"
	"${SUDO[@]}" npm install --prefix "$TS_DIR" --no-audit --no-fund --loglevel=error "typescript@$TYPESCRIPT_VERSION"
fi
log "ok (TypeScript $TYPESCRIPT_VERSION in $TS_DIR)"
