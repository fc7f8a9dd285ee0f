package infra

import (
	"math"
	"time"
)

// WAVDuration is the length of the audio a WAV file holds so far (a file
// still being recorded counts up to its last whole frame).
func WAVDuration(path string) (time.Duration, error) {
	samples, rate, err := ReadWAV(path)
	if err != nil {
		return 0, err
	}
	return time.Duration(len(samples)) * time.Second / time.Duration(rate), nil
}

// HasToneSince is HasTone for the part of a WAV file after its first skip
// of audio: it tells whether a tone is heard in what a recorder wrote after
// a moment the test noted with WAVDuration.
func HasToneSince(path string, freqHz float64, skip time.Duration) bool {
	samples, rate, err := ReadWAV(path)
	if err != nil || rate <= 0 {
		return false
	}
	from := int(skip * time.Duration(rate) / time.Second)
	if from < 0 || from >= len(samples) {
		return false
	}
	win := loudestWindow(samples[from:], rate)
	if win == nil {
		return false
	}
	best, bestPow := 0.0, -1.0
	for f := 50.0; f <= float64(rate)/2-50; f += 10 {
		if p := goertzel(win, rate, f); p > bestPow {
			best, bestPow = f, p
		}
	}
	for f := best - 10; f <= best+10; f++ {
		if p := goertzel(win, rate, f); p > bestPow {
			best, bestPow = f, p
		}
	}
	return math.Abs(best-freqHz) <= math.Max(10, 0.03*freqHz)
}
