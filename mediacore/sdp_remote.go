package mediacore

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// ErrNoAudio means an SDP has no usable plain-RTP audio stream (none at all, port 0, or only
// SRTP/DTLS profiles). Answer such an offer with SIP 488.
var ErrNoAudio = errors.New("mediacore: no RTP/AVP audio stream in SDP")

// RTPMap is one payload type of a media description with its rtpmap and fmtp, if any.
type RTPMap struct {
	PayloadType uint8
	Name        string // encoding name as written, e.g. "PCMU", "telephone-event"; "" if unknown
	ClockRate   uint32
	Fmtp        string
}

// RemoteMedia is what a peer's SDP says about its audio stream.
type RemoteMedia struct {
	Address      string    // connection address (media level, else session level)
	Port         int       // RTP port
	RTCPPort     int       // from a=rtcp, else Port+1
	RTCPMux      bool      // a=rtcp-mux present (the peer can multiplex RTCP on the RTP port)
	PayloadTypes []uint8   // formats of the m= line, in the peer's order
	Codecs       []RTPMap  // one entry per payload type, same order
	Direction    Direction // a=sendrecv/sendonly/recvonly/inactive (media level wins); c=0.0.0.0 clears receive
	PTime        int       // a=ptime in ms, 0 if absent
	SessionID    uint64    // o= session id
	SessionVer   uint64    // o= session version
	MediaIndex   int       // position of this stream among the SDP's m= lines
}

// Addr returns the RTP address as a UDP address (nil when the address is not an IP).
func (r RemoteMedia) Addr() *net.UDPAddr {
	ip := net.ParseIP(r.Address)
	if ip == nil {
		return nil
	}
	return &net.UDPAddr{IP: ip, Port: r.Port}
}

// RTCPAddr returns the RTCP address the SDP names (a=rtcp or port+1), or the RTP address when
// the peer offered rtcp-mux. Whether mux is really used is Negotiated.RTCPMux.
func (r RemoteMedia) RTCPAddr() *net.UDPAddr {
	a := r.Addr()
	if a == nil {
		return nil
	}
	if !r.RTCPMux {
		a.Port = r.RTCPPort
	}
	return a
}

// Codec returns the rtpmap entry for payload type pt.
func (r RemoteMedia) Codec(pt uint8) (RTPMap, bool) {
	for _, c := range r.Codecs {
		if c.PayloadType == pt {
			return c, true
		}
	}
	return RTPMap{}, false
}

// ParseRemoteMedia extracts the first plain-RTP audio stream of an SDP: address, ports, payload
// types, codecs and direction. It returns ErrNoAudio when there is none.
func ParseRemoteMedia(raw []byte) (RemoteMedia, error) {
	sd, err := parseSDP(raw)
	if err != nil {
		return RemoteMedia{}, err
	}
	return remoteMediaFrom(sd)
}

func parseSDP(raw []byte) (*sdp.SessionDescription, error) {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(string(raw)); err != nil {
		return nil, fmt.Errorf("mediacore: bad SDP: %w", err)
	}
	return &sd, nil
}

func remoteMediaFrom(sd *sdp.SessionDescription) (RemoteMedia, error) {
	idx := findAudio(sd)
	if idx < 0 {
		return RemoteMedia{}, ErrNoAudio
	}
	md := sd.MediaDescriptions[idx]
	rm := RemoteMedia{
		MediaIndex: idx,
		Port:       md.MediaName.Port.Value,
		SessionID:  sd.Origin.SessionID,
		SessionVer: sd.Origin.SessionVersion,
		Direction:  SendRecv,
	}
	if rm.Port <= 0 || rm.Port > 65535 {
		return RemoteMedia{}, fmt.Errorf("%w: port %d", ErrNoAudio, rm.Port)
	}
	switch {
	case md.ConnectionInformation != nil && md.ConnectionInformation.Address != nil:
		rm.Address = md.ConnectionInformation.Address.Address
	case sd.ConnectionInformation != nil && sd.ConnectionInformation.Address != nil:
		rm.Address = sd.ConnectionInformation.Address.Address
	default:
		return RemoteMedia{}, errors.New("mediacore: SDP has no connection address (c=)")
	}
	// c= may carry a TTL or count suffix for multicast ("224.2.1.1/127"); keep the address.
	if i := strings.IndexByte(rm.Address, '/'); i >= 0 {
		rm.Address = rm.Address[:i]
	}
	rm.RTCPPort = rm.Port + 1
	if v, ok := md.Attribute("rtcp"); ok {
		if f := strings.Fields(v); len(f) > 0 {
			if p, err := strconv.Atoi(f[0]); err == nil && p > 0 && p <= 65535 {
				rm.RTCPPort = p
			}
		}
	}
	_, rm.RTCPMux = md.Attribute("rtcp-mux")

	for _, f := range md.MediaName.Formats {
		pt, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			return RemoteMedia{}, fmt.Errorf("mediacore: bad payload type %q in m=audio", f)
		}
		rm.PayloadTypes = append(rm.PayloadTypes, uint8(pt))
		rm.Codecs = append(rm.Codecs, rtpMapFor(md, uint8(pt)))
	}
	if len(rm.PayloadTypes) == 0 {
		return RemoteMedia{}, fmt.Errorf("%w: m=audio without formats", ErrNoAudio)
	}
	rm.Direction = directionOf(sd, md)
	if rm.Address == "0.0.0.0" || rm.Address == "::" {
		// RFC 2543 hold: the peer does not want to receive.
		rm.Direction = directionFrom(rm.Direction.Sends(), false)
	}
	if v, ok := md.Attribute("ptime"); ok {
		if p, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && p > 0 && p <= 200 {
			rm.PTime = p
		}
	}
	return rm, nil
}

// findAudio returns the index of the first audio m= line with a plain RTP profile and a non-zero
// port, falling back to the first plain RTP audio line (port 0 is reported by the caller), or -1.
func findAudio(sd *sdp.SessionDescription) int {
	zeroPort := -1
	for i, md := range sd.MediaDescriptions {
		if md == nil || md.MediaName.Media != "audio" || !isPlainRTP(md.MediaName.Protos) {
			continue
		}
		if md.MediaName.Port.Value != 0 {
			return i
		}
		if zeroPort < 0 {
			zeroPort = i
		}
	}
	return zeroPort
}

// isPlainRTP accepts RTP/AVP and RTP/AVPF (feedback is harmless; we just do not send any).
func isPlainRTP(protos []string) bool {
	p := strings.ToUpper(strings.Join(protos, "/"))
	return p == "RTP/AVP" || p == "RTP/AVPF"
}

func directionOf(sd *sdp.SessionDescription, md *sdp.MediaDescription) Direction {
	for _, attrs := range [][]sdp.Attribute{md.Attributes, sd.Attributes} {
		for _, a := range attrs {
			if d, err := ParseDirection(a.Key); err == nil {
				return d
			}
		}
	}
	return SendRecv
}

func rtpMapFor(md *sdp.MediaDescription, pt uint8) RTPMap {
	m := RTPMap{PayloadType: pt}
	prefix := strconv.Itoa(int(pt)) + " "
	for _, a := range md.Attributes {
		switch a.Key {
		case "rtpmap":
			if !strings.HasPrefix(a.Value, prefix) {
				continue
			}
			enc := strings.Split(strings.TrimSpace(a.Value[len(prefix):]), "/")
			m.Name = enc[0]
			if len(enc) > 1 {
				if r, err := strconv.ParseUint(enc[1], 10, 32); err == nil {
					m.ClockRate = uint32(r)
				}
			}
		case "fmtp":
			if strings.HasPrefix(a.Value, prefix) {
				m.Fmtp = strings.TrimSpace(a.Value[len(prefix):])
			}
		}
	}
	if m.Name == "" {
		if c, ok := codecByPayloadType(pt); ok {
			m.Name, m.ClockRate = c.Name, c.ClockRate
		}
	}
	return m
}
