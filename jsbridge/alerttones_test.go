//go:build !(js && wasm)

package jsbridge

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/opensoftphone/webphone/mediacore"
)

var updateSounds = flag.Bool("update-sounds", false, "rewrite www/sounds/ringtone.wav from RingtoneSpec")

// The shipped default ringtone is RingtoneSpec rendered as 8 kHz 16-bit
// mono WAV (the format Mizu documents for ringtone files).
func TestShippedRingtoneIsRingtoneSpec(t *testing.T) {
	path := filepath.Join("..", "www", filepath.FromSlash(DefaultRingtone))
	var want bytes.Buffer
	if err := mediacore.WriteWAV8k(&want, renderCadence(RingtoneSpec)); err != nil {
		t.Fatal(err)
	}
	if *updateSounds {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v (go test ./jsbridge -run Shipped -update-sounds writes it)", path, err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("%s differs from RingtoneSpec (go test ./jsbridge -run Shipped -update-sounds rewrites it)", path)
	}
	pcm, err := mediacore.ReadWAV8k(bytes.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	if f, share := mediacore.StrongestTone(pcm[:3200], []float64{425, 440, 852, 1000}); f != 852 || share < 0.9 {
		t.Errorf("the ringtone's first burst is %v Hz (share %.2f), want 852 Hz", f, share)
	}
}

func TestGeneratedTonesHaveTheirFrequencyAndCadence(t *testing.T) {
	for _, tc := range []struct {
		name     string
		pcm      []int16
		freq     float64
		samples  int
		onSample int // a sample inside a burst
		offFrom  int // from here on silence
	}{
		{"ringback", renderCadence(RingbackSpec), 425, 5 * 8000, 4000, 8000},
		{"call waiting", renderCadence(CallWaitingSpec), 440, 6 * 8000, 1000, 6400},
		{"ring", renderCadence(RingtoneSpec), 852, 3 * 8000, 1000, 8000},
	} {
		if len(tc.pcm) != tc.samples {
			t.Errorf("%s: %d samples, want %d (one cadence period)", tc.name, len(tc.pcm), tc.samples)
			continue
		}
		burst := tc.pcm[tc.onSample-400 : tc.onSample+400]
		if f, share := mediacore.StrongestTone(burst, []float64{425, 440, 852, 1000}); f != tc.freq || share < 0.9 {
			t.Errorf("%s: burst is %v Hz (share %.2f), want %v Hz", tc.name, f, share, tc.freq)
		}
		for i, v := range tc.pcm[tc.offFrom:] {
			if v != 0 {
				t.Errorf("%s: sample %d = %d in the silent part", tc.name, tc.offFrom+i, v)
				break
			}
		}
	}
	keys := renderKeyTones("1#x")
	if want := 2 * (800 + 480); len(keys) != want {
		t.Fatalf("key tones for 1# (x skipped): %d samples, want %d", len(keys), want)
	}
	if d, ok := mediacore.DetectDTMFTone(keys[:800]); !ok || d != '1' {
		t.Errorf("first key tone detected as %q %v, want 1", d, ok)
	}
	if d, ok := mediacore.DetectDTMFTone(keys[1280 : 1280+800]); !ok || d != '#' {
		t.Errorf("second key tone detected as %q %v, want #", d, ok)
	}
}

func TestRingtoneURLsResolveAgainstTheBaseAndOnlyHTTP(t *testing.T) {
	base := "https://example.com/app/phone.html"
	for ref, want := range map[string]string{
		"ring.wav":                     "https://example.com/app/ring.wav",
		"/s/ring.wav":                  "https://example.com/s/ring.wav",
		"http://other.example/r.wav":   "http://other.example/r.wav",
		"data:audio/wav;base64,UklGRg": "data:audio/wav;base64,UklGRg",
		"javascript:alert(1)":          "",
		"file:///etc/passwd":           "",
	} {
		got, err := resolveSoundURL(base, ref)
		if want == "" {
			if err == nil {
				t.Errorf("%q resolved to %q, want it refused", ref, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%q resolved to %q, %v; want %q", ref, got, err, want)
		}
	}
}
