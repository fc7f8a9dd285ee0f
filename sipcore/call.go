package sipcore

import (
	"errors"
)

// Call is one dialog ("line"): an INVITE session in either direction.
//
// Internally it is a dialog (dialog.go) with the part of its role, as
// sipgo has Dialog under DialogClientSession and DialogServerSession: the
// caller part of a call we placed (call_caller.go: our INVITE transaction,
// provisional responses, CANCEL, the ACK of the 2xx) or the callee part of
// one we received (call_callee.go: the peer's INVITE transaction, accept,
// reject, forward, ignore, a CANCEL from the peer).
type Call struct {
	dialog
	caller *caller // nil for an incoming call
	callee *callee // nil for an outgoing call
}

// ErrCallState is returned when an action does not fit the call's state.
var ErrCallState = errors.New("sipcore: not possible in this call state")

// newCall registers a new call on a free line; the caller attaches the
// part of its role before anyone else can see it.
func (ua *UA) newCall(dir Direction, callID string, role func(c *Call)) *Call {
	c := &Call{dialog: dialog{ua: ua, dir: dir, callID: callID, state: CallSetup}}
	role(c)
	ua.dialogs.addCall(c)
	return c
}

// InviteHeader returns a header of the initial INVITE (received) or of the
// peer's answer (placed calls), "" when absent.
func (c *Call) InviteHeader(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.callee != nil && c.callee.inviteReq != nil {
		return headerValue(c.callee.inviteReq, name)
	}
	if c.caller != nil && c.caller.firstResponse != nil {
		return headerValue(c.caller.firstResponse, name)
	}
	return ""
}

// setState records and reports a state change (once per distinct state).
func (c *Call) setState(s CallState, reason string) {
	c.mu.Lock()
	if c.ended || c.state == s {
		c.mu.Unlock()
		return
	}
	c.state = s
	if s == CallDisconnected {
		c.ended = true
	}
	c.mu.Unlock()
	if s == CallDisconnected {
		c.stopSessionTimer()
		c.ua.dialogs.dropCall(c)
	}
	if c.ua.ev.CallState != nil {
		c.ua.ev.CallState(c, s, reason)
	}
}

// emitCallState reports a state without recording it (CallSetup).
func (ua *UA) emitCallState(c *Call, s CallState, reason string) {
	if ua.ev.CallState != nil {
		ua.ev.CallState(c, s, reason)
	}
}

// end terminates the call locally and reports why.
func (c *Call) end(reason string) { c.setState(CallDisconnected, reason) }

// Hangup ends the call the way its state requires: CANCEL a call we are
// placing, decline one that rings here (603), BYE an established one.
func (c *Call) Hangup() error {
	c.mu.Lock()
	ended, answered, dir := c.ended, c.answered, c.dir
	c.mu.Unlock()
	switch {
	case ended:
		return ErrCallState
	case !answered && dir == Outgoing:
		c.caller.cancel()
		return nil
	case !answered && dir == Incoming:
		return c.Reject(603)
	default:
		return c.bye()
	}
}
