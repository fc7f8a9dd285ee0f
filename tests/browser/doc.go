// Package browser holds end-to-end tests that drive the webphone in headless
// Chromium (github.com/chromedp/chromedp): a test page (testdata/phone.html)
// loads www/webphone_api.js, records every webphone_api callback and measures
// the received audio with a WebAudio AnalyserNode, while the tests call the
// Mizu API against the embedded demo server, or Kamailio + rtpengine +
// baresip (tests/infra). Each page runs in its own Chromium process with its
// own fake microphone WAV; the tests build www/webphone.wasm first
// (./build.sh).
package browser
