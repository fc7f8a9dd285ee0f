package sipcore

// FlowState is the state of the UA's connection to the server (its flow, in
// RFC 5626 terms), reported through Events.Flow. Registration is separate:
// a lost flow also fails a wanted registration, but Events.RegState never
// reports the connection itself.
type FlowState string

const (
	// FlowUp: the first connection of the UA is up (Start).
	FlowUp FlowState = "up"
	// FlowLost: the connection is gone: closed by the server or the
	// network, or found dead by the keepalive. The cause says why. Pending
	// transactions have failed; calls keep their state and continue when a
	// new connection replaces this one (Reconnect). Nothing is received
	// until then.
	FlowLost FlowState = "lost"
	// FlowReplaced: a new connection (Reconnect) is up in place of an
	// earlier one, lost or live; the dialogs continue over it.
	FlowReplaced FlowState = "replaced"
)
