package engine

import (
	"strconv"
	"strings"
	"time"
)

// lineSnap is a consistent copy of a line's public fields for events.
type lineSnap struct {
	n           int
	dir         int
	peer        string
	peerDisplay string
	callID      string
}

func (l *line) snap() lineSnap {
	return lineSnap{n: l.n, dir: l.dir, peer: l.peer, peerDisplay: l.peerDisplay, callID: l.callID}
}

// emitCallState fires onCallStateChange(event, direction, peername,
// peerdisplayname, line, callid); with apibehaviour != 1 the old callXxx
// name fires first.
func (e *Engine) emitCallState(event string, s lineSnap) {
	disp := s.peerDisplay
	if disp == "" {
		disp = s.peer
	}
	if e.params.Int("apibehaviour", 1) != 1 {
		old := "call" + strings.ToUpper(event[:1]) + event[1:]
		e.emit("onCallStateChange", old, s.dir, s.peer, disp, s.n, s.callID)
	}
	e.emit("onCallStateChange", event, s.dir, s.peer, disp, s.n, s.callID)
}

// emitLineEvent fires the extra apibehaviour=1 events (muted, unmuted,
// hold, reload) with their short argument lists.
func (e *Engine) emitLineEvent(event string, n int) {
	if e.params.Int("apibehaviour", 1) != 1 {
		return
	}
	switch event {
	case "muted", "unmuted":
		e.emit("onCallStateChange", event, "", "", "", n, "")
	default:
		e.emit("onCallStateChange", event, "", "", "", "", "")
	}
}

// emitSetup reports the setup of a line once.
func (e *Engine) emitSetup(l *line) {
	info := e.statusInfo()
	t := e.lines
	t.mu.Lock()
	if l.state != lineReserved {
		t.mu.Unlock()
		return
	}
	l.state = lineSetup
	s := l.snap()
	st := l.statusLocked(info, "CallSetup")
	t.mu.Unlock()
	e.emitCallState("setup", s)
	e.notify(st)
	if s.dir == 1 {
		e.setGlobalStatus("Calling...")
	}
}

// emitRinging reports ringing once. A line being answered stays in
// lineAnswering (sipcore reports ringing once per call).
func (e *Engine) emitRinging(l *line) {
	e.emitSetup(l) // setup always goes first
	info := e.statusInfo()
	t := e.lines
	t.mu.Lock()
	switch l.state {
	case lineSetup:
		l.state = lineRinging
	case lineAnswering:
	default:
		t.mu.Unlock()
		return
	}
	s := l.snap()
	st := l.statusLocked(info, "Ringing")
	t.mu.Unlock()
	e.updateTones()
	e.emitCallState("ringing", s)
	e.setGlobalStatus("Ringing...")
	e.notify(st)
	if s.dir == 2 {
		e.setGlobalStatus("Incoming...")
	}
}

// emitConnected reports the connection once and starts post-dial DTMF.
func (e *Engine) emitConnected(l *line) {
	e.emitSetup(l) // setup always goes first
	info := e.statusInfo()
	t := e.lines
	t.mu.Lock()
	if l.state == lineConnected || !l.live() {
		t.mu.Unlock()
		return
	}
	l.state = lineConnected
	l.connectedAt = e.now()
	if l.stopRing != nil {
		l.stopRing()
		l.stopRing = nil
	}
	post := l.postDial
	l.postDial = ""
	s := l.snap()
	st := l.statusLocked(info, "CallConnect")
	sp := l.statusLocked(info, "Speaking")
	t.mu.Unlock()
	e.updateTones()
	e.emitCallState("connected", s)
	e.notify(st)
	e.setGlobalStatus("In Call")
	e.notify(sp)
	if post != "" {
		e.queueDTMF(l, post)
	}
	if e.recordingWanted() {
		e.startRecording(l)
	}
	e.superviseLine(l)
}

// startRingTimer hangs the line up with "ring timeout" when it is not
// connected within ringtimeout (ringtimeoutin/ringtimeoutout) ms.
func (e *Engine) startRingTimer(l *line) {
	ms := e.params.Int("ringtimeout", 90000)
	key := "ringtimeoutout"
	if l.dir == 2 {
		key = "ringtimeoutin"
	}
	ms = e.params.Int(key, ms)
	if ms <= 0 {
		return
	}
	t := e.lines
	pending := func() bool { return l.live() && l.state != lineConnected }
	stop := e.opts.AfterFunc(time.Duration(ms)*time.Millisecond, func() {
		defer e.recovered("ringtimeout")
		t.mu.Lock()
		due := pending()
		t.mu.Unlock()
		if due {
			e.logEvent(LogImportant, "ring timeout on line "+strconv.Itoa(l.n))
			e.hangupLineReason(l, "ring timeout", DiscTimeout)
		}
	})
	t.mu.Lock()
	if pending() {
		l.stopRing = stop
	} else {
		stop()
	}
	t.mu.Unlock()
}

// endLineThen ends l with reason first and only then runs the SIP action
// that goes with it (a reject, 302, CANCEL or BYE) in the background: the
// line keeps this reason and its tones stop before the API call returns,
// and sipcore's own end event for the action then finds the line ended.
// A nil act only ends the line.
func (e *Engine) endLineThen(l *line, reason string, party int, what string, act func()) {
	e.endLine(l, reason, party)
	if act != nil {
		e.safeGo(what, act)
	}
}

// endLine finishes a line exactly once: releases it, closes its media and
// fires disconnected (after setup if that never went out), the
// CallDisconnect/Finished statuses and the CDR.
func (e *Engine) endLine(l *line, reason string, party int) {
	info := e.statusInfo()
	user, auth := Credentials(e.params)
	peerAddress := SIPDomain(e.params)
	t := e.lines
	t.mu.Lock()
	if !l.live() {
		t.mu.Unlock()
		return
	}
	was := l.state
	setupStatus := ""
	if !was.setupReported() {
		setupStatus = l.statusLocked(info, "CallSetup")
	}
	l.state = lineEnded
	t.releaseLocked(l)
	if l.stopRing != nil {
		l.stopRing()
		l.stopRing = nil
	}
	l.stopSupervision()
	now := e.now()
	cdr := CDR{
		Line: l.n, Direction: l.dir, PeerName: l.peer, PeerDisplay: l.peerDisplay,
		PeerAddress: peerAddress, DiscParty: party, Reason: reason,
		CallID: l.callID, LocalUser: user, AuthUser: auth, Start: l.created,
	}
	if l.dir == 2 {
		cdr.Caller = l.peer
		if l.peerDisplay != "" {
			cdr.Caller = l.peerDisplay
		}
		cdr.Called = user
	} else {
		cdr.Caller, cdr.Called = user, l.peer
	}
	if was == lineConnected {
		cdr.ConnectMs = l.connectedAt.Sub(l.created).Milliseconds()
		cdr.DurationMs = now.Sub(l.connectedAt).Milliseconds()
	} else {
		cdr.ConnectMs = now.Sub(l.created).Milliseconds()
	}
	s := l.snap()
	disc := l.statusLocked(info, "CallDisconnect")
	fin := l.statusLocked(info, "Finished")
	m := l.media
	l.media = nil
	t.lastCDR = &cdr
	t.mu.Unlock()

	e.updateTones()
	e.stopRecording(l) // before the media closes
	e.conferenceLineChanged(l, true)
	if m != nil {
		e.logRTPStat(m)
		e.safeGo("media close", m.Close)
	}
	e.logEvent(LogImportant, "call details: line "+strconv.Itoa(s.n)+" peer "+s.peer+" reason "+reason)
	if setupStatus != "" {
		e.emitCallState("setup", s)
		e.notify(setupStatus)
	}
	e.emitCallState("disconnected", s)
	e.notify(disc)
	e.setGlobalStatus("Call Finished")
	e.notify(fin)
	e.app.settleStatus(e.lines.count) // what getStatus reports from now on
	e.userData.addHistory(accountID(e.params), HistoryEntryOf(cdr, was == lineConnected))
	e.emit("onCdr", cdr.CallbackArgs()...)
	e.notify(cdr.String())
	e.transferLineEnded(l, reason)
}

// remoteReason turns a sipcore disconnect reason into the Mizu "code text"
// form and the disconnecting party.
func remoteReason(reason string, dir int) (string, int) {
	r := strings.TrimSpace(reason)
	lr := strings.ToLower(r)
	switch {
	case lr == "cancelled" || strings.Contains(lr, "cancel"):
		if dir == 2 {
			return "CANCEL cancel received", DiscRemote
		}
		return "CANCEL User Hung Up", DiscLocal
	case lr == "local hangup":
		return "BYE User Hung Up", DiscLocal
	case strings.Contains(lr, "bye") || lr == "remote hangup":
		return "BYE bye received", DiscRemote
	case lr == "timeout" || strings.Contains(lr, "timeout"):
		return "-1 no response", DiscTimeout
	case strings.HasPrefix(lr, "rejected"):
		return strings.TrimSpace(strings.TrimPrefix(lr, "rejected")) + " rejected", DiscLocal
	case strings.HasPrefix(lr, "forwarded"):
		return "302 forward", DiscLocal
	}
	if len(r) >= 3 {
		if code, err := strconv.Atoi(r[:3]); err == nil && code >= 300 && code <= 699 {
			if len(r) == 3 {
				r += " " + statusText(code)
			}
			return r, DiscRemote
		}
	}
	if r == "" {
		return "-1 disconnected", DiscUnknown
	}
	return "-1 " + r, DiscUnknown
}

func statusText(code int) string {
	switch code {
	case 404:
		return "Not Found"
	case 480:
		return "Temporarily Unavailable"
	case 486:
		return "Busy Here"
	case 487:
		return "Request Terminated"
	case 603:
		return "Decline"
	}
	return "call rejected by peer"
}
