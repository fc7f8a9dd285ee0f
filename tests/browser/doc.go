// Package browser holds end-to-end tests that drive the webphone in headless
// Chromium (github.com/chromedp/chromedp): a test page (testdata/phone.html)
// loads www/webphone_api.js, records every webphone_api callback and measures
// the received audio with a WebAudio AnalyserNode, while the tests call the
// Mizu API against the embedded demo server, or Kamailio + rtpengine +
// baresip (tests/infra). The deliverable pages themselves (www/softphone.html,
// www/click2call.html, www/examples/, the demo server's landing page) are
// driven the way a user drives them: typing into their fields, clicking their
// buttons and reading what they show; screenshots of the steps go to
// $WEBPHONE_SCREENSHOTS (else a folder the test names in its log). Each
// page runs in its own Chromium process (its own process group, killed by the
// test) with its own fake microphone WAV.
//
// Run with
//
//	go test ./tests/browser/
//
// It needs /usr/bin/chromium, kamailio (+ websocket modules), rtpengine and
// baresip (scripts/install-deps.sh). TestMain runs ./build.sh once and
// serves a private copy of the built www/.
package browser
