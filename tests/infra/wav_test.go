package infra

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDominantFrequencyFindsWrittenTone(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		freq float64
		rate int
	}{{440, 8000}, {1000, 8000}, {1633, 16000}} {
		p := filepath.Join(dir, "tone.wav")
		if err := WriteToneWAV(p, tc.freq, 1.5, tc.rate); err != nil {
			t.Fatal(err)
		}
		f, err := DominantFrequency(p)
		if err != nil {
			t.Fatal(err)
		}
		if f < tc.freq-2 || f > tc.freq+2 {
			t.Fatalf("tone %v Hz at %d Hz: found %v Hz", tc.freq, tc.rate, f)
		}
		if !HasTone(p, tc.freq) || HasTone(p, tc.freq*1.5) {
			t.Fatalf("HasTone wrong for %v Hz", tc.freq)
		}
	}
}

func TestDominantFrequencyRejectsSilenceAndGarbage(t *testing.T) {
	dir := t.TempDir()
	silent := filepath.Join(dir, "silent.wav")
	if err := WriteWAV(silent, make([]int16, 8000), 8000); err != nil {
		t.Fatal(err)
	}
	if _, err := DominantFrequency(silent); err == nil {
		t.Fatal("silence gave a frequency")
	}
	garbage := filepath.Join(dir, "garbage.wav")
	if err := os.WriteFile(garbage, []byte("not a wav"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := DominantFrequency(garbage); err == nil {
		t.Fatal("garbage gave a frequency")
	}
	if HasTone(filepath.Join(dir, "missing.wav"), 440) {
		t.Fatal("missing file has a tone")
	}
	if err := WriteToneWAV(filepath.Join(dir, "x.wav"), 5000, 1, 8000); err == nil {
		t.Fatal("tone above Nyquist accepted")
	}
}

// HasToneSince looks only at the audio after the skipped part.
func TestHasToneSinceLooksAfterTheSkip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "two.wav")
	rate := 8000
	var samples []int16
	for i := 0; i < 2*rate; i++ { // 2 s of 440 Hz, then 2 s of silence
		samples = append(samples, int16(8000*math.Sin(2*math.Pi*440*float64(i)/float64(rate))))
	}
	samples = append(samples, make([]int16, 2*rate)...)
	if err := WriteWAV(path, samples, rate); err != nil {
		t.Fatal(err)
	}
	if d, err := WAVDuration(path); err != nil || d != 4*time.Second {
		t.Fatalf("WAVDuration = %v, %v; want 4s", d, err)
	}
	if !HasToneSince(path, 440, 0) || !HasToneSince(path, 440, time.Second) {
		t.Error("the tone in the first two seconds is not found")
	}
	if HasToneSince(path, 440, 2*time.Second) {
		t.Error("silence after 2 s counts as the tone")
	}
	if HasToneSince(path, 440, 5*time.Second) {
		t.Error("nothing after the end of the file counts as the tone")
	}
}
