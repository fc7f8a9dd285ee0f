package browser

import "testing"

// Silence counts only when it was measured: no measurement (no received
// track) or a measurement without the frequency is not silence.
func TestSilenceNeedsAMeasurement(t *testing.T) {
	for _, c := range []struct {
		name string
		m    measurement
		want bool
	}{
		{"no received track", measurement{OK: false, Error: "no remote audio track on line 1"}, false},
		{"frequency not measured", measurement{OK: true, Levels: map[string]float64{"1000": -120}}, false},
		{"tone still there", measurement{OK: true, Levels: map[string]float64{"440": -20}}, false},
		{"measured silence", measurement{OK: true, Levels: map[string]float64{"440": -110}}, true},
	} {
		if got := c.m.silentAt(440); got != c.want {
			t.Errorf("%s: silentAt(440) = %v, want %v (%v)", c.name, got, c.want, c.m)
		}
	}
}
