package sipcore

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// caller is the part of a Call we placed, the client side of its INVITE
// (RFC 3261 13.2, as sipgo's DialogClientSession): the INVITE transaction
// with authentication and redirects, provisional responses and the early
// dialog, the 2xx and its ACK, and CANCEL, which waits for a provisional
// response when none came yet. Its fields are guarded by the dialog's mu.
type caller struct {
	*Call
	inviteHdrs    []Header // extra headers of the INVITE (NewCall)
	invited       bool     // Invite was called
	inviteTx      *clientTx
	provisional   bool
	cancelPending bool
	cancelSent    bool
	firstResponse *sip.Response
}

// Call places a call to target ("1002", "bob@example.com" or a SIP URI)
// with an SDP offer: NewCall followed by Invite. Progress is reported
// through Events.CallState and the peer's answer through Events.RemoteSDP.
// The CallSetup event fires before Call returns; callers that must know the
// *Call when its first event fires use NewCall and Invite.
func (ua *UA) Call(target string, offer []byte, hdrs ...Header) (*Call, error) {
	if !ua.Connected() {
		return nil, ErrNoTransport
	}
	c, err := ua.NewCall(target, hdrs...)
	if err != nil {
		return nil, err
	}
	if err := c.Invite(offer); err != nil {
		return nil, err
	}
	return c, nil
}

// NewCall prepares a call to target ("1002", "bob@example.com" or a SIP
// URI) without sending anything and without any event: the Call has its
// Call-ID and line, so the caller can bind it before Invite sends the
// INVITE. hdrs are added to the INVITE. A call that is not invited is
// released with Hangup.
func (ua *UA) NewCall(target string, hdrs ...Header) (*Call, error) {
	return ua.newOutgoingCall(target, newCallID(), hdrs)
}

func (ua *UA) newOutgoingCall(target, callID string, hdrs []Header) (*Call, error) {
	uri, err := ua.ParseTarget(target)
	if err != nil {
		return nil, err
	}
	c := ua.newCall(Outgoing, callID, func(c *Call) { c.caller = &caller{Call: c} })
	c.mu.Lock()
	c.localURI, c.localName, c.localTag = ua.aor(), ua.displayName(), newTag()
	c.remoteURI, c.remoteTarget = uri, uri
	c.caller.inviteHdrs = append([]Header(nil), hdrs...)
	c.mu.Unlock()
	return c, nil
}

// Invite sends the INVITE of a call made with NewCall, with an SDP offer.
// CallSetup fires before it returns; the rest arrives as events. It fails
// with ErrCallState when the call was already invited or hung up, and with
// ErrNoTransport when not connected (the call is then released silently).
func (c *Call) Invite(offer []byte) error {
	c.mu.Lock()
	if c.caller == nil || c.caller.invited || c.ended {
		c.mu.Unlock()
		return ErrCallState
	}
	if !c.ua.Connected() {
		c.ended, c.state = true, CallDisconnected
		c.mu.Unlock()
		c.ua.dialogs.dropCall(c)
		return ErrNoTransport
	}
	c.caller.invited = true
	c.localSDP = offer
	c.localCSeq = 1
	req := c.caller.buildInvite(offer, c.caller.inviteHdrs)
	c.mu.Unlock()
	c.ua.emitCallState(c, CallSetup, "")
	go c.caller.runOutgoing(req)
	return nil
}

// buildInvite makes the initial INVITE (caller holds c.mu).
func (o *caller) buildInvite(offer []byte, hdrs []Header) *sip.Request {
	ua := o.ua
	req := sip.NewRequest(sip.INVITE, o.remoteTarget)
	req.AppendHeader(ua.fromHeader(o.localTag))
	to := &sip.ToHeader{Address: o.remoteURI, Params: sip.NewParams()}
	req.AppendHeader(to)
	cid := sip.CallIDHeader(o.callID)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: o.localCSeq, MethodName: sip.INVITE})
	req.AppendHeader(ua.contactHeader())
	req.AppendHeader(sip.NewHeader("Allow", allowedMethods))
	req.AppendHeader(sip.NewHeader("Supported", supportedTags))
	ua.addSessionTimerOffer(req)
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
func (o *caller) runOutgoing(req *sip.Request) {
	redirects, retries422 := 0, 0
	res, err := o.ua.runTx(context.Background(), req, newSharedAuthenticator(o.ua.cfg, o.ua.inviteAuth), txHooks{
		sent: func(req *sip.Request, ct *clientTx) {
			o.mu.Lock()
			o.invite, o.inviteTx = req, ct
			o.sentInvite = []byte(req.String())
			o.localCSeq = req.CSeq().SeqNo
			o.mu.Unlock()
		},
		provisional:    o.onProvisional,
		retransmission: o.resendAck,
		mayRetry:       func() bool { return !o.cancelWasSent() },
		next: func(req *sip.Request, res *sip.Response) *sip.Request {
			if res.StatusCode == 422 {
				return o.retryAfter422(req, res, &retries422)
			}
			if res.StatusCode < 300 || res.StatusCode >= 400 || redirects >= 5 {
				return nil
			}
			next := o.redirect(req, res)
			if next != nil {
				redirects++
			}
			return next
		},
	})
	switch {
	case res == nil && o.cancelWasSent():
		o.end("cancelled")
	case res == nil && errors.Is(err, ErrTimeout):
		o.end("timeout")
	case res == nil:
		o.end(err.Error())
	case res.IsSuccess():
		o.established(res)
	case res.StatusCode == 487 && o.cancelWasSent():
		o.end("cancelled")
	default:
		o.end(strconv.Itoa(res.StatusCode) + " " + res.Reason)
	}
}

func (o *caller) cancelWasSent() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.cancelSent || o.cancelPending
}

// onProvisional handles 1xx: early dialog, ringing, early media SDP, and a
// CANCEL that waited for the first provisional (RFC 3261 9.1).
func (o *caller) onProvisional(res *sip.Response) {
	o.mu.Lock()
	o.provisional = true
	sendCancel := o.cancelPending && !o.cancelSent
	var sdp []byte
	if res.StatusCode > 100 {
		if tag, ok := res.To().Params.Get("tag"); ok {
			o.remoteTag = tag
		}
		// a body that is not SDP is ignored: no early media from it
		if early, err := sdpOf(res); err == nil && early != nil && o.remoteSDP == nil {
			o.remoteSDP = early
			sdp = early
		}
	}
	o.mu.Unlock()
	if sendCancel {
		o.sendCancel()
		return
	}
	o.prackProvisional(res)
	if sdp != nil && o.ua.ev.RemoteSDP != nil {
		o.ua.ev.RemoteSDP(o.Call, sdp)
	}
	if res.StatusCode == 180 || res.StatusCode == 183 {
		o.setState(CallRinging, strconv.Itoa(res.StatusCode)+" "+res.Reason)
	}
}

// established completes the dialog on a 2xx: ACK it, learn the remote
// target and route set, deliver the answer.
func (o *caller) established(res *sip.Response) {
	o.mu.Lock()
	if tag, ok := res.To().Params.Get("tag"); ok {
		o.remoteTag = tag
	}
	if ct := res.Contact(); ct != nil {
		o.remoteTarget = ct.Address
	}
	o.routeSet = o.routeSet[:0]
	rr := res.GetHeaders("Record-Route")
	for i := len(rr) - 1; i >= 0; i-- {
		if h, ok := rr[i].(*sip.RecordRouteHeader); ok {
			o.routeSet = append(o.routeSet, h.Address)
		}
	}
	o.answered = true
	o.firstResponse = res
	var sdp []byte
	answer, err := sdpOf(res)
	if err == nil && answer != nil && !bytes.Equal(answer, o.remoteSDP) {
		// a 2xx repeating the early answer of a 18x is not delivered twice
		sdp = answer
		o.remoteSDP = sdp
	}
	// without SDP in the 2xx, the answer of a 18x stands; with neither, the
	// offer (ours, or the one the 2xx had to carry) went unanswered
	noAnswer := o.remoteSDP == nil
	cancelled := o.cancelPending || o.cancelSent
	ack := o.buildAck(res)
	o.ack = ack
	o.mu.Unlock()
	_ = o.ua.sendMessage(ack)
	if cancelled {
		// CANCEL raced with the 2xx: the call was answered, so end it with BYE.
		_ = o.bye()
		return
	}
	if noAnswer {
		// failed negotiation: ACK, then BYE (as JsSIP does for a 2xx without SDP)
		o.byeFailed("no SDP answer in " + strconv.Itoa(res.StatusCode) + " " + res.Reason)
		return
	}
	if sdp != nil && o.ua.ev.RemoteSDP != nil {
		o.ua.ev.RemoteSDP(o.Call, sdp)
	}
	o.sessionAnswered(res)
	o.setState(CallConnected, "")
}

// redirect builds a new INVITE to the first Contact of a 3xx.
func (o *caller) redirect(req *sip.Request, res *sip.Response) *sip.Request {
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
	o.mu.Lock()
	o.remoteTarget = ct.Address
	o.mu.Unlock()
	return next
}

// cancel stops a call we are placing; if nothing came back yet the CANCEL
// waits for the first provisional response.
func (o *caller) cancel() {
	o.mu.Lock()
	if o.cancelSent || o.cancelPending {
		o.mu.Unlock()
		return
	}
	if !o.provisional {
		o.cancelPending = true
		o.mu.Unlock()
		o.end("cancelled")
		return
	}
	o.mu.Unlock()
	o.sendCancel()
	o.end("cancelled")
}

// sendCancel sends CANCEL for the current INVITE (same Via branch).
func (o *caller) sendCancel() {
	o.mu.Lock()
	inv := o.invite
	o.cancelSent = true
	o.cancelPending = false
	o.mu.Unlock()
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
	cid := sip.CallIDHeader(o.callID)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.CANCEL})
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 32*1e9)
		defer cancel()
		if _, err := o.ua.do(ctx, req, nil); err != nil && !strings.Contains(err.Error(), "terminated") {
			o.ua.log.Debug("CANCEL failed", "err", err)
		}
	}()
}
