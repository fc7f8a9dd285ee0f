package sipcore

import (
	"bytes"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// enqueue queues a received frame for the read loop; it never blocks the
// transport: a full queue drops the frame.
func (ua *UA) enqueue(data []byte) {
	buf := make([]byte, len(data))
	copy(buf, data)
	select {
	case ua.inbox <- buf:
	case <-ua.quit:
	default:
		ua.log.Warn("inbound queue full, message dropped")
	}
}

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
// waits for a handler or a transaction: requests are handled on their
// dialog's worker and responses on their transaction's (see serve and
// handleResponse). A malformed message is answered 400 where possible, else
// dropped.
func (ua *UA) handleFrame(data []byte) {
	defer func() {
		if r := recover(); r != nil {
			ua.panicked("inbound message", r)
		}
	}()
	if isKeepalive(data) {
		ua.handleKeepalive(data)
		return
	}
	msg, err := parseMessage(data)
	ua.trace("in", data, msg)
	if err != nil {
		if req, ok := msg.(*sip.Request); ok && req.Via() != nil {
			ua.rejectMalformed(req, err) // parsed, but incomplete: answered 400
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
	ua.flow.pong()
}

// parseMessage parses one whole SIP message, leniently: leading CRLFs are
// skipped and a missing Content-Length means the rest of the frame is the body.
// The message is nil when unparsable, set but incomplete with an errMandatory.
func parseMessage(data []byte) (sip.Message, error) {
	data = bytes.TrimLeft(data, "\r\n")
	msg, err := sip.ParseMessage(data)
	if err != nil {
		return msg, err // a request read in part is answered 400
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
	if req, ok := msg.(*sip.Request); ok && !strings.EqualFold(string(req.CSeq().MethodName), string(req.Method)) && req.Method != sip.ACK && req.Method != sip.CANCEL {
		return errMandatory{"CSeq method"}
	}
	return nil
}

// handleResponse hands a response to its client transaction (see
// txLayer.receiveResponse).
func (ua *UA) handleResponse(res *sip.Response) {
	ua.txs.receiveResponse(res, ua.strayResponse)
}

// strayResponse takes a response no transaction matches. A 2xx to INVITE
// retransmitted after the transaction ended: the dialog re-sends its ACK
// (RFC 3261 13.2.2.4).
func (ua *UA) strayResponse(res *sip.Response) {
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
		ua.serve(req, func() { ua.handleAck(req) })
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
	if ua.txs.receiveRetransmission(key, req) {
		return // the transaction repeats its answer
	}
	if ua.screenRequest(req) {
		return // answered: RFC 3261 8.2 checks (sanity.go)
	}
	tx, err := ua.txs.newServer(key, req)
	if err != nil {
		return
	}
	if !ua.serve(req, func() { ua.dispatchRequest(req, tx) }) {
		ua.reply(tx, req, 503, "Service Unavailable")
	}
}

// serve runs fn on the worker of req's dialog (its Call-ID, also for requests
// outside a dialog), after the earlier requests of that dialog: the
// application sees one dialog's requests in arrival order, while other
// dialogs go on independently. False when the dialog's queue is full.
func (ua *UA) serve(req *sip.Request, fn func()) bool {
	if ua.dialogWork.submit(req.CallID().Value(), fn) {
		return true
	}
	ua.log.Warn("request queue of a dialog full, request refused", "call-id", req.CallID().Value(), "method", string(req.Method))
	return false
}

// panicked reports a recovered panic: logged at error level, and passed to
// panicHook (tests turn it into a failure).
func (ua *UA) panicked(where string, v any) {
	ua.log.Error("panic in "+where, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	if ua.panicHook != nil {
		ua.panicHook(where, v)
	}
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
			ua.panicked("request handler", r)
			ua.reply(tx, req, 500, "Server Internal Error")
		}
	}()
	toTag, _ := req.To().Params.Get("tag")
	inDialog := toTag != ""
	switch req.Method {
	case sip.INVITE:
		if inDialog {
			ua.inDialog(req, tx, (*Call).readReInvite)
		} else {
			ua.handleInvite(req, tx)
		}
	case sip.UPDATE:
		ua.inDialog(req, tx, (*Call).readUpdate)
	case sip.BYE:
		ua.inDialog(req, tx, (*Call).readBye)
	case sip.INFO:
		ua.inDialog(req, tx, (*Call).readInfo)
	case sip.MESSAGE:
		ua.handleMessage(req, tx)
	case sip.OPTIONS:
		ua.reply(tx, req, 200, "OK",
			sip.NewHeader("Allow", allowedMethods),
			sip.NewHeader("Accept", "application/sdp, text/plain, application/dtmf-relay"),
			sip.NewHeader("Supported", supportedUASTags))
	case sip.NOTIFY:
		ua.handleNotify(req, tx)
	case sip.SUBSCRIBE:
		ua.handleSubscribe(req, tx)
	case sip.REFER:
		ua.inDialog(req, tx, (*Call).readRefer)
	case sip.PRACK:
		ua.inDialog(req, tx, (*Call).readPrack)
	default:
		ua.reply(tx, req, 405, "Method Not Allowed", sip.NewHeader("Allow", allowedMethods))
	}
}

// handleCancel answers CANCEL and ends the matching INVITE with 487.
func (ua *UA) handleCancel(req *sip.Request) {
	tx := ua.txs.inviteFor(viaBranch(req))
	if tx == nil {
		ua.respond(req, 481, "Call/Transaction Does Not Exist")
		return
	}
	ua.respond(req, 200, "OK")
	// queued behind the INVITE's own handling, so the call it started exists
	ua.serve(req, func() { ua.cancelInvite(req.CallID().Value(), tx) })
}

// cancelInvite ends the INVITE transaction tx with 487; when it started a
// ringing call, the call ends as cancelled.
func (ua *UA) cancelInvite(callID string, tx *sip.ServerTx) {
	if c := ua.callFor(callID); c != nil {
		c.mu.Lock()
		started := c.callee != nil && c.callee.serverTx == tx
		c.mu.Unlock()
		if started {
			c.callee.cancelledByPeer(tx)
			return
		}
	}
	ua.reply(tx, tx.Origin(), 487, "Request Terminated")
}

// handleAck routes ACK (on the dialog's worker): to the dialog for a 2xx,
// else to the INVITE transaction that sent the non-2xx response.
func (ua *UA) handleAck(req *sip.Request) {
	if c := ua.callFor(req.CallID().Value()); c != nil && c.ackReceived(req) {
		return
	}
	key, err := sip.ServerTxKeyMake(req)
	if err != nil {
		return
	}
	if tx := ua.txs.server(key); tx != nil {
		_ = tx.Receive(req)
	}
}

func headerValue(m sip.Message, name string) string {
	if hs := m.GetHeaders(name); len(hs) > 0 {
		return strings.TrimSpace(hs[0].Value())
	}
	return ""
}
