package engine

import (
	"strings"
	"sync"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// line is one call ("channel") as the API sees it. Its mutable fields are
// guarded by the lineTable's lock; n, dir, created and neg never change.
type line struct {
	n           int
	dir         int // 1 outgoing, 2 incoming
	peer        string
	peerDisplay string
	target      string // request URI dialled, or the caller's URI
	dialled     string // what call() was given (redial.go)
	callID      string
	call        *sipcore.Call
	media       Media
	state       lineState
	created     time.Time
	connectedAt time.Time
	postDial    string
	headers     []sipcore.Header // setsipheader, line scope
	inviteHdrs  []sipcore.Header // extra INVITE headers (a transfer's Replaces, Referred-By); set before the INVITE

	hold, remoteHold bool
	muteMic, muteSpk bool
	video, screen    bool // videocall / screenshare (engine/video.go)
	stopRing         func() bool
	supervision      *supervision // calltimeout, mediatimeout (supervision.go)
	earlyMedia       bool         // the peer's media plays before the answer (earlymedia.go)

	neg chan struct{} // one SDP negotiation at a time (see lockNegotiation)

	dtmfMu      sync.Mutex
	dtmfQueue   []string
	dtmfRunning bool
}

func (l *line) live() bool { return l.state.live() }

// SetLine selects the line later calls apply to (setline). sel is a line
// number (-2 all, -1 best, 1..N), a SIP Call-ID, or a peer username. It
// returns false when nothing matches.
func (e *Engine) SetLine(sel string) (ok bool) {
	defer e.recovered("setline")
	sel = strings.TrimSpace(sel)
	if sel == "" {
		return false
	}
	return e.lines.selectLine(sel)
}

// GetLine returns the current line: the selected line number, or after a
// short while for -1/-2 the best line with a call; -1 if none.
func (e *Engine) GetLine() (n int) {
	defer e.recovered("getline")
	n = -1
	return e.lines.selected()
}

// LineToCallID returns the Call-ID of the call on line n (-1: current), or
// "" if there is none.
func (e *Engine) LineToCallID(n int) (id string) {
	defer e.recovered("linetocallid")
	return e.lines.callIDOf(n)
}

// CallIDToLine returns the line of the call with this Call-ID, or -1.
func (e *Engine) CallIDToLine(callID string) (n int) {
	defer e.recovered("callidtoline")
	n = -1
	callID = strings.TrimSpace(callID)
	if callID == "" {
		return -1
	}
	return e.lines.lineOfCallID(callID)
}
