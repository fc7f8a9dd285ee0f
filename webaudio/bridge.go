package webaudio

import "context"

// Format describes the PCM on one side of the bridge: mono 16-bit signed
// samples at SampleRate, delivered in frames of FrameSamples samples.
type Format struct {
	SampleRate   int // e.g. 48000 (AudioContext) or 8000 (G.711)
	FrameSamples int // e.g. 960 for 20 ms at 48 kHz, 160 for 20 ms at 8 kHz
}

// Transport names how PCM crosses between Go and the worklet.
type Transport string

const (
	// SharedRing uses lock-free ring buffers in a SharedArrayBuffer; needs a
	// cross-origin isolated page.
	SharedRing Transport = "sharedarraybuffer"
	// MessagePort posts small batches of frames; works on every page.
	MessagePort Transport = "messageport"
)

// Source delivers captured microphone PCM to Go.
type Source interface {
	// ReadFrame fills pcm (len = Format.FrameSamples) with the next captured
	// frame, blocking until one is available or ctx ends.
	ReadFrame(ctx context.Context, pcm []int16) error
}

// Sink plays PCM produced by Go (decoded remote audio, tones, mixes).
type Sink interface {
	// WriteFrame queues one frame for playback. It never blocks: when the
	// playback buffer is full the oldest audio is dropped and counted.
	WriteFrame(pcm []int16) error
}

// Bridge is one AudioWorklet node pair (capture + playback) in the page.
type Bridge interface {
	Source
	Sink
	// Format is the PCM format Go sees (after the bridge's resampling).
	Format() Format
	// Transport reports which exchange was chosen for this page.
	Transport() Transport
	// Stats reports frames lost on each side (underruns and overruns).
	Stats() (captureDropped, playbackDropped uint64)
	// Close disconnects the nodes and stops the microphone.
	Close() error
}

// Opener creates a Bridge: it loads the worklet module, opens the
// microphone (getUserMedia) and connects the nodes. Implemented (later) in a
// js/wasm-only file of this package, over jsbridge's JavaScript helpers.
type Opener func(ctx context.Context, want Format) (Bridge, error)
