package webaudio

import "github.com/opensoftphone/webphone/engine"

// RTPStat is the call's RTPSTAT (engine.MediaStatistics): packets sent and
// played, every problem counted (lost, late, concealed frames, capture and
// playback drops) and a quality from the loss ratio.
func (m *Media) RTPStat() engine.RTPStat {
	st := m.sess.Stats()
	jb := st.JitterBuffer
	lost := uint64(max(st.Lost, 0))
	issues := jb.Lost + jb.Late + jb.Dropped + jb.Underruns + st.Ignored
	if m.cfg.Audio != nil {
		b := m.cfg.Audio.Stats()
		issues += b.PlaybackDropped + b.CaptureUnderruns
	}
	return engine.RTPStat{
		Quality: quality(jb.Played, lost), Sent: st.PacketsSent, Received: jb.Played,
		Issues: issues, Lost: lost,
	}
}

// quality maps the loss ratio to 0..5: 5 under 1 %, 4 under 3 %, 3 under
// 6 %, 2 under 10 %, 1 under 20 %, else 0; 0 as well when nothing played.
func quality(played, lost uint64) int {
	if played == 0 {
		return 0
	}
	pct := 100 * float64(lost) / float64(played+lost)
	for q, limit := range []float64{20, 10, 6, 3, 1} {
		if pct >= limit {
			return q
		}
	}
	return 5
}

// What the engine asks of a PCM call's media.
var (
	_ engine.Media           = (*Media)(nil)
	_ engine.MediaEvents     = (*Media)(nil)
	_ engine.MediaStatistics = (*Media)(nil)
	_ engine.MediaActivity   = (*Media)(nil)
)
