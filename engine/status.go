package engine

// setGlobalStatus records and emits the general status (line -1).
func (e *Engine) setGlobalStatus(text string) {
	e.app.setStatus(text)
	e.notify(GlobalStatus(text))
}

// statusInfo is the engine's part of a line STATUS notification.
type statusInfo struct {
	online, registered int
	user               string
}

// statusInfo reads the connection and registration fields of a STATUS.
func (e *Engine) statusInfo() statusInfo {
	u, _ := Credentials(e.params)
	online := 0
	if e.app.online() {
		online = 1
	}
	return statusInfo{online: online, registered: e.reg.code(), user: u}
}

// muteHoldLocked is the line's mute (1 when either direction is muted) and
// hold (0 none, 2 held here, 3 held by the peer, 4 both) fields, as STATUS
// and LINEDETAILS carry them (lineTable lock held).
func (l *line) muteHoldLocked() (mute, hold int) {
	if l.muteMic || l.muteSpk {
		mute = 1
	}
	switch {
	case l.hold && l.remoteHold:
		hold = 4
	case l.hold:
		hold = 2
	case l.remoteHold:
		hold = 3
	}
	return mute, hold
}

// statusLocked builds the line's STATUS notification (lineTable lock held).
func (l *line) statusLocked(info statusInfo, text string) string {
	mute, hold := l.muteHoldLocked()
	return LineStatus{
		Line: l.n, Text: text, PeerName: l.peer, LocalName: info.user, Direction: l.dir,
		PeerDisplay: l.peerDisplay, CallID: l.callID, Online: info.online,
		Registered: info.registered, InCall: l.state.inCall(), Mute: mute, Hold: hold,
		Encrypted: -1, Video: l.videoStatus(),
	}.String()
}

// lineStatus emits a per-line STATUS notification.
func (e *Engine) lineStatus(l *line, text string) {
	e.notify(e.lines.statusOf(l, e.statusInfo(), text))
}

// GetStatus returns the current general status notification, e.g.
// "STATUS,-1,Registered." (getStatus). While calls exist it reflects the
// most advanced call.
func (e *Engine) GetStatus() (s string) {
	defer e.recovered("getStatus")
	s = "STATUS,-1,Initializing"
	if phase := e.lines.callPhase(); phase != "" {
		return GlobalStatus(phase)
	}
	return GlobalStatus(e.app.statusText())
}

// IsInCall reports whether any line has a call being set up, ringing or
// connected.
func (e *Engine) IsInCall() (ok bool) {
	defer e.recovered("isincall")
	return e.lines.count() > 0
}

// IsMuted reports whether the current line is muted in any direction.
func (e *Engine) IsMuted() (ok bool) {
	defer e.recovered("ismuted")
	return e.lines.currentMuted()
}

// IsOnHold reports whether the current line is on hold (by us).
func (e *Engine) IsOnHold() (ok bool) {
	defer e.recovered("isonhold")
	return e.lines.currentOnHold()
}

// GetLastCallDetails returns the details of the previous finished call, or
// "" (getlastcalldetails).
func (e *Engine) GetLastCallDetails() (s string) {
	defer e.recovered("getlastcalldetails")
	return e.lines.lastDetails()
}

// GetLogs returns the accumulated, size-limited logs.
func (e *Engine) GetLogs() (s string) {
	defer e.recovered("getlogs")
	return e.logs.String()
}
