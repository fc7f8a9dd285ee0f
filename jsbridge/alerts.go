//go:build js && wasm

package jsbridge

import (
	"strings"
	"sync"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
	"github.com/opensoftphone/webphone/mediacore"
)

// BaseURLName is the global webphone_api.js sets to its own folder, the
// base of the files shipped in www/ (sounds/...).
const BaseURLName = "__webphone_base"

// PageAlerts is engine.Alerts over PageAudio: the ringtone (a file, looped,
// on the ring output), and the generated ringback, call-waiting beep and
// DTMF key tones (on the tones output).
type PageAlerts struct {
	Audio *PageAudio
	// Warn receives problems (a ringtone that cannot be loaded, no Web
	// Audio). May be nil.
	Warn func(msg string)

	mu      sync.Mutex
	gen     int    // bumped by every SetTone; a late ringtone load checks it
	stop    func() // stops the current tone
	buffers map[string]safejs.Value
}

var (
	_ engine.Alerts = (*PageAlerts)(nil)
	_ engine.Beeper = (*PageAlerts)(nil)
)

func (a *PageAlerts) warn(msg string) {
	if a.Warn != nil {
		a.Warn(msg)
	}
}

// SetTone stops the current tone and starts t. A ringtone file is fetched
// and decoded in the background (once per URL); the built-in ring plays
// when it cannot be loaded.
func (a *PageAlerts) SetTone(t engine.Tone, ringtone string) {
	a.mu.Lock()
	a.gen++
	gen := a.gen
	stop := a.stop
	a.stop = nil
	a.mu.Unlock()
	if stop != nil {
		stop()
	}
	switch t {
	case engine.ToneRing:
		go a.startRing(gen, ringtone)
	case engine.ToneRingback:
		a.startGenerated(gen, "ringback", RingbackSpec)
	case engine.ToneCallWaiting:
		a.startGenerated(gen, "callwaiting", CallWaitingSpec)
	}
}

// KeyTone plays the DTMF feedback of digits once on the tones output.
func (a *PageAlerts) KeyTone(digits string) {
	pcm := renderKeyTones(digits)
	if len(pcm) == 0 {
		return
	}
	buf, err := a.Audio.pcmBuffer(pcm)
	if err != nil {
		a.warn("cannot play key tones: " + err.Error())
		return
	}
	if _, err := a.Audio.play(OutputTones, buf, false); err != nil {
		a.warn("cannot play key tones: " + err.Error())
	}
}

// Beep plays a one-off beep once on the tones output (engine.Beeper),
// alongside the current tone.
func (a *PageAlerts) Beep(b engine.Beep) {
	spec := BeepConnectSpec
	if b == engine.BeepIncoming {
		spec = BeepIncomingSpec
	}
	key := "beep-" + b.String()
	buf, err := a.generated(key, spec)
	if err != nil {
		a.warn("cannot play the " + key + ": " + err.Error())
		return
	}
	if _, err := a.Audio.play(OutputTones, buf, false); err != nil {
		a.warn("cannot play the " + key + ": " + err.Error())
	}
}

// Prepare renders the generated tones a call starts with (the ringback,
// the call-waiting beep) ahead of the first call: rendering them costs a
// first call tens of milliseconds of the page's thread just as the answer
// comes in. Call it once the page's AudioContext is made
// (PageAudio.Prepare), off the call path.
func (a *PageAlerts) Prepare() {
	if _, err := a.generated("ringback", RingbackSpec); err == nil {
		_, _ = a.generated("callwaiting", CallWaitingSpec)
	}
}

// generated returns the AudioBuffer of the tone spec stored under key,
// rendering it on first use.
func (a *PageAlerts) generated(key string, spec mediacore.ToneSpec) (safejs.Value, error) {
	return a.cachedBuffer(key, func() (safejs.Value, error) { return a.Audio.pcmBuffer(renderCadence(spec)) })
}

// startGenerated loops a generated tone on the tones output.
func (a *PageAlerts) startGenerated(gen int, key string, spec mediacore.ToneSpec) {
	buf, err := a.generated(key, spec)
	if err != nil {
		a.warn("cannot play the " + key + " tone: " + err.Error())
		return
	}
	a.startLoop(gen, OutputTones, buf)
}

// startRing loads the ringtone (runs on its own goroutine: it awaits
// Promises) and loops it on the ring output unless the tone changed
// meanwhile.
func (a *PageAlerts) startRing(gen int, ringtone string) {
	u, err := ringtoneURL(ringtone)
	var buf safejs.Value
	if err == nil {
		buf, err = a.Audio.loadSound(u)
	}
	if err != nil {
		a.warn("cannot play the ringtone " + ringtone + ": " + err.Error() + "; playing the built-in ring")
		if buf, err = a.generated("ring", RingtoneSpec); err != nil {
			a.warn("cannot play the ring: " + err.Error())
			return
		}
	}
	a.startLoop(gen, OutputRing, buf)
}

// startLoop plays buf looped on output if gen is still the current tone.
func (a *PageAlerts) startLoop(gen int, output string, buf safejs.Value) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if gen != a.gen {
		return
	}
	stop, err := a.Audio.play(output, buf, true)
	if err != nil {
		a.warn("cannot play a tone: " + err.Error())
		return
	}
	a.stop = stop
}

// cachedBuffer returns the AudioBuffer stored under key, making it once.
func (a *PageAlerts) cachedBuffer(key string, make func() (safejs.Value, error)) (safejs.Value, error) {
	a.mu.Lock()
	buf, ok := a.buffers[key]
	a.mu.Unlock()
	if ok {
		return buf, nil
	}
	buf, err := make()
	if err != nil {
		return safejs.Undefined(), err
	}
	a.mu.Lock()
	if a.buffers == nil {
		a.buffers = map[string]safejs.Value{}
	}
	a.buffers[key] = buf
	a.mu.Unlock()
	return buf, nil
}

// ringtoneURL resolves the ringtone parameter: "" is the shipped default
// (next to webphone_api.js); a relative URL is relative to the page;
// only http(s), blob and data URLs are played.
func ringtoneURL(ringtone string) (string, error) {
	ringtone = strings.TrimSpace(ringtone)
	base := pageBaseURL()
	if ringtone == "" {
		if b, err := global(BaseURLName); err == nil && b.Type() == safejs.TypeString {
			if s, err := b.String(); err == nil && s != "" {
				base = s
			}
		}
		ringtone = DefaultRingtone
	}
	return resolveSoundURL(base, ringtone)
}

// pageBaseURL is document.baseURI ("" when unknown).
func pageBaseURL() string {
	doc, err := global("document")
	if err != nil || isNullish(doc) {
		return ""
	}
	return getString(doc, "baseURI")
}
