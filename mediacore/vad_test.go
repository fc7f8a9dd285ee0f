package mediacore

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFormatVADExactMizuLine(t *testing.T) {
	assert.Equal(t,
		"VAD,local_vad: ON local_avg: 0 local_max: 0 local_speaking: no remote_vad: ON remote_avg: 0 remote_max: 0 remote_speaking: no",
		FormatVAD(LevelReport{Enabled: true}, LevelReport{Enabled: true}))
	assert.Equal(t,
		"VAD,local_vad: OFF local_avg: 12 local_max: 50 local_speaking: yes remote_vad: ON remote_avg: 1 remote_max: 3 remote_speaking: no",
		FormatVAD(LevelReport{Avg: 12, Max: 50, Speaking: true}, LevelReport{Enabled: true, Avg: 1, Max: 3}))
}

func TestLevelMeter(t *testing.T) {
	m := NewLevelMeter()
	loud := readAll(t, NewTone(SineTone(300, 0.5)), 160)
	assert.True(t, m.Write(loud))
	r := m.Report()
	assert.True(t, r.Speaking)
	assert.True(t, r.Enabled)
	assert.InDelta(t, 50, r.Max, 1)
	assert.InDelta(t, 32, r.Avg, 1, "mean |sin| is 2/pi of the peak")

	// Silence after speech: hangover keeps "speaking" for a while, then it stops.
	quiet := make([]int16, 160)
	for i := range quiet {
		quiet[i] = int16(i%3 - 1) // -90 dBFS noise
	}
	m.Write(loud)
	speaking := 0
	for i := 0; i < 30; i++ {
		if m.Write(quiet) {
			speaking++
		}
	}
	assert.Equal(t, 15, speaking, "300 ms hangover")
	m.Report()
	for i := 0; i < 5; i++ {
		m.Write(quiet)
	}
	r = m.Report()
	assert.False(t, r.Speaking)
	assert.Zero(t, r.Max)
	assert.Zero(t, m.Report().Avg, "empty interval")
}
