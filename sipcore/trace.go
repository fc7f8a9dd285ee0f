package sipcore

import (
	"strings"

	"github.com/emiago/sipgo/sip"
)

// TracedMessage is a read-only view of a parsed SIP message, handed to
// Events.Trace so that the application need not parse it again.
type TracedMessage struct {
	msg     sip.Message
	request bool
	method  string
	code    int
	callID  string
}

// newTracedMessage views msg; nil for nil.
func newTracedMessage(msg sip.Message) *TracedMessage {
	t := &TracedMessage{msg: msg}
	switch m := msg.(type) {
	case *sip.Request:
		t.request, t.method = true, string(m.Method)
	case *sip.Response:
		t.code = m.StatusCode
		if cs := m.CSeq(); cs != nil {
			t.method = string(cs.MethodName)
		}
	default:
		return nil
	}
	if cid := msg.CallID(); cid != nil {
		t.callID = cid.Value()
	}
	return t
}

// IsRequest tells a request from a response.
func (t *TracedMessage) IsRequest() bool { return t.request }

// Method is a request's method, or the CSeq method a response answers.
func (t *TracedMessage) Method() string { return t.method }

// StatusCode is a response's status code (0 for a request).
func (t *TracedMessage) StatusCode() int { return t.code }

// CallID is the Call-ID ("" when missing).
func (t *TracedMessage) CallID() string { return t.callID }

// HeaderValues returns the values of every header named name (any case,
// compact forms not expanded), in message order.
func (t *TracedMessage) HeaderValues(name string) []string {
	hs := t.msg.GetHeaders(strings.TrimSpace(name))
	vals := make([]string, 0, len(hs))
	for _, h := range hs {
		vals = append(vals, h.Value())
	}
	return vals
}
