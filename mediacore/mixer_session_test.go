package mediacore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A local three-party conference: our phone has calls to X and Y and a local microphone; the
// mixer gives each party everyone but itself.
func TestMixerConferenceOverSessions(t *testing.T) {
	x := newParty(t, 440, nil, false)
	y := newParty(t, 1000, nil, false)
	mixer := NewMixer(160)
	toX, toY, local := mixer.Add("x"), mixer.Add("y"), mixer.Add("local")

	legX := newParty(t, 0, nil, false)
	legX.sess.SetSource(toX)
	legX.sess.SetSink(toX)
	legY := newParty(t, 0, nil, false)
	legY.sess.SetSource(toY)
	legY.sess.SetSink(toY)
	connect(t, legX, x)
	connect(t, legY, y)

	mic := NewTone(SineTone(697, 0.3))
	speaker := &PCMRecorder{}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		frame := make([]int16, 160)
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			_, _ = mic.ReadPCM(frame)
			local.Write(frame)
			mixer.Mix()
			local.Read(frame)
			_ = speaker.WritePCM(frame)
		}
	}()
	defer func() { close(stop); <-done }()

	hears := func(rec *PCMRecorder, present, absent []float64) func() bool {
		return func() bool {
			s := rec.Samples()
			if len(s) < 8000 {
				return false
			}
			tail := s[len(s)-1600:]
			for _, f := range present {
				if ToneAmplitude(tail, f) < 0.15 {
					return false
				}
			}
			for _, f := range absent {
				if ToneAmplitude(tail, f) > 0.03 {
					return false
				}
			}
			return true
		}
	}
	require.Eventually(t, hears(x.rec, []float64{1000, 697}, []float64{440}), 5*time.Second, 50*time.Millisecond,
		"X hears Y and the local party, not itself")
	require.Eventually(t, hears(y.rec, []float64{440, 697}, []float64{1000}), 5*time.Second, 50*time.Millisecond,
		"Y hears X and the local party, not itself")
	require.Eventually(t, hears(speaker, []float64{440, 1000}, []float64{697}), 5*time.Second, 50*time.Millisecond,
		"the local party hears X and Y, not itself")

	// Muting Y removes it from what X hears.
	toY.SetMute(true)
	assert.Eventually(t, hears(x.rec, []float64{697}, []float64{440, 1000}), 5*time.Second, 50*time.Millisecond,
		"muted Y is no longer heard")
}
