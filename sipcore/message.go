package sipcore

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/emiago/sipgo/sip"
)

// SendMessage sends a SIP MESSAGE (RFC 3428) outside any dialog. It returns
// an id at once; the outcome is reported through Events.MessageResult with
// the same id (code 408 "timeout" when no answer came). hdrs are added
// to the request (e.g. X-Sms: yes).
func (ua *UA) SendMessage(to, contentType string, body []byte, hdrs ...Header) (string, error) {
	if !ua.Connected() {
		return "", ErrNoTransport
	}
	uri, err := ua.ParseTarget(to)
	if err != nil {
		return "", err
	}
	if contentType == "" {
		contentType = "text/plain;charset=UTF-8"
	}
	ua.mu.Lock()
	ua.msgSeq++
	id := "msg-" + strconv.Itoa(ua.msgSeq)
	ua.mu.Unlock()

	req := sip.NewRequest(sip.MESSAGE, uri)
	req.AppendHeader(ua.fromHeader(newTag()))
	req.AppendHeader(&sip.ToHeader{Address: uri, Params: sip.NewParams()})
	cid := sip.CallIDHeader(newCallID())
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.MESSAGE})
	ct := sip.ContentTypeHeader(contentType)
	req.AppendHeader(&ct)
	req.SetBody(body)
	for _, h := range hdrs {
		req.AppendHeader(sip.NewHeader(h.Name, h.Value))
	}
	ua.addOutboundRoute(req)
	target := uri.String()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
		defer cancel()
		res, err := ua.do(ctx, req, nil)
		code, reason := 0, ""
		switch {
		case res != nil:
			code, reason = res.StatusCode, res.Reason
		case errors.Is(err, ErrTimeout) || errors.Is(err, context.DeadlineExceeded):
			code, reason = 408, "timeout"
		default:
			code, reason = 503, err.Error()
		}
		if ua.ev.MessageResult != nil {
			ua.ev.MessageResult(id, target, code, reason)
		}
	}()
	return id, nil
}

// handleMessage accepts a MESSAGE and reports it.
func (ua *UA) handleMessage(req *sip.Request, tx *sip.ServerTx) {
	ua.reply(tx, req, 200, "OK")
	if ua.ev.Message == nil {
		return
	}
	from := req.From().Address
	from.UriParams, from.Headers = nil, nil
	to := req.To().Address
	to.UriParams, to.Headers = nil, nil
	ua.ev.Message(IncomingMessage{
		From:        from.String(),
		FromName:    UnescapeDisplayName(req.From().DisplayName),
		To:          to.String(),
		ContentType: headerValue(req, "Content-Type"),
		Body:        req.Body(),
		Header:      func(name string) string { return headerValue(req, name) },
	})
}
