package engine

import (
	"strings"
	"sync"

	"github.com/opensoftphone/webphone/sipcore"
)

// sipRecord is one traced SIP message.
type sipRecord struct {
	out    bool // sent by us
	raw    string
	msg    *sipcore.TracedMessage // nil when unparsable
	callID string
	req    bool
	method string
	code   int
}

// sipHistory keeps the most recent SIP messages for getsipheader,
// getsipmessage and getlastrecinvite/getlastsentinvite.
type sipHistory struct {
	mu                    sync.Mutex
	recs                  []*sipRecord
	limit                 int
	lastInvIn, lastInvOut string
}

func newSIPHistory(limit int) *sipHistory { return &sipHistory{limit: limit} }

// add records a traced message; m is sipcore's parsed view (nil when
// unparsable).
func (h *sipHistory) add(out bool, data []byte, m *sipcore.TracedMessage) {
	r := &sipRecord{out: out, raw: string(data), msg: m}
	if m != nil {
		r.callID, r.req, r.method, r.code = m.CallID(), m.IsRequest(), m.Method(), m.StatusCode()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.req && r.method == "INVITE" {
		if out {
			h.lastInvOut = r.raw
		} else {
			h.lastInvIn = r.raw
		}
	}
	h.recs = append(h.recs, r)
	if len(h.recs) > h.limit {
		h.recs[0] = nil
		h.recs = h.recs[1:]
	}
}

// find returns the newest record matching dir (-1 any, 0 received, 1 sent),
// typ (0 any, 1 request, 2 response, 3 INVITE, 4 200 OK) and callID ("" any).
func (h *sipHistory) find(dir, typ int, callID string) *sipRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(h.recs) - 1; i >= 0; i-- {
		r := h.recs[i]
		if dir == 0 && r.out || dir == 1 && !r.out {
			continue
		}
		if callID != "" && r.callID != callID {
			continue
		}
		switch typ {
		case 1:
			if !r.req {
				continue
			}
		case 2:
			if r.req || r.msg == nil {
				continue
			}
		case 3:
			if !r.req || r.method != "INVITE" {
				continue
			}
		case 4:
			if r.req || r.code != 200 {
				continue
			}
		}
		return r
	}
	return nil
}

func (h *sipHistory) lastInvite(out bool) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if out {
		return h.lastInvOut
	}
	return h.lastInvIn
}

// withHeader returns the newest received message in the Call-ID scope ("" any)
// that has the header, and whether any received message is in scope.
func (h *sipHistory) withHeader(name, callID string) (*sipRecord, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	seen := false
	for i := len(h.recs) - 1; i >= 0; i-- {
		r := h.recs[i]
		if r.out || r.msg == nil || (callID != "" && r.callID != callID) {
			continue
		}
		seen = true
		if len(r.msg.HeaderValues(name)) > 0 {
			return r, true
		}
	}
	return nil, seen
}

// GetSIPHeader returns the value of a header from the last SIP message
// received on the current line that has it (getsipheader): the last one
// overall when it has the header, else an earlier one, so that an INVITE's
// X- headers stay readable after the ACK. With must, any line. Errors are
// strings starting with "ERROR".
func (e *Engine) GetSIPHeader(name string, must bool) (v string) {
	defer e.recovered("getsipheader")
	v = "ERROR: no such header"
	name = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(name), ":"))
	if name == "" {
		return "ERROR: no header name"
	}
	cid := e.lines.currentCallID() // "" (any) after setline(-2) or without a call
	r, seen := e.hist.withHeader(name, cid)
	if r == nil && must && cid != "" {
		var seenAll bool
		r, seenAll = e.hist.withHeader(name, "")
		seen = seen || seenAll
	}
	if r == nil {
		if !seen {
			return "ERROR: no SIP message received"
		}
		return "ERROR: no such header"
	}
	return strings.Join(r.msg.HeaderValues(name), ", ")
}

// GetSIPMessage returns the last raw SIP message matching dir (-1 any,
// 0 received, 1 sent) and typ (0 any, 1 request, 2 response, 3 INVITE,
// 4 200 OK) on the current line (getsipmessage); with must, any line.
func (e *Engine) GetSIPMessage(dir, typ int, must bool) (s string) {
	defer e.recovered("getsipmessage")
	s = "ERROR: SIP message not found"
	cid := e.lines.currentCallID() // "" (any) after setline(-2) or without a call
	r := e.hist.find(dir, typ, cid)
	if r == nil && must && cid != "" {
		r = e.hist.find(dir, typ, "")
	}
	if r == nil {
		return "ERROR: SIP message not found"
	}
	return r.raw
}

// GetLastRecInvite returns the last received INVITE, or "ERROR: ..." when
// none was received (getlastrecinvite).
func (e *Engine) GetLastRecInvite() (s string) {
	defer e.recovered("getlastrecinvite")
	if s = e.hist.lastInvite(false); s == "" {
		return "ERROR: no INVITE received"
	}
	return s
}

// GetLastSentInvite returns the last sent INVITE, or "ERROR: ..."
// (getlastsentinvite).
func (e *Engine) GetLastSentInvite() (s string) {
	defer e.recovered("getlastsentinvite")
	if s = e.hist.lastInvite(true); s == "" {
		return "ERROR: no INVITE sent"
	}
	return s
}
