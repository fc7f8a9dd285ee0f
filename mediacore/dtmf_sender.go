package mediacore

import (
	"fmt"
	"time"
)

// DTMF duration limits and defaults for DTMFSender.
const (
	DefaultDTMFDuration = 160 * time.Millisecond
	MinDTMFDuration     = 40 * time.Millisecond
	MaxDTMFDuration     = 5 * time.Second
	dtmfGap             = 60 * time.Millisecond // audio between two digits
	dtmfVolume          = 10                    // -10 dBm0
	dtmfEndRepeats      = 3
)

// DTMFPacket is one telephone-event packet to send.
type DTMFPacket struct {
	Payload   [4]byte
	Marker    bool   // first packet of the event
	Timestamp uint32 // event start timestamp (the same in every packet of the event)
	End       bool
}

type dtmfDigitJob struct {
	code  uint8
	total int // samples
}

// DTMFSender produces RFC 4733 packets, one per frame tick: a first packet with the marker bit
// and one frame of duration, updates with growing duration, then the end packet sent three
// times with the same timestamp and final duration (section 2.5.1.4). Between digits it
// leaves a gap for audio. It is not safe for concurrent use.
type DTMFSender struct {
	frame   int // samples per tick
	queue   []dtmfDigitJob
	active  bool
	cur     dtmfDigitJob
	startTS uint32
	dur     int
	ends    int
	gapLeft int
}

// NewDTMFSender returns a sender ticking frameSamples (e.g. 160 for 20 ms).
func NewDTMFSender(frameSamples int) *DTMFSender {
	if frameSamples <= 0 {
		frameSamples = 160
	}
	return &DTMFSender{frame: frameSamples}
}

// Queue adds digits to send, each lasting duration (0 = DefaultDTMFDuration). All digits are
// checked first; on error nothing is queued.
func (d *DTMFSender) Queue(digits string, duration time.Duration) error {
	if duration == 0 {
		duration = DefaultDTMFDuration
	}
	if duration < MinDTMFDuration || duration > MaxDTMFDuration {
		return fmt.Errorf("mediacore: DTMF duration %v outside %v..%v", duration, MinDTMFDuration, MaxDTMFDuration)
	}
	if digits == "" {
		return fmt.Errorf("mediacore: no DTMF digits to send")
	}
	jobs := make([]dtmfDigitJob, 0, len(digits))
	for _, r := range digits {
		code, err := DTMFCode(r)
		if err != nil {
			return err
		}
		jobs = append(jobs, dtmfDigitJob{code: code, total: durationSamples(duration)})
	}
	d.queue = append(d.queue, jobs...)
	return nil
}

// Busy reports whether an event is in progress or queued.
func (d *DTMFSender) Busy() bool { return d.active || len(d.queue) > 0 }

// Next is called once per frame tick with the timestamp the audio frame of this tick would have.
// It returns the event packet to send instead of audio, or false when audio should be sent.
func (d *DTMFSender) Next(ts uint32) (DTMFPacket, bool) {
	if !d.active {
		if d.gapLeft > 0 {
			d.gapLeft -= d.frame
			return DTMFPacket{}, false
		}
		if len(d.queue) == 0 {
			return DTMFPacket{}, false
		}
		d.cur, d.queue = d.queue[0], d.queue[1:]
		d.active, d.startTS, d.dur, d.ends = true, ts, 0, 0
	}
	p := DTMFPacket{Timestamp: d.startTS}
	if d.ends == 0 {
		p.Marker = d.dur == 0
		d.dur = min(d.dur+d.frame, d.cur.total)
		if d.dur >= d.cur.total {
			d.ends = 1
		}
	} else {
		d.ends++
	}
	p.End = d.ends > 0
	MarshalDTMF(p.Payload[:], d.cur.code, p.End, dtmfVolume, uint16(min(d.dur, 0xffff)))
	if d.ends >= dtmfEndRepeats {
		d.active = false
		d.gapLeft = durationSamples(dtmfGap)
	}
	return p, true
}
