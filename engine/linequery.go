package engine

import "github.com/opensoftphone/webphone/sipcore"

// The line table's answers to the API's questions about the calls, each
// under the table's lock once.

// callPhase is the general status text of the most advanced live call
// ("In Call", "Incoming...", "Ringing...", "Calling..."), "" without calls.
func (t *lineTable) callPhase() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	best, rank := "", 0
	for _, l := range t.liveLocked() {
		r, text := 0, ""
		switch {
		case l.state == lineConnected:
			r, text = 4, "In Call"
		case l.dir == 2 && (l.state == lineRinging || l.state == lineAnswering):
			r, text = 3, "Incoming..."
		case l.state == lineRinging:
			r, text = 2, "Ringing..."
		default:
			r, text = 1, "Calling..."
		}
		if r > rank {
			rank, best = r, text
		}
	}
	return best
}

// currentMuted reports whether the current line is muted in any direction.
func (t *lineTable) currentMuted() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.currentLocked()
	return l != nil && (l.muteMic || l.muteSpk)
}

// currentOnHold reports whether the current line is on hold (by us).
func (t *lineTable) currentOnHold() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.currentLocked()
	return l != nil && l.hold
}

// statusOf builds line l's STATUS notification.
func (t *lineTable) statusOf(l *line, info statusInfo, text string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return l.statusLocked(info, text)
}

// setHeaders applies setsipheader to the line it is scoped to, if any (the
// current line unless all lines are selected): clear empties that line's
// headers, otherwise hs are merged in; a line with a call uses them for the
// rest of its dialog. It reports whether a line took them.
func (t *lineTable) setHeaders(clear bool, hs []sipcore.Header) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	line := t.headerScopeLocked()
	if line == nil {
		return false
	}
	if clear {
		line.headers = nil
	} else {
		line.headers = mergeHeaders(line.headers, hs)
	}
	if line.call != nil {
		line.call.SetExtraHeaders(line.headers)
	}
	return true
}
