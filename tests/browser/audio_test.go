package browser

import (
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/tests/infra"
)

// Tone levels in dBFS as the page's AnalyserNode reports them: a received
// test tone (half full scale) peaks around -20 dB; silence is below -100.
const (
	toneMinDB    = -55.0 // at least this loud counts as hearing the tone
	silentMaxDB  = -75.0 // at most this loud counts as not hearing it
	measureMilli = 700
)

// measurement is T.measure's result.
type measurement struct {
	OK         bool               `json:"ok"`
	Error      string             `json:"error"`
	From       string             `json:"from"`
	TrackMuted bool               `json:"trackMuted"`
	TrackState string             `json:"trackState"`
	CtxState   string             `json:"ctxState"`
	Frames     int                `json:"frames"`
	BinHz      float64            `json:"binHz"`
	DominantHz float64            `json:"dominantHz"`
	PeakDB     float64            `json:"peakDb"`
	Levels     map[string]float64 `json:"levels"`
}

func (m measurement) String() string {
	if !m.OK {
		return "no measurement: " + m.Error
	}
	return fmt.Sprintf("dominant %.0f Hz at %.1f dB, levels %v (track from %s, muted=%v, %s; audio context %s)",
		m.DominantHz, m.PeakDB, m.Levels, m.From, m.TrackMuted, m.TrackState, m.CtxState)
}

// level is the measured level at freq in dB (-200 when unknown).
func (m measurement) level(freq float64) float64 {
	if v, ok := m.Levels[fmt.Sprint(freq)]; ok {
		return v
	}
	return -200
}

// hears reports whether freq is the dominant received tone and loud.
func (m measurement) hears(freq float64) bool {
	tol := math.Max(3*m.BinHz, 0.03*freq)
	return m.OK && math.Abs(m.DominantHz-freq) <= tol && m.level(freq) >= toneMinDB
}

// measure runs T.measure on a line of the page.
func (p *page) measure(line string, freqs ...float64) measurement {
	p.t.Helper()
	fs := make([]string, len(freqs))
	for i, f := range freqs {
		fs[i] = fmt.Sprint(f)
	}
	var m measurement
	p.eval(fmt.Sprintf(`T.measure(%s, %d, [%s])`, line, measureMilli, strings.Join(fs, ",")), &m)
	return m
}

// waitHears waits until the page hears freq on line.
func (p *page) waitHears(line string, freq float64, timeout time.Duration) measurement {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m := p.measure(line, freq)
		if m.hears(freq) {
			return m
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: does not hear %.0f Hz on line %s within %v: %v; engine errors:\n%s",
				p.name, freq, line, timeout, m, p.errorLogs())
		}
	}
}

// waitSilent waits until freq is no longer heard on line: a measurement of
// the line's received audio must show it. A line with no received audio
// track to measure fails the test (silence must be measured, not assumed).
func (p *page) waitSilent(line string, freq float64, timeout time.Duration) measurement {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m := p.measure(line, freq)
		if m.silentAt(freq) {
			return m
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: no measured silence at %.0f Hz on line %s within %v: %v", p.name, freq, line, timeout, m)
		}
	}
}

// silentAt reports whether the measurement shows freq at most silentMaxDB
// loud. No measurement, or one without that frequency's level, shows
// nothing.
func (m measurement) silentAt(freq float64) bool {
	v, ok := m.Levels[fmt.Sprint(freq)]
	return m.OK && ok && v <= silentMaxDB
}

// toneWAV writes a 30 s tone for Chromium's fake microphone (it loops the
// file) and returns its path.
func toneWAV(t *testing.T, freq float64, rate int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("tone-%.0f.wav", freq))
	if err := infra.WriteToneWAV(path, freq, 30, rate); err != nil {
		t.Fatal(err)
	}
	return path
}

var sdpDirectionRe = regexp.MustCompile(`(?m)^a=(sendrecv|sendonly|recvonly|inactive)\r?$`)

// audioDirection is the direction attribute of the first audio section of
// an SDP ("sendrecv" when none is written).
func audioDirection(sdp string) string {
	i := strings.Index(sdp, "m=audio")
	if i < 0 {
		return ""
	}
	sec := sdp[i:]
	if j := strings.Index(sec[1:], "\nm="); j >= 0 {
		sec = sec[:j+1]
	}
	if m := sdpDirectionRe.FindStringSubmatch(sec); m != nil {
		return m[1]
	}
	return "sendrecv"
}

// sdps is T.sdp's result.
type sdps struct {
	Local  string `json:"local"`
	Remote string `json:"remote"`
}

func (p *page) sdp(line string) sdps {
	p.t.Helper()
	var s sdps
	p.eval(fmt.Sprintf(`T.sdp(%s)`, line), &s)
	return s
}
