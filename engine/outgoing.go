package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
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
func (e *Engine) Call(number string) (ok bool) {
	defer e.recovered("call")
	num, post := SplitPostDial(number)
	target, err := e.dialTarget(num)
	if err != nil {
		e.logWarn("call " + number + ": " + err.Error())
		e.display("", ErrInvalidTarget.Error())
		return false
	}
	if post != "" && !ValidDTMF(post) {
		e.logWarn("ignoring invalid post-dial DTMF " + post)
		post = ""
	}
	peer := UserOf(target)
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return false
	}
	if e.params.Int("disablesamecall", 1) != 0 {
		for _, l := range e.liveLinesLocked() {
			if strings.EqualFold(l.peer, peer) {
				e.mu.Unlock()
				e.display("", "ERROR, Already in call with "+peer)
				return false
			}
		}
	}
	l := e.allocLineLocked(1)
	if l == nil {
		e.mu.Unlock()
		e.display("", "ERROR, no free line")
		return false
	}
	l.peer, l.target, l.postDial = peer, target, post
	e.mu.Unlock()
	e.setGlobalStatus("Starting call to " + num)
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
	l.negMu.Lock()
	offer, err := m.Offer(ctx, "")
	l.negMu.Unlock()
	if err != nil {
		e.logError("media offer: " + err.Error())
		e.endLine(l, "-1 cannot start media", DiscLocal)
		return
	}
	e.dialMu.Lock()
	e.mu.Lock()
	if l.ended {
		e.mu.Unlock()
		e.dialMu.Unlock()
		return
	}
	e.dialing = l
	e.mu.Unlock()
	e.logEvent(LogDetail, "INVITE "+l.target)
	c, err := ua.Call(l.target, offer) // setsipheader headers are the UA's
	e.mu.Lock()
	if e.dialing == l {
		e.dialing = nil
	}
	if c != nil && l.call == nil {
		l.call, l.callID = c, c.CallID()
	}
	ended := l.ended
	e.mu.Unlock()
	e.dialMu.Unlock()
	if err != nil {
		e.logError("call: " + err.Error())
		e.endLine(l, "-1 "+err.Error(), DiscUnknown)
		return
	}
	if ended {
		_ = c.Hangup()
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
	m, err := e.opts.Media(l.n, e.params)
	if err != nil || m == nil {
		if err != nil {
			e.logError("media: " + err.Error())
		}
		e.endLine(l, "-1 cannot start media", DiscLocal)
		return nil
	}
	e.mu.Lock()
	if l.ended {
		e.mu.Unlock()
		m.Close()
		return nil
	}
	l.media = m
	mic, spk := l.muteMic, l.muteSpk
	e.mu.Unlock()
	if mic {
		_ = m.Mute(2, true)
	}
	if spk {
		_ = m.Mute(1, true)
	}
	return m
}

func itoa(n int) string { return strconv.Itoa(n) }
