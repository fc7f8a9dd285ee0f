package jsbridge

import (
	"errors"
	"fmt"
	"strings"
)

// iceCandidate is what the gathering wait needs to know of a candidate.
type iceCandidate struct {
	typ     string // host, srflx, prflx, relay
	address string
}

// usableCandidates decides whether the SDP can go without waiting for the
// rest of the gathering. Without ICE servers, gathering finishes quickly by
// itself, so only its completion counts.
func usableCandidates(cs []iceCandidate, haveServers bool) bool {
	for _, c := range cs {
		switch {
		case c.typ == "srflx" || c.typ == "relay":
			return true
		case haveServers && c.typ == "host" && (strings.HasPrefix(c.address, "127.") || c.address == "::1"):
			return true
		}
	}
	return false
}

// dtmfTones maps Mizu DTMF text to RTCDTMFSender tones.
func dtmfTones(digits string) (string, error) {
	if digits == "" {
		return "", errors.New("jsbridge: no DTMF digits")
	}
	var b strings.Builder
	for _, r := range digits {
		switch {
		case r >= '0' && r <= '9', r == '*', r == '#', r >= 'A' && r <= 'D':
			b.WriteRune(r)
		case r >= 'a' && r <= 'd':
			b.WriteRune(r - 'a' + 'A')
		case r == ' ' || r == ',':
			b.WriteByte(',')
		default:
			return "", fmt.Errorf("jsbridge: bad DTMF character %q", r)
		}
	}
	return b.String(), nil
}

// transceiverDirection is the audio transceiver direction for a hold state
// ("", "sendonly", "inactive"): without a microphone the local side has
// nothing to send.
func transceiverDirection(hold string, haveMic bool) (string, error) {
	switch hold {
	case "":
		if !haveMic {
			return "recvonly", nil
		}
		return "sendrecv", nil
	case "sendonly":
		if !haveMic {
			return "inactive", nil
		}
		return "sendonly", nil
	case "inactive":
		return "inactive", nil
	}
	return "", fmt.Errorf("jsbridge: bad hold direction %q", hold)
}
