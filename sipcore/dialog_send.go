package sipcore

// This file is the side of a dialog that sends: building in-dialog
// requests, BYE, re-INVITE, UPDATE, INFO DTMF and any other request.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/emiago/sipgo/sip"
)

// newRequest builds a request inside the dialog (caller must not hold d.mu).
func (d *dialog) newRequest(method sip.RequestMethod, contentType string, body []byte) *sip.Request {
	d.mu.Lock()
	defer d.mu.Unlock()
	req := sip.NewRequest(method, d.remoteTarget)
	from := &sip.FromHeader{DisplayName: d.localName, Address: d.localURI, Params: sip.NewParams()}
	from.Params.Add("tag", d.localTag)
	req.AppendHeader(from)
	to := &sip.ToHeader{DisplayName: d.remoteName, Address: d.remoteURI, Params: sip.NewParams()}
	if d.remoteTag != "" {
		to.Params.Add("tag", d.remoteTag)
	}
	req.AppendHeader(to)
	cid := sip.CallIDHeader(d.callID)
	req.AppendHeader(&cid)
	d.localCSeq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: d.localCSeq, MethodName: method})
	for _, r := range d.routeSet {
		req.AppendHeader(&sip.RouteHeader{Address: r})
	}
	switch method {
	case sip.INVITE, sip.UPDATE, sip.REFER, sip.SUBSCRIBE, sip.NOTIFY:
		req.AppendHeader(d.ua.contactHeader())
	}
	if contentType != "" {
		ct := sip.ContentTypeHeader(contentType)
		req.AppendHeader(&ct)
	}
	if len(body) > 0 {
		req.SetBody(body)
	}
	addHeaders(req, d.extra)
	if method == sip.INVITE || method == sip.UPDATE {
		d.addSessionTimerHeaders(req) // every re-INVITE and UPDATE refreshes the session
	}
	return req
}

// sendInDialog sends a request in the dialog and waits for its final
// response, answering challenges and keeping the local CSeq in step. A 481
// or 408 ends the call (RFC 3261 12.2.1.2).
func (c *Call) sendInDialog(ctx context.Context, req *sip.Request, h txHooks) (*sip.Response, error) {
	res, err := c.ua.runTx(ctx, req, newAuthenticator(c.ua.cfg), h)
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
	c.byeFailed("local hangup")
	return nil
}

// byeFailed ends the call with BYE, reporting reason as the cause.
func (c *Call) byeFailed(reason string) {
	req := c.newRequest(sip.BYE, "", nil)
	c.end(reason)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
		defer cancel()
		_, _ = c.ua.do(ctx, req, nil)
	}()
}

// ErrRequestFailed carries the final status of a failed in-dialog request.
type ErrRequestFailed struct {
	Code   int
	Reason string
}

func (e *ErrRequestFailed) Error() string { return strconv.Itoa(e.Code) + " " + e.Reason }

// Renegotiate sends a re-INVITE with a new offer (hold, unhold, codec
// change) and returns the peer's answer. A 491 glare is retried once after
// the RFC 3261 14.1 pause (glareBackoff).
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
		ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
		res, err := c.sendInDialog(ctx, req, txHooks{
			retransmission: c.resendAck,
			sent: func(sent *sip.Request, _ *clientTx) {
				req = sent // the ACK repeats the credentials of the last one
				c.mu.Lock()
				c.sentInvite = []byte(sent.String())
				c.mu.Unlock()
			},
		})
		cancel()
		if err != nil {
			return nil, err
		}
		if res.IsSuccess() {
			answer, berr := sdpOf(res)
			c.mu.Lock()
			if ct := res.Contact(); ct != nil {
				c.remoteTarget = ct.Address
			}
			if berr == nil && answer != nil {
				c.localSDP, c.remoteSDP = offer, answer
			}
			c.invite = req
			ack := c.buildAck(res)
			c.ack = ack
			c.mu.Unlock()
			_ = c.ua.sendMessage(ack)
			c.sessionAnswered(res)
			if berr != nil || answer == nil {
				// the session goes on with the media it had (as JsSIP does)
				return nil, ErrNoAnswer
			}
			return answer, nil
		}
		if res.StatusCode == 491 && attempt == 0 {
			time.Sleep(c.glareBackoff())
			continue
		}
		if res.StatusCode == 422 && attempt == 0 && c.raiseSessionInterval(res) {
			continue // again with the Min-SE the peer asks for (RFC 4028)
		}
		return nil, &ErrRequestFailed{Code: res.StatusCode, Reason: res.Reason}
	}
	return nil, errors.New("sipcore: re-INVITE glare not resolved")
}

// glareBackoff is the random pause before a re-INVITE that got 491 is
// retried (RFC 3261 14.1): 2.1-4 s when we own the Call-ID (we placed the
// call), 0-2 s otherwise, so the two sides do not collide again.
func (c *Call) glareBackoff() time.Duration {
	if c.dir == Outgoing {
		return time.Duration(2100+rand.IntN(1901)) * time.Millisecond
	}
	return time.Duration(rand.IntN(2001)) * time.Millisecond
}

// ErrNoAnswer is returned when a 2xx to our offer carried no usable SDP
// answer (none, or a body that is not application/sdp).
var ErrNoAnswer = errors.New("sipcore: no SDP answer in the 2xx")

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
	res, err := c.sendInDialog(ctx, req, txHooks{})
	if err != nil {
		return nil, err
	}
	if !res.IsSuccess() {
		return nil, &ErrRequestFailed{Code: res.StatusCode, Reason: res.Reason}
	}
	c.sessionAnswered(res)
	answer, err := sdpOf(res)
	if err != nil || answer == nil {
		return nil, ErrNoAnswer
	}
	c.mu.Lock()
	c.localSDP, c.remoteSDP = offer, answer
	c.mu.Unlock()
	return answer, nil
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
	res, err := c.sendInDialog(ctx, req, txHooks{})
	if err != nil {
		return 0, err
	}
	return res.StatusCode, nil
}

// buildAck builds the ACK for a 2xx to our INVITE (a new transaction, with
// the route set; caller holds d.mu).
func (d *dialog) buildAck(res *sip.Response) *sip.Request {
	ack := sip.NewRequest(sip.ACK, d.remoteTarget)
	ack.AppendHeader(d.ua.newVia())
	mf := sip.MaxForwardsHeader(70)
	ack.AppendHeader(&mf)
	for _, r := range d.routeSet {
		ack.AppendHeader(&sip.RouteHeader{Address: r})
	}
	if f := res.From(); f != nil {
		ack.AppendHeader(sip.HeaderClone(f))
	}
	if t := res.To(); t != nil {
		ack.AppendHeader(sip.HeaderClone(t))
	}
	cid := sip.CallIDHeader(d.callID)
	ack.AppendHeader(&cid)
	ack.AppendHeader(&sip.CSeqHeader{SeqNo: res.CSeq().SeqNo, MethodName: sip.ACK})
	for _, name := range []string{"Authorization", "Proxy-Authorization"} {
		if d.invite != nil {
			if h := d.invite.GetHeader(name); h != nil {
				ack.AppendHeader(sip.HeaderClone(h))
			}
		}
	}
	cl := sip.ContentLengthHeader(0)
	ack.AppendHeader(&cl)
	d.ua.prepareRequest(ack)
	return ack
}

// resendAck answers a retransmitted 2xx with the same ACK.
func (d *dialog) resendAck(res *sip.Response) {
	d.mu.Lock()
	ack := d.ack
	if ack != nil && res.CSeq().SeqNo != ack.CSeq().SeqNo {
		ack = nil
	}
	d.mu.Unlock()
	if ack != nil {
		_ = d.ua.sendMessage(ack)
	}
}
