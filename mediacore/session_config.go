package mediacore

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// SessionConfig configures a media Session.
type SessionConfig struct {
	// Conn is the local RTP socket (required). The session reads and writes it but never closes it.
	Conn net.PacketConn
	// RTCPConn is an optional RTCP socket (conventionally the RTP port + 1). Without it RTCP is
	// only sent when the peer asked for rtcp-mux; RTCP arriving on Conn is always understood.
	RTCPConn net.PacketConn
	// Address is the IP written into SDP. Empty = Conn's local IP (which must then not be a
	// wildcard address such as 0.0.0.0).
	Address string
	// Codecs in preference order; empty = DefaultCodecs. See ParseCodecPrefs for the Mizu
	// codec/prefcodec parameters.
	Codecs []Codec
	// PTime is the packetization time in ms (10..120, multiple of 10); 0 = 20.
	PTime int
	// DTMFPayloadType offered for telephone-event; 0 = 101. NoDTMF disables RFC 4733.
	DTMFPayloadType uint8
	NoDTMF          bool
	// Source supplies the audio to send (nil = silence). Sink receives decoded audio, one frame
	// per ptime (nil = discard). Both are called from the session's goroutines; they must not block
	// for long. Source is called with the session lock held and must not call Session methods;
	// Sink and OnDTMF may call them, except Stop (which waits for those goroutines).
	Source PCMSource
	Sink   PCMSink
	// OnDTMF is called once per received RFC 4733 event (from the receive goroutine).
	OnDTMF func(DTMFEvent)
	// Jitter configures the jitter buffer (zero = defaults).
	Jitter JitterConfig
	// RTCPInterval between reports; 0 = 5 s.
	RTCPInterval time.Duration
	// CNAME for RTCP SDES; empty = "mediacore@<Address>".
	CNAME string
	// DisableSymmetricRTP keeps sending to the SDP address even when packets come from elsewhere.
	DisableSymmetricRTP bool
	// SessionID for the SDP o= line; 0 = derived from the clock.
	SessionID uint64
}

// ErrNotNegotiated means Start or SendDTMF was called before an offer/answer completed.
var ErrNotNegotiated = errors.New("mediacore: media not negotiated yet")

// ErrDTMFNotNegotiated means the peer did not accept telephone-event.
var ErrDTMFNotNegotiated = errors.New("mediacore: telephone-event not negotiated")

func (c *SessionConfig) normalize() error {
	if c.Conn == nil {
		return errors.New("mediacore: SessionConfig.Conn is required")
	}
	if c.PTime == 0 {
		c.PTime = 20
	}
	if c.PTime < 10 || c.PTime > 120 || c.PTime%10 != 0 {
		return fmt.Errorf("mediacore: ptime %d ms is not a multiple of 10 in 10..120", c.PTime)
	}
	if len(c.Codecs) == 0 {
		c.Codecs = append([]Codec(nil), DefaultCodecs...)
	} else {
		c.Codecs = append([]Codec(nil), c.Codecs...)
	}
	if c.Address == "" {
		ua, ok := c.Conn.LocalAddr().(*net.UDPAddr)
		if !ok || ua.IP == nil || ua.IP.IsUnspecified() {
			return fmt.Errorf("mediacore: set SessionConfig.Address: socket address %v cannot be advertised", c.Conn.LocalAddr())
		}
		c.Address = ua.IP.String()
	}
	if net.ParseIP(c.Address) == nil {
		return fmt.Errorf("mediacore: SessionConfig.Address %q is not an IP address", c.Address)
	}
	if c.RTCPInterval <= 0 {
		c.RTCPInterval = 5 * time.Second
	}
	if c.CNAME == "" {
		c.CNAME = "mediacore@" + c.Address
	}
	if c.SessionID == 0 {
		c.SessionID = uint64(time.Now().UnixNano()/1000) & (1<<62 - 1)
	}
	if c.Jitter.FrameSamples == 0 {
		c.Jitter.FrameSamples = c.PTime * SampleRate / 1000
	}
	return nil
}

func udpPort(a net.Addr) int {
	if ua, ok := a.(*net.UDPAddr); ok {
		return ua.Port
	}
	return 0
}
