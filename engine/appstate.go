package engine

import (
	"errors"
	"sync"

	"github.com/opensoftphone/webphone/sipcore"
)

// appState is the engine's life as the page sees it through
// onAppStateChange.
type appState int

const (
	appInitializing appState = iota // created; Init not called yet
	appLoaded                       // "loaded": configuration read
	appStarted                      // "started": connected, calls and registration possible
	appStopped                      // "stopped": Stop finished; Start may run again
	appClosed                       // Close: final, the engine cannot be used any more
)

var appStateNames = [...]string{"initializing", "loaded", "started", "stopped", "closed"}

// String is the onAppStateChange name.
func (s appState) String() string {
	if s >= 0 && int(s) < len(appStateNames) {
		return appStateNames[s]
	}
	return "unknown"
}

// appMachine is the application state machine: the appState, the UA it
// describes (with its generation, so that events of a replaced UA are
// ignored), the start attempt, the connection (appflow.go), the general
// status text and the global setsipheader headers. Its lock may be held
// while taking the registration's (reg.mu) and the line table's, never the
// other way round.
type appMachine struct {
	reg          *regMachine                    // follows every UA change
	newReconnect func(*sipcore.UA) *reconnector // a reconnector for a UA
	mu           sync.Mutex
	state        appState
	ua           *sipcore.UA
	gen          int // generation of ua; incremented on every change
	startDone    chan struct{}
	startErr     error
	readyGen     int              // generation of the UA whose start succeeded
	status       string           // last general (line -1) status text
	headers      []sipcore.Header // setsipheader, global scope
	autoStarted  bool
	flow         flowBook // the connection of the started UA
}

func newAppMachine(reg *regMachine, newReconnect func(*sipcore.UA) *reconnector) *appMachine {
	return &appMachine{reg: reg, newReconnect: newReconnect, status: "Initializing"}
}

// errClosed is what an action needing the UA gets after Close.
var errClosed = errors.New("engine closed")

// setStateLocked moves the engine to next and reports whether it moved:
// nothing leaves appClosed, and nothing returns to appInitializing.
func (a *appMachine) setStateLocked(next appState) bool {
	if a.state == appClosed || next == appInitializing {
		return false
	}
	a.state = next
	return true
}

// setState is setStateLocked taking the lock.
func (a *appMachine) setState(next appState) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.setStateLocked(next)
}

// current is the app state now.
func (a *appMachine) current() appState {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.state
}

// closed reports whether Close was called.
func (a *appMachine) closed() bool { return a.current() == appClosed }

// takeAutoStart reports whether autostart is still due, and marks it done.
func (a *appMachine) takeAutoStart() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	due := !a.autoStarted
	a.autoStarted = true
	return due
}

// currentUA is the UA, or nil when not started.
func (a *appMachine) currentUA() *sipcore.UA {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ua
}

// uaOf is the UA of generation gen while it is the current one and the
// engine is not closed, else nil.
func (a *appMachine) uaOf(gen int) *sipcore.UA {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gen != gen || a.state == appClosed {
		return nil
	}
	return a.ua
}

// uaAndStart returns the UA with the channel closed when its start attempt
// has finished.
func (a *appMachine) uaAndStart() (*sipcore.UA, <-chan struct{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ua, a.startDone
}

// startResult is the UA and how its start attempt ended (nil error: up).
func (a *appMachine) startResult() (*sipcore.UA, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ua, a.startErr
}

// readyUA is the UA of generation gen when it is the current one and its
// start succeeded, else nil.
func (a *appMachine) readyUA(gen int) *sipcore.UA {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gen != gen || a.readyGen != gen {
		return nil
	}
	return a.ua
}

// uaStart is a start attempt as begin hands it out.
type uaStart struct {
	done   chan struct{} // closed when the attempt has finished
	ua     *sipcore.UA   // the new UA, nil when one was already started
	gen    int
	failed *sipcore.UA // a UA whose first connection failed, to stop
}

// begin returns the start attempt under way or done, or, when there is none
// (or the last one failed: the settings may have changed), builds a new UA
// of the next generation with build and makes it the current one.
func (a *appMachine) begin(build func(gen int, headers []sipcore.Header) (*sipcore.UA, error)) (uaStart, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state == appClosed {
		return uaStart{}, errClosed
	}
	if a.ua != nil && a.startErr == nil {
		return uaStart{done: a.startDone}, nil
	}
	gen := a.gen + 1
	ua, err := build(gen, a.headers)
	if err != nil {
		return uaStart{}, err
	}
	failed := a.ua
	a.cancelReconnectLocked()
	a.gen = gen
	a.reg.follow(gen)
	a.ua = ua
	done := make(chan struct{})
	a.startDone = done
	a.startErr = nil
	return uaStart{done: done, ua: ua, gen: gen, failed: failed}, nil
}

// startFinished records how the start of ua (generation gen) ended. When
// the UA is still the current one it is now started, or, on a failure, it
// gets a reconnector (returned, to schedule) that keeps trying in the
// background unless one is already at work. The end of a replaced UA's
// start changes nothing: its failure must not mark the current UA failed.
func (a *appMachine) startFinished(ua *sipcore.UA, gen int, err error) (current bool, retry *reconnector) {
	a.mu.Lock()
	defer a.mu.Unlock()
	current = a.ua == ua && a.gen == gen
	if !current {
		return false, nil
	}
	if err != nil {
		a.startErr = err
		if a.flow.reconn == nil {
			retry = a.newReconnect(ua)
			a.flow.reconn = retry
		}
		return current, retry
	}
	a.setStateLocked(appStarted)
	a.readyGen = gen
	return true, nil
}

// detach lets go of the UA (Stop): later events of it are ignored and its
// reconnection stops. It returns the UA (nil when none) and the new
// generation, which stopped takes.
func (a *appMachine) detach() (*sipcore.UA, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.detachLocked(), a.gen
}

func (a *appMachine) detachLocked() *sipcore.UA {
	ua := a.ua
	if ua == nil {
		// nothing to let go of: a Stop after a Stop keeps the generation,
		// or the first Stop, still finishing, would find itself replaced
		// and never report "stopped"
		a.cancelReconnectLocked()
		return nil
	}
	a.ua = nil
	a.gen++
	a.reg.follow(a.gen)
	a.cancelReconnectLocked()
	return ua
}

// stopped finishes a Stop of generation gen: the registration ends and the
// app is "stopped". ok is false when a start came meanwhile (that UA owns
// the state now); wasRegistered says whether "unregistered" is due.
func (a *appMachine) stopped(gen int) (ok, wasRegistered bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gen != gen {
		return false, false
	}
	wasRegistered = a.reg.stopped()
	a.setStateLocked(appStopped)
	return true, wasRegistered
}

// close makes the state final (Close) and returns the UA to stop; ok is
// false when it was closed already.
func (a *appMachine) close() (ua *sipcore.UA, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.setStateLocked(appClosed) {
		return nil, false
	}
	return a.detachLocked(), true
}

// setStatus records the general (line -1) status text.
func (a *appMachine) setStatus(text string) {
	a.mu.Lock()
	a.status = text
	a.mu.Unlock()
}

// statusText is the last general status text.
func (a *appMachine) statusText() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.status
}

// settleStatus sets the status text to the idle one when no call is left
// (count() == 0): what getStatus reports from then on.
func (a *appMachine) settleStatus(count func() int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if count() == 0 {
		a.status = a.idleStatusLocked()
	}
}

// idleStatusLocked is the general status without calls.
func (a *appMachine) idleStatusLocked() string {
	switch {
	case a.flow.down:
		return "Connection lost"
	case a.reg.registered():
		return "Registered."
	case a.ua != nil && a.startErr == nil:
		return "Ready."
	}
	return a.status
}

// online reports whether a UA is there with its connection up (STATUS
// "online" field).
func (a *appMachine) online() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ua != nil && !a.flow.down
}

// setHeaders replaces (clear) or merges the global setsipheader headers and
// applies them at once to the UA's later requests, after custom (the
// customsipheader parameter's headers).
func (a *appMachine) setHeaders(clear bool, hs []sipcore.Header, custom []sipcore.Header) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if clear {
		a.headers = nil
	} else {
		a.headers = mergeHeaders(a.headers, hs)
	}
	if a.ua == nil {
		return nil
	}
	return a.ua.SetExtraHeaders(mergeHeaders(custom, a.headers))
}

// globalHeaders returns a copy of the global setsipheader headers.
func (a *appMachine) globalHeaders() []sipcore.Header {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]sipcore.Header(nil), a.headers...)
}
