package browser

import (
	"fmt"
	"testing"
	"time"
)

// The frequencies of the one-off beeps (jsbridge.BeepIncomingSpec,
// jsbridge.BeepConnectSpec).
const (
	beepIncomingHz = 1400.0
	beepConnectHz  = 1200.0
)

// watched is T.watched's result.
type watched struct {
	Attached bool               `json:"attached"`
	Max      map[string]float64 `json:"max"`
	Beeps    map[string]int     `json:"beeps"`
}

// watchTones starts T.watch on the page's tones output for the beeps. The
// output is made to exist first (a short local play()), so that the watch
// hears a beep from its start.
func (p *page) watchTones() {
	p.t.Helper()
	const hz = 300.0
	if got := p.api(fmt.Sprintf(`play(1, %q, false)`, toneDataURL(p.t, hz))); got != "true" {
		p.t.Fatalf("%s: play() = %s, want true", p.name, got)
	}
	p.waitHears(tonesOutput, hz, 15*time.Second)
	var ok bool
	p.eval(fmt.Sprintf(`T.watch(%s, [%v, %v])`, tonesOutput, beepIncomingHz, beepConnectHz), &ok)
	waitTrue(p.t, p, `T.watched().attached`, 10*time.Second)
}

// waitBeep waits until the watch heard freq beep at least once.
func (p *page) waitBeep(what string, freq float64, timeout time.Duration) watched {
	p.t.Helper()
	var w watched
	waitFor(p.t, p.name+": "+what, timeout, func() bool {
		p.eval(`T.watched()`, &w)
		return w.Beeps[fmt.Sprint(freq)] > 0
	})
	return w
}

// Two pages through the demo server: with beeponincoming=1 the callee's
// tones output beeps once when the call starts to ring (while the ring
// output rings) and does not repeat it; with beeponconnect=2 (callee,
// incoming) and 3 (caller, outgoing) both beep when the call connects.
func TestBeepOnIncomingAndOnConnectOnTheTonesOutput(t *testing.T) {
	srv := startDemo(t)
	pa := demoParams(srv, "1001")
	pa["beeponconnect"] = "3"
	pb := demoParams(srv, "1002")
	pb["beeponincoming"] = "1"
	pb["beeponconnect"] = "2"
	a := openPage(t, "page 1001", srv.HTTPURL(), toneWAV(t, 1000, 48000), pa)
	b := openPage(t, "page 1002", srv.HTTPURL(), toneWAV(t, 600, 48000), pb)
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)
	a.watchTones()
	b.watchTones()

	if got := a.api(`call("1002")`); got != "true" {
		t.Fatalf(`call("1002") = %s, want true`, got)
	}
	b.waitCallState("ringing", 2, 20*time.Second)
	t.Logf("1002 beeps on the incoming call: %+v", b.waitBeep("the incoming-call beep", beepIncomingHz, 10*time.Second))
	t.Logf("1002 rings too: %v", b.waitHears(ringOutput, ringtoneHz, 15*time.Second))
	b.staysSilent("after the incoming-call beep (once, not looped)", tonesOutput, beepIncomingHz, 3500*time.Millisecond)
	var w watched
	a.eval(`T.watched()`, &w)
	if w.Beeps[fmt.Sprint(beepConnectHz)] != 0 || w.Beeps[fmt.Sprint(beepIncomingHz)] != 0 {
		t.Errorf("1001 beeped before its call connected: %+v", w)
	}

	if got := b.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s, want true", got)
	}
	a.waitCallState("connected", 1, 20*time.Second)
	b.waitCallState("connected", 2, 20*time.Second)
	t.Logf("1002 beeps on connect: %+v", b.waitBeep("the connect beep (beeponconnect=2)", beepConnectHz, 10*time.Second))
	t.Logf("1001 beeps on connect: %+v", a.waitBeep("the connect beep (beeponconnect=3)", beepConnectHz, 10*time.Second))
	if got := a.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	b.waitCallState("disconnected", 2, 10*time.Second)
}
