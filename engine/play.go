package engine

import "strings"

// SoundPlayer plays sound files for play(); the platform supplies it
// (WebAudio in the browser). Its methods return at once.
type SoundPlayer interface {
	// PlaySound plays file (a URL) once or looping, locally or, with
	// toCalls, into the connected calls (mixed with the microphone) so the
	// far ends hear it.
	PlaySound(file string, loop, toCalls bool) error
	// PreloadSound fetches and decodes file for a later PlaySound.
	PreloadSound(file string) error
	// StopSounds stops every sound PlaySound started.
	StopSounds()
}

// Play plays a sound file (play(start, file, looping, toremotepeer)):
// start 1 plays, 0 stops every sound, -1 only loads the file. With
// toremotepeer the sound goes into the connected calls instead of the
// speaker; it fails when there is none. It returns false on a missing
// file or player.
func (e *Engine) Play(start int, file string, looping, toRemote bool) (ok bool) {
	defer e.recovered("play")
	p := e.opts.Player
	if p == nil {
		e.logWarn("play: this platform cannot play sounds")
		return false
	}
	if start == 0 {
		p.StopSounds()
		return true
	}
	file = strings.TrimSpace(file)
	if file == "" {
		return false
	}
	if start < 0 {
		if err := p.PreloadSound(file); err != nil {
			e.logWarn("play: " + err.Error())
			return false
		}
		return true
	}
	if toRemote && !e.anyCallConnected() {
		e.logWarn("play: no call to play " + file + " into")
		return false
	}
	if err := p.PlaySound(file, looping, toRemote); err != nil {
		e.logWarn("play " + file + ": " + err.Error())
		return false
	}
	return true
}

// anyCallConnected reports whether any line is connected.
func (e *Engine) anyCallConnected() bool {
	t := e.lines
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range t.liveLocked() {
		if l.state == lineConnected {
			return true
		}
	}
	return false
}
