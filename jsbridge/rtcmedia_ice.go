//go:build js && wasm

package jsbridge

import (
	"context"
	"time"

	"github.com/hack-pad/safejs"
)

func (m *PeerMedia) onCandidate(ev safejs.Value) {
	c, err := ev.Get("candidate")
	m.mu.Lock()
	if err != nil || isNullish(c) {
		m.gatherDone = true
	} else if line := getString(c, "candidate"); line != "" {
		m.candidates = append(m.candidates, iceCandidate{typ: getString(c, "type"), address: getString(c, "address")})
	}
	m.mu.Unlock()
	m.wakeGatherer()
}

func (m *PeerMedia) wakeGatherer() {
	select {
	case m.gatherWake <- struct{}{}:
	default:
	}
}

// waitCandidates returns when the candidates gathered so far are enough for
// the SDP: gathering complete; or a server-reflexive/relay candidate (STUN
// or TURN worked); or a loopback host candidate (a loopback-only setup,
// where STUN can never answer); or ICETimeout, or ctx.
func (m *PeerMedia) waitCandidates(ctx context.Context) {
	timer := time.NewTimer(m.cfg.ICETimeout)
	defer timer.Stop()
	for {
		if state, err := m.pc.Get("iceGatheringState"); err == nil {
			if s, _ := state.String(); s == "complete" {
				return
			}
		}
		m.mu.Lock()
		done, enough, n := m.gatherDone, usableCandidates(m.candidates, len(m.cfg.ICEServers) > 0), len(m.candidates)
		m.mu.Unlock()
		if done || enough {
			return
		}
		select {
		case <-m.gatherWake:
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
