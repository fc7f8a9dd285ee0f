//go:build js && wasm

package jsbridge

import (
	"context"
	"fmt"

	"github.com/opensoftphone/webphone/engine"
)

// PeerMedia withdraws a refused offer (a failed hold).
var _ engine.MediaRollback = (*PeerMedia)(nil)

// Rollback returns the RTCPeerConnection to "stable" when our last offer
// is still pending (setLocalDescription({type: "rollback"})); the
// transceiver direction is set again by the next offer or answer.
// Implements engine.MediaRollback.
func (m *PeerMedia) Rollback(ctx context.Context) error {
	m.opMu.Lock()
	defer m.opMu.Unlock()
	if err := m.checkOpen(); err != nil {
		return err
	}
	st, err := m.pc.Get("signalingState")
	if err != nil {
		return err
	}
	if s, _ := st.String(); s != "have-local-offer" {
		return nil
	}
	if _, err := callAwait(ctx, m.pc, "setLocalDescription", map[string]any{"type": "rollback"}); err != nil {
		return fmt.Errorf("jsbridge: rollback: %w", err)
	}
	return nil
}
