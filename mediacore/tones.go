package mediacore

import (
	"fmt"
	"io"
	"math"
	"time"
)

// ToneSpec describes a call-progress or signalling tone: a sum of sine waves switched on and off
// by a cadence.
type ToneSpec struct {
	Freqs   []float64       // Hz; each at Level
	Level   float64         // peak amplitude of each frequency, 0..1 of full scale; 0 = 0.25
	Cadence []time.Duration // on, off, on, off, ...; empty = continuous
	Repeat  bool            // repeat the cadence forever; otherwise play it once then EOF
}

// Standard tones. US values from ANSI T1.401 (precise tone plan), EU from ETSI ES 201 970.
var (
	RingbackUS = ToneSpec{Freqs: []float64{440, 480}, Cadence: []time.Duration{2 * time.Second, 4 * time.Second}, Repeat: true}
	RingbackEU = ToneSpec{Freqs: []float64{425}, Cadence: []time.Duration{time.Second, 4 * time.Second}, Repeat: true}
	BusyUS     = ToneSpec{Freqs: []float64{480, 620}, Cadence: []time.Duration{500 * time.Millisecond, 500 * time.Millisecond}, Repeat: true}
	BusyEU     = ToneSpec{Freqs: []float64{425}, Cadence: []time.Duration{500 * time.Millisecond, 500 * time.Millisecond}, Repeat: true}
	// Beep is a short notification beep (e.g. call waiting), played once.
	Beep = ToneSpec{Freqs: []float64{1000}, Cadence: []time.Duration{250 * time.Millisecond}}
)

// DTMF frequency grid (ITU-T Q.23).
var (
	dtmfRows = [4]float64{697, 770, 852, 941}
	dtmfCols = [4]float64{1209, 1336, 1477, 1633}
	dtmfGrid = [4]string{"123A", "456B", "789C", "*0#D"}
)

// DTMFTone returns the in-band tone for a digit lasting d, followed by no pause.
func DTMFTone(digit rune, d time.Duration) (ToneSpec, error) {
	digit = toUpperASCII(digit)
	for r, row := range dtmfGrid {
		for c, ch := range row {
			if ch == digit {
				return ToneSpec{Freqs: []float64{dtmfRows[r], dtmfCols[c]}, Level: 0.3, Cadence: []time.Duration{d}}, nil
			}
		}
	}
	return ToneSpec{}, fmt.Errorf("mediacore: no DTMF tone for %q", digit)
}

// SineTone is a continuous single-frequency tone at the given level (0..1).
func SineTone(freq, level float64) ToneSpec {
	return ToneSpec{Freqs: []float64{freq}, Level: level}
}

// Tone generates a ToneSpec as a PCMSource. The phase is continuous across frames.
type Tone struct {
	spec  ToneSpec
	step  []float64 // phase increment per sample
	phase []float64
	seg   int // cadence segment index
	left  int // samples left in the segment
	done  bool
}

// NewTone returns a generator for spec.
func NewTone(spec ToneSpec) *Tone {
	if spec.Level <= 0 {
		spec.Level = 0.25
	}
	t := &Tone{spec: spec, step: make([]float64, len(spec.Freqs)), phase: make([]float64, len(spec.Freqs))}
	for i, f := range spec.Freqs {
		t.step[i] = 2 * math.Pi * f / SampleRate
	}
	if len(spec.Cadence) > 0 {
		t.left = durationSamples(spec.Cadence[0])
	}
	return t
}

// ReadPCM fills dst with the tone; it returns io.EOF once a non-repeating cadence is over.
func (t *Tone) ReadPCM(dst []int16) (int, error) {
	if t.done {
		return 0, io.EOF
	}
	amp := t.spec.Level * 32767
	for i := range dst {
		if len(t.spec.Cadence) > 0 {
			for t.left <= 0 {
				t.seg++
				if t.seg >= len(t.spec.Cadence) {
					if !t.spec.Repeat {
						t.done = true
						return i, nil
					}
					t.seg = 0
				}
				t.left = durationSamples(t.spec.Cadence[t.seg])
			}
			t.left--
		}
		var v float64
		on := t.seg%2 == 0
		for k := range t.step {
			if on {
				v += math.Sin(t.phase[k])
			}
			t.phase[k] += t.step[k]
			if t.phase[k] > 2*math.Pi {
				t.phase[k] -= 2 * math.Pi
			}
		}
		dst[i] = saturate16(int32(v * amp))
	}
	return len(dst), nil
}
