package mediacore

import (
	"net"

	"github.com/pion/rtp"
)

// handleRTP processes one received RTP packet. It returns a DTMF event to report (outside the
// lock) when the packet starts a new telephone-event.
func (s *Session) handleRTP(b []byte, from *net.UDPAddr, pcm []int16) (DTMFEvent, bool) {
	var h rtp.Header
	hn, err := h.Unmarshal(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || h.Version != 2 || s.neg == nil || hn > len(b) {
		s.stats.ignored++
		return DTMFEvent{}, false
	}
	payload := b[hn:]
	if h.Padding && len(payload) > 0 {
		pad := int(payload[len(payload)-1])
		if pad == 0 || pad > len(payload) {
			s.stats.ignored++
			return DTMFEvent{}, false
		}
		payload = payload[:len(payload)-pad]
	}
	isDTMF := s.neg.DTMFPayloadType != 0 && h.PayloadType == s.neg.DTMFPayloadType
	codecIdx := 0
	if h.PayloadType < 128 {
		codecIdx = int(s.ptToCodec[h.PayloadType])
	}
	if !isDTMF && codecIdx == 0 {
		s.stats.ignored++
		return DTMFEvent{}, false
	}
	if isDTMF && len(payload) < dtmfPayloadLen || !isDTMF && len(payload) == 0 {
		s.stats.ignored++
		return DTMFEvent{}, false
	}
	now := s.now()
	if !s.acceptSourceLocked(from, h.SSRC, now) {
		s.stats.foreign++
		return DTMFEvent{}, false
	}
	// Only well-formed media of the accepted source moves the destination (symmetric RTP).
	s.latchLocked(from)
	if !s.neg.Direction.Receives() {
		s.stats.ignored++
		return DTMFEvent{}, false
	}
	s.recv.Update(h.SSRC, h.SequenceNumber, h.Timestamp, now)
	s.stats.packetsReceived++
	s.stats.octetsReceived += uint64(len(payload))
	if isDTMF {
		ev, isNew, err := s.dtmfRx.Push(h.Timestamp, payload)
		if err != nil {
			s.stats.ignored++
			return DTMFEvent{}, false
		}
		if !isNew {
			return DTMFEvent{}, false
		}
		s.stats.dtmfReceived++
		return ev, true
	}
	n, err := Decode(supportedCodecs[codecIdx-1], pcm, payload)
	if err != nil || n == 0 {
		return DTMFEvent{}, false
	}
	_ = s.jb.Push(h.SequenceNumber, h.Timestamp, pcm[:n], now)
	return DTMFEvent{}, false
}

// latchLocked implements symmetric RTP: send to where the peer's media comes from.
func (s *Session) latchLocked(from *net.UDPAddr) {
	if s.cfg.DisableSymmetricRTP || from == nil {
		return
	}
	if s.remoteAddr == nil || !s.remoteAddr.IP.Equal(from.IP) || s.remoteAddr.Port != from.Port {
		a := *from
		s.remoteAddr = &a
		if s.neg != nil && s.neg.RTCPMux {
			s.remoteRTCP = &a
		}
	}
}

// playFrameLocked takes one frame from the jitter buffer into frame.
func (s *Session) playFrameLocked(frame []int16) {
	s.jb.Pop(frame)
	if s.muteRecv || s.neg == nil || !s.neg.Direction.Receives() {
		clear(frame)
	}
	s.remoteVAD.Write(frame)
}
