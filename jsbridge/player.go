//go:build js && wasm

package jsbridge

import (
	"sync"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

// PagePlayer is engine.SoundPlayer over PageAudio: a sound file (any
// format the browser decodes; 8 kHz 16-bit WAV at least) plays on the
// tones output (the speaker), or into every call's sent audio, mixed after
// the microphone's volume, so the far ends hear it.
type PagePlayer struct {
	Audio   *PageAudio
	Devices *PageDevices
	// Warn receives problems (a file that cannot be loaded); may be nil.
	Warn func(msg string)

	mu    sync.Mutex
	gen   int // bumped by StopSounds; a sound still loading checks it
	stops []func()
}

var _ engine.SoundPlayer = (*PagePlayer)(nil)

func (p *PagePlayer) warn(msg string) {
	if p.Warn != nil {
		p.Warn(msg)
	}
}

// PlaySound resolves file against the page, then loads and plays it in the
// background.
func (p *PagePlayer) PlaySound(file string, loop, toCalls bool) error {
	u, err := resolveSoundURL(pageBaseURL(), file)
	if err != nil {
		return err
	}
	p.mu.Lock()
	gen := p.gen
	p.mu.Unlock()
	go func() {
		buf, err := p.Audio.loadSound(u)
		if err != nil {
			p.warn("cannot play " + file + ": " + err.Error())
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if gen != p.gen {
			return // stopped while loading
		}
		if toCalls {
			p.stops = append(p.stops, p.Devices.mixIntoCalls(buf, loop)...)
			return
		}
		stop, err := p.Audio.play(OutputTones, buf, loop)
		if err != nil {
			p.warn("cannot play " + file + ": " + err.Error())
			return
		}
		p.stops = append(p.stops, stop)
	}()
	return nil
}

// PreloadSound loads file in the background for a later PlaySound.
func (p *PagePlayer) PreloadSound(file string) error {
	u, err := resolveSoundURL(pageBaseURL(), file)
	if err != nil {
		return err
	}
	go func() {
		if _, err := p.Audio.loadSound(u); err != nil {
			p.warn("cannot load " + file + ": " + err.Error())
		}
	}()
	return nil
}

// StopSounds stops every sound, also those still loading.
func (p *PagePlayer) StopSounds() {
	p.mu.Lock()
	p.gen++
	stops := p.stops
	p.stops = nil
	p.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
}

// mixIntoCalls plays buf into every call's sent audio and returns the
// functions that stop it.
func (d *PageDevices) mixIntoCalls(buf safejs.Value, loop bool) []func() {
	d.mu.Lock()
	var mics []*micChain
	for c := range d.mics {
		mics = append(mics, c)
	}
	d.mu.Unlock()
	var stops []func()
	for _, c := range mics {
		if stop, err := c.mix(buf, loop); err == nil {
			stops = append(stops, stop)
		} else {
			d.warn("cannot play into the call: " + err.Error())
		}
	}
	return stops
}
