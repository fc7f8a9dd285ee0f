package rtprelay

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// Kind says what a binary frame carries.
type Kind byte

// The kinds of packet frames.
const (
	KindRTP  Kind = 1
	KindRTCP Kind = 2
)

func (k Kind) String() string {
	switch k {
	case KindRTP:
		return "RTP"
	case KindRTCP:
		return "RTCP"
	}
	return "unknown"
}

// MaxPayload is the largest RTP or RTCP packet a frame may carry.
const MaxPayload = 1500

// MaxHeader is the longest packet frame header (IPv6 address).
const MaxHeader = 1 + 2 + 1 + 16 + 2

// MaxFrame is the longest valid packet frame.
const MaxFrame = MaxHeader + MaxPayload

// Packet is one decoded binary frame: an RTP or RTCP packet of a stream with
// its destination (client to relay) or source (relay to client).
type Packet struct {
	Kind    Kind
	Stream  uint16
	Addr    netip.AddrPort
	Payload []byte
}

// Errors of the frame codec.
var (
	ErrShortFrame   = errors.New("rtprelay: frame too short")
	ErrBadKind      = errors.New("rtprelay: unknown frame kind")
	ErrBadFamily    = errors.New("rtprelay: unknown address family")
	ErrBadStreamID  = errors.New("rtprelay: stream id 0")
	ErrLargePayload = errors.New("rtprelay: packet larger than 1500 bytes")
	ErrBadAddress   = errors.New("rtprelay: invalid address")
)

// headerLen is the frame header length for addr.
func headerLen(addr netip.Addr) int {
	if addr.Is4() {
		return 1 + 2 + 1 + 4 + 2
	}
	return MaxHeader
}

// AppendPacket appends the frame of p to dst. IPv4-mapped IPv6 addresses are
// written as IPv4.
func AppendPacket(dst []byte, p Packet) ([]byte, error) {
	if p.Kind != KindRTP && p.Kind != KindRTCP {
		return dst, ErrBadKind
	}
	if p.Stream == 0 {
		return dst, ErrBadStreamID
	}
	if len(p.Payload) > MaxPayload {
		return dst, ErrLargePayload
	}
	ip := p.Addr.Addr().Unmap()
	if !ip.IsValid() || ip.Zone() != "" {
		return dst, ErrBadAddress
	}
	dst = append(dst, byte(p.Kind), byte(p.Stream>>8), byte(p.Stream))
	if ip.Is4() {
		a := ip.As4()
		dst = append(dst, 4)
		dst = append(dst, a[:]...)
	} else {
		a := ip.As16()
		dst = append(dst, 6)
		dst = append(dst, a[:]...)
	}
	dst = binary.BigEndian.AppendUint16(dst, p.Addr.Port())
	return append(dst, p.Payload...), nil
}

// putHeader writes the frame header of a packet right before b[end:], into
// b[end-headerLen:end], and returns where it starts. The caller reserved
// MaxHeader bytes.
func putHeader(b []byte, end int, kind Kind, stream uint16, addr netip.AddrPort) int {
	ip := addr.Addr().Unmap()
	start := end - headerLen(ip)
	b[start] = byte(kind)
	binary.BigEndian.PutUint16(b[start+1:], stream)
	if ip.Is4() {
		b[start+3] = 4
		a := ip.As4()
		copy(b[start+4:], a[:])
	} else {
		b[start+3] = 6
		a := ip.As16()
		copy(b[start+4:], a[:])
	}
	binary.BigEndian.PutUint16(b[end-2:], addr.Port())
	return start
}

// ParsePacket decodes a binary frame. Payload aliases b.
func ParsePacket(b []byte) (Packet, error) {
	if len(b) < 1+2+1+4+2 {
		return Packet{}, ErrShortFrame
	}
	p := Packet{Kind: Kind(b[0]), Stream: binary.BigEndian.Uint16(b[1:])}
	if p.Kind != KindRTP && p.Kind != KindRTCP {
		return Packet{}, ErrBadKind
	}
	if p.Stream == 0 {
		return Packet{}, ErrBadStreamID
	}
	var ip netip.Addr
	rest := b[4:]
	switch b[3] {
	case 4:
		ip = netip.AddrFrom4([4]byte(rest[:4]))
		rest = rest[4:]
	case 6:
		if len(rest) < 16+2 {
			return Packet{}, ErrShortFrame
		}
		ip = netip.AddrFrom16([16]byte(rest[:16])).Unmap()
		rest = rest[16:]
	default:
		return Packet{}, ErrBadFamily
	}
	p.Addr = netip.AddrPortFrom(ip, binary.BigEndian.Uint16(rest))
	p.Payload = rest[2:]
	if len(p.Payload) > MaxPayload {
		return Packet{}, ErrLargePayload
	}
	return p, nil
}
