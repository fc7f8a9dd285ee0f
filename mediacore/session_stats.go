package mediacore

import "time"

// SessionStats are a session's counters and quality figures.
type SessionStats struct {
	Codec           string
	PayloadType     uint8
	PTime           int
	Direction       Direction
	LocalSSRC       uint32
	RemoteSSRC      uint32
	RemoteAddr      string
	PacketsSent     uint64
	OctetsSent      uint64 // payload octets
	PacketsReceived uint64
	OctetsReceived  uint64
	Ignored         uint64        // packets dropped: malformed, unknown payload type, not receiving
	Foreign         uint64        // packets of a second source while the accepted one was live
	Lost            int64         // RFC 3550 cumulative loss of the remote stream
	Jitter          time.Duration // RFC 3550 interarrival jitter of the remote stream
	JitterBuffer    JitterStats
	DTMFSent        uint64
	DTMFReceived    uint64
	RTCPSent        uint64
	RTCPReceived    uint64
	Remote          RemoteReport // what the peer reported about our stream
}

// Stats returns a snapshot of the session's statistics.
func (s *Session) Stats() SessionStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := SessionStats{
		Codec:           s.sendCodec.Name,
		PayloadType:     s.sendPT,
		PTime:           s.frame * 1000 / SampleRate,
		LocalSSRC:       s.sender.SSRC(),
		RemoteSSRC:      s.remoteSRC,
		PacketsSent:     s.stats.packetsSent,
		OctetsSent:      s.stats.octetsSent,
		PacketsReceived: s.stats.packetsReceived,
		OctetsReceived:  s.stats.octetsReceived,
		Ignored:         s.stats.ignored,
		Foreign:         s.stats.foreign,
		Lost:            s.recv.Lost(),
		Jitter:          s.recv.JitterDuration(),
		JitterBuffer:    s.jb.Stats(),
		DTMFSent:        s.stats.dtmfSent,
		DTMFReceived:    s.stats.dtmfReceived,
		RTCPSent:        s.stats.rtcpSent,
		RTCPReceived:    s.stats.rtcpReceived,
		Remote:          s.remoteRep,
	}
	if s.neg != nil {
		st.Direction = s.neg.Direction
	}
	if s.remoteAddr != nil {
		st.RemoteAddr = s.remoteAddr.String()
	}
	return st
}
