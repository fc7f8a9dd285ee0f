//go:build js && wasm

package jsbridge

import (
	"context"
	"fmt"
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
	// Devices, when set, supplies each call's microphone (device and
	// volume) and puts its <audio> element on the chosen speaker.
	Devices *PageDevices

	mu     sync.Mutex
	byLine map[int]*lineMedia
	spare  *PeerMedia // made ahead for the next call (Prewarm), with a candidate pool

	rehearsed sync.Once // Prewarm's rehearsal offer

	video videoDisplay // mediafactory_video.go
}

// lineMedia is a PeerMedia that leaves the registry when closed.
type lineMedia struct {
	*PeerMedia
	reg     *MediaRegistry
	line    int
	once    sync.Once
	release func() // frees the call's microphone chain; may be nil
}

// Close closes the media and forgets it.
func (m *lineMedia) Close() {
	m.once.Do(func() {
		m.PeerMedia.Close()
		if m.release != nil {
			m.release()
		}
		m.reg.mu.Lock()
		if m.reg.byLine[m.line] == m {
			delete(m.reg.byLine, m.line)
		}
		m.reg.mu.Unlock()
		if m.PeerMedia.cfg.Pool {
			m.reg.prewarmNext(m.PeerMedia.cfg) // this call took the spare: make the next
		}
	})
}

// Factory is the engine.MediaFactory: an RTCPeerConnection per call,
// configured from the codec, prefcodec, ice, stunserveraddress,
// turnserveraddress, turnparameters, turnusername, turnpassword, icetimeout,
// useaudiorecord, aec, agc and denoise parameters.
func (r *MediaRegistry) Factory(line int, p *engine.Params) (engine.Media, error) {
	cfg := PeerMediaConfigFromParams(p)
	cfg.AudioParent = r.AudioParent
	cfg.Video = r.videoConfig(p)
	cfg.Label = strconv.Itoa(line)
	cfg.Warn = r.Warn
	var release func()
	if r.Devices != nil {
		var capture func(context.Context) (safejs.Value, error)
		capture, cfg.OnAudioElement, release = r.Devices.ForCall(cfg.AudioConstraints)
		if cfg.Microphone != MicDisabled {
			cfg.Capture = capture
		}
	}
	pm, err := r.takeSpare(cfg)
	if err != nil {
		if release != nil {
			release()
		}
		return nil, err
	}
	m := &lineMedia{PeerMedia: pm, reg: r, line: line, release: release}
	r.mu.Lock()
	if r.byLine == nil {
		r.byLine = map[int]*lineMedia{}
	}
	r.byLine[line] = m
	r.mu.Unlock()
	return m, nil
}

// Prewarm makes the next call's RTCPeerConnection now, with the ICE
// servers of p and a candidate pool, so that the call finds its candidates
// gathered (and a STUN server that never answers has had its grace time).
// The page calls it once registered; every call then prepares the next.
// A spare whose ICE servers no longer match p is replaced.
func (r *MediaRegistry) Prewarm(p *engine.Params) {
	cfg := PeerMediaConfigFromParams(p)
	r.mu.Lock()
	old := r.spare
	if old != nil && sameNetwork(old.cfg, cfg) {
		r.mu.Unlock()
		return
	}
	r.spare = nil
	r.mu.Unlock()
	if old != nil {
		old.Close()
	}
	pm, err := NewPeerMedia(spareConfig(cfg))
	if err != nil {
		return // the call makes its own
	}
	r.mu.Lock()
	old, r.spare = r.spare, pm
	r.mu.Unlock()
	if old != nil {
		old.Close()
	}
	r.rehearsed.Do(func() { rehearseOffer(cfg.Codecs) })
}

// rehearseOffer makes and filters one offer on a throwaway connection, so
// that the first call does not pay for what a page does only once: the
// browser setting up its WebRTC media engine and the wasm compiling the
// code of the offer path the first time it runs.
func rehearseOffer(codecs mediacore.CodecPolicy) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pm, err := NewPeerMedia(PeerMediaConfig{Microphone: MicDisabled, Codecs: codecs})
	if err != nil {
		return
	}
	defer pm.Close()
	if pm.ensureTransceiver() != nil {
		return
	}
	offer, err := callAwait(ctx, pm.pc, "createOffer")
	if err != nil {
		return
	}
	_, _ = mediacore.FilterAudioCodecs(getString(offer, "sdp"), codecs)
}

// takeSpare returns the spare connection configured as cfg when its ICE
// servers match, else a new connection.
func (r *MediaRegistry) takeSpare(cfg PeerMediaConfig) (*PeerMedia, error) {
	r.mu.Lock()
	spare := r.spare
	if spare != nil && sameNetwork(spare.cfg, cfg) {
		r.spare = nil
	} else {
		spare = nil
	}
	r.mu.Unlock()
	if spare == nil {
		return NewPeerMedia(cfg)
	}
	if cfg.ICETimeout <= 0 {
		cfg.ICETimeout = DefaultICETimeout
	}
	cfg.Pool = true
	spare.mu.Lock()
	spare.cfg = cfg
	spare.mu.Unlock()
	return spare, nil
}

// prewarmNext makes the spare for the next call with the ICE servers and
// policy of cfg, unless there is one. A call that took the spare calls it when it ends: off the call's
// set-up path, and after the page was allowed the microphone (the browser
// then gathers plain addresses rather than mDNS names).
func (r *MediaRegistry) prewarmNext(cfg PeerMediaConfig) {
	r.mu.Lock()
	have := r.spare != nil
	r.mu.Unlock()
	if have {
		return
	}
	next, err := NewPeerMedia(spareConfig(cfg))
	if err != nil {
		return
	}
	r.mu.Lock()
	if r.spare == nil {
		r.spare, next = next, nil
	}
	r.mu.Unlock()
	if next != nil {
		next.Close()
	}
}

// spareConfig is the configuration of a connection made ahead of a call
// configured as cfg: what its candidates depend on (the ICE servers and the
// transport policy), with a candidate pool.
func spareConfig(cfg PeerMediaConfig) PeerMediaConfig {
	return PeerMediaConfig{ICEServers: cfg.ICEServers, ICETransportPolicy: cfg.ICETransportPolicy, Pool: true}
}

// sameNetwork tells whether a spare made for a gathers the candidates a
// call configured as b needs.
func sameNetwork(a, b PeerMediaConfig) bool {
	return a.ICETransportPolicy == b.ICETransportPolicy && fmt.Sprint(a.ICEServers) == fmt.Sprint(b.ICEServers)
}

// MicrophoneSettled returns a channel closed once the call on line has its
// microphone's track on the sender or gave up opening it (closed at once
// when the line has no media): the offer goes out before the microphone
// has opened.
func (r *MediaRegistry) MicrophoneSettled(line int) <-chan struct{} {
	r.mu.Lock()
	m, ok := r.byLine[line]
	r.mu.Unlock()
	if !ok {
		return closedChan
	}
	return m.microphoneSettled()
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
		ICEServers:         servers,
		ICETransportPolicy: ICETransportPolicy(p.Get("icetransportpolicy")),
		ICETimeout:         time.Duration(p.Int("icetimeout", 2000)) * time.Millisecond,
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
