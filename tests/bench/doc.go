// Package bench measures what users of the browser phone feel, side by side
// with JsSIP 3.13.8 in the same run, against the same Kamailio + rtpengine +
// baresip on loopback and the same Chromium: page to loaded and to
// registered (first and repeat visit), call set-up cold and warm, with a
// STUN server that never answers, the idle CPU of a registered page, and the
// size of the wasm. It is a benchmark, not a test: the measuring code is
// behind the "bench" build tag (go test ./... does not run it) and asserts
// no timing. Run it with scripts/bench.sh browser; it prints a table and
// writes docs/bench-browser.png and the table in docs/speed.md.
package bench
