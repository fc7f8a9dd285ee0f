package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// dialTarget applies the dial plan (normalizenumber, numpxrewrite,
// techprefix) and the SIP domain to a destination.
func (e *Engine) dialTarget(number string) (string, error) {
	return DialTarget(number, e.params.Int("normalizenumber", -1), e.params.Get("numpxrewrite"),
		e.params.Get("techprefix"), SIPDomain(e.params))
}

// Call places a call (call). number is an extension, username, phone
// number or SIP URI; text after the first comma is DTMF sent once the call
// connects ("123,456"). The engine starts (and registers) first when
// needed. The call takes the first free line, which becomes the current
// one. It returns false for an invalid destination or when no line is free.
// On a connected video call with the same peer it turns the video off
// (re-INVITE) instead.
func (e *Engine) Call(number string) (ok bool) {
	defer e.recovered("call")
	if l := e.connectedWith(number); l != nil && strings.TrimSpace(number) != "" && e.lines.videoOn(l) {
		return e.renegotiateVideo(l, false, false)
	}
	return e.call(number, false, false)
}

// call places a call; video and screen mark a videocall or screenshare.
func (e *Engine) call(number string, video, screen bool) bool {
	num, post := SplitPostDial(number)
	target, err := e.dialTarget(num)
	if err != nil {
		e.logWarn("call " + loggable(number) + ": " + err.Error())
		e.display("", err.Error())
		return false
	}
	if post != "" && !ValidDTMF(post) {
		e.logWarn("ignoring invalid post-dial DTMF " + post)
		post = ""
	}
	peer := UserOf(target)
	if e.app.closed() {
		return false
	}
	sameCallRule := e.params.Int("disablesamecall", 1) != 0
	t := e.lines
	t.mu.Lock()
	if sameCallRule {
		for _, l := range t.liveLocked() {
			if strings.EqualFold(l.peer, peer) {
				t.mu.Unlock()
				e.display("", "ERROR, Already in call with "+peer)
				return false
			}
		}
	}
	l := t.allocLocked(1)
	if l == nil {
		t.mu.Unlock()
		e.display("", "ERROR, no free line")
		return false
	}
	l.peer, l.target, l.postDial, l.dialled = peer, target, post, number
	l.video, l.screen = video, screen
	t.mu.Unlock()
	if video {
		e.setGlobalStatus("Starting video call to " + num)
	} else {
		e.setGlobalStatus("Starting call to " + num)
	}
	e.logEvent(LogImportant, "call "+target+" on line "+itoa(l.n))
	e.safeGo("call", func() { e.runOutgoing(l) })
	return true
}

// runOutgoing prepares media and sends the INVITE for a reserved line.
func (e *Engine) runOutgoing(l *line) {
	defer e.endOnPanic(l, "runOutgoing")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ua, fail := e.waitReady(ctx)
	if fail != "" {
		e.endLine(l, fail, DiscUnknown)
		return
	}
	m := e.newMedia(l)
	if m == nil {
		return
	}
	offer, err := negotiate(e, l, func(ctx context.Context) ([]byte, error) { return m.Offer(ctx, "") })
	if err != nil {
		e.logError("media offer: " + err.Error())
		e.endLine(l, "-1 "+mediaFailure(err), DiscLocal)
		return
	}
	// the call is bound to its line before it can report anything
	c, err := ua.NewCallWithID(l.target, e.nextID.take(), l.inviteHdrs...) // setsipheader headers are the UA's
	if err != nil {
		e.logError("call: " + err.Error())
		e.endLine(l, "-1 "+err.Error(), DiscUnknown)
		return
	}
	if !e.lines.bind(l, c) { // hung up meanwhile
		_ = c.Hangup() // releases the call; nothing was sent
		return
	}
	e.logEvent(LogDetail, "INVITE "+l.target)
	if err := c.Invite(offer); err != nil {
		if !errors.Is(err, sipcore.ErrCallState) { // else hung up before the INVITE went out
			e.logError("call: " + err.Error())
		}
		e.endLine(l, "-1 "+err.Error(), DiscUnknown)
		return
	}
	e.emitSetup(l)
	e.startRingTimer(l)
}

// endOnPanic ends the line with "failed media" when the goroutine working
// on it panics (a broken Media), so no line stays reserved forever.
func (e *Engine) endOnPanic(l *line, what string) {
	if r := recover(); r != nil {
		e.logError(what + " panicked: " + fmt.Sprint(r))
		e.endLine(l, "-1 failed media", DiscLocal)
	}
}

// newMedia creates the line's media and applies mutes set before it
// existed. On failure the line ends with "cannot start media".
func (e *Engine) newMedia(l *line) Media {
	if e.opts.Media == nil {
		e.endLine(l, "-1 cannot start media", DiscLocal)
		return nil
	}
	e.applyAudioSettings() // the devices and volumes this call starts with
	m, err := e.opts.Media(l.n, e.params)
	if err != nil || m == nil {
		if err != nil {
			e.logError("media: " + err.Error())
		}
		e.endLine(l, "-1 cannot start media", DiscLocal)
		return nil
	}
	e.lines.mu.Lock()
	if !l.live() {
		e.lines.mu.Unlock()
		m.Close()
		return nil
	}
	l.media = m
	mic, spk := l.muteMic, l.muteSpk
	e.lines.mu.Unlock()
	e.applyVideo(l, m)
	e.watchMedia(l, m)
	if mic {
		_ = m.Mute(2, true)
	}
	if spk {
		_ = m.Mute(1, true)
	}
	return m
}

func itoa(n int) string { return strconv.Itoa(n) }
