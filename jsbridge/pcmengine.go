//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
	"github.com/opensoftphone/webphone/mediacore"
	"github.com/opensoftphone/webphone/rtprelay"
	"github.com/opensoftphone/webphone/webaudio"
)

// relayTimeout bounds connecting to the relay (open, hello, ready) and
// allocating a stream; audioTimeout bounds opening the microphone and the
// worklet.
const (
	relayTimeout = 5 * time.Second
	audioTimeout = 10 * time.Second
)

// pcmOutput is the PageAudio output the PCM calls play into: the tones
// output, which is on the chosen speaker at the speaker volume.
const pcmOutput = OutputTones

// PCMEngine is the media factory that picks the engine of each call from
// enginepriority_pcm / enginepriority_webrtc (docs/pcm-engine.md): the PCM
// engine (the page's audio through an AudioWorklet into Go, mediacore's
// RTP/AVP over the WebSocket relay) or WebRTC. It owns the page's relay
// connection. When the relay cannot be reached, the call falls back to
// WebRTC (unless that is disabled) with a warning saying why.
type PCMEngine struct {
	// WebRTC creates the WebRTC media (MediaRegistry.Factory).
	WebRTC engine.MediaFactory
	// Audio is the page's audio graph; Devices the microphone choice.
	Audio   *PageAudio
	Devices *PageDevices
	// Token returns the relay token (Engine.RelayToken); Param a
	// parameter's value (Engine.GetParameter). Set once the engine exists.
	Token func() string
	Param func(name string) string
	// Warn and Log report to the page (onEvent "log").
	Warn func(msg string)
	Log  func(msg string)

	mu       sync.Mutex
	client   *rtprelay.Client
	url      string
	fellBack bool // the last PCM call fell back to WebRTC
	byLine   map[int]*pcmCallMedia
}

// callMedia returns the PCM media of the call on line (false: none, or a
// WebRTC call).
func (p *PCMEngine) callMedia(line int) (*pcmCallMedia, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m, ok := p.byLine[line]
	return m, ok
}

// forget drops m from the lines once it closed.
func (p *PCMEngine) forget(line int, m *pcmCallMedia) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byLine[line] == m {
		delete(p.byLine, line)
	}
}

func (p *PCMEngine) param(name string) string {
	if p.Param == nil {
		return ""
	}
	return p.Param(name)
}

func (p *PCMEngine) priorities() EnginePriorities {
	return ParseEnginePriorities(p.param("enginepriority_pcm"), p.param("enginepriority_webrtc"))
}

// Name is getenginename's answer: "pcm" while the PCM engine is chosen and
// its relay answered last time, else "webrtc".
func (p *PCMEngine) Name() string {
	if p.priorities().Choose() != EnginePCM {
		return EngineWebRTC
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fellBack {
		return EngineWebRTC
	}
	return EnginePCM
}

// Factory is the engine.MediaFactory.
func (p *PCMEngine) Factory(line int, params *engine.Params) (engine.Media, error) {
	prio := p.priorities()
	if prio.Choose() != EnginePCM {
		return p.WebRTC(line, params)
	}
	m, err := p.pcmMedia(line, params)
	if err == nil {
		p.mu.Lock()
		p.fellBack = false
		p.mu.Unlock()
		return m, nil
	}
	if !prio.CanFallBack() {
		p.warn("pcm engine: %v; the call fails (enginepriority_webrtc is 0)", err)
		return nil, fmt.Errorf("pcm engine: %w", err)
	}
	p.mu.Lock()
	p.fellBack = true
	p.mu.Unlock()
	p.warn("pcm engine: %v; this call uses the webrtc engine", err)
	return p.WebRTC(line, params)
}

func (p *PCMEngine) warn(format string, args ...any) {
	if p.Warn != nil {
		p.Warn(fmt.Sprintf(format, args...))
	}
}

// relay returns the live relay connection, connecting when there is none.
func (p *PCMEngine) relay(ctx context.Context, params *engine.Params) (*rtprelay.Client, error) {
	url := RelayURL(params.Get("rtprelay"), params.Get("webrtcserveraddress"))
	if url == "" {
		return nil, errors.New("no relay address (set rtprelay to the relay's ws:// or wss:// URL)")
	}
	p.mu.Lock()
	c := p.client
	if c != nil && (c.Err() != nil || p.url != url) {
		go func() { _ = c.Close() }()
		c, p.client = nil, nil
	}
	p.mu.Unlock()
	if c != nil {
		return c, nil
	}
	token := ""
	if p.Token != nil {
		token = p.Token()
	}
	c, err := DialRelay(ctx, url, token)
	if err != nil {
		return nil, fmt.Errorf("relay unreachable: %w", err)
	}
	p.mu.Lock()
	if p.client != nil { // another call connected meanwhile
		old := c
		c = p.client
		go func() { _ = old.Close() }()
	} else {
		p.client, p.url = c, url
	}
	p.mu.Unlock()
	return c, nil
}

// pcmMedia builds one PCM call: a relay stream, the worklet bridge, the Go
// media.
func (p *PCMEngine) pcmMedia(line int, params *engine.Params) (engine.Media, error) {
	ctx, cancel := context.WithTimeout(context.Background(), relayTimeout)
	defer cancel()
	client, err := p.relay(ctx, params)
	if err != nil {
		return nil, err
	}
	stream, err := client.Allocate(ctx)
	if err != nil {
		return nil, fmt.Errorf("relay refused a stream: %w", err)
	}
	codecs, err := mediacore.ParseCodecPrefs(params.Get("codec"), params.Get("prefcodec"))
	if err != nil {
		p.warn("pcm engine: %v; using PCMU and PCMA", err)
		codecs = nil
	}
	cfg := PeerMediaConfigFromParams(params)
	actx, cancelAudio := context.WithTimeout(context.Background(), audioTimeout)
	defer cancelAudio()
	bridge, releaseMic := p.openAudio(actx, line, cfg)
	m, err := webaudio.NewMedia(webaudio.MediaConfig{
		RTP: stream.RTP(), RTCP: stream.RTCP(), Address: stream.IP().String(),
		Codecs: codecs, Audio: bridge,
		Release: func() {
			_ = stream.Close()
			if releaseMic != nil {
				releaseMic()
			}
		},
	})
	if err != nil {
		if bridge != nil {
			bridge.Close()
		}
		_ = stream.Close()
		if releaseMic != nil {
			releaseMic()
		}
		return nil, err
	}
	pm := &pcmCallMedia{Media: m, line: line, stream: stream, log: p.Log, stop: make(chan struct{}),
		warn: func(msg string) { p.warn("%s", msg) }}
	pm.closed = func() { p.forget(line, pm) }
	p.mu.Lock()
	if p.byLine == nil {
		p.byLine = map[int]*pcmCallMedia{}
	}
	p.byLine[line] = pm
	p.mu.Unlock()
	go pm.report()
	return pm, nil
}

// openAudio connects the microphone (per useaudiorecord) and the pcm
// output to a new worklet bridge. Without Web Audio the call goes on
// without sound, with a warning.
func (p *PCMEngine) openAudio(ctx context.Context, line int, cfg PeerMediaConfig) (*webaudio.Bridge, func()) {
	if p.Audio == nil {
		return nil, nil
	}
	o, actx, err := p.Audio.output(pcmOutput)
	if err != nil {
		p.warn("pcm engine: no audio output: %v", err)
		return nil, nil
	}
	mic := safejs.Undefined()
	var release func()
	if cfg.Microphone != MicDisabled && p.Devices != nil {
		var capture func(context.Context) (safejs.Value, error)
		capture, _, release = p.Devices.ForCall(cfg.AudioConstraints)
		stream, err := capture(ctx)
		switch {
		case err == nil:
			mic = stream
		case cfg.Microphone == MicWarn || cfg.Microphone == MicRequired:
			p.warn("pcm engine: no microphone: %v", err)
		}
	}
	base := ""
	if b, err := safejs.Global().Get("__webphone_base"); err == nil && b.Type() == safejs.TypeString {
		base, _ = b.String()
	}
	bridge, err := webaudio.Open(ctx, webaudio.OpenConfig{
		Context: actx, Microphone: mic, Output: o.gain, ModuleURL: base + webaudio.WorkletModule,
		CodecRate: mediacore.SampleRate, Transport: webaudio.Transport(p.param("pcmtransport")),
	})
	if err != nil {
		p.warn("pcm engine: no audio on line %d: %v", line, err)
		if release != nil {
			release()
		}
		return nil, nil
	}
	if p.Log != nil {
		p.Log(fmt.Sprintf("pcm line %d: audio worklet at %d Hz over %s", line, bridge.ContextRate(), bridge.Transport()))
	}
	return bridge, release
}
