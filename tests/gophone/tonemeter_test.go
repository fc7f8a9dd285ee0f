package gophone

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/opensoftphone/webphone/mediacore"
)

// feed writes seconds of src into m in 20 ms frames.
func feed(t *testing.T, m *ToneMeter, src mediacore.PCMSource, seconds float64) {
	t.Helper()
	frame := make([]int16, 160)
	for i := 0; i < int(seconds*50); i++ {
		n, _ := src.ReadPCM(frame)
		for j := n; j < len(frame); j++ {
			frame[j] = 0
		}
		require.NoError(t, m.WritePCM(frame))
	}
}

func TestToneMeterTellsTonesApart(t *testing.T) {
	m := NewToneMeter()
	feed(t, m, mediacore.NewTone(mediacore.SineTone(440, 0.3)), 1)
	require.Equal(t, 5, m.Windows())
	require.Equal(t, 5, m.CountTone(440, 0))
	require.Zero(t, m.CountTone(1000, 0))
	require.Zero(t, m.CountTone(450, 0), "10 Hz off is another tone")

	// Two tones at once (a DTMF digit) are neither; silence is nothing.
	dtmf, err := mediacore.DTMFTone('5', time.Second)
	require.NoError(t, err)
	feed(t, m, mediacore.NewTone(dtmf), 1)
	feed(t, m, &mediacore.SliceSource{}, 1)
	require.Equal(t, 15, m.Windows())
	require.Equal(t, 5, m.CountTone(440, 0))
	require.Zero(t, m.CountTone(770, 5))
	require.Zero(t, m.CountTone(1336, 5))
	require.Len(t, m.Samples(), 15*ToneWindow)

	require.True(t, m.WaitTone(440, 0, 5, time.Second))
	require.False(t, m.WaitTone(440, 5, 1, 50*time.Millisecond))
}

func TestToneMeterIgnoresQuietTone(t *testing.T) {
	m := NewToneMeter()
	feed(t, m, mediacore.NewTone(mediacore.SineTone(1000, 0.01)), 0.4)
	require.Equal(t, 2, m.Windows())
	require.Zero(t, m.CountTone(1000, 0), "a tone at 1 percent of full scale is below the 5 percent floor")
}

func TestToneMeterWaitsForQuiet(t *testing.T) {
	m := NewToneMeter()
	feed(t, m, mediacore.NewTone(mediacore.SineTone(440, 0.3)), 0.6)
	feed(t, m, &mediacore.SliceSource{}, 0.4)
	feed(t, m, mediacore.NewTone(mediacore.SineTone(440, 0.3)), 0.2)
	require.Equal(t, 6, m.Windows())
	require.False(t, m.WaitQuiet(0, 3, 50*time.Millisecond), "only two quiet windows in a row")
	require.True(t, m.WaitQuiet(0, 2, time.Second))
	require.False(t, IsQuiet(m.Samples()[:ToneWindow]))
}
