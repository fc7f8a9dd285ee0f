package mediacore

import "math"

// GoertzelPower returns the power of frequency freq (Hz) in 8 kHz samples, normalized so that a
// full-scale sine at freq gives about 0.25 whatever the block length.
func GoertzelPower(samples []int16, freq float64) float64 {
	n := len(samples)
	if n == 0 {
		return 0
	}
	coeff := 2 * math.Cos(2*math.Pi*freq/SampleRate)
	var s1, s2 float64
	for _, x := range samples {
		s0 := float64(x)/32768 + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - coeff*s1*s2
	return p / float64(n*n)
}

// ToneAmplitude estimates the peak amplitude (0..1 of full scale) of frequency freq.
func ToneAmplitude(samples []int16, freq float64) float64 {
	return 2 * math.Sqrt(GoertzelPower(samples, freq))
}

// StrongestTone returns which of the candidate frequencies is strongest in samples and its
// power relative to the sum over all candidates (1 = only that one).
func StrongestTone(samples []int16, candidates []float64) (freq, share float64) {
	var best, total float64
	for _, f := range candidates {
		p := GoertzelPower(samples, f)
		total += p
		if p > best {
			best, freq = p, f
		}
	}
	if total == 0 {
		return 0, 0
	}
	return freq, best / total
}

// DetectDTMFTone finds an in-band DTMF digit in a block (ideally 20..50 ms): the strongest row
// and column tones must each clearly dominate their group, have similar level (twist under
// 8 dB) and carry most of the block's energy.
func DetectDTMFTone(samples []int16) (rune, bool) {
	if len(samples) < 80 {
		return 0, false
	}
	r, rp, rsecond := strongest(samples, dtmfRows[:])
	c, cp, csecond := strongest(samples, dtmfCols[:])
	if rp == 0 || cp == 0 || rp < 6*rsecond || cp < 6*csecond {
		return 0, false
	}
	if twist := rp / cp; twist > 6.3 || twist < 1/6.3 {
		return 0, false
	}
	var energy float64
	for _, x := range samples {
		v := float64(x) / 32768
		energy += v * v
	}
	energy /= float64(len(samples))
	// A sine of power p (as normalized above) has mean square 2p.
	if energy == 0 || 2*(rp+cp)/energy < 0.6 {
		return 0, false
	}
	return rune(dtmfGrid[r][c]), true
}

func strongest(samples []int16, freqs []float64) (idx int, best, second float64) {
	for i, f := range freqs {
		p := GoertzelPower(samples, f)
		switch {
		case p > best:
			second, best, idx = best, p, i
		case p > second:
			second = p
		}
	}
	return idx, best, second
}
