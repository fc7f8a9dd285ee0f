package engine

// Early media: an SDP answer in a 18x (183 Session Progress) lets the
// peer's media (announcements, a remote ringback) play before the call is
// answered. The engine applies that answer to the line's Media at once and
// marks the line; the local ringback must then stop (changesptoring 2, the
// default), except with changesptoring=5, which never stops it. This is
// the one rule for the ringback: updateTones (tones.go) plays it only for
// an outgoing ringing line without early media (or with StopsRingback
// false); a page's own tone player follows LineEarlyMedia or the "Early
// media started" status.

// markEarlyMedia records that an unanswered line plays the peer's media,
// once, says so on the general status and updates the tones (the ringback
// stops when StopsRingback).
func (e *Engine) markEarlyMedia(l *line) {
	t := e.lines
	t.mu.Lock()
	first := l.live() && l.state != lineConnected && !l.earlyMedia
	if first {
		l.earlyMedia = true
	}
	t.mu.Unlock()
	if first {
		e.logEvent(LogImportant, "early media on line "+itoa(l.n))
		e.setGlobalStatus("Early media started")
		e.updateTones()
	}
}

// LineEarlyMedia reports whether line n is playing the peer's early media
// (an answer came in a 18x before the call was answered). A local ringback
// stops when it turns true, unless changesptoring is 5.
func (e *Engine) LineEarlyMedia(n int) bool {
	t := e.lines
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.lines[n]
	return l != nil && l.live() && l.earlyMedia
}

// StopsRingback tells whether early media stops the local ringback
// (changesptoring other than 5).
func (e *Engine) StopsRingback() bool { return e.params.Int("changesptoring", 2) != 5 }
