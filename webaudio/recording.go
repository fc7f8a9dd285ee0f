package webaudio

import (
	"bytes"
	"errors"
	"sync"

	"github.com/opensoftphone/webphone/mediacore"
)

// MaxRecordingSamples bounds a call recording: 30 minutes at 8 kHz (57.6 MB
// of memory would be an hour; a longer call keeps its first 30 minutes).
const MaxRecordingSamples = 30 * 60 * mediacore.SampleRate

// recorder mixes what a call sends and what it plays into one 8 kHz track
// while a recording runs. The session calls its source side (the frame it
// sends) and then its sink side (the frame it plays) once per frame, so
// the two are mixed frame by frame. It has its own lock.
type recorder struct {
	mu      sync.Mutex
	on      bool
	sent    []int16 // the last frame sent, waiting for its played frame
	mix     []int16
	dropped bool // the recording reached MaxRecordingSamples
}

// recordingSource is the session's PCMSource: the bridge, with what it
// gives recorded.
type recordingSource struct {
	src mediacore.PCMSource
	rec *recorder
}

func (s recordingSource) ReadPCM(dst []int16) (int, error) {
	n, err := s.src.ReadPCM(dst)
	s.rec.sentFrame(dst[:max(n, 0)])
	return n, err
}

// sentFrame notes the frame sent this tick.
func (r *recorder) sentFrame(f []int16) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		r.sent = append(r.sent[:0], f...)
	}
}

// WritePCM takes the frame played this tick and mixes it with the frame
// sent (mediacore's PCMSink).
func (r *recorder) WritePCM(frame []int16) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.on {
		return nil
	}
	if len(r.mix)+len(frame) > MaxRecordingSamples {
		r.dropped = true
		r.sent = r.sent[:0]
		return nil
	}
	for i, v := range frame {
		s := int32(v)
		if i < len(r.sent) {
			s += int32(r.sent[i])
		}
		r.mix = append(r.mix, int16(max(min(s, 32767), -32768)))
	}
	r.sent = r.sent[:0]
	return nil
}

// StartRecording starts (or restarts, empty) recording the call: what the
// microphone sends and what the peer sends, mixed.
func (m *Media) StartRecording() {
	r := m.rec
	r.mu.Lock()
	r.on, r.mix, r.sent, r.dropped = true, r.mix[:0], r.sent[:0], false
	r.mu.Unlock()
}

// StopRecording ends the recording and returns it as an 8 kHz mono WAV
// file; an error when nothing was recorded or no recording ran.
func (m *Media) StopRecording() ([]byte, error) {
	r := m.rec
	r.mu.Lock()
	on, mix := r.on, r.mix
	r.on, r.mix, r.sent = false, nil, nil
	r.mu.Unlock()
	if !on {
		return nil, errors.New("webaudio: the call was not being recorded")
	}
	if len(mix) == 0 {
		return nil, errors.New("webaudio: nothing was recorded")
	}
	var b bytes.Buffer
	if err := mediacore.WriteWAV8k(&b, mix); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
