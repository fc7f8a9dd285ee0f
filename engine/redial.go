package engine

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// redialWindow is how long a redialled number is not redialled again, so a
// redial that fails the same way ends there.
const redialWindow = 2 * time.Minute

// redialer remembers the numbers redialled lately (redialonfail).
type redialer struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// claim records a redial of number at now; false when one happened within
// redialWindow.
func (r *redialer) claim(number string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		r.last = map[string]time.Time{}
	}
	for n, at := range r.last {
		if now.Sub(at) > redialWindow {
			delete(r.last, n)
		}
	}
	if at, ok := r.last[number]; ok && now.Sub(at) <= redialWindow {
		return false
	}
	r.last[number] = now
	return true
}

// redialableFailure tells whether a sipcore disconnect reason is a failure
// of the network or the server, not a decision of the callee: no response,
// a broken connection, 408, 500, 503 or 504.
func redialableFailure(reason string) bool {
	r := strings.ToLower(strings.TrimSpace(reason))
	if r == "timeout" || strings.HasPrefix(r, "transport") {
		return true
	}
	if len(r) >= 3 {
		switch code, _ := strconv.Atoi(r[:3]); code {
		case 408, 500, 503, 504:
			return true
		}
	}
	return false
}

// maybeRedial places an outgoing call again, once, when it failed before
// it rang (redialonfail, default 1: "retry the call on failure or no
// response"). wasRinging is whether the line had reached ringing. The page
// sees the failed call end (its CDR) and a new call start.
func (e *Engine) maybeRedial(l *line, wasRinging bool, reason string) {
	if l.dir != 1 || wasRinging || l.dialled == "" || e.params.Int("redialonfail", 1) == 0 ||
		!redialableFailure(reason) {
		return
	}
	if !e.started() || !e.redials.claim(l.dialled, e.now()) {
		return
	}
	e.logEvent(LogImportant, "call to "+loggable(l.dialled)+" failed ("+reason+"): redialling once")
	number := l.dialled
	e.lines.mu.Lock()
	video, screen := l.video, l.screen // a videocall is redialled as one
	e.lines.mu.Unlock()
	e.after(func() { // after the failed call's events
		e.safeGo("redial", func() { e.call(number, video, screen) })
	})
}
