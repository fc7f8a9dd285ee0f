package mediacore

import (
	"fmt"
	"math"
)

// LevelReport is one side's level summary over a reporting interval, as used by the Mizu VAD
// notification. Levels are in percent of full scale (0..100).
type LevelReport struct {
	Enabled  bool // VAD is running for this side ("ON"/"OFF")
	Avg      int  // average absolute level over the interval
	Max      int  // peak level over the interval
	Speaking bool // voice activity detected in the interval
}

// LevelMeter measures audio level and voice activity: a frame is voice when its RMS level is
// above Threshold (dBFS); speaking stays on for Hangover frames after the last voice frame.
type LevelMeter struct {
	Threshold float64 // dBFS, default -40
	Hangover  int     // frames, default 15 (300 ms at 20 ms)

	sumAbs   float64
	samples  int
	peak     int
	voiced   bool
	hangLeft int
}

// NewLevelMeter returns a meter with the default threshold and hangover.
func NewLevelMeter() *LevelMeter { return &LevelMeter{Threshold: -40, Hangover: 15} }

// Write measures one frame and returns whether it counts as speech (with hangover).
func (m *LevelMeter) Write(frame []int16) bool {
	var sq float64
	for _, s := range frame {
		a := int(s)
		if a < 0 {
			a = -a
		}
		m.sumAbs += float64(a)
		if a > m.peak {
			m.peak = a
		}
		sq += float64(s) * float64(s)
	}
	m.samples += len(frame)
	active := false
	if len(frame) > 0 {
		rms := math.Sqrt(sq / float64(len(frame)))
		active = rms > 0 && 20*math.Log10(rms/32768) > m.Threshold
	}
	if active {
		m.hangLeft = m.Hangover
		m.voiced = true
		return true
	}
	if m.hangLeft > 0 {
		m.hangLeft--
		m.voiced = true
		return true
	}
	return false
}

// Report returns the summary since the last Report and starts a new interval.
func (m *LevelMeter) Report() LevelReport {
	r := LevelReport{Enabled: true, Speaking: m.voiced || m.hangLeft > 0}
	if m.samples > 0 {
		r.Avg = int(math.Round(m.sumAbs / float64(m.samples) * 100 / 32768))
	}
	r.Max = int(math.Round(float64(m.peak) * 100 / 32768))
	m.sumAbs, m.samples, m.peak, m.voiced = 0, 0, 0, false
	return r
}

// FormatVAD builds the Mizu notification line
// "VAD,local_vad: ON local_avg: 0 local_max: 0 local_speaking: no remote_vad: ON remote_avg: 0 remote_max: 0 remote_speaking: no".
func FormatVAD(local, remote LevelReport) string {
	return fmt.Sprintf("VAD,local_vad: %s local_avg: %d local_max: %d local_speaking: %s remote_vad: %s remote_avg: %d remote_max: %d remote_speaking: %s",
		onOff(local.Enabled), local.Avg, local.Max, yesNo(local.Speaking),
		onOff(remote.Enabled), remote.Avg, remote.Max, yesNo(remote.Speaking))
}

func onOff(b bool) string {
	if b {
		return "ON"
	}
	return "OFF"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
