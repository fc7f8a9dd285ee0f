package browser

import (
	"math"
	"strings"
	"testing"
	"time"
)

// openVideoPage opens video.html (the test page with a #video_container)
// with Chromium's fake camera and a tone as the microphone.
func openVideoPage(t *testing.T, name, base string, tone float64, params map[string]string) *page {
	t.Helper()
	return openSitePage(t, name, base+"video.html", toneWAV(t, tone, 48000), params, "")
}

// Two pages through the demo server: a videocall both ways with the fake
// camera (frames decoded on each side, from getStats), the video shown in
// #video_container, mutevideo stopping the frames at the far end and
// unmute resuming them, setvideodisplaysize, and sound both ways. 1001
// prefers VP9 (prefvcodec, through setCodecPreferences) and asks for a
// 320x240 camera (video_width, video_height).
func TestVideoCallBetweenTwoPages(t *testing.T) {
	srv := startDemo(t)
	const toneA, toneB = 440.0, 1000.0
	paramsA := demoParams(srv, "1001")
	paramsA["prefvcodec"] = "VP9"
	paramsA["video_width"] = "320"
	paramsA["video_height"] = "240"
	a := openVideoPage(t, "page 1001", srv.HTTPURL(), toneA, paramsA)
	b := openVideoPage(t, "page 1002", srv.HTTPURL(), toneB, demoParams(srv, "1002"))
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)

	// The camera by its label: getdevicelist(3) lists the fake camera,
	// setdevice(3, name) chooses it for the video call.
	var cams []string
	waitFor(t, "getdevicelist(3) to list the fake camera", 10*time.Second, func() bool {
		cams = a.deviceList(3)
		return len(cams) > 0
	})
	if got := a.api(`setdevice(3, ` + jsString(cams[0]) + `)`); got != "true" {
		t.Fatalf("setdevice(3, %q) = %s, want true", cams[0], got)
	}
	var chosen string
	a.eval(`__webphone_go.getcamera()`, &chosen)
	if chosen != cams[0] {
		t.Fatalf("the video media's camera is %q after setdevice(3, %q)", chosen, cams[0])
	}
	if got := a.api(`videocall("1002")`); got != "true" {
		t.Fatalf(`videocall("1002") = %s, want true`, got)
	}
	b.waitEvent("an incoming call", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && (e.arg(0) == "setup" || e.arg(0) == "ringing") && e.arg(1) == "2"
	})
	if got := b.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s, want true", got)
	}
	lineA := a.waitCallState("connected", 1, 20*time.Second).arg(4)
	lineB := b.waitCallState("connected", 2, 20*time.Second).arg(4)
	var cameraWarnings []string
	a.eval(`T.logs.filter(function (l) { return /camera/.test(l); })`, &cameraWarnings)
	if len(cameraWarnings) > 0 {
		t.Errorf("camera warnings: %v", cameraWarnings)
	}

	if sec := videoSection(a.sdp(lineA).Local); sec == "" || videoPort(a.sdp(lineA).Local) == "0" {
		t.Fatalf("1001's offer has no live video section:\n%s", a.sdp(lineA).Local)
	}
	got := b.waitFramesFlow(lineB, 20*time.Second)
	t.Logf("1002 receives: %v", got)
	if got.Codec != "video/VP9" {
		t.Errorf("1002 decodes %q, want video/VP9 (1001's prefvcodec)", got.Codec)
	}
	t.Logf("1001 receives: %v", a.waitFramesFlow(lineA, 20*time.Second))
	if s := a.videoStats(lineA); s.SenderWidth != 320 || s.SenderHeight != 240 {
		t.Errorf("1001's camera is %dx%d, want 320x240 (video_width, video_height)", s.SenderWidth, s.SenderHeight)
	}
	if s := b.videoStats(lineB); s.SenderWidth != 640 {
		t.Errorf("1002's camera is %dx%d, want the fake camera's default 640x480", s.SenderWidth, s.SenderHeight)
	}
	t.Logf("1001 hears: %v", a.waitHears(lineA, toneB, 20*time.Second))
	t.Logf("1002 hears: %v", b.waitHears(lineB, toneA, 20*time.Second))
	waitVideoElements(t, a, lineA, 10*time.Second)
	waitVideoElements(t, b, lineB, 10*time.Second)

	// mutevideo(true, 2) on 1001: no frame leaves, 1002 decodes none.
	if got := a.api(`mutevideo(true, 2)`); got != "true" {
		t.Fatalf("mutevideo(true, 2) = %s, want true", got)
	}
	t.Logf("1002 with 1001's video muted: %v", b.waitFramesStopped(lineB, 15*time.Second))
	// 1002 still sends: 1001 keeps decoding.
	a.waitFramesFlow(lineA, 10*time.Second)
	if got := a.api(`mutevideo(false, 2)`); got != "true" {
		t.Fatalf("mutevideo(false, 2) = %s, want true", got)
	}
	t.Logf("1002 after unmute: %v", b.waitFramesFlow(lineB, 15*time.Second))

	// setvideodisplaysize(1, 320): the remote video element is 320 px wide.
	if got := a.api(`setvideodisplaysize(1, 320)`); got != "true" {
		t.Fatalf("setvideodisplaysize(1, 320) = %s, want true", got)
	}
	sized := false
	for _, e := range a.videoElements() {
		if e.Kind == "remote" && e.StyleWidth == "320px" {
			sized = true
		}
	}
	if !sized {
		t.Errorf("after setvideodisplaysize(1, 320) no remote video is 320px wide: %+v", a.videoElements())
	}

	if got := a.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	a.waitCallState("disconnected", 1, 10*time.Second)
	b.waitCallState("disconnected", 2, 10*time.Second)
	waitFor(t, "the <video> elements to go when the call ends", 10*time.Second, func() bool {
		return len(a.videoElements()) == 0 && len(b.videoElements()) == 0
	})
}

// An audio call between two pages turns into a video call and back with
// re-INVITEs: videocall(peer) on the connected call adds video (frames both
// ways), call(peer) takes it away (video port 0, frames stop), and the
// sound goes on throughout.
func TestVideoUpgradeAndDowngradeByReinvite(t *testing.T) {
	srv := startDemo(t)
	const toneA, toneB = 440.0, 1000.0
	a := openVideoPage(t, "page 1001", srv.HTTPURL(), toneA, demoParams(srv, "1001"))
	b := openVideoPage(t, "page 1002", srv.HTTPURL(), toneB, demoParams(srv, "1002"))
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)

	lineA, lineB := callAndAccept(t, a, b)
	if sec := videoSection(a.sdp(lineA).Local); sec != "" {
		t.Fatalf("call() offered video:\n%s", a.sdp(lineA).Local)
	}
	a.waitHears(lineA, toneB, 20*time.Second)

	// Upgrade.
	if got := a.api(`videocall("1002")`); got != "true" {
		t.Fatalf(`videocall("1002") on the connected call = %s, want true`, got)
	}
	waitFor(t, "both sides to negotiate video (re-INVITE)", 15*time.Second, func() bool {
		la, lb := a.sdp(lineA), b.sdp(lineB)
		return videoPort(la.Local) != "" && videoPort(la.Local) != "0" && videoPort(lb.Local) != "" && videoPort(lb.Local) != "0"
	})
	t.Logf("1002 receives: %v", b.waitFramesFlow(lineB, 20*time.Second))
	t.Logf("1001 receives: %v", a.waitFramesFlow(lineA, 20*time.Second))
	if n := a.count(func(e event) bool { return e.Cb == "onCallStateChange" && e.arg(0) == "disconnected" }); n != 0 {
		t.Fatalf("the call ended during the upgrade")
	}

	// Downgrade.
	if got := a.api(`call("1002")`); got != "true" {
		t.Fatalf(`call("1002") on the connected video call = %s, want true`, got)
	}
	waitFor(t, "both sides to drop video (port 0)", 15*time.Second, func() bool {
		return videoPort(a.sdp(lineA).Local) == "0" && videoPort(b.sdp(lineB).Local) == "0"
	})
	waitFor(t, "the <video> elements to go with the video", 10*time.Second, func() bool {
		return len(a.videoElements()) == 0 && len(b.videoElements()) == 0
	})
	t.Logf("1002 after the downgrade: %v", b.waitFramesStopped(lineB, 15*time.Second))
	t.Logf("1001 after the downgrade: %v", a.waitFramesStopped(lineA, 15*time.Second))
	t.Logf("1001 hears: %v", a.waitHears(lineA, toneB, 20*time.Second))
	t.Logf("1002 hears: %v", b.waitHears(lineB, toneA, 20*time.Second))

	// And up again: a stopped video stream can be offered anew.
	if got := b.api(`videocall("")`); got != "true" {
		t.Fatalf(`videocall("") on 1002's connected call = %s, want true`, got)
	}
	t.Logf("1001 receives again: %v", a.waitFramesFlow(lineA, 20*time.Second))

	if got := a.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	a.waitCallState("disconnected", 1, 10*time.Second)
}

// Screen sharing on a video call between two pages: screenshare("") sends
// the screen (getDisplayMedia; Chromium's fake capture in headless) in
// place of the camera and 1002 keeps decoding frames; stopscreenshare puts
// the camera back; a second share ended by the browser (the track's
// "ended", as its "stop sharing" button does) also puts the camera back.
func TestVideoScreenShareBetweenTwoPages(t *testing.T) {
	srv := startDemo(t)
	a := openVideoPage(t, "page 1001", srv.HTTPURL(), 440, demoParams(srv, "1001"))
	b := openVideoPage(t, "page 1002", srv.HTTPURL(), 1000, demoParams(srv, "1002"))
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)

	if got := a.api(`videocall("1002")`); got != "true" {
		t.Fatalf(`videocall("1002") = %s, want true`, got)
	}
	b.waitEvent("an incoming call", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && (e.arg(0) == "setup" || e.arg(0) == "ringing") && e.arg(1) == "2"
	})
	b.api(`accept()`)
	lineA := a.waitCallState("connected", 1, 20*time.Second).arg(4)
	lineB := b.waitCallState("connected", 2, 20*time.Second).arg(4)
	cam := b.waitFramesFlow(lineB, 20*time.Second)
	// Chromium's fake camera is 4:3, its fake screen 16:9; the size itself
	// changes as the bandwidth estimate grows, the shape does not.
	shape := func(s videoStats) float64 {
		if s.FrameHeight == 0 {
			return 0
		}
		return float64(s.FrameWidth) / float64(s.FrameHeight)
	}
	camShape := shape(cam)
	camSize := func(s videoStats) bool { return s.FrameHeight > 0 && math.Abs(shape(s)-camShape) < 0.05 }

	sharing := func() bool { return a.videoStats(lineA).DisplaySurface != "" }
	if got := a.apiGesture(`screenshare("")`); got != "true" {
		t.Fatalf(`screenshare("") = %s, want true`, got)
	}
	waitFor(t, "1001 to send its screen", 15*time.Second, sharing)
	t.Logf("1001 shares: %v", a.videoStats(lineA))
	// The fake screen has another shape than the fake camera: 1002 decodes
	// the screen.
	waitFor(t, "1002 to decode frames of the screen's shape", 15*time.Second, func() bool {
		s := b.videoStats(lineB)
		return s.FrameWidth > 0 && !camSize(s)
	})
	t.Logf("1002 receives the screen: %v", b.waitFramesFlow(lineB, 15*time.Second))

	if got := a.api(`stopscreenshare()`); got != "true" {
		t.Fatalf(`stopscreenshare() = %s, want true`, got)
	}
	waitFor(t, "1001 to send its camera again", 15*time.Second, func() bool {
		s := a.videoStats(lineA)
		return s.DisplaySurface == "" && s.SenderTrack != ""
	})
	waitFor(t, "1002 to decode frames of the camera's shape again", 15*time.Second, func() bool {
		return camSize(b.videoStats(lineB))
	})
	t.Logf("1002 receives the camera: %v", b.waitFramesFlow(lineB, 15*time.Second))

	// The browser's "stop sharing".
	if got := a.apiGesture(`screenshare("")`); got != "true" {
		t.Fatalf(`second screenshare("") = %s, want true`, got)
	}
	waitFor(t, "1001 to send its screen again", 15*time.Second, sharing)
	var ended bool
	a.eval(`V.endScreenTrack(`+lineA+`)`, &ended)
	if !ended {
		t.Fatal("no screen track to end")
	}
	waitFor(t, "1001 to send its camera after the browser stopped sharing", 15*time.Second, func() bool {
		s := a.videoStats(lineA)
		return s.DisplaySurface == "" && s.SenderTrack != ""
	})
	b.waitFramesFlow(lineB, 15*time.Second)
	if n := a.count(func(e event) bool { return e.Cb == "onCallStateChange" && e.arg(0) == "disconnected" }); n != 0 {
		t.Fatal("the call ended while sharing the screen")
	}
	a.api(`hangup()`)
	a.waitCallState("disconnected", 1, 10*time.Second)
}

// noCameraJS makes getUserMedia fail for video, as on a machine without a
// camera (the microphone still opens).
const noCameraJS = `(function () {
  var md = navigator.mediaDevices, orig = md.getUserMedia.bind(md);
  md.getUserMedia = function (c) {
    if (c && c.video) return Promise.reject(new DOMException('no camera (test)', 'NotFoundError'));
    return orig(c);
  };
})();`

// A video offer answered without a camera: the answer receives video only
// (1002 decodes 1001's frames, 1001 gets none) and the sound goes both
// ways. Then answered with video=0: the answer refuses video (inactive or
// port 0; no frame either way) and the sound still goes both ways.
func TestVideoOfferAnsweredWithoutCameraOrWithoutVideo(t *testing.T) {
	srv := startDemo(t)
	const toneA, toneB = 440.0, 1000.0
	a := openVideoPage(t, "page 1001", srv.HTTPURL(), toneA, demoParams(srv, "1001"))
	b := openSitePage(t, "page 1002 (no camera)", srv.HTTPURL()+"video.html", toneWAV(t, toneB, 48000),
		demoParams(srv, "1002"), noCameraJS)
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)

	placeAndAccept := func() (lineA, lineB string) {
		t.Helper()
		if got := a.api(`videocall("1002")`); got != "true" {
			t.Fatalf(`videocall("1002") = %s, want true`, got)
		}
		b.waitEvent("an incoming call", 20*time.Second, func(e event) bool {
			return e.Cb == "onCallStateChange" && e.arg(0) == "ringing" && e.arg(1) == "2"
		})
		if got := b.api(`accept()`); got != "true" {
			t.Fatalf("accept() = %s, want true", got)
		}
		return a.waitCallState("connected", 1, 20*time.Second).arg(4), b.waitCallState("connected", 2, 20*time.Second).arg(4)
	}

	lineA, lineB := placeAndAccept()
	if d := sdpDirectionRe.FindStringSubmatch(videoSection(b.sdp(lineB).Local)); d == nil || d[1] != "recvonly" {
		t.Errorf("1002 without a camera answered video %v, want recvonly:\n%s", d, b.sdp(lineB).Local)
	}
	t.Logf("1002 (no camera) receives: %v", b.waitFramesFlow(lineB, 20*time.Second))
	if s := a.waitFramesStopped(lineA, 10*time.Second); s.FramesDecoded != 0 {
		t.Errorf("1001 decoded %d frames from a peer without a camera", s.FramesDecoded)
	}
	t.Logf("1001 hears: %v", a.waitHears(lineA, toneB, 20*time.Second))
	t.Logf("1002 hears: %v", b.waitHears(lineB, toneA, 20*time.Second))
	// 1002 has no camera but can share its screen: its receive-only video
	// is renegotiated (re-INVITE) to send the screen.
	if got := b.apiGesture(`screenshare("")`); got != "true" {
		t.Fatalf(`screenshare("") without a camera = %s, want true`, got)
	}
	t.Logf("1001 receives 1002's screen: %v", a.waitFramesFlow(lineA, 20*time.Second))
	if s := b.videoStats(lineB); s.DisplaySurface == "" {
		t.Errorf("1002 sends %q, want its screen", s.SenderTrack)
	}
	a.api(`hangup()`)
	a.waitCallState("disconnected", 1, 10*time.Second)
	b.waitCallState("disconnected", 2, 10*time.Second)

	// video=0 on 1002: the video offer is answered audio only.
	if got := b.api(`setparameter("video", "0")`); got != "true" {
		t.Fatalf(`setparameter("video", "0") = %s`, got)
	}
	var cleared bool
	a.eval(`(T.events = [], true)`, &cleared)
	b.eval(`(T.events = [], true)`, &cleared)
	lineA, lineB = placeAndAccept()
	// Chromium answers a stopped transceiver "a=inactive" (not port 0):
	// either way no video flows.
	if sec := videoSection(b.sdp(lineB).Local); videoPort(sec) != "0" && !strings.Contains(sec, "a=inactive") {
		t.Errorf("1002 with video=0 accepted video:\n%s", b.sdp(lineB).Local)
	}
	if s := b.waitFramesStopped(lineB, 10*time.Second); s.FramesDecoded != 0 || s.FramesSent != 0 {
		t.Errorf("1002 with video=0: %v, want no video", s)
	}
	if s := a.waitFramesStopped(lineA, 10*time.Second); s.FramesDecoded != 0 || s.FramesSent != 0 {
		t.Errorf("1001 calling 1002 with video=0: %v, want no video", s)
	}
	t.Logf("1001 hears: %v", a.waitHears(lineA, toneB, 20*time.Second))
	t.Logf("1002 hears: %v", b.waitHears(lineB, toneA, 20*time.Second))
	a.api(`hangup()`)
	a.waitCallState("disconnected", 1, 10*time.Second)
}

// callAndAccept has page a (1001) call 1002 and page b answer; it returns
// the line numbers of the connected call on a and on b.
func callAndAccept(t *testing.T, a, b *page) (lineA, lineB string) {
	t.Helper()
	if got := a.api(`call("1002")`); got != "true" {
		t.Fatalf(`call("1002") = %s, want true`, got)
	}
	b.waitEvent("an incoming call", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && (e.arg(0) == "setup" || e.arg(0) == "ringing") && e.arg(1) == "2"
	})
	if got := b.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s, want true", got)
	}
	return a.waitCallState("connected", 1, 20*time.Second).arg(4), b.waitCallState("connected", 2, 20*time.Second).arg(4)
}
