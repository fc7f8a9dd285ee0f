package mediacore

// DTMFDetector turns received telephone-event packets into digits, reporting each event once
// however many start, update and (redundant) end packets arrive, and even when the first packets
// were lost. An event is identified by its RTP timestamp and code.
type DTMFDetector struct {
	recent [8]dtmfKey // ring of recently reported events
	pos    int
	n      int
}

type dtmfKey struct {
	ts   uint32
	code uint8
}

// Push handles one telephone-event payload with RTP timestamp ts. It returns the event and true
// the first time an event is seen; later packets of the same event return false.
func (d *DTMFDetector) Push(ts uint32, payload []byte) (DTMFEvent, bool, error) {
	ev, err := UnmarshalDTMF(payload, ts)
	if err != nil {
		return DTMFEvent{}, false, err
	}
	k := dtmfKey{ts: ts, code: ev.Code}
	for i := 0; i < d.n; i++ {
		if d.recent[i] == k {
			return ev, false, nil
		}
	}
	d.recent[d.pos] = k
	d.pos = (d.pos + 1) % len(d.recent)
	d.n = min(d.n+1, len(d.recent))
	return ev, true, nil
}

// Reset forgets reported events (new SSRC).
func (d *DTMFDetector) Reset() { *d = DTMFDetector{} }
