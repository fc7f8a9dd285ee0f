package sipcore

import (
	"strconv"
	"time"

	"github.com/emiago/sipgo/sip"
)

// handleInvite starts an incoming call: a new line rings (180) until the
// application accepts, rejects, forwards or ignores it.
func (ua *UA) handleInvite(req *sip.Request, tx *sip.ServerTx) {
	if ua.callFor(req.CallID().Value()) != nil {
		ua.reply(tx, req, 482, "Loop Detected")
		return
	}
	c := ua.newCall(Incoming, req.CallID().Value())
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
	c.inviteReq, c.serverTx = req, tx
	c.remoteSDP = req.Body()
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
		c.respond(180, "Ringing", nil)
		c.setState(CallRinging, "")
	}
}

// respond answers the initial INVITE with our To tag and Contact.
func (c *Call) respond(code int, reason string, body []byte, hdrs ...sip.Header) *sip.Response {
	c.mu.Lock()
	req, tx, tag := c.inviteReq, c.serverTx, c.localTag
	c.mu.Unlock()
	res := sip.NewResponseFromRequest(req, code, reason, body)
	res.To().Params.Add("tag", tag)
	if code < 300 {
		res.AppendHeader(c.ua.contactHeader())
	}
	if len(body) > 0 {
		ct := sip.ContentTypeHeader("application/sdp")
		res.AppendHeader(&ct)
	}
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	c.ua.decorateResponse(res)
	if err := tx.Respond(res); err != nil {
		c.ua.log.Debug("respond to INVITE failed", "err", err)
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
	c.mu.Unlock()
	res := c.respond(200, "OK", answer,
		sip.NewHeader("Allow", allowedMethods), sip.NewHeader("Supported", "outbound, replaces"))
	c.setState(CallConnected, "")
	go c.retransmit2xx(res, acked)
	return nil
}

// retransmit2xx repeats a 2xx on an unreliable flow until the ACK arrives
// (RFC 3261 13.3.1.4), and ends the call with BYE if it never does.
func (c *Call) retransmit2xx(res *sip.Response, acked chan struct{}) {
	reliable := true
	if tr := c.ua.currentTransport(); tr != nil {
		reliable = tr.Protocol() != "UDP"
	}
	interval := sip.T1
	deadline := time.After(64 * sip.T1)
	for {
		wait := time.After(interval)
		if reliable {
			wait = nil
		}
		select {
		case <-acked:
			return
		case <-c.ua.quit:
			return
		case <-deadline:
			if !c.isEnded() {
				_ = c.bye()
			}
			return
		case <-wait:
			if c.isEnded() {
				return
			}
			_ = c.ua.sendMessage(res)
			if interval *= 2; interval > sip.T2 {
				interval = sip.T2
			}
		}
	}
}

// ackReceived takes the ACK for a 2xx we sent; false when it is not ours.
func (c *Call) ackReceived(req *sip.Request) bool {
	c.mu.Lock()
	if c.acked == nil || req.CSeq().SeqNo != c.ackWaitSeq {
		c.mu.Unlock()
		return false
	}
	acked := c.acked
	c.acked = nil
	var sdp []byte
	if len(req.Body()) > 0 {
		sdp = req.Body()
		c.remoteSDP = sdp
	}
	c.mu.Unlock()
	close(acked)
	if sdp != nil && c.ua.ev.RemoteSDP != nil {
		go c.ua.ev.RemoteSDP(c, sdp) // off the inbound goroutine
	}
	return true
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
	c.respond(code, reasonPhrase(code), nil)
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
	c.respond(302, "Moved Temporarily", nil, &sip.ContactHeader{Address: uri})
	c.end("forwarded to " + uri.String())
	return nil
}

// Ignore stops treating an incoming call as ringing here without telling
// the caller; it ends when the caller gives up (CANCEL) or times out.
func (c *Call) Ignore() {
	c.mu.Lock()
	c.ignored = true
	c.mu.Unlock()
}

// Ignored tells whether Ignore was called.
func (c *Call) Ignored() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ignored
}

// cancelledByPeer ends a ringing call the caller cancelled.
func (c *Call) cancelledByPeer(tx *sip.ServerTx) {
	c.mu.Lock()
	answered := c.answered
	c.answered = true
	c.mu.Unlock()
	if answered {
		return // too late: the 2xx already went out, the caller must BYE
	}
	c.respond(487, "Request Terminated", nil)
	c.end("cancelled")
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
