package webaudio

import (
	"math"
	"testing"

	"github.com/opensoftphone/webphone/mediacore"
)

func sine(rate int, freq float64, n int, amp float64) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return s
}

// amplitude is a tone's amplitude at any rate (Goertzel), 0..1.
func amplitude(s []int16, rate int, freq float64) float64 {
	w := 2 * math.Pi * freq / float64(rate)
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range s {
		s0 := float64(v)/32768 + c*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - c*s1*s2
	return 2 * math.Sqrt(math.Max(p, 0)) / float64(len(s))
}

// resampleFrames runs in through r in frames of frame samples.
func resampleFrames(r *Resampler, in []int16, frame int) []int16 {
	var out []int16
	for i := 0; i < len(in); i += frame {
		out = r.Process(out, in[i:min(i+frame, len(in))])
	}
	return out
}

func TestResamplerDownKeepsVoiceBandAndRejectsAliases(t *testing.T) {
	for _, rate := range []int{48000, 44100} {
		r := NewResampler(rate, 8000)
		in := sine(rate, 1000, rate, 16000)
		out := resampleFrames(r, in, 128) // the worklet's render quantum
		if d := len(out) - 8000; d < -1 || d > 1 {
			t.Fatalf("%d Hz: 1 s gave %d samples at 8 kHz", rate, len(out))
		}
		tail := out[800:]
		if a := amplitude(tail, 8000, 1000); a < 0.45 || a > 0.52 {
			t.Errorf("%d Hz: 1 kHz at amplitude 0.49 comes out at %.3f", rate, a)
		}
		if f, share := mediacore.StrongestTone(tail, []float64{500, 1000, 2000}); f != 1000 || share < 0.99 {
			t.Errorf("%d Hz: strongest %v share %.3f", rate, f, share)
		}
		// 6 kHz cannot be represented at 8 kHz; it must not fold to 2 kHz
		r = NewResampler(rate, 8000)
		alias := resampleFrames(r, sine(rate, 6000, rate, 16000), 128)
		if a := amplitude(alias[800:], 8000, 2000); a > 0.05 {
			t.Errorf("%d Hz: 6 kHz folds to 2 kHz at amplitude %.3f", rate, a)
		}
	}
}

func TestResamplerUpKeepsToneAndRejectsImages(t *testing.T) {
	r := NewResampler(8000, 48000)
	in := sine(8000, 440, 8000, 16000)
	out := resampleFrames(r, in, 160) // one 20 ms frame at a time
	if d := len(out) - 48000; d < -6 || d > 6 {
		t.Fatalf("1 s at 8 kHz gave %d samples at 48 kHz", len(out))
	}
	tail := out[4800:]
	if a := amplitude(tail, 48000, 440); a < 0.45 || a > 0.52 {
		t.Errorf("440 Hz at amplitude 0.49 comes out at %.3f", a)
	}
	// the image of 440 Hz around 8 kHz
	if a := amplitude(tail, 48000, 8000-440); a > 0.05 {
		t.Errorf("image at 7560 Hz at amplitude %.3f", a)
	}
}

func TestResamplerSameRateCopies(t *testing.T) {
	r := NewResampler(8000, 8000)
	in := []int16{1, 2, 3}
	if got := r.Process(nil, in); len(got) != 3 || got[2] != 3 {
		t.Fatalf("got %v", got)
	}
}
