package webaudio

import (
	"sync"

	"github.com/opensoftphone/webphone/mediacore"
)

// ToneMeter keeps the last half second of decoded 8 kHz audio and names
// its strongest frequency (Goertzel over a 10 Hz grid from 200 to
// 3500 Hz), for the PCM media's statistics line: what the page's Go side
// hears, without a person listening. It has its own lock.
type ToneMeter struct {
	mu   sync.Mutex
	ring *Ring
	buf  []int16
}

// toneWindow is about how many samples the meter analyses (0.5 s at 8 kHz).
const toneWindow = 4000

// NewToneMeter returns an empty meter.
func NewToneMeter() *ToneMeter {
	r := NewRing(toneWindow)
	return &ToneMeter{ring: r, buf: make([]int16, len(r.buf))}
}

// WritePCM records a decoded frame (mediacore's PCMSink).
func (m *ToneMeter) WritePCM(frame []int16) error {
	m.ring.Write(frame)
	return nil
}

// toneGrid are the candidate frequencies of Strongest.
var toneGrid = func() []float64 {
	var g []float64
	for f := 200.0; f <= 3500; f += 10 {
		g = append(g, f)
	}
	return g
}()

// Strongest returns the strongest grid frequency of the last half second,
// its amplitude (0..1 of full scale) and its share of the power summed
// over the grid (1: a pure tone). freq is 0 when nothing was heard.
func (m *ToneMeter) Strongest() (freq, amplitude, share float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.ring
	r.mu.Lock()
	n := ringQueued(r.write, r.read)
	a0, a1, b0, b1 := ringSpans(r.read, n, len(r.buf))
	k := copy(m.buf, r.buf[a0:a1])
	copy(m.buf[k:n], r.buf[b0:b1])
	r.mu.Unlock()
	if n < 800 {
		return 0, 0, 0
	}
	s := m.buf[:n]
	freq, share = mediacore.StrongestTone(s, toneGrid)
	if freq == 0 {
		return 0, 0, 0
	}
	return freq, mediacore.ToneAmplitude(s, freq), share
}

// teeSink writes each frame to every sink.
type teeSink []mediacore.PCMSink

func (t teeSink) WritePCM(frame []int16) error {
	for _, s := range t {
		if s != nil {
			_ = s.WritePCM(frame)
		}
	}
	return nil
}
