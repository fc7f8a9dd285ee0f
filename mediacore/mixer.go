package mediacore

import "sync"

// Mixer mixes N parties of a local conference: every party hears the sum of all other parties'
// input (never its own), each input scaled by its volume and left out when muted. Mix does not
// allocate. Methods are safe for concurrent use.
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
	in     []int16
	out    []int16
	has    bool    // input written since the last Mix
	volume float64 // gain applied to this party's input
	muted  bool
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
	s := &MixerStream{Name: name, m: m, in: make([]int16, m.frame), out: make([]int16, m.frame), volume: 1}
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

// Write sets this party's input for the next Mix (shorter frames are padded with silence, longer
// ones cut). A party that wrote nothing since the last Mix contributes silence.
func (s *MixerStream) Write(frame []int16) {
	s.m.mu.Lock()
	n := copy(s.in, frame)
	clear(s.in[n:])
	s.has = true
	s.m.mu.Unlock()
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

// Read copies this party's last mixed output (everyone but itself) into dst.
func (s *MixerStream) Read(dst []int16) int {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	return copy(dst, s.out)
}

// Mix computes every party's output from the current inputs and clears the inputs.
func (m *Mixer) Mix() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.sum)
	for _, s := range m.streams {
		if !s.contributes() {
			continue
		}
		g := int32(s.volume * 256)
		for i, v := range s.in {
			m.sum[i] += int32(v) * g >> 8
		}
	}
	for _, s := range m.streams {
		if s.contributes() {
			g := int32(s.volume * 256)
			for i, v := range s.in {
				s.out[i] = saturate16(m.sum[i] - int32(v)*g>>8)
			}
		} else {
			for i, v := range m.sum {
				s.out[i] = saturate16(v)
			}
		}
		s.has = false
	}
}

func (s *MixerStream) contributes() bool { return s.has && !s.muted && s.volume > 0 }
