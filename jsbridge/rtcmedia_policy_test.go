//go:build js && wasm

package jsbridge

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opensoftphone/webphone/engine"
)

// iceTransportPolicy=relay reaches the RTCPeerConnection's configuration;
// without it (or with a value the browser does not know) the browser's
// default "all" stays.
func TestPeerMediaICETransportPolicyFromParams(t *testing.T) {
	policy := func(value string) string {
		p := engine.NewParams(engine.NewMapStorage())
		if value != "" {
			require.True(t, p.SetParameter("iceTransportPolicy", value))
		}
		cfg := PeerMediaConfigFromParams(p)
		cfg.Microphone = MicDisabled
		m := newTestMedia(t, cfg)
		got := jsRun(t, `return a0.getConfiguration().iceTransportPolicy;`, m.PeerConnection())
		s, err := got.String()
		require.NoError(t, err)
		return s
	}
	assert.Equal(t, "relay", policy("relay"))
	assert.Equal(t, "relay", policy(" RELAY "))
	assert.Equal(t, "all", policy(""))
	assert.Equal(t, "all", policy("nonsense"))
}
