package mediacore

import (
	"math"
	"testing"
	"testing/quick"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// g711MaxError is the largest quantization error allowed for |x|: G.711 segments have step
// sizes that double each segment, so the error is bounded by about 1/16 of the magnitude plus
// the smallest step.
func g711MaxError(x int16, smallestStep float64) float64 {
	return math.Abs(float64(x))/16 + smallestStep
}

func TestUlawRoundTripAllSamples(t *testing.T) {
	in := make([]int16, 1<<16)
	for i := range in {
		in[i] = int16(i - 32768)
	}
	enc := make([]byte, len(in))
	out := make([]int16, len(in))
	require.Equal(t, len(in), EncodeUlaw(enc, in))
	require.Equal(t, len(in), DecodeUlaw(out, enc))
	for i, x := range in {
		if d := math.Abs(float64(out[i]) - float64(x)); d > g711MaxError(x, 8) {
			t.Fatalf("mu-law %d decoded as %d (error %v)", x, out[i], d)
		}
		if (x > 32) && out[i] <= 0 || (x < -32) && out[i] >= 0 {
			t.Fatalf("mu-law sign flipped: %d -> %d", x, out[i])
		}
	}
}

func TestAlawRoundTripAllSamples(t *testing.T) {
	in := make([]int16, 1<<16)
	for i := range in {
		in[i] = int16(i - 32768)
	}
	enc := make([]byte, len(in))
	out := make([]int16, len(in))
	EncodeAlaw(enc, in)
	DecodeAlaw(out, enc)
	for i, x := range in {
		if d := math.Abs(float64(out[i]) - float64(x)); d > g711MaxError(x, 16) {
			t.Fatalf("A-law %d decoded as %d (error %v)", x, out[i], d)
		}
	}
}

func TestG711CodeWordsAreStable(t *testing.T) {
	// Decoding a code word and encoding it again gives the same code word for every byte
	// (mu-law has two zeros, 0x7F (-0) and 0xFF (+0), which both encode back as +0).
	pcm := make([]int16, 1)
	b := make([]byte, 1)
	for i := 0; i < 256; i++ {
		DecodeUlaw(pcm, []byte{byte(i)})
		EncodeUlaw(b, pcm)
		if byte(i) == 0x7f {
			assert.Equal(t, byte(0xff), b[0])
			continue
		}
		assert.Equal(t, byte(i), b[0], "mu-law code %#x", i)

		DecodeAlaw(pcm, []byte{byte(i)})
		EncodeAlaw(b, pcm)
		assert.Equal(t, byte(i), b[0], "A-law code %#x", i)
	}
}

func TestG711IsMonotonic(t *testing.T) {
	for _, c := range []Codec{PCMU, PCMA} {
		roundTrip := func(x int16) int16 {
			var b [1]byte
			var out [1]int16
			_, _ = Encode(c, b[:], []int16{x})
			_, _ = Decode(c, out[:], b[:])
			return out[0]
		}
		prop := func(a, b int16) bool {
			if a > b {
				a, b = b, a
			}
			return roundTrip(a) <= roundTrip(b)
		}
		assert.NoError(t, quick.Check(prop, &quick.Config{MaxCount: 20000}), c.Name)
	}
}

func TestG711BufferLengths(t *testing.T) {
	assert.Equal(t, 2, EncodeUlaw(make([]byte, 2), make([]int16, 5)))
	assert.Equal(t, 3, DecodeAlaw(make([]int16, 10), make([]byte, 3)))
	_, err := Encode(Codec{Name: "G729", PayloadType: 18}, nil, nil)
	assert.Error(t, err)
	_, err = Decode(Codec{Name: "G729", PayloadType: 18}, nil, nil)
	assert.Error(t, err)
}

func benchFrame() []int16 {
	f := make([]int16, 160)
	_, _ = NewTone(SineTone(1000, 0.5)).ReadPCM(f)
	return f
}

func BenchmarkEncodeUlaw(b *testing.B) {
	src, dst := benchFrame(), make([]byte, 160)
	b.ReportAllocs()
	for b.Loop() {
		EncodeUlaw(dst, src)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(src)), "ns/sample")
}

func BenchmarkDecodeUlaw(b *testing.B) {
	src, dst := make([]byte, 160), make([]int16, 160)
	EncodeUlaw(src, benchFrame())
	b.ReportAllocs()
	for b.Loop() {
		DecodeUlaw(dst, src)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(src)), "ns/sample")
}

func BenchmarkEncodeAlaw(b *testing.B) {
	src, dst := benchFrame(), make([]byte, 160)
	b.ReportAllocs()
	for b.Loop() {
		EncodeAlaw(dst, src)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(src)), "ns/sample")
}

func BenchmarkDecodeAlaw(b *testing.B) {
	src, dst := make([]byte, 160), make([]int16, 160)
	EncodeAlaw(src, benchFrame())
	b.ReportAllocs()
	for b.Loop() {
		DecodeAlaw(dst, src)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(src)), "ns/sample")
}
