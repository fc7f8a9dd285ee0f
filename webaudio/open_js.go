//go:build js && wasm

package webaudio

import (
	"context"
	"errors"
	"fmt"

	"github.com/hack-pad/safejs"
)

// ProcessorName is the AudioWorkletProcessor the worklet module registers.
const ProcessorName = "webphone-pcm"

// WorkletModule is the file name of the worklet module in www/.
const WorkletModule = "webphone_pcm_worklet.js"

// OpenConfig says where a Bridge goes in the page's audio graph.
type OpenConfig struct {
	// Context is the page's AudioContext.
	Context safejs.Value
	// Microphone is the MediaStream to capture; undefined: silence.
	Microphone safejs.Value
	// Output is the AudioNode the call's audio plays into; undefined:
	// Context.destination.
	Output safejs.Value
	// ModuleURL is the worklet module's URL.
	ModuleURL string
	// CodecRate is the rate Go sees (8000 for G.711).
	CodecRate int
	// Transport forces MessagePort; "" picks SharedRing when the page is
	// cross-origin isolated.
	Transport Transport
}

// ringSamples is the capacity of each ring: about 340 ms at 48 kHz, far
// more than the bridge lets queue.
const ringSamples = 1 << 14

// Open loads the worklet module (once per context), builds the node,
// connects the microphone and the output, and returns the Bridge. It awaits
// Promises: call it on a goroutine.
func Open(ctx context.Context, cfg OpenConfig) (*Bridge, error) {
	if cfg.CodecRate <= 0 {
		cfg.CodecRate = 8000
	}
	actx := cfg.Context
	rateV, err := actx.Get("sampleRate")
	if err != nil {
		return nil, err
	}
	rateF, _ := rateV.Float()
	rate := int(rateF)
	if rate < 8000 || rate > 192000 {
		return nil, fmt.Errorf("webaudio: AudioContext rate %v", rateF)
	}
	worklet, err := actx.Get("audioWorklet")
	if err != nil || worklet.IsUndefined() || worklet.IsNull() {
		return nil, errors.New("webaudio: this browser has no AudioWorklet (or the page is not a secure context)")
	}
	p, err := worklet.Call("addModule", cfg.ModuleURL)
	if err != nil {
		return nil, fmt.Errorf("webaudio: addModule: %w", err)
	}
	if _, err := await(ctx, p); err != nil {
		return nil, fmt.Errorf("webaudio: loading %s: %w", cfg.ModuleURL, err)
	}
	transport := cfg.Transport
	if transport == "" {
		transport = MessagePort
		if isolated() {
			transport = SharedRing
		}
	}
	frame := rate / 50 // 20 ms
	opts := map[string]any{"mode": "port", "batch": frame, "capacity": ringSamples}
	var sab *sabPort
	if transport == SharedRing {
		c, err1 := newSABRing(ringSamples)
		pl, err2 := newSABRing(ringSamples)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("webaudio: SharedArrayBuffer: %v %v", err1, err2)
		}
		sab = &sabPort{capture: c, playback: pl}
		opts = map[string]any{"mode": "sab", "capture": c.options(), "playback": pl.options()}
	}
	ctor, err := safejs.Global().Get("AudioWorkletNode")
	if err != nil || ctor.Type() != safejs.TypeFunction {
		return nil, errors.New("webaudio: this browser has no AudioWorkletNode")
	}
	node, err := ctor.New(actx, ProcessorName, map[string]any{
		"numberOfInputs": 1, "numberOfOutputs": 1, "outputChannelCount": []any{1},
		"channelCount": 1, "channelCountMode": "explicit", "processorOptions": opts,
	})
	if err != nil {
		return nil, fmt.Errorf("webaudio: AudioWorkletNode: %w", err)
	}
	nodePort, err := node.Get("port")
	if err != nil {
		return nil, err
	}
	var port Port = sab
	var msg *msgPort
	if sab == nil {
		if msg, err = newMsgPort(nodePort, ringSamples); err != nil {
			return nil, err
		}
		port = msg
	}
	var source safejs.Value
	haveSource := false
	if !cfg.Microphone.IsUndefined() && !cfg.Microphone.IsNull() {
		if source, err = actx.Call("createMediaStreamSource", cfg.Microphone); err == nil {
			if _, err = source.Call("connect", node); err == nil {
				haveSource = true
			}
		}
	}
	out := cfg.Output
	if out.IsUndefined() || out.IsNull() {
		out, _ = actx.Get("destination")
	}
	if _, err := node.Call("connect", out); err != nil {
		return nil, fmt.Errorf("webaudio: connecting the output: %w", err)
	}
	closeFn := func() {
		_, _ = nodePort.Call("postMessage", "close")
		if haveSource {
			_, _ = source.Call("disconnect")
		}
		_, _ = node.Call("disconnect")
		if msg != nil {
			msg.close()
		}
	}
	return NewBridge(port, transport, rate, cfg.CodecRate, closeFn), nil
}

// isolated reports whether the page may share memory with the worklet.
func isolated() bool {
	g := safejs.Global()
	ci, err := g.Get("crossOriginIsolated")
	if err != nil {
		return false
	}
	ok, _ := ci.Truthy()
	if !ok {
		return false
	}
	sab, err := g.Get("SharedArrayBuffer")
	return err == nil && sab.Type() == safejs.TypeFunction
}
