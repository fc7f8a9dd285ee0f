package jsbridge

import (
	"net/url"
	"strconv"
	"strings"
)

// Media engine names, as getenginename reports them (docs/pcm-engine.md).
const (
	EngineWebRTC = "webrtc" // RTCPeerConnection: ICE, DTLS-SRTP, Opus/G.711 in the browser
	EnginePCM    = "pcm"    // AudioWorklet + Go media (mediacore) + RTP/AVP over the WebSocket relay
)

// EnginePriorities are the enginepriority_pcm and enginepriority_webrtc
// parameters, on the Mizu scale: 0 disabled, 1 lower, 2 normal, 3 higher,
// 4 highest, 5 force. Unset or malformed: pcm 0, webrtc 2.
type EnginePriorities struct {
	PCM, WebRTC int
}

// ParseEnginePriorities reads the two parameters' values ("" = unset).
func ParseEnginePriorities(pcm, webrtc string) EnginePriorities {
	p := func(s string, def int) int {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 || n > 5 {
			return def
		}
		return n
	}
	return EnginePriorities{PCM: p(pcm, 0), WebRTC: p(webrtc, 2)}
}

// Choose names the engine calls use: the PCM engine when it is enabled and
// forced (5), or ranks above WebRTC, or WebRTC is disabled; WebRTC
// otherwise (ties included).
func (p EnginePriorities) Choose() string {
	switch {
	case p.PCM == 0:
		return EngineWebRTC
	case p.PCM == 5 && p.WebRTC != 5, p.PCM > p.WebRTC, p.WebRTC == 0:
		return EnginePCM
	}
	return EngineWebRTC
}

// CanFallBack reports whether a PCM call whose relay is unreachable may use
// WebRTC instead (WebRTC not disabled).
func (p EnginePriorities) CanFallBack() bool { return p.WebRTC != 0 }

// RelayURL is the RTP relay's WebSocket URL: the rtprelay parameter when
// set, else "/rtp" on the host of the first SIP WebSocket URL (wss stays
// wss). "" when neither gives a ws:// or wss:// URL.
func RelayURL(param, sipWebSocket string) string {
	if s := strings.TrimSpace(param); s != "" {
		if u, err := url.Parse(s); err == nil && (u.Scheme == "ws" || u.Scheme == "wss") && u.Host != "" {
			return s
		}
		return ""
	}
	first := strings.TrimSpace(strings.Split(sipWebSocket, ",")[0])
	u, err := url.Parse(first)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return ""
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/rtp"}).String()
}
