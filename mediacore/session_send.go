package mediacore

import (
	"io"

	"github.com/pion/rtp"
)

// sendFrameLocked sends this tick's frame: a telephone-event packet when DTMF is in progress,
// otherwise one audio packet, or nothing (timestamp still advancing) when we must not send.
func (s *Session) sendFrameLocked(frame []int16, payload, packet []byte) {
	if s.neg == nil || !s.neg.Direction.Sends() || s.remoteAddr == nil || s.remoteAddr.IP.IsUnspecified() {
		s.sender.Skip(len(frame))
		return
	}
	if s.neg.DTMFPayloadType != 0 {
		if ev, ok := s.dtmfTx.Next(s.sender.Timestamp()); ok {
			h := s.sender.Event(s.neg.DTMFPayloadType, ev.Timestamp, ev.Marker, len(ev.Payload))
			s.sender.Skip(len(frame))
			if ev.Marker {
				s.stats.dtmfSent++
			}
			s.writeRTP(h, ev.Payload[:], packet)
			return
		}
	}
	s.readSourceLocked(frame)
	s.localVAD.Write(frame)
	n, err := Encode(s.sendCodec, payload, frame)
	if err != nil {
		s.sender.Skip(len(frame))
		return
	}
	h := s.sender.Audio(s.sendPT, len(frame), n)
	s.writeRTP(h, payload[:n], packet)
}

// readSourceLocked fills frame from the source, padding with silence.
func (s *Session) readSourceLocked(frame []int16) {
	got := 0
	if s.source != nil && !s.muteSend {
		for got < len(frame) {
			n, err := s.source.ReadPCM(frame[got:])
			got += max(n, 0)
			if err == io.EOF {
				s.source = nil
				break
			}
			if err != nil || n <= 0 {
				break
			}
		}
	}
	clear(frame[got:])
}

func (s *Session) writeRTP(h rtp.Header, payload, packet []byte) {
	hn, err := h.MarshalTo(packet)
	if err != nil || hn+len(payload) > len(packet) {
		return
	}
	n := hn + copy(packet[hn:], payload)
	if _, err := s.cfg.Conn.WriteTo(packet[:n], s.remoteAddr); err == nil {
		s.stats.packetsSent++
		s.stats.octetsSent += uint64(len(payload))
		s.sentSinceReport = true
	}
}
