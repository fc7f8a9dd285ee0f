package mediacore

import (
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// constFrame returns a 160-sample frame whose samples all equal v (it identifies the packet).
func constFrame(v int16) []int16 {
	f := make([]int16, 160)
	for i := range f {
		f[i] = v
	}
	return f
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestJitterBufferReordersAndDropsDuplicates(t *testing.T) {
	jb := NewJitterBuffer(JitterConfig{MinDelay: ms(40)})
	out := make([]int16, 160)
	assert.Equal(t, PopBuffering, jb.Pop(out), "nothing buffered yet")

	// Packets 65534, 65535, 0, 1 (wrapping) arrive as 65535, 65534, 65535 (dup), 1, 0.
	base := uint32(1000)
	push := func(seq uint16, v int16) {
		require.NoError(t, jb.Push(seq, base+uint32(uint16(seq-65534))*160, constFrame(v), 0))
	}
	push(65535, 2)
	push(65534, 1)
	push(65535, 2)
	push(1, 4)
	push(0, 3)
	st := jb.Stats()
	assert.Equal(t, uint64(1), st.Duplicate)
	assert.Equal(t, ms(80), st.Delay)

	for want := int16(1); want <= 4; want++ {
		require.Equal(t, PopPlayed, jb.Pop(out), "packet %d", want)
		assert.Equal(t, want, out[0])
		assert.Equal(t, want, out[159])
	}
	assert.Equal(t, PopConcealed, jb.Pop(out), "empty buffer while playing conceals")
	assert.Equal(t, uint64(1), jb.Stats().Underruns)

	// Packet 0 again is late now.
	push(0, 3)
	assert.Equal(t, uint64(1), jb.Stats().Late)
	assert.Equal(t, uint64(4), jb.Stats().Played)
}

func TestJitterBufferConcealsLoss(t *testing.T) {
	jb := NewJitterBuffer(JitterConfig{MinDelay: ms(80)}) // holds all four packets: no shrinking
	tone := make([]int16, 160*5)
	_, _ = NewTone(SineTone(500, 0.5)).ReadPCM(tone)
	for _, seq := range []uint16{10, 11, 13, 14} { // 12 is lost
		k := int(seq - 10)
		require.NoError(t, jb.Push(seq, uint32(k*160), tone[k*160:(k+1)*160], ms(k*20)))
	}
	out := make([]int16, 160)
	assert.Equal(t, PopPlayed, jb.Pop(out))
	assert.Equal(t, PopPlayed, jb.Pop(out))
	assert.Equal(t, PopConcealed, jb.Pop(out))
	// The concealment continues the 500 Hz tone rather than going silent.
	assert.Greater(t, ToneAmplitude(out, 500), 0.2)
	assert.Equal(t, PopPlayed, jb.Pop(out))
	st := jb.Stats()
	assert.Equal(t, uint64(1), st.Lost)
	assert.Equal(t, uint64(160), st.ConcealedSamples)
}

func TestJitterBufferPacketSizeDiffersFromFrame(t *testing.T) {
	// 30 ms packets played out in 20 ms frames (the target holds all four packets).
	jb := NewJitterBuffer(JitterConfig{MinDelay: ms(120), FrameSamples: 240})
	for k := 0; k < 4; k++ {
		f := make([]int16, 240)
		for i := range f {
			f[i] = int16(k*240 + i)
		}
		require.NoError(t, jb.Push(uint16(k), uint32(k*240), f, ms(k*30)))
	}
	out := make([]int16, 160)
	next := int16(0)
	for i := 0; i < 6; i++ {
		require.Equal(t, PopPlayed, jb.Pop(out))
		for _, v := range out {
			require.Equal(t, next, v)
			next++
		}
	}
}

func TestJitterBufferRejectsBadPackets(t *testing.T) {
	jb := NewJitterBuffer(JitterConfig{})
	assert.Error(t, jb.Push(1, 0, nil, 0))
	assert.Error(t, jb.Push(1, 0, make([]int16, 2000), 0))
}

func TestJitterBufferResyncsOnSequenceJump(t *testing.T) {
	jb := NewJitterBuffer(JitterConfig{MinDelay: ms(20)})
	out := make([]int16, 160)
	require.NoError(t, jb.Push(100, 0, constFrame(1), 0))
	require.NoError(t, jb.Push(101, 160, constFrame(2), ms(20)))
	jb.Pop(out)
	require.NoError(t, jb.Push(30000, 999999, constFrame(7), ms(40)))
	assert.Equal(t, uint64(1), jb.Stats().Resyncs)
	require.NoError(t, jb.Push(30001, 999999+160, constFrame(8), ms(60)))
	require.Equal(t, PopPlayed, jb.Pop(out))
	assert.Equal(t, int16(7), out[0])
}

// arrival is one packet of a generated network trace.
type arrival struct {
	seq uint16
	k   int // packet index
	at  time.Duration
}

// genTrace sends n packets every 20 ms through a network with base delay, uniform jitter,
// occasional delay spikes, loss and duplication, using a fixed seed. It returns the arrivals in
// time order and the number of packets lost by the network.
func genTrace(seed int64, n int, jitter time.Duration, lossPct, dupPct, spikePct int) ([]arrival, int) {
	rng := rand.New(rand.NewSource(seed))
	var out []arrival
	lost := 0
	for k := 0; k < n; k++ {
		// Keep the last packets so that playout reaches the end of the trace.
		if k < n-5 && rng.Intn(100) < lossPct {
			lost++
			continue
		}
		send := time.Duration(k) * 20 * time.Millisecond
		d := 30*time.Millisecond + time.Duration(rng.Int63n(int64(jitter)+1))
		if rng.Intn(100) < spikePct {
			d += 80 * time.Millisecond
		}
		seq := uint16(60000 + k) // wraps during the trace
		out = append(out, arrival{seq: seq, k: k, at: send + d})
		if rng.Intn(100) < dupPct {
			out = append(out, arrival{seq: seq, k: k, at: send + d + time.Duration(rng.Int63n(int64(40*time.Millisecond)))})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at < out[j].at })
	return out, lost
}

// playTrace feeds a trace to a jitter buffer, popping a frame every 20 ms, and returns the packet
// indexes in the order they were played.
func playTrace(t *testing.T, jb *JitterBuffer, trace []arrival, n int) []int {
	t.Helper()
	var played []int
	out := make([]int16, 160)
	i := 0
	for now := time.Duration(0); now < time.Duration(n+40)*20*time.Millisecond; now += 20 * time.Millisecond {
		for ; i < len(trace) && trace[i].at <= now; i++ {
			a := trace[i]
			require.NoError(t, jb.Push(a.seq, uint32(a.k*160), constFrame(int16(a.k+1)), a.at))
		}
		if jb.Pop(out) == PopPlayed {
			played = append(played, int(out[0])-1)
		}
	}
	return played
}

func TestJitterBufferUnderGeneratedTrace(t *testing.T) {
	const n = 3000
	trace, netLost := genTrace(7, n, 60*time.Millisecond, 3, 2, 1)
	jb := NewJitterBuffer(JitterConfig{})
	played := playTrace(t, jb, trace, n)
	st := jb.Stats()
	t.Logf("network lost %d; %+v", netLost, st)

	// Played packets come out in order, each once.
	for i := 1; i < len(played); i++ {
		require.Greater(t, played[i], played[i-1], "playout order at %d", i)
	}
	assert.Equal(t, uint64(len(played)), st.Played)
	assert.Equal(t, n-1, played[len(played)-1], "playout reaches the end of the trace")

	// Every packet index is accounted for exactly once, and every arrival too.
	assert.Equal(t, uint64(n), st.Played+st.Dropped+st.Lost, "played+dropped+lost covers the stream")
	assert.Equal(t, uint64(len(trace)), st.Received)
	assert.Equal(t, st.Received, st.Played+st.Dropped+st.Late+st.Duplicate, "every arrival has one fate")
	assert.GreaterOrEqual(t, st.Lost, uint64(netLost))
	assert.Zero(t, st.Resyncs)

	// Adaptation: the delay covers the 60 ms jitter, so hardly anything arrives too late,
	// and stays well below the maximum.
	assert.Less(t, float64(st.Late), 0.02*float64(n), "late packets: %+v", st)
	assert.GreaterOrEqual(t, st.Target, 60*time.Millisecond)
	assert.LessOrEqual(t, st.Target, 250*time.Millisecond)
	assert.Equal(t, st.Lost*160, st.ConcealedSamples-st.Underruns*160, "each loss conceals one packet")
}

func TestJitterBufferStaysSmallWithoutJitter(t *testing.T) {
	const n = 500
	trace, netLost := genTrace(3, n, 0, 2, 0, 0)
	jb := NewJitterBuffer(JitterConfig{MinDelay: 40 * time.Millisecond})
	played := playTrace(t, jb, trace, n)
	st := jb.Stats()
	assert.Equal(t, 40*time.Millisecond, st.Target)
	assert.Zero(t, st.Late)
	assert.Equal(t, uint64(netLost), st.Lost)
	assert.Equal(t, n-netLost, len(played))
}

func TestJitterBufferShrinksAfterSpike(t *testing.T) {
	// A burst: 10 packets arrive together after a 200 ms stall, then a steady stream again.
	jb := NewJitterBuffer(JitterConfig{MinDelay: ms(40), PeakDecay: 0.9})
	out := make([]int16, 160)
	now := time.Duration(0)
	k := 0
	push := func(at time.Duration) {
		require.NoError(t, jb.Push(uint16(k), uint32(k*160), constFrame(int16(k+1)), at))
		k++
	}
	for ; k < 5; now += ms(20) {
		push(now)
		jb.Pop(out)
	}
	for i := 0; i < 10; i++ {
		jb.Pop(out)
		now += ms(20)
	}
	for i := 0; i < 10; i++ {
		push(now)
	}
	grown := jb.Stats().Delay
	for i := 0; i < 100; i++ {
		push(now)
		jb.Pop(out)
		now += ms(20)
	}
	st := jb.Stats()
	assert.Greater(t, grown, ms(150))
	assert.Less(t, st.Delay, ms(100), "delay shrinks back once the jitter is gone: %+v", st)
	assert.Greater(t, st.Dropped, uint64(0))
}

func BenchmarkJitterBufferPacket(b *testing.B) {
	jb := NewJitterBuffer(JitterConfig{})
	in := constFrame(100)
	out := make([]int16, 160)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// Every 50th packet is lost, every 7th pair swapped.
		seq := i
		if i%7 == 1 {
			seq = i + 1
		} else if i%7 == 2 {
			seq = i - 1
		}
		if seq%50 != 0 {
			_ = jb.Push(uint16(seq), uint32(seq*160), in, time.Duration(i)*20*time.Millisecond)
		}
		jb.Pop(out)
		i++
	}
}
