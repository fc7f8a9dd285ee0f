package gophone

import (
	"time"

	"github.com/opensoftphone/webphone/mediacore"
)

// ToneWindow is the length of the blocks a ToneMeter judges: 200 ms, a whole
// number of periods of every multiple of 5 Hz.
const ToneWindow = mediacore.SampleRate / 5

// maxToneWindows bounds the audio a ToneMeter keeps (60 s).
const maxToneWindows = 300

// ToneMeter is a mediacore.PCMSink that cuts the decoded audio of a call into
// ToneWindow blocks and tells which blocks carry a given tone, using
// mediacore's Goertzel filter.
type ToneMeter struct {
	w       *waiter
	partial []int16
	windows [][]int16
}

// NewToneMeter returns an empty meter.
func NewToneMeter() *ToneMeter { return &ToneMeter{w: newWaiter()} }

// WritePCM takes one decoded frame.
func (m *ToneMeter) WritePCM(frame []int16) error {
	m.w.update(func() {
		m.partial = append(m.partial, frame...)
		for len(m.partial) >= ToneWindow {
			win := append([]int16(nil), m.partial[:ToneWindow]...)
			m.partial = append(m.partial[:0], m.partial[ToneWindow:]...)
			if len(m.windows) == maxToneWindows {
				m.windows = append(m.windows[:0], m.windows[1:]...)
			}
			m.windows = append(m.windows, win)
		}
	})
	return nil
}

// Windows is how many complete windows were received so far (at most
// 300 are kept).
func (m *ToneMeter) Windows() int {
	var n int
	m.w.read(func() { n = len(m.windows) })
	return n
}

// CountTone is how many of the kept windows after the first skip ones carry
// freq (see HasTone).
func (m *ToneMeter) CountTone(freq float64, skip int) int {
	var n int
	m.w.read(func() { n = m.countLocked(freq, skip) })
	return n
}

func (m *ToneMeter) countLocked(freq float64, skip int) int {
	n := 0
	for i := skip; i < len(m.windows); i++ {
		if HasTone(m.windows[i], freq) {
			n++
		}
	}
	return n
}

// WaitTone waits until at least n windows after the first skip carry freq.
func (m *ToneMeter) WaitTone(freq float64, skip, n int, timeout time.Duration) bool {
	return m.w.wait(timeout, func() bool { return m.countLocked(freq, skip) >= n })
}

// WaitQuiet waits until n consecutive windows after the first skip are
// quiet (see IsQuiet).
func (m *ToneMeter) WaitQuiet(skip, n int, timeout time.Duration) bool {
	return m.w.wait(timeout, func() bool {
		run := 0
		for i := skip; i < len(m.windows); i++ {
			if IsQuiet(m.windows[i]) {
				run++
				if run >= n {
					return true
				}
			} else {
				run = 0
			}
		}
		return false
	})
}

// Samples returns a copy of the kept audio (complete windows only).
func (m *ToneMeter) Samples() []int16 {
	var out []int16
	m.w.read(func() {
		for _, win := range m.windows {
			out = append(out, win...)
		}
	})
	return out
}

// HasTone reports whether a sine at freq carries at least 80% of the block's
// energy at an amplitude of at least 5% of full scale: the block is that
// tone, not noise, silence or another sound.
func HasTone(block []int16, freq float64) bool {
	if len(block) == 0 {
		return false
	}
	var meanSquare float64
	for _, x := range block {
		v := float64(x) / 32768
		meanSquare += v * v
	}
	meanSquare /= float64(len(block))
	if meanSquare == 0 {
		return false
	}
	p := mediacore.GoertzelPower(block, freq)
	// A sine of normalized Goertzel power p has mean square 2p.
	return 2*p/meanSquare >= 0.8 && mediacore.ToneAmplitude(block, freq) >= 0.05
}

// IsQuiet reports whether the block's RMS level is below 1% of full scale.
func IsQuiet(block []int16) bool {
	var meanSquare float64
	for _, x := range block {
		v := float64(x) / 32768
		meanSquare += v * v
	}
	if len(block) > 0 {
		meanSquare /= float64(len(block))
	}
	return meanSquare < 0.01*0.01
}
