#!/usr/bin/env bash
# Installs what the tests need, idempotently and fast when already present:
# Debian packages (Kamailio with WebSocket and presence modules, rtpengine,
# baresip, sipp, Chromium, sox) and wasmbrowsertest as go_js_wasm_exec.
# Runs non-interactively as root on Debian bookworm with Go installed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(kamailio kamailio-websocket-modules kamailio-presence-modules rtpengine-daemon
	baresip-core sip-tester chromium sox)
WASMBROWSERTEST_VERSION=v0.11.0

log() { echo "install-deps: $*"; }

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
	# ports) from starting: the tests start their own instances.
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
