//go:build js && wasm

package jsbridge

import (
	"context"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

// PeerMedia restarts ICE when a call is refreshed after a lost connection
// and its media path broke as well.
var _ engine.MediaPath = (*PeerMedia)(nil)

func (m *PeerMedia) onCandidate(ev safejs.Value) {
	c, err := ev.Get("candidate")
	m.mu.Lock()
	if err != nil || isNullish(c) {
		m.gatherDone = true
		m.regathering = false
	} else if line := getString(c, "candidate"); line != "" {
		m.candidates = append(m.candidates, iceCandidate{typ: getString(c, "type"), address: getString(c, "address")})
	}
	m.mu.Unlock()
	m.wakeGatherer()
}

// onGatheringState notes that a new gathering has begun (after an ICE
// restart) and wakes waitCandidates.
func (m *PeerMedia) onGatheringState() {
	if st, err := m.pc.Get("iceGatheringState"); err == nil {
		if s, _ := st.String(); s == "gathering" {
			m.mu.Lock()
			m.regathering = false
			m.mu.Unlock()
		}
	}
	m.wakeGatherer()
}

func (m *PeerMedia) wakeGatherer() {
	select {
	case m.gatherWake <- struct{}{}:
	default:
	}
}

// noteGatheringStart notes when gathering began: the first
// setLocalDescription, or earlier when the connection pre-gathered a
// candidate pool (NewPeerMedia), or an ICE restart (resetGathering).
func (m *PeerMedia) noteGatheringStart() {
	m.mu.Lock()
	if m.gatherStart.IsZero() {
		m.gatherStart = time.Now()
	}
	m.mu.Unlock()
}

// waitCandidates returns when the candidates gathered so far are enough for
// the SDP (candidatesReady: a usable address exists, without waiting for
// the whole gathering); or gathering is complete; or ICETimeout, or ctx.
func (m *PeerMedia) waitCandidates(ctx context.Context) {
	timer := time.NewTimer(m.cfg.ICETimeout)
	defer timer.Stop()
	haveServers := len(m.cfg.ICEServers) > 0
	// A host address may become enough once the servers had their grace
	// time: wake up then.
	var graceC <-chan time.Time
	if haveServers {
		m.mu.Lock()
		left := reflexiveGrace - time.Since(m.gatherStart)
		m.mu.Unlock()
		if left > 0 {
			grace := time.NewTimer(left)
			defer grace.Stop()
			graceC = grace.C
		}
	}
	for {
		m.mu.Lock()
		since := time.Since(m.gatherStart)
		done, n := m.gatherDone, len(m.candidates)
		enough := candidatesReady(m.candidates, haveServers, since)
		stale := m.regathering
		m.mu.Unlock()
		if state, err := m.pc.Get("iceGatheringState"); err == nil && !stale {
			if s, _ := state.String(); s == "complete" {
				return
			}
		}
		if done || enough {
			return
		}
		select {
		case <-m.gatherWake:
		case <-graceC:
			graceC = nil
		case <-timer.C:
			if n == 0 {
				m.warn("no ICE candidate within %v; sending the SDP without candidates", m.cfg.ICETimeout)
			}
			return
		case <-ctx.Done():
			return
		}
	}
}

// resetGathering forgets the candidates of the previous ICE generation, so
// that waitCandidates waits for the new ones after an ICE restart.
func (m *PeerMedia) resetGathering() {
	m.mu.Lock()
	m.candidates = nil
	m.gatherDone = false
	m.regathering = true
	m.gatherStart = time.Now()
	m.mu.Unlock()
}

// NeedsICERestart reports whether the media path is broken: ICE found the
// connectivity lost ("disconnected") or gave up ("failed"), as after a
// change of network. Implements engine.MediaPath.
func (m *PeerMedia) NeedsICERestart() bool {
	s := m.iceState()
	return s == "disconnected" || s == "failed"
}

// iceState is the RTCPeerConnection's iceConnectionState, "" once the
// media is closed or when it cannot be read.
func (m *PeerMedia) iceState() string {
	if m.checkOpen() != nil {
		return ""
	}
	st, err := m.pc.Get("iceConnectionState")
	if err != nil {
		return ""
	}
	s, _ := st.String()
	return s
}

// RestartOffer is Offer with an ICE restart (RFC 8445 9): new ICE
// credentials and freshly gathered candidates, for a peer to re-establish
// the media path. Implements engine.MediaPath.
func (m *PeerMedia) RestartOffer(ctx context.Context, hold string) ([]byte, error) {
	return m.offer(ctx, hold, true)
}
