package engine

import (
	"strconv"
	"strings"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// referByeDelay is how long the transferee leaves the old call up after the
// transferred call connected, for the transferor to end it itself after the
// final NOTIFY (it usually does at once).
const referByeDelay = 2 * time.Second

// onRefer follows a REFER from the peer of a line (we are transferred): a
// new call to the Refer-To target on a new line (with the Replaces header
// the Refer-To carries, unless replacetype is 0), whose progress goes back
// to the transferor as NOTIFYs; once it connects, the old line ends
// ("refer received"). transfertype 0 declines every REFER (603).
func (e *Engine) onRefer(c *sipcore.Call, referTo, referredBy string) bool {
	old := e.lineOf(c)
	if old == nil || !e.connectedCall(old) {
		return false
	}
	if e.xfers.referring(old) {
		e.logWarn("REFER on line " + itoa(old.n) + " declined: the previous one is still being followed")
		return false
	}
	if e.transferMode() == 0 {
		e.logEvent(LogImportant, "REFER on line "+itoa(old.n)+" to "+referTo+" declined: transfertype 0")
		return false
	}
	target, replaces, err := sipcore.ParseReferTo(referTo)
	if err != nil {
		e.logWarn("REFER on line " + itoa(old.n) + ": " + err.Error())
		return false
	}
	var hdrs []sipcore.Header
	if replaces != "" && e.params.Int("replacetype", -1) != 0 {
		hdrs = append(hdrs, sipcore.Header{Name: "Replaces", Value: replaces})
	}
	if referredBy != "" && sipcore.CheckText(referredBy) == nil {
		hdrs = append(hdrs, sipcore.Header{Name: "Referred-By", Value: referredBy})
	}
	t := e.lines
	t.mu.Lock()
	l := t.allocLocked(1)
	if l == nil {
		t.mu.Unlock()
		e.logWarn("REFER on line " + itoa(old.n) + ": no free line")
		return false
	}
	l.peer, l.target, l.inviteHdrs = UserOf(target), target, hdrs
	t.mu.Unlock()
	e.xfers.mu.Lock()
	e.xfers.referred[l] = old
	e.xfers.mu.Unlock()
	e.logEvent(LogImportant, "REFER received on line "+itoa(old.n)+": calling "+target+" on line "+itoa(l.n))
	e.lineStatus(old, "Call transfer in progress...")
	e.setGlobalStatus("Transfer to " + l.peer)
	e.safeGo("call", func() { e.runOutgoing(l) })
	return true
}

// referring reports whether a REFER received on line old is being followed.
func (x *transfers) referring(old *line) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, o := range x.referred {
		if o == old {
			return true
		}
	}
	return false
}

// referredCallProgress tells the transferor how the call its REFER asked
// for goes; once connected, the old line ends.
func (e *Engine) referredCallProgress(old *line, st sipcore.CallState) {
	e.lines.mu.Lock()
	c := old.call
	e.lines.mu.Unlock()
	if c == nil {
		return
	}
	switch st {
	case sipcore.CallRinging:
		_ = c.NotifyRefer(180, "Ringing")
	case sipcore.CallConnected:
		_ = c.NotifyRefer(200, "OK")
		e.lineStatus(old, "Call transfer completed")
		e.opts.AfterFunc(referByeDelay, func() {
			defer e.recovered("refer bye")
			e.hangupLineReason(old, "refer received", DiscLocal)
		})
	}
}

// referredCallEnded reports to the transferor that the call its REFER
// asked for failed (the code of its reason, else 500); the old line stays.
func (e *Engine) referredCallEnded(old *line, reason string) {
	e.lines.mu.Lock()
	c := old.call
	e.lines.mu.Unlock()
	if c == nil {
		return
	}
	code, text := 500, strings.TrimSpace(reason)
	if f := strings.Fields(text); len(f) > 0 {
		if n, err := strconv.Atoi(f[0]); err == nil && n >= 300 && n <= 699 {
			code, text = n, strings.TrimSpace(strings.TrimPrefix(text, f[0]))
		}
	}
	_ = c.NotifyRefer(code, text)
	e.lineStatus(old, "Call transfer failed")
}

// acceptReplacement takes an incoming call that replaces one of our lines
// (INVITE with Replaces; we are the transfer target): it gets a new line
// and is answered without ringing, and the replaced line ends once it is
// connected. False when the replaced call has no line here (the INVITE is
// then refused).
func (e *Engine) acceptReplacement(c, replaced *sipcore.Call) bool {
	old := e.lineOf(replaced)
	if old == nil {
		return false
	}
	peer := c.RemoteUser()
	if peer == "" {
		peer = UserOf(c.RemoteURI())
	}
	t := e.lines
	t.mu.Lock()
	l := t.allocLocked(2)
	if l == nil {
		t.mu.Unlock()
		return false
	}
	l.call, l.callID, l.peer, l.peerDisplay = c, c.CallID(), peer, c.RemoteName()
	l.target = c.RemoteURI()
	t.mu.Unlock()
	e.xfers.mu.Lock()
	e.xfers.replacing[l] = old
	e.xfers.mu.Unlock()
	e.logEvent(LogImportant, "incoming call from "+peer+" on line "+itoa(l.n)+" replaces line "+itoa(old.n))
	e.emitSetup(l)
	e.acceptLine(l)
	return true
}
