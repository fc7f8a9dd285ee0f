package rtprelay

import (
	"net"
	"net/netip"
	"sync"
)

// Stream is one port pair the relay allocated for a call: RTP on Port, RTCP
// on Port+1, both on IP (the relay's public address, what the SDP
// advertises).
type Stream struct {
	client *Client
	id     uint16
	ip     netip.Addr
	port   int
	rtp    *packetConn
	rtcp   *packetConn

	mu      sync.Mutex
	err     error // why the stream ended
	lastErr error // the last failure the relay reported for it
	once    sync.Once
}

func newStream(c *Client, id uint16, ip netip.Addr, port int) *Stream {
	s := &Stream{client: c, id: id, ip: ip, port: port}
	s.rtp = newPacketConn(s, KindRTP, &net.UDPAddr{IP: ip.AsSlice(), Port: port})
	s.rtcp = newPacketConn(s, KindRTCP, &net.UDPAddr{IP: ip.AsSlice(), Port: port + 1})
	return s
}

// ID is the stream's number on its connection.
func (s *Stream) ID() int { return int(s.id) }

// IP is the relay's public address of the stream.
func (s *Stream) IP() netip.Addr { return s.ip }

// Port is the relay's RTP port (RTCP is Port+1).
func (s *Stream) Port() int { return s.port }

// RTP is the stream's RTP side, for mediacore.SessionConfig.Conn. Its
// LocalAddr is the relay's public address and RTP port.
func (s *Stream) RTP() net.PacketConn { return s.rtp }

// RTCP is the stream's RTCP side, for mediacore.SessionConfig.RTCPConn.
func (s *Stream) RTCP() net.PacketConn { return s.rtcp }

// Close releases the ports at the relay (a "free" message) and closes both
// sides. It is safe to call more than once.
func (s *Stream) Close() error {
	var err error
	s.once.Do(func() {
		s.client.forget(s.id)
		err = s.client.send(false, Control{Op: OpFree, ID: int(s.id)}.Marshal())
		s.end(net.ErrClosed)
	})
	return err
}

// Err is why the stream ended (nil while it lives).
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// LastError is the last failure the relay reported for the stream while it
// lives (e.g. 403: a destination the call did not negotiate), or nil.
func (s *Stream) LastError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

func (s *Stream) reported(err error) {
	s.mu.Lock()
	s.lastErr = err
	s.mu.Unlock()
}

// end closes both sides with reason err.
func (s *Stream) end(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.rtp.Close()
	s.rtcp.Close()
}

// deliver hands a received packet to its side.
func (s *Stream) deliver(p Packet) bool {
	if p.Kind == KindRTCP {
		return s.rtcp.deliver(p.Payload, p.Addr)
	}
	return s.rtp.deliver(p.Payload, p.Addr)
}
