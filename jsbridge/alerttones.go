package jsbridge

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/opensoftphone/webphone/mediacore"
)

// The generated alert tones. The ringtone proper is a file (the ringtone
// parameter, default DefaultRingtone); RingtoneSpec is what that default
// file holds and what plays when a ringtone file cannot be loaded.
var (
	// RingtoneSpec: 852 Hz, two 0.4 s bursts then 2 s of silence (3 s).
	RingtoneSpec = mediacore.ToneSpec{Freqs: []float64{852}, Level: 0.5, Repeat: true,
		Cadence: []time.Duration{400 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 2 * time.Second}}
	// RingbackSpec is the ETSI ringback: 425 Hz, 1 s on, 4 s off.
	RingbackSpec = mediacore.RingbackEU
	// CallWaitingSpec: 440 Hz, two 0.3 s beeps every 6 s.
	CallWaitingSpec = mediacore.ToneSpec{Freqs: []float64{440}, Level: 0.3, Repeat: true,
		Cadence: []time.Duration{300 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 5200 * time.Millisecond}}
	// BeepIncomingSpec (beeponincoming): 1400 Hz, two 0.15 s beeps, once.
	BeepIncomingSpec = mediacore.ToneSpec{Freqs: []float64{1400}, Level: 0.3,
		Cadence: []time.Duration{150 * time.Millisecond, 100 * time.Millisecond, 150 * time.Millisecond, 0}}
	// BeepConnectSpec (beeponconnect): 1200 Hz, one 0.3 s beep.
	BeepConnectSpec = mediacore.ToneSpec{Freqs: []float64{1200}, Level: 0.3,
		Cadence: []time.Duration{300 * time.Millisecond, 0}}
)

// DefaultRingtone is the ringtone file shipped in www/, relative to
// webphone_api.js.
const DefaultRingtone = "sounds/ringtone.wav"

// keyToneLength and keyToneGap shape the local DTMF feedback.
const (
	keyToneLength = 100 * time.Millisecond
	keyToneGap    = 60 * time.Millisecond
)

// renderCadence returns one period of a tone spec as 8 kHz PCM (the whole
// cadence once, its silences included; 1 s of a continuous tone).
func renderCadence(spec mediacore.ToneSpec) []int16 {
	var total time.Duration
	for _, d := range spec.Cadence {
		total += d
	}
	if total <= 0 {
		total = time.Second
	}
	spec.Repeat = false
	pcm := make([]int16, int(total*mediacore.SampleRate/time.Second))
	_, _ = mediacore.NewTone(spec).ReadPCM(pcm) // what it leaves is silence
	return pcm
}

// renderKeyTones returns the local feedback of DTMF digits: each digit's
// tone then a short gap. Digits without a tone are left out.
func renderKeyTones(digits string) []int16 {
	var out []int16
	gap := make([]int16, int(keyToneGap*mediacore.SampleRate/time.Second))
	for _, d := range digits {
		spec, err := mediacore.DTMFTone(d, keyToneLength)
		if err != nil {
			continue
		}
		pcm := make([]int16, int(keyToneLength*mediacore.SampleRate/time.Second))
		n, _ := mediacore.NewTone(spec).ReadPCM(pcm)
		out = append(out, pcm[:n]...)
		out = append(out, gap...)
	}
	return out
}

// resolveSoundURL resolves ref against base and accepts only the schemes a
// sound may come from.
func resolveSoundURL(base, ref string) (string, error) {
	r, err := url.Parse(ref)
	if err != nil {
		return "", err
	}
	if b, err := url.Parse(base); err == nil {
		r = b.ResolveReference(r)
	}
	switch strings.ToLower(r.Scheme) {
	case "http", "https", "blob", "data":
		return r.String(), nil
	}
	return "", errors.New("not an http(s), blob or data URL")
}
