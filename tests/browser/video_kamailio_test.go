package browser

import (
	"testing"
	"time"
)

// The page offers video to baresip (audio only: no video codec module)
// through Kamailio + rtpengine: baresip refuses the video stream (port 0),
// the call connects and the sound goes both ways.
func TestKamailioVideoOfferToAudioOnlyBaresip(t *testing.T) {
	rig := startKamailioRig(t, true)
	const pageTone, baresipTone = 1000.0, 440.0
	p := openSitePage(t, "page alice", rig.base+"video.html", toneWAV(t, pageTone, 48000),
		rig.pageParams("alice", kamailioUsers["alice"]), "")
	p.waitRegistered(20 * time.Second)

	if got := p.api(`videocall("bob")`); got != "true" {
		t.Fatalf(`videocall("bob") = %s, want true`, got)
	}
	conn := p.waitCallState("connected", 1, 20*time.Second)
	if _, err := rig.b.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("baresip: %v", err)
	}
	line := conn.arg(4)
	s := p.sdp(line)
	if videoSection(s.Local) == "" || videoPort(s.Local) == "0" {
		t.Fatalf("the page's offer has no live video section:\n%s", s.Local)
	}
	if port := videoPort(s.Remote); port != "" && port != "0" {
		t.Fatalf("baresip's answer (through rtpengine) accepted video on port %s; this test needs an audio-only peer:\n%s", port, s.Remote)
	}
	t.Logf("page hears: %v", p.waitHears(line, baresipTone, 20*time.Second))
	waitBaresipHears(t, rig.b, pageTone, 20*time.Second)

	if got := p.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	p.waitCallState("disconnected", 1, 10*time.Second)
}
