package mediacore

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestConcealerContinuesPitchThenFades(t *testing.T) {
	c := NewConcealer()
	tone := readAll(t, NewTone(SineTone(250, 0.5)), 320) // 32-sample period
	c.Good(tone)
	gap := make([]int16, 160)
	c.Conceal(gap)
	assert.True(t, c.Concealing())
	assert.Equal(t, 32, c.period, "pitch period found by autocorrelation")
	// The first concealed period continues the waveform closely.
	next := readAll(t, NewTone(SineTone(250, 0.5)), 352)[320:]
	for i := 0; i < 16; i++ {
		assert.InDelta(t, next[i], gap[i], 1000, "sample %d", i)
	}
	assert.Greater(t, ToneAmplitude(gap, 250), 0.25)

	// After the fade time only silence is produced.
	rest := make([]int16, 480)
	c.Conceal(rest)
	for _, v := range rest[320:] {
		assert.Zero(t, v)
	}

	// New good audio ends the gap.
	c.Good(tone[:160])
	assert.False(t, c.Concealing())
}

func TestConcealerWithoutHistoryIsSilent(t *testing.T) {
	c := NewConcealer()
	gap := []int16{5, 5, 5}
	c.Conceal(gap)
	assert.Equal(t, []int16{0, 0, 0}, gap)
	c.Good([]int16{1, 2})
	c.Reset()
	c.Conceal(gap)
	assert.Equal(t, []int16{0, 0, 0}, gap)
}
