package mediacore

import (
	"time"

	"github.com/pion/rtcp"
)

// ReceiverStats keeps RFC 3550 reception statistics for one remote SSRC: extended highest
// sequence number, cumulative and fractional loss (appendix A.3) and interarrival jitter
// (section 6.4.1, appendix A.8), plus what is needed for the LSR/DLSR fields of a report block.
type ReceiverStats struct {
	ssrc          uint32
	started       bool
	ext           SeqExtender
	base          uint64
	received      uint64
	expectedPrior uint64
	receivedPrior uint64
	transit       int64
	jitter        float64 // in timestamp units
	clockRate     uint32

	lastSR        uint32        // middle 32 bits of the NTP time of the last SR
	lastSRArrival time.Duration // when it arrived
	hasSR         bool
}

// NewReceiverStats returns empty statistics for a stream with the given RTP clock rate.
func NewReceiverStats(clockRate uint32) *ReceiverStats {
	if clockRate == 0 {
		clockRate = SampleRate
	}
	return &ReceiverStats{clockRate: clockRate}
}

// Update records one received packet. arrival is the receive time on any monotonic clock.
// It returns the packet's extended sequence number. A new SSRC restarts the statistics.
func (r *ReceiverStats) Update(ssrc uint32, seq uint16, ts uint32, arrival time.Duration) uint64 {
	if !r.started || ssrc != r.ssrc {
		*r = ReceiverStats{clockRate: r.clockRate, ssrc: ssrc, started: true}
		ext := r.ext.Extend(seq)
		r.base = ext
		r.received = 1
		r.transit = r.arrivalUnits(arrival) - int64(ts)
		return ext
	}
	ext := r.ext.Extend(seq)
	if ext < r.base {
		r.base = ext
	}
	r.received++
	transit := r.arrivalUnits(arrival) - int64(ts)
	// Differences of 32-bit timestamps: reduce to int32 range so a timestamp wrap is harmless.
	d := int64(int32(transit - r.transit))
	r.transit = transit
	if d < 0 {
		d = -d
	}
	r.jitter += (float64(d) - r.jitter) / 16
	return ext
}

func (r *ReceiverStats) arrivalUnits(arrival time.Duration) int64 {
	return int64(arrival) * int64(r.clockRate) / int64(time.Second)
}

// SSRC returns the source these statistics are for.
func (r *ReceiverStats) SSRC() uint32 { return r.ssrc }

// Received returns the number of packets received (duplicates included, as in RFC 3550).
func (r *ReceiverStats) Received() uint64 { return r.received }

// Expected returns the number of packets expected from the sequence number range.
func (r *ReceiverStats) Expected() uint64 {
	if !r.started {
		return 0
	}
	return r.ext.Highest() - r.base + 1
}

// Lost returns the cumulative number of packets lost (negative when duplicates outnumber losses).
func (r *ReceiverStats) Lost() int64 { return int64(r.Expected()) - int64(r.received) }

// Jitter returns the interarrival jitter estimate in timestamp units.
func (r *ReceiverStats) Jitter() float64 { return r.jitter }

// JitterDuration returns the interarrival jitter as a duration.
func (r *ReceiverStats) JitterDuration() time.Duration {
	return time.Duration(r.jitter * float64(time.Second) / float64(r.clockRate))
}

// HighestSeq returns the extended highest sequence number as carried in RTCP (cycles<<16 | seq).
func (r *ReceiverStats) HighestSeq() uint32 { return uint32(r.ext.Highest() - 1<<16) }

// NoteSenderReport remembers the NTP time of a sender report from this source for LSR/DLSR.
func (r *ReceiverStats) NoteSenderReport(ntp uint64, arrival time.Duration) {
	r.lastSR = uint32(ntp >> 16)
	r.lastSRArrival = arrival
	r.hasSR = true
}

// ReportBlock returns an RTCP reception report block for this source and starts a new
// fraction-lost interval. now is on the same clock as the arrival times.
func (r *ReceiverStats) ReportBlock(now time.Duration) rtcp.ReceptionReport {
	expected := r.Expected()
	expectedInterval := expected - r.expectedPrior
	receivedInterval := r.received - r.receivedPrior
	r.expectedPrior, r.receivedPrior = expected, r.received
	var fraction uint8
	if lostInterval := int64(expectedInterval) - int64(receivedInterval); expectedInterval > 0 && lostInterval > 0 {
		fraction = uint8((lostInterval << 8) / int64(expectedInterval))
	}
	lost := r.Lost()
	// The cumulative loss field is a signed 24-bit number.
	switch {
	case lost > 0x7fffff:
		lost = 0x7fffff
	case lost < -0x800000:
		lost = -0x800000
	}
	rep := rtcp.ReceptionReport{
		SSRC:               r.ssrc,
		FractionLost:       fraction,
		TotalLost:          uint32(lost) & 0xffffff,
		LastSequenceNumber: r.HighestSeq(),
		Jitter:             uint32(r.jitter),
	}
	if r.hasSR {
		rep.LastSenderReport = r.lastSR
		rep.Delay = uint32((now - r.lastSRArrival) * 65536 / time.Second)
	}
	return rep
}
