//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"fmt"
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
	Codecs CodecPolicy
	// Microphone is one of the Mic* policies (zero value: MicOptional).
	Microphone int
	// AudioConstraints are getUserMedia audio constraints
	// ({"echoCancellation": true, "deviceId": ...}); nil means true.
	AudioConstraints map[string]any
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

type iceCandidate struct {
	typ     string // host, srflx, prflx, relay
	address string
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
	pc, err := ctor.New(map[string]any{"iceServers": servers, "bundlePolicy": "max-bundle", "rtcpMuxPolicy": "require"})
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

func (m *PeerMedia) onCandidate(ev safejs.Value) {
	c, err := ev.Get("candidate")
	m.mu.Lock()
	if err != nil || isNullish(c) {
		m.gatherDone = true
	} else if line := getString(c, "candidate"); line != "" {
		m.candidates = append(m.candidates, iceCandidate{typ: getString(c, "type"), address: getString(c, "address")})
	}
	m.mu.Unlock()
	m.wakeGatherer()
}

func (m *PeerMedia) wakeGatherer() {
	select {
	case m.gatherWake <- struct{}{}:
	default:
	}
}

// onTrack plays remote audio through an autoplaying <audio> element.
func (m *PeerMedia) onTrack(ev safejs.Value) {
	stream := safejs.Undefined()
	if streams, err := ev.Get("streams"); err == nil {
		if n, _ := streams.Length(); n > 0 {
			stream, _ = streams.Index(0)
		}
	}
	if isNullish(stream) {
		track, err := ev.Get("track")
		if err != nil {
			return
		}
		msCtor, err := global("MediaStream")
		if err != nil {
			return
		}
		if stream, err = msCtor.New([]any{track}); err != nil {
			return
		}
	}
	el, err := m.audioElement()
	if err != nil {
		m.warn("cannot play remote audio: %v", err)
		return
	}
	_ = el.Set("srcObject", stream)
	if p, err := el.Call("play"); err == nil {
		go func() {
			if _, err := await(context.Background(), p); err != nil {
				m.warn("remote audio does not play (autoplay policy? a user gesture may be needed): %v", err)
			}
		}()
	}
}

// audioElement creates (once) the hidden autoplaying <audio> element.
func (m *PeerMedia) audioElement() (safejs.Value, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.haveAudioEl {
		return m.audioEl, nil
	}
	if m.closed {
		return safejs.Undefined(), errors.New("media closed")
	}
	doc, err := global("document")
	if err != nil {
		return safejs.Undefined(), err
	}
	el, err := doc.Call("createElement", "audio")
	if err != nil {
		return safejs.Undefined(), err
	}
	_ = el.Set("autoplay", true)
	_ = el.Set("muted", m.muteSpeaker)
	_, _ = el.Call("setAttribute", "data-webphone-line", m.cfg.Label)
	_, _ = el.Call("setAttribute", "style", "display:none")
	parent := safejs.Undefined()
	if m.cfg.AudioParent != "" {
		parent, _ = doc.Call("getElementById", m.cfg.AudioParent)
	}
	if isNullish(parent) {
		parent, _ = doc.Get("body")
	}
	if !isNullish(parent) {
		if _, err := parent.Call("appendChild", el); err != nil {
			return safejs.Undefined(), err
		}
	}
	m.audioEl, m.haveAudioEl = el, true
	return el, nil
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
	filtered, err := FilterAudioCodecs(sdp, m.cfg.Codecs)
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

// waitCandidates returns when the candidates gathered so far are enough for
// the SDP: gathering complete; or a server-reflexive/relay candidate (STUN
// or TURN worked); or a loopback host candidate (a loopback-only setup,
// where STUN can never answer); or ICETimeout, or ctx.
func (m *PeerMedia) waitCandidates(ctx context.Context) {
	timer := time.NewTimer(m.cfg.ICETimeout)
	defer timer.Stop()
	for {
		if state, err := m.pc.Get("iceGatheringState"); err == nil {
			if s, _ := state.String(); s == "complete" {
				return
			}
		}
		m.mu.Lock()
		done, enough, n := m.gatherDone, usableCandidates(m.candidates, len(m.cfg.ICEServers) > 0), len(m.candidates)
		m.mu.Unlock()
		if done || enough {
			return
		}
		select {
		case <-m.gatherWake:
		case <-timer.C:
			if n == 0 {
				m.warn("no ICE candidate within %v; sending the SDP without candidates", m.cfg.ICETimeout)
			}
			return
		case <-ctx.Done():
			return
		}
	}
}

// usableCandidates decides whether the SDP can go without waiting for the
// rest of the gathering. Without ICE servers, gathering finishes quickly by
// itself, so only its completion counts.
func usableCandidates(cs []iceCandidate, haveServers bool) bool {
	for _, c := range cs {
		switch {
		case c.typ == "srflx" || c.typ == "relay":
			return true
		case haveServers && c.typ == "host" && (strings.HasPrefix(c.address, "127.") || c.address == "::1"):
			return true
		}
	}
	return false
}

// ensureTransceiver finds or adds the audio transceiver.
func (m *PeerMedia) ensureTransceiver() error {
	m.mu.Lock()
	have := m.haveTx
	m.mu.Unlock()
	if have {
		return nil
	}
	if list, err := m.pc.Call("getTransceivers"); err == nil {
		n, _ := list.Length()
		for i := 0; i < n; i++ {
			t, err := list.Index(i)
			if err != nil {
				continue
			}
			recv, _ := t.Get("receiver")
			track, _ := recv.Get("track")
			if getString(track, "kind") == "audio" {
				m.mu.Lock()
				m.transceiver, m.haveTx = t, true
				m.mu.Unlock()
				return nil
			}
		}
	}
	t, err := m.pc.Call("addTransceiver", "audio", map[string]any{"direction": "sendrecv"})
	if err != nil {
		return fmt.Errorf("jsbridge: addTransceiver(audio): %w", err)
	}
	m.mu.Lock()
	m.transceiver, m.haveTx = t, true
	m.mu.Unlock()
	return nil
}

// attachMicrophone opens the microphone once (per the policy) and puts its
// track on the audio sender. Failures are warnings unless MicRequired, in
// which case the following setDirection/Offer still go on but the caller
// sees the error from checkMic.
func (m *PeerMedia) attachMicrophone(ctx context.Context) {
	m.mu.Lock()
	tried := m.micTried
	m.micTried = true
	m.mu.Unlock()
	if tried || m.cfg.Microphone == MicDisabled {
		return
	}
	stream, err := m.openMicrophone(ctx)
	if err != nil {
		if m.cfg.Microphone != MicOptional {
			m.warn("cannot access microphone: %v", err)
		}
		return
	}
	tracks, err := stream.Call("getAudioTracks")
	if err != nil {
		return
	}
	track, err := tracks.Index(0)
	if err != nil || isNullish(track) {
		return
	}
	m.mu.Lock()
	m.mic, m.micTrack, m.haveMic = stream, track, true
	_ = track.Set("enabled", !m.muteMic)
	tx := m.transceiver
	closed := m.closed
	m.mu.Unlock()
	if closed {
		_, _ = track.Call("stop")
		return
	}
	sender, err := tx.Get("sender")
	if err == nil {
		if p, err := sender.Call("replaceTrack", track); err == nil {
			_, _ = await(ctx, p)
		}
		// Let the remote side see the track's stream (a=msid).
		if _, err := sender.Get("setStreams"); err == nil {
			_, _ = sender.Call("setStreams", stream)
		}
	}
}

func (m *PeerMedia) openMicrophone(ctx context.Context) (safejs.Value, error) {
	nav, err := global("navigator")
	if err != nil {
		return safejs.Undefined(), err
	}
	devices, err := nav.Get("mediaDevices")
	if err != nil || isNullish(devices) {
		return safejs.Undefined(), errors.New("navigator.mediaDevices is missing (page not served over https or localhost?)")
	}
	var audio any = true
	if m.cfg.AudioConstraints != nil {
		audio = m.cfg.AudioConstraints
	}
	return callAwait(ctx, devices, "getUserMedia", map[string]any{"audio": audio, "video": false})
}

// setDirection applies hold ("", "sendonly", "inactive") to the
// transceiver; without a microphone the local side only receives.
func (m *PeerMedia) setDirection(hold string) error {
	m.mu.Lock()
	tx, haveMic := m.transceiver, m.haveMic
	m.mu.Unlock()
	if m.cfg.Microphone == MicRequired && !haveMic {
		return errors.New("jsbridge: microphone required (useaudiorecord=2) but not available")
	}
	dir := ""
	switch hold {
	case "":
		dir = "sendrecv"
		if !haveMic {
			dir = "recvonly"
		}
	case "sendonly":
		dir = "sendonly"
		if !haveMic {
			dir = "inactive"
		}
	case "inactive":
		dir = "inactive"
	default:
		return fmt.Errorf("jsbridge: bad hold direction %q", hold)
	}
	if err := tx.Set("direction", dir); err != nil {
		return fmt.Errorf("jsbridge: transceiver direction %s: %w", dir, err)
	}
	return nil
}

// Mute silences without renegotiation: direction 2 (or 0) disables the
// microphone track, direction 1 (or 0) mutes the remote <audio> element.
func (m *PeerMedia) Mute(direction int, on bool) error {
	if direction < 0 || direction > 2 {
		return fmt.Errorf("jsbridge: bad mute direction %d (0 both, 1 speaker, 2 microphone)", direction)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if direction == 0 || direction == 2 {
		m.muteMic = on
		if m.haveMic {
			if err := m.micTrack.Set("enabled", !on); err != nil {
				return err
			}
		}
	}
	if direction == 0 || direction == 1 {
		m.muteSpeaker = on
		if m.haveAudioEl {
			if err := m.audioEl.Set("muted", on); err != nil {
				return err
			}
		}
	}
	return nil
}

// Muted reports the mute state of the microphone and the speaker.
func (m *PeerMedia) Muted() (mic, speaker bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.muteMic, m.muteSpeaker
}

// SendDTMF queues RFC 4733 digits on the RTCDTMFSender, after any still
// playing. A space (or comma) is a pause. It fails when telephone-event was
// not negotiated.
func (m *PeerMedia) SendDTMF(digits string) error {
	tones, err := dtmfTones(digits)
	if err != nil {
		return err
	}
	m.mu.Lock()
	tx, have := m.transceiver, m.haveTx
	m.mu.Unlock()
	if !have {
		return errors.New("jsbridge: no audio yet, cannot send DTMF")
	}
	sender, err := tx.Get("sender")
	if err != nil {
		return err
	}
	dtmf, err := sender.Get("dtmf")
	if err != nil || isNullish(dtmf) {
		return errors.New("jsbridge: this browser has no RTCDTMFSender")
	}
	if !getBool(dtmf, "canInsertDTMF") {
		return errors.New("jsbridge: cannot send RFC 4733 DTMF now (no microphone track, not connected, or telephone-event not negotiated)")
	}
	queued := getString(dtmf, "toneBuffer")
	if _, err := dtmf.Call("insertDTMF", queued+tones, 100, 70); err != nil {
		return fmt.Errorf("jsbridge: insertDTMF: %w", err)
	}
	return nil
}

// dtmfTones maps Mizu DTMF text to RTCDTMFSender tones.
func dtmfTones(digits string) (string, error) {
	if digits == "" {
		return "", errors.New("jsbridge: no DTMF digits")
	}
	var b strings.Builder
	for _, r := range digits {
		switch {
		case r >= '0' && r <= '9', r == '*', r == '#', r >= 'A' && r <= 'D':
			b.WriteRune(r)
		case r >= 'a' && r <= 'd':
			b.WriteRune(r - 'a' + 'A')
		case r == ' ' || r == ',':
			b.WriteByte(',')
		default:
			return "", fmt.Errorf("jsbridge: bad DTMF character %q", r)
		}
	}
	return b.String(), nil
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
	for _, ev := range []string{"onicecandidate", "onicegatheringstatechange", "ontrack"} {
		_ = m.pc.Set(ev, nil)
	}
	_, _ = m.pc.Call("close")
	if haveEl {
		_ = el.Set("srcObject", nil)
		_, _ = el.Call("remove")
	}
	for _, f := range funcs {
		f.Release()
	}
	m.wakeGatherer()
}
