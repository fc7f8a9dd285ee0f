package engine

import (
	"strconv"
	"strings"
	"sync"

	"github.com/opensoftphone/webphone/sipcore"
)

// lineStateText names a line's state as the STATUS notifications do.
func lineStateText(l *line) string {
	switch l.state {
	case lineReserved, lineSetup:
		return "CallSetup"
	case lineRinging, lineAnswering:
		return "Ringing"
	case lineConnected:
		if l.hold || l.remoteHold {
			return "Hold"
		}
		return "Speaking"
	}
	return "Finished"
}

// started tells whether the engine is started (getters answer "" before).
func (e *Engine) started() bool { return e.app.current() == appStarted }

// GetLineDetails returns "LINEDETAILS,line,state,callid,remoteusername,
// localusername,type,localaddress,serveraddress,mute,hold,remotefullname"
// for line n (-1: the current line), or "" when the engine is not started
// or the line has no call (getlinedetails). type is the direction (1 out,
// 2 in); mute and hold use the STATUS codes; localaddress is not known.
func (e *Engine) GetLineDetails(n int) (s string) {
	defer e.recovered("getlinedetails")
	if !e.started() {
		return ""
	}
	user, _ := Credentials(e.params)
	server := SIPDomain(e.params)
	t := e.lines
	t.mu.Lock()
	defer t.mu.Unlock()
	var l *line
	if n <= 0 {
		l = t.currentLocked()
	} else {
		l = t.lines[n]
	}
	if l == nil || !l.live() {
		return ""
	}
	mute, hold := l.muteHoldLocked()
	f := []string{"LINEDETAILS", strconv.Itoa(l.n), lineStateText(l), l.callID, l.peer, user,
		strconv.Itoa(l.dir), "", server, strconv.Itoa(mute), strconv.Itoa(hold), l.peerDisplay}
	for i := range f {
		f[i] = strings.NewReplacer(",", " ", "\r", " ", "\n", " ").Replace(f[i])
	}
	return strings.Join(f, ",")
}

// GetCallerDisplayFull returns the caller ID of the incoming call:
// "callerid\ncallername" (the name line only when the caller sent one), or
// "" when there is no incoming call (getcallerdisplayfull). The ringing
// incoming call wins, else the current line if it is incoming.
func (e *Engine) GetCallerDisplayFull() (s string) {
	defer e.recovered("getcallerdisplayfull")
	l := e.lines.ringingIncoming()
	t := e.lines
	t.mu.Lock()
	defer t.mu.Unlock()
	if l == nil {
		if cur := t.currentLocked(); cur != nil && cur.dir == 2 {
			l = cur
		}
	}
	if l == nil || !l.live() {
		return ""
	}
	if l.peerDisplay == "" || l.peerDisplay == l.peer {
		return l.peer
	}
	return l.peer + "\n" + l.peerDisplay
}

// IsEncrypted answers isencrypted: -1 unknown (not started), 2 over wss://
// (signalling by TLS, browser media always DTLS-SRTP), 1 over ws:// (media
// encrypted, signalling not), 0 over plain UDP.
func (e *Engine) IsEncrypted() (n int) {
	defer e.recovered("isencrypted")
	n = -1
	if !e.started() {
		return -1
	}
	addrs := ServerAddresses(e.params)
	if len(addrs) == 0 {
		return -1
	}
	a := strings.ToLower(addrs[0])
	switch {
	case strings.HasPrefix(a, "wss://"):
		return 2
	case strings.HasPrefix(a, "ws://"):
		return 1
	case strings.HasPrefix(a, "udp:"):
		return 0
	}
	return -1
}

// nextCallID is the Call-ID nextcallid set for the next new call.
type nextCallID struct {
	mu sync.Mutex
	id string
}

// take returns and forgets the pending Call-ID ("" when none).
func (n *nextCallID) take() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	id := n.id
	n.id = ""
	return id
}

// NextCallID sets (id not empty) or generates (id "") the Call-ID of the
// next new call and returns it (nextcallid). An id that cannot be a
// Call-ID (RFC 3261 word, at most 256 characters) is refused with "".
func (e *Engine) NextCallID(id string) (s string) {
	defer e.recovered("nextcallid")
	id = strings.TrimSpace(id)
	if id == "" {
		id = sipcore.NewCallIDString()
	} else if !sipcore.ValidCallID(id) {
		e.logWarn("nextcallid: not a usable Call-ID, ignored")
		return ""
	}
	e.nextID.mu.Lock()
	e.nextID.id = id
	e.nextID.mu.Unlock()
	return id
}
