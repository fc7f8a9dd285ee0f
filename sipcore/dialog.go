package sipcore

import (
	"sync"

	"github.com/emiago/sipgo/sip"
)

// dialog is what both sides of an INVITE dialog share (RFC 3261 12): its
// identity (Call-ID, tags, URIs), the CSeq numbers, the route set and remote
// target, the state, the SDP exchanged, and what the in-dialog INVITE
// transactions of either side need (the last INVITE we sent and its ACK,
// the ACK we wait for after our 2xx). The side that sends in-dialog
// requests is in dialog_send.go, the side that answers them in
// dialog_answer.go. A Call is a dialog plus the part of its role (caller or
// callee); mu guards the dialog's fields and those of the role part.
type dialog struct {
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
	extra        []Header     // added to every in-dialog request (SetExtraHeaders)
	sessionTimer sessionTimer // RFC 4028 (sessiontimer.go), its own lock
	prack        prackState   // RFC 3262 (prack.go, prack_uas.go), its own lock

	// our INVITE transactions (the initial one of a caller, re-INVITEs)
	reinvite bool         // a re-INVITE of ours is pending
	invite   *sip.Request // the last INVITE we sent
	ack      *sip.Request // the ACK for its 2xx, repeated for a retransmitted 2xx

	// the peer's INVITE transactions (the initial one to a callee, re-INVITEs)
	ackWaitSeq uint32        // CSeq of an INVITE we answered 2xx, awaiting ACK
	acked      chan struct{} // closed when that ACK arrives
	ackAnswer  bool          // that INVITE had no offer: the ACK must bring the answer
}

// Line is the call's line number (1, 2, ...), stable for its lifetime.
func (d *dialog) Line() int { return d.line }

// CallID returns the SIP Call-ID.
func (d *dialog) CallID() string { return d.callID }

// Direction tells whether we placed or received the call.
func (d *dialog) Direction() Direction { return d.dir }

// State returns the current state.
func (d *dialog) State() CallState {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state
}

// Answered reports whether a 2xx to the call's INVITE was sent or received:
// from then on ending the call takes a BYE, even before CallConnected is
// reported (RemoteSDP for the 2xx's answer comes first).
func (d *dialog) Answered() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.answered
}

// RemoteURI is the peer's address (From of an incoming, To of an outgoing call).
func (d *dialog) RemoteURI() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	u := d.remoteURI
	u.UriParams = nil
	u.Headers = nil
	return u.String()
}

// RemoteUser is the user part of the peer's address.
func (d *dialog) RemoteUser() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.remoteURI.User
}

// RemoteName is the peer's display name, if any (quoted-string escapes
// resolved).
func (d *dialog) RemoteName() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return UnescapeDisplayName(d.remoteName)
}

// RemoteSDP returns the last SDP received from the peer.
func (d *dialog) RemoteSDP() []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.remoteSDP
}

// LocalSDP returns the last SDP we sent.
func (d *dialog) LocalSDP() []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.localSDP
}

// LastInvite returns the raw text of the last INVITE received (true) or sent (false).
func (d *dialog) LastInvite(received bool) []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	if received {
		return d.recvInvite
	}
	return d.sentInvite
}

// SetExtraHeaders sets headers added to every later request in this
// dialog (BYE, re-INVITE, INFO, ...), besides the UA's own.
func (d *dialog) SetExtraHeaders(hdrs []Header) {
	d.mu.Lock()
	d.extra = append([]Header(nil), hdrs...)
	d.mu.Unlock()
}

func (d *dialog) isEnded() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ended
}
