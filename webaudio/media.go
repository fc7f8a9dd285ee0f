package webaudio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/opensoftphone/webphone/mediacore"
)

// MediaConfig configures one call's PCM media.
type MediaConfig struct {
	// RTP and RTCP are the call's packet connections (a relay stream's, in
	// the browser); LocalAddr of each is the address the peer sends to.
	RTP, RTCP net.PacketConn
	// Address is the IP written into the SDP (the relay's public address);
	// "" = RTP.LocalAddr's IP.
	Address string
	// Codecs in preference order (mediacore.ParseCodecPrefs of the codec
	// and prefcodec parameters); empty = mediacore.DefaultCodecs.
	Codecs []mediacore.Codec
	// Audio is the microphone and speaker (nil: silence out, audio in only
	// measured).
	Audio *Bridge
	// Jitter configures the jitter buffer (zero = mediacore's defaults).
	Jitter mediacore.JitterConfig
	// DTMFDuration is the length of each RFC 4733 digit in ms (0 = 160).
	DTMFDuration int
	// Release frees what the media was built on (the relay stream, the
	// worklet), once, when the media closes. May be nil.
	Release func()
}

// Media is a call's media done in Go: a mediacore.Session (SDP offer/answer,
// RTP/RTCP, G.711, jitter buffer, PLC, RFC 4733) over the given packet
// connections, with a Bridge to the page's audio. It implements
// engine.Media, engine.MediaEvents, engine.MediaStatistics and
// engine.MediaActivity. All
// methods are safe for concurrent use.
type Media struct {
	cfg   MediaConfig
	sess  *mediacore.Session
	tones *ToneMeter
	rec   *recorder // voicerecord (recording.go)
	act   activity  // mediatimeout (activity.go)

	opMu sync.Mutex // serialises offer/answer exchanges

	mu     sync.Mutex
	onDTMF func(digit string)
	closed bool
}

// NewMedia builds the media; nothing is sent before the first offer/answer
// completes.
func NewMedia(cfg MediaConfig) (*Media, error) {
	if cfg.RTP == nil {
		return nil, errors.New("webaudio: MediaConfig.RTP is required")
	}
	m := &Media{cfg: cfg, tones: NewToneMeter(), rec: &recorder{}}
	var src mediacore.PCMSource
	sink := teeSink{m.tones, m.rec}
	if cfg.Audio != nil {
		src = recordingSource{src: cfg.Audio, rec: m.rec}
		sink = append(sink, cfg.Audio)
	}
	sess, err := mediacore.NewSession(mediacore.SessionConfig{
		Conn: cfg.RTP, RTCPConn: cfg.RTCP, Address: cfg.Address, Codecs: cfg.Codecs,
		Source: src, Sink: sink, Jitter: cfg.Jitter, OnDTMF: m.dtmfReceived,
	})
	if err != nil {
		return nil, err
	}
	m.sess = sess
	return m, nil
}

// Session is the underlying media session.
func (m *Media) Session() *mediacore.Session { return m.sess }

// Tones is the meter of the decoded audio.
func (m *Media) Tones() *ToneMeter { return m.tones }

func (m *Media) checkOpen() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errors.New("webaudio: media closed")
	}
	return nil
}

// Offer creates a local offer; hold is "", "sendonly" or "inactive".
func (m *Media) Offer(_ context.Context, hold string) ([]byte, error) {
	m.opMu.Lock()
	defer m.opMu.Unlock()
	if err := m.checkOpen(); err != nil {
		return nil, err
	}
	dir, err := mediacore.HoldDirection(hold)
	if err != nil {
		return nil, err
	}
	return m.sess.LocalOffer(dir)
}

// Answer answers a remote offer and starts the media.
func (m *Media) Answer(_ context.Context, remoteOffer []byte, hold string) ([]byte, error) {
	m.opMu.Lock()
	defer m.opMu.Unlock()
	if err := m.checkOpen(); err != nil {
		return nil, err
	}
	dir, err := mediacore.HoldDirection(hold)
	if err != nil {
		return nil, err
	}
	answer, err := m.sess.ApplyOffer(remoteOffer, dir)
	if err != nil {
		return nil, err
	}
	return answer, m.start()
}

// SetRemoteAnswer applies the peer's answer to our last offer and starts
// the media.
func (m *Media) SetRemoteAnswer(_ context.Context, sdp []byte) error {
	m.opMu.Lock()
	defer m.opMu.Unlock()
	if err := m.checkOpen(); err != nil {
		return err
	}
	if err := m.sess.ApplyAnswer(sdp); err != nil {
		return err
	}
	return m.start()
}

// start starts the session the first time, after dropping the RTP that
// queued up before it (the peer starts sending when it answers, before the
// answer reached us): read at once, as a burst, those packets would look
// like a huge delay variation and inflate the jitter buffer's target.
func (m *Media) start() error {
	if m.sess.Running() {
		return nil
	}
	drainQueued(m.cfg.RTP)
	return m.sess.Start()
}

// drainQueued reads and drops what c already holds (at most 64 packets,
// about a second), stopping at the first 20 ms without one, then clears its
// read deadline.
func drainQueued(c net.PacketConn) {
	buf := make([]byte, 1500)
	for range 64 {
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		if _, _, err := c.ReadFrom(buf); err != nil {
			break
		}
	}
	_ = c.SetReadDeadline(time.Time{})
}

// Mute silences a direction without renegotiation: 0 both, 1 what the
// user hears, 2 the microphone.
func (m *Media) Mute(direction int, on bool) error {
	switch direction {
	case 0:
		m.sess.MuteSend(on)
		m.sess.MuteReceive(on)
	case 1:
		m.sess.MuteReceive(on)
	case 2:
		m.sess.MuteSend(on)
	default:
		return fmt.Errorf("webaudio: mute direction %d", direction)
	}
	return nil
}

// SendDTMF queues digits as RFC 4733 events (pauses are the engine's).
func (m *Media) SendDTMF(digits string) error {
	digits = strings.NewReplacer(" ", "", ",", "").Replace(digits)
	if digits == "" {
		return errors.New("webaudio: no DTMF digit to send")
	}
	return m.sess.SendDTMF(digits, m.cfg.DTMFDuration)
}

// SetDTMFHandler sets what receives the RFC 4733 digits the peer sends
// (engine.MediaEvents).
func (m *Media) SetDTMFHandler(f func(digit string)) {
	m.mu.Lock()
	m.onDTMF = f
	m.mu.Unlock()
}

func (m *Media) dtmfReceived(ev mediacore.DTMFEvent) {
	m.mu.Lock()
	f := m.onDTMF
	m.mu.Unlock()
	if f != nil {
		f(string(ev.Digit))
	}
}

// Stats returns the session's statistics.
func (m *Media) Stats() mediacore.SessionStats { return m.sess.Stats() }

// Close stops the session (an RTCP BYE) and releases the relay stream and
// the worklet. Safe to call more than once.
func (m *Media) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	m.mu.Unlock()
	go func() {
		// Stop waits for the session's goroutines; never on the caller's
		// (possibly JavaScript) thread.
		m.sess.Stop()
		if m.cfg.Audio != nil {
			m.cfg.Audio.Close()
		}
		if m.cfg.Release != nil {
			m.cfg.Release()
		}
	}()
}

// Bridge is the call's audio bridge (nil without audio).
func (m *Media) Bridge() *Bridge { return m.cfg.Audio }
