package browser

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The engine's tone outputs as T.measure names them.
const (
	ringOutput  = `'ring'`
	tonesOutput = `'tones'`
)

// The frequencies of the shipped ringtone and the generated ringback
// (jsbridge.RingtoneSpec, jsbridge.RingbackSpec).
const (
	ringtoneHz = 852.0
	ringbackHz = 425.0
)

// staysSilent waits until freq is no longer heard on output (what was
// already on its way through the audio pipeline drains), then measures for
// at least d more (longer than a tone's cadence, so a pause between two
// bursts does not pass for silence) and fails if freq is heard in any
// window.
func (p *page) staysSilent(what, output string, freq float64, d time.Duration) {
	p.t.Helper()
	p.waitSilent(output, freq, 5*time.Second)
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		m := p.measure(output, freq)
		if m.OK && m.level(freq) > silentMaxDB {
			p.t.Fatalf("%s: %s: %.0f Hz still plays on %s: %v", p.name, what, freq, output, m)
		}
	}
}

// Two pages through the demo server: the callee's ring output plays the
// shipped ringtone and the caller's tones output the ringback; both stop
// when the call is answered (and the call's own audio flows), and the ring
// stops when the caller cancels.
func TestIncomingCallRingsAndCallerHearsRingbackUntilAnswer(t *testing.T) {
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
	a.waitCallState("ringing", 1, 20*time.Second)
	t.Logf("1002 rings: %v", b.waitHears(ringOutput, ringtoneHz, 15*time.Second))
	t.Logf("1001 hears ringback: %v", a.waitHears(tonesOutput, ringbackHz, 15*time.Second))

	if got := b.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s, want true", got)
	}
	ca := a.waitCallState("connected", 1, 20*time.Second)
	cb := b.waitCallState("connected", 2, 20*time.Second)
	b.staysSilent("after accept", ringOutput, ringtoneHz, 3500*time.Millisecond)
	a.staysSilent("after answer", tonesOutput, ringbackHz, 5500*time.Millisecond)
	t.Logf("1001 hears 1002: %v", a.waitHears(ca.arg(4), micB, 20*time.Second))
	t.Logf("1002 hears 1001: %v", b.waitHears(cb.arg(4), micA, 20*time.Second))

	// DTMF key tones on the caller's tones output (playdtmfsound=2: for
	// every digit; ten 5s: 770 + 1336 Hz for about 1.6 s)
	if got := a.api(`setparameter("playdtmfsound", "2")`); got != "true" {
		t.Fatalf("setparameter(playdtmfsound) = %s", got)
	}
	if got := a.api(`dtmf("5555555555")`); got != "true" {
		t.Fatalf("dtmf = %s, want true", got)
	}
	if m := a.measure(tonesOutput, 770, 1336); m.level(770) < toneMinDB || m.level(1336) < toneMinDB {
		t.Errorf("1001's key tones for 5 are not on the tones output: %v", m)
	}
	if got := a.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	b.waitCallState("disconnected", 2, 10*time.Second)

	// a ringtone of the page's own (any URL the browser can fetch, here a
	// data: URL); the caller cancels: the ring stops
	const ownRingHz = 1500.0
	if got := b.api(fmt.Sprintf(`setparameter("ringtone", %q)`, toneDataURL(t, ownRingHz))); got != "true" {
		t.Fatalf("setparameter(ringtone) = %s, want true", got)
	}
	if got := a.api(`call("1002")`); got != "true" {
		t.Fatalf(`second call("1002") = %s, want true`, got)
	}
	b.waitEvent("the second call ringing", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && e.arg(0) == "ringing" && e.arg(1) == "2" && e.arg(5) != cb.arg(5)
	})
	t.Logf("1002 rings with the page's ringtone: %v", b.waitHears(ringOutput, ownRingHz, 15*time.Second))
	if got := a.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() of the ringing call = %s, want true", got)
	}
	b.waitEvent("the cancelled call's CDR", 10*time.Second, func(e event) bool {
		return e.Cb == "onCdr" && e.arg(6) == "CANCEL cancel received"
	})
	b.staysSilent("after the caller's cancel", ringOutput, ownRingHz, 3500*time.Millisecond)
}

// With the browsers' real autoplay rule (audio only after a user gesture):
// the ring output of a call that rings before the user touched the page
// cannot play, and the first gesture (a click) starts it.
func TestFirstUserGestureUnlocksTheRing(t *testing.T) {
	srv := startDemo(t)
	a := openPage(t, "page 1001", srv.HTTPURL(), toneWAV(t, 1000, 48000), demoParams(srv, "1001"))
	b := openSitePage(t, "page 1002", srv.HTTPURL()+"phone.html", toneWAV(t, 600, 48000), demoParams(srv, "1002"), "",
		chromedp.Flag("autoplay-policy", "user-gesture-required"))
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)

	if got := a.api(`call("1002")`); got != "true" {
		t.Fatalf(`call("1002") = %s, want true`, got)
	}
	b.waitCallState("ringing", 2, 20*time.Second)
	waitTrue(t, b, `!!document.querySelector('audio[data-webphone-output="ring"]')`, 10*time.Second)
	var paused bool
	b.eval(`document.querySelector('audio[data-webphone-output="ring"]').paused`, &paused)
	if !paused {
		t.Fatalf("the ring output plays before any user gesture: the test browser does not enforce the autoplay rule")
	}
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.MouseClickXY(5, 5)); err != nil {
		t.Fatalf("click: %v", err)
	}
	// the output element plays (what the user hears), and carries the ring
	waitTrue(t, b, `!document.querySelector('audio[data-webphone-output="ring"]').paused`, 10*time.Second)
	t.Logf("1002 rings after the first click: %v", b.waitHears(ringOutput, ringtoneHz, 15*time.Second))
}
