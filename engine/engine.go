package engine

import (
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// EmitFunc receives every page callback: callback is the Mizu registrar name
// ("onAppStateChange", "onRegStateChange", "onCallStateChange", "onChat",
// "onDTMF", "onCdr", "onEvent") and args its arguments (string, int, bool or
// nil for JavaScript null). Calls come from one engine goroutine, in order.
type EmitFunc func(callback string, args ...any)

// Options are what an Engine needs from its platform.
type Options struct {
	// Dialer opens the SIP transport (browser WebSocket, or nettransport).
	Dialer sipcore.Dialer
	// Media creates each call's media. Nil: calls fail with "cannot start
	// media".
	Media MediaFactory
	// Storage persists parameters; nil keeps them in memory only.
	Storage Storage
	// Emit receives the page callbacks; nil discards them.
	Emit EmitFunc
	// Now is the clock (default time.Now).
	Now func() time.Time
	// AfterFunc schedules f after d and returns a stop function (default
	// time.AfterFunc). Used for ring timeouts and DTMF pauses.
	AfterFunc func(d time.Duration, f func()) (stop func() bool)
	// DTMFPause is the delay a space or comma inserts in a DTMF string
	// (default 500 ms), and DTMFDuration the INFO tone length (default
	// 160 ms).
	DTMFPause, DTMFDuration time.Duration
	// AutoStartDelay is how long after Init the engine calls AutoStart by
	// itself, leaving the page's "loaded" listeners (which usually set
	// parameters) time to run first. Default 100 ms; negative disables it
	// (the platform then calls AutoStart, e.g. right after delivering
	// "loaded").
	AutoStartDelay time.Duration
}

// Engine is one webphone instance: the Mizu API over a sipcore.UA. All
// methods are safe for concurrent use, return quickly, and never panic.
type Engine struct {
	opts   Options
	params *Params
	queue  *emitQueue
	logs   *logBuffer
	hist   *sipHistory

	mu           sync.Mutex
	ua           *sipcore.UA
	uaGen        int
	appState     string // "", "loaded", "started", "stopped"
	startDone    chan struct{}
	startErr     error
	regState     sipcore.RegState
	regEpisode   bool // "registered" already reported for this episode
	regFail      string
	regChanged   chan struct{}
	wantReg      bool
	status       string // last general (line -1) status text
	lines        map[int]*line
	cur          int // line selected with setline (-2, -1, 1..N)
	curAt        time.Time
	active       int // line of the newest call
	dialing      *line
	headers      []sipcore.Header // setsipheader, global scope
	lastCDR      *CDR
	closed       bool
	readyGen     int // generation of the UA whose start succeeded
	reconnecting bool
	autoStarted  bool

	dialMu sync.Mutex // serialises ua.Call so events can be matched to lines
}

// MaxLines is the highest line number.
const MaxLines = 99

// New creates an engine. Nothing is sent until Start (or Init with
// autostart).
func New(opts Options) *Engine {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.AfterFunc == nil {
		opts.AfterFunc = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	if opts.DTMFPause <= 0 {
		opts.DTMFPause = 500 * time.Millisecond
	}
	if opts.AutoStartDelay == 0 {
		opts.AutoStartDelay = 100 * time.Millisecond
	}
	if opts.DTMFDuration <= 0 {
		opts.DTMFDuration = 160 * time.Millisecond
	}
	e := &Engine{
		opts:       opts,
		params:     NewParams(opts.Storage),
		logs:       newLogBuffer(256 << 10),
		hist:       newSIPHistory(200),
		lines:      map[int]*line{},
		cur:        -1,
		status:     "Initializing",
		regState:   sipcore.RegUnregistered,
		regChanged: make(chan struct{}),
	}
	e.queue = newEmitQueue(func(r any) {
		e.logs.add(fmt.Sprintf("ERROR, callback panic: %v", r))
	})
	return e
}

// Params returns the engine's parameter store.
func (e *Engine) Params() *Params { return e.params }

// Close stops the engine (like Stop, without waiting for the network) and
// releases its goroutines after the queued events were delivered. The
// engine cannot be used afterwards.
func (e *Engine) Close() {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	e.closed = true
	ua := e.ua
	e.ua = nil
	e.uaGen++
	ls := e.liveLinesLocked()
	e.mu.Unlock()
	for _, l := range ls {
		e.endLine(l, "-1 endpoint destroy", DiscLocal)
	}
	if ua != nil {
		ua.Stop()
	}
	e.queue.close()
}

func (e *Engine) now() time.Time { return e.opts.Now() }

// emit queues one page callback.
func (e *Engine) emit(callback string, args ...any) {
	if e.opts.Emit == nil {
		return
	}
	emit := e.opts.Emit
	e.queue.push(func() { emit(callback, args...) })
}

// notify queues onEvent("event", msg).
func (e *Engine) notify(msg string) { e.emit("onEvent", "event", msg) }

// display queues onEvent("display", title+","+text).
func (e *Engine) display(title, text string) { e.emit("onEvent", "display", title+","+text) }

// after queues f to run on the event goroutine after everything queued
// before it was delivered.
func (e *Engine) after(f func()) { e.queue.push(f) }

// recovered turns a panic in an API method into a logged error; the method
// then returns its failure value.
func (e *Engine) recovered(what string) {
	if r := recover(); r != nil {
		e.logs.add(fmt.Sprintf("ERROR, %s panicked: %v\n%s", what, r, debug.Stack()))
	}
}

// safeGo runs f on a new goroutine with panic protection.
func (e *Engine) safeGo(what string, f func()) {
	go func() {
		defer e.recovered(what)
		f()
	}()
}

// GetEngineName returns "webrtc", the engine name pages branch on.
func (e *Engine) GetEngineName() string { return "webrtc" }
