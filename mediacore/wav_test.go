package mediacore

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWAVRoundTrip8kMono(t *testing.T) {
	pcm := readAll(t, NewTone(SineTone(440, 0.5)), 8000)
	var buf bytes.Buffer
	require.NoError(t, WriteWAV8k(&buf, pcm))
	assert.Equal(t, 44+2*len(pcm), buf.Len())
	w, err := ReadWAV(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, 8000, w.SampleRate)
	assert.Equal(t, 1, w.Channels)
	assert.Equal(t, pcm, w.Samples)
	mono, err := ReadWAV8k(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, pcm, mono, "8 kHz mono needs no conversion")
}

func TestWAVStereo16kIsConverted(t *testing.T) {
	// 16 kHz stereo: left a 500 Hz tone, right silence; one second.
	left := make([]int16, 16000)
	tone := NewTone(ToneSpec{Freqs: []float64{250}, Level: 0.5}) // 250 Hz at 8 kHz = 500 Hz at 16 kHz
	_, _ = tone.ReadPCM(left)
	st := make([]int16, 0, 32000)
	for _, v := range left {
		st = append(st, v, 0)
	}
	var buf bytes.Buffer
	require.NoError(t, WriteWAV(&buf, 16000, 2, st))
	mono, err := ReadWAV8k(&buf)
	require.NoError(t, err)
	assert.Len(t, mono, 8000)
	assert.InDelta(t, 0.25, ToneAmplitude(mono, 500), 0.02, "averaged channels, 500 Hz kept")
}

// wavBytes builds a WAV file with the given format fields and data.
func wavBytes(format, channels, rate, bits int, data []byte, extra ...string) []byte {
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(36+len(data)))
	b.WriteString("WAVE")
	for _, chunk := range extra {
		b.WriteString(chunk[:4])
		_ = binary.Write(&b, binary.LittleEndian, uint32(len(chunk)-4))
		b.WriteString(chunk[4:])
		if len(chunk)%2 == 1 {
			b.WriteByte(0)
		}
	}
	b.WriteString("fmt ")
	for _, v := range []any{uint32(16), uint16(format), uint16(channels), uint32(rate),
		uint32(rate * channels * bits / 8), uint16(channels * bits / 8), uint16(bits)} {
		_ = binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

func TestWAVOtherEncodings(t *testing.T) {
	w, err := ReadWAV(bytes.NewReader(wavBytes(1, 1, 8000, 8, []byte{128, 255, 0}, "LIST12345")))
	require.NoError(t, err)
	assert.Equal(t, []int16{0, 127 << 8, -128 << 8}, w.Samples, "8-bit unsigned PCM; unknown chunks skipped")

	ulaw := make([]byte, 2)
	EncodeUlaw(ulaw, []int16{1000, -1000})
	w, err = ReadWAV(bytes.NewReader(wavBytes(7, 1, 8000, 8, ulaw)))
	require.NoError(t, err)
	assert.InDelta(t, 1000, w.Samples[0], 40)
	assert.InDelta(t, -1000, w.Samples[1], 40)

	alaw := make([]byte, 1)
	EncodeAlaw(alaw, []int16{-5000})
	w, err = ReadWAV(bytes.NewReader(wavBytes(6, 1, 8000, 8, alaw)))
	require.NoError(t, err)
	assert.InDelta(t, -5000, w.Samples[0], 200)
}

func TestWAVErrors(t *testing.T) {
	cases := map[string][]byte{
		"not riff":   []byte("hello world, this is text"),
		"short":      []byte("RIF"),
		"float":      wavBytes(3, 1, 8000, 32, make([]byte, 8)),
		"24 bit":     wavBytes(1, 1, 8000, 24, make([]byte, 6)),
		"0 channels": wavBytes(1, 0, 8000, 16, make([]byte, 4)),
		"bad rate":   wavBytes(1, 1, 10, 16, make([]byte, 4)),
		"no data":    wavBytes(1, 1, 8000, 16, nil)[:36],
	}
	for name, b := range cases {
		_, err := ReadWAV(bytes.NewReader(b))
		assert.Error(t, err, name)
	}
	_, err := ReadWAV(bytes.NewReader([]byte("RIFF\x00\x00\x00\x00WAVEdata\x04\x00\x00\x00\x00\x00\x00\x00")))
	assert.ErrorContains(t, err, "before fmt")
	assert.Error(t, WriteWAV(&bytes.Buffer{}, 8000, 0, nil))
}

func TestWAVTruncatedDataIsKept(t *testing.T) {
	b := wavBytes(1, 1, 8000, 16, []byte{1, 0, 2, 0, 3, 0})
	w, err := ReadWAV(bytes.NewReader(b[:len(b)-2]))
	require.NoError(t, err)
	assert.Equal(t, []int16{1, 2}, w.Samples)
}

func TestResample(t *testing.T) {
	assert.Equal(t, []int16{0, 20}, Resample([]int16{0, 10, 20, 30}, 16000, 8000), "decimation")
	assert.Equal(t, []int16{1, 2}, Resample([]int16{1, 2}, 8000, 8000))
	up := Resample([]int16{0, 10}, 4000, 8000)
	assert.Equal(t, []int16{0, 5, 10, 10}, up)
}

func TestWAVSource(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteWAV(&buf, 16000, 1, make([]int16, 320)))
	src, err := NewWAVSource(&buf)
	require.NoError(t, err)
	assert.Len(t, readAll(t, src, 1000), 160, "20 ms at 16 kHz is 160 samples at 8 kHz")
	_, err = NewWAVSource(bytes.NewReader([]byte("nope")))
	assert.ErrorIs(t, err, ErrNotWAV)
}

func TestPCMRecorder(t *testing.T) {
	var r PCMRecorder
	require.NoError(t, r.WritePCM([]int16{1, 2}))
	require.NoError(t, r.WritePCM([]int16{3}))
	assert.Equal(t, []int16{1, 2, 3}, r.Samples())
	assert.Equal(t, 3, r.Len())
	r.Reset()
	assert.Zero(t, r.Len())
}
