//go:build js && wasm

package jsbridge

import (
	"github.com/opensoftphone/webphone/mediacore"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

// MediaRegistry creates each call's PeerMedia from the engine parameters and
// remembers it by line, for getrtcpeerconnection.
type MediaRegistry struct {
	// Warn receives media warnings (no microphone, autoplay blocked, ...).
	Warn func(msg string)
	// AudioParent is the id of the element remote <audio> elements go into
	// ("" = document.body).
	AudioParent string

	mu     sync.Mutex
	byLine map[int]*lineMedia
}

// lineMedia is a PeerMedia that leaves the registry when closed.
type lineMedia struct {
	*PeerMedia
	reg  *MediaRegistry
	line int
	once sync.Once
}

// Close closes the media and forgets it.
func (m *lineMedia) Close() {
	m.once.Do(func() {
		m.PeerMedia.Close()
		m.reg.mu.Lock()
		if m.reg.byLine[m.line] == m {
			delete(m.reg.byLine, m.line)
		}
		m.reg.mu.Unlock()
	})
}

// Factory is the engine.MediaFactory: an RTCPeerConnection per call,
// configured from the codec, prefcodec, ice, stunserveraddress,
// turnserveraddress, turnparameters, turnusername, turnpassword, icetimeout,
// useaudiorecord, aec, agc and denoise parameters.
func (r *MediaRegistry) Factory(line int, p *engine.Params) (engine.Media, error) {
	cfg := PeerMediaConfigFromParams(p)
	cfg.AudioParent = r.AudioParent
	cfg.Label = strconv.Itoa(line)
	cfg.Warn = r.Warn
	pm, err := NewPeerMedia(cfg)
	if err != nil {
		return nil, err
	}
	m := &lineMedia{PeerMedia: pm, reg: r, line: line}
	r.mu.Lock()
	if r.byLine == nil {
		r.byLine = map[int]*lineMedia{}
	}
	r.byLine[line] = m
	r.mu.Unlock()
	return m, nil
}

// PeerConnection returns the RTCPeerConnection of the call on line, or
// false when the line has no media.
func (r *MediaRegistry) PeerConnection(line int) (safejs.Value, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m, ok := r.byLine[line]
	if !ok {
		return safejs.Null(), false
	}
	return m.PeerConnection(), true
}

// PeerMediaConfigFromParams maps the Mizu media parameters to a
// PeerMediaConfig. A malformed "ice" parameter falls back to the STUN/TURN
// parameters.
func PeerMediaConfigFromParams(p *engine.Params) PeerMediaConfig {
	ice := ICEParams{
		STUN:           p.Get("stunserveraddress"),
		TURN:           p.Get("turnserveraddress"),
		TURNParameters: p.Get("turnparameters"),
		TURNUsername:   p.Get("turnusername"),
		TURNPassword:   p.Get("turnpassword"),
		ICE:            p.Get("ice"),
	}
	servers, err := ice.ICEServers()
	if err != nil {
		ice.ICE = ""
		servers, _ = ice.ICEServers()
	}
	cfg := PeerMediaConfig{
		ICEServers: servers,
		ICETimeout: time.Duration(p.Int("icetimeout", 2000)) * time.Millisecond,
		Codecs: mediacore.CodecPolicy{
			Allow:  mediacore.ParseCodecList(p.Get("codec")),
			Prefer: strings.TrimSpace(p.Get("prefcodec")),
		},
		Microphone: p.Int("useaudiorecord", MicWarn),
	}
	if cfg.Microphone > MicRequired {
		cfg.Microphone = MicWarn // 3: like 1 (its video part does not apply)
	}
	constraints := map[string]any{}
	for param, constraint := range map[string]string{
		"aec": "echoCancellation", "agc": "autoGainControl", "denoise": "noiseSuppression",
	} {
		if p.IsSet(param) {
			constraints[constraint] = p.Int(param, 1) != 0
		}
	}
	if len(constraints) > 0 {
		cfg.AudioConstraints = constraints
	}
	return cfg
}
