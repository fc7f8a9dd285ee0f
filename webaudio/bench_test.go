package webaudio

import (
	"math"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/mediacore"
	"github.com/pion/rtp"
)

// benchRate is the AudioContext rate of the benchmarks (headless
// Chromium's default).
const benchRate = 44100

// BenchmarkPCMCallFrame is the Go side's work for one 20 ms frame of one
// PCM call, both directions: capture resampled to 8 kHz, G.711 encoded
// into an RTP packet; a received packet parsed, decoded, through the
// jitter buffer, measured (ToneMeter) and resampled to the speaker. The
// worklet's side (moving samples) is simulated by ring writes and reads.
// cpu-%/call is the share of one core a call takes (ns/op over 20 ms);
// run under GOOS=js GOARCH=wasm in Chromium (scripts/bench.sh) it is the
// cost in the page.
func BenchmarkPCMCallFrame(b *testing.B) {
	port := NewRingPort(1 << 14)
	br := NewBridge(port, SharedRing, benchRate, 8000, nil)
	jb := mediacore.NewJitterBuffer(mediacore.JitterConfig{})
	meter := NewToneMeter()
	mic := sine(benchRate, 1000, benchRate, 12000)
	quantum := benchRate / 50
	frame := make([]int16, 160)
	payload := make([]byte, 160)
	packet := make([]byte, 1500)
	decoded := make([]int16, 160)
	out := make([]int16, quantum+16)
	var pkt rtp.Packet
	pos := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// the worklet captured 20 ms
		if pos+quantum > len(mic) {
			pos = 0
		}
		port.Capture.Write(mic[pos : pos+quantum])
		pos += quantum
		// send
		n, _ := br.ReadPCM(frame)
		clear(frame[n:])
		mediacore.EncodeUlaw(payload, frame)
		h := rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: uint16(i), Timestamp: uint32(i * 160), SSRC: 1}
		hn, _ := h.MarshalTo(packet)
		copy(packet[hn:], payload)
		// receive (the same packet comes back)
		if err := pkt.Unmarshal(packet[:hn+160]); err != nil {
			b.Fatal(err)
		}
		mediacore.DecodeUlaw(decoded, pkt.Payload)
		_ = jb.Push(pkt.SequenceNumber, pkt.Timestamp, decoded, time.Duration(i)*20*time.Millisecond)
		jb.Pop(frame)
		_ = meter.WritePCM(frame)
		_ = br.WritePCM(frame)
		// the worklet played 20 ms
		port.Playback.Read(out)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/20e6*100, "cpu-%/call")
}

// BenchmarkPCMMouthToEar simulates two PCM phones on a virtual clock (no
// network delay or jitter): an impulse enters A's worklet from the
// microphone, A's Go side sends it in its 20 ms frame, B's jitter buffer
// holds it, B's Go side queues it for B's worklet, which plays it. It
// reports the delay from microphone to speaker (mouth-to-ear-ms), the part
// of it the jitter buffer holds (jitterbuffer-ms), the 20 ms
// packetization any RTP phone has, and what the worklet path adds on top
// (worklet-ms: render quanta and ring residency at both ends). The result
// is averaged over impulse and timer phases. The timing work is modelled,
// not measured: it does not depend on the machine.
func BenchmarkPCMMouthToEar(b *testing.B) {
	var total, jbDelay float64
	runs := 0
	for i := 0; i < b.N; i++ {
		for phase := 0; phase < 8; phase++ {
			d, jbd := simulateMouthToEar(float64(phase)*110.25, float64(phase)*57.3, 3000+phase*97)
			total += d
			jbDelay += jbd
			runs++
		}
	}
	total /= float64(runs)
	jbDelay /= float64(runs)
	b.ReportMetric(total, "mouth-to-ear-ms")
	b.ReportMetric(jbDelay, "jitterbuffer-ms")
	b.ReportMetric(20, "packetization-ms")
	b.ReportMetric(total-jbDelay-20, "worklet-ms")
}

func TestMouthToEarModelIsSane(t *testing.T) {
	d, jbd := simulateMouthToEar(0, 300, 5000)
	if d < 20+jbd || d > 20+jbd+60 {
		t.Fatalf("mouth-to-ear %.1f ms with a %.1f ms jitter buffer: the model is off", d, jbd)
	}
}

// simulateMouthToEar runs the model with A's and B's frame timers at the
// given phases (in context samples) and the impulse at context sample
// impulseAt after 1 s of warm-up; it returns the delay and B's jitter
// buffer delay, in ms.
func simulateMouthToEar(phaseA, phaseB float64, impulseAt int) (delayMs, jbMs float64) {
	const quantum = 128
	tick := float64(benchRate) / 50 // 20 ms in context samples
	pa, pb := NewRingPort(1<<14), NewRingPort(1<<14)
	ba := NewBridge(pa, SharedRing, benchRate, 8000, nil)
	bb := NewBridge(pb, SharedRing, benchRate, 8000, nil)
	jb := mediacore.NewJitterBuffer(mediacore.JitterConfig{})
	warm := benchRate
	impulse := warm + impulseAt
	nextA, nextB := phaseA, phaseB
	frame := make([]int16, 160)
	play := make([]int16, 160)
	in := make([]int16, quantum)
	out := make([]int16, quantum)
	var seq uint16
	var ts uint32
	type sent struct {
		seq uint16
		ts  uint32
		pcm []int16
	}
	var wire []sent
	for now := 0; now < impulse+benchRate; now += quantum {
		// A's worklet: the quantum [now, now+quantum) is captured and
		// handed over at its end
		clear(in)
		if impulse >= now && impulse < now+quantum {
			in[impulse-now] = 30000
		}
		end := now + quantum
		// Go timers that fire before the quantum is handed over
		for nextA < float64(end) || nextB < float64(end) {
			if nextA <= nextB {
				n, _ := ba.ReadPCM(frame)
				clear(frame[n:])
				wire = append(wire, sent{seq, ts, append([]int16(nil), frame...)})
				seq++
				ts += 160
				nextA += tick
			} else {
				at := time.Duration(nextB / benchRate * float64(time.Second))
				for _, p := range wire {
					_ = jb.Push(p.seq, p.ts, p.pcm, at)
				}
				wire = wire[:0]
				jb.Pop(play)
				_ = bb.WritePCM(play)
				nextB += tick
			}
		}
		pa.Capture.Write(in)
		// B's worklet renders the next quantum, played from end on
		pb.Playback.Read(out)
		for i, v := range out {
			if v > 3000 && now > impulse {
				return float64(end+i-impulse) * 1000 / benchRate, float64(jb.Stats().Delay) / float64(time.Millisecond)
			}
		}
	}
	return math.NaN(), 0
}
