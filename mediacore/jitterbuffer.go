package mediacore

import (
	"fmt"
	"time"
)

// JitterConfig configures a JitterBuffer. Zero fields take the defaults.
type JitterConfig struct {
	FrameSamples     int           // expected samples per packet; default 160 (20 ms)
	MinDelay         time.Duration // lowest target delay; default 40 ms
	MaxDelay         time.Duration // highest target delay; default 400 ms
	MaxPacketSamples int           // largest packet accepted; default 960 (120 ms)
	Slots            int           // packets held at most; default 128
	// PeakDecay is how fast the delay-variation peak decays per packet (0..1); default 0.995.
	PeakDecay float64
}

// JitterStats are the jitter buffer counters.
type JitterStats struct {
	Received         uint64        // packets pushed (duplicates and late ones included)
	Played           uint64        // packets played out
	Lost             uint64        // packets never received by the time they were due
	Late             uint64        // packets that arrived after their play time (dropped)
	Duplicate        uint64        // packets received twice (dropped)
	Dropped          uint64        // packets discarded to shrink the delay
	Resyncs          uint64        // restarts after a sequence jump or SSRC change
	Underruns        uint64        // Pop found the buffer empty while playing
	ConcealedSamples uint64        // samples produced by loss concealment
	Delay            time.Duration // audio currently buffered
	Target           time.Duration // current target delay
	Jitter           time.Duration // peak delay variation the target is based on
}

// PopStatus says what a Pop produced.
type PopStatus int

const (
	// PopBuffering means playout has not started yet (or restarted); dst is silence.
	PopBuffering PopStatus = iota
	// PopPlayed means dst is entirely received audio.
	PopPlayed
	// PopConcealed means at least part of dst was concealed (loss or underrun).
	PopConcealed
)

// String returns the status name.
func (s PopStatus) String() string {
	return [...]string{"buffering", "played", "concealed"}[s]
}

type jbSlot struct {
	valid bool
	seq   uint64
	n     int
	pcm   []int16
}

// JitterBuffer reorders decoded packets by sequence number, drops duplicates and late packets,
// conceals losses and adapts its delay to the measured delay variation: the target is the recent
// peak variation plus one frame, clamped to [MinDelay, MaxDelay]. Push and Pop do not allocate.
// It is not safe for concurrent use.
type JitterBuffer struct {
	cfg   JitterConfig
	slots []jbSlot
	mask  uint64
	ext   SeqExtender

	playing  bool
	next     uint64 // next extended sequence number to play
	offset   int    // samples of slot(next) already played
	count    int    // valid slots
	buffered int    // samples buffered and not yet played
	conceal  int    // samples still to conceal for a lost packet
	starved  int    // samples concealed in the current underrun
	lastN    int    // size of the last packet pushed

	haveRef    bool
	refArrival int64 // samples
	refTS      uint32
	floor      int64   // lowest relative delay seen (samples)
	peak       float64 // decaying peak of delay variation (samples)
	target     int     // samples

	plc   Concealer
	stats JitterStats
}

// NewJitterBuffer returns an empty buffer.
func NewJitterBuffer(cfg JitterConfig) *JitterBuffer {
	if cfg.FrameSamples <= 0 {
		cfg.FrameSamples = 160
	}
	if cfg.MinDelay <= 0 {
		cfg.MinDelay = 40 * time.Millisecond
	}
	if cfg.MaxDelay < cfg.MinDelay {
		cfg.MaxDelay = max(400*time.Millisecond, cfg.MinDelay)
	}
	if cfg.MaxPacketSamples <= 0 {
		cfg.MaxPacketSamples = 960
	}
	if cfg.PeakDecay <= 0 || cfg.PeakDecay >= 1 {
		cfg.PeakDecay = 0.995
	}
	slots := 1
	for slots < max(cfg.Slots, 128) {
		slots <<= 1
	}
	jb := &JitterBuffer{cfg: cfg, slots: make([]jbSlot, slots), mask: uint64(slots - 1)}
	for i := range jb.slots {
		jb.slots[i].pcm = make([]int16, cfg.MaxPacketSamples)
	}
	jb.plc.FadeSamples = defaultFade
	jb.Reset()
	return jb
}

// Reset empties the buffer and restarts buffering (new SSRC). Counters are kept.
func (jb *JitterBuffer) Reset() {
	for i := range jb.slots {
		jb.slots[i].valid = false
	}
	jb.ext.Reset()
	jb.playing, jb.next, jb.offset, jb.count, jb.buffered, jb.conceal, jb.starved = false, 0, 0, 0, 0, 0, 0
	jb.lastN = jb.cfg.FrameSamples
	jb.haveRef, jb.peak = false, 0
	jb.target = durationSamples(jb.cfg.MinDelay)
	jb.plc.Reset()
}

func durationSamples(d time.Duration) int { return int(d * SampleRate / time.Second) }

func samplesDuration(n int) time.Duration { return time.Duration(n) * time.Second / SampleRate }

// Push adds one packet's decoded samples. seq and ts are the RTP sequence number and timestamp,
// arrival the receive time on any monotonic clock. The samples are copied.
func (jb *JitterBuffer) Push(seq uint16, ts uint32, pcm []int16, arrival time.Duration) error {
	if len(pcm) == 0 || len(pcm) > jb.cfg.MaxPacketSamples {
		return fmt.Errorf("mediacore: jitter buffer packet of %d samples (want 1..%d)", len(pcm), jb.cfg.MaxPacketSamples)
	}
	jb.stats.Received++
	ext := jb.ext.Extend(seq)
	jb.trackDelay(ts, arrival)
	span := uint64(len(jb.slots))
	if jb.playing {
		if ext < jb.next || (ext == jb.next && jb.offset > 0) {
			if s := &jb.slots[ext&jb.mask]; s.valid && s.seq == ext {
				jb.stats.Duplicate++
			} else {
				jb.stats.Late++
			}
			return nil
		}
		if ext >= jb.next+span {
			jb.resync()
			ext = jb.ext.Extend(seq)
		}
	} else if lo, ok := jb.lowest(); ok && (ext+span <= lo || ext >= lo+span) {
		jb.resync()
		ext = jb.ext.Extend(seq)
	}
	s := &jb.slots[ext&jb.mask]
	if s.valid {
		if s.seq == ext {
			jb.stats.Duplicate++
			return nil
		}
		jb.free(s) // unreachable with the range checks above; keep the invariants anyway
	}
	s.valid, s.seq, s.n = true, ext, copy(s.pcm, pcm)
	jb.count++
	jb.buffered += s.n
	jb.lastN = s.n
	return nil
}

// resync drops everything after a sequence jump and starts buffering again.
func (jb *JitterBuffer) resync() {
	stats := jb.stats
	jb.Reset()
	jb.stats = stats
	jb.stats.Resyncs++
}

// trackDelay updates the delay variation estimate from one packet's arrival.
func (jb *JitterBuffer) trackDelay(ts uint32, arrival time.Duration) {
	a := int64(arrival) * SampleRate / int64(time.Second)
	if !jb.haveRef {
		jb.haveRef, jb.refArrival, jb.refTS, jb.floor = true, a, ts, 0
		return
	}
	rel := (a - jb.refArrival) - int64(int32(ts-jb.refTS))
	if rel < jb.floor {
		jb.peak += float64(jb.floor - rel) // the old floor was high: variations were larger
		jb.floor = rel
	}
	v := float64(rel - jb.floor)
	jb.peak *= jb.cfg.PeakDecay
	if v > jb.peak {
		jb.peak = v
	}
	t := int(jb.peak) + jb.cfg.FrameSamples
	jb.target = min(max(t, durationSamples(jb.cfg.MinDelay)), durationSamples(jb.cfg.MaxDelay))
}

func (jb *JitterBuffer) lowest() (uint64, bool) {
	if jb.count == 0 {
		return 0, false
	}
	var lo uint64
	found := false
	for i := range jb.slots {
		if s := &jb.slots[i]; s.valid && (!found || s.seq < lo) {
			lo, found = s.seq, true
		}
	}
	return lo, found
}

func (jb *JitterBuffer) free(s *jbSlot) {
	s.valid = false
	jb.count--
	jb.buffered -= s.n
}

// Pop fills dst with the next len(dst) samples of playout.
func (jb *JitterBuffer) Pop(dst []int16) PopStatus {
	if !jb.playing {
		if jb.count == 0 || jb.buffered < jb.target {
			clear(dst)
			return PopBuffering
		}
		jb.next, _ = jb.lowest()
		jb.playing, jb.offset, jb.conceal = true, 0, 0
	}
	jb.shrink(len(dst))
	status := PopPlayed
	filled := 0
	for filled < len(dst) {
		if jb.conceal > 0 {
			n := min(jb.conceal, len(dst)-filled)
			jb.concealInto(dst[filled : filled+n])
			jb.conceal -= n
			filled += n
			status = PopConcealed
			continue
		}
		s := &jb.slots[jb.next&jb.mask]
		switch {
		case s.valid && s.seq == jb.next:
			n := copy(dst[filled:], s.pcm[jb.offset:s.n])
			jb.plc.Good(dst[filled : filled+n])
			jb.starved = 0
			filled += n
			jb.offset += n
			jb.buffered -= n
			if jb.offset == s.n {
				jb.buffered += s.n // free subtracts the whole packet
				jb.free(s)
				jb.stats.Played++
				jb.next++
				jb.offset = 0
			}
		case jb.count > 0:
			jb.starved = 0
			// A later packet is here, so this one is lost: conceal one packet's worth.
			jb.stats.Lost++
			jb.next++
			jb.conceal = jb.lastN
		default:
			jb.stats.Underruns++
			jb.starved += len(dst) - filled
			jb.concealInto(dst[filled:])
			filled = len(dst)
			status = PopConcealed
			if jb.starved > durationSamples(jb.cfg.MaxDelay) {
				// The stream stopped (hold, silence suppression): buffer afresh when it resumes.
				jb.playing, jb.starved = false, 0
			}
		}
	}
	return status
}

// shrink drops one whole packet when the buffer holds clearly more than the target
// (more than one frame above it after this Pop).
func (jb *JitterBuffer) shrink(popLen int) {
	s := &jb.slots[jb.next&jb.mask]
	if jb.offset != 0 || jb.conceal > 0 || !s.valid || s.seq != jb.next {
		return
	}
	if jb.buffered-popLen-s.n < jb.target {
		return
	}
	jb.free(s)
	jb.stats.Dropped++
	jb.next++
}

func (jb *JitterBuffer) concealInto(dst []int16) {
	jb.plc.Conceal(dst)
	jb.stats.ConcealedSamples += uint64(len(dst))
}

// Stats returns the counters and the current delay figures.
func (jb *JitterBuffer) Stats() JitterStats {
	st := jb.stats
	st.Delay = samplesDuration(jb.buffered)
	st.Target = samplesDuration(jb.target)
	st.Jitter = samplesDuration(int(jb.peak))
	return st
}
