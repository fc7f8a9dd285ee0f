package webaudio

import "math"

// resampleTaps is the length of the low-pass filter of a Resampler (odd,
// so that it has a centre tap).
const resampleTaps = 31

// Resampler converts mono 16-bit PCM between two sample rates (the
// AudioContext's 44.1/48 kHz and the codec's 8/16 kHz), keeping its state
// across frames so that frame boundaries leave no clicks. It low-pass
// filters at the lower rate's band edge (anti-aliasing before decimation,
// anti-imaging after interpolation) and interpolates linearly between the
// filtered samples. A Resampler is not safe for concurrent use.
type Resampler struct {
	in, out int
	taps    [resampleTaps]float64
	// hist holds the last resampleTaps input samples (down) or
	// interpolated samples (up), a circular buffer stored twice so that
	// hist[hpos:hpos+resampleTaps] is always the window, oldest first.
	hist [2 * resampleTaps]float64
	hpos int
	// pos is the position of the next output sample in input samples,
	// relative to the last consumed input sample.
	pos float64
	// prev and cur are the last two filtered (down) or input (up) samples.
	prev, cur float64
	primed    bool
}

// NewResampler returns a Resampler from inRate to outRate (Hz, both > 0).
func NewResampler(inRate, outRate int) *Resampler {
	r := &Resampler{in: inRate, out: outRate}
	low := min(inRate, outRate)
	high := max(inRate, outRate)
	// cutoff a little under the lower rate's Nyquist frequency, relative
	// to the higher rate at which the filter runs
	fc := 0.45 * float64(low) / float64(high)
	var sum float64
	m := float64(resampleTaps - 1)
	for i := range r.taps {
		x := float64(i) - m/2
		h := 2 * fc
		if x != 0 {
			h = math.Sin(2*math.Pi*fc*x) / (math.Pi * x)
		}
		w := 0.54 - 0.46*math.Cos(2*math.Pi*float64(i)/m) // Hamming
		r.taps[i] = h * w
		sum += r.taps[i]
	}
	for i := range r.taps {
		r.taps[i] /= sum
	}
	return r
}

// Rates returns the input and output sample rates.
func (r *Resampler) Rates() (in, out int) { return r.in, r.out }

// OutputLen is how many output samples n input samples give, within one.
func (r *Resampler) OutputLen(n int) int { return n * r.out / r.in }

// filter pushes v into the history and returns the filtered sample.
func (r *Resampler) filter(v float64) float64 {
	r.hist[r.hpos] = v
	r.hist[r.hpos+resampleTaps] = v
	r.hpos++
	if r.hpos == resampleTaps {
		r.hpos = 0
	}
	w := r.hist[r.hpos : r.hpos+resampleTaps]
	var acc float64
	for i, t := range r.taps {
		acc += t * w[i]
	}
	return acc
}

// Process resamples in and appends the result to dst.
func (r *Resampler) Process(dst []int16, in []int16) []int16 {
	if r.in == r.out {
		return append(dst, in...)
	}
	if r.in > r.out {
		return r.down(dst, in)
	}
	return r.up(dst, in)
}

// down: filter every input sample at the input rate, interpolate between
// the filtered samples at the output positions.
func (r *Resampler) down(dst []int16, in []int16) []int16 {
	step := float64(r.in) / float64(r.out)
	for _, s := range in {
		r.prev, r.cur = r.cur, r.filter(float64(s))
		if !r.primed {
			r.prev, r.primed = r.cur, true
		}
		// output samples that fall between prev (at -1) and cur (at 0)
		for r.pos <= 0 {
			f := r.pos + 1
			dst = append(dst, clamp16(r.prev+(r.cur-r.prev)*f))
			r.pos += step
		}
		r.pos--
	}
	return dst
}

// up: interpolate the input linearly at the output rate, then filter the
// interpolated samples at the output rate.
func (r *Resampler) up(dst []int16, in []int16) []int16 {
	step := float64(r.in) / float64(r.out)
	for _, s := range in {
		r.prev, r.cur = r.cur, float64(s)
		if !r.primed {
			r.prev, r.primed = r.cur, true
		}
		for r.pos <= 0 {
			f := r.pos + 1
			dst = append(dst, clamp16(r.filter(r.prev+(r.cur-r.prev)*f)))
			r.pos += step
		}
		r.pos--
	}
	return dst
}

// clamp16 rounds v to the nearest int16, saturating.
func clamp16(v float64) int16 {
	v = math.Round(v)
	if v > math.MaxInt16 {
		return math.MaxInt16
	}
	if v < math.MinInt16 {
		return math.MinInt16
	}
	return int16(v)
}
