// Package jsbridge is the only package that touches JavaScript. It supplies
// the browser pieces the pure-Go engine needs: a WebSocket sipcore.Transport
// (RFC 7118, subprotocol "sip"), RTCPeerConnection media implementing
// engine.Media, a localStorage engine.Storage, the page URL for wp_
// parameters, and the exported API object (globalThis.__webphone_go) that
// www/webphone_api.js calls, plus the dispatcher hook through which engine
// events reach the page callbacks.
//
// Every call into JavaScript goes through github.com/hack-pad/safejs, so a
// JavaScript exception becomes a Go error. Functions called from JavaScript
// never block: anything that waits (Promises, WebSocket open, ICE gathering)
// runs on a goroutine.
//
// Everything except the pure helpers (SDP codec filtering, ICE server
// parsing) is built only for GOOS=js GOARCH=wasm. Its tests run inside
// headless Chromium: see ../build.sh test.
package jsbridge
