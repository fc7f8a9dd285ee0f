package mediacore

import "sync"

// mixerDepth is how many frames a party's input and output queues hold (80 ms at 20 ms), so that
// sessions ticking slightly out of step with the mixer neither lose nor repeat audio.
const mixerDepth = 4

// Mixer mixes N parties of a local conference: every party hears the sum of all other parties'
// input (never its own), each input scaled by its volume and left out when muted.
//
// Each party is a MixerStream, which is both a PCMSink (its input, e.g. a call's received audio or
// the microphone) and a PCMSource (its output, e.g. what a call sends or the speaker plays). Call
// Mix once per frame, for instance from a 20 ms ticker; inputs and outputs are queued a few frames
// deep to absorb timing differences. Mix does not allocate. Methods are safe for concurrent use.
type Mixer struct {
	mu      sync.Mutex
	frame   int
	streams []*MixerStream
	sum     []int32
}

// MixerStream is one party of a Mixer.
type MixerStream struct {
	Name   string
	m      *Mixer
	in     frameQueue
	out    frameQueue
	cur    []int16 // input taken for the current Mix
	has    bool    // cur holds input
	volume float64 // gain applied to this party's input
	muted  bool
}

// frameQueue is a fixed ring of frames.
type frameQueue struct {
	frames [mixerDepth][]int16
	head   int
	n      int
}

func newFrameQueue(frame int) frameQueue {
	var q frameQueue
	for i := range q.frames {
		q.frames[i] = make([]int16, frame)
	}
	return q
}

// push copies f in (padding or cutting to the frame size), dropping the oldest frame when full.
func (q *frameQueue) push(f []int16) {
	if q.n == mixerDepth {
		q.head = (q.head + 1) % mixerDepth
		q.n--
	}
	dst := q.frames[(q.head+q.n)%mixerDepth]
	k := copy(dst, f)
	clear(dst[k:])
	q.n++
}

// pop copies the oldest frame into dst and reports whether there was one.
func (q *frameQueue) pop(dst []int16) bool {
	if q.n == 0 {
		return false
	}
	copy(dst, q.frames[q.head])
	q.head = (q.head + 1) % mixerDepth
	q.n--
	return true
}

// NewMixer returns a mixer for frames of frameSamples samples (160 = 20 ms).
func NewMixer(frameSamples int) *Mixer {
	if frameSamples <= 0 {
		frameSamples = 160
	}
	return &Mixer{frame: frameSamples, sum: make([]int32, frameSamples)}
}

// Add adds a party.
func (m *Mixer) Add(name string) *MixerStream {
	s := &MixerStream{Name: name, m: m, in: newFrameQueue(m.frame), out: newFrameQueue(m.frame),
		cur: make([]int16, m.frame), volume: 1}
	m.mu.Lock()
	m.streams = append(m.streams, s)
	m.mu.Unlock()
	return s
}

// Remove removes a party.
func (m *Mixer) Remove(s *MixerStream) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, x := range m.streams {
		if x == s {
			m.streams = append(m.streams[:i], m.streams[i+1:]...)
			return
		}
	}
}

// Len returns the number of parties.
func (m *Mixer) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.streams)
}

// Write queues one frame of this party's input (shorter frames are padded with silence, longer
// ones cut). A party with no queued input contributes silence to a Mix.
func (s *MixerStream) Write(frame []int16) {
	s.m.mu.Lock()
	s.in.push(frame)
	s.m.mu.Unlock()
}

// WritePCM makes MixerStream a PCMSink (same as Write).
func (s *MixerStream) WritePCM(frame []int16) error {
	s.Write(frame)
	return nil
}

// SetVolume sets the gain of this party's input as heard by the others (1 = unchanged, 0..4).
func (s *MixerStream) SetVolume(v float64) {
	s.m.mu.Lock()
	s.volume = min(max(v, 0), 4)
	s.m.mu.Unlock()
}

// SetMute stops (or resumes) the others hearing this party.
func (s *MixerStream) SetMute(on bool) {
	s.m.mu.Lock()
	s.muted = on
	s.m.mu.Unlock()
}

// Read takes this party's oldest mixed output frame (everyone but itself) into dst, or silence
// when none is queued, and returns the number of samples written.
func (s *MixerStream) Read(dst []int16) int {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	n := min(len(dst), s.m.frame)
	if !s.out.pop(dst[:n]) {
		clear(dst[:n])
	}
	return n
}

// ReadPCM makes MixerStream a PCMSource: it fills dst whole (frame by frame) and never ends.
func (s *MixerStream) ReadPCM(dst []int16) (int, error) {
	done := 0
	for done < len(dst) {
		done += s.Read(dst[done:])
	}
	return done, nil
}

// Mix takes one queued input frame from every party and queues one output frame for each.
func (m *Mixer) Mix() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.sum)
	for _, s := range m.streams {
		s.has = s.in.pop(s.cur)
		if !s.contributes() {
			continue
		}
		g := int32(s.volume * 256)
		for i, v := range s.cur {
			m.sum[i] += int32(v) * g >> 8
		}
	}
	for _, s := range m.streams {
		if s.contributes() {
			g := int32(s.volume * 256)
			for i, v := range s.cur {
				m.sum[i] -= int32(v) * g >> 8
			}
		}
		s.out.push(nil) // claim a frame, then fill it
		dst := s.out.frames[(s.out.head+s.out.n-1)%mixerDepth]
		for i, v := range m.sum {
			dst[i] = saturate16(v)
		}
		if s.contributes() {
			g := int32(s.volume * 256)
			for i, v := range s.cur {
				m.sum[i] += int32(v) * g >> 8
			}
		}
	}
}

func (s *MixerStream) contributes() bool { return s.has && !s.muted && s.volume > 0 }
