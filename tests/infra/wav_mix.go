package infra

import (
	"errors"
	"math"
	"time"
)

// ToneShares measures several tones at once in a mix: in the loudest
// second of a WAV file after its first skip of audio, the amplitude of each
// frequency relative to the peak amplitude of a sine with the window's
// energy; a whole second is needed (a lone tone gives about 1, two equally loud tones about 0.7 each,
// an absent one near 0).
func ToneShares(path string, skip time.Duration, freqs ...float64) (map[float64]float64, error) {
	samples, rate, err := ReadWAV(path)
	if err != nil {
		return nil, err
	}
	if rate <= 0 {
		return nil, errors.New("infra: " + path + ": no sample rate")
	}
	from := int(skip * time.Duration(rate) / time.Second)
	if from < 0 || len(samples)-from < rate {
		return nil, errors.New("infra: " + path + ": less than a second of audio after the mark yet")
	}
	win := loudestWindow(samples[from:], rate)
	if win == nil {
		return nil, errors.New("infra: " + path + ": silent or too short after the mark")
	}
	energy := 0.0
	for _, v := range win {
		energy += v * v
	}
	peak := math.Sqrt(2 * energy / float64(len(win)))
	out := make(map[float64]float64, len(freqs))
	for _, f := range freqs {
		amp := 2 * math.Sqrt(math.Max(goertzel(win, rate, f), 0)) / float64(len(win))
		out[f] = amp / peak
	}
	return out, nil
}
