package engine

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// transferNotifyTimeout bounds the wait for the final NOTIFY of a transfer
// we asked for; without one the transfer counts as not done (the call is
// kept, as with transfertype 7: mizu_api.md E11).
const transferNotifyTimeout = 30 * time.Second

// transfers holds the transfers in progress, with their own lock (taken
// alone, never while holding another engine lock):
//   - out: a line we asked to be transferred (REFER sent), the transferor;
//   - consult: a consultation line (attended transfer, transfertype 5) and
//     the held line it was made for;
//   - referred: a line placed because the peer of another line sent us a
//     REFER (we are the transferee), and that other line;
//   - replacing: an incoming call that replaces one of our lines (INVITE
//     with Replaces: we are the transfer target), and the replaced line.
type transfers struct {
	mu        sync.Mutex
	out       map[*line]*outTransfer
	consult   map[*line]*line
	referred  map[*line]*line
	replacing map[*line]*line
}

func newTransfers() *transfers {
	return &transfers{out: map[*line]*outTransfer{}, consult: map[*line]*line{},
		referred: map[*line]*line{}, replacing: map[*line]*line{}}
}

// outTransfer is one REFER of ours and what to do when it ends.
type outTransfer struct {
	other      *line // attended: the line whose dialog the peer replaces
	endOther   bool  // other was hung up by the user: end it on failure too
	revert     bool  // take the line off hold again on failure
	disconnect bool  // end the line on success
	stopTimer  func() bool
	done       bool
	failed     bool
}

// transferMode is the effective transfertype: -1 is 6 (mizu_api.md E11).
func (e *Engine) transferMode() int {
	tt := e.params.Int("transfertype", -1)
	if tt < 0 || tt > 8 {
		tt = 6
	}
	return tt
}

// Transfer transfers the connected call on the current line (transfer):
// to number with a REFER, the way transfertype says (1 blind, then
// disconnect; 6 and the default: hold, REFER, watch the NOTIFYs; 7 REFER
// only; 2-5 attended: hold, call number, and the REFER with Replaces follows
// when that consultation call is hung up). number "" with two calls
// transfers the current line to the other one (attended, with Replaces).
// It returns false when there is no connected call, transfer is disabled
// (transfertype 0), or number is not a valid destination; the outcome comes
// as line statuses ("Call transfer completed", "Call transfer failed") and,
// when the line ends, the disconnect reason ("transfer done", "disconnect
// on transfer"). A failed transfer keeps the call (taken off hold).
func (e *Engine) Transfer(number string) (ok bool) {
	defer e.recovered("transfer")
	mode := e.transferMode()
	if mode == 0 {
		e.logWarn("transfer: disabled (transfertype 0)")
		return false
	}
	number = strings.TrimSpace(number)
	a := e.lines.current()
	if a == nil || !e.connectedCall(a) {
		return false
	}
	if number == "" {
		b := e.otherConnectedLine(a)
		if b == nil {
			return false
		}
		if e.xfers.heldFor(a) == b {
			a, b = b, a // the consultation line is current: transfer the held one to it
		}
		return e.startTransfer(a, b, mode, false)
	}
	target, err := e.dialTarget(number)
	if err != nil {
		e.display("", ErrInvalidTarget.Error())
		return false
	}
	if mode >= 2 && mode <= 5 {
		return e.startConsultation(a, number)
	}
	return e.referLine(a, target, nil, mode, false, false)
}

// connectedCall reports whether l has a connected call.
func (e *Engine) connectedCall(l *line) bool {
	e.lines.mu.Lock()
	defer e.lines.mu.Unlock()
	return l.live() && l.state == lineConnected && l.call != nil
}

// otherConnectedLine is a connected line other than a (the newest), or nil.
func (e *Engine) otherConnectedLine(a *line) *line {
	e.lines.mu.Lock()
	defer e.lines.mu.Unlock()
	var best *line
	for _, l := range e.lines.liveLocked() {
		if l != a && l.state == lineConnected && l.call != nil && (best == nil || l.created.After(best.created)) {
			best = l
		}
	}
	return best
}

// isReplacing reports whether l is an incoming call replacing another line.
func (x *transfers) isReplacing(l *line) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.replacing[l] != nil
}

// heldFor is the line a consultation line was made for, or nil.
func (x *transfers) heldFor(consult *line) *line {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.consult[consult]
}

// startTransfer transfers line a to the peer of line b (attended, with
// Replaces): unholdontransfer takes a off hold first.
func (e *Engine) startTransfer(a, b *line, mode int, hungUp bool) bool {
	e.lines.mu.Lock()
	target, held := b.call.RemoteURI(), a.hold
	e.lines.mu.Unlock()
	e.xfers.mu.Lock()
	delete(e.xfers.consult, b)
	e.xfers.mu.Unlock()
	unhold := held && e.params.Int("unholdontransfer", -1) != 0
	return e.referLine(a, target, b, mode, hungUp, unhold)
}

// referLine sends the REFER for line l (in the background) and follows it;
// other is the line whose dialog the target replaces (attended), endOther
// set when the user hung that one up; unholdFirst takes l off hold before
// the REFER (unholdontransfer). Nothing here waits for the network: API
// calls must return at once (in the browser they run on the page's only
// thread, which also carries the SIP messages).
// holdontransfer: 1 hold before, 2 hold before and re-take on failure, 3
// hold once the REFER is accepted (re-take on failure); -1 is 3 for
// transfertype 5 and 6, else 0. discontransfer: 0 never ends the line, 4
// ends it once the REFER is accepted, other values on success; -1 is "after
// the REFER" for transfertype 1, never for 7, else on success.
func (e *Engine) referLine(l *line, target string, other *line, mode int, endOther, unholdFirst bool) bool {
	hot := e.params.Int("holdontransfer", -1)
	if hot < 0 || hot > 3 {
		hot = 0
		if mode == 5 || mode == 6 {
			hot = 3
		}
	}
	if other != nil {
		hot = 0 // attended: unholdontransfer decided the line's hold already
	}
	disc := e.params.Int("discontransfer", -1)
	onAccept := disc == 4 || (disc < 0 && mode == 1)
	onSuccess := disc > 0 || (disc < 0 && mode != 7)
	e.lines.mu.Lock()
	c, wasHeld := l.call, l.hold
	e.lines.mu.Unlock()
	tr := &outTransfer{other: other, endOther: endOther, disconnect: onSuccess && !onAccept}
	e.xfers.mu.Lock()
	if old := e.xfers.out[l]; old != nil && !old.done {
		e.xfers.mu.Unlock()
		e.logWarn("transfer: line " + itoa(l.n) + " is being transferred already")
		return false
	}
	e.xfers.out[l] = tr
	e.xfers.mu.Unlock()
	var replaces *sipcore.Call
	if other != nil {
		e.lines.mu.Lock()
		replaces = other.call
		e.lines.mu.Unlock()
	}
	e.logEvent(LogImportant, "transfer line "+itoa(l.n)+" to "+target)
	e.lineStatus(l, "Call transfer in progress...")
	if e.params.Int("apibehaviour", 1) == 1 {
		e.emit("onCallStateChange", "transfer", "", "", "", -1, "")
	}
	e.safeGo("transfer", func() {
		if unholdFirst {
			if ok, done := e.holdLine(l, false); ok {
				<-done // bounded: the re-INVITE's timers and the media timeout
			}
		}
		if (hot == 1 || hot == 2) && !wasHeld {
			if ok, done := e.holdLine(l, true); ok && <-done == nil && e.xfers.setRevert(tr, hot == 2) {
				e.holdLine(l, false)
			}
		}
		err := c.Refer(target, replaces, func(p sipcore.ReferProgress) { e.onTransferProgress(l, tr, p) })
		if err != nil {
			code := "-1 " + err.Error()
			var rf *sipcore.ErrRequestFailed
			if errors.As(err, &rf) {
				code = rf.Error()
			}
			e.transferFailed(l, tr, "transfer fail", code)
			return
		}
		e.lineStatus(l, "Call transfer accepted")
		if onAccept {
			e.finishTransfer(l, tr)
			e.hangupLineReason(l, "disconnect on transfer", DiscLocal)
			return
		}
		if hot == 3 && !wasHeld {
			if ok, done := e.holdLine(l, true); ok && <-done == nil && e.xfers.setRevert(tr, true) {
				e.holdLine(l, false) // the transfer failed while the hold went on
			}
		}
		stop := e.opts.AfterFunc(transferNotifyTimeout, func() {
			defer e.recovered("transfer timeout")
			e.transferFailed(l, tr, "transfer timeout", "no final NOTIFY")
		})
		e.xfers.mu.Lock()
		tr.stopTimer = stop
		finished := tr.done
		e.xfers.mu.Unlock()
		if finished {
			stop()
		}
	})
	return true
}

// setRevert records whether a failure takes the line off hold; true when
// the transfer failed already (the caller then does it).
func (x *transfers) setRevert(tr *outTransfer, v bool) (failed bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	tr.revert = v
	return v && tr.failed
}

// finishTransfer marks tr done; false when it was already.
func (e *Engine) finishTransfer(l *line, tr *outTransfer) bool {
	x := e.xfers
	x.mu.Lock()
	defer x.mu.Unlock()
	if tr.done {
		return false
	}
	tr.done = true
	if tr.stopTimer != nil {
		tr.stopTimer()
	}
	if x.out[l] == tr {
		delete(x.out, l)
	}
	return true
}

// onTransferProgress follows the NOTIFYs of our REFER.
func (e *Engine) onTransferProgress(l *line, tr *outTransfer, p sipcore.ReferProgress) {
	status := strconv.Itoa(p.Code) + " " + p.Reason
	if !p.Final {
		e.lineStatus(l, "Call Transfer: "+status)
		return
	}
	switch {
	case p.Code >= 200 && p.Code < 300:
		if !e.finishTransfer(l, tr) {
			return
		}
		e.logEvent(LogImportant, "transfer done on line "+itoa(l.n))
		e.lineStatus(l, "Call transfer completed")
		e.setGlobalStatus("Call transfer completed")
		if tr.disconnect {
			e.hangupLineReason(l, "transfer done", DiscLocal)
		}
		if tr.other != nil {
			// the target replaced that dialog and usually ends it itself
			e.hangupLineReason(tr.other, "transfer done", DiscLocal)
		}
	case p.Code < 200:
		e.transferFailed(l, tr, "transfer terminated", status)
	default:
		e.transferFailed(l, tr, "transfer fail", status)
	}
}

// transferFailed reverts a transfer that did not happen: the line is kept
// and taken off hold when the transfer held it.
func (e *Engine) transferFailed(l *line, tr *outTransfer, why, detail string) {
	if !e.finishTransfer(l, tr) {
		return
	}
	e.logWarn(why + " on line " + itoa(l.n) + ": " + detail)
	e.lineStatus(l, "Call Transfer: "+detail)
	e.lineStatus(l, "Call transfer failed")
	e.setGlobalStatus("Call transfer failed")
	e.display("", "ERROR, "+why+" "+detail)
	e.xfers.mu.Lock()
	tr.failed = true
	revert := tr.revert
	e.xfers.mu.Unlock()
	if revert {
		e.holdLine(l, false)
	}
	if tr.endOther {
		e.hangupLineReason(tr.other, "User Hung Up", DiscLocal)
	}
}

// startConsultation is the first step of an attended transfer (transfertype
// 2-5): the line is held and number called on a new line; hanging that
// consultation call up (or transfer("")) sends the REFER with Replaces. If
// the consultation call fails, the line is taken off hold.
func (e *Engine) startConsultation(a *line, number string) bool {
	e.holdLine(a, true) // goes on in the background, like the call
	if !e.Call(number) {
		e.holdLine(a, false)
		return false
	}
	c := e.lines.current()
	if c == nil || c == a {
		return false
	}
	e.xfers.mu.Lock()
	e.xfers.consult[c] = a
	e.xfers.mu.Unlock()
	e.logEvent(LogImportant, "consultation call on line "+itoa(c.n)+" for the transfer of line "+itoa(a.n))
	return true
}

// completeConsultation is hangup() of a consultation line: when connected,
// the held line is transferred to its peer (with Replaces) instead, and both
// lines end once that is done. False when l is no consultation line (the
// hangup goes on as usual).
func (e *Engine) completeConsultation(l *line) bool {
	e.xfers.mu.Lock()
	a := e.xfers.consult[l]
	e.xfers.mu.Unlock()
	if a == nil || !e.connectedCall(l) || !e.connectedCall(a) {
		return false
	}
	return e.startTransfer(a, l, e.transferMode(), true)
}

// transferLineEnded is called once for every line that ends: a
// consultation call that ends takes its held line off hold, a REFER that
// placed it hears the call's failure, and a transfer of it stops.
func (e *Engine) transferLineEnded(l *line, reason string) {
	x := e.xfers
	x.mu.Lock()
	held := x.consult[l]
	delete(x.consult, l)
	old := x.referred[l]
	delete(x.referred, l)
	delete(x.replacing, l)
	tr := x.out[l]
	for k, v := range x.consult {
		if v == l {
			delete(x.consult, k)
		}
	}
	x.mu.Unlock()
	if tr != nil {
		e.finishTransfer(l, tr)
	}
	if held != nil {
		e.holdLine(held, false)
	}
	if old != nil {
		e.referredCallEnded(old, reason)
	}
}

// transferCallState follows the progress of a line that a REFER placed,
// or that replaces another.
func (e *Engine) transferCallState(l *line, st sipcore.CallState) {
	x := e.xfers
	x.mu.Lock()
	old := x.referred[l]
	replaced := x.replacing[l]
	if st == sipcore.CallConnected {
		delete(x.referred, l)
		delete(x.replacing, l)
	}
	x.mu.Unlock()
	if old != nil {
		e.referredCallProgress(old, st)
	}
	if replaced != nil && st == sipcore.CallConnected {
		e.logEvent(LogImportant, "line "+itoa(l.n)+" replaces line "+itoa(replaced.n))
		e.hangupLineReason(replaced, "transfer done", DiscLocal)
	}
}
