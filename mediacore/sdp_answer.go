package mediacore

import (
	"fmt"
	"strings"

	"github.com/pion/sdp/v3"
)

// BuildAnswer answers a remote offer. It lists the codecs both sides support in our preference
// order (cfg.Codecs, so the Mizu prefcodec wins); the first is the one we send
// (Negotiated.Codec). telephone-event is answered when both sides have it. The answer uses the
// offerer's payload type numbers and ptime, and sets the direction with
// AnswerDirection(offer, cfg.Direction).
//
// Errors: ErrNoAudio when the offer has no plain RTP audio stream, ErrNoCommonCodec when no codec
// matches (both: IsNotAcceptable, reply SIP 488), or a parse error for malformed SDP.
func BuildAnswer(offer []byte, cfg SDPConfig) ([]byte, Negotiated, error) {
	if err := cfg.validate(); err != nil {
		return nil, Negotiated{}, err
	}
	offerSD, err := parseSDP(offer)
	if err != nil {
		return nil, Negotiated{}, err
	}
	rm, err := remoteMediaFrom(offerSD)
	if err != nil {
		return nil, Negotiated{}, err
	}
	neg, err := negotiate(rm, cfg)
	if err != nil {
		return nil, Negotiated{}, err
	}
	neg.Direction = AnswerDirection(rm.Direction, cfg.Direction)
	ptOf := map[Codec]uint8{}
	for _, c := range neg.Accepted {
		ptOf[c] = remotePT(rm, c)
	}
	if rm.PTime > 0 && rm.PTime%10 == 0 && rm.PTime <= 120 {
		neg.PTime = rm.PTime // follow the offerer's packetization
		cfg.PTime = rm.PTime
	}
	sd := sessionSDP(cfg, neg.Accepted, neg.Direction, neg.DTMFPayloadType != 0, neg.DTMFPayloadType, ptOf, neg.RTCPMux)
	sd.MediaDescriptions = answerMediaLines(offerSD, rm.MediaIndex, sd.MediaDescriptions[0])
	body, err := sd.Marshal()
	if err != nil {
		return nil, Negotiated{}, err
	}
	return body, neg, nil
}

// ParseAnswer checks a remote answer against the offer we built from cfg and returns what was
// negotiated. The answer must choose at least one of our codecs.
func ParseAnswer(answer []byte, cfg SDPConfig) (Negotiated, error) {
	if err := cfg.validate(); err != nil {
		return Negotiated{}, err
	}
	rm, err := ParseRemoteMedia(answer)
	if err != nil {
		return Negotiated{}, err
	}
	// The answerer's order is authoritative for what it wants to receive (RFC 3264 section 6.1).
	var first *Codec
	for _, pt := range rm.PayloadTypes {
		m, _ := rm.Codec(pt)
		if c, ok := matchCodec(m, cfg.codecs()); ok {
			first = &c
			break
		}
	}
	if first == nil {
		return Negotiated{}, fmt.Errorf("%w: answer has payload types %v, we offered %v", ErrNoCommonCodec, rm.PayloadTypes, cfg.codecs())
	}
	neg, err := negotiate(rm, cfg)
	if err != nil {
		return Negotiated{}, err
	}
	neg.Codec = *first
	neg.PayloadType = remotePT(rm, *first)
	if rm.PTime > 0 && rm.PTime%10 == 0 && rm.PTime <= 120 {
		neg.PTime = rm.PTime // the answerer's wish for what it receives
	}
	// Our direction is what we offered, limited by what the answer allows.
	neg.Direction = AnswerDirection(rm.Direction, cfg.Direction)
	return neg, nil
}

// negotiate finds the common codecs in our order and the telephone-event payload type.
func negotiate(rm RemoteMedia, cfg SDPConfig) (Negotiated, error) {
	neg := Negotiated{Remote: rm, PTime: cfg.ptime(), RTCPMux: cfg.RTCPMux && rm.RTCPMux}
	for _, c := range cfg.codecs() {
		for _, m := range rm.Codecs {
			if mc, ok := matchCodec(m, []Codec{c}); ok && !containsCodec(neg.Accepted, mc) {
				neg.Accepted = append(neg.Accepted, mc)
			}
		}
	}
	if len(neg.Accepted) == 0 {
		return Negotiated{}, fmt.Errorf("%w: remote offers %s", ErrNoCommonCodec, describeCodecs(rm))
	}
	neg.Codec = neg.Accepted[0]
	neg.PayloadType = remotePT(rm, neg.Codec)
	if !cfg.NoDTMF {
		for _, m := range rm.Codecs {
			if strings.EqualFold(m.Name, TelephoneEventName) && m.ClockRate == 8000 {
				neg.DTMFPayloadType = m.PayloadType
				break
			}
		}
	}
	return neg, nil
}

// matchCodec reports which of our codecs an rtpmap entry is.
func matchCodec(m RTPMap, ours []Codec) (Codec, bool) {
	for _, c := range ours {
		if strings.EqualFold(m.Name, c.Name) && (m.ClockRate == 0 || m.ClockRate == c.ClockRate) {
			return c, true
		}
	}
	return Codec{}, false
}

// remotePT is the payload type the remote uses for codec c (its static type if not listed).
func remotePT(rm RemoteMedia, c Codec) uint8 {
	for _, m := range rm.Codecs {
		if strings.EqualFold(m.Name, c.Name) && (m.ClockRate == 0 || m.ClockRate == c.ClockRate) {
			return m.PayloadType
		}
	}
	return c.PayloadType
}

func describeCodecs(rm RemoteMedia) string {
	names := make([]string, 0, len(rm.Codecs))
	for _, m := range rm.Codecs {
		n := m.Name
		if n == "" {
			n = "?"
		}
		names = append(names, fmt.Sprintf("%d %s", m.PayloadType, n))
	}
	return "[" + strings.Join(names, ", ") + "]"
}

// answerMediaLines keeps the offer's m= lines in order (RFC 3264 section 6): our audio stream at
// the negotiated position, every other stream rejected with port 0.
func answerMediaLines(offer *sdp.SessionDescription, audioIdx int, audio *sdp.MediaDescription) []*sdp.MediaDescription {
	out := make([]*sdp.MediaDescription, 0, len(offer.MediaDescriptions))
	for i, md := range offer.MediaDescriptions {
		if i == audioIdx {
			out = append(out, audio)
			continue
		}
		name := sdp.MediaName{Media: "audio", Protos: []string{"RTP", "AVP"}, Formats: []string{"0"}}
		if md != nil {
			name.Media, name.Protos = md.MediaName.Media, md.MediaName.Protos
			if len(md.MediaName.Formats) > 0 {
				name.Formats = md.MediaName.Formats[:1]
			}
		}
		name.Port = sdp.RangedPort{Value: 0}
		out = append(out, &sdp.MediaDescription{MediaName: name})
	}
	return out
}
