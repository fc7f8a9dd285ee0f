package infra

import (
	"regexp"
	"strconv"
)

var sdpAudioPortRe = regexp.MustCompile(`(?m)^\s*m=audio (\d+) `)

// sdpUsesPortRange reports whether a baresip SIP trace shows an m=audio
// port inside [min, max] (an SDP rewritten by rtpengine).
func sdpUsesPortRange(trace string, min, max int) bool {
	for _, m := range sdpAudioPortRe.FindAllStringSubmatch(trace, -1) {
		if p, err := strconv.Atoi(m[1]); err == nil && p >= min && p <= max {
			return true
		}
	}
	return false
}
