package engine

import (
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// flowBook is what the app machine keeps about the started UA's
// connection; guarded by appMachine.mu.
type flowBook struct {
	down   bool         // the connection is lost
	upAt   time.Time    // when it last came up
	reconn *reconnector // restoring it, or nil
	tries  int          // attempts the last reconnection took
}

// flowStep is what a connection change asks the engine to do.
type flowStep struct {
	ua *sipcore.UA
	// start: the connection was lost; schedule this new reconnector.
	start *reconnector
	// restored: the connection is back; cancel this reconnector.
	restored *reconnector
	// lateStart: the first connection, which failed at start, came up:
	// the engine is started now.
	lateStart bool
}

// flowChanged takes a connection change of the UA of generation gen at
// time now. ok is false when that UA is not the current one (or the
// engine is closed): nothing to do.
func (a *appMachine) flowChanged(gen int, st sipcore.FlowState, now time.Time) (step flowStep, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ua == nil || gen != a.gen || a.state == appClosed {
		return flowStep{}, false
	}
	step.ua = a.ua
	f := &a.flow
	switch st {
	case sipcore.FlowLost:
		f.down = true
		if f.reconn == nil {
			f.reconn = a.newReconnect(a.ua)
			if now.Sub(f.upAt) < stableFlow {
				// lost again soon after it came up: continue the backoff
				f.reconn.attempt = f.tries
			}
			step.start = f.reconn
		}
	case sipcore.FlowUp, sipcore.FlowReplaced:
		f.down = false
		f.upAt = now
		step.restored = f.reconn
		f.reconn = nil
		f.tries = 0
		if step.restored != nil {
			f.tries = step.restored.tries()
		}
		if a.startErr != nil && a.readyGen != gen {
			// the first connection failed at start and came up later
			step.lateStart = true
			a.startErr = nil
			a.setStateLocked(appStarted)
			a.readyGen = gen
		}
	}
	return step, true
}

// cancelReconnectLocked stops restoring the connection (stop, close, a new
// UA).
func (a *appMachine) cancelReconnectLocked() {
	if a.flow.reconn != nil {
		a.flow.reconn.cancel()
		a.flow.reconn = nil
	}
	a.flow.down = false
}
