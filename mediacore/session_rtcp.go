package mediacore

import (
	"net"
	"time"

	"github.com/pion/rtcp"
)

// rtcpTarget returns the socket and address for RTCP, or nil when RTCP is not in use.
func (s *Session) rtcpTarget() (net.PacketConn, *net.UDPAddr) {
	if s.neg == nil || s.remoteAddr == nil {
		return nil, nil
	}
	if s.neg.RTCPMux {
		return s.cfg.Conn, s.remoteAddr
	}
	if s.cfg.RTCPConn != nil && s.remoteRTCP != nil && !s.remoteRTCP.IP.IsUnspecified() {
		return s.cfg.RTCPConn, s.remoteRTCP
	}
	return nil, nil
}

// sendRTCPLocked sends a sender report (when we sent RTP since the last report) or a receiver
// report, with a report block for the remote source, SDES CNAME and optionally BYE.
func (s *Session) sendRTCPLocked(bye bool) {
	now := s.now()
	s.lastRTCP = now
	conn, to := s.rtcpTarget()
	if conn == nil {
		return
	}
	var reports []rtcp.ReceptionReport
	if s.hasRemote {
		reports = append(reports, s.recv.ReportBlock(now))
	}
	var info *SenderInfo
	if s.sentSinceReport {
		packets, octets := s.sender.Counts()
		info = &SenderInfo{NTP: NTPTime(s.epoch.Add(now)), RTPTime: s.sender.Timestamp(), Packets: packets, Octets: octets}
	}
	s.sentSinceReport = false
	b, err := BuildRTCP(s.sender.SSRC(), s.cfg.CNAME, info, reports, bye)
	if err != nil {
		return
	}
	if _, err := conn.WriteTo(b, to); err == nil {
		s.stats.rtcpSent++
	}
}

// handleRTCP processes a received compound RTCP packet.
func (s *Session) handleRTCP(b []byte, from *net.UDPAddr, onRTCPSocket bool) {
	pkts, err := rtcp.Unmarshal(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.stats.ignored++
		return
	}
	s.stats.rtcpReceived++
	if onRTCPSocket && from != nil && !s.cfg.DisableSymmetricRTP {
		a := *from
		s.remoteRTCP = &a
	}
	now := s.now()
	for _, p := range pkts {
		switch p := p.(type) {
		case *rtcp.SenderReport:
			if s.hasRemote && p.SSRC == s.remoteSRC {
				s.recv.NoteSenderReport(p.NTPTime, now)
			}
			s.noteReportBlocks(p.Reports, now)
		case *rtcp.ReceiverReport:
			s.noteReportBlocks(p.Reports, now)
		}
	}
}

// noteReportBlocks keeps what the peer says about our stream, with the round-trip time
// (RFC 3550 section 6.4.1: RTT = now - LSR - DLSR, in 1/65536 s).
func (s *Session) noteReportBlocks(reports []rtcp.ReceptionReport, now time.Duration) {
	for _, r := range reports {
		if r.SSRC != s.sender.SSRC() {
			continue
		}
		lost := int64(r.TotalLost)
		if lost&0x800000 != 0 {
			lost -= 1 << 24
		}
		rep := RemoteReport{FractionLost: float64(r.FractionLost) / 256, TotalLost: lost, Jitter: r.Jitter, Valid: true}
		if r.LastSenderReport != 0 {
			mid := uint32(NTPTime(s.epoch.Add(now)) >> 16)
			if rtt := int64(int32(mid - r.LastSenderReport - r.Delay)); rtt >= 0 {
				rep.RTT = time.Duration(rtt) * time.Second / 65536
			}
		}
		s.remoteRep = rep
	}
}
