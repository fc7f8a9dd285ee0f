package browser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/tests/infra"
)

// jssipBundle is JsSIP bundled for the browser by scripts/install-deps.sh.
func jssipBundle(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("WEBPHONE_JSSIP_DIR")
	if dir == "" {
		dir = "/opt/webphone-test/jssip-3.13.8"
	}
	path := filepath.Join(dir, "jssip.js")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("JsSIP is missing (%v): run scripts/install-deps.sh", err)
	}
	return path
}

// jssipPeer is the JsSIP peer page.
type jssipPeer struct{ *page }

func (j jssipPeer) waitEvent(what string, timeout time.Duration) {
	j.t.Helper()
	waitFor(j.t, j.name+": JsSIP "+what, timeout, func() bool {
		var evs []string
		j.eval(`J.events`, &evs)
		for _, e := range evs {
			if strings.HasPrefix(e, "failed") || strings.HasPrefix(e, "registrationFailed") || strings.HasPrefix(e, "error") {
				j.t.Fatalf("%s: JsSIP reported %q (events %v)", j.name, e, evs)
			}
			if e == what {
				return true
			}
		}
		return false
	})
}

func (j jssipPeer) stats() videoStats {
	var s videoStats
	j.eval(`J.stats()`, &s)
	return s
}

// waitFramesFlow waits until the JsSIP page decodes 10 more video frames.
func (j jssipPeer) waitFramesFlow(timeout time.Duration) videoStats {
	j.t.Helper()
	start := j.stats().FramesDecoded
	var last videoStats
	waitFor(j.t, j.name+": received video frames decoded", timeout, func() bool {
		last = j.stats()
		return last.OK && last.FramesDecoded >= start+10
	})
	return last
}

// The page and a JsSIP 3.13 page, both over WebSocket to Kamailio with
// rtpengine anchoring the media: a video call each way, frames decoded on
// both sides (getStats).
func TestKamailioVideoWithJsSIPPeer(t *testing.T) {
	bundle := jssipBundle(t)
	r := infra.StartRtpengine(t)
	k := infra.StartKamailio(t, infra.KamailioOptions{Users: kamailioUsers, RtpengineNG: r.NGAddr})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- kamailio log\n%s", tail(k.Log(), 8000))
			t.Logf("---- rtpengine log\n%s", tail(r.Log(), 4000))
		}
	})
	site := makeSite(t)
	if err := infra.CopyFile(bundle, filepath.Join(site, "jssip.js")); err != nil {
		t.Fatal(err)
	}
	base := serveStatic(t, site)
	params := func(user string) map[string]string {
		return map[string]string{"serveraddress": k.Domain, "webrtcserveraddress": k.WSURL, "username": user,
			"password": kamailioUsers[user], "loglevel": "5"}
	}
	peer := jssipPeer{openSitePage(t, "jssip bob", base+"jssip_peer.html", toneWAV(t, 440, 48000), params("bob"), "")}
	p := openSitePage(t, "page alice", base+"video.html", toneWAV(t, 1000, 48000), params("alice"), "")
	peer.waitEvent("registered", 20*time.Second)
	p.waitRegistered(20 * time.Second)

	// The page calls JsSIP.
	if got := p.api(`videocall("bob")`); got != "true" {
		t.Fatalf(`videocall("bob") = %s, want true`, got)
	}
	line := p.waitCallState("connected", 1, 20*time.Second).arg(4)
	peer.waitEvent("confirmed", 10*time.Second)
	t.Logf("JsSIP receives: %v", peer.waitFramesFlow(20*time.Second))
	t.Logf("page receives: %v", p.waitFramesFlow(line, 20*time.Second))
	t.Logf("page hears: %v", p.waitHears(line, 440, 20*time.Second))
	if got := p.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s", got)
	}
	p.waitCallState("disconnected", 1, 10*time.Second)
	peer.waitEvent("ended Terminated", 10*time.Second)

	// JsSIP calls the page, which accepts the video offer with its camera.
	var ok bool
	peer.eval(`J.call("alice")`, &ok)
	p.waitEvent("an incoming call", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && (e.arg(0) == "setup" || e.arg(0) == "ringing") && e.arg(1) == "2"
	})
	if got := p.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s", got)
	}
	line = p.waitCallState("connected", 2, 20*time.Second).arg(4)
	t.Logf("page receives: %v", p.waitFramesFlow(line, 20*time.Second))
	t.Logf("JsSIP receives: %v", peer.waitFramesFlow(20*time.Second))
	p.api(`hangup()`)
	p.waitCallState("disconnected", 2, 10*time.Second)
}
