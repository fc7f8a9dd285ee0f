package sipcore

import (
	"strings"

	"github.com/emiago/sipgo/sip"
)

// supportedOptionTags are the extensions a peer may Require of us: the
// ones our OPTIONS answer and INVITEs list in Supported. "replaces" is
// accepted as advertised; the Replaces header itself is left to the
// application (Call.InviteHeader); timer is RFC 4028 (sessiontimer.go),
// 100rel RFC 3262 (prack.go, prack_uas.go).
var supportedOptionTags = map[string]bool{"outbound": true, "path": true, "replaces": true, "timer": true, "100rel": true}

// singleHeaders may appear only once in a request.
var singleHeaders = []string{"Content-Length", "Call-ID", "CSeq", "From", "To", "Max-Forwards", "Content-Type"}

// screenRequest makes the checks RFC 3261 8.2 asks of a UAS before a new
// request (not ACK or CANCEL, not a retransmission) is processed. It answers
// a request that fails one, statelessly, and then returns true.
func (ua *UA) screenRequest(req *sip.Request) bool {
	code, reason, hdrs := ua.sanityProblem(req)
	if code == 0 {
		return false
	}
	if req.Method == sip.ACK {
		return true // an ACK is never answered
	}
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	res.SipVersion = "SIP/2.0" // not the request's, which may be what failed
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	ua.decorateResponse(res)
	_ = ua.sendMessage(res)
	return true
}

// sanityProblem returns the response a request must get instead of being
// processed, or code 0.
func (ua *UA) sanityProblem(req *sip.Request) (int, string, []sip.Header) {
	// 8.2 / 21.5.20: only SIP/2.0 is spoken
	if !strings.EqualFold(req.SipVersion, "SIP/2.0") {
		return 505, "Version Not Supported", nil
	}
	// 8.2.2.1: only SIP URIs address this UA (tel: is a number a proxy
	// translates, never our Contact)
	if s := strings.ToLower(req.Recipient.Scheme); s != "sip" && s != "sips" {
		return 416, "Unsupported URI Scheme", nil
	}
	// 7.3.1 / 18.3: headers that take one value appear once (sipgo keeps
	// them all, reads the first, and sizes the body by the last Content-Length)
	for _, name := range singleHeaders {
		if len(req.GetHeaders(name)) > 1 {
			return 400, "Bad Request (several " + name + ")", nil
		}
	}
	// 8.2.2.3: every option tag in Require must be one we support
	if unknown := unsupportedRequire(req); len(unknown) > 0 {
		return 420, "Bad Extension", []sip.Header{sip.NewHeader("Unsupported", strings.Join(unknown, ", "))}
	}
	// 8.2.2.2: a request that reached us twice by different paths
	if ua.mergedRequest(req) {
		return 482, "Loop Detected", nil
	}
	return 0, "", nil
}

// unsupportedRequire lists the option tags of Require we do not support.
func unsupportedRequire(req *sip.Request) []string {
	var unknown []string
	for _, h := range req.GetHeaders("Require") {
		for _, tag := range strings.Split(h.Value(), ",") {
			tag = strings.TrimSpace(tag)
			if tag != "" && !supportedOptionTags[strings.ToLower(tag)] {
				unknown = append(unknown, tag)
			}
		}
	}
	return unknown
}

// mergedRequest tells whether a request outside any dialog (no To tag)
// has the From tag, Call-ID and CSeq of one still being processed that
// came by another path (another transaction key, i.e. another branch).
func (ua *UA) mergedRequest(req *sip.Request) bool {
	if _, ok := req.To().Params.Get("tag"); ok {
		return false
	}
	key, err := sip.ServerTxKeyMake(req)
	if err != nil {
		return false
	}
	fromTag, _ := req.From().Params.Get("tag")
	callID, cseq := req.CallID().Value(), req.CSeq()
	return ua.txs.anyServer(func(k string, o *sip.Request) bool {
		if k == key || o == nil || o.CallID() == nil || o.CSeq() == nil || o.From() == nil {
			return false
		}
		tag, _ := o.From().Params.Get("tag")
		return tag == fromTag && o.CallID().Value() == callID &&
			o.CSeq().SeqNo == cseq.SeqNo && o.CSeq().MethodName == cseq.MethodName
	})
}

// rejectMalformed answers 400 to a request the parser could read only in
// part (a bad header, a body shorter than its Content-Length, a negative
// Content-Length): such a request is never processed. ACK gets no answer.
func (ua *UA) rejectMalformed(req *sip.Request, err error) {
	if req.Method == sip.ACK || req.Via() == nil {
		return
	}
	ua.respond(req, 400, "Bad Request ("+firstLine(err.Error())+")")
}

// firstLine makes an error text fit for a reason phrase: its first line,
// printable ASCII only, at most 80 characters.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r > '~' {
			return -1
		}
		return r
	}, s)
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}
