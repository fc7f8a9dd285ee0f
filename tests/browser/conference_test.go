package browser

import (
	"fmt"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/tests/infra"
)

// Shares of a tone in a party's recording (infra.ToneShares): at least
// tonePresent means the party hears it in the mix, at most toneAbsent that
// it does not. Measured: a tone alone about 1; in the mix the other
// party's tone 0.8-0.98 and the page's 0.1-0.26 (Chromium's capture
// processing makes the microphone quieter than the received audio); an
// absent tone below 0.001.
const tonePresent, toneAbsent = 0.05, 0.02

// recordingMark notes how much a baresip has recorded of what it receives,
// so that a check looks only at what came after.
type recordingMark struct {
	file string
	at   time.Duration
}

func markRecording(t *testing.T, b *infra.Baresip) recordingMark {
	t.Helper()
	files := b.ReceivedWAVs()
	if len(files) != 1 {
		t.Fatalf("baresip has %d recordings of received audio, want 1: %v", len(files), files)
	}
	d, err := infra.WAVDuration(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return recordingMark{file: files[0], at: d}
}

// waitMix waits until what a party received after the mark has every tone
// of hear and none of notHear (each measured in the loudest second).
func waitMix(t *testing.T, who string, m recordingMark, hear, notHear []float64) {
	t.Helper()
	all := append(append([]float64{}, hear...), notHear...)
	var last string
	ok := func() bool {
		shares, err := infra.ToneShares(m.file, m.at+time.Second, all...)
		if err != nil {
			last = err.Error()
			return false
		}
		last = fmt.Sprint(shares)
		for _, f := range hear {
			if shares[f] < tonePresent {
				return false
			}
		}
		for _, f := range notHear {
			if shares[f] > toneAbsent {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(25 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: does not hear %v without %v: %s", who, hear, notHear, last)
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("%s hears %v without %v: %s", who, hear, notHear, last)
}

// A three-way conference mixed in the page, through Kamailio + rtpengine:
// the page calls bob (baresip sending 440 Hz) and carol (660 Hz);
// conference("") joins them: bob's recording has carol's tone and the
// page's (1000 Hz), carol's has bob's and the page's, and the page hears
// both on their lines. Muting the microphone on bob's line silences only
// the user for bob. conference("2", false) takes carol out: bob and
// carol hear only the page again, the calls go on. Joined again, carol
// hangs up: bob and the page still talk.
func TestKamailioConferenceMixedInPage(t *testing.T) {
	rig := startTransferRig(t)
	p := rig.openAlice(t)
	callBaresip(t, p, rig.bob, "bob", 1, bobTone)
	callBaresip(t, p, rig.carol, "carol", 2, carolTone)
	waitBaresipHears(t, rig.bob, pageTone, 20*time.Second)
	waitBaresipHears(t, rig.carol, pageTone, 20*time.Second)
	waitMix(t, "bob before the conference", markRecording(t, rig.bob), []float64{pageTone}, []float64{carolTone})

	bobMark, carolMark := markRecording(t, rig.bob), markRecording(t, rig.carol)
	if got := p.api(`conference("")`); got != "true" {
		t.Fatalf(`conference("") = %s, want true; logs:\n%s`, got, p.errorLogs())
	}
	p.waitEvent("conference created", 10*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && e.arg(0) == "conference"
	})
	waitMix(t, "bob", bobMark, []float64{pageTone, carolTone}, nil)
	waitMix(t, "carol", carolMark, []float64{pageTone, bobTone}, nil)
	p.waitHears("1", bobTone, 10*time.Second)
	p.waitHears("2", carolTone, 10*time.Second)

	// the user mutes the microphone on bob's line: bob still hears carol
	bobMark, carolMark = markRecording(t, rig.bob), markRecording(t, rig.carol)
	if got := p.api(`setline(1)`); got != "true" {
		t.Fatalf("setline(1) = %s", got)
	}
	if got := p.api(`mute(true, 2)`); got != "true" {
		t.Fatalf("mute(true, 2) = %s", got)
	}
	waitMix(t, "bob with line 1 muted", bobMark, []float64{carolTone}, []float64{pageTone})
	waitMix(t, "carol with line 1 muted", carolMark, []float64{pageTone, bobTone}, nil)
	if got := p.api(`mute(false, 2)`); got != "true" {
		t.Fatalf("mute(false, 2) = %s", got)
	}

	bobMark, carolMark = markRecording(t, rig.bob), markRecording(t, rig.carol)
	if got := p.api(`conference("2", false)`); got != "true" {
		t.Fatalf(`conference("2", false) = %s, want true`, got)
	}
	waitMix(t, "bob after line 2 left", bobMark, []float64{pageTone}, []float64{carolTone})
	waitMix(t, "carol after line 2 left", carolMark, []float64{pageTone}, []float64{bobTone})
	if n := p.count(func(e event) bool { return e.Cb == "onCallStateChange" && e.arg(0) == "disconnected" }); n != 0 {
		t.Fatalf("%d calls ended when line 2 left the conference, want none", n)
	}

	if got := p.api(`conference("")`); got != "true" {
		t.Fatalf(`conference("") again = %s, want true`, got)
	}
	bobMark = markRecording(t, rig.bob)
	waitMix(t, "bob in the conference again", bobMark, []float64{pageTone, carolTone}, nil)
	if err := rig.carol.Hangup(); err != nil {
		t.Fatalf("carol hangup: %v", err)
	}
	cdrOfLine(t, p, "2")
	bobMark = markRecording(t, rig.bob)
	waitMix(t, "bob after carol hung up", bobMark, []float64{pageTone}, []float64{carolTone})
	p.waitHears("1", bobTone, 10*time.Second)
}

// conference(number) calls and joins: conference("bob") is a call,
// conference("carol") calls carol and joins her with bob once she answers;
// each hears the other and the page. conference("bob", false) takes bob
// out by name.
func TestKamailioConferenceCallsAndJoins(t *testing.T) {
	rig := startTransferRig(t)
	p := rig.openAlice(t)
	if got := p.api(`conference("bob")`); got != "true" {
		t.Fatalf(`conference("bob") = %s, want true`, got)
	}
	lineConnected(p, "1")
	if _, err := rig.bob.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("bob: %v", err)
	}
	waitBaresipHears(t, rig.bob, pageTone, 20*time.Second)
	bobMark := markRecording(t, rig.bob)
	if got := p.api(`conference("carol")`); got != "true" {
		t.Fatalf(`conference("carol") = %s, want true`, got)
	}
	lineConnected(p, "2")
	p.waitEvent("conference created", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && e.arg(0) == "conference"
	})
	waitMix(t, "bob", bobMark, []float64{pageTone, carolTone}, nil)
	waitFor(t, "carol's recording", 20*time.Second, func() bool { return len(rig.carol.ReceivedWAVs()) == 1 })
	waitMix(t, "carol", markRecording(t, rig.carol), []float64{pageTone, bobTone}, nil)

	bobMark = markRecording(t, rig.bob)
	if got := p.api(`conference("bob", false)`); got != "true" {
		t.Fatalf(`conference("bob", false) = %s, want true`, got)
	}
	waitMix(t, "bob out of the conference", bobMark, []float64{pageTone}, []float64{carolTone})
}
