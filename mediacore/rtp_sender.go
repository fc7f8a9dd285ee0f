package mediacore

import (
	"crypto/rand"
	"encoding/binary"

	"github.com/pion/rtp"
)

// RTPSender numbers outgoing RTP packets: a random SSRC, a random initial sequence number and
// timestamp (RFC 3550 section 5.1), sequence +1 per packet (wrapping at 2^16), timestamp +samples
// per frame of media whether or not the frame was sent, and the marker bit on the first packet of a
// talkspurt.
type RTPSender struct {
	ssrc      uint32
	seq       uint16
	ts        uint32
	marker    bool
	packets   uint32
	octets    uint32
	lastTS    uint32
	hasSentTS bool
}

// NewRTPSender returns a sender with random SSRC, sequence number and timestamp. The first
// packet carries the marker bit.
func NewRTPSender() *RTPSender {
	s := &RTPSender{}
	s.NewSSRC()
	return s
}

// NewSSRC picks a new random SSRC, sequence number and timestamp and resets the counters,
// as after an SSRC change (e.g. a new media session on re-INVITE). The next packet starts a
// talkspurt.
func (s *RTPSender) NewSSRC() {
	var b [10]byte
	_, _ = rand.Read(b[:])
	*s = RTPSender{
		ssrc:   binary.BigEndian.Uint32(b[0:4]),
		seq:    binary.BigEndian.Uint16(b[4:6]),
		ts:     binary.BigEndian.Uint32(b[6:10]),
		marker: true,
	}
}

// SSRC returns the synchronization source identifier.
func (s *RTPSender) SSRC() uint32 { return s.ssrc }

// Timestamp returns the RTP timestamp of the next frame.
func (s *RTPSender) Timestamp() uint32 { return s.ts }

// NextSeq returns the sequence number the next packet will get.
func (s *RTPSender) NextSeq() uint16 { return s.seq }

// StartTalkspurt sets the marker bit on the next audio packet (after silence, hold or mute).
func (s *RTPSender) StartTalkspurt() { s.marker = true }

// Audio returns the header for an audio packet carrying one frame of samples at the current
// timestamp and advances sequence number and timestamp.
func (s *RTPSender) Audio(pt uint8, samples int, payloadLen int) rtp.Header {
	h := s.header(pt, s.ts, s.marker)
	s.marker = false
	s.ts += uint32(samples)
	s.count(payloadLen)
	return h
}

// Skip advances the timestamp by samples without sending (hold, inactive, DTMF in progress)
// and makes the next audio packet start a talkspurt.
func (s *RTPSender) Skip(samples int) {
	s.ts += uint32(samples)
	s.marker = true
}

// Event returns the header for a telephone-event packet with timestamp ts (the event start) and
// advances only the sequence number.
func (s *RTPSender) Event(pt uint8, ts uint32, marker bool, payloadLen int) rtp.Header {
	h := s.header(pt, ts, marker)
	s.count(payloadLen)
	return h
}

// Counts returns packets and payload octets sent (for RTCP sender reports).
func (s *RTPSender) Counts() (packets, octets uint32) { return s.packets, s.octets }

// LastTimestamp returns the RTP timestamp of the last packet sent and whether any was sent.
func (s *RTPSender) LastTimestamp() (uint32, bool) { return s.lastTS, s.hasSentTS }

func (s *RTPSender) header(pt uint8, ts uint32, marker bool) rtp.Header {
	h := rtp.Header{
		Version:        2,
		Marker:         marker,
		PayloadType:    pt,
		SequenceNumber: s.seq,
		Timestamp:      ts,
		SSRC:           s.ssrc,
	}
	s.seq++
	s.lastTS, s.hasSentTS = ts, true
	return h
}

func (s *RTPSender) count(payloadLen int) {
	s.packets++
	s.octets += uint32(payloadLen)
}
