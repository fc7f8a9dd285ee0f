package sipcore

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// receiveLoop processes queued frames one at a time, in order.
func (ua *UA) receiveLoop() {
	for {
		select {
		case data := <-ua.inbox:
			ua.handleFrame(data)
		case <-ua.quit:
			return
		}
	}
}

// handleFrame answers keepalives, parses and dispatches one frame. It never
// panics: a malformed message is answered 400 where possible, else dropped.
func (ua *UA) handleFrame(data []byte) {
	defer func() {
		if r := recover(); r != nil {
			ua.log.Error("panic while handling inbound message", "panic", fmt.Sprint(r))
		}
	}()
	if isKeepalive(data) {
		ua.handleKeepalive(data)
		return
	}
	ua.trace("in", data)
	msg, err := parseMessage(data)
	if err != nil {
		if req, ok := msg.(*sip.Request); ok && req.Via() != nil {
			ua.handleRequest(req) // parsed, but incomplete: answered 400
			return
		}
		ua.log.Info("dropping unparsable message", "err", err)
		return
	}
	switch m := msg.(type) {
	case *sip.Request:
		ua.handleRequest(m)
	case *sip.Response:
		ua.handleResponse(m)
	}
}

// isKeepalive recognises RFC 5626 CRLF keepalives (ping "\r\n\r\n", pong
// "\r\n") and other whitespace-only frames.
func isKeepalive(data []byte) bool {
	return len(bytes.Trim(data, "\r\n\t ")) == 0
}

func (ua *UA) handleKeepalive(data []byte) {
	if bytes.Equal(data, []byte("\r\n\r\n")) {
		// a ping from the server: answer with a pong
		if tr := ua.currentTransport(); tr != nil {
			_ = tr.Send([]byte("\r\n"))
		}
		return
	}
	ua.mu.Lock()
	ua.pongSeen = true
	ua.mu.Unlock()
}

// parseMessage parses one whole SIP message, leniently: leading CRLFs are
// skipped and a missing Content-Length means the rest of the frame is the body.
func parseMessage(data []byte) (msg sip.Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			msg, err = nil, fmt.Errorf("parser panic: %v", r)
		}
	}()
	data = bytes.TrimLeft(data, "\r\n")
	msg, err = sip.ParseMessage(data)
	if err != nil {
		return nil, err
	}
	if err := checkMandatory(msg); err != nil {
		return msg, err
	}
	return msg, nil
}

// errMandatory marks a message that parsed but lacks required headers.
type errMandatory struct{ what string }

func (e errMandatory) Error() string { return "missing or bad " + e.what }

func checkMandatory(msg sip.Message) error {
	switch {
	case msg.Via() == nil:
		return errMandatory{"Via"}
	case msg.CSeq() == nil:
		return errMandatory{"CSeq"}
	case msg.CallID() == nil:
		return errMandatory{"Call-ID"}
	case msg.From() == nil:
		return errMandatory{"From"}
	case msg.To() == nil:
		return errMandatory{"To"}
	}
	if req, ok := msg.(*sip.Request); ok && req.CSeq().MethodName != req.Method && req.Method != sip.ACK && req.Method != sip.CANCEL {
		return errMandatory{"CSeq method"}
	}
	return nil
}

// handleResponse hands a response to its client transaction.
func (ua *UA) handleResponse(res *sip.Response) {
	key, err := sip.ClientTxKeyMake(res)
	if err != nil {
		return
	}
	ua.mu.Lock()
	ct := ua.clientTxs[key]
	ua.mu.Unlock()
	if ct != nil {
		ct.tx.Receive(res)
		return
	}
	// A 2xx to INVITE retransmitted after the transaction ended: the dialog
	// re-sends its ACK (RFC 3261 13.2.2.4).
	if res.IsSuccess() && res.CSeq().MethodName == sip.INVITE {
		if c := ua.callFor(res.CallID().Value()); c != nil {
			c.resendAck(res)
		}
	}
}

// respond sends a stateless response (used when no transaction exists).
func (ua *UA) respond(req *sip.Request, code int, reason string) {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	ua.decorateResponse(res)
	_ = ua.sendMessage(res)
}

func (ua *UA) decorateResponse(res *sip.Response) {
	if ua.cfg.UserAgent != "" && res.GetHeader("Server") == nil {
		res.AppendHeader(sip.NewHeader("Server", ua.cfg.UserAgent))
	}
	if res.To() != nil {
		if _, ok := res.To().Params.Get("tag"); !ok && res.StatusCode > 100 {
			res.To().Params.Add("tag", newTag())
		}
	}
}

// handleRequest matches a request to a transaction or creates one and
// dispatches it by method.
func (ua *UA) handleRequest(req *sip.Request) {
	if err := checkMandatory(req); err != nil {
		if req.Method != sip.ACK && req.Via() != nil {
			ua.respond(req, 400, "Bad Request ("+err.Error()+")")
		}
		return
	}
	switch req.Method {
	case sip.ACK:
		ua.handleAck(req)
		return
	case sip.CANCEL:
		ua.handleCancel(req)
		return
	}
	key, err := sip.ServerTxKeyMake(req)
	if err != nil {
		ua.respond(req, 400, "Bad Request")
		return
	}
	ua.mu.Lock()
	existing := ua.serverTxs[key]
	ua.mu.Unlock()
	if existing != nil {
		go func() { _ = existing.Receive(req) }() // retransmission
		return
	}
	tx := sip.NewServerTx(key, req, ua.conn, ua.log)
	if err := tx.Init(); err != nil {
		return
	}
	branch := viaBranch(req)
	ua.mu.Lock()
	ua.serverTxs[key] = tx
	if req.IsInvite() && branch != "" {
		ua.inviteTxs[branch] = tx
	}
	ua.mu.Unlock()
	tx.OnTerminate(func(string, error) {
		ua.mu.Lock()
		delete(ua.serverTxs, key)
		if ua.inviteTxs[branch] == tx {
			delete(ua.inviteTxs, branch)
		}
		ua.mu.Unlock()
	})
	go ua.dispatchRequest(req, tx)
}

func viaBranch(req *sip.Request) string {
	if v := req.Via(); v != nil {
		b, _ := v.Params.Get("branch")
		return b
	}
	return ""
}

// reply answers req within its server transaction.
func (ua *UA) reply(tx *sip.ServerTx, req *sip.Request, code int, reason string, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	ua.decorateResponse(res)
	if err := tx.Respond(res); err != nil {
		ua.log.Debug("respond failed", "err", err)
	}
}

func (ua *UA) dispatchRequest(req *sip.Request, tx *sip.ServerTx) {
	defer func() {
		if r := recover(); r != nil {
			ua.log.Error("panic in request handler", "panic", fmt.Sprint(r))
			ua.reply(tx, req, 500, "Server Internal Error")
		}
	}()
	toTag, _ := req.To().Params.Get("tag")
	inDialog := toTag != ""
	switch req.Method {
	case sip.INVITE:
		if inDialog {
			ua.handleReInvite(req, tx)
		} else {
			ua.handleInvite(req, tx)
		}
	case sip.UPDATE:
		ua.handleUpdate(req, tx)
	case sip.BYE:
		ua.handleBye(req, tx)
	case sip.INFO:
		ua.handleInfo(req, tx)
	case sip.MESSAGE:
		ua.handleMessage(req, tx)
	case sip.OPTIONS:
		ua.reply(tx, req, 200, "OK",
			sip.NewHeader("Allow", allowedMethods),
			sip.NewHeader("Accept", "application/sdp, text/plain, application/dtmf-relay"),
			sip.NewHeader("Supported", "outbound, path, replaces"))
	case sip.NOTIFY:
		ua.handleNotify(req, tx)
	case sip.SUBSCRIBE:
		ua.handleSubscribe(req, tx)
	case sip.REFER:
		ua.handleRefer(req, tx)
	case sip.PRACK:
		ua.reply(tx, req, 481, "Call/Transaction Does Not Exist")
	default:
		ua.reply(tx, req, 405, "Method Not Allowed", sip.NewHeader("Allow", allowedMethods))
	}
}

// handleCancel answers CANCEL and ends the matching INVITE with 487.
func (ua *UA) handleCancel(req *sip.Request) {
	ua.mu.Lock()
	tx := ua.inviteTxs[viaBranch(req)]
	ua.mu.Unlock()
	if tx == nil {
		ua.respond(req, 481, "Call/Transaction Does Not Exist")
		return
	}
	ua.respond(req, 200, "OK")
	// the application hears of it off the inbound goroutine
	if c := ua.callFor(req.CallID().Value()); c != nil {
		go c.cancelledByPeer(tx)
		return
	}
	go ua.reply(tx, tx.Origin(), 487, "Request Terminated")
}

// handleAck routes ACK: to the dialog for a 2xx, else to the INVITE
// transaction that sent the non-2xx response.
func (ua *UA) handleAck(req *sip.Request) {
	if c := ua.callFor(req.CallID().Value()); c != nil && c.ackReceived(req) {
		return
	}
	key, err := sip.ServerTxKeyMake(req)
	if err != nil {
		return
	}
	ua.mu.Lock()
	tx := ua.serverTxs[key]
	ua.mu.Unlock()
	if tx != nil {
		go func() { _ = tx.Receive(req) }()
	}
}

func headerValue(m sip.Message, name string) string {
	if hs := m.GetHeaders(name); len(hs) > 0 {
		return strings.TrimSpace(hs[0].Value())
	}
	return ""
}
