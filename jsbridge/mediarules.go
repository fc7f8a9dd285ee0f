package jsbridge

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// iceCandidate is what the gathering wait needs to know of a candidate.
type iceCandidate struct {
	typ     string // host, srflx, prflx, relay
	address string
}

// reflexiveGrace is how long after gathering began the SDP waits for a
// server-reflexive or relay candidate when STUN or TURN servers are
// configured and a host address is already known. A candidate pool
// (MediaRegistry.Prewarm) has usually used it up before the call starts,
// so a STUN server that never answers does not delay calls.
const reflexiveGrace = 150 * time.Millisecond

// candidatesReady decides whether the SDP can go without waiting for the
// rest of the gathering (since: how long ago gathering began): a
// server-reflexive or relay candidate; a loopback host candidate (a
// loopback-only set-up); a host candidate with an IP address when no ICE
// server is configured, or once the servers had reflexiveGrace to answer.
// A media server with a public address learns the page's public address
// from the page's connectivity checks anyway. mDNS host names (".local")
// do not count: a SIP media server cannot resolve them.
func candidatesReady(cs []iceCandidate, haveServers bool, since time.Duration) bool {
	for _, c := range cs {
		switch {
		case c.typ == "srflx" || c.typ == "relay":
			return true
		case c.typ != "host":
		case strings.HasPrefix(c.address, "127.") || c.address == "::1":
			return true
		case isIPAddress(c.address) && (!haveServers || since >= reflexiveGrace):
			return true
		}
	}
	return false
}

func isIPAddress(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
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
