package rtprelay

import (
	"net"
	"net/netip"
	"os"
	"sync"
	"time"
)

// inboundQueue bounds the packets waiting in a packetConn for ReadFrom; more
// are dropped, as a full UDP socket buffer would.
const inboundQueue = 64

// inbound is one received packet and its source.
type inbound struct {
	data []byte
	from *net.UDPAddr
}

// packetConn is the RTP or RTCP side of a Stream as a net.PacketConn:
// WriteTo sends a frame to the destination through the relay, ReadFrom
// returns the packets the relay received with their source.
type packetConn struct {
	stream *Stream
	kind   Kind
	local  *net.UDPAddr

	in        chan inbound
	closed    chan struct{}
	closeOnce sync.Once
	rd, wd    *deadline

	wmu  sync.Mutex // guards wbuf
	wbuf []byte
}

var _ net.PacketConn = (*packetConn)(nil)

func newPacketConn(s *Stream, kind Kind, local *net.UDPAddr) *packetConn {
	return &packetConn{stream: s, kind: kind, local: local, in: make(chan inbound, inboundQueue),
		closed: make(chan struct{}), rd: newDeadline(), wd: newDeadline()}
}

// deliver queues a received packet; false when the queue is full or the
// conn closed (the packet is dropped).
func (c *packetConn) deliver(data []byte, from netip.AddrPort) bool {
	select {
	case <-c.closed:
		return false
	default:
	}
	select {
	case c.in <- inbound{data: data, from: net.UDPAddrFromAddrPort(from)}:
		return true
	default:
		return false
	}
}

// ReadFrom returns the next packet the relay received and its source. It
// fails with os.ErrDeadlineExceeded after the read deadline and with
// net.ErrClosed once closed (Stream.Err tells why).
func (c *packetConn) ReadFrom(b []byte) (int, net.Addr, error) {
	select {
	case <-c.closed:
		return 0, nil, c.closedErr("read")
	default:
	}
	select {
	case p := <-c.in:
		return copy(b, p.data), p.from, nil
	case <-c.closed:
		return 0, nil, c.closedErr("read")
	case <-c.rd.done():
		return 0, nil, c.opErr("read", os.ErrDeadlineExceeded)
	}
}

// WriteTo sends b to addr (a *net.UDPAddr or an "ip:port" address) through
// the relay.
func (c *packetConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	select {
	case <-c.closed:
		return 0, c.closedErr("write")
	default:
	}
	if c.wd.passed() {
		return 0, c.opErr("write", os.ErrDeadlineExceeded)
	}
	dst, err := addrPortOf(addr)
	if err != nil {
		return 0, c.opErr("write", err)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	frame, err := AppendPacket(c.wbuf[:0], Packet{Kind: c.kind, Stream: c.stream.id, Addr: dst, Payload: b})
	if err != nil {
		return 0, c.opErr("write", err)
	}
	c.wbuf = frame
	if err := c.stream.client.send(true, frame); err != nil {
		return 0, c.opErr("write", err)
	}
	return len(b), nil
}

// addrPortOf converts a destination address.
func addrPortOf(addr net.Addr) (netip.AddrPort, error) {
	if ua, ok := addr.(*net.UDPAddr); ok && ua != nil {
		ap := ua.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
	}
	if addr == nil {
		return netip.AddrPort{}, ErrBadAddress
	}
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return netip.AddrPort{}, ErrBadAddress
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// Close closes this side of the stream: blocked reads return. Stream.Close
// releases the ports.
func (c *packetConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return nil
}

// LocalAddr is the relay's public address of this side (what SDP advertises).
func (c *packetConn) LocalAddr() net.Addr { return c.local }

func (c *packetConn) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

func (c *packetConn) SetReadDeadline(t time.Time) error  { c.rd.set(t); return nil }
func (c *packetConn) SetWriteDeadline(t time.Time) error { c.wd.set(t); return nil }

// closedErr is the error of an operation on a closed conn: always
// net.ErrClosed (readers stop on it); Stream.Err tells why.
func (c *packetConn) closedErr(op string) error { return c.opErr(op, net.ErrClosed) }

func (c *packetConn) opErr(op string, err error) error {
	return &net.OpError{Op: op, Net: "rtprelay", Addr: c.local, Err: err}
}
