package browser

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// deviceList calls getdevicelist(dev, callback) and returns what the
// callback receives, split on CRLF.
func (p *page) deviceList(dev int) []string {
	p.t.Helper()
	var s string
	p.eval(fmt.Sprintf(`new Promise(function (r) { webphone_api.getdevicelist(%d, r); })`, dev), &s)
	if s == "" {
		return nil
	}
	return strings.Split(s, "\r\n")
}

// levelOf averages the level of freq on a line over a few windows.
func (p *page) levelOf(line string, freq float64) float64 {
	p.t.Helper()
	sum := 0.0
	const n = 4
	for i := 0; i < n; i++ {
		m := p.measure(line, freq)
		if !m.OK {
			p.t.Fatalf("%s: cannot measure line %s: %v", p.name, line, m)
		}
		sum += m.level(freq)
	}
	return sum / n
}

// Devices and volume mid-call, two pages through the demo server:
// getdevicelist lists Chromium's fake devices by label, setdevice switches
// the microphone and the speaker without renegotiation while the far end
// keeps hearing the call, and setvolume on the microphone changes the level
// the far end receives by the expected ratio (25 = half = -6 dB).
func TestDevicesAndMicrophoneVolumeMidCall(t *testing.T) {
	srv := startDemo(t)
	const micA, micB = 1000.0, 600.0
	a := openPage(t, "page 1001", srv.HTTPURL(), toneWAV(t, micA, 48000), demoParams(srv, "1001"))
	b := openPage(t, "page 1002", srv.HTTPURL(), toneWAV(t, micB, 48000), demoParams(srv, "1002"))
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)
	if got := a.api(`call("1002")`); got != "true" {
		t.Fatalf(`call("1002") = %s, want true`, got)
	}
	b.waitCallState("ringing", 2, 20*time.Second)
	if got := b.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s, want true", got)
	}
	ca := a.waitCallState("connected", 1, 20*time.Second)
	cb := b.waitCallState("connected", 2, 20*time.Second)
	lineA, lineB := ca.arg(4), cb.arg(4)
	b.waitHears(lineB, micA, 20*time.Second)

	// the microphone is open: the lists carry the labels
	var mics, speakers []string
	waitFor(t, "getdevicelist(0) to list labelled fake microphones", 10*time.Second, func() bool {
		mics = a.deviceList(0)
		return len(mics) >= 2 && strings.Contains(strings.Join(mics, "|"), "Fake")
	})
	speakers = a.deviceList(1)
	t.Logf("microphones %q, speakers %q, ringers %q", mics, speakers, a.deviceList(2))
	if len(speakers) < 2 {
		t.Fatalf("getdevicelist(1) = %q, want Chromium's fake outputs", speakers)
	}
	if got := a.api(`getdevice(0)`); got != fmt.Sprintf("%q", mics[0]) {
		t.Errorf("getdevice(0) = %s, want the default %q", got, mics[0])
	}

	// switch the microphone mid-call: no renegotiation, the far end hears it
	before := a.sdp(lineA).Local
	other := mics[len(mics)-1]
	if got := a.api(fmt.Sprintf(`setdevice(0, %q)`, other)); got != "true" {
		t.Fatalf("setdevice(0, %q) = %s, want true", other, got)
	}
	if got := a.api(`getdevice(0)`); got != fmt.Sprintf("%q", other) {
		t.Errorf("getdevice(0) after setdevice = %s, want %q", got, other)
	}
	if got := a.api(`setdevice(0, "no such microphone")`); got != "false" {
		t.Errorf(`setdevice(0, "no such microphone") = %s, want false`, got)
	}
	t.Logf("1002 hears 1001 after the microphone switch: %v", b.waitHears(lineB, micA, 15*time.Second))
	if after := a.sdp(lineA).Local; after != before {
		t.Errorf("setdevice renegotiated: local SDP changed from\n%s\nto\n%s", before, after)
	}

	// the speaker: the call's <audio> element goes to the chosen output
	out := speakers[len(speakers)-1]
	if got := a.api(fmt.Sprintf(`setdevice(1, %q)`, out)); got != "true" {
		t.Fatalf("setdevice(1, %q) = %s, want true", out, got)
	}
	waitTrue(t, a, `(function () { var e = document.querySelector('audio[data-webphone-line]'); return !!e && e.sinkId !== ''; })()`, 10*time.Second)
	t.Logf("1001 hears 1002 on the chosen speaker: %v", a.waitHears(lineA, micB, 15*time.Second))

	// microphone volume: 25 is half the amplitude, -6 dB at the far end
	full := b.levelOf(lineB, micA)
	if got := a.api(`setvolume(0, 25)`); got != "true" {
		t.Fatalf("setvolume(0, 25) = %s, want true", got)
	}
	if got := a.api(`getvolume(0)`); got != "25" {
		t.Errorf("getvolume(0) = %s, want 25", got)
	}
	var half float64
	waitFor(t, "the far end's level to drop", 10*time.Second, func() bool {
		half = b.levelOf(lineB, micA)
		return full-half > 3
	})
	if d := full - half; math.Abs(d-6.02) > 2.5 {
		t.Errorf("setvolume(0, 25) changed the received level by %.1f dB (%.1f -> %.1f), want about -6 dB", -d, full, half)
	}
	if got := a.api(`setvolume(0, 0)`); got != "true" {
		t.Fatalf("setvolume(0, 0) = %s, want true", got)
	}
	t.Logf("1002 with 1001's microphone at volume 0: %v", b.waitSilent(lineB, micA, 10*time.Second))
	if got := a.api(`setvolume(0, 101)`); got != "false" {
		t.Errorf("setvolume(0, 101) = %s, want false", got)
	}
	if got := a.api(`setvolume(0, 50)`); got != "true" {
		t.Fatalf("setvolume(0, 50) = %s, want true", got)
	}
	t.Logf("1002 with 1001's microphone back at 50: %v", b.waitHears(lineB, micA, 10*time.Second))
	t.Logf("levels: full %.1f dB, volume 25 %.1f dB", full, half)

	// speaker volume: the call element's volume (at most 1); ringer: the
	// ring output's device
	if got := a.api(`setvolume(1, 25)`); got != "true" {
		t.Fatalf("setvolume(1, 25) = %s, want true", got)
	}
	waitTrue(t, a, `document.querySelector('audio[data-webphone-line]').volume === 0.5`, 5*time.Second)
	if got := a.api(fmt.Sprintf(`setdevice(2, %q)`, out)); got != "true" {
		t.Fatalf("setdevice(2, %q) = %s, want true", out, got)
	}
	waitTrue(t, a, `(function () { var e = document.querySelector('audio[data-webphone-output="ring"]'); return !!e && e.sinkId !== ''; })()`, 10*time.Second)

	// the chosen microphone disappears: back to the default, and the page
	// is told
	a.eval(fmt.Sprintf(`(function () {
		var md = navigator.mediaDevices, orig = md.enumerateDevices.bind(md);
		md.enumerateDevices = function () {
			return orig().then(function (l) { return l.filter(function (d) { return d.label !== %q; }); });
		};
		md.dispatchEvent(new Event('devicechange'));
		return true;
	})()`, other), new(bool))
	a.waitEvent("the device fallback message", 10*time.Second, func(e event) bool {
		return e.Cb == "onEvent" && e.arg(0) == "display" && strings.Contains(e.arg(1), "device "+other+" is gone, using the default device")
	})
	if got := a.api(`getdevice(0)`); got != fmt.Sprintf("%q", mics[0]) {
		t.Errorf("getdevice(0) after the device vanished = %s, want the default %q", got, mics[0])
	}
	t.Logf("1002 hears 1001 on the default microphone again: %v", b.waitHears(lineB, micA, 15*time.Second))

	// devicepopup(): the built-in chooser lists the devices and applies the
	// choice on OK
	if got := a.api(`devicepopup()`); got != "true" {
		t.Fatalf("devicepopup() = %s, want true", got)
	}
	waitTrue(t, a, `document.querySelectorAll('#webphone-devicepopup select[data-dev="0"] option').length >= 2`, 10*time.Second)
	pick := mics[1]
	a.eval(fmt.Sprintf(`(function () {
		var sel = document.querySelector('#webphone-devicepopup select[data-dev="0"]');
		sel.value = %q;
		Array.from(document.querySelectorAll('#webphone-devicepopup button')).filter(function (b) { return b.textContent === 'OK'; })[0].click();
		return true;
	})()`, pick), new(bool))
	if got := a.api(`getdevice(0)`); got != fmt.Sprintf("%q", pick) {
		t.Errorf("getdevice(0) after choosing %q in devicepopup = %s", pick, got)
	}
	waitTrue(t, a, `!document.getElementById('webphone-devicepopup')`, 5*time.Second)
}

// recordGetUserMediaJS records the audio constraints of every getUserMedia
// call in window.__gum (JSON strings), before the page's scripts run.
const recordGetUserMediaJS = `(function () {
	window.__gum = [];
	var md = navigator.mediaDevices, orig = md.getUserMedia.bind(md);
	md.getUserMedia = function (c) {
		window.__gum.push(JSON.stringify(c && c.audio));
		return orig(c);
	};
})();`

// opensDevice waits until the page opened the microphone with the device
// id of the labelled device.
func (p *page) opensDevice(label string, timeout time.Duration) {
	p.t.Helper()
	expr := fmt.Sprintf(`navigator.mediaDevices.enumerateDevices().then(function (l) {
		var d = l.filter(function (d) { return d.kind === 'audioinput' && d.label === %q; })[0];
		return !!d && window.__gum.some(function (c) { return c.indexOf(JSON.stringify(d.deviceId)) >= 0; });
	})`, label)
	waitTrue(p.t, p, expr, timeout)
}

// The audiodevicein parameter, set before the page may see device names,
// is applied once they are known, and setdevice opens the device asked for
// (getUserMedia with its deviceId), the far end hearing the call
// throughout.
func TestMicrophoneParameterAndSetdeviceOpenTheChosenDevice(t *testing.T) {
	srv := startDemo(t)
	const micA = 1000.0
	params := demoParams(srv, "1001")
	params["audiodevicein"] = "Fake Audio Input 1"
	a := openSitePage(t, "page 1001", srv.HTTPURL()+"phone.html", toneWAV(t, micA, 48000), params, recordGetUserMediaJS)
	b := openPage(t, "page 1002", srv.HTTPURL(), toneWAV(t, 600, 48000), demoParams(srv, "1002"))
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)
	if got := a.api(`call("1002")`); got != "true" {
		t.Fatalf(`call("1002") = %s, want true`, got)
	}
	b.waitCallState("ringing", 2, 20*time.Second)
	if got := b.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s, want true", got)
	}
	cb := b.waitCallState("connected", 2, 20*time.Second)
	a.opensDevice("Fake Audio Input 1", 15*time.Second)
	if got := a.api(`getdevice(0)`); got != `"Fake Audio Input 1"` {
		t.Errorf("getdevice(0) = %s, want \"Fake Audio Input 1\"", got)
	}
	t.Logf("1002 hears 1001 on Fake Audio Input 1: %v", b.waitHears(cb.arg(4), micA, 15*time.Second))

	if got := a.api(`setdevice(0, "Fake Audio Input 2")`); got != "true" {
		t.Fatalf(`setdevice(0, "Fake Audio Input 2") = %s, want true`, got)
	}
	a.opensDevice("Fake Audio Input 2", 15*time.Second)
	t.Logf("1002 hears 1001 on Fake Audio Input 2: %v", b.waitHears(cb.arg(4), micA, 15*time.Second))
}
