package mediacore

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readAll(t *testing.T, src PCMSource, max int) []int16 {
	t.Helper()
	var out []int16
	buf := make([]int16, 160)
	for len(out) < max {
		n, err := src.ReadPCM(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	return out
}

func TestDTMFTonesAreDetected(t *testing.T) {
	for _, d := range "0123456789*#ABCD" {
		spec, err := DTMFTone(d, 40*time.Millisecond)
		require.NoError(t, err)
		pcm := readAll(t, NewTone(spec), 10000)
		require.Len(t, pcm, 320, "40 ms then EOF")
		got, ok := DetectDTMFTone(pcm)
		assert.True(t, ok, "digit %c", d)
		assert.Equal(t, d, got)
	}
	_, err := DTMFTone('x', time.Second)
	assert.Error(t, err)
}

func TestDetectDTMFToneRejectsOtherAudio(t *testing.T) {
	for name, spec := range map[string]ToneSpec{"single 697": SineTone(697, 0.3), "ringback": RingbackUS, "1 kHz": SineTone(1000, 0.5)} {
		pcm := readAll(t, NewTone(spec), 320)
		_, ok := DetectDTMFTone(pcm)
		assert.False(t, ok, name)
	}
	_, ok := DetectDTMFTone(make([]int16, 320))
	assert.False(t, ok, "silence")
	_, ok = DetectDTMFTone(make([]int16, 10))
	assert.False(t, ok, "too short")
}

// loudBlocks splits audio into 50 ms blocks and reports which are loud.
func loudBlocks(pcm []int16) []bool {
	var out []bool
	for i := 0; i+400 <= len(pcm); i += 400 {
		loud := false
		for _, v := range pcm[i : i+400] {
			if v > 1000 || v < -1000 {
				loud = true
				break
			}
		}
		out = append(out, loud)
	}
	return out
}

func TestCallProgressCadences(t *testing.T) {
	cases := []struct {
		name        string
		spec        ToneSpec
		on, off     int // 50 ms blocks
		freqs, none []float64
	}{
		{"ringback US", RingbackUS, 40, 80, []float64{440, 480}, []float64{425, 620}},
		{"ringback EU", RingbackEU, 20, 80, []float64{425}, []float64{480}},
		{"busy US", BusyUS, 10, 10, []float64{480, 620}, []float64{440}},
		{"busy EU", BusyEU, 10, 10, []float64{425}, []float64{620}},
	}
	for _, c := range cases {
		pcm := readAll(t, NewTone(c.spec), 2*(c.on+c.off)*400)
		blocks := loudBlocks(pcm)
		require.Len(t, blocks, 2*(c.on+c.off), c.name)
		for i, loud := range blocks {
			assert.Equal(t, i%(c.on+c.off) < c.on, loud, "%s block %d", c.name, i)
		}
		first := pcm[:1600]
		for _, f := range c.freqs {
			assert.Greater(t, ToneAmplitude(first, f), 0.2, "%s has %v Hz", c.name, f)
		}
		for _, f := range c.none {
			assert.Less(t, ToneAmplitude(first, f), 0.05, "%s lacks %v Hz", c.name, f)
		}
	}
}

func TestBeepEnds(t *testing.T) {
	pcm := readAll(t, NewTone(Beep), 100000)
	assert.Len(t, pcm, 2000, "250 ms")
	f, share := StrongestTone(pcm, []float64{440, 1000, 1400})
	assert.Equal(t, 1000.0, f)
	assert.Greater(t, share, 0.99)
	n, err := NewTone(Beep).ReadPCM(make([]int16, 3000))
	assert.Equal(t, 2000, n)
	assert.NoError(t, err)
}

func TestGoertzel(t *testing.T) {
	pcm := readAll(t, NewTone(SineTone(1000, 0.5)), 800)
	assert.InDelta(t, 0.5, ToneAmplitude(pcm, 1000), 0.02)
	assert.Less(t, ToneAmplitude(pcm, 440), 0.01)
	assert.Zero(t, GoertzelPower(nil, 1000))
	f, share := StrongestTone(make([]int16, 160), []float64{440, 1000})
	assert.Zero(t, f)
	assert.Zero(t, share)
}

func TestSliceSource(t *testing.T) {
	s := &SliceSource{Samples: []int16{1, 2, 3}}
	buf := make([]int16, 2)
	n, err := s.ReadPCM(buf)
	assert.Equal(t, 2, n)
	assert.NoError(t, err)
	n, _ = s.ReadPCM(buf)
	assert.Equal(t, 1, n)
	_, err = s.ReadPCM(buf)
	assert.Equal(t, io.EOF, err)
}
