package infra

import (
	"math"
	"path/filepath"
	"testing"
)

// A mix of two tones shows both, and not a third.
func TestToneSharesOfAMix(t *testing.T) {
	const rate = 8000
	samples := make([]int16, 2*rate)
	for i := range samples {
		x := math.Sin(2*math.Pi*440*float64(i)/rate) + math.Sin(2*math.Pi*1000*float64(i)/rate)
		samples[i] = int16(8000 * x)
	}
	path := filepath.Join(t.TempDir(), "mix.wav")
	if err := WriteWAV(path, samples, rate); err != nil {
		t.Fatal(err)
	}
	shares, err := ToneShares(path, 0, 440, 1000, 660)
	if err != nil {
		t.Fatal(err)
	}
	if shares[440] < 0.5 || shares[1000] < 0.5 || shares[660] > 0.05 {
		t.Errorf("shares = %v, want 440 and 1000 about 0.7, 660 near 0", shares)
	}
}
