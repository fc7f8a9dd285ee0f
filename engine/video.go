package engine

import (
	"context"
	"strings"
	"time"
)

// screenPickTimeout bounds the wait for the user to pick what to share.
const screenPickTimeout = 2 * time.Minute

// VideoMedia is implemented by a Media that can carry video (the browser's
// RTCPeerConnection). The engine keeps the Mizu rules (which line, when to
// renegotiate); the media keeps the tracks. A Media without it places and
// answers audio calls only: videocall then falls back to audio, as the
// documentation allows when video is unavailable.
type VideoMedia interface {
	// SetVideo chooses whether the following offers carry video (camera,
	// or the screen while shared). Off makes the next offer drop the video
	// stream (port 0).
	SetVideo(on bool)
	// VideoOn reports whether the media offers or carries video.
	VideoOn() bool
	// MuteVideo stops (on) or resumes sending or showing frames without
	// renegotiation: direction 0 both, 1 the remote video shown here, 2 the
	// local video sent to the peer.
	MuteVideo(direction int, on bool) error
	// ShareScreen sends the screen in place of the camera (on) or puts the
	// camera back (off). reoffer tells that the video stream must be
	// (re)negotiated first (the call had no video to send on).
	ShareScreen(ctx context.Context, on bool) (reoffer bool, err error)
}

// VideoCall places a video call (videocall). On a connected call with the
// same peer (or with number "") it upgrades that call to video with a
// re-INVITE instead. With video=0, or a media that cannot carry video, it
// places an audio call.
func (e *Engine) VideoCall(number string) (ok bool) {
	defer e.recovered("videocall")
	if e.params.Int("video", -1) == 0 {
		e.logWarn("videocall: video is disabled (video=0); placing an audio call")
		return e.Call(number)
	}
	if l := e.connectedWith(number); l != nil {
		return e.renegotiateVideo(l, true, false)
	}
	if strings.TrimSpace(number) == "" {
		return false
	}
	return e.call(number, true, false)
}

// ScreenShare shares the screen (screenshare): on a connected call with
// the same peer (or with number "") in place of its camera; otherwise as
// the video of a new call to number. screenid (a Chrome OS capture source)
// is not used: the browser asks the user what to share.
func (e *Engine) ScreenShare(number string) (ok bool) {
	defer e.recovered("screenshare")
	if e.params.Int("screensharing", 1) == 0 || e.params.Int("video", -1) == 0 {
		e.logWarn("screenshare: disabled by the screensharing or video parameter")
		return false
	}
	if l := e.connectedWith(number); l != nil {
		return e.renegotiateVideo(l, true, true)
	}
	if strings.TrimSpace(number) == "" {
		return false
	}
	return e.call(number, true, true)
}

// StopScreenShare stops sharing the screen on every line (stopscreenshare);
// a line that had a camera sends it again. The calls go on.
func (e *Engine) StopScreenShare() (ok bool) {
	defer e.recovered("stopscreenshare")
	e.lines.mu.Lock()
	var ms []VideoMedia
	for _, l := range e.lines.liveLocked() {
		l.screen = false
		if vm, isVideo := l.media.(VideoMedia); isVideo {
			ms = append(ms, vm)
		}
	}
	e.lines.mu.Unlock()
	for _, vm := range ms {
		if _, err := vm.ShareScreen(context.Background(), false); err != nil {
			e.logWarn("stopscreenshare: " + err.Error())
		}
	}
	return len(ms) > 0
}

// MuteVideo stops (true) or resumes (false) video on the current line (all
// lines after setline(-2)) without renegotiation (mutevideo): direction 0
// both, 1 the remote video shown here, 2 the local video sent.
func (e *Engine) MuteVideo(state bool, direction int) (ok bool) {
	defer e.recovered("mutevideo")
	if direction < 0 || direction > 2 {
		direction = 0
	}
	e.lines.mu.Lock()
	var ms []VideoMedia
	for _, l := range e.lines.targetsLocked(-1) {
		if vm, isVideo := l.media.(VideoMedia); isVideo {
			ms = append(ms, vm)
		}
	}
	e.lines.mu.Unlock()
	ok = len(ms) > 0
	for _, vm := range ms {
		if err := vm.MuteVideo(direction, state); err != nil {
			e.logWarn("mutevideo: " + err.Error())
			ok = false
		}
	}
	return ok
}

// connectedWith is the connected line videocall/screenshare/call apply to
// instead of placing a new call: the current line when number is "", else
// the connected line whose peer number dials to the same user. nil if none.
func (e *Engine) connectedWith(number string) *line {
	number = strings.TrimSpace(number)
	peer := ""
	if number != "" {
		num, _ := SplitPostDial(number)
		target, err := e.dialTarget(num)
		if err != nil {
			return nil
		}
		peer = UserOf(target)
	}
	t := e.lines
	t.mu.Lock()
	defer t.mu.Unlock()
	if peer == "" {
		if l := t.currentLocked(); l != nil && l.state == lineConnected {
			return l
		}
		return nil
	}
	for _, l := range t.liveLocked() {
		if l.state == lineConnected && strings.EqualFold(l.peer, peer) {
			return l
		}
	}
	return nil
}

// renegotiateVideo turns video on or off on a connected call with a
// re-INVITE (screen: the screen is the video). It returns false when the
// line's media cannot carry video.
func (e *Engine) renegotiateVideo(l *line, on, screen bool) bool {
	t := e.lines
	t.mu.Lock()
	vm, isVideo := l.media.(VideoMedia)
	m, c, hold := l.media, l.call, l.hold
	if !isVideo || c == nil || !l.live() {
		t.mu.Unlock()
		return false
	}
	l.video = on
	if screen {
		l.screen = true
	}
	t.mu.Unlock()
	dir := ""
	if hold {
		dir, _ = holdDirection(e.params.Int("holdtype", -1))
	}
	e.safeGo("video", func() {
		reoffer := true
		if screen {
			var err error
			reoffer, err = mediaWaitFor(e, screenPickTimeout, func(ctx context.Context) (bool, error) { return vm.ShareScreen(ctx, true) })
			if err != nil {
				e.logError("screenshare: " + err.Error())
				e.display("", "ERROR, screen share: "+err.Error())
				return
			}
		}
		if vm.VideoOn() == on && !reoffer {
			return // the screen replaced the camera on the video already sent
		}
		vm.SetVideo(on)
		what := "video on"
		if !on {
			what = "video off"
		}
		e.logEvent(LogDetail, what+" on line "+itoa(l.n)+" (re-INVITE)")
		if err := e.renegotiateHold(l, m, c, dir); err != nil {
			vm.SetVideo(!on) // the call goes on as it was
			e.logError(what + ": " + err.Error())
			e.display("", "ERROR, "+what+" failed: "+err.Error())
		}
	})
	return true
}

// applyVideo prepares a new call's media for video (newMedia): videocall
// and screenshare lines offer video, a screenshare line shares the screen
// before its first offer.
func (e *Engine) applyVideo(l *line, m Media) {
	e.lines.mu.Lock()
	video, screen := l.video, l.screen
	e.lines.mu.Unlock()
	vm, isVideo := m.(VideoMedia)
	if !isVideo {
		if video {
			e.logWarn("video is not available here; the call is audio only")
		}
		return
	}
	if !video && e.params.Int("video", -1) != 2 {
		return
	}
	vm.SetVideo(true)
	if screen {
		if _, err := mediaWaitFor(e, screenPickTimeout, func(ctx context.Context) (bool, error) { return vm.ShareScreen(ctx, true) }); err != nil {
			e.logWarn("screenshare: " + err.Error() + "; the call goes on with the camera")
		}
	}
}

// videoStatus is the STATUS isvideo field of a line (lineTable lock held).
func (l *line) videoStatus() int {
	if l.videoOn() {
		return 1
	}
	return 0
}

// videoOn reports whether the line's media carries video.
func (t *lineTable) videoOn(l *line) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return l.videoOn()
}

// videoOn reports whether the line's media carries video (lineTable lock
// held).
func (l *line) videoOn() bool {
	vm, isVideo := l.media.(VideoMedia)
	return isVideo && vm.VideoOn()
}
