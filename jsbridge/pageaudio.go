//go:build js && wasm

package jsbridge

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/mediacore"
)

// Output names of PageAudio: the ring output plays the ringtone (on the
// ring device), the tones output the ringback, call-waiting beep and key
// tones (on the speaker device).
const (
	OutputRing  = "ring"
	OutputTones = "tones"
)

// PageAudio is the page's own audio graph: one AudioContext whose outputs
// each end in a hidden <audio data-webphone-output="name"> element fed by a
// MediaStreamAudioDestinationNode, so that each can play on its own device
// (setSinkId) at its own volume (a GainNode). The first user gesture on the
// page resumes the context and the elements (the browsers' autoplay rule),
// for the rest of the page's life.
type PageAudio struct {
	mu      sync.Mutex
	ctx     safejs.Value
	haveCtx bool
	outputs map[string]*audioOutput
	unlock  safejs.Func
	sounds  map[string]safejs.Value // decoded sound files by URL
	// inUse: something (a call's microphone, a tone, the recorder) has
	// asked for the context. Until then a context made ahead (Prepare)
	// stays suspended, and gestures do not resume it.
	inUse bool
}

// audioOutput is one output chain: gain -> destination -> <audio>.
type audioOutput struct {
	gain safejs.Value
	el   safejs.Value
}

// unlockEvents are the user gestures that let a page start audio.
var unlockEvents = []string{"pointerdown", "keydown", "touchstart", "click"}

// context returns the AudioContext, creating it (and the gesture
// listeners) on first use.
func (a *PageAudio) context() (safejs.Value, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.contextLocked()
}

// contextLocked is context with a.mu held: it marks the context in use and
// resumes one that Prepare made and suspended.
func (a *PageAudio) contextLocked() (safejs.Value, error) {
	wasInUse := a.inUse
	a.inUse = true
	if a.haveCtx {
		if !wasInUse {
			// after Prepare's suspend, even one still under way (the
			// context runs the two in order)
			catchRejection(a.ctx.Call("resume"))
		}
		return a.ctx, nil
	}
	return a.newContextLocked()
}

// Prepare makes the AudioContext ahead of its first use and leaves it
// suspended (no audio thread runs while the page is idle). Making one
// blocks the page's thread for 100-200 ms in Chromium (it opens the audio
// output), which a call would otherwise pay between its offer and its
// INVITE; resuming it takes a few milliseconds, off the page's thread.
func (a *PageAudio) Prepare() { _, _ = a.idleContext() }

// idleContext returns the context for work that needs no running audio
// (making and decoding AudioBuffers): unlike context, it does not resume
// a context that Prepare suspended, and a context it makes stays
// suspended until something plays.
func (a *PageAudio) idleContext() (safejs.Value, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.haveCtx {
		return a.ctx, nil
	}
	ctx, err := a.newContextLocked()
	if err == nil {
		catchRejection(ctx.Call("suspend"))
	}
	return ctx, err
}

// newContextLocked creates the context and its gesture listeners.
func (a *PageAudio) newContextLocked() (safejs.Value, error) {
	ctor, err := global("AudioContext")
	if err != nil || ctor.Type() != safejs.TypeFunction {
		if ctor, err = global("webkitAudioContext"); err != nil || ctor.Type() != safejs.TypeFunction {
			return safejs.Undefined(), errors.New("this browser has no Web Audio (AudioContext)")
		}
	}
	ctx, err := ctor.New()
	if err != nil {
		return safejs.Undefined(), fmt.Errorf("new AudioContext: %w", err)
	}
	a.ctx, a.haveCtx = ctx, true
	a.listenForGestureLocked()
	return ctx, nil
}

// listenForGestureLocked resumes the context and the output elements on
// the user's gestures (every gesture: cheap, and a context a browser
// suspended later comes back too).
func (a *PageAudio) listenForGestureLocked() {
	doc, err := global("document")
	if err != nil || isNullish(doc) {
		return
	}
	f, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		a.Resume()
		return nil
	})
	if err != nil {
		return
	}
	a.unlock = f
	for _, ev := range unlockEvents {
		_, _ = doc.Call("addEventListener", ev, f, map[string]any{"capture": true, "passive": true})
	}
}

// Resume resumes a suspended context and restarts paused outputs. It is
// what a user gesture does; calling it without one may do nothing.
func (a *PageAudio) Resume() {
	a.mu.Lock()
	ctx, have := a.ctx, a.haveCtx && a.inUse
	var els []safejs.Value
	for _, o := range a.outputs {
		els = append(els, o.el)
	}
	a.mu.Unlock()
	if !have {
		return
	}
	if getString(ctx, "state") != "running" {
		catchRejection(ctx.Call("resume"))
	}
	for _, el := range els {
		if getBool(el, "paused") {
			catchRejection(el.Call("play"))
		}
	}
}

// catchRejection swallows a Promise rejection (autoplay refused) so that it
// is not reported as an unhandled error.
func catchRejection(p safejs.Value, err error) {
	if err != nil || isNullish(p) {
		return
	}
	if c, err := p.Get("catch"); err == nil && c.Type() == safejs.TypeFunction {
		if noop, err := global("Function"); err == nil {
			if f, err := noop.New(); err == nil {
				_, _ = p.Call("catch", f)
			}
		}
	}
}

// output returns the named output chain, creating it on first use.
func (a *PageAudio) output(name string) (*audioOutput, safejs.Value, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ctx, err := a.contextLocked()
	if err != nil {
		return nil, ctx, err
	}
	if o, ok := a.outputs[name]; ok {
		return o, ctx, nil
	}
	gain, err := ctx.Call("createGain")
	if err != nil {
		return nil, ctx, err
	}
	dest, err := ctx.Call("createMediaStreamDestination")
	if err != nil {
		return nil, ctx, err
	}
	if _, err := gain.Call("connect", dest); err != nil {
		return nil, ctx, err
	}
	doc, err := global("document")
	if err != nil {
		return nil, ctx, err
	}
	el, err := doc.Call("createElement", "audio")
	if err != nil {
		return nil, ctx, err
	}
	_ = el.Set("autoplay", true)
	_, _ = el.Call("setAttribute", "data-webphone-output", name)
	_, _ = el.Call("setAttribute", "style", "display:none")
	stream, _ := dest.Get("stream")
	_ = el.Set("srcObject", stream)
	if body, err := doc.Get("body"); err == nil && !isNullish(body) {
		_, _ = body.Call("appendChild", el)
	}
	catchRejection(el.Call("play"))
	if getString(ctx, "state") != "running" {
		catchRejection(ctx.Call("resume"))
	}
	o := &audioOutput{gain: gain, el: el}
	if a.outputs == nil {
		a.outputs = map[string]*audioOutput{}
	}
	a.outputs[name] = o
	return o, ctx, nil
}

// SetOutputGain sets an output's volume (1 = unchanged).
func (a *PageAudio) SetOutputGain(name string, gain float64) error {
	o, _, err := a.output(name)
	if err != nil {
		return err
	}
	g, err := o.gain.Get("gain")
	if err != nil {
		return err
	}
	return g.Set("value", gain)
}

// SetOutputSink sends an output to an audio output device (setSinkId);
// "" is the default device.
func (a *PageAudio) SetOutputSink(name, deviceID string) error {
	o, _, err := a.output(name)
	if err != nil {
		return err
	}
	return setSink(o.el, deviceID)
}

// setSink calls el.setSinkId(deviceID) where the browser has it.
func setSink(el safejs.Value, deviceID string) error {
	if f, err := el.Get("setSinkId"); err != nil || f.Type() != safejs.TypeFunction {
		return errors.New("this browser cannot choose the audio output device (no setSinkId)")
	}
	p, err := el.Call("setSinkId", deviceID)
	catchRejection(p, err)
	return err
}

// pcmBuffer turns 8 kHz PCM into an AudioBuffer of the page's context.
func (a *PageAudio) pcmBuffer(pcm []int16) (safejs.Value, error) {
	ctx, err := a.idleContext()
	if err != nil {
		return safejs.Undefined(), err
	}
	if len(pcm) == 0 {
		return safejs.Undefined(), errors.New("empty sound")
	}
	raw := make([]byte, 4*len(pcm))
	for i, s := range pcm {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(float32(s)/32768))
	}
	u8, err := bytesToJS(raw)
	if err != nil {
		return safejs.Undefined(), err
	}
	f32ctor, err := global("Float32Array")
	if err != nil {
		return safejs.Undefined(), err
	}
	ab, err := u8.Get("buffer")
	if err != nil {
		return safejs.Undefined(), err
	}
	f32, err := f32ctor.New(ab, 0, len(pcm))
	if err != nil {
		return safejs.Undefined(), err
	}
	buf, err := ctx.Call("createBuffer", 1, len(pcm), mediacore.SampleRate)
	if err != nil {
		return safejs.Undefined(), err
	}
	if _, err := buf.Call("copyToChannel", f32, 0); err != nil {
		return safejs.Undefined(), err
	}
	return buf, nil
}

// startBufferSource plays buf (looping or once) into the node dest of the
// AudioContext actx, and returns the AudioBufferSourceNode that plays it.
func startBufferSource(actx, buf safejs.Value, loop bool, dest safejs.Value) (safejs.Value, error) {
	src, err := actx.Call("createBufferSource")
	if err != nil {
		return safejs.Undefined(), err
	}
	_ = src.Set("buffer", buf)
	_ = src.Set("loop", loop)
	if _, err := src.Call("connect", dest); err != nil {
		return safejs.Undefined(), err
	}
	if _, err := src.Call("start"); err != nil {
		return safejs.Undefined(), err
	}
	return src, nil
}

// play plays an AudioBuffer on an output, looping or once, and returns the
// function that stops it (safe to call more than once).
func (a *PageAudio) play(output string, buf safejs.Value, loop bool) (stop func(), err error) {
	o, ctx, err := a.output(output)
	if err != nil {
		return nil, err
	}
	src, err := startBufferSource(ctx, buf, loop, o.gain)
	if err != nil {
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			_, _ = src.Call("stop")
			_, _ = src.Call("disconnect")
		})
	}, nil
}
