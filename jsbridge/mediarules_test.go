package jsbridge

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCandidatesReady(t *testing.T) {
	host := iceCandidate{typ: "host", address: "192.0.2.2"}
	host6 := iceCandidate{typ: "host", address: "2001:db8::2"}
	mdns := iceCandidate{typ: "host", address: "4f1c0e2a-1.local"}
	loop := iceCandidate{typ: "host", address: "127.0.0.1"}
	srflx := iceCandidate{typ: "srflx", address: "203.0.113.7"}
	early, late := 10*time.Millisecond, reflexiveGrace

	assert.False(t, candidatesReady(nil, true, time.Hour))
	assert.False(t, candidatesReady(nil, false, time.Hour))
	assert.True(t, candidatesReady([]iceCandidate{host}, false, 0), "no servers: the first host address is enough")
	assert.True(t, candidatesReady([]iceCandidate{host6}, false, 0))
	assert.False(t, candidatesReady([]iceCandidate{mdns}, false, time.Hour), "an mDNS name is not an address a SIP server can use")
	assert.False(t, candidatesReady([]iceCandidate{host, mdns}, true, early), "STUN configured: give it its grace time")
	assert.True(t, candidatesReady([]iceCandidate{host, mdns}, true, late), "STUN silent past the grace: go with the host address")
	assert.True(t, candidatesReady([]iceCandidate{host, srflx}, true, early))
	assert.True(t, candidatesReady([]iceCandidate{{typ: "relay", address: "198.51.100.1"}}, true, early))
	assert.True(t, candidatesReady([]iceCandidate{loop}, true, early), "loopback-only: STUN can never answer")
	assert.False(t, candidatesReady([]iceCandidate{{typ: "prflx", address: "192.0.2.9"}}, false, late))
}

func TestDTMFTones(t *testing.T) {
	got, err := dtmfTones("12 3,#*abcdD")
	require.NoError(t, err)
	assert.Equal(t, "12,3,#*ABCDD", got)
	_, err = dtmfTones("")
	assert.Error(t, err)
	_, err = dtmfTones("12x")
	assert.ErrorContains(t, err, "'x'")
}

func TestTransceiverDirection(t *testing.T) {
	for _, c := range []struct {
		hold   string
		mic    bool
		expect string
	}{
		{"", true, "sendrecv"}, {"", false, "recvonly"},
		{"sendonly", true, "sendonly"}, {"sendonly", false, "inactive"},
		{"inactive", true, "inactive"}, {"inactive", false, "inactive"},
	} {
		got, err := transceiverDirection(c.hold, c.mic)
		require.NoError(t, err)
		assert.Equal(t, c.expect, got, "hold %q mic %v", c.hold, c.mic)
	}
	_, err := transceiverDirection("recvonly", true)
	assert.Error(t, err)
}
