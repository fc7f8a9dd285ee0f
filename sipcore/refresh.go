package sipcore

import (
	"context"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Refreshing a dialog after the flow changed.
//
// A WebSocket client's Contact is only reachable through the connection it
// was sent on: the proxy remembers that connection (Kamailio's alias
// parameter, an RFC 5626 flow token) and routes the peer's in-dialog
// requests (BYE, re-INVITE) through it. When the connection is replaced,
// every live dialog must send a target refresh request carrying the
// Contact of the new flow, so that the peer's later requests reach the new
// connection. Two requests can do that (RFC 3261 12.2, RFC 3311):
//   - UPDATE without a body (RefreshTarget): only the target changes, the
//     media is not touched; needs a peer that supports UPDATE;
//   - re-INVITE with an offer (Renegotiate): works with every peer, and is
//     the only choice when the media path must be renegotiated too (an ICE
//     restart after a network change).
//
// The application chooses (it knows the media); sipcore sends. Both end
// the call on 481 or 408 (the peer lost the dialog), as every in-dialog
// request does.

// PeerAllows reports whether the peer listed method in the Allow header of
// its initial INVITE (a call it placed) or of its 2xx (a call we placed).
// A peer that sent no Allow header is taken to allow nothing beyond what
// RFC 3261 requires, so PeerAllows("UPDATE") is false for it.
func (c *Call) PeerAllows(method string) bool {
	for _, m := range strings.Split(c.InviteHeader("Allow"), ",") {
		if strings.EqualFold(strings.TrimSpace(m), method) {
			return true
		}
	}
	return false
}

// RefreshTarget sends an UPDATE without a body (RFC 3311) in an established
// call: a target refresh that gives the peer our Contact on the current
// flow and leaves the media session as it is. The peer's Contact in the 2xx
// becomes the new remote target. A non-2xx answer is returned as
// *ErrRequestFailed (405 or 501: the peer does not support UPDATE); 481
// and 408 end the call.
func (c *Call) RefreshTarget(ctx context.Context) error {
	c.mu.Lock()
	ok := !c.ended && c.answered
	c.mu.Unlock()
	if !ok {
		return ErrCallState
	}
	req := c.newRequest(sip.UPDATE, "", nil)
	res, err := c.sendInDialog(ctx, req, txHooks{})
	if err != nil {
		return err
	}
	if !res.IsSuccess() {
		return &ErrRequestFailed{Code: res.StatusCode, Reason: res.Reason}
	}
	c.updateAnswered(res)
	return nil
}

// updateAnswered takes the 2xx to an UPDATE we sent: its Contact becomes
// the remote target (a target refresh), and its Session-Expires the
// session interval.
func (c *Call) updateAnswered(res *sip.Response) {
	if ct := res.Contact(); ct != nil {
		c.mu.Lock()
		c.remoteTarget = ct.Address
		c.mu.Unlock()
	}
	c.sessionAnswered(res)
}
