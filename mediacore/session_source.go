package mediacore

import (
	"net"
	"time"
)

// sourceSwitchQuiet is how long the current RTP source must have been silent
// before packets from another source (another address or SSRC) replace it.
// Two sources interleaved (a stale stream sent to a reused port, a forked
// early-media leg) then never flap the jitter buffer, while a real switch
// (transfer, media server change) costs at most this much audio.
const sourceSwitchQuiet = 100 * time.Millisecond

// acceptSourceLocked decides whether a well-formed packet from (from, ssrc)
// at now belongs to the stream being played. The first source is taken;
// after that another source is taken only when the current one has gone
// quiet, or when it comes from the address the SDP names and the current
// one does not (the signalled peer beats a stray stream that came first).
func (s *Session) acceptSourceLocked(from *net.UDPAddr, ssrc uint32, now time.Duration) bool {
	if s.hasRemote && ssrc == s.remoteSRC && sameUDPAddr(from, s.srcAddr) {
		s.srcLast = now
		return true
	}
	if s.hasRemote && now-s.srcLast < sourceSwitchQuiet &&
		!(s.signalledLocked(from) && !s.signalledLocked(s.srcAddr)) {
		return false
	}
	if s.hasRemote && ssrc != s.remoteSRC {
		// New stream: what is buffered belongs to the old one.
		s.jb.Reset()
		s.dtmfRx.Reset()
	}
	s.remoteSRC, s.hasRemote, s.srcLast = ssrc, true, now
	s.srcAddr = nil
	if from != nil {
		a := *from
		s.srcAddr = &a
	}
	return true
}

// signalledLocked reports whether addr is the media address of the remote SDP.
func (s *Session) signalledLocked(addr *net.UDPAddr) bool {
	return addr != nil && s.neg != nil && sameUDPAddr(addr, s.neg.Remote.Addr())
}

func sameUDPAddr(a, b *net.UDPAddr) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Port == b.Port && a.IP.Equal(b.IP)
}
