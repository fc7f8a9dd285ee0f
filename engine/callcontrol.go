package engine

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// holdDirection maps holdtype to the SDP direction of a hold offer:
// -1/2 sendonly, 3/4 inactive (recvonly is not offered: Media supports
// "sendonly" and "inactive"). 0 and -2 disable hold.
func holdDirection(holdtype int) (string, bool) {
	switch holdtype {
	case 0, -2:
		return "", false
	case 3, 4:
		return "inactive", true
	}
	return "sendonly", true
}

// Hold puts the current line on hold (true) or takes it off hold (false)
// with a re-INVITE (hold). It returns false when there is no connected call
// or hold is disabled by holdtype.
func (e *Engine) Hold(state bool) (ok bool) {
	defer e.recovered("hold")
	allLegs := e.allLegs()
	e.lines.mu.Lock()
	var ls []*line
	if cur := e.lines.currentLocked(); cur != nil {
		ls = e.conferenceLegsLocked([]*line{cur}, allLegs) // muteholdalllines
	}
	e.lines.mu.Unlock()
	for i, l := range ls {
		if held, _ := e.holdLine(l, state); i == 0 {
			ok = held
		}
	}
	return ok
}

// holdLine puts line l on hold or takes it off hold. ok is false when it
// has no connected call or hold is disabled; done then is nil, else it
// receives the outcome of the re-INVITE (nil when nothing had to change).
// A failed re-INVITE is undone and reported ("Failed to hold call").
func (e *Engine) holdLine(l *line, state bool) (ok bool, done <-chan error) {
	dir, enabled := holdDirection(e.params.Int("holdtype", -1))
	if !enabled || l == nil {
		return false, nil
	}
	result := make(chan error, 1)
	t := e.lines
	t.mu.Lock()
	if l.state != lineConnected || l.media == nil || l.call == nil {
		t.mu.Unlock()
		return false, nil
	}
	if l.hold == state {
		t.mu.Unlock()
		result <- nil
		return true, result
	}
	l.hold = state
	m, c, n := l.media, l.call, l.n
	t.mu.Unlock()
	if !state {
		dir = ""
	}
	if state {
		e.lineStatus(l, "Hold")
		e.emitLineEvent("hold", n)
	} else {
		e.lineStatus(l, "InCall")
		e.emitLineEvent("reload", n)
	}
	e.safeGo("hold", func() {
		err := e.renegotiateHold(l, m, c, dir)
		result <- err
		if err != nil {
			e.logError("hold: " + err.Error())
			t.mu.Lock()
			undone := l.live()
			if undone {
				l.hold = !state
			}
			t.mu.Unlock()
			switch {
			case !undone:
			case state:
				e.setGlobalStatus("Failed to hold call")
				e.lineStatus(l, "InCall")
			default:
				e.setGlobalStatus("Failed to unhold call")
				e.lineStatus(l, "Hold")
			}
		}
	})
	return true, result
}

// renegotiateHold sends the hold (dir "sendonly"/"inactive") or unhold
// ("") re-INVITE: a new offer, the SIP exchange, then the peer's answer.
// Each media step is bounded; the SIP transaction has its own timers.
func (e *Engine) renegotiateHold(l *line, m Media, c *sipcore.Call, dir string) error {
	unlock, err := e.lockNegotiation(l)
	if err != nil {
		return err
	}
	defer unlock()
	offer, err := mediaWait(e, func(ctx context.Context) ([]byte, error) { return m.Offer(ctx, dir) })
	if err != nil {
		return err
	}
	answer, err := c.Renegotiate(offer)
	if err != nil {
		e.rollbackOffer(m) // refused (e.g. 488): the media stays as negotiated
		return err
	}
	_, err = mediaWait(e, func(ctx context.Context) (struct{}, error) { return struct{}{}, m.SetRemoteAnswer(ctx, answer) })
	return err
}

// Mute mutes (true) or unmutes (false) the current line (all lines after
// setline(-2)) in a direction: 0 both, 1 what the user hears, 2 the
// microphone, 3/4 both; -1 uses the defmute parameter. No renegotiation.
func (e *Engine) Mute(state bool, direction int) (ok bool) {
	defer e.recovered("mute")
	if direction < 0 || direction > 5 {
		direction = e.params.Int("defmute", 2)
	}
	switch direction {
	case 5:
		return false
	case 3, 4:
		direction = 0
	}
	allLegs := e.allLegs()
	e.lines.mu.Lock()
	ls := e.conferenceLegsLocked(e.lines.targetsLocked(-1), allLegs) // muteholdalllines
	type todo struct {
		m Media
		l *line
	}
	var work []todo
	for _, l := range ls {
		if direction == 0 || direction == 2 {
			l.muteMic = state
		}
		if direction == 0 || direction == 1 {
			l.muteSpk = state
		}
		work = append(work, todo{l.media, l})
	}
	e.lines.mu.Unlock()
	for _, w := range work {
		if w.m != nil {
			if err := w.m.Mute(direction, state); err != nil {
				e.logWarn("mute: " + err.Error())
			}
		}
		if state {
			e.lineStatus(w.l, "Muted")
			e.emitLineEvent("muted", w.l.n)
		} else {
			e.lineStatus(w.l, "InCall")
			e.emitLineEvent("unmuted", w.l.n)
		}
	}
	return len(work) > 0
}

// DTMF sends digits (0-9 * # A-D; a space or comma pauses) on a line: -1
// the current line, -2 all lines, N that line (dtmf). The method follows
// dtmfmode: 1 INFO, 4 RFC 4733, 3 both, 2 auto (RFC 4733 when the peer's
// SDP offers telephone-event, else INFO), 0 disabled.
func (e *Engine) DTMF(msg string, lineNum int) (ok bool) {
	defer e.recovered("dtmf")
	if !ValidDTMF(msg) || e.params.Int("dtmfmode", 2) == 0 {
		return false
	}
	e.lines.mu.Lock()
	var ls []*line
	for _, l := range e.lines.targetsLocked(lineNum) {
		if l.call != nil {
			ls = append(ls, l)
		}
	}
	e.lines.mu.Unlock()
	for _, l := range ls {
		e.queueDTMF(l, msg)
	}
	if len(ls) > 0 {
		e.keyTones(msg)
	}
	return len(ls) > 0
}

// queueDTMF appends digits to the line's DTMF queue and starts its sender.
func (e *Engine) queueDTMF(l *line, digits string) {
	l.dtmfMu.Lock()
	l.dtmfQueue = append(l.dtmfQueue, strings.ToUpper(digits))
	if l.dtmfRunning {
		l.dtmfMu.Unlock()
		return
	}
	l.dtmfRunning = true
	l.dtmfMu.Unlock()
	e.safeGo("dtmf", func() {
		defer func() {
			l.dtmfMu.Lock()
			l.dtmfRunning = false
			l.dtmfMu.Unlock()
		}()
		for {
			l.dtmfMu.Lock()
			if len(l.dtmfQueue) == 0 {
				l.dtmfRunning = false
				l.dtmfMu.Unlock()
				return
			}
			s := l.dtmfQueue[0]
			l.dtmfQueue = l.dtmfQueue[1:]
			l.dtmfMu.Unlock()
			e.sendDTMFString(l, s)
		}
	})
}

// sendDTMFString sends one dtmf() string: runs of digits are sent together
// (RFC 4733 senders queue them), pauses wait DTMFPause.
func (e *Engine) sendDTMFString(l *line, s string) {
	run := ""
	flush := func() {
		if run != "" {
			e.sendDigits(l, run)
			run = ""
		}
	}
	for _, r := range s {
		if r == ' ' || r == ',' {
			flush()
			e.sleep(e.opts.DTMFPause)
			continue
		}
		run += string(r)
	}
	flush()
}

// sleep waits d using the engine's timer source.
func (e *Engine) sleep(d time.Duration) {
	ch := make(chan struct{})
	e.opts.AfterFunc(d, func() { close(ch) })
	<-ch
}

func (e *Engine) sendDigits(l *line, digits string) {
	e.lines.mu.Lock()
	if !l.live() {
		e.lines.mu.Unlock()
		return
	}
	c, m := l.call, l.media
	e.lines.mu.Unlock()
	info, rtp := false, false
	switch e.params.Int("dtmfmode", 2) {
	case 1, 6:
		info = true
	case 3:
		info, rtp = true, true
	case 4:
		rtp = true
	default: // 2 auto, 5 in-band (impossible in WebRTC): follow the peer
		rtp = m != nil && bytes.Contains(bytes.ToLower(c.RemoteSDP()), []byte("telephone-event"))
		info = !rtp
	}
	if rtp && m == nil {
		rtp, info = false, true
	}
	if rtp {
		if err := m.SendDTMF(digits); err != nil {
			e.logWarn("dtmf rtp: " + err.Error())
		}
	}
	if info {
		if err := c.SendDTMF(digits, int(e.opts.DTMFDuration/time.Millisecond)); err != nil {
			e.logWarn("dtmf info: " + err.Error())
		}
	}
	e.logEvent(LogDetail, "dtmf "+digits+" sent on line "+itoa(l.n))
}
