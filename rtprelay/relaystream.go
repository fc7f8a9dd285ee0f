//go:build !js

package rtprelay

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// relayStream is one allocated port pair of a connection: packets from the
// page go out of its UDP sockets to allowed destinations, datagrams arriving
// on them go to the page.
type relayStream struct {
	c    *serverConn
	id   uint16
	port int
	rtp  *net.UDPConn
	rtcp *net.UDPConn

	toPeerRate, toPageRate *rateLimit
	active                 atomic.Int64 // clock time (UnixNano) of the last packet either way
	forbiddenTold          atomic.Bool  // one 403 per stream
	limitTold              atomic.Bool  // one 429 per stream

	closeOnce sync.Once
}

func newRelayStream(c *serverConn, id uint16, port int, rtp, rtcp *net.UDPConn) *relayStream {
	now := c.srv.cfg.Clock.Now()
	st := &relayStream{c: c, id: id, port: port, rtp: rtp, rtcp: rtcp,
		toPeerRate: newRateLimit(c.srv.cfg.MaxRate, now), toPageRate: newRateLimit(c.srv.cfg.MaxRate, now)}
	st.active.Store(now.UnixNano())
	return st
}

// start runs the two UDP readers.
func (st *relayStream) start() {
	go st.readLoop(st.rtp, KindRTP)
	go st.readLoop(st.rtcp, KindRTCP)
}

func (st *relayStream) lastActive() time.Time { return time.Unix(0, st.active.Load()) }

// toPeer sends a packet from the page, if its rate and destination allow.
func (st *relayStream) toPeer(p Packet) {
	srv := st.c.srv
	now := srv.cfg.Clock.Now()
	if !st.toPeerRate.allow(now) {
		srv.stats.rateLimited.Add(1)
		if !st.limitTold.Swap(true) {
			st.c.writeControl(Control{Op: OpError, ID: int(st.id), Code: CodeTooMany,
				Reason: "packet rate over " + strconv.Itoa(srv.cfg.MaxRate) + "/s; excess dropped"})
		}
		return
	}
	if !unicast(p.Addr) || !st.c.policy.Allow(p.Addr, p.Kind) {
		srv.stats.forbidden.Add(1)
		if !st.forbiddenTold.Swap(true) {
			st.c.writeControl(Control{Op: OpError, ID: int(st.id), Code: CodeForbidden,
				Reason: "destination " + p.Addr.String() + " not allowed"})
		}
		return
	}
	st.active.Store(now.UnixNano())
	sock := st.rtp
	if p.Kind == KindRTCP {
		sock = st.rtcp
	}
	srv.stats.toPeer.Add(1) // counted first: the peer may see the packet before the write returns
	_, _ = sock.WriteToUDPAddrPort(p.Payload, p.Addr)
}

// unicast reports whether dst is a single host's port: never a broadcast,
// multicast or unspecified address or port 0, whatever a policy says.
func unicast(dst netip.AddrPort) bool {
	ip := dst.Addr()
	return dst.Port() != 0 && ip.IsValid() && !ip.IsUnspecified() && !ip.IsMulticast() &&
		ip != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// readLoop forwards the datagrams of one socket to the page, each with its
// source, until the socket closes.
func (st *relayStream) readLoop(sock *net.UDPConn, kind Kind) {
	srv := st.c.srv
	const off = 4 + MaxHeader // room for the WebSocket and packet headers
	buf := make([]byte, off+MaxPayload+1)
	for {
		n, from, err := sock.ReadFromUDPAddrPort(buf[off:])
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // e.g. ICMP port unreachable
		}
		if n > MaxPayload {
			srv.stats.dropped.Add(1)
			continue
		}
		now := srv.cfg.Clock.Now()
		if !st.toPageRate.allow(now) {
			srv.stats.rateLimited.Add(1)
			continue
		}
		st.active.Store(now.UnixNano())
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		start := putHeader(buf, off, kind, st.id, from)
		srv.stats.toPage.Add(1)
		st.c.writePacket(buf, start, off+n)
	}
}

// close closes the sockets and returns the pair to the pool (once).
func (st *relayStream) close() {
	st.closeOnce.Do(func() {
		_ = st.rtp.Close()
		_ = st.rtcp.Close()
		st.c.srv.pool.Release(st.port)
	})
}
