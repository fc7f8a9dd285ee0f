package engine

import "github.com/opensoftphone/webphone/sipcore"

// setGlobalStatus records and emits the general status (line -1).
func (e *Engine) setGlobalStatus(text string) {
	e.mu.Lock()
	e.status = text
	e.mu.Unlock()
	e.notify(GlobalStatus(text))
}

// idleStatusLocked is the general status without calls.
func (e *Engine) idleStatusLocked() string {
	switch {
	case e.regState == sipcore.RegRegistered:
		return "Registered."
	case e.ua != nil:
		return "Ready."
	}
	return e.status
}

// regCodeLocked is the STATUS "registered" field: 1 not needed, 2 yes,
// 4 in progress, 6 unregistered, 7 failed.
func (e *Engine) regCodeLocked() int {
	switch e.regState {
	case sipcore.RegRegistered:
		return 2
	case sipcore.RegRegistering:
		return 4
	case sipcore.RegFailed:
		return 7
	}
	if !e.wantReg {
		return 1
	}
	return 6
}

// lineStatusLocked builds the per-line STATUS notification for l.
func (e *Engine) lineStatusLocked(l *line, text string) string {
	online := 0
	if e.ua != nil {
		online = 1
	}
	incall := 0
	switch l.state {
	case stDialing, stSetup, stRinging:
		incall = 1
	case stConnected:
		incall = 2
	}
	mute := 0
	if l.muteMic || l.muteSpk {
		mute = 1
	}
	hold := 0
	switch {
	case l.hold && l.remoteHold:
		hold = 4
	case l.hold:
		hold = 2
	case l.remoteHold:
		hold = 3
	}
	u, _ := Credentials(e.params)
	return LineStatus{
		Line: l.n, Text: text, PeerName: l.peer, LocalName: u, Direction: l.dir,
		PeerDisplay: l.peerDisplay, CallID: l.callID, Online: online,
		Registered: e.regCodeLocked(), InCall: incall, Mute: mute, Hold: hold,
		Encrypted: -1, Video: 0,
	}.String()
}

// lineStatus emits a per-line STATUS notification.
func (e *Engine) lineStatus(l *line, text string) {
	e.mu.Lock()
	s := e.lineStatusLocked(l, text)
	e.mu.Unlock()
	e.notify(s)
}

// GetStatus returns the current general status notification, e.g.
// "STATUS,-1,Registered." (getStatus). While calls exist it reflects the
// most advanced call.
func (e *Engine) GetStatus() (s string) {
	defer e.recovered("getStatus")
	s = "STATUS,-1,Initializing"
	e.mu.Lock()
	defer e.mu.Unlock()
	best := ""
	rank := 0
	for _, l := range e.liveLinesLocked() {
		r, t := 0, ""
		switch {
		case l.state == stConnected:
			r, t = 4, "In Call"
		case l.state == stRinging && l.dir == 2:
			r, t = 3, "Incoming..."
		case l.state == stRinging:
			r, t = 2, "Ringing..."
		default:
			r, t = 1, "Calling..."
		}
		if r > rank {
			rank, best = r, t
		}
	}
	if best != "" {
		return GlobalStatus(best)
	}
	return GlobalStatus(e.status)
}

// IsInCall reports whether any line has a call being set up, ringing or
// connected.
func (e *Engine) IsInCall() (ok bool) {
	defer e.recovered("isincall")
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.liveLinesLocked()) > 0
}

// IsMuted reports whether the current line is muted in any direction.
func (e *Engine) IsMuted() (ok bool) {
	defer e.recovered("ismuted")
	e.mu.Lock()
	defer e.mu.Unlock()
	l := e.currentLineLocked()
	return l != nil && (l.muteMic || l.muteSpk)
}

// IsOnHold reports whether the current line is on hold (by us).
func (e *Engine) IsOnHold() (ok bool) {
	defer e.recovered("isonhold")
	e.mu.Lock()
	defer e.mu.Unlock()
	l := e.currentLineLocked()
	return l != nil && l.hold
}

// GetLastCallDetails returns the details of the previous finished call, or
// "" (getlastcalldetails).
func (e *Engine) GetLastCallDetails() (s string) {
	defer e.recovered("getlastcalldetails")
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.lastCDR == nil {
		return ""
	}
	return e.lastCDR.Details()
}

// GetLogs returns the accumulated, size-limited logs.
func (e *Engine) GetLogs() (s string) {
	defer e.recovered("getlogs")
	return e.logs.String()
}
