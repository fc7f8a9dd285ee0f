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
	e.mu.Lock()
	if l.setupSent || l.ended {
		e.mu.Unlock()
		return
	}
	l.setupSent = true
	if l.state == stDialing {
		l.state = stSetup
	}
	s := l.snap()
	st := e.lineStatusLocked(l, "CallSetup")
	e.mu.Unlock()
	e.emitCallState("setup", s)
	e.notify(st)
	if s.dir == 1 {
		e.setGlobalStatus("Calling...")
	}
}

// emitRinging reports ringing once.
func (e *Engine) emitRinging(l *line) {
	e.mu.Lock()
	if l.ringSent || l.ended || l.connSent {
		e.mu.Unlock()
		return
	}
	l.ringSent = true
	l.state = stRinging
	s := l.snap()
	st := e.lineStatusLocked(l, "Ringing")
	e.mu.Unlock()
	e.emitCallState("ringing", s)
	e.setGlobalStatus("Ringing...")
	e.notify(st)
	if s.dir == 2 {
		e.setGlobalStatus("Incoming...")
	}
}

// emitConnected reports the connection once and starts post-dial DTMF.
func (e *Engine) emitConnected(l *line) {
	e.mu.Lock()
	if l.connSent || l.ended {
		e.mu.Unlock()
		return
	}
	l.connSent = true
	l.state = stConnected
	l.connectedAt = e.now()
	if l.stopRing != nil {
		l.stopRing()
		l.stopRing = nil
	}
	post := l.postDial
	l.postDial = ""
	s := l.snap()
	st := e.lineStatusLocked(l, "CallConnect")
	sp := e.lineStatusLocked(l, "Speaking")
	e.mu.Unlock()
	e.emitCallState("connected", s)
	e.notify(st)
	e.setGlobalStatus("In Call")
	e.notify(sp)
	if post != "" {
		e.queueDTMF(l, post)
	}
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
	stop := e.opts.AfterFunc(time.Duration(ms)*time.Millisecond, func() {
		defer e.recovered("ringtimeout")
		e.mu.Lock()
		pending := !l.ended && !l.connSent
		e.mu.Unlock()
		if pending {
			e.logEvent(LogImportant, "ring timeout on line "+strconv.Itoa(l.n))
			e.hangupLineReason(l, "ring timeout", DiscTimeout)
		}
	})
	e.mu.Lock()
	if l.ended || l.connSent {
		stop()
	} else {
		l.stopRing = stop
	}
	e.mu.Unlock()
}

// endLine finishes a line exactly once: releases it, closes its media and
// fires disconnected (after setup if that never went out), the
// CallDisconnect/Finished statuses and the CDR.
func (e *Engine) endLine(l *line, reason string, party int) {
	e.mu.Lock()
	if l.ended {
		e.mu.Unlock()
		return
	}
	l.ended = true
	if e.lines[l.n] == l {
		delete(e.lines, l.n)
	}
	if e.dialing == l {
		e.dialing = nil
	}
	if l.stopRing != nil {
		l.stopRing()
		l.stopRing = nil
	}
	now := e.now()
	setupSent := l.setupSent
	l.setupSent = true
	user, auth := Credentials(e.params)
	cdr := CDR{
		Line: l.n, Direction: l.dir, PeerName: l.peer, PeerDisplay: l.peerDisplay,
		PeerAddress: SIPDomain(e.params), DiscParty: party, Reason: reason,
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
	if l.connSent {
		cdr.ConnectMs = l.connectedAt.Sub(l.created).Milliseconds()
		cdr.DurationMs = now.Sub(l.connectedAt).Milliseconds()
	} else {
		cdr.ConnectMs = now.Sub(l.created).Milliseconds()
	}
	e.lastCDR = &cdr
	wasState := l.state
	l.state = stDisconnected
	s := l.snap()
	setupStatus := ""
	if !setupSent {
		l.state = wasState
		setupStatus = e.lineStatusLocked(l, "CallSetup")
		l.state = stDisconnected
	}
	disc := e.lineStatusLocked(l, "CallDisconnect")
	fin := e.lineStatusLocked(l, "Finished")
	m := l.media
	l.media = nil
	if e.active == l.n {
		e.active = 0
	}
	e.mu.Unlock()

	if m != nil {
		e.safeGo("media close", m.Close)
	}
	e.logEvent(LogImportant, "call details: line "+strconv.Itoa(s.n)+" peer "+s.peer+" reason "+reason)
	if !setupSent {
		e.emitCallState("setup", s)
		e.notify(setupStatus)
	}
	e.emitCallState("disconnected", s)
	e.notify(disc)
	e.setGlobalStatus("Call Finished")
	e.notify(fin)
	e.mu.Lock()
	if len(e.liveLinesLocked()) == 0 {
		e.status = e.idleStatusLocked() // what getStatus reports from now on
	}
	e.mu.Unlock()
	e.emit("onCdr", cdr.CallbackArgs()...)
	e.notify(cdr.String())
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
