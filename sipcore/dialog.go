package sipcore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/emiago/sipgo/sip"
)

// newRequest builds a request inside the dialog (caller must not hold c.mu).
func (c *Call) newRequest(method sip.RequestMethod, contentType string, body []byte) *sip.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	req := sip.NewRequest(method, c.remoteTarget)
	from := &sip.FromHeader{DisplayName: c.localName, Address: c.localURI, Params: sip.NewParams()}
	from.Params.Add("tag", c.localTag)
	req.AppendHeader(from)
	to := &sip.ToHeader{DisplayName: c.remoteName, Address: c.remoteURI, Params: sip.NewParams()}
	if c.remoteTag != "" {
		to.Params.Add("tag", c.remoteTag)
	}
	req.AppendHeader(to)
	cid := sip.CallIDHeader(c.callID)
	req.AppendHeader(&cid)
	c.localCSeq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: c.localCSeq, MethodName: method})
	for _, r := range c.routeSet {
		req.AppendHeader(&sip.RouteHeader{Address: r})
	}
	switch method {
	case sip.INVITE, sip.UPDATE, sip.REFER, sip.SUBSCRIBE, sip.NOTIFY:
		req.AppendHeader(c.ua.contactHeader())
	}
	if contentType != "" {
		ct := sip.ContentTypeHeader(contentType)
		req.AppendHeader(&ct)
	}
	if len(body) > 0 {
		req.SetBody(body)
	}
	addHeaders(req, c.extra)
	return req
}

// sendInDialog sends a request in the dialog and waits for its final
// response, answering challenges and keeping the local CSeq in step.
func (c *Call) sendInDialog(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	res, err := c.ua.do(ctx, req, nil)
	if res != nil && res.CSeq() != nil {
		c.mu.Lock()
		if res.CSeq().SeqNo > c.localCSeq {
			c.localCSeq = res.CSeq().SeqNo
		}
		c.mu.Unlock()
	}
	if res != nil && (res.StatusCode == 481 || res.StatusCode == 408) {
		c.end(strconv.Itoa(res.StatusCode) + " " + res.Reason)
	}
	return res, err
}

// bye ends an established call. The call is reported disconnected at once;
// the BYE transaction completes in the background.
func (c *Call) bye() error {
	req := c.newRequest(sip.BYE, "", nil)
	c.end("local hangup")
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
		defer cancel()
		_, _ = c.ua.do(ctx, req, nil)
	}()
	return nil
}

// ErrRequestFailed carries the final status of a failed in-dialog request.
type ErrRequestFailed struct {
	Code   int
	Reason string
}

func (e *ErrRequestFailed) Error() string { return strconv.Itoa(e.Code) + " " + e.Reason }

// Renegotiate sends a re-INVITE with a new offer (hold, unhold, codec
// change) and returns the peer's answer. A 491 glare is retried once after
// a random pause (RFC 3261 14.1).
func (c *Call) Renegotiate(offer []byte) ([]byte, error) {
	c.mu.Lock()
	if c.ended || !c.answered {
		c.mu.Unlock()
		return nil, ErrCallState
	}
	if c.reinvite {
		c.mu.Unlock()
		return nil, errors.New("sipcore: a re-INVITE is already pending")
	}
	c.reinvite = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.reinvite = false
		c.mu.Unlock()
	}()
	for attempt := 0; attempt < 2; attempt++ {
		req := c.newRequest(sip.INVITE, "application/sdp", offer)
		req.AppendHeader(sip.NewHeader("Allow", allowedMethods))
		c.mu.Lock()
		c.sentInvite = []byte(req.String())
		c.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
		res, err := c.sendInviteInDialog(ctx, req)
		cancel()
		if err != nil {
			return nil, err
		}
		if res.IsSuccess() {
			c.mu.Lock()
			if ct := res.Contact(); ct != nil {
				c.remoteTarget = ct.Address
			}
			c.localSDP = offer
			c.remoteSDP = res.Body()
			c.invite = req
			ack := c.buildAck(res)
			c.ack = ack
			c.mu.Unlock()
			_ = c.ua.sendMessage(ack)
			return res.Body(), nil
		}
		if res.StatusCode == 491 && attempt == 0 {
			time.Sleep(time.Duration(2100+rand.IntN(1900)) * time.Millisecond)
			continue
		}
		return nil, &ErrRequestFailed{Code: res.StatusCode, Reason: res.Reason}
	}
	return nil, errors.New("sipcore: re-INVITE glare not resolved")
}

// Update sends an UPDATE with a new offer (RFC 3311) and returns the
// answer; unlike a re-INVITE it needs no ACK and works in early dialogs.
func (c *Call) Update(offer []byte) ([]byte, error) {
	c.mu.Lock()
	ok := !c.ended && c.remoteTag != ""
	c.mu.Unlock()
	if !ok {
		return nil, ErrCallState
	}
	req := c.newRequest(sip.UPDATE, "application/sdp", offer)
	ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
	defer cancel()
	res, err := c.sendInDialog(ctx, req)
	if err != nil {
		return nil, err
	}
	if !res.IsSuccess() {
		return nil, &ErrRequestFailed{Code: res.StatusCode, Reason: res.Reason}
	}
	c.mu.Lock()
	c.localSDP, c.remoteSDP = offer, res.Body()
	c.mu.Unlock()
	return res.Body(), nil
}

// sendInviteInDialog runs a re-INVITE transaction with authentication.
func (c *Call) sendInviteInDialog(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	auth := newAuthenticator(c.ua.cfg)
	for i := 0; i < 3; i++ {
		ct, err := c.ua.startTx(req)
		if err != nil {
			return nil, err
		}
		ct.tx.OnRetransmission(func(r *sip.Response) { c.resendAck(r) })
		res, err := ct.final(ctx, nil)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if req.CSeq().SeqNo > c.localCSeq {
			c.localCSeq = req.CSeq().SeqNo
		}
		c.mu.Unlock()
		if res.StatusCode == 401 || res.StatusCode == 407 {
			if next, ok, aerr := auth.authorize(req, res); aerr == nil && ok {
				req = next
				continue
			}
		}
		if res.StatusCode == 481 || res.StatusCode == 408 {
			c.end(strconv.Itoa(res.StatusCode) + " " + res.Reason)
		}
		return res, nil
	}
	return nil, errors.New("sipcore: authentication failed")
}

// SendDTMF sends one or more digits with SIP INFO (application/dtmf-relay),
// one request per digit, waiting for each answer.
func (c *Call) SendDTMF(digits string, durationMs int) error {
	if durationMs <= 0 {
		durationMs = 160
	}
	for _, d := range digits {
		if !isDTMFDigit(d) {
			return fmt.Errorf("sipcore: %q is not a DTMF digit", d)
		}
		body := fmt.Sprintf("Signal=%c\r\nDuration=%d\r\n", d, durationMs)
		code, err := c.Request("INFO", "application/dtmf-relay", []byte(body))
		if err != nil {
			return err
		}
		if code >= 300 {
			return &ErrRequestFailed{Code: code, Reason: "INFO refused"}
		}
	}
	return nil
}

// Request sends any in-dialog request (INFO, REFER, NOTIFY, MESSAGE, ...)
// and returns the final status code.
func (c *Call) Request(method, contentType string, body []byte, hdrs ...Header) (int, error) {
	c.mu.Lock()
	ok := !c.ended && (c.answered || c.remoteTag != "")
	c.mu.Unlock()
	if !ok {
		return 0, ErrCallState
	}
	req := c.newRequest(sip.RequestMethod(method), contentType, body)
	for _, h := range hdrs {
		req.AppendHeader(sip.NewHeader(h.Name, h.Value))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
	defer cancel()
	res, err := c.sendInDialog(ctx, req)
	if err != nil {
		return 0, err
	}
	return res.StatusCode, nil
}

// dialogFor finds the call an in-dialog request belongs to (Call-ID and both tags).
func (ua *UA) dialogFor(req *sip.Request) *Call {
	c := ua.callFor(req.CallID().Value())
	if c == nil {
		return nil
	}
	fromTag, _ := req.From().Params.Get("tag")
	toTag, _ := req.To().Params.Get("tag")
	c.mu.Lock()
	defer c.mu.Unlock()
	if toTag != c.localTag || (c.remoteTag != "" && fromTag != c.remoteTag) {
		return nil
	}
	return c
}

// checkRemoteCSeq enforces increasing CSeq for requests from the peer.
func (c *Call) checkRemoteCSeq(req *sip.Request) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	seq := req.CSeq().SeqNo
	if c.remoteCSeq != 0 && seq <= c.remoteCSeq {
		return false
	}
	c.remoteCSeq = seq
	return true
}

// handleReInvite answers an offer in a re-INVITE (or an offerless one with
// our current SDP, the answer then arriving in the ACK).
func (ua *UA) handleReInvite(req *sip.Request, tx *sip.ServerTx) {
	c := ua.dialogFor(req)
	if c == nil {
		ua.reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	c.mu.Lock()
	busy := c.reinvite || c.acked != nil
	c.mu.Unlock()
	if busy {
		ua.reply(tx, req, 491, "Request Pending")
		return
	}
	if !c.checkRemoteCSeq(req) {
		ua.reply(tx, req, 500, "Server Internal Error", sip.NewHeader("Retry-After", "1"))
		return
	}
	answer, err := c.answerOffer(req.Body())
	if err != nil {
		ua.reply(tx, req, 488, "Not Acceptable Here")
		return
	}
	c.mu.Lock()
	if ct := req.Contact(); ct != nil {
		c.remoteTarget = ct.Address
	}
	c.recvInvite = []byte(req.String())
	c.ackWaitSeq = req.CSeq().SeqNo
	c.acked = make(chan struct{})
	acked := c.acked
	c.mu.Unlock()
	res := ua.answerWithSDP(tx, req, answer)
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

// handleUpdate answers an UPDATE (RFC 3311), with or without an offer.
func (ua *UA) handleUpdate(req *sip.Request, tx *sip.ServerTx) {
	c := ua.dialogFor(req)
	if c == nil {
		ua.reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	if !c.checkRemoteCSeq(req) {
		ua.reply(tx, req, 500, "Server Internal Error")
		return
	}
	if len(req.Body()) == 0 {
		ua.reply(tx, req, 200, "OK", ua.contactHeader())
		return
	}
	answer, err := c.answerOffer(req.Body())
	if err != nil {
		ua.reply(tx, req, 488, "Not Acceptable Here")
		return
	}
	ua.answerWithSDP(tx, req, answer)
}

// answerWithSDP sends 200 OK with our Contact and an SDP body.
func (ua *UA) answerWithSDP(tx *sip.ServerTx, req *sip.Request, answer []byte) *sip.Response {
	res := sip.NewResponseFromRequest(req, 200, "OK", answer)
	res.AppendHeader(ua.contactHeader())
	ct := sip.ContentTypeHeader("application/sdp")
	res.AppendHeader(&ct)
	ua.decorateResponse(res)
	_ = tx.Respond(res)
	return res
}

// handleBye ends the dialog at the peer's request.
func (ua *UA) handleBye(req *sip.Request, tx *sip.ServerTx) {
	c := ua.dialogFor(req)
	if c == nil {
		ua.reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	ua.reply(tx, req, 200, "OK")
	c.end("remote hangup")
}

// handleRefer hands a transfer request to the application.
func (ua *UA) handleRefer(req *sip.Request, tx *sip.ServerTx) {
	c := ua.dialogFor(req)
	if c == nil {
		ua.reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	referTo := headerValue(req, "Refer-To")
	if referTo == "" {
		ua.reply(tx, req, 400, "Missing Refer-To")
		return
	}
	if ua.ev.Refer != nil && ua.ev.Refer(c, referTo, headerValue(req, "Referred-By")) {
		ua.reply(tx, req, 202, "Accepted")
		return
	}
	ua.reply(tx, req, 603, "Decline")
}
