package sipcore

import (
	"time"

	"github.com/emiago/sipgo/sip"
)

// This file is the side of a dialog that answers the peer's in-dialog
// requests: re-INVITE, UPDATE and BYE (INFO is in dtmf_info.go, REFER in
// refer_answer.go), each read by the dialog it belongs to (as sipgo's
// Dialog.ReadRequest), and the ACK of a 2xx the dialog sent.

// inDialog hands a request inside a dialog to the dialog's read, or
// answers 481 when no dialog matches (RFC 3261 12.2.2).
func (ua *UA) inDialog(req *sip.Request, tx *sip.ServerTx, read func(c *Call, req *sip.Request, tx *sip.ServerTx)) {
	c := ua.dialogs.match(req)
	if c == nil {
		ua.reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	read(c, req, tx)
}

// checkRemoteCSeq enforces increasing CSeq for requests from the peer.
func (d *dialog) checkRemoteCSeq(req *sip.Request) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	seq := req.CSeq().SeqNo
	if d.remoteCSeq != 0 && seq <= d.remoteCSeq {
		return false
	}
	d.remoteCSeq = seq
	return true
}

// readReInvite answers an offer in a re-INVITE (or an offerless one with
// our current SDP, the answer then arriving in the ACK).
func (c *Call) readReInvite(req *sip.Request, tx *sip.ServerTx) {
	c.mu.Lock()
	busy := c.reinvite || c.acked != nil
	c.mu.Unlock()
	if busy {
		c.ua.reply(tx, req, 491, "Request Pending")
		return
	}
	if !c.checkRemoteCSeq(req) {
		c.ua.reply(tx, req, 500, "Server Internal Error", sip.NewHeader("Retry-After", "1"))
		return
	}
	if c.ua.tooSmallInterval(tx, req) {
		return
	}
	offer, err := sdpOf(req)
	if err != nil {
		c.ua.replyNotSDP(tx, req)
		return
	}
	answer, err := c.answerOffer(offer)
	if err != nil {
		c.ua.reply(tx, req, 488, "Not Acceptable Here")
		return
	}
	c.mu.Lock()
	if ct := req.Contact(); ct != nil {
		c.remoteTarget = ct.Address
	}
	c.recvInvite = []byte(req.String())
	c.ackWaitSeq = req.CSeq().SeqNo
	c.ackAnswer = offer == nil
	c.acked = make(chan struct{})
	acked := c.acked
	c.mu.Unlock()
	res := c.ua.answerWithSDP(tx, req, answer, c.acceptSessionTimer(req)...)
	go c.retransmit2xx(res, acked)
}

// answerOffer asks the application for an answer to a remote offer; an
// empty offer is answered with the current local SDP.
func (c *Call) answerOffer(offer []byte) ([]byte, error) {
	if len(offer) == 0 || c.ua.ev.Offer == nil {
		if len(offer) > 0 {
			c.mu.Lock()
			c.remoteSDP = offer
			c.mu.Unlock()
		}
		return c.LocalSDP(), nil
	}
	answer, err := c.ua.ev.Offer(c, offer)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.remoteSDP = offer
	c.localSDP = answer
	c.mu.Unlock()
	return answer, nil
}

// readUpdate answers an UPDATE (RFC 3311), with or without an offer.
func (c *Call) readUpdate(req *sip.Request, tx *sip.ServerTx) {
	if !c.checkRemoteCSeq(req) {
		c.ua.reply(tx, req, 500, "Server Internal Error")
		return
	}
	if c.ua.tooSmallInterval(tx, req) {
		return
	}
	offer, err := sdpOf(req)
	if err != nil {
		c.ua.replyNotSDP(tx, req)
		return
	}
	if offer == nil {
		c.ua.reply(tx, req, 200, "OK", append([]sip.Header{c.ua.contactHeader()}, c.acceptSessionTimer(req)...)...)
		return
	}
	answer, err := c.answerOffer(offer)
	if err != nil {
		c.ua.reply(tx, req, 488, "Not Acceptable Here")
		return
	}
	c.ua.answerWithSDP(tx, req, answer, c.acceptSessionTimer(req)...)
}

// answerWithSDP sends 200 OK with our Contact and an SDP body.
func (ua *UA) answerWithSDP(tx *sip.ServerTx, req *sip.Request, answer []byte, hdrs ...sip.Header) *sip.Response {
	res := sip.NewResponseFromRequest(req, 200, "OK", answer)
	res.AppendHeader(ua.contactHeader())
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	ct := sip.ContentTypeHeader("application/sdp")
	res.AppendHeader(&ct)
	ua.decorateResponse(res)
	_ = tx.Respond(res)
	return res
}

// readBye ends the dialog at the peer's request.
func (c *Call) readBye(req *sip.Request, tx *sip.ServerTx) {
	c.ua.reply(tx, req, 200, "OK")
	c.end("remote hangup")
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
	sdp, err := sdpOf(req)
	if err != nil {
		sdp = nil // an ACK cannot be refused: a body that is not SDP is ignored
	}
	if sdp != nil {
		c.remoteSDP = sdp
	}
	failed := c.ackAnswer && sdp == nil
	c.mu.Unlock()
	close(acked)
	if failed {
		// our 2xx carried the offer and no answer came: the negotiation
		// failed, so the session ends (RFC 3261 13.3.1.4, as JsSIP does)
		go c.byeFailed("no SDP answer in ACK") // off the inbound goroutine
		return true
	}
	if sdp != nil && c.ua.ev.RemoteSDP != nil {
		c.ua.ev.RemoteSDP(c, sdp) // on the dialog's worker, in order with its other events
	}
	return true
}
