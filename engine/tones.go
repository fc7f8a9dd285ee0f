package engine

import (
	"strings"
	"sync"
)

// Tone is the alert the platform plays locally while calls are being set
// up. At most one plays at a time.
type Tone int

// The tones, in the order of their precedence when several calls want one.
const (
	ToneNone        Tone = iota // silence
	ToneRing                    // an incoming call rings: the ringtone, on the ring device
	ToneCallWaiting             // an incoming call rings during a call: a short repeated beep
	ToneRingback                // our outgoing call rings and the peer sends no early media
)

var toneNames = [...]string{"none", "ring", "callwaiting", "ringback"}

func (t Tone) String() string {
	if t >= 0 && int(t) < len(toneNames) {
		return toneNames[t]
	}
	return "unknown"
}

// Alerts plays the local tones; the platform supplies it (WebAudio in the
// browser). Its methods are called from engine goroutines, in order, and
// must return at once.
type Alerts interface {
	// SetTone switches to tone t, stopping the previous one. For ToneRing,
	// ringtone is the ringtone parameter (a URL; "" means the built-in
	// one).
	SetTone(t Tone, ringtone string)
	// KeyTone plays the local feedback of DTMF digits (0-9 * # A-D), one
	// after the other.
	KeyTone(digits string)
}

// toneState remembers the tone last asked for, so the platform hears of
// each change once. Whether an outgoing line's ringback gives way to early
// media is the line's earlyMedia flag (earlymedia.go).
type toneState struct {
	mu    sync.Mutex
	cur   Tone
	beeps beepState
}

// updateTones recomputes the tone after a line changed state and tells the
// platform when it differs from the last one. The rules (Mizu "playing":
// 0 no tones, 1 no ringback, 2 all; "ringincall" 0 no call-waiting beep):
// an incoming call that rings plays the ringtone, or the call-waiting beep
// while another call is connected; an outgoing call that rings without
// early media plays the ringback (early media stops it unless
// changesptoring is 5, StopsRingback); anything else (answer, reject, ignore,
// cancel, hangup, timeout) is silence. It also plays the one-off beeps
// (beeps.go: beeponincoming, beeponconnect) when the Alerts is a Beeper.
func (e *Engine) updateTones() {
	e.updatePopups()
	if e.opts.Alerts == nil {
		return
	}
	playing := e.params.Int("playing", 2)
	waitingBeep := e.params.Int("ringincall", 1) != 0
	ringtone := strings.TrimSpace(e.params.Get("ringtone"))
	beepIn := e.params.Int("beeponincoming", 0)
	beepConn := e.params.Int("beeponconnect", 0)
	earlyStops := e.StopsRingback()

	e.tones.mu.Lock()
	defer e.tones.mu.Unlock()
	t := e.lines
	t.mu.Lock()
	ringingIn, ringingOut, connected := false, false, false
	live := t.liveLocked()
	beeps := e.tones.beeps.dueBeeps(live, beepIn, beepConn)
	for _, l := range live {
		switch {
		case l.state == lineConnected:
			connected = true
		case l.dir == 2 && l.state == lineRinging:
			ringingIn = true
		case l.dir == 1 && l.state == lineRinging && !(l.earlyMedia && earlyStops):
			ringingOut = true
		}
	}
	t.mu.Unlock()

	tone := ToneNone
	switch {
	case playing <= 0:
	case ringingIn && !connected:
		tone = ToneRing
	case ringingIn && waitingBeep:
		tone = ToneCallWaiting
	case ringingOut && !connected && playing >= 2:
		tone = ToneRingback
	}
	if b, ok := e.opts.Alerts.(Beeper); ok && playing > 0 {
		for _, beep := range beeps {
			b.Beep(beep)
		}
	}
	if tone == e.tones.cur {
		return
	}
	e.tones.cur = tone
	if tone == ToneRing {
		e.applyAudioSettings() // the ring device and volume
	}
	e.opts.Alerts.SetTone(tone, ringtone)
}

// keyTones plays the local feedback of digits sent with dtmf(), per
// "playdtmfsound": 0 never, 1 for a single digit (default), 2 always.
func (e *Engine) keyTones(digits string) {
	if e.opts.Alerts == nil {
		return
	}
	d := strings.Map(func(r rune) rune {
		if r == ' ' || r == ',' {
			return -1
		}
		return r
	}, strings.ToUpper(digits))
	switch mode := e.params.Int("playdtmfsound", 1); {
	case d == "", mode <= 0, mode == 1 && len(d) != 1:
		return
	}
	e.opts.Alerts.KeyTone(d)
}
