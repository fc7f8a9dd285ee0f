package sipcore

// This file is the transferor's side of a transfer (RFC 3515, RFC 5589):
// REFER in a dialog, optionally asking the peer to replace another dialog
// (RFC 3891), and the NOTIFYs of its implicit subscription.

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// ReferProgress is one step of a transfer we asked for: the status line of
// a NOTIFY's message/sipfrag body (100 Trying, 180 Ringing, 200 OK, 486
// Busy Here, ...). Final is set for the last one: a final status, or a
// subscription the peer terminated (then Code may still be 1xx: the
// outcome is unknown).
type ReferProgress struct {
	Code   int
	Reason string
	Final  bool
}

// referWatch waits for the NOTIFYs of one REFER we sent.
type referWatch struct {
	c        *Call
	progress func(ReferProgress)
}

// ReplacesValue is the value of a Replaces header (RFC 3891) that names
// this dialog to its peer: Call-ID, the peer's tag as to-tag and ours as
// from-tag (the tags as the peer, who receives the Replaces, sees them).
// "" while the dialog has no peer tag.
func (c *Call) ReplacesValue() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.remoteTag == "" || c.ended {
		return ""
	}
	return c.callID + ";to-tag=" + c.remoteTag + ";from-tag=" + c.localTag
}

// Refer asks the peer of this established call to call target (RFC 3515):
// a REFER with Refer-To, and when replaces is set (attended transfer), a
// Refer-To carrying the Replaces of that other call's dialog, so that its
// peer swaps the dialog for the new call. It waits for the REFER's final
// response: an *ErrRequestFailed when refused. The NOTIFYs that follow
// (message/sipfrag) are reported to progress, on the dialog's worker, in
// order; the last one has Final set. progress may be nil.
func (c *Call) Refer(target string, replaces *Call, progress func(ReferProgress)) error {
	c.mu.Lock()
	ok := !c.ended && c.answered
	c.mu.Unlock()
	if !ok {
		return ErrCallState
	}
	uri, err := c.ua.ParseTarget(target)
	if err != nil {
		return err
	}
	uri.Headers = nil
	referTo := "<" + uri.String()
	if replaces != nil {
		v := replaces.ReplacesValue()
		if v == "" {
			return ErrCallState
		}
		referTo += "?Replaces=" + url.QueryEscape(v)
	}
	referTo += ">"
	w := &referWatch{c: c, progress: progress}
	x := c.ua.xfer
	x.forgetEnded()
	x.mu.Lock()
	x.watches[c.callID] = w // a NOTIFY may come before the 202
	x.mu.Unlock()
	req := c.newRequest(sip.REFER, "", nil)
	req.AppendHeader(sip.NewHeader("Refer-To", referTo))
	aor := c.ua.aor()
	req.AppendHeader(sip.NewHeader("Referred-By", "<"+aor.String()+">"))
	ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
	defer cancel()
	res, err := c.sendInDialog(ctx, req, txHooks{})
	if err == nil && !res.IsSuccess() {
		err = &ErrRequestFailed{Code: res.StatusCode, Reason: res.Reason}
	}
	if err != nil {
		x.mu.Lock()
		if x.watches[c.callID] == w {
			delete(x.watches, c.callID)
		}
		x.mu.Unlock()
	}
	return err
}

// referNotified takes a NOTIFY of a REFER's implicit subscription (Event:
// refer) in a dialog with a REFER of ours outstanding; false when it is not
// one (the caller handles it as any NOTIFY).
func (ua *UA) referNotified(req *sip.Request, tx *sip.ServerTx) bool {
	event := strings.ToLower(strings.TrimSpace(strings.SplitN(headerValue(req, "Event"), ";", 2)[0]))
	if event != "refer" {
		return false
	}
	callID := req.CallID().Value()
	ua.xfer.mu.Lock()
	w := ua.xfer.watches[callID]
	ua.xfer.mu.Unlock()
	if w == nil || ua.dialogs.match(req) != w.c {
		return false
	}
	code, reason, ok := parseSipfrag(req.Body())
	if !ok {
		ua.reply(tx, req, 400, "Bad sipfrag")
		return true
	}
	ua.reply(tx, req, 200, "OK")
	state := strings.ToLower(strings.TrimSpace(strings.SplitN(headerValue(req, "Subscription-State"), ";", 2)[0]))
	p := ReferProgress{Code: code, Reason: reason, Final: code >= 200 || state == "terminated"}
	if p.Final {
		ua.xfer.mu.Lock()
		if ua.xfer.watches[callID] == w {
			delete(ua.xfer.watches, callID)
		}
		ua.xfer.mu.Unlock()
	}
	if w.progress != nil {
		w.progress(p)
	}
	return true
}

// parseSipfrag reads the status line of a message/sipfrag body
// ("SIP/2.0 200 OK").
func parseSipfrag(body []byte) (code int, reason string, ok bool) {
	line := strings.TrimSpace(strings.SplitN(strings.TrimLeft(string(body), "\r\n "), "\n", 2)[0])
	parts := strings.SplitN(line, " ", 3)
	if len(parts) < 2 || !strings.HasPrefix(strings.ToUpper(parts[0]), "SIP/") {
		return 0, "", false
	}
	code, err := strconv.Atoi(parts[1])
	if err != nil || code < 100 || code > 699 {
		return 0, "", false
	}
	if len(parts) == 3 {
		reason = strings.TrimSpace(parts[2])
	}
	return code, reason, true
}
