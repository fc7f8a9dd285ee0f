package engine

import (
	"context"
	"strings"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// inList reports whether user is in a comma-separated list (case-insensitive).
func inList(list, user string) bool {
	for _, x := range strings.Split(list, ",") {
		if x = strings.TrimSpace(x); x != "" && strings.EqualFold(UserOf(x), user) {
			return true
		}
	}
	return false
}

// onIncoming handles a new incoming INVITE: blocking rules, busy handling,
// forwarding, then a new line that rings (and auto-answer).
func (e *Engine) onIncoming(c *sipcore.Call) {
	peer := c.RemoteUser()
	if peer == "" {
		peer = UserOf(c.RemoteURI())
	}
	p := e.params
	switch {
	case p.Int("callreceiver", -1) == 0, inList(p.Get("blacklist"), peer):
		e.logEvent(LogImportant, "incoming call from "+peer+" blocked")
		e.safeGo("reject", func() { _ = c.Reject(603) })
		return
	case p.Int("autoignore", 0) == 1:
		e.logEvent(LogImportant, "incoming call from "+peer+" ignored (autoignore)")
		c.Ignore()
		return
	case p.Int("autoignore", 0) == 2:
		e.logEvent(LogImportant, "incoming call from "+peer+" rejected (autoignore)")
		e.safeGo("reject", func() { _ = c.Reject(603) })
		return
	}
	e.mu.Lock()
	busy := len(e.liveLinesLocked()) > 0
	l := e.allocLineLocked(2)
	if l == nil {
		e.mu.Unlock()
		e.safeGo("reject", func() { _ = c.Reject(486) })
		return
	}
	l.call, l.callID, l.peer, l.peerDisplay = c, c.CallID(), peer, c.RemoteName()
	l.target = c.RemoteURI()
	l.state = stSetup
	e.mu.Unlock()
	e.logEvent(LogImportant, "incoming call from "+peer+" on line "+itoa(l.n))
	e.emitSetup(l)

	if fw := strings.TrimSpace(p.Get("callforwardalways")); fw != "" {
		e.forwardLine(l, fw, "forwardalways")
		return
	}
	if busy {
		if fw := strings.TrimSpace(p.Get("callforwardonbusy")); fw != "" {
			e.forwardLine(l, fw, "forwardonbusy")
			return
		}
		if p.Bool("rejectonbusy", false) {
			e.safeGo("reject", func() { _ = c.Reject(486) })
			e.endLine(l, "486 rejectonphonebusy", DiscLocal)
			return
		}
	}
	e.startRingTimer(l)
	if e.autoAnswer(c) {
		e.after(func() { e.acceptLine(l) })
	}
}

// autoAnswer applies autoaccept and enableautoaccept.
func (e *Engine) autoAnswer(c *sipcore.Call) bool {
	p := e.params
	if p.Bool("autoaccept", false) {
		return true
	}
	switch p.Int("enableautoaccept", 1) {
	case 3:
		return true
	case 2:
		for _, h := range []string{"Call-Info", "Alert-Info"} {
			if strings.Contains(strings.ToLower(c.InviteHeader(h)), "answer-after=0") ||
				strings.Contains(strings.ToLower(c.InviteHeader(h)), "auto answer") {
				return true
			}
		}
		if strings.EqualFold(strings.TrimSpace(c.InviteHeader("Answer-Mode")), "auto") ||
			c.InviteHeader("Auto-Answer") != "" ||
			strings.EqualFold(strings.TrimSpace(c.InviteHeader("X-P-Auto-Answer")), "normal") ||
			strings.EqualFold(strings.TrimSpace(c.InviteHeader("X-Answer-Mode")), "auto") {
			return true
		}
		fallthrough
	case 1:
		if h := strings.TrimSpace(p.Get("autoacceptheader")); h != "" {
			name := h
			if i := strings.IndexByte(h, ':'); i > 0 {
				name = strings.TrimSpace(h[:i])
			}
			return c.InviteHeader(name) != ""
		}
	}
	return false
}

// incomingLineLocked is the ringing incoming line accept/reject/ignore/
// forward act on: the current line if it is one, else the newest.
func (e *Engine) incomingLineLocked() *line {
	isRinging := func(l *line) bool { return l != nil && l.live() && l.dir == 2 && !l.connSent && !l.accepting }
	if l := e.currentLineLocked(); isRinging(l) {
		return l
	}
	var best *line
	for _, l := range e.liveLinesLocked() {
		if isRinging(l) && (best == nil || l.created.After(best.created)) {
			best = l
		}
	}
	return best
}

// Accept answers the incoming call on the current line (accept). The answer
// is produced in the background; it returns false if no call is ringing.
func (e *Engine) Accept() (ok bool) {
	defer e.recovered("accept")
	e.mu.Lock()
	l := e.incomingLineLocked()
	e.mu.Unlock()
	if l == nil {
		return false
	}
	return e.acceptLine(l)
}

func (e *Engine) acceptLine(l *line) bool {
	e.mu.Lock()
	if l.ended || l.accepting || l.connSent || l.call == nil {
		e.mu.Unlock()
		return false
	}
	l.accepting = true
	c := l.call
	e.cur, e.curAt, e.active = l.n, e.now(), l.n
	e.mu.Unlock()
	e.setGlobalStatus("Accept")
	e.safeGo("accept", func() {
		defer e.endOnPanic(l, "accept")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		m := e.newMedia(l)
		if m == nil {
			_ = c.Reject(488)
			return
		}
		var answer []byte
		var err error
		l.negMu.Lock()
		if offer := c.RemoteSDP(); len(offer) > 0 {
			answer, err = m.Answer(ctx, offer, "")
		} else {
			answer, err = m.Offer(ctx, "")
		}
		l.negMu.Unlock()
		if err != nil {
			e.logError("media answer: " + err.Error())
			_ = c.Reject(488)
			e.endLine(l, "488 cannot start media", DiscLocal)
			return
		}
		if err := c.Accept(answer); err != nil {
			e.logError("accept: " + err.Error())
			e.endLine(l, "-1 "+err.Error(), DiscUnknown)
		}
	})
	return true
}

// Reject declines the ringing incoming call (reject) with 603 Decline.
func (e *Engine) Reject() (ok bool) {
	defer e.recovered("reject")
	e.mu.Lock()
	l := e.incomingLineLocked()
	e.mu.Unlock()
	if l == nil {
		return false
	}
	c := l.call
	e.safeGo("reject", func() { _ = c.Reject(603) })
	e.endLine(l, "603 rejected", DiscLocal)
	return true
}

// Ignore silently ignores the ringing incoming call (ignore): nothing is
// sent; the line is released.
func (e *Engine) Ignore() (ok bool) {
	defer e.recovered("ignore")
	e.mu.Lock()
	l := e.incomingLineLocked()
	e.mu.Unlock()
	if l == nil {
		return false
	}
	l.call.Ignore()
	e.endLine(l, "-1 ignored", DiscLocal)
	return true
}

// Forward redirects the ringing incoming call to number with 302 (forward).
func (e *Engine) Forward(number string) (ok bool) {
	defer e.recovered("forward")
	e.mu.Lock()
	l := e.incomingLineLocked()
	e.mu.Unlock()
	if l == nil {
		return false
	}
	return e.forwardLine(l, number, "forward")
}

func (e *Engine) forwardLine(l *line, number, why string) bool {
	target, err := e.dialTarget(strings.TrimSpace(number))
	if err != nil {
		e.display("", ErrInvalidTarget.Error())
		return false
	}
	c := l.call
	e.safeGo("forward", func() {
		if err := c.Forward(target); err != nil {
			e.logWarn("forward: " + err.Error())
		}
	})
	e.endLine(l, "302 "+why, DiscLocal)
	return true
}

// Hangup ends calls (hangup): line -2 all lines, -1 the current line (all
// of them after setline(-2)), N that line. A ringing incoming call is
// declined, an outgoing one cancelled. It returns false if no call matched.
func (e *Engine) Hangup(lineNum int) (ok bool) {
	defer e.recovered("hangup")
	e.mu.Lock()
	ls := e.targetLinesLocked(lineNum)
	e.mu.Unlock()
	for _, l := range ls {
		e.hangupLineReason(l, "User Hung Up", DiscLocal)
	}
	return len(ls) > 0
}

// hangupLine ends one line locally.
func (e *Engine) hangupLine(l *line, text string) { e.hangupLineReason(l, text, DiscLocal) }

func (e *Engine) hangupLineReason(l *line, text string, party int) {
	e.mu.Lock()
	if l.ended {
		e.mu.Unlock()
		return
	}
	c, connected, dir := l.call, l.connSent, l.dir
	e.mu.Unlock()
	reason := "-1 " + text
	switch {
	case c == nil:
	case connected:
		reason = "BYE " + text
	case dir == 1:
		reason = "CANCEL " + text
	case text == "User Hung Up":
		reason = "603 rejected" // hangup() of a ringing call is a reject
	default:
		reason = "603 " + text
	}
	if c != nil {
		e.safeGo("hangup", func() { _ = c.Hangup() })
	}
	e.endLine(l, reason, party)
}
