package mediacore

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// CodecPolicy says which audio codecs a call may use and in what order.
type CodecPolicy struct {
	// Allow lists the codec names allowed (the Mizu "codec" parameter,
	// comma separated, case-insensitive, e.g. "PCMU,PCMA,opus"). Empty
	// allows every codec.
	Allow []string
	// Prefer is the codec moved to the front (the "prefcodec" parameter).
	Prefer string
}

// ParseCodecList splits a comma-separated codec parameter ("pcmu, PCMA").
func ParseCodecList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// staticPayloadNames are the RFC 3551 audio payload types that may appear
// without an a=rtpmap line.
var staticPayloadNames = map[string]string{
	"0": "PCMU", "3": "GSM", "4": "G723", "8": "PCMA", "9": "G722",
	"13": "CN", "18": "G729",
}

// alwaysKept are payloads that carry no voice and follow the voice codecs.
var alwaysKept = map[string]bool{"telephone-event": true, "cn": true}

// FilterAudioCodecs rewrites every m=audio section of an SDP: payload types
// whose codec is not allowed are removed together with their rtpmap, fmtp
// and rtcp-fb lines; the preferred codec is moved first, the others keep
// their order. telephone-event (RFC 4733 DTMF) and CN are always kept; RED is
// kept only while the codec it protects is. Everything else in the SDP is left
// byte for byte as it was, so a browser accepts the result in
// setLocalDescription. It fails when no allowed voice codec remains in a
// section, or when the SDP has no m=audio line.
func FilterAudioCodecs(sdp string, p CodecPolicy) (string, error) {
	eol := "\r\n"
	if !strings.Contains(sdp, "\r\n") {
		eol = "\n"
	}
	lines := strings.Split(strings.TrimRight(sdp, "\r\n"), eol)
	var out []string
	sawAudio := false
	for i := 0; i < len(lines); {
		if !strings.HasPrefix(lines[i], "m=") {
			out = append(out, lines[i])
			i++
			continue
		}
		end := i + 1
		for end < len(lines) && !strings.HasPrefix(lines[end], "m=") {
			end++
		}
		section := lines[i:end]
		if strings.HasPrefix(section[0], "m=audio ") {
			sawAudio = true
			filtered, err := filterAudioSection(section, p)
			if err != nil {
				return "", err
			}
			section = filtered
		}
		out = append(out, section...)
		i = end
	}
	if !sawAudio {
		return "", errors.New("sdp: no m=audio section")
	}
	return strings.Join(out, eol) + eol, nil
}

// filterAudioSection filters one media section (its m= line first).
func filterAudioSection(section []string, p CodecPolicy) ([]string, error) {
	mfields := strings.Fields(section[0])
	if len(mfields) < 4 {
		return nil, fmt.Errorf("sdp: malformed media line %q", section[0])
	}
	pts := mfields[3:]
	names := map[string]string{} // pt -> lower-case codec name
	redOf := map[string][]string{}
	for _, pt := range pts {
		if n, ok := staticPayloadNames[pt]; ok {
			names[pt] = strings.ToLower(n)
		}
	}
	for _, l := range section[1:] {
		if pt, rest, ok := attrFor(l, "a=rtpmap:"); ok {
			enc := rest
			if j := strings.IndexByte(enc, '/'); j >= 0 {
				enc = enc[:j]
			}
			names[pt] = strings.ToLower(strings.TrimSpace(enc))
		}
		if pt, rest, ok := attrFor(l, "a=fmtp:"); ok {
			redOf[pt] = strings.FieldsFunc(rest, func(r rune) bool { return r == '/' || r == ' ' })
		}
	}
	allowed := map[string]bool{}
	for _, a := range p.Allow {
		allowed[strings.ToLower(strings.TrimSpace(a))] = true
	}
	prefer := strings.ToLower(strings.TrimSpace(p.Prefer))

	var voice, extra []string
	keep := map[string]bool{}
	for _, pt := range pts {
		name := names[pt]
		switch {
		case alwaysKept[name]:
			extra = append(extra, pt)
		case name == "red":
			// RED is redundancy, not a codec users list: kept below
			// exactly when every codec it wraps is kept
		case len(allowed) == 0 || allowed[name]:
			voice = append(voice, pt)
		}
	}
	if len(voice) == 0 {
		return nil, fmt.Errorf("sdp: no allowed audio codec left (offered %s, allowed %s)",
			strings.Join(codecNames(pts, names), ","), strings.Join(p.Allow, ","))
	}
	for _, pt := range voice {
		keep[pt] = true
	}
	var red []string
	for _, pt := range pts {
		if names[pt] != "red" {
			continue
		}
		ok := len(redOf[pt]) > 0
		for _, inner := range redOf[pt] {
			ok = ok && keep[inner]
		}
		if ok {
			red = append(red, pt)
		}
	}
	for _, pt := range red {
		keep[pt] = true
	}
	for _, pt := range extra {
		keep[pt] = true
	}
	// Original order, minus what was dropped, with the preferred codec first.
	var order []string
	for _, pt := range pts {
		if keep[pt] {
			order = append(order, pt)
		}
	}
	if prefer != "" {
		for i, pt := range order {
			if names[pt] == prefer && !alwaysKept[prefer] {
				order = append([]string{pt}, append(order[:i:i], order[i+1:]...)...)
				break
			}
		}
	}
	res := []string{strings.Join(append(mfields[:3:3], order...), " ")}
	for _, l := range section[1:] {
		if pt, ok := payloadAttr(l); ok && !keep[pt] {
			continue
		}
		res = append(res, l)
	}
	return res, nil
}

// attrFor splits "a=rtpmap:111 opus/48000/2" into ("111", "opus/48000/2").
func attrFor(line, prefix string) (pt, rest string, ok bool) {
	if !strings.HasPrefix(line, prefix) {
		return "", "", false
	}
	v := line[len(prefix):]
	j := strings.IndexByte(v, ' ')
	if j <= 0 {
		return "", "", false
	}
	if _, err := strconv.Atoi(v[:j]); err != nil {
		return "", "", false
	}
	return v[:j], strings.TrimSpace(v[j+1:]), true
}

// payloadAttr returns the payload type an a=rtpmap/fmtp/rtcp-fb line is about.
func payloadAttr(line string) (string, bool) {
	for _, prefix := range []string{"a=rtpmap:", "a=fmtp:", "a=rtcp-fb:"} {
		if pt, _, ok := attrFor(line, prefix); ok {
			return pt, true
		}
	}
	return "", false
}

func codecNames(pts []string, names map[string]string) []string {
	out := make([]string, 0, len(pts))
	for _, pt := range pts {
		if n := names[pt]; n != "" {
			out = append(out, n)
		} else {
			out = append(out, pt)
		}
	}
	return out
}
