package sipcore

// This file is the transfer target's side of an attended transfer (RFC
// 3891): an INVITE with a Replaces header takes over a dialog of ours.

import (
	"errors"
	"strings"

	"github.com/emiago/sipgo/sip"
)

var errBadReferTo = errors.New("sipcore: bad Refer-To")

// replacesHeader is a parsed Replaces header value.
type replacesHeader struct {
	callID, toTag, fromTag string
	earlyOnly              bool
}

func parseReplaces(v string) (replacesHeader, bool) {
	parts := strings.Split(v, ";")
	r := replacesHeader{callID: strings.TrimSpace(parts[0])}
	for _, p := range parts[1:] {
		name, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "to-tag":
			r.toTag = strings.TrimSpace(val)
		case "from-tag":
			r.fromTag = strings.TrimSpace(val)
		case "early-only":
			r.earlyOnly = true
		}
	}
	return r, r.callID != "" && r.toTag != "" && r.fromTag != ""
}

// takeReplaces checks the Replaces header of a new INVITE: without one, or
// when it names a dialog this INVITE may replace, the INVITE goes on (true;
// the replaced call is then Call.Replaces of the new one). Otherwise it is
// answered and false: 400 for a malformed header, 481 when no such dialog
// exists or it is an early dialog we placed, 486 when early-only was asked
// and the dialog is confirmed (RFC 3891 3).
func (ua *UA) takeReplaces(req *sip.Request, tx *sip.ServerTx) bool {
	hs := req.GetHeaders("Replaces")
	if len(hs) == 0 {
		return true
	}
	if len(hs) > 1 {
		ua.reply(tx, req, 400, "Bad Request (several Replaces)")
		return false
	}
	r, ok := parseReplaces(hs[0].Value())
	if !ok {
		ua.reply(tx, req, 400, "Bad Request (Replaces)")
		return false
	}
	old := ua.callFor(r.callID)
	if old == nil {
		ua.reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return false
	}
	old.mu.Lock()
	match := !old.ended && old.localTag == r.toTag && old.remoteTag == r.fromTag
	earlyOurs := old.dir == Outgoing && !old.answered
	confirmed := old.answered
	old.mu.Unlock()
	switch {
	case !match, earlyOurs:
		ua.reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return false
	case r.earlyOnly && confirmed:
		ua.reply(tx, req, 486, "Busy Here")
		return false
	}
	x := ua.xfer
	x.mu.Lock()
	if len(x.replaced) >= maxReplaced {
		for id := range x.replaced { // forget pairs whose new call is gone
			if ua.callFor(id) == nil {
				delete(x.replaced, id)
			}
		}
	}
	x.replaced[req.CallID().Value()] = old
	x.mu.Unlock()
	return true
}

// Replaces is the call an incoming call replaces (its INVITE carried a
// Replaces header naming that dialog), or nil. The application accepts the
// new call without ringing and ends the replaced one (RFC 3891 3).
func (c *Call) Replaces() *Call {
	if c.dir != Incoming {
		return nil
	}
	c.ua.xfer.mu.Lock()
	defer c.ua.xfer.mu.Unlock()
	return c.ua.xfer.replaced[c.callID]
}
