package jsbridge

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestICEServersFromSTUNAndTURN(t *testing.T) {
	got, err := ICEParams{
		STUN: "stun.example.com:3478", TURN: "turn.example.com:80",
		TURNParameters: "transport=tcp", TURNUsername: "u", TURNPassword: "p",
	}.ICEServers()
	require.NoError(t, err)
	assert.Equal(t, []ICEServer{
		{URLs: []string{"stun:stun.example.com:3478"}},
		{URLs: []string{"turn:turn.example.com:80?transport=tcp"}, Username: "u", Credential: "p"},
	}, got)
}

func TestICEServersNULLDisables(t *testing.T) {
	got, err := ICEParams{STUN: "NULL", TURN: "null"}.ICEServers()
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestICEServersFromMizuICELiteral(t *testing.T) {
	got, err := ICEParams{
		STUN: "ignored:1",
		ICE:  `[{url:"stun:rtc.example.com:8090"},{url:'turn:rtc.example.com:80?transport=tcp',username:"mz",credential:"pw"}]`,
	}.ICEServers()
	require.NoError(t, err)
	assert.Equal(t, []ICEServer{
		{URLs: []string{"stun:rtc.example.com:8090"}},
		{URLs: []string{"turn:rtc.example.com:80?transport=tcp"}, Username: "mz", Credential: "pw"},
	}, got)
}

func TestICEServersBadICELiteral(t *testing.T) {
	_, err := ICEParams{ICE: "[{url:"}.ICEServers()
	assert.Error(t, err)
	_, err = ICEParams{ICE: "[{username:'x'}]"}.ICEServers()
	assert.Error(t, err)
}

func TestICETransportPolicyAcceptsRelayAndAllOnly(t *testing.T) {
	assert.Equal(t, "relay", ICETransportPolicy(" Relay "))
	assert.Equal(t, "all", ICETransportPolicy("all"))
	for _, bad := range []string{"", "none", "relay;x", "public"} {
		assert.Equal(t, "", ICETransportPolicy(bad), bad)
	}
}
