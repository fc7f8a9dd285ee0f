package mediacore

import (
	"io"
	"sync"
)

// PCMSource supplies audio to send: each call fills dst (one frame, 8 kHz mono) and returns how
// many samples it wrote. It returns io.EOF when it has no more audio; the session then sends
// silence.
type PCMSource interface {
	ReadPCM(dst []int16) (int, error)
}

// PCMSink receives decoded audio, one frame per call. It must not keep frame after returning.
type PCMSink interface {
	WritePCM(frame []int16) error
}

// PCMSinkFunc adapts a function to PCMSink.
type PCMSinkFunc func(frame []int16)

// WritePCM calls f.
func (f PCMSinkFunc) WritePCM(frame []int16) error {
	f(frame)
	return nil
}

// SliceSource plays a sample slice once.
type SliceSource struct {
	Samples []int16
	pos     int
}

// ReadPCM copies the next samples.
func (s *SliceSource) ReadPCM(dst []int16) (int, error) {
	if s.pos >= len(s.Samples) {
		return 0, io.EOF
	}
	n := copy(dst, s.Samples[s.pos:])
	s.pos += n
	return n, nil
}

// saturate16 clamps an int32 to the int16 range.
func saturate16(v int32) int16 {
	if v > 32767 {
		return 32767
	}
	if v < -32768 {
		return -32768
	}
	return int16(v)
}

// PCMRecorder is a PCMSink that keeps everything it receives (for tests and call recording).
// It is safe for concurrent use.
type PCMRecorder struct {
	mu      sync.Mutex
	samples []int16
}

// WritePCM appends frame.
func (r *PCMRecorder) WritePCM(frame []int16) error {
	r.mu.Lock()
	r.samples = append(r.samples, frame...)
	r.mu.Unlock()
	return nil
}

// Samples returns a copy of everything recorded so far.
func (r *PCMRecorder) Samples() []int16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int16(nil), r.samples...)
}

// Len returns the number of samples recorded.
func (r *PCMRecorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.samples)
}

// Reset drops the recording.
func (r *PCMRecorder) Reset() {
	r.mu.Lock()
	r.samples = nil
	r.mu.Unlock()
}
