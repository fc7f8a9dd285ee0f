package sipcore

import (
	"errors"
	"sort"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// Call is one dialog ("line"): an INVITE session in either direction.
type Call struct {
	ua     *UA
	line   int
	callID string
	dir    Direction

	mu           sync.Mutex
	state        CallState
	answered     bool // 2xx sent or received
	ended        bool
	localURI     sip.Uri
	localName    string
	localTag     string
	remoteURI    sip.Uri
	remoteName   string
	remoteTag    string
	remoteTarget sip.Uri
	routeSet     []sip.Uri
	localCSeq    uint32
	remoteCSeq   uint32
	localSDP     []byte
	remoteSDP    []byte
	sentInvite   []byte
	recvInvite   []byte
	reinvite     bool     // a re-INVITE of ours is pending
	extra        []Header // added to every in-dialog request (SetExtraHeaders)

	// outgoing
	invite        *sip.Request
	inviteTx      *clientTx
	provisional   bool
	cancelPending bool
	cancelSent    bool
	ack           *sip.Request
	firstResponse *sip.Response

	// incoming
	inviteReq  *sip.Request
	serverTx   *sip.ServerTx
	ignored    bool
	ackWaitSeq uint32        // CSeq of an INVITE we answered 2xx, awaiting ACK
	acked      chan struct{} // closed when that ACK arrives
}

// ErrCallState is returned when an action does not fit the call's state.
var ErrCallState = errors.New("sipcore: not possible in this call state")

func (ua *UA) newCall(dir Direction, callID string) *Call {
	c := &Call{ua: ua, dir: dir, callID: callID, state: CallSetup}
	ua.mu.Lock()
	defer ua.mu.Unlock()
	used := map[int]bool{}
	for _, o := range ua.calls {
		used[o.line] = true
	}
	for n := 1; ; n++ {
		if !used[n] {
			c.line = n
			break
		}
	}
	ua.calls[callID] = c
	return c
}

// Line is the call's line number (1, 2, ...), stable for its lifetime.
func (c *Call) Line() int { return c.line }

// CallID returns the SIP Call-ID.
func (c *Call) CallID() string { return c.callID }

// Direction tells whether we placed or received the call.
func (c *Call) Direction() Direction { return c.dir }

// State returns the current state.
func (c *Call) State() CallState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// RemoteURI is the peer's address (From of an incoming, To of an outgoing call).
func (c *Call) RemoteURI() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	u := c.remoteURI
	u.UriParams = nil
	u.Headers = nil
	return u.String()
}

// RemoteUser is the user part of the peer's address.
func (c *Call) RemoteUser() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remoteURI.User
}

// RemoteName is the peer's display name, if any.
func (c *Call) RemoteName() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remoteName
}

// RemoteSDP returns the last SDP received from the peer.
func (c *Call) RemoteSDP() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remoteSDP
}

// LocalSDP returns the last SDP we sent.
func (c *Call) LocalSDP() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.localSDP
}

// LastInvite returns the raw text of the last INVITE received (true) or sent (false).
func (c *Call) LastInvite(received bool) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if received {
		return c.recvInvite
	}
	return c.sentInvite
}

// InviteHeader returns a header of the initial INVITE (received) or of the
// peer's answer (placed calls), "" when absent.
func (c *Call) InviteHeader(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inviteReq != nil {
		return headerValue(c.inviteReq, name)
	}
	if c.firstResponse != nil {
		return headerValue(c.firstResponse, name)
	}
	return ""
}

// SetExtraHeaders sets headers added to every later request in this
// dialog (BYE, re-INVITE, INFO, ...), besides the UA's own.
func (c *Call) SetExtraHeaders(hdrs []Header) {
	c.mu.Lock()
	c.extra = append([]Header(nil), hdrs...)
	c.mu.Unlock()
}

// Calls returns the live calls ordered by line.
func (ua *UA) Calls() []*Call {
	ua.mu.Lock()
	out := make([]*Call, 0, len(ua.calls))
	for _, c := range ua.calls {
		out = append(out, c)
	}
	ua.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].line < out[j].line })
	return out
}

// CallByLine returns the live call on a line, or nil.
func (ua *UA) CallByLine(line int) *Call {
	for _, c := range ua.Calls() {
		if c.line == line {
			return c
		}
	}
	return nil
}

// CallByID returns the live call with this Call-ID, or nil.
func (ua *UA) CallByID(callID string) *Call { return ua.callFor(callID) }

func (ua *UA) callFor(callID string) *Call {
	ua.mu.Lock()
	defer ua.mu.Unlock()
	return ua.calls[callID]
}

// setState records and reports a state change (once per distinct state).
func (c *Call) setState(s CallState, reason string) {
	c.mu.Lock()
	if c.ended || c.state == s {
		c.mu.Unlock()
		return
	}
	c.state = s
	if s == CallDisconnected {
		c.ended = true
	}
	c.mu.Unlock()
	if s == CallDisconnected {
		c.ua.mu.Lock()
		if c.ua.calls[c.callID] == c {
			delete(c.ua.calls, c.callID)
		}
		c.ua.mu.Unlock()
	}
	if c.ua.ev.CallState != nil {
		c.ua.ev.CallState(c, s, reason)
	}
}

// end terminates the call locally and reports why.
func (c *Call) end(reason string) { c.setState(CallDisconnected, reason) }

func (c *Call) isEnded() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ended
}

// Hangup ends the call the way its state requires: CANCEL a call we are
// placing, decline one that rings here (603), BYE an established one.
func (c *Call) Hangup() error {
	c.mu.Lock()
	ended, answered, dir := c.ended, c.answered, c.dir
	c.mu.Unlock()
	switch {
	case ended:
		return ErrCallState
	case !answered && dir == Outgoing:
		c.cancel()
		return nil
	case !answered && dir == Incoming:
		return c.Reject(603)
	default:
		return c.bye()
	}
}
