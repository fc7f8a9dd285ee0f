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
	// ICETransportPolicy is RTCConfiguration.iceTransportPolicy ("relay"
	// or "all"); "" leaves the browser's default.
	ICETransportPolicy string
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
	// Video configures the video of video calls (rtcmedia_video.go).
	Video VideoConfig
	// Label tags the <audio> element (data-webphone-line) and log lines.
	Label string
	// Warn receives non-fatal problems (no microphone, autoplay blocked,
	// no candidates). May be nil.
	Warn func(msg string)
	// OnAudioElement, when set, is given the call's <audio> element once
	// created (the speaker device and volume, audiodevices.go).
	OnAudioElement func(el safejs.Value)
	// Pool makes the connection gather candidates at once, before the
	// first offer (iceCandidatePoolSize 1): a connection made ahead of a
	// call (MediaRegistry.Prewarm) has them ready when the call starts.
	Pool bool
}

// PeerMedia is engine.Media over a browser RTCPeerConnection with one
// audio transceiver. Offer, Answer and SetRemoteAnswer await Promises and
// must run on goroutines, never on the JavaScript callback thread.
type PeerMedia struct {
	cfg PeerMediaConfig
	pc  safejs.Value

	opMu sync.Mutex // serialises offer/answer exchanges

	mu           sync.Mutex
	funcs        []safejs.Func
	transceiver  safejs.Value
	haveTx       bool
	micTried     bool
	micPending   bool          // the microphone is opening after the offer went out
	micDone      chan struct{} // closed when the microphone attempt ended (nil before it began)
	senderStream bool          // the audio sender has its stream (ensureSenderStream)
	mic          safejs.Value  // MediaStream, or undefined
	micTrack     safejs.Value
	haveMic      bool
	audioEl      safejs.Value
	haveAudioEl  bool
	muteMic      bool
	muteSpeaker  bool
	closed       bool
	candidates   []iceCandidate
	gatherDone   bool
	regathering  bool      // ICE restarted: a "complete" gathering state is stale until "gathering" was seen
	gatherStart  time.Time // when the current gathering began (rtcmedia_ice.go)
	gatherWake   chan struct{}
	lastRecv     time.Time // media last seen arriving (rtcmedia_activity.go)
	lastPackets  int       // audio packets received by then

	video videoState // rtcmedia_video.go
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
	conf := map[string]any{"iceServers": servers, "bundlePolicy": "balanced", "rtcpMuxPolicy": "require"}
	if cfg.ICETransportPolicy != "" {
		conf["iceTransportPolicy"] = cfg.ICETransportPolicy
	}
	if cfg.Pool {
		conf["iceCandidatePoolSize"] = 1
	}
	pc, err := ctor.New(conf)
	if err != nil {
		return nil, fmt.Errorf("jsbridge: RTCPeerConnection: %w", err)
	}
	m := &PeerMedia{cfg: cfg, pc: pc, gatherWake: make(chan struct{}, 1)}
	if cfg.Pool {
		m.gatherStart = time.Now()
	}
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
	if err := on("onicegatheringstatechange", func(safejs.Value) { m.onGatheringState() }); err != nil {
		return err
	}
	return on("ontrack", m.onTrack)
}

// Offer creates, filters and applies a local offer and returns it with the
// candidates gathered so far. hold is "", "sendonly" or "inactive".
func (m *PeerMedia) Offer(ctx context.Context, hold string) ([]byte, error) {
	return m.offer(ctx, hold, false)
}

// offer is Offer, with new ICE credentials and candidates when iceRestart.
// The offer does not wait for the microphone unless it is required
// (useaudiorecord 2): it assumes the microphone will open (sendrecv), the
// microphone opens once the local offer is applied (opening it slows
// createOffer down in the browser), and its track goes on the sender when
// it opens (no renegotiation). A microphone that failed while the
// candidates were awaited makes the offer again (recvonly); one that fails
// later leaves the call going without it, with the warning useaudiorecord
// 1 asks for. A required microphone opens while the offer is made.
func (m *PeerMedia) offer(ctx context.Context, hold string, iceRestart bool) ([]byte, error) {
	m.opMu.Lock()
	defer m.opMu.Unlock()
	if err := m.checkOpen(); err != nil {
		return nil, err
	}
	if err := m.ensureTransceiver(); err != nil {
		return nil, err
	}
	m.ensureSenderStream()
	required := m.cfg.Microphone == MicRequired
	micDone := closedChan
	if required {
		micDone = m.startMicrophone(ctx, false)
	}
	expected, err := transceiverDirection(hold, m.micExpected())
	if err == nil {
		err = m.setTransceiverDirection(expected)
	}
	if err == nil {
		err = m.prepareVideo(ctx, hold, false)
	}
	if err != nil {
		<-micDone
		return nil, err
	}
	var opts []any
	if iceRestart {
		m.resetGathering()
		opts = append(opts, map[string]any{"iceRestart": true})
	}
	err = m.setLocalOffer(ctx, opts)
	<-micDone // attachMicrophone gives up when ctx ends
	if err != nil {
		return nil, err
	}
	if !required {
		m.startMicrophone(ctx, true)
	}
	sdp, err := m.localSDP(ctx)
	if err != nil || m.micOpening() {
		return sdp, err
	}
	if err := m.setDirection(hold); err != nil {
		return nil, err
	}
	if actual, _ := transceiverDirection(hold, m.hasMicrophone()); actual != expected {
		if err := m.setLocalOffer(ctx, nil); err != nil {
			return nil, err
		}
		return m.localSDP(ctx)
	}
	return sdp, nil
}

// closedChan is a channel that is already closed.
var closedChan = func() <-chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// setLocalOffer creates, filters and applies a local offer.
func (m *PeerMedia) setLocalOffer(ctx context.Context, opts []any) error {
	offer, err := callAwait(ctx, m.pc, "createOffer", opts...)
	if err != nil {
		return fmt.Errorf("jsbridge: createOffer: %w", err)
	}
	return m.setLocal(ctx, "offer", getString(offer, "sdp"))
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
	m.ensureSenderStream()
	m.attachMicrophone(ctx)
	if err := m.setDirection(hold); err != nil {
		return nil, err
	}
	if err := m.prepareVideo(ctx, hold, true); err != nil {
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
	desc := map[string]any{"type": "answer", "sdp": m.completeRemoteAnswer(string(sdp))}
	if _, err := callAwait(ctx, m.pc, "setRemoteDescription", desc); err != nil {
		return fmt.Errorf("jsbridge: setRemoteDescription(answer): %w", err)
	}
	return nil
}

// applyLocal filters the codecs, sets the local description and waits for
// usable candidates.
func (m *PeerMedia) applyLocal(ctx context.Context, typ, sdp string) ([]byte, error) {
	if err := m.setLocal(ctx, typ, sdp); err != nil {
		return nil, err
	}
	return m.localSDP(ctx)
}

// setLocal filters the codecs and sets the local description (which starts
// gathering, or takes the pooled candidates).
func (m *PeerMedia) setLocal(ctx context.Context, typ, sdp string) error {
	filtered, err := mediacore.FilterAudioCodecs(sdp, m.cfg.Codecs)
	if err != nil {
		return fmt.Errorf("jsbridge: %s: %w", typ, err)
	}
	m.noteGatheringStart()
	desc := map[string]any{"type": typ, "sdp": filtered}
	if _, err := callAwait(ctx, m.pc, "setLocalDescription", desc); err != nil {
		return fmt.Errorf("jsbridge: setLocalDescription(%s): %w", typ, err)
	}
	return nil
}

// localSDP waits for usable candidates and returns the local description
// with them.
func (m *PeerMedia) localSDP(ctx context.Context) ([]byte, error) {
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
	m.closeVideo()
	m.wakeGatherer()
}
