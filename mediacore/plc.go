package mediacore

// Concealer hides lost audio (packet loss concealment): it keeps the last played samples, and
// for a gap repeats the last pitch period (found by autocorrelation) while fading out, reaching
// silence after FadeSamples of continuous concealment. It does not allocate after creation.
type Concealer struct {
	hist        [concealHistory]int16 // ring of the most recent good samples
	histPos     int                   // next write position in hist
	histFill    int                   // how many samples of hist are valid
	period      int                   // pitch period used during the current gap
	template    [concealMaxPeriod]int16
	pos         int // read position within template
	run         int // samples concealed since the last good audio
	FadeSamples int
}

const (
	concealHistory   = 320 // 40 ms
	concealMinPeriod = 20  // 400 Hz
	concealMaxPeriod = 120 // 66 Hz
	defaultFade      = 480 // 60 ms
)

// NewConcealer returns a concealer that fades to silence over 60 ms.
func NewConcealer() *Concealer { return &Concealer{FadeSamples: defaultFade} }

// Good records samples that were really played, ending any gap.
func (c *Concealer) Good(samples []int16) {
	if len(samples) > concealHistory {
		samples = samples[len(samples)-concealHistory:]
	}
	for len(samples) > 0 {
		n := copy(c.hist[c.histPos:], samples)
		samples = samples[n:]
		c.histPos = (c.histPos + n) % concealHistory
		c.histFill = min(concealHistory, c.histFill+n)
	}
	c.run = 0
}

// Conceal fills dst with replacement audio for missing samples.
func (c *Concealer) Conceal(dst []int16) {
	if c.run == 0 {
		c.startGap()
	}
	fade := c.FadeSamples
	if fade <= 0 {
		fade = defaultFade
	}
	for i := range dst {
		if c.period == 0 || c.run >= fade {
			dst[i] = 0
		} else {
			gain := float64(fade-c.run) / float64(fade)
			dst[i] = int16(float64(c.template[c.pos]) * gain)
			c.pos = (c.pos + 1) % c.period
		}
		c.run++
	}
}

// Concealing reports whether the last call was Conceal (a gap is in progress).
func (c *Concealer) Concealing() bool { return c.run > 0 }

// Reset forgets the history.
func (c *Concealer) Reset() {
	fade := c.FadeSamples
	*c = Concealer{FadeSamples: fade}
}

// startGap picks the pitch period by autocorrelation of the recent history and copies the last
// period as the repeat template.
func (c *Concealer) startGap() {
	c.period, c.pos = 0, 0
	if c.histFill < 2*concealMinPeriod {
		return
	}
	// Unroll the ring into time order (oldest first) so the loops below index plainly.
	var lin [concealHistory]float64
	n := c.histFill
	start := (c.histPos - n + concealHistory) % concealHistory
	for i := 0; i < n; i++ {
		lin[i] = float64(c.hist[(start+i)%concealHistory])
	}
	x := lin[:n]
	maxP := min(concealMaxPeriod, n/2)
	window := min(160, n-maxP)
	best, bestScore := maxP, -1.0
	for p := concealMinPeriod; p <= maxP; p++ {
		var corr, energy float64
		for i := n - window; i < n; i++ {
			a, b := x[i], x[i-p]
			corr += a * b
			energy += b * b
		}
		if energy == 0 {
			continue
		}
		if score := corr / energy; score > bestScore {
			best, bestScore = p, score
		}
	}
	c.period = best
	for i := 0; i < best; i++ {
		c.template[i] = int16(x[n-best+i])
	}
}
