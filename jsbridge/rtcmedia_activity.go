//go:build js && wasm

package jsbridge

import (
	"context"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

// PeerMedia tells the engine when media last arrived (mediatimeout).
var _ engine.MediaActivity = (*PeerMedia)(nil)

// statsTimeout bounds one getStats call.
const statsTimeout = 2 * time.Second

// LastReceived is when RTP last arrived from the peer: the time the audio
// "inbound-rtp" statistics (getStats) were last seen to count more packets
// than before. Zero: never. It awaits getStats, so it must not run on the
// JavaScript thread (the engine calls it from a timer goroutine).
// Implements engine.MediaActivity.
func (m *PeerMedia) LastReceived() time.Time {
	if m.checkOpen() == nil {
		if n, ok := m.packetsReceived(); ok {
			m.mu.Lock()
			if n > m.lastPackets {
				m.lastPackets = n
				m.lastRecv = time.Now()
			}
			m.mu.Unlock()
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lastRecv
}

// packetsReceived sums packetsReceived over the audio inbound-rtp stats.
func (m *PeerMedia) packetsReceived() (int, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), statsTimeout)
	defer cancel()
	report, err := callAwait(ctx, m.pc, "getStats")
	if err != nil || isNullish(report) {
		return 0, false
	}
	values, err := report.Call("values")
	if err != nil {
		return 0, false
	}
	array, err := safejs.Global().Get("Array")
	if err != nil {
		return 0, false
	}
	list, err := array.Call("from", values)
	if err != nil {
		return 0, false
	}
	l, err := list.Get("length")
	if err != nil {
		return 0, false
	}
	n, _ := l.Int()
	total := 0
	for i := 0; i < n; i++ {
		s, err := list.Index(i)
		if err != nil || getString(s, "type") != "inbound-rtp" {
			continue
		}
		if kind := getString(s, "kind"); kind != "" && kind != "audio" {
			continue
		}
		if v, err := s.Get("packetsReceived"); err == nil && v.Type() == safejs.TypeNumber {
			p, _ := v.Int()
			total += p
		}
	}
	return total, true
}

// Failed reports an ICE connection that failed. Implements
// engine.MediaActivity.
func (m *PeerMedia) Failed() bool { return m.iceState() == "failed" }
