package webaudio

import (
	"math"
	"testing"
)

// toneWorklet is a Port standing in for a worklet whose microphone plays
// a tone without end: every read gets the next samples.
type toneWorklet struct {
	rate  int
	freq  float64
	n     int
	queue int // what CaptureQueued reports
	*RingPort
}

func (w *toneWorklet) ReadCapture(dst []int16) int {
	for i := range dst {
		dst[i] = int16(12000 * math.Sin(2*math.Pi*w.freq*float64(w.n)/float64(w.rate)))
		w.n++
	}
	return len(dst)
}
func (w *toneWorklet) CaptureQueued() int    { return w.queue }
func (w *toneWorklet) SkipCapture(n int) int { w.n += n; return n }

func TestBridgeCaptureResamplesWholeFrames(t *testing.T) {
	port := NewRingPort(1 << 14)
	b := NewBridge(port, MessagePort, 48000, 8000, nil)
	frame := make([]int16, 160)
	// nothing captured yet: an underrun, no samples
	if n, _ := b.ReadPCM(frame); n != 0 || b.Stats().CaptureUnderruns != 1 {
		t.Fatalf("empty capture gave %d samples, underruns %d", n, b.Stats().CaptureUnderruns)
	}
	var out []int16
	in := sine(48000, 1000, 48000, 12000)
	for i := 0; i < len(in); i += 960 {
		port.Capture.Write(in[i : i+960])
		n, _ := b.ReadPCM(frame)
		out = append(out, frame[:n]...)
	}
	if len(out) < 7900 {
		t.Fatalf("1 s captured at 48 kHz gave %d samples at 8 kHz", len(out))
	}
	if a := amplitude(out[800:], 8000, 1000); a < 0.33 || a > 0.4 {
		t.Errorf("1 kHz at 0.37 reads back at %.3f", a)
	}
}

func TestBridgeBoundsCaptureLatency(t *testing.T) {
	port := NewRingPort(1 << 14)
	b := NewBridge(port, SharedRing, 48000, 8000, nil)
	// 200 ms captured while Go was not reading
	port.Capture.Write(make([]int16, 9600))
	frame := make([]int16, 160)
	if n, _ := b.ReadPCM(frame); n != 160 {
		t.Fatalf("read %d", n)
	}
	st := b.Stats()
	if st.CaptureSkipped == 0 || st.CaptureBacklog > 48*MaxCaptureBacklogMs {
		t.Fatalf("backlog %d samples after a read, skipped %d: the capture latency is not bounded", st.CaptureBacklog, st.CaptureSkipped)
	}
}

func TestBridgePlaybackUpsamplesAndDropsWhenFull(t *testing.T) {
	port := NewRingPort(1 << 14)
	b := NewBridge(port, MessagePort, 48000, 8000, nil)
	_ = b.WritePCM(sine(8000, 440, 160, 12000))
	if q := port.Playback.Len(); q < 950 || q > 970 {
		t.Fatalf("one 20 ms frame queued %d samples at 48 kHz", q)
	}
	// the speaker does not consume: the queue stops at the bound
	for i := 0; i < 20; i++ {
		_ = b.WritePCM(make([]int16, 160))
	}
	st := b.Stats()
	if st.PlaybackDropped == 0 || st.PlaybackQueued > 48*MaxPlaybackQueueMs {
		t.Fatalf("queued %d samples, dropped %d frames: the playback latency is not bounded", st.PlaybackQueued, st.PlaybackDropped)
	}
}

func TestBridgeCloseOnceAndSilentAfter(t *testing.T) {
	closes := 0
	port := NewRingPort(1024)
	b := NewBridge(port, MessagePort, 48000, 8000, func() { closes++ })
	b.Close()
	b.Close()
	if closes != 1 {
		t.Fatalf("close function ran %d times", closes)
	}
	_ = b.WritePCM(make([]int16, 160))
	if port.Playback.Len() != 0 {
		t.Fatal("a closed bridge still queues playback")
	}
}
