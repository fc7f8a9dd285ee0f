//go:build js && wasm

package webaudio

import (
	"sync"

	"github.com/hack-pad/safejs"
)

// sabRing is Go's end of one ring in a SharedArrayBuffer (the ring
// protocol of ring.go): the counters through Atomics, the samples copied
// as whole frames through a Uint8Array view.
type sabRing struct {
	atomics  safejs.Value
	hdr      safejs.Value // Int32Array(2): write, read
	bytes    safejs.Value // Uint8Array over the samples
	capacity int
	hdrBuf   safejs.Value // the SharedArrayBuffers, for processorOptions
	dataBuf  safejs.Value
	scratch  []byte
}

func newSABRing(capacity int) (*sabRing, error) {
	g := safejs.Global()
	sab, err := g.Get("SharedArrayBuffer")
	if err != nil {
		return nil, err
	}
	hdrBuf, err := sab.New(8)
	if err != nil {
		return nil, err
	}
	dataBuf, err := sab.New(2 * capacity)
	if err != nil {
		return nil, err
	}
	i32, _ := g.Get("Int32Array")
	u8, _ := g.Get("Uint8Array")
	hdr, err := i32.New(hdrBuf)
	if err != nil {
		return nil, err
	}
	bytes, err := u8.New(dataBuf)
	if err != nil {
		return nil, err
	}
	atomics, err := g.Get("Atomics")
	if err != nil {
		return nil, err
	}
	return &sabRing{atomics: atomics, hdr: hdr, bytes: bytes, capacity: capacity, hdrBuf: hdrBuf, dataBuf: dataBuf}, nil
}

func (r *sabRing) options() map[string]any { return map[string]any{"hdr": r.hdrBuf, "data": r.dataBuf} }

func (r *sabRing) load(i int) uint32 {
	v, err := r.atomics.Call("load", r.hdr, i)
	if err != nil {
		return 0
	}
	n, _ := v.Int()
	return uint32(int32(n))
}

func (r *sabRing) store(i int, v uint32) { _, _ = r.atomics.Call("store", r.hdr, i, int32(v)) }

func (r *sabRing) queued() int { return ringQueued(r.load(0), r.load(1)) }

// read moves up to len(dst) samples out (Go is the consumer).
func (r *sabRing) read(dst []int16) int {
	rd := r.load(1)
	n := min(len(dst), ringQueued(r.load(0), rd))
	if n == 0 {
		return 0
	}
	if cap(r.scratch) < 2*n {
		r.scratch = make([]byte, 2*n)
	}
	buf := r.scratch[:2*n]
	a0, a1, b0, b1 := ringSpans(rd, n, r.capacity)
	k := r.copyOut(buf, a0, a1)
	r.copyOut(buf[k:], b0, b1)
	getSamples(dst[:n], buf)
	r.store(1, rd+uint32(n))
	return n
}

func (r *sabRing) copyOut(dst []byte, i0, i1 int) int {
	if i1 <= i0 {
		return 0
	}
	sub, err := r.bytes.Call("subarray", 2*i0, 2*i1)
	if err != nil {
		return 0
	}
	n, _ := safejs.CopyBytesToGo(dst, sub)
	return n
}

// skip discards up to n samples (Go is the consumer).
func (r *sabRing) skip(n int) int {
	rd := r.load(1)
	n = min(n, ringQueued(r.load(0), rd))
	r.store(1, rd+uint32(n))
	return n
}

// write queues what fits of samples (Go is the producer).
func (r *sabRing) write(samples []int16) {
	w := r.load(0)
	n := min(len(samples), r.capacity-ringQueued(w, r.load(1)))
	if n <= 0 {
		return
	}
	if cap(r.scratch) < 2*n {
		r.scratch = make([]byte, 2*n)
	}
	buf := r.scratch[:2*n]
	putSamples(buf, samples[:n])
	a0, a1, b0, b1 := ringSpans(w, n, r.capacity)
	k := r.copyIn(buf, a0, a1)
	r.copyIn(buf[k:], b0, b1)
	r.store(0, w+uint32(n))
}

func (r *sabRing) copyIn(src []byte, i0, i1 int) int {
	if i1 <= i0 {
		return 0
	}
	sub, err := r.bytes.Call("subarray", 2*i0, 2*i1)
	if err != nil {
		return 0
	}
	n, _ := safejs.CopyBytesToJS(sub, src[:2*(i1-i0)])
	return n
}

// sabPort is a Port over two SharedArrayBuffer rings.
type sabPort struct {
	mu       sync.Mutex // one scratch buffer per ring, used by one side at a time
	capture  *sabRing
	playback *sabRing
}

func (p *sabPort) ReadCapture(dst []int16) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.capture.read(dst)
}
func (p *sabPort) CaptureQueued() int { return p.capture.queued() }
func (p *sabPort) SkipCapture(n int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.capture.skip(n)
}
func (p *sabPort) WritePlayback(samples []int16) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.playback.write(samples)
}
func (p *sabPort) PlaybackQueued() int { return p.playback.queued() }
