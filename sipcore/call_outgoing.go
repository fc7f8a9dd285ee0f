package sipcore

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Call places a call to target ("1002", "bob@example.com" or a SIP URI)
// with an SDP offer. Progress is reported through Events.CallState and the
// peer's answer through Events.RemoteSDP.
func (ua *UA) Call(target string, offer []byte, hdrs ...Header) (*Call, error) {
	if !ua.Connected() {
		return nil, ErrNoTransport
	}
	uri, err := ua.ParseTarget(target)
	if err != nil {
		return nil, err
	}
	c := ua.newCall(Outgoing, newCallID())
	c.mu.Lock()
	c.localURI, c.localName, c.localTag = ua.aor(), ua.cfg.DisplayName, newTag()
	c.remoteURI, c.remoteTarget = uri, uri
	c.localSDP = offer
	c.localCSeq = 1
	req := c.buildInvite(offer, hdrs)
	c.mu.Unlock()
	c.ua.emitCallState(c, CallSetup, "")
	go c.runOutgoing(req)
	return c, nil
}

func (ua *UA) emitCallState(c *Call, s CallState, reason string) {
	if ua.ev.CallState != nil {
		ua.ev.CallState(c, s, reason)
	}
}

// buildInvite makes the initial INVITE (caller holds c.mu).
func (c *Call) buildInvite(offer []byte, hdrs []Header) *sip.Request {
	ua := c.ua
	req := sip.NewRequest(sip.INVITE, c.remoteTarget)
	req.AppendHeader(ua.fromHeader(c.localTag))
	to := &sip.ToHeader{Address: c.remoteURI, Params: sip.NewParams()}
	req.AppendHeader(to)
	cid := sip.CallIDHeader(c.callID)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: c.localCSeq, MethodName: sip.INVITE})
	req.AppendHeader(ua.contactHeader())
	req.AppendHeader(sip.NewHeader("Allow", allowedMethods))
	req.AppendHeader(sip.NewHeader("Supported", "outbound, replaces"))
	for _, h := range hdrs {
		req.AppendHeader(sip.NewHeader(h.Name, h.Value))
	}
	if len(offer) > 0 {
		ct := sip.ContentTypeHeader("application/sdp")
		req.AppendHeader(&ct)
		req.SetBody(offer)
	}
	ua.addOutboundRoute(req)
	return req
}

// runOutgoing drives the INVITE client transaction to its end: provisional
// responses, authentication, redirects, the 2xx and its ACK, failures.
func (c *Call) runOutgoing(req *sip.Request) {
	ua := c.ua
	auth := newAuthenticator(ua.cfg)
	redirects := 0
	for {
		ct, err := ua.startTx(req)
		if err != nil {
			c.end("transport error: " + err.Error())
			return
		}
		ct.tx.OnRetransmission(func(r *sip.Response) { c.resendAck(r) })
		c.mu.Lock()
		c.invite, c.inviteTx = req, ct
		c.sentInvite = []byte(req.String())
		c.localCSeq = req.CSeq().SeqNo
		c.mu.Unlock()

		res, err := ct.final(context.Background(), c.onProvisional)
		if err != nil {
			if c.cancelWasSent() {
				c.end("cancelled")
			} else if errors.Is(err, ErrTimeout) {
				c.end("timeout")
			} else {
				c.end(err.Error())
			}
			return
		}
		switch {
		case res.IsSuccess():
			c.established(res)
			return
		case (res.StatusCode == 401 || res.StatusCode == 407) && !c.cancelWasSent():
			next, ok, aerr := auth.authorize(req, res)
			if aerr == nil && ok {
				req = next
				continue
			}
		case res.StatusCode >= 300 && res.StatusCode < 400 && redirects < 5 && !c.cancelWasSent():
			if next := c.redirect(req, res); next != nil {
				redirects++
				req = next
				continue
			}
		}
		if res.StatusCode == 487 && c.cancelWasSent() {
			c.end("cancelled")
			return
		}
		c.end(strconv.Itoa(res.StatusCode) + " " + res.Reason)
		return
	}
}

func (c *Call) cancelWasSent() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cancelSent || c.cancelPending
}

// onProvisional handles 1xx: early dialog, ringing, early media SDP, and a
// CANCEL that waited for the first provisional (RFC 3261 9.1).
func (c *Call) onProvisional(res *sip.Response) {
	c.mu.Lock()
	c.provisional = true
	sendCancel := c.cancelPending && !c.cancelSent
	var sdp []byte
	if res.StatusCode > 100 {
		if tag, ok := res.To().Params.Get("tag"); ok {
			c.remoteTag = tag
		}
		if len(res.Body()) > 0 && c.remoteSDP == nil {
			c.remoteSDP = res.Body()
			sdp = res.Body()
		}
	}
	c.mu.Unlock()
	if sendCancel {
		c.sendCancel()
		return
	}
	if sdp != nil && c.ua.ev.RemoteSDP != nil {
		c.ua.ev.RemoteSDP(c, sdp)
	}
	if res.StatusCode == 180 || res.StatusCode == 183 {
		c.setState(CallRinging, strconv.Itoa(res.StatusCode)+" "+res.Reason)
	}
}

// established completes the dialog on a 2xx: ACK it, learn the remote
// target and route set, deliver the answer.
func (c *Call) established(res *sip.Response) {
	c.mu.Lock()
	if tag, ok := res.To().Params.Get("tag"); ok {
		c.remoteTag = tag
	}
	if ct := res.Contact(); ct != nil {
		c.remoteTarget = ct.Address
	}
	c.routeSet = c.routeSet[:0]
	rr := res.GetHeaders("Record-Route")
	for i := len(rr) - 1; i >= 0; i-- {
		if h, ok := rr[i].(*sip.RecordRouteHeader); ok {
			c.routeSet = append(c.routeSet, h.Address)
		}
	}
	c.answered = true
	c.firstResponse = res
	var sdp []byte
	if len(res.Body()) > 0 && !bytes.Equal(res.Body(), c.remoteSDP) {
		// a 2xx repeating the early answer of a 18x is not delivered twice
		sdp = res.Body()
		c.remoteSDP = sdp
	}
	cancelled := c.cancelPending || c.cancelSent
	ack := c.buildAck(res)
	c.ack = ack
	c.mu.Unlock()
	_ = c.ua.sendMessage(ack)
	if cancelled {
		// CANCEL raced with the 2xx: the call was answered, so end it with BYE.
		_ = c.bye()
		return
	}
	if sdp != nil && c.ua.ev.RemoteSDP != nil {
		c.ua.ev.RemoteSDP(c, sdp)
	}
	c.setState(CallConnected, "")
}

// buildAck builds the ACK for a 2xx to our INVITE (a new transaction, with
// the route set; caller holds c.mu).
func (c *Call) buildAck(res *sip.Response) *sip.Request {
	ack := sip.NewRequest(sip.ACK, c.remoteTarget)
	ack.AppendHeader(c.ua.newVia())
	mf := sip.MaxForwardsHeader(70)
	ack.AppendHeader(&mf)
	for _, r := range c.routeSet {
		ack.AppendHeader(&sip.RouteHeader{Address: r})
	}
	if f := res.From(); f != nil {
		ack.AppendHeader(sip.HeaderClone(f))
	}
	if t := res.To(); t != nil {
		ack.AppendHeader(sip.HeaderClone(t))
	}
	cid := sip.CallIDHeader(c.callID)
	ack.AppendHeader(&cid)
	ack.AppendHeader(&sip.CSeqHeader{SeqNo: res.CSeq().SeqNo, MethodName: sip.ACK})
	for _, name := range []string{"Authorization", "Proxy-Authorization"} {
		if c.invite != nil {
			if h := c.invite.GetHeader(name); h != nil {
				ack.AppendHeader(sip.HeaderClone(h))
			}
		}
	}
	cl := sip.ContentLengthHeader(0)
	ack.AppendHeader(&cl)
	c.ua.prepareRequest(ack)
	return ack
}

// resendAck answers a retransmitted 2xx with the same ACK.
func (c *Call) resendAck(res *sip.Response) {
	c.mu.Lock()
	ack := c.ack
	if ack != nil && res.CSeq().SeqNo != ack.CSeq().SeqNo {
		ack = nil
	}
	c.mu.Unlock()
	if ack != nil {
		_ = c.ua.sendMessage(ack)
	}
}

// redirect builds a new INVITE to the first Contact of a 3xx.
func (c *Call) redirect(req *sip.Request, res *sip.Response) *sip.Request {
	ct := res.Contact()
	if ct == nil {
		return nil
	}
	next := req.Clone()
	next.SetBody(req.Body())
	next.Recipient = ct.Address
	next.RemoveHeader("Via")
	next.RemoveHeader("Authorization")
	next.RemoveHeader("Proxy-Authorization")
	next.CSeq().SeqNo++
	c.mu.Lock()
	c.remoteTarget = ct.Address
	c.mu.Unlock()
	return next
}

// cancel stops a call we are placing; if nothing came back yet the CANCEL
// waits for the first provisional response.
func (c *Call) cancel() {
	c.mu.Lock()
	if c.cancelSent || c.cancelPending {
		c.mu.Unlock()
		return
	}
	if !c.provisional {
		c.cancelPending = true
		c.mu.Unlock()
		c.end("cancelled")
		return
	}
	c.mu.Unlock()
	c.sendCancel()
	c.end("cancelled")
}

// sendCancel sends CANCEL for the current INVITE (same Via branch).
func (c *Call) sendCancel() {
	c.mu.Lock()
	inv := c.invite
	c.cancelSent = true
	c.cancelPending = false
	c.mu.Unlock()
	if inv == nil {
		return
	}
	req := sip.NewRequest(sip.CANCEL, inv.Recipient)
	if v := inv.Via(); v != nil {
		req.AppendHeader(v.Clone())
	}
	for _, h := range inv.GetHeaders("Route") {
		req.AppendHeader(sip.HeaderClone(h))
	}
	req.AppendHeader(sip.HeaderClone(inv.From()))
	req.AppendHeader(sip.HeaderClone(inv.To()))
	cid := sip.CallIDHeader(c.callID)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.CANCEL})
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 32*1e9)
		defer cancel()
		if _, err := c.ua.do(ctx, req, nil); err != nil && !strings.Contains(err.Error(), "terminated") {
			c.ua.log.Debug("CANCEL failed", "err", err)
		}
	}()
}
