package engine

import "context"

// MediaRollback is optional for a Media: media that can withdraw its last
// local offer when the peer refused it (a failed hold or unhold), so it is
// back in the negotiated state at once (jsbridge.PeerMedia rolls the
// RTCPeerConnection back to "stable").
type MediaRollback interface {
	// Rollback withdraws an offer the peer never answered; nothing to do
	// when no offer is pending.
	Rollback(ctx context.Context) error
}

// rollbackOffer withdraws the refused offer of m, if m can (bounded like
// every media wait).
func (e *Engine) rollbackOffer(m Media) {
	r, ok := m.(MediaRollback)
	if !ok {
		return
	}
	if _, err := mediaWait(e, func(ctx context.Context) (struct{}, error) { return struct{}{}, r.Rollback(ctx) }); err != nil {
		e.logWarn("media rollback: " + err.Error())
	}
}
