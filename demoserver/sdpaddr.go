package demoserver

import (
	"net/netip"
	"strconv"
	"strings"
)

// maxSDPMedia bounds the media sections read from one SDP body.
const maxSDPMedia = 8

// sdpMedia is one media address an SDP body announces: where RTP goes, and
// where RTCP goes when a=rtcp names another place (else RTP port + 1).
type sdpMedia struct {
	rtp  netip.AddrPort
	rtcp netip.AddrPort // zero: RTP port + 1
}

// sdpMediaAddrs reads the media addresses of an SDP body: per m= line with a
// non-zero port, the c= address (media level, else session level) and port,
// plus a=rtcp. Malformed lines are skipped.
func sdpMediaAddrs(body []byte) []sdpMedia {
	var (
		out        []sdpMedia
		sessionC   netip.Addr
		inMedia    bool
		cur        sdpMedia
		curPort    int
		curC       netip.Addr
		rtcpPort   int
		rtcpAddr   netip.Addr
		flushMedia = func() {
			if !inMedia || curPort <= 0 || curPort > 65535 || len(out) >= maxSDPMedia {
				return
			}
			ip := curC
			if !ip.IsValid() {
				ip = sessionC
			}
			if !ip.IsValid() || ip.IsUnspecified() {
				return
			}
			cur.rtp = netip.AddrPortFrom(ip, uint16(curPort))
			if rtcpPort > 0 && rtcpPort <= 65535 {
				a := ip
				if rtcpAddr.IsValid() {
					a = rtcpAddr
				}
				cur.rtcp = netip.AddrPortFrom(a, uint16(rtcpPort))
			}
			out = append(out, cur)
		}
	)
	for _, line := range strings.Split(string(body), "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.HasPrefix(line, "m="):
			flushMedia()
			inMedia, cur, curC, rtcpPort, rtcpAddr = true, sdpMedia{}, netip.Addr{}, 0, netip.Addr{}
			curPort = -1
			if f := strings.Fields(line[2:]); len(f) >= 2 {
				port, _, _ := strings.Cut(f[1], "/")
				if n, err := strconv.Atoi(port); err == nil {
					curPort = n
				}
			}
		case strings.HasPrefix(line, "c="):
			ip := connectionAddr(line[2:])
			if inMedia {
				curC = ip
			} else {
				sessionC = ip
			}
		case inMedia && strings.HasPrefix(line, "a=rtcp:"):
			f := strings.Fields(line[len("a=rtcp:"):])
			if len(f) >= 1 {
				rtcpPort, _ = strconv.Atoi(f[0])
			}
			if len(f) >= 4 {
				rtcpAddr = parseIP(f[3])
			}
		}
	}
	flushMedia()
	return out
}

// connectionAddr reads "IN IP4 192.0.2.1[/ttl]".
func connectionAddr(v string) netip.Addr {
	f := strings.Fields(v)
	if len(f) < 3 || f[0] != "IN" {
		return netip.Addr{}
	}
	return parseIP(f[2])
}

func parseIP(s string) netip.Addr {
	s, _, _ = strings.Cut(s, "/")
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return ip.Unmap()
}
