package browser

import (
	"regexp"
	"testing"
	"time"
)

// streamingRefused makes WebAssembly.instantiateStreaming fail as it does
// when a server does not send application/wasm: webphone_api.js must fall
// back to fetching an ArrayBuffer.
const streamingRefused = `WebAssembly.instantiateStreaming = function () {
	window.__streamingRefused = true;
	return Promise.reject(new TypeError("Incorrect response MIME type. Expected 'application/wasm'."));
};`

// lineRe reads a line of softphone.html's #lines list.
func lineRe(peer, state string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^line (\d+): ` + regexp.QuoteMeta(peer) + ` – ` + state + `$`)
}

// Two softphone.html pages, used only through their own fields, buttons and
// status text, call each other through the demo server: 1001 registers from
// its URL parameters, 1002 (whose wasm loads through the ArrayBuffer
// fallback) from its account form; then call, incoming call, accept, audio
// both ways, hold/unhold, mute/unmute, RFC 4733 and SIP INFO tones from the
// dial pad, chat, hang up and the CDR line. Last, examples/basic.html registers from
// its URL parameters alone.
func TestSoftphoneUI(t *testing.T) {
	srv := startDemo(t)
	base := srv.HTTPURL()
	const toneA, toneB = 440.0, 1000.0
	const wait = 20 * time.Second

	a := openUIPage(t, "softphone 1001", base, "softphone.html", toneWAV(t, toneA, 48000), demoParams(srv, "1001"), "")
	b := openUIPage(t, "softphone 1002", base, "softphone.html", toneWAV(t, toneB, 48000),
		map[string]string{"loglevel": "5"}, streamingRefused)

	// 1001: registered from the URL; the form shows the parameters.
	a.waitText("#reg", regexp.MustCompile(`^registered$`), wait)
	waitTrue(t, a, `document.getElementById('reg').className === 'on' && webphone_api.isregistered()`, wait)
	if got := a.value("#username"); got != "1001" {
		t.Errorf("1001: the username field shows %q, want the wp_username parameter 1001", got)
	}
	if got := a.value("#webrtcserveraddress"); got != srv.WSURL() {
		t.Errorf("1001: the WebSocket URL field shows %q, want %q", got, srv.WSURL())
	}

	// 1002: nothing configured; the user fills in the form and registers.
	b.waitTextContains("#status", "Ready to configure", wait)
	if got := b.text("#reg"); got == "registered" {
		t.Fatalf("1002: registered before any account was entered")
	}
	waitTrue(t, b, `window.__streamingRefused === true && webphone_api.getenginename() === 'webrtc'`, wait)
	b.typeInto("#serveraddress", srv.Domain())
	b.typeInto("#webrtcserveraddress", srv.WSURL())
	b.typeInto("#username", "1002")
	b.typeInto("#password", "pass1002")
	b.click("#btnRegister")
	b.waitText("#reg", regexp.MustCompile(`^registered$`), wait)
	waitTrue(t, b, `document.getElementById('reg').className === 'on' && webphone_api.isregistered()`, wait)

	for _, p := range []*page{a, b} {
		p.waitTextContains("#status", "Registered.", wait)
	}

	// Call buttons are disabled while there is no call.
	waitTrue(t, a, `['btnHangup', 'btnHold', 'btnMute'].every(function (id) { return document.getElementById(id).disabled; })`, wait)

	// 1001 dials 1002 with the number field and the Call button.
	a.typeInto("#number", "1002")
	a.click("#btnCall")
	b.waitText("#lines", lineRe("from 1001", "ringing"), wait)
	waitTrue(t, b, `document.getElementById('incoming').style.display === 'block'`, wait)
	if got := b.text("#caller"); got != "1001" {
		t.Errorf("1002: incoming call from %q, want 1001", got)
	}
	a.waitText("#lines", lineRe("to 1002", "ringing"), wait)
	b.click("#btnAccept")
	lineA := a.waitText("#lines", lineRe("to 1002", "connected"), wait)[1]
	lineB := b.waitText("#lines", lineRe("from 1001", "connected"), wait)[1]
	waitTrue(t, b, `document.getElementById('incoming').style.display === 'none'`, wait)
	for _, p := range []*page{a, b} {
		waitTrue(t, p, `['btnHangup', 'btnHold', 'btnMute'].every(function (id) { return !document.getElementById(id).disabled; })`, wait)
		p.waitTextContains("#status", "In Call", wait)
	}

	// Media: ICE connects, 1002 plays the remote audio, bytes arrive, and
	// each side hears the other's tone.
	waitTrue(t, a, `['connected', 'completed'].indexOf(webphone_api.getrtcpeerconnection().iceConnectionState) >= 0`, wait)
	waitTrue(t, b, `(function () { var el = document.querySelector('audio[data-webphone-line]');
		return !!el && !!el.srcObject && !el.paused; })()`, wait)
	waitTrue(t, b, `(async function () { var n = 0; (await webphone_api.getrtcpeerconnection().getStats()).forEach(function (x) {
		if (x.type === 'inbound-rtp') n += x.bytesReceived; }); return n > 1000; })()`, wait)
	t.Logf("1001 hears: %v", a.waitHears(lineA, toneB, wait))
	t.Logf("1002 hears: %v", b.waitHears(lineB, toneA, wait))

	// Hold and unhold with the Hold button.
	a.click("#btnHold")
	waitTrue(t, a, `webphone_api.isonhold() && webphone_api.getrtcpeerconnection().localDescription.sdp.indexOf('a=sendonly') >= 0`, wait)
	a.waitText("#btnHold", regexp.MustCompile(`^Unhold$`), wait)
	a.click("#btnHold")
	waitTrue(t, a, `!webphone_api.isonhold() && webphone_api.getrtcpeerconnection().localDescription.sdp.indexOf('a=sendrecv') >= 0`, wait)
	a.waitText("#btnHold", regexp.MustCompile(`^Hold$`), wait)

	// Mute and unmute with the Mute button: the microphone track.
	a.click("#btnMute")
	waitTrue(t, a, `webphone_api.ismuted() && webphone_api.getrtcpeerconnection().getSenders()[0].track.enabled === false`, wait)
	a.waitText("#btnMute", regexp.MustCompile(`^Unmute$`), wait)
	a.click("#btnMute")
	waitTrue(t, a, `!webphone_api.ismuted() && webphone_api.getrtcpeerconnection().getSenders()[0].track.enabled === true`, wait)
	a.waitText("#btnMute", regexp.MustCompile(`^Mute$`), wait)

	// RFC 4733 tones from the dial pad, played by the RTCDTMFSender.
	if got := a.api(`setparameter('dtmfmode', '4')`); got != "true" {
		t.Fatalf("setparameter('dtmfmode', '4') = %s, want true", got)
	}
	var ok bool
	a.eval(`(function () { window.__tones = ''; webphone_api.getrtcpeerconnection().getSenders()[0].dtmf
		.addEventListener('tonechange', function (e) { window.__tones += e.tone; }); return true; })()`, &ok)
	a.click(`//div[@id='pad']/button[text()='1']`)
	waitTrue(t, a, `window.__tones === '1'`, wait)
	a.click(`//div[@id='pad']/button[text()='#']`)
	waitTrue(t, a, `window.__tones === '1#'`, wait)
	// SIP INFO tones from the dial pad reach 1002's onDTMF (its log).
	if got := a.api(`setparameter('dtmfmode', '1')`); got != "true" {
		t.Fatalf("setparameter('dtmfmode', '1') = %s, want true", got)
	}
	a.click(`//div[@id='pad']/button[text()='5']`)
	b.waitTextContains("#log", "DTMF 5 on line "+lineB, wait)
	if got := a.value("#number"); got != "1002" {
		t.Errorf("1001: the dial pad typed into the number field during the call: %q", got)
	}

	// Chat to the number in the number field.
	a.typeInto("#chatmsg", "hello, B")
	a.click("#btnChat")
	a.waitTextContains("#chatlog", "me → 1002: hello, B", wait)
	if got := a.value("#chatmsg"); got != "" {
		t.Errorf("1001: the chat field still holds %q after sending", got)
	}
	b.waitTextContains("#chatlog", "1001: hello, B", wait)

	// Hang up: both sides end the call, the call buttons turn off, and each
	// logs its CDR.
	a.click("#btnHangup")
	cdr := regexp.MustCompile(`CDR 1001 → 1002, [1-9]\d* s, `)
	for _, p := range []*page{a, b} {
		waitTrue(t, p, `!webphone_api.isincall()`, wait)
		p.waitText("#lines", regexp.MustCompile(`^$`), wait)
		waitTrue(t, p, `['btnHangup', 'btnHold', 'btnMute'].every(function (id) { return document.getElementById(id).disabled; })`, wait)
		p.waitText("#log", cdr, wait)
		p.waitTextContains("#status", "Call Finished", wait)
	}

	// The basic example registers from its URL parameters alone.
	ex := openUIPage(t, "basic 1003", base, "examples/basic.html", toneWAV(t, toneA, 48000), demoParams(srv, "1003"), "")
	ex.waitText("#state", regexp.MustCompile(`^registered$`), wait)
	waitTrue(t, ex, `webphone_api.isregistered()`, wait)
}
