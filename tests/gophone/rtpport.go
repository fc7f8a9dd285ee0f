package gophone

import (
	"fmt"
	"math/rand/v2"
	"net"
)

// The Go phone's RTP ports come from 61000-64999: above the kernel's
// ephemeral range (32768-60999), where Chromium's ICE sockets and every ":0"
// socket of the other tests running at the same time get their ports, and
// away from baresip's (10000-19999) and rtpengine's (20000-32599). A port
// that another test's media server still sends to after its page went away
// (a reused ephemeral port) would otherwise feed the phone a second stream.
const rtpPortMin, rtpPortCount = 61000, 4000

// listenRTP opens a UDP socket on host at a free port of the phone's range.
func listenRTP(host string) (net.PacketConn, error) {
	start := rand.IntN(rtpPortCount)
	var last error
	for i := 0; i < 64; i++ {
		port := rtpPortMin + (start+i*61)%rtpPortCount
		c, err := net.ListenPacket("udp4", net.JoinHostPort(host, fmt.Sprint(port)))
		if err == nil {
			return c, nil
		}
		last = err
	}
	return nil, fmt.Errorf("gophone: no free RTP port in %d-%d: %w", rtpPortMin, rtpPortMin+rtpPortCount-1, last)
}
