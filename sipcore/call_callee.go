package sipcore

import (
	"strconv"

	"github.com/emiago/sipgo/sip"
)

// callee is the part of a Call we received, the server side of its INVITE
// (RFC 3261 13.3, as sipgo's DialogServerSession): the INVITE server
// transaction, ringing, the final answer (accept, reject, forward), ignore,
// and a CANCEL from the caller. Its fields are guarded by the dialog's mu.
type callee struct {
	*Call
	inviteReq *sip.Request
	serverTx  *sip.ServerTx
	ignored   bool
}

// handleInvite starts an incoming call: a new line rings (180) until the
// application accepts, rejects, forwards or ignores it.
func (ua *UA) handleInvite(req *sip.Request, tx *sip.ServerTx) {
	if ua.callFor(req.CallID().Value()) != nil {
		ua.reply(tx, req, 482, "Loop Detected")
		return
	}
	offer, err := sdpOf(req)
	if err != nil {
		ua.replyNotSDP(tx, req) // never rings: RFC 3261 8.2.3
		return
	}
	if !acceptsSDP(req) {
		ua.reply(tx, req, 406, "Not Acceptable", sip.NewHeader("Accept", "application/sdp"))
		return
	}
	if ua.tooSmallInterval(tx, req) {
		return // 422: its Session-Expires is below our Min-SE (sessiontimer.go)
	}
	if !ua.takeReplaces(req, tx) {
		return // answered: Replaces names no dialog it may replace (replaces.go)
	}
	c := ua.newCall(Incoming, req.CallID().Value(), func(c *Call) { c.callee = &callee{Call: c} })
	c.mu.Lock()
	from, to := req.From(), req.To()
	c.remoteURI, c.remoteName = from.Address, from.DisplayName
	c.remoteTag, _ = from.Params.Get("tag")
	c.localURI, c.localName, c.localTag = to.Address, to.DisplayName, newTag()
	c.remoteTarget = from.Address
	if ct := req.Contact(); ct != nil {
		c.remoteTarget = ct.Address
	}
	for _, h := range req.GetHeaders("Record-Route") {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			c.routeSet = append(c.routeSet, rr.Address)
		}
	}
	c.remoteCSeq = req.CSeq().SeqNo
	c.callee.inviteReq, c.callee.serverTx = req, tx
	c.remoteSDP = offer
	c.ackAnswer = offer == nil // an offerless INVITE: the ACK brings the answer
	c.recvInvite = []byte(req.String())
	c.mu.Unlock()

	ua.emitCallState(c, CallSetup, "")
	if ua.ev.Incoming != nil {
		ua.ev.Incoming(c)
	}
	c.mu.Lock()
	stillRinging := !c.answered && !c.ended
	c.mu.Unlock()
	if stillRinging {
		c.callee.ringing(req)
		c.setState(CallRinging, "")
	}
}

// respond answers the initial INVITE with our To tag and Contact.
func (o *callee) respond(code int, reason string, body []byte, hdrs ...sip.Header) *sip.Response {
	o.mu.Lock()
	req, tx, tag := o.inviteReq, o.serverTx, o.localTag
	o.mu.Unlock()
	res := sip.NewResponseFromRequest(req, code, reason, body)
	res.To().Params.Add("tag", tag)
	if code < 300 {
		res.AppendHeader(o.ua.contactHeader())
	}
	if len(body) > 0 {
		ct := sip.ContentTypeHeader("application/sdp")
		res.AppendHeader(&ct)
	}
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	o.ua.decorateResponse(res)
	if err := tx.Respond(res); err != nil {
		o.ua.log.Debug("respond to INVITE failed", "err", err)
	}
	return res
}

// Accept answers an incoming call with 200 OK carrying the SDP answer.
func (c *Call) Accept(answer []byte) error {
	c.mu.Lock()
	if c.dir != Incoming || c.answered || c.ended {
		c.mu.Unlock()
		return ErrCallState
	}
	c.answered = true
	c.localSDP = answer
	c.ackWaitSeq = c.remoteCSeq
	c.acked = make(chan struct{})
	acked := c.acked
	req := c.callee.inviteReq
	c.mu.Unlock()
	hdrs := append([]sip.Header{sip.NewHeader("Allow", allowedMethods), sip.NewHeader("Supported", supportedUASTags)},
		c.acceptSessionTimer(req)...)
	res := c.callee.respond(200, "OK", answer, hdrs...)
	c.setState(CallConnected, "")
	go c.retransmit2xx(res, acked)
	return nil
}

// Reject refuses an incoming call with a final status (486, 603, ...).
func (c *Call) Reject(code int) error {
	if code < 300 || code > 699 {
		code = 486
	}
	c.mu.Lock()
	if c.dir != Incoming || c.answered || c.ended {
		c.mu.Unlock()
		return ErrCallState
	}
	c.answered = true
	c.mu.Unlock()
	c.callee.respond(code, reasonPhrase(code), nil)
	c.end("rejected " + strconv.Itoa(code))
	return nil
}

// Forward redirects an incoming call with 302 Moved Temporarily.
func (c *Call) Forward(target string) error {
	uri, err := c.ua.ParseTarget(target)
	if err != nil {
		return err
	}
	c.mu.Lock()
	if c.dir != Incoming || c.answered || c.ended {
		c.mu.Unlock()
		return ErrCallState
	}
	c.answered = true
	c.mu.Unlock()
	c.callee.respond(302, "Moved Temporarily", nil, &sip.ContactHeader{Address: uri})
	c.end("forwarded to " + uri.String())
	return nil
}

// Ignore stops treating an incoming call as ringing here without telling
// the caller; it ends when the caller gives up (CANCEL) or times out.
func (c *Call) Ignore() {
	if c.callee == nil {
		return // an outgoing call never rings here
	}
	c.mu.Lock()
	c.callee.ignored = true
	c.mu.Unlock()
}

// Ignored tells whether Ignore was called.
func (c *Call) Ignored() bool {
	if c.callee == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.callee.ignored
}

// cancelledByPeer ends a ringing call the caller cancelled.
func (o *callee) cancelledByPeer(tx *sip.ServerTx) {
	o.mu.Lock()
	answered := o.answered
	o.answered = true
	o.mu.Unlock()
	if answered {
		return // too late: the 2xx already went out, the caller must BYE
	}
	o.respond(487, "Request Terminated", nil)
	o.end("cancelled")
}

func reasonPhrase(code int) string {
	switch code {
	case 302:
		return "Moved Temporarily"
	case 404:
		return "Not Found"
	case 480:
		return "Temporarily Unavailable"
	case 486:
		return "Busy Here"
	case 487:
		return "Request Terminated"
	case 488:
		return "Not Acceptable Here"
	case 600:
		return "Busy Everywhere"
	case 603:
		return "Decline"
	}
	return "Rejected"
}
