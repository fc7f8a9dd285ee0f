package webaudio

import "sync"

// The ring protocol, shared by this package and the worklet module
// (www/webphone_pcm_worklet.js): a ring of Capacity 16-bit samples (a power of two) with two
// free-running 32-bit counters, write (advanced only by the producer) and
// read (advanced only by the consumer). The samples queued are
// write-read (mod 2^32); the sample of counter c is at index c mod
// Capacity. In a SharedArrayBuffer the counters are an Int32Array of two
// elements read and written with Atomics, the samples an Int16Array: one
// producer and one consumer need no lock.

// ringQueued is how many samples a ring with these counters holds.
func ringQueued(write, read uint32) int { return int(write - read) }

// ringSpans splits n samples starting at counter c into at most two
// contiguous index ranges [a0,a1) and [b0,b1) of a ring of size capacity
// (b0 == b1 when the range does not wrap).
func ringSpans(c uint32, n, capacity int) (a0, a1, b0, b1 int) {
	a0 = int(c % uint32(capacity))
	if a0+n <= capacity {
		return a0, a0 + n, 0, 0
	}
	return a0, capacity, 0, a0 + n - capacity
}

// Ring is a bounded FIFO of 16-bit samples on the Go side (the MessagePort
// transport's receive buffer, and the stand-in for the worklet in native
// tests). It follows the ring protocol with its own lock instead of
// atomics. When a write does not fit, the oldest samples are dropped (a
// late reader hears the newest audio) and counted.
type Ring struct {
	mu      sync.Mutex
	buf     []int16
	write   uint32
	read    uint32
	dropped uint64
}

// NewRing returns a ring holding up to capacity samples, rounded up to a
// power of two (so that the counters' wrap at 2^32 keeps the indices
// contiguous).
func NewRing(capacity int) *Ring { return &Ring{buf: make([]int16, RingCapacity(capacity))} }

// RingCapacity rounds n up to the power of two a ring of at least n
// samples uses (at least 2).
func RingCapacity(n int) int {
	c := 2
	for c < n {
		c <<= 1
	}
	return c
}

// Write queues samples, dropping the oldest queued ones when full; it
// returns how many samples were dropped.
func (r *Ring) Write(samples []int16) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	capacity := len(r.buf)
	if len(samples) > capacity {
		r.dropped += uint64(len(samples) - capacity)
		samples = samples[len(samples)-capacity:]
	}
	drop := ringQueued(r.write, r.read) + len(samples) - capacity
	if drop > 0 {
		r.read += uint32(drop)
		r.dropped += uint64(drop)
	}
	a0, a1, b0, b1 := ringSpans(r.write, len(samples), capacity)
	n := copy(r.buf[a0:a1], samples)
	copy(r.buf[b0:b1], samples[n:])
	r.write += uint32(len(samples))
	return max(drop, 0)
}

// Read moves up to len(dst) queued samples into dst and returns how many.
func (r *Ring) Read(dst []int16) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := min(len(dst), ringQueued(r.write, r.read))
	a0, a1, b0, b1 := ringSpans(r.read, n, len(r.buf))
	k := copy(dst, r.buf[a0:a1])
	copy(dst[k:n], r.buf[b0:b1])
	r.read += uint32(n)
	return n
}

// Skip discards up to n queued samples (the oldest) and returns how many.
func (r *Ring) Skip(n int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n = min(n, ringQueued(r.write, r.read))
	r.read += uint32(n)
	r.dropped += uint64(n)
	return n
}

// Len is the number of queued samples.
func (r *Ring) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return ringQueued(r.write, r.read)
}

// Dropped is the number of samples dropped so far (overruns and skips).
func (r *Ring) Dropped() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}
