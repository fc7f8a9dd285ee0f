package mediacore

import (
	"net"
	"strconv"

	"github.com/pion/sdp/v3"
)

// BuildOffer returns an SDP offer with one RTP/AVP audio stream carrying cfg's codecs (in order),
// telephone-event (events 0-16) unless cfg.NoDTMF, a=ptime, the direction attribute, and a=rtcp
// (RTCP not on port+1) or a=rtcp-mux.
func BuildOffer(cfg SDPConfig) ([]byte, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return sessionSDP(cfg, cfg.codecs(), cfg.Direction, !cfg.NoDTMF, cfg.dtmfPT(), nil, cfg.RTCPMux).Marshal()
}

// sessionSDP builds a session with one audio stream. ptOf maps a codec to the payload type to
// write (nil = its static type).
func sessionSDP(cfg SDPConfig, codecs []Codec, dir Direction, dtmf bool, dtmfPT uint8, ptOf map[Codec]uint8, mux bool) *sdp.SessionDescription {
	ipVer := "IP4"
	if ip := net.ParseIP(cfg.Address); ip != nil && ip.To4() == nil {
		ipVer = "IP6"
	}
	user := cfg.Username
	if user == "" {
		user = "-"
	}
	name := cfg.SessionName
	if name == "" {
		name = "-"
	}
	md := &sdp.MediaDescription{
		MediaName: sdp.MediaName{
			Media:  "audio",
			Port:   sdp.RangedPort{Value: cfg.Port},
			Protos: []string{"RTP", "AVP"},
		},
	}
	for _, c := range codecs {
		pt := c.PayloadType
		if p, ok := ptOf[c]; ok {
			pt = p
		}
		md.MediaName.Formats = append(md.MediaName.Formats, strconv.Itoa(int(pt)))
		md.Attributes = append(md.Attributes, sdp.NewAttribute("rtpmap",
			strconv.Itoa(int(pt))+" "+c.Name+"/"+strconv.Itoa(int(c.ClockRate))))
	}
	if dtmf {
		pt := strconv.Itoa(int(dtmfPT))
		md.MediaName.Formats = append(md.MediaName.Formats, pt)
		md.Attributes = append(md.Attributes,
			sdp.NewAttribute("rtpmap", pt+" "+TelephoneEventName+"/8000"),
			sdp.NewAttribute("fmtp", pt+" 0-16"))
	}
	if mux {
		md.Attributes = append(md.Attributes, sdp.NewPropertyAttribute("rtcp-mux"))
	} else if cfg.RTCPPort != 0 && cfg.RTCPPort != cfg.Port+1 {
		md.Attributes = append(md.Attributes, sdp.NewAttribute("rtcp", strconv.Itoa(cfg.RTCPPort)))
	}
	md.Attributes = append(md.Attributes,
		sdp.NewAttribute("ptime", strconv.Itoa(cfg.ptime())),
		sdp.NewPropertyAttribute(dir.String()))

	sd := &sdp.SessionDescription{
		Origin: sdp.Origin{
			Username:       user,
			SessionID:      cfg.SessionID,
			SessionVersion: cfg.SessionVersion,
			NetworkType:    "IN",
			AddressType:    ipVer,
			UnicastAddress: cfg.Address,
		},
		SessionName: sdp.SessionName(name),
		ConnectionInformation: &sdp.ConnectionInformation{
			NetworkType: "IN",
			AddressType: ipVer,
			Address:     &sdp.Address{Address: cfg.Address},
		},
		TimeDescriptions:  []sdp.TimeDescription{{Timing: sdp.Timing{}}},
		MediaDescriptions: []*sdp.MediaDescription{md},
	}
	return sd
}
