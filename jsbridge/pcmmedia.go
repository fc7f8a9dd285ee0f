//go:build js && wasm

package jsbridge

import (
	"fmt"
	"sync"
	"time"

	"github.com/opensoftphone/webphone/rtprelay"
	"github.com/opensoftphone/webphone/webaudio"
)

// pcmReportEvery is the period of the PCM calls' statistics log line.
const pcmReportEvery = 2 * time.Second

// pcmCallMedia is one PCM call's media: webaudio.Media (engine.Media,
// MediaEvents, MediaStatistics) plus its statistics line, logged every
// pcmReportEvery while the call lasts (docs/pcm-engine.md), and a warning
// when the relay reports a problem with the call's stream or drops it.
type pcmCallMedia struct {
	*webaudio.Media
	line   int
	stream *rtprelay.Stream
	log    func(string)
	warn   func(string)
	once   sync.Once
	stop   chan struct{}
	closed func() // tells the PCMEngine; may be nil

	lastErr error // the relay's last reported stream error, already warned about
	ended   bool  // the stream's end was warned about
}

// report logs the statistics line until Close.
func (m *pcmCallMedia) report() {
	t := time.NewTicker(pcmReportEvery)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
		}
		if m.log != nil {
			m.log(m.statsLine())
		}
		m.checkStream()
	}
}

// checkStream warns once about each new relay error on the stream and
// about the stream's end while the call lasts.
func (m *pcmCallMedia) checkStream() {
	if m.stream == nil || m.warn == nil {
		return
	}
	if err := m.stream.LastError(); err != nil && err != m.lastErr {
		m.lastErr = err
		m.warn(fmt.Sprintf("pcm engine: line %d: the relay reports: %v", m.line, err))
	}
	if err := m.stream.Err(); err != nil && !m.ended {
		select {
		case <-m.stop:
			return // closed by the call's end: the stream was freed on purpose
		default:
		}
		m.ended = true
		m.warn(fmt.Sprintf("pcm engine: line %d: the relay stream ended (%v); the call has no audio", m.line, err))
	}
}

// statsLine is "pcm stat line N: sent S rec R lost L jitter J ms jb D ms
// dtmf A/B heard F Hz amp X share Y capture underruns U skipped K backlog
// C ms playback dropped P queued Q ms via T" (docs/pcm-engine.md).
func (m *pcmCallMedia) statsLine() string {
	st := m.Stats()
	f, amp, share := m.Tones().Strongest()
	s := fmt.Sprintf("pcm stat line %d: sent %d rec %d lost %d jitter %d ms jb %d ms dtmf %d/%d heard %.0f Hz amp %.3f share %.2f",
		m.line, st.PacketsSent, st.PacketsReceived, st.Lost, st.Jitter.Milliseconds(), st.JitterBuffer.Delay.Milliseconds(),
		st.DTMFSent, st.DTMFReceived, f, amp, share)
	if b := m.Bridge(); b != nil {
		bs := b.Stats()
		ms := func(samples int) int { return samples * 1000 / b.ContextRate() }
		s += fmt.Sprintf(" capture underruns %d skipped %d backlog %d ms playback dropped %d queued %d ms via %s",
			bs.CaptureUnderruns, bs.CaptureSkipped, ms(bs.CaptureBacklog), bs.PlaybackDropped, ms(bs.PlaybackQueued), b.Transport())
	}
	return s
}

// Failed reports the relay stream ended while the call lasts
// (engine.MediaActivity: the mediatimeout hangup then says "failed
// media").
func (m *pcmCallMedia) Failed() bool {
	select {
	case <-m.stop:
		return false
	default:
	}
	return m.stream != nil && m.stream.Err() != nil
}

// Close ends the statistics line and the media.
func (m *pcmCallMedia) Close() {
	m.once.Do(func() {
		close(m.stop)
		if m.log != nil {
			m.log(m.statsLine())
		}
		m.Media.Close()
		if m.closed != nil {
			m.closed()
		}
	})
}
