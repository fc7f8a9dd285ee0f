package engine

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// Backoff between reconnection attempts: the base doubles from
// firstReconnectDelay up to maxReconnectDelay; each pause is drawn at random
// from the upper half of its base, so phones dropped together (a server
// restart) do not all come back in the same instant.
const (
	firstReconnectDelay = time.Second
	maxReconnectDelay   = 30 * time.Second
	// stableFlow: a connection that stayed up this long resets the backoff;
	// one lost sooner continues it, so a server that accepts and drops at
	// once is not hammered every second.
	stableFlow = time.Minute
)

// reconnectTimeout bounds one attempt: dialling every address (each its
// share) and the REGISTER that follows. A variable for tests.
var reconnectTimeout = 20 * time.Second

// shareOfDeadline bounds one of n remaining dial attempts to 1/n of the
// time ctx has left (no bound when ctx has no deadline).
func shareOfDeadline(ctx context.Context, n int) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok || n <= 1 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, time.Until(dl)/time.Duration(n))
}

// reconnectDelay is the pause before attempt n (0 for the first).
func reconnectDelay(n int) time.Duration {
	base := maxReconnectDelay
	if n < 16 && firstReconnectDelay<<n < maxReconnectDelay {
		base = firstReconnectDelay << n
	}
	return base/2 + rand.N(base/2+1)
}

// reconnector restores the lost connection of one UA: one attempt at a time
// (ua.Reconnect dials along the server list and registers again when
// registration is wanted), with backoff, until a connection is up or it is
// cancelled (stop, close, a new UA).
type reconnector struct {
	e     *Engine
	ua    *sipcore.UA
	label string // prefix of its log lines ("" for the main connection)

	mu       sync.Mutex
	attempt  int
	stopWait func() bool
	done     bool
}

// schedule arms the next attempt and returns its delay.
func (r *reconnector) schedule() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return 0
	}
	d := reconnectDelay(r.attempt)
	r.attempt++
	r.stopWait = r.e.opts.AfterFunc(d, func() { r.e.safeGo("reconnect", r.run) })
	return d
}

// cancel stops any pending attempt; an attempt under way finishes but
// schedules nothing more.
func (r *reconnector) cancel() {
	r.mu.Lock()
	r.done = true
	stop := r.stopWait
	r.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// now makes the armed attempt at once instead of after its pause (another
// connection came back). Nothing happens when no attempt is armed: one is
// under way, or it was cancelled.
func (r *reconnector) now() {
	r.mu.Lock()
	stop := r.stopWait
	if r.done || stop == nil {
		r.mu.Unlock()
		return
	}
	r.stopWait = nil
	r.mu.Unlock()
	if stop() {
		r.e.safeGo("reconnect", r.run)
	}
}

// tries is the number of attempts made or armed so far.
func (r *reconnector) tries() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attempt
}

func (r *reconnector) cancelled() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done
}

// run makes one attempt. Success is reported by the UA's FlowReplaced
// event (onFlow); a failure schedules the next attempt.
func (r *reconnector) run() {
	if r.cancelled() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), reconnectTimeout)
	defer cancel()
	err := r.ua.Reconnect(ctx)
	if r.ua.Connected() || r.cancelled() {
		return // connected (a REGISTER failure is reported on its own), or no longer wanted
	}
	if err == nil {
		err = sipcore.ErrNoTransport // connected and lost again at once
	}
	d := r.schedule()
	if d > 0 {
		r.e.logWarn(r.label + "reconnect failed: " + err.Error() + "; next attempt in " + seconds(d))
	}
}

// seconds formats d as "1.5s".
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}

// onFlow follows the connection of the UA of generation gen. A lost
// connection of a started engine is restored whether or not a registration
// is wanted, and the page is told: a WARNING log line, the display message
// "Connection lost", and the general status; when the connection is back,
// the log says "reconnected" and the status returns to "Ready." (the
// registration, when wanted, follows with its own events).
func (e *Engine) onFlow(gen int, st sipcore.FlowState, cause error) {
	step, ok := e.app.flowChanged(gen, st, e.now())
	if !ok {
		return
	}
	ua, start, restored := step.ua, step.start, step.restored
	registered, wantReg := e.reg.registered(), e.reg.wanted()

	switch {
	case step.lateStart:
		if restored != nil {
			restored.cancel()
		}
		e.logEvent(LogImportant, "connected")
		e.safeGo("start", func() { e.announceStarted(ua, wantReg) })
	case start != nil:
		reason := "connection closed"
		if cause != nil {
			reason = cause.Error()
		}
		d := start.schedule()
		e.logWarn("connection lost (" + reason + "), reconnecting in " + seconds(d))
		e.setGlobalStatus("Connection lost")
		e.display("", "Connection lost")
	case restored != nil:
		restored.cancel()
		e.logEvent(LogImportant, "reconnected")
		e.extra.retryNow()
		if registered {
			e.setGlobalStatus("Registered.")
		} else {
			e.setGlobalStatus("Ready.")
		}
		// register() called while the connection was down: sipcore renews
		// only a registration it had been asked for, so ask now
		if wantReg && ua.RegState() == sipcore.RegUnregistered {
			e.safeGo("register", func() { e.doRegister(ua) })
		}
	case st == sipcore.FlowReplaced:
		e.logEvent(LogImportant, "reconnected")
	}
}
