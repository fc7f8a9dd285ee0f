package mediacore

import (
	"errors"
	"fmt"
	"net"
)

// SDPConfig describes the local side of an offer or answer.
type SDPConfig struct {
	Address         string    // IP address for c= and o= (required)
	Port            int       // local RTP port (required, 1..65535)
	RTCPPort        int       // local RTCP port; written as a=rtcp when it is not Port+1; 0 = Port+1
	Codecs          []Codec   // codecs in preference order; empty = DefaultCodecs
	DTMFPayloadType uint8     // payload type offered for telephone-event; 0 = DefaultDTMFPayloadType
	NoDTMF          bool      // do not offer or accept telephone-event
	PTime           int       // packetization time in ms; 0 = 20
	Direction       Direction // wanted direction (hold = SendOnly or Inactive)
	SessionID       uint64    // o= session id (keep it for the whole call)
	SessionVersion  uint64    // o= version (increment for every new offer/answer in a call)
	Username        string    // o= username; "" = "-"
	SessionName     string    // s= line; "" = "-"
	// RTCPMux offers RTCP on the RTP port (RFC 5761) and accepts it in answers. Use it when there
	// is no separate RTCP socket.
	RTCPMux bool
}

func (c SDPConfig) codecs() []Codec {
	if len(c.Codecs) == 0 {
		return DefaultCodecs
	}
	return c.Codecs
}

func (c SDPConfig) dtmfPT() uint8 {
	if c.DTMFPayloadType == 0 {
		return DefaultDTMFPayloadType
	}
	return c.DTMFPayloadType
}

func (c SDPConfig) ptime() int {
	if c.PTime <= 0 {
		return 20
	}
	return c.PTime
}

func (c SDPConfig) validate() error {
	if net.ParseIP(c.Address) == nil {
		return fmt.Errorf("mediacore: SDP address %q is not an IP address", c.Address)
	}
	if c.Port <= 0 || c.Port > 65535 {
		return fmt.Errorf("mediacore: SDP port %d out of range", c.Port)
	}
	if !c.Direction.Valid() {
		return fmt.Errorf("mediacore: invalid direction %d", int(c.Direction))
	}
	if c.PTime < 0 || c.PTime > 120 || c.PTime%10 != 0 {
		return fmt.Errorf("mediacore: ptime %d ms is not a multiple of 10 in 10..120", c.PTime)
	}
	for _, cd := range c.codecs() {
		if _, ok := codecByPayloadType(cd.PayloadType); !ok {
			return fmt.Errorf("%w: %q", ErrNoSupportedCodec, cd.Name)
		}
	}
	if pt := c.dtmfPT(); !c.NoDTMF && (pt < 96 || pt > 127) {
		return fmt.Errorf("mediacore: telephone-event payload type %d not in 96..127", c.dtmfPT())
	}
	return nil
}

// ErrNoCommonCodec means the offer (or answer) has no codec in common with ours.
// Answer such an offer with SIP 488 Not Acceptable Here.
var ErrNoCommonCodec = errors.New("mediacore: no common codec")

// IsNotAcceptable reports whether err means the remote SDP cannot be accepted and the caller
// should reply SIP 488 (no common codec or no usable audio stream).
func IsNotAcceptable(err error) bool {
	return errors.Is(err, ErrNoCommonCodec) || errors.Is(err, ErrNoAudio)
}

// Negotiated is the outcome of an offer/answer exchange: what to send and receive.
type Negotiated struct {
	Remote          RemoteMedia
	Codec           Codec     // codec to send (and the one we expect to receive)
	PayloadType     uint8     // payload type to send the codec with
	DTMFPayloadType uint8     // telephone-event payload type to send with; 0 when none negotiated
	PTime           int       // packetization time in ms
	Direction       Direction // our direction after negotiation (what we may do)
	Accepted        []Codec   // all codecs both sides support, in our preference order
	RTCPMux         bool      // RTCP shares the RTP port (both sides said a=rtcp-mux)
}
