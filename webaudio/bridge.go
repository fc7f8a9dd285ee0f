package webaudio

import "sync"

// Transport names how PCM crosses between Go and the worklet.
type Transport string

const (
	// SharedRing uses lock-free rings in a SharedArrayBuffer; needs a
	// cross-origin isolated page.
	SharedRing Transport = "sharedarraybuffer"
	// MessagePort posts whole frames both ways; works on every page.
	MessagePort Transport = "messageport"
)

// Port is the worklet as Go sees it: 16-bit PCM at the AudioContext's rate,
// captured from the microphone and queued for the speaker. No method
// blocks. Implemented over a SharedArrayBuffer or a MessagePort in the
// browser (bridge_js.go) and by two Rings in native tests.
type Port interface {
	// ReadCapture moves up to len(dst) captured samples into dst and
	// returns how many.
	ReadCapture(dst []int16) int
	// CaptureQueued is how many captured samples wait.
	CaptureQueued() int
	// SkipCapture discards the n oldest captured samples.
	SkipCapture(n int) int
	// WritePlayback queues samples for the speaker.
	WritePlayback(samples []int16)
	// PlaybackQueued is how many samples wait to be played.
	PlaybackQueued() int
}

// Bounds of the bridge's own buffering, in milliseconds of audio.
const (
	// MaxCaptureBacklogMs: captured audio older than this is skipped
	// (Go's frame timer fell behind the audio clock).
	MaxCaptureBacklogMs = 60
	// MaxPlaybackQueueMs: a frame that would queue more than this for the
	// speaker is dropped (the audio clock fell behind Go's frame timer).
	MaxPlaybackQueueMs = 100
)

// BridgeStats counts what the bridge lost or padded.
type BridgeStats struct {
	CaptureUnderruns uint64 // codec frames padded with silence: the worklet had not captured enough
	CaptureSkipped   uint64 // context-rate samples skipped to bound the capture latency
	PlaybackDropped  uint64 // codec frames not queued: the speaker queue was full
	CaptureBacklog   int    // context-rate samples waiting now
	PlaybackQueued   int    // context-rate samples waiting now
}

// Bridge adapts a Port at the context rate to mediacore's PCMSource and
// PCMSink at the codec rate (8 or 16 kHz): it resamples whole frames both
// ways and bounds the latency each side adds. It has its own lock; the
// media session calls ReadPCM and WritePCM from its frame timer.
type Bridge struct {
	port      Port
	transport Transport
	rate      int // context rate
	codecRate int

	mu      sync.Mutex
	down    *Resampler
	up      *Resampler
	pending []int16 // resampled capture not handed out yet
	raw     []int16
	out     []int16
	stats   BridgeStats
	closeFn func()
	closed  bool
}

// NewBridge returns a Bridge over port whose worklet runs at contextRate;
// Go sees codecRate. closeFn (may be nil) releases the port's resources
// once, on Close.
func NewBridge(port Port, transport Transport, contextRate, codecRate int, closeFn func()) *Bridge {
	return &Bridge{
		port: port, transport: transport, rate: contextRate, codecRate: codecRate,
		down: NewResampler(contextRate, codecRate), up: NewResampler(codecRate, contextRate),
		closeFn: closeFn,
	}
}

// Transport reports how PCM crosses to the worklet.
func (b *Bridge) Transport() Transport { return b.transport }

// ContextRate is the AudioContext's sample rate.
func (b *Bridge) ContextRate() int { return b.rate }

// ReadPCM fills dst with captured audio at the codec rate (mediacore's
// PCMSource). It never blocks: what the worklet has not captured yet is
// left out (the session pads the frame with silence) and counted.
func (b *Bridge) ReadPCM(dst []int16) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, nil
	}
	maxBacklog := b.rate * MaxCaptureBacklogMs / 1000
	if q := b.port.CaptureQueued(); q > maxBacklog {
		// keep about one frame's worth of context-rate audio
		keep := len(dst) * b.rate / b.codecRate
		b.stats.CaptureSkipped += uint64(b.port.SkipCapture(q - keep))
	}
	for len(b.pending) < len(dst) {
		need := (len(dst)-len(b.pending))*b.rate/b.codecRate + 1
		if cap(b.raw) < need {
			b.raw = make([]int16, need)
		}
		n := b.port.ReadCapture(b.raw[:need])
		if n == 0 {
			break
		}
		b.pending = b.down.Process(b.pending, b.raw[:n])
	}
	n := copy(dst, b.pending)
	b.pending = b.pending[:copy(b.pending, b.pending[n:])]
	if n < len(dst) {
		b.stats.CaptureUnderruns++
	}
	return n, nil
}

// WritePCM queues one decoded frame at the codec rate for the speaker
// (mediacore's PCMSink). A frame that would overfill the speaker queue is
// dropped and counted.
func (b *Bridge) WritePCM(frame []int16) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.out = b.up.Process(b.out[:0], frame)
	if b.port.PlaybackQueued()+len(b.out) > b.rate*MaxPlaybackQueueMs/1000 {
		b.stats.PlaybackDropped++
		return nil
	}
	b.port.WritePlayback(b.out)
	return nil
}

// Stats returns the bridge's counters.
func (b *Bridge) Stats() BridgeStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.stats
	st.CaptureBacklog = b.port.CaptureQueued()
	st.PlaybackQueued = b.port.PlaybackQueued()
	return st
}

// Close stops the exchange and releases the worklet (once).
func (b *Bridge) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	fn := b.closeFn
	b.mu.Unlock()
	if fn != nil {
		fn()
	}
}

// RingPort is a Port over two Rings: the worklet's side writes Capture and
// reads Playback. It stands in for the worklet in native tests and
// benchmarks, and is the Go side of the MessagePort transport.
type RingPort struct {
	Capture  *Ring
	Playback *Ring
}

// NewRingPort returns a RingPort whose rings hold capacity samples each.
func NewRingPort(capacity int) *RingPort {
	return &RingPort{Capture: NewRing(capacity), Playback: NewRing(capacity)}
}

// ReadCapture implements Port.
func (p *RingPort) ReadCapture(dst []int16) int { return p.Capture.Read(dst) }

// CaptureQueued implements Port.
func (p *RingPort) CaptureQueued() int { return p.Capture.Len() }

// SkipCapture implements Port.
func (p *RingPort) SkipCapture(n int) int { return p.Capture.Skip(n) }

// WritePlayback implements Port.
func (p *RingPort) WritePlayback(samples []int16) { p.Playback.Write(samples) }

// PlaybackQueued implements Port.
func (p *RingPort) PlaybackQueued() int { return p.Playback.Len() }
