package browser

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/tests/infra"
)

// Through Kamailio + rtpengine: baresip calls the page, which rings on its
// ring output until baresip cancels; the next call rings until the page
// answers, then the ring stops and the call's audio flows. The page calls
// baresip and hears ringback until baresip answers.
func TestKamailioRingAndRingbackUntilCancelAndAnswer(t *testing.T) {
	rig := startKamailioRig(t, false)
	const pageTone, baresipTone = 1000.0, 440.0
	p := openPage(t, "page alice", rig.base, toneWAV(t, pageTone, 48000), rig.pageParams("alice", kamailioUsers["alice"]))
	p.waitRegistered(20 * time.Second)

	if err := rig.b.Dial("sip:alice@" + rig.k.UDPAddr); err != nil {
		t.Fatalf("baresip dial: %v", err)
	}
	first := p.waitCallState("ringing", 2, 20*time.Second)
	t.Logf("page rings: %v", p.waitHears(ringOutput, ringtoneHz, 15*time.Second))
	if err := rig.b.Hangup(); err != nil {
		t.Fatalf("baresip hangup: %v", err)
	}
	p.waitCallState("disconnected", 2, 10*time.Second)
	p.staysSilent("after baresip cancelled", ringOutput, ringtoneHz, 3500*time.Millisecond)

	if err := rig.b.Dial("sip:alice@" + rig.k.UDPAddr); err != nil {
		t.Fatalf("baresip dial: %v", err)
	}
	waitFor(t, "the second incoming call to ring", 20*time.Second, func() bool {
		return p.count(func(e event) bool {
			return e.Cb == "onCallStateChange" && e.arg(0) == "ringing" && e.arg(1) == "2"
		}) >= 2
	})
	t.Logf("page rings again: %v", p.waitHears(ringOutput, ringtoneHz, 15*time.Second))
	if got := p.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s, want true", got)
	}
	conn := p.waitEvent("the second call connected", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && e.arg(0) == "connected" && e.arg(5) != first.arg(5)
	})
	p.staysSilent("after accept", ringOutput, ringtoneHz, 3500*time.Millisecond)
	t.Logf("page hears baresip: %v", p.waitHears(conn.arg(4), baresipTone, 20*time.Second))
	waitBaresipHearsPage(t, rig.b, p, pageTone, 40*time.Second)
	if got := p.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	p.waitEvent("the second call disconnected", 10*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && e.arg(0) == "disconnected" && e.arg(5) == conn.arg(5)
	})

	// the page calls baresip, which rings without answering: ringback
	// until baresip answers
	if _, err := rig.b.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Fatalf("baresip did not see the hangup: %v", err)
	}
	if got := p.api(`call("bob")`); got != "true" {
		t.Fatalf(`call("bob") = %s, want true`, got)
	}
	if _, err := rig.b.WaitEvent("CALL_INCOMING", 20*time.Second); err != nil {
		t.Fatalf("baresip: %v", err)
	}
	t.Logf("page hears ringback: %v", p.waitHears(tonesOutput, ringbackHz, 15*time.Second))
	if err := rig.b.Answer(); err != nil {
		t.Fatalf("baresip answer: %v", err)
	}
	out := p.waitCallState("connected", 1, 20*time.Second)
	p.staysSilent("after baresip answered", tonesOutput, ringbackHz, 5500*time.Millisecond)
	t.Logf("page hears baresip: %v", p.waitHears(out.arg(4), baresipTone, 20*time.Second))
}

// waitBaresipHearsPage waits until baresip records the page's tone. The
// bound is generous: what it waits for is the page opening its microphone
// (getUserMedia of Chromium's fake device, through the page's audio graph)
// and the first RTP through rtpengine, which on a loaded machine once took
// more than 20 s. On a timeout it reports the page's warnings (a
// microphone that could not be opened says so there) and its local SDP.
func waitBaresipHearsPage(t *testing.T, b *infra.Baresip, p *page, freq float64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, f := range b.ReceivedWAVs() {
			if infra.HasTone(f, freq) {
				return
			}
		}
		if time.Now().After(deadline) {
			var warnings []string
			_ = p.evalErr(`T.logs.filter(function (l) { return /WARNING|ERROR/.test(l); })`, &warnings)
			var sdp struct{ Local string }
			_ = p.evalErr(`T.sdp(-1)`, &sdp)
			t.Fatalf("baresip did not record the page's %.0f Hz within %v (recordings %v); page warnings:\n%s\npage's local SDP:\n%s",
				freq, timeout, b.ReceivedWAVs(), strings.Join(warnings, "\n"), sdp.Local)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// toneAmplitude is the amplitude of freq in samples (full scale 32768).
func toneAmplitude(samples []int16, rate int, freq float64) float64 {
	w := 2 * math.Pi * freq / float64(rate)
	coeff := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range samples {
		s0 := float64(v) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - coeff*s1*s2
	return 2 * math.Sqrt(math.Max(p, 0)) / float64(len(samples))
}

// baresipLevel waits until baresip's recording of what it receives has
// grown by at least `after` past `from` samples (0: any) and returns the
// amplitude of freq in its last second and the recording's length.
func baresipLevel(t *testing.T, b *infra.Baresip, freq float64, from int, after time.Duration) (float64, int) {
	t.Helper()
	var samples []int16
	var rate int
	waitFor(t, fmt.Sprintf("baresip to record %v more", after), 20*time.Second, func() bool {
		files := b.ReceivedWAVs()
		if len(files) == 0 {
			return false
		}
		s, r, err := infra.ReadWAV(files[len(files)-1])
		if err != nil || r == 0 {
			return false
		}
		samples, rate = s, r
		return len(s) >= from+int(after.Seconds()*float64(r)) && len(s) >= r
	})
	return toneAmplitude(samples[len(samples)-rate:], rate, freq), len(samples)
}

// Through Kamailio + rtpengine to baresip: setvolume(0, 25) halves the
// level of the page's microphone that baresip records (Goertzel on its
// recording), and setdevice(0, ...) mid-call keeps the audio flowing.
func TestKamailioMicrophoneVolumeAndDeviceAtBaresip(t *testing.T) {
	rig := startKamailioRig(t, true)
	const pageTone = 1000.0
	params := rig.pageParams("alice", kamailioUsers["alice"])
	params["agc"] = "0" // no automatic gain control to undo the volume change
	p := openPage(t, "page alice", rig.base, toneWAV(t, pageTone, 48000), params)
	p.waitRegistered(20 * time.Second)
	if got := p.api(`call("bob")`); got != "true" {
		t.Fatalf(`call("bob") = %s, want true`, got)
	}
	p.waitCallState("connected", 1, 20*time.Second)
	waitBaresipHears(t, rig.b, pageTone, 20*time.Second)

	full, n := baresipLevel(t, rig.b, pageTone, 0, 2*time.Second)
	if got := p.api(`setvolume(0, 25)`); got != "true" {
		t.Fatalf("setvolume(0, 25) = %s, want true", got)
	}
	// 4 s more: what baresip writes to its recording can lag behind what it
	// receives when the machine is busy, and the last second must be after
	// the change
	half, n := baresipLevel(t, rig.b, pageTone, n, 4*time.Second)
	ratio := half / full
	t.Logf("baresip records the page's tone at amplitude %.0f, after setvolume(0, 25) %.0f (ratio %.2f)", full, half, ratio)
	if full < 300 {
		t.Fatalf("baresip records the page's tone at amplitude %.0f: too quiet to compare", full)
	}
	if ratio < 0.4 || ratio > 0.62 {
		t.Errorf("setvolume(0, 25) changed the level baresip records by %.2f, want 0.5", ratio)
	}

	var mics []string
	waitFor(t, "getdevicelist(0) to list the fake microphones", 10*time.Second, func() bool {
		mics = p.deviceList(0)
		return len(mics) >= 2
	})
	if got := p.api(fmt.Sprintf(`setdevice(0, %q)`, mics[len(mics)-1])); got != "true" {
		t.Fatalf("setdevice(0, %q) = %s, want true", mics[len(mics)-1], got)
	}
	switched, _ := baresipLevel(t, rig.b, pageTone, n, 2*time.Second)
	t.Logf("after setdevice(0, %q) baresip records amplitude %.0f", mics[len(mics)-1], switched)
	if switched < 0.5*half {
		t.Errorf("after setdevice(0, ...) baresip records amplitude %.0f, want the tone to go on (about %.0f)", switched, half)
	}
}
