package engine

import (
	"context"
	"errors"
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
	if replaced := c.Replaces(); replaced != nil { // an attended transfer's target (refer_in.go)
		if !e.acceptReplacement(c, replaced) {
			e.safeGo("reject", func() { _ = c.Reject(481) })
		}
		return
	}
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
	t := e.lines
	t.mu.Lock()
	busy := len(t.liveLocked()) > 0
	l := t.allocLocked(2)
	if l == nil {
		t.mu.Unlock()
		e.safeGo("reject", func() { _ = c.Reject(486) })
		return
	}
	l.call, l.callID, l.peer, l.peerDisplay = c, c.CallID(), peer, c.RemoteName()
	l.target = c.RemoteURI()
	t.mu.Unlock()
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
			e.endLineThen(l, "486 rejectonphonebusy", DiscLocal, "reject", func() { _ = c.Reject(486) })
			return
		}
	}
	e.startRingTimer(l)
	e.startNoAnswerForward(l)
	if e.autoAnswer(c) {
		e.markAutoAnswered(l) // beeponconnect=1
		// once the page has had the setup events, or after autoAnswerWait
		// when a page callback does not return (acceptLine runs once)
		e.after(func() { e.acceptLine(l) })
		e.opts.AfterFunc(autoAnswerWait, func() { e.safeGo("autoaccept", func() { e.acceptLine(l) }) })
	}
}

// autoAnswerWait bounds how long auto-answer waits for the page callbacks
// queued before it.
const autoAnswerWait = time.Second

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

// Accept answers the incoming call on the current line (accept). The answer
// is produced in the background; it returns false if no call is ringing.
func (e *Engine) Accept() (ok bool) {
	defer e.recovered("accept")
	l := e.lines.ringingIncoming()
	if l == nil {
		return false
	}
	return e.acceptLine(l)
}

func (e *Engine) acceptLine(l *line) bool {
	t := e.lines
	t.mu.Lock()
	if !l.state.ringingHere() || l.call == nil {
		t.mu.Unlock()
		return false
	}
	l.state = lineAnswering
	c := l.call
	t.focusLocked(l)
	t.mu.Unlock()
	e.updateTones()
	e.setGlobalStatus("Accept")
	e.safeGo("accept", func() {
		defer e.endOnPanic(l, "accept")
		m := e.newMedia(l)
		if m == nil {
			_ = c.Reject(488)
			return
		}
		answer, err := negotiate(e, l, func(ctx context.Context) ([]byte, error) {
			if offer := c.RemoteSDP(); len(offer) > 0 {
				return m.Answer(ctx, offer, "")
			}
			return m.Offer(ctx, "")
		})
		if err != nil {
			e.logError("media answer: " + err.Error())
			code := 488 // the offer cannot be answered
			if errors.Is(err, errMediaTimeout) {
				code = 500 // our media did not answer in time
				e.display("", "ERROR, "+mediaFailure(err))
			}
			e.endLine(l, itoa(code)+" "+mediaFailure(err), DiscLocal) // first: the line keeps this reason
			_ = c.Reject(code)
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
	l := e.lines.ringingIncoming()
	if l == nil {
		return false
	}
	c := l.call
	e.endLineThen(l, "603 rejected", DiscLocal, "reject", func() { _ = c.Reject(603) })
	return true
}

// Ignore silently ignores the ringing incoming call (ignore): nothing is
// sent; the line is released.
func (e *Engine) Ignore() (ok bool) {
	defer e.recovered("ignore")
	l := e.lines.ringingIncoming()
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
	l := e.lines.ringingIncoming()
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
	e.endLineThen(l, "302 "+why, DiscLocal, "forward", func() {
		if err := c.Forward(target); err != nil {
			e.logWarn("forward: " + err.Error())
		}
	})
	return true
}

// Hangup ends calls (hangup): line -2 all lines, -1 the current line (all
// of them after setline(-2)), N that line. A ringing incoming call is
// declined, an outgoing one cancelled. It returns false if no call matched.
func (e *Engine) Hangup(lineNum int) (ok bool) {
	defer e.recovered("hangup")
	ls := e.lines.targets(lineNum)
	for _, l := range ls {
		if len(ls) == 1 && e.completeConsultation(l) {
			continue // an attended transfer's consultation call (transfer.go)
		}
		e.hangupLineReason(l, "User Hung Up", DiscLocal)
	}
	return len(ls) > 0
}

// hangupLine ends one line locally.
func (e *Engine) hangupLine(l *line, text string) { e.hangupLineReason(l, text, DiscLocal) }

func (e *Engine) hangupLineReason(l *line, text string, party int) {
	e.lines.mu.Lock()
	if !l.live() {
		e.lines.mu.Unlock()
		return
	}
	c, connected, dir := l.call, l.state == lineConnected, l.dir
	e.lines.mu.Unlock()
	// sipcore may have taken the 2xx before the engine saw "connected" (the
	// answer's SDP is applied first): then the hangup is a BYE all the same
	connected = connected || (c != nil && c.Answered())
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
	e.endLineThen(l, reason, party, "hangup", hangupOf(c))
}

// hangupOf is the action that ends call c whatever its state (BYE, CANCEL
// or 603), or nil when the line has no call yet.
func hangupOf(c *sipcore.Call) func() {
	if c == nil {
		return nil
	}
	return func() { _ = c.Hangup() }
}
