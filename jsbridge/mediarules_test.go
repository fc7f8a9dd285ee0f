package jsbridge

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUsableCandidates(t *testing.T) {
	host := iceCandidate{typ: "host", address: "192.0.2.2"}
	mdns := iceCandidate{typ: "host", address: "4f1c0e2a-1.local"}
	loop := iceCandidate{typ: "host", address: "127.0.0.1"}
	srflx := iceCandidate{typ: "srflx", address: "203.0.113.7"}

	assert.False(t, usableCandidates(nil, true))
	assert.False(t, usableCandidates([]iceCandidate{host, mdns}, true), "STUN configured: wait for a reflexive candidate")
	assert.True(t, usableCandidates([]iceCandidate{host, srflx}, true))
	assert.True(t, usableCandidates([]iceCandidate{{typ: "relay", address: "198.51.100.1"}}, true))
	assert.True(t, usableCandidates([]iceCandidate{loop}, true), "loopback-only: STUN can never answer")
	assert.False(t, usableCandidates([]iceCandidate{host, loop}, false), "no servers: wait for gathering to complete")
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
