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
	for _, s := range samples {
		c.hist[c.histPos] = s
		c.histPos = (c.histPos + 1) % concealHistory
	}
	c.histFill = min(concealHistory, c.histFill+len(samples))
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

// at returns the k-th most recent good sample (k=1 is the newest).
func (c *Concealer) at(k int) int16 {
	return c.hist[(c.histPos-k+concealHistory)%concealHistory]
}

// startGap picks the pitch period and copies the last period as the repeat template.
func (c *Concealer) startGap() {
	c.period, c.pos = 0, 0
	if c.histFill < 2*concealMinPeriod {
		return
	}
	maxP := min(concealMaxPeriod, c.histFill/2)
	window := min(160, c.histFill-maxP)
	best, bestScore := maxP, -1.0
	for p := concealMinPeriod; p <= maxP; p++ {
		var corr, energy float64
		for k := 1; k <= window; k++ {
			a, b := float64(c.at(k)), float64(c.at(k+p))
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
		c.template[i] = c.at(best - i)
	}
}
