//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"fmt"
	"github.com/opensoftphone/webphone/mediacore"
	"strings"
	"sync"
	"time"

	"github.com/hack-pad/safejs"
)

// Microphone policies (the Mizu "useaudiorecord" parameter).
const (
	MicDisabled = -1 // never open the microphone; receive only
	MicOptional = 0  // calls go on silently without a microphone
	MicWarn     = 1  // calls go on without a microphone, with a warning (default)
	MicRequired = 2  // a call fails when the microphone cannot be opened
)

// DefaultICETimeout caps the wait for ICE candidates (Mizu icetimeout).
const DefaultICETimeout = 2 * time.Second

// PeerMediaConfig configures one call's RTCPeerConnection.
type PeerMediaConfig struct {
	ICEServers []ICEServer
	// ICETimeout caps the wait for candidates before the SDP is handed
	// out (default DefaultICETimeout).
	ICETimeout time.Duration
	// Codecs filters and orders the audio codecs of every local SDP.
	Codecs mediacore.CodecPolicy
	// Microphone is one of the Mic* policies (zero value: MicOptional).
	Microphone int
	// AudioConstraints are getUserMedia audio constraints
	// ({"echoCancellation": true, "deviceId": ...}); nil means true.
	AudioConstraints map[string]any
	// Capture, when set, supplies the local MediaStream instead of
	// getUserMedia (a synthetic source, a pre-opened device stream).
	Capture func(ctx context.Context) (safejs.Value, error)
	// AudioParent is the id of the element the remote <audio> element is
	// appended to; "" appends it to document.body.
	AudioParent string
	// Label tags the <audio> element (data-webphone-line) and log lines.
	Label string
	// Warn receives non-fatal problems (no microphone, autoplay blocked,
	// no candidates). May be nil.
	Warn func(msg string)
}

// PeerMedia is engine.Media over a browser RTCPeerConnection with one
// audio transceiver. Offer, Answer and SetRemoteAnswer await Promises and
// must run on goroutines, never on the JavaScript callback thread.
type PeerMedia struct {
	cfg PeerMediaConfig
	pc  safejs.Value

	opMu sync.Mutex // serialises offer/answer exchanges

	mu          sync.Mutex
	funcs       []safejs.Func
	transceiver safejs.Value
	haveTx      bool
	micTried    bool
	mic         safejs.Value // MediaStream, or undefined
	micTrack    safejs.Value
	haveMic     bool
	audioEl     safejs.Value
	haveAudioEl bool
	muteMic     bool
	muteSpeaker bool
	closed      bool
	candidates  []iceCandidate
	gatherDone  bool
	gatherWake  chan struct{}
}

// NewPeerMedia creates the RTCPeerConnection. Nothing is captured until the
// first Offer or Answer.
func NewPeerMedia(cfg PeerMediaConfig) (*PeerMedia, error) {
	if cfg.ICETimeout <= 0 {
		cfg.ICETimeout = DefaultICETimeout
	}
	ctor, err := global("RTCPeerConnection")
	if err != nil {
		return nil, err
	}
	servers := make([]any, 0, len(cfg.ICEServers))
	for _, s := range cfg.ICEServers {
		urls := make([]any, len(s.URLs))
		for i, u := range s.URLs {
			urls[i] = u
		}
		srv := map[string]any{"urls": urls}
		if s.Username != "" {
			srv["username"] = s.Username
		}
		if s.Credential != "" {
			srv["credential"] = s.Credential
		}
		servers = append(servers, srv)
	}
	// "balanced", not "max-bundle": SIP peers (baresip, rtpengine) answer
	// without a=group:BUNDLE, which max-bundle refuses.
	pc, err := ctor.New(map[string]any{"iceServers": servers, "bundlePolicy": "balanced", "rtcpMuxPolicy": "require"})
	if err != nil {
		return nil, fmt.Errorf("jsbridge: RTCPeerConnection: %w", err)
	}
	m := &PeerMedia{cfg: cfg, pc: pc, gatherWake: make(chan struct{}, 1)}
	if err := m.listen(); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// PeerConnection returns the RTCPeerConnection (for getrtcpeerconnection
// and getStats in pages).
func (m *PeerMedia) PeerConnection() safejs.Value { return m.pc }

func (m *PeerMedia) warn(format string, args ...any) {
	if m.cfg.Warn != nil {
		m.cfg.Warn(fmt.Sprintf(format, args...))
	}
}

// listen installs the RTCPeerConnection handlers. They only record what
// happened and return.
func (m *PeerMedia) listen() error {
	on := func(event string, h func(ev safejs.Value)) error {
		fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
			ev := safejs.Undefined()
			if len(args) > 0 {
				ev = args[0]
			}
			h(ev)
			return nil
		})
		if err != nil {
			return err
		}
		m.funcs = append(m.funcs, fn)
		return m.pc.Set(event, fn)
	}
	if err := on("onicecandidate", m.onCandidate); err != nil {
		return err
	}
	if err := on("onicegatheringstatechange", func(safejs.Value) { m.wakeGatherer() }); err != nil {
		return err
	}
	return on("ontrack", m.onTrack)
}

// Offer creates, filters and applies a local offer and returns it with the
// candidates gathered so far. hold is "", "sendonly" or "inactive".
func (m *PeerMedia) Offer(ctx context.Context, hold string) ([]byte, error) {
	m.opMu.Lock()
	defer m.opMu.Unlock()
	if err := m.checkOpen(); err != nil {
		return nil, err
	}
	if err := m.ensureTransceiver(); err != nil {
		return nil, err
	}
	m.attachMicrophone(ctx)
	if err := m.setDirection(hold); err != nil {
		return nil, err
	}
	offer, err := callAwait(ctx, m.pc, "createOffer")
	if err != nil {
		return nil, fmt.Errorf("jsbridge: createOffer: %w", err)
	}
	return m.applyLocal(ctx, "offer", getString(offer, "sdp"))
}

// Answer applies a remote offer and returns the local answer.
func (m *PeerMedia) Answer(ctx context.Context, remoteOffer []byte, hold string) ([]byte, error) {
	m.opMu.Lock()
	defer m.opMu.Unlock()
	if err := m.checkOpen(); err != nil {
		return nil, err
	}
	if len(strings.TrimSpace(string(remoteOffer))) == 0 {
		return nil, errors.New("jsbridge: empty remote offer")
	}
	desc := map[string]any{"type": "offer", "sdp": string(remoteOffer)}
	if _, err := callAwait(ctx, m.pc, "setRemoteDescription", desc); err != nil {
		return nil, fmt.Errorf("jsbridge: setRemoteDescription(offer): %w", err)
	}
	if err := m.ensureTransceiver(); err != nil {
		return nil, err
	}
	m.attachMicrophone(ctx)
	if err := m.setDirection(hold); err != nil {
		return nil, err
	}
	answer, err := callAwait(ctx, m.pc, "createAnswer")
	if err != nil {
		return nil, fmt.Errorf("jsbridge: createAnswer: %w", err)
	}
	return m.applyLocal(ctx, "answer", getString(answer, "sdp"))
}

// SetRemoteAnswer applies the peer's answer to our last offer.
func (m *PeerMedia) SetRemoteAnswer(ctx context.Context, sdp []byte) error {
	m.opMu.Lock()
	defer m.opMu.Unlock()
	if err := m.checkOpen(); err != nil {
		return err
	}
	if len(strings.TrimSpace(string(sdp))) == 0 {
		return errors.New("jsbridge: empty remote answer")
	}
	desc := map[string]any{"type": "answer", "sdp": string(sdp)}
	if _, err := callAwait(ctx, m.pc, "setRemoteDescription", desc); err != nil {
		return fmt.Errorf("jsbridge: setRemoteDescription(answer): %w", err)
	}
	return nil
}

// applyLocal filters the codecs, sets the local description and waits for
// usable candidates.
func (m *PeerMedia) applyLocal(ctx context.Context, typ, sdp string) ([]byte, error) {
	filtered, err := mediacore.FilterAudioCodecs(sdp, m.cfg.Codecs)
	if err != nil {
		return nil, fmt.Errorf("jsbridge: %s: %w", typ, err)
	}
	desc := map[string]any{"type": typ, "sdp": filtered}
	if _, err := callAwait(ctx, m.pc, "setLocalDescription", desc); err != nil {
		return nil, fmt.Errorf("jsbridge: setLocalDescription(%s): %w", typ, err)
	}
	m.waitCandidates(ctx)
	local, err := m.pc.Get("localDescription")
	if err != nil || isNullish(local) {
		return nil, errors.New("jsbridge: no local description after setLocalDescription")
	}
	return []byte(getString(local, "sdp")), nil
}

func (m *PeerMedia) checkOpen() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errors.New("jsbridge: media closed")
	}
	return nil
}

// Close stops the microphone, closes the connection and removes the
// <audio> element. It is safe to call more than once.
func (m *PeerMedia) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	funcs := m.funcs
	m.funcs = nil
	mic, haveMic := m.mic, m.haveMic
	el, haveEl := m.audioEl, m.haveAudioEl
	m.mu.Unlock()
	if haveMic {
		if tracks, err := mic.Call("getTracks"); err == nil {
			n, _ := tracks.Length()
			for i := 0; i < n; i++ {
				if t, err := tracks.Index(i); err == nil {
					_, _ = t.Call("stop")
				}
			}
		}
	}
	_, _ = m.pc.Call("close")
	if haveEl {
		_ = el.Set("srcObject", nil)
		_, _ = el.Call("remove")
	}
	detachHandlers(m.pc, []string{"onicecandidate", "onicegatheringstatechange", "ontrack"}, funcs)
	m.wakeGatherer()
}
