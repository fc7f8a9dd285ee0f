package engine

import (
	"fmt"
	"runtime/debug"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// EmitFunc receives every page callback: callback is the Mizu registrar name
// ("onAppStateChange", "onRegStateChange", "onCallStateChange", "onChat",
// "onDTMF", "onCdr", "onEvent", "onPresenceStateChange", "onBLFStateChange",
// "onSMS") and args its arguments (string, int, bool or
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
	// MediaTimeout bounds every wait on a Media operation (default
	// DefaultMediaTimeout). What times out ends cleanly: an incoming call
	// is declined with 500, an outgoing one ends, a peer's re-INVITE gets
	// 488 and a hold is undone.
	MediaTimeout time.Duration
	// Alerts plays the ringtone, ringback, call-waiting beep and DTMF key
	// tones (tones.go); nil plays none.
	Alerts Alerts
	// Devices chooses the audio devices and sets the volumes
	// (devices.go); nil: getdevicelist is empty and setdevice fails.
	Devices Devices
	// Recorder records calls in the page for voicerecord/voicerecupload
	// (voicerec.go); nil: voicerecord fails.
	Recorder CallRecorder
	// Player plays sound files for play() (play.go); nil: play fails.
	Player SoundPlayer
	// Notifier shows the incoming-call notifications (callpopup.go); nil
	// shows none.
	Notifier Notifier
	// Conference mixes the calls of a conference (conference.go); nil:
	// conference fails.
	Conference ConferenceMixer
	// HTTP sends the sms HTTP API requests (smsapi.go); nil: sendsms with
	// the sms parameter set fails.
	HTTP HTTPRequester
	// EngineName names the media engine for getenginename ("webrtc" or
	// "pcm", docs/pcm-engine.md); nil: "webrtc".
	EngineName func() string
}

// Engine is one webphone instance: the Mizu API over a sipcore.UA. All
// methods are safe for concurrent use, return quickly, and never panic.
//
// Engine is the API facade: its exported methods are what the platform
// (jsbridge) calls, and each delegates to the part that owns the state.
// Every part has its own lock; they are taken in the order app, reg,
// lines (a later one may be taken while holding an earlier one, never the
// other way round). Engine itself has no lock.
type Engine struct {
	opts     Options
	params   *Params       // parameters, with their own lock
	queue    *emitQueue    // page callbacks, delivered in order
	logs     *logBuffer    // getlogs
	hist     *sipHistory   // the SIP message history
	app      *appMachine   // app state, the UA and its connection, general status
	reg      *regMachine   // the registration
	lines    *lineTable    // the calls
	xfers    *transfers    // transfers in progress, with their own lock (transfer.go)
	tones    toneState     // which alert tone plays, with its own lock
	devices  deviceState   // device and volume parameters applied, with its own lock
	voicerec voiceRecState // call recording, with its own lock
	popups   popupState    // incoming-call notifications shown, with its own lock
	conf     conference    // the local conference, with its own lock (conference.go)

	keep    callKeeper    // calls across a lost connection (reconnect_calls.go)
	nextID  nextCallID    // nextcallid (linedetails.go)
	redials redialer      // redialonfail (redial.go)
	extra   extraAccounts // registerex (registerex.go)

	watches watchList // presence, BLF and voicemail subscriptions (watches.go)

	userData *userData // contacts and call history, per account (userdata.go)
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
	if opts.MediaTimeout <= 0 {
		opts.MediaTimeout = DefaultMediaTimeout
	}
	if opts.DTMFDuration <= 0 {
		opts.DTMFDuration = 160 * time.Millisecond
	}
	e := &Engine{
		opts:   opts,
		params: NewParams(opts.Storage),
		logs:   newLogBuffer(256 << 10),
		hist:   newSIPHistory(200),
		lines:  newLineTable(opts.Now),
		reg:    newRegMachine(),
		xfers:  newTransfers(),

		userData: newUserData(opts.Storage),
	}
	e.app = newAppMachine(e.reg, func(ua *sipcore.UA) *reconnector { return &reconnector{e: e, ua: ua} })
	e.queue = newEmitQueue(func(r any) {
		e.logs.add(fmt.Sprintf("ERROR, callback panic: %v", r))
	})
	return e
}

// Params returns the engine's parameter store.
func (e *Engine) Params() *Params { return e.params }

// Close stops the engine (like Stop, without waiting for the network) and
// releases its goroutines after the queued events were delivered (waiting
// at most closeDrainTimeout for a page callback). The engine cannot be
// used afterwards.
func (e *Engine) Close() {
	ua, ok := e.app.close()
	if !ok {
		return
	}
	ls := e.lines.live()
	for _, l := range ls {
		e.endLine(l, "-1 endpoint destroy", DiscLocal)
	}
	e.extra.stopAll()
	if ua != nil {
		ua.Stop()
	}
	expired := make(chan struct{})
	stop := e.opts.AfterFunc(closeDrainTimeout, func() { close(expired) })
	defer stop()
	if !e.queue.close(expired) {
		e.logs.add("WARNING, a page callback did not return; Close goes on without it")
	}
}

// closeDrainTimeout bounds how long Close waits for the page callbacks
// still queued.
const closeDrainTimeout = 5 * time.Second

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

// GetEngineName returns the name of the media engine calls use, which
// pages branch on: Options.EngineName's answer, "webrtc" without it
// (docs/pcm-engine.md).
func (e *Engine) GetEngineName() (name string) {
	defer e.recovered("getenginename")
	name = "webrtc"
	if e.opts.EngineName != nil {
		if n := e.opts.EngineName(); n != "" {
			name = n
		}
	}
	return name
}
