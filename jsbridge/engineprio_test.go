package jsbridge

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEnginePrioritiesChoose(t *testing.T) {
	for _, c := range []struct {
		pcm, webrtc string
		want        string
		fallback    bool
	}{
		{"", "", EngineWebRTC, true},   // defaults: pcm disabled
		{"3", "", EnginePCM, true},     // higher than normal
		{"2", "", EngineWebRTC, true},  // a tie keeps WebRTC
		{"1", "0", EnginePCM, false},   // WebRTC disabled: no fallback
		{"5", "4", EnginePCM, true},    // forced
		{"5", "5", EngineWebRTC, true}, // both forced: WebRTC
		{"x", "9", EngineWebRTC, true}, // malformed: defaults
		{"4", "junk", EnginePCM, true},
	} {
		p := ParseEnginePriorities(c.pcm, c.webrtc)
		assert.Equal(t, c.want, p.Choose(), "pcm %q webrtc %q", c.pcm, c.webrtc)
		assert.Equal(t, c.fallback, p.CanFallBack(), "pcm %q webrtc %q", c.pcm, c.webrtc)
	}
}

func TestRelayURL(t *testing.T) {
	assert.Equal(t, "ws://127.0.0.1:8080/rtp", RelayURL("", "ws://127.0.0.1:8080/ws"))
	assert.Equal(t, "wss://sip.example.com/rtp", RelayURL("", " wss://sip.example.com/ws?x=1, ws://b/ws"))
	assert.Equal(t, "wss://relay.example.com:8090/rtp", RelayURL("wss://relay.example.com:8090/rtp", "ws://a/ws"))
	assert.Equal(t, "", RelayURL("http://relay/rtp", "ws://a/ws"), "not a WebSocket URL")
	assert.Equal(t, "", RelayURL("", "sip.example.com"))
	assert.Equal(t, "", RelayURL("", ""))
}
