//go:build js && wasm

package jsbridge

import (
	"context"
	"slices"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/mediacore"
)

// An offer made ahead. The connection made for the next call
// (MediaRegistry.Prewarm) applies at once the offer an audio call starts
// with: sendrecv audio (the microphone's track comes later, without
// renegotiation) filtered by the codec policy. The call's first Offer then
// only reads it: createOffer and setLocalDescription, ~12 ms of a call's
// set-up, happen before the call. A call that needs another offer (hold,
// video, other codecs, a required microphone, no microphone) makes its own
// on the same connection; an incoming call gets a new connection
// (dropPreparedOffer).

// prepareOffer applies the first offer of an audio call on a connection
// made ahead of the call.
func (m *PeerMedia) prepareOffer(ctx context.Context) error {
	m.opMu.Lock()
	defer m.opMu.Unlock()
	if err := m.checkOpen(); err != nil {
		return err
	}
	if err := m.ensureTransceiver(); err != nil {
		return err
	}
	m.ensureSenderStream()
	if err := m.setTransceiverDirection("sendrecv"); err != nil {
		return err
	}
	if err := m.setLocalOffer(ctx, nil); err != nil {
		return err
	}
	m.mu.Lock()
	m.prepared, m.preparedWith = true, m.cfg.Codecs
	m.mu.Unlock()
	return nil
}

// takePreparedOffer reports whether the offer applied ahead is the one
// this offer would make (the first offer of the call, not on hold, audio
// only, the same codecs, a microphone that opens after it). Either way the
// prepared offer is used up: it serves the first offer only.
func (m *PeerMedia) takePreparedOffer(hold string, iceRestart, required bool) bool {
	m.mu.Lock()
	prepared := m.prepared && sameCodecPolicy(m.preparedWith, m.cfg.Codecs)
	m.prepared = false
	m.mu.Unlock()
	return prepared && hold == "" && !iceRestart && !required && m.micExpected() && !m.videoWanted()
}

// dropPreparedOffer gives a connection whose offer was made ahead a new
// RTCPeerConnection before the caller's offer is applied (an incoming call
// took it). Withdrawing the offer (rollback) is not enough: browsers do
// not give a transceiver added by addTransceiver to a remote offer, and a
// stopped one stays in getTransceivers() with an ended track, which a page
// reading getrtcpeerconnection().getReceivers() would pick. The new
// connection gathers at once (a candidate pool), while the caller's offer
// is applied. m.opMu is held; nothing else uses the connection yet.
func (m *PeerMedia) dropPreparedOffer() error {
	m.mu.Lock()
	prepared := m.prepared
	m.prepared = false
	m.mu.Unlock()
	if !prepared {
		return nil
	}
	pc, err := newRTCPeerConnection(m.cfg)
	if err != nil {
		return err
	}
	m.mu.Lock()
	old, oldFuncs := m.pc, m.funcs
	m.pc, m.funcs = pc, nil
	m.transceiver, m.haveTx, m.senderStream = safejs.Undefined(), false, false
	m.candidates, m.gatherDone, m.regathering, m.gatherStart = nil, false, false, time.Now()
	m.mu.Unlock()
	_, _ = old.Call("close")
	detachHandlers(old, peerHandlers, oldFuncs)
	return m.listen()
}

func sameCodecPolicy(a, b mediacore.CodecPolicy) bool {
	return a.Prefer == b.Prefer && slices.Equal(a.Allow, b.Allow)
}
