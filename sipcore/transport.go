package sipcore

import "context"

// Transport carries whole SIP messages to and from one server (a WebSocket,
// or a UDP socket bound to one peer). Implementations must be safe for
// concurrent Send calls and must deliver received messages to the Receiver
// given to the Dialer, in order, from any goroutine.
type Transport interface {
	// Send writes one complete SIP message (or a keepalive "\r\n\r\n").
	Send(data []byte) error
	// Protocol is the Via transport token: "WS", "WSS", "UDP" or "TCP".
	Protocol() string
	// LocalHost returns the host:port to advertise in Via and Contact. For
	// WebSocket clients it is a random ".invalid" host (RFC 7118 section 5).
	LocalHost() string
	// Close closes the connection; the Receiver's Closed is then called once.
	Close() error
}

// Receiver is what a Transport delivers to. Received must not block for long:
// the UA queues the data and processes it on its own goroutine.
type Receiver interface {
	// Received is called with one whole received frame / datagram.
	Received(data []byte)
	// Closed is called once when the connection has gone, with the cause.
	Closed(err error)
}

// Dialer opens a Transport to the given address (a ws:// or wss:// URL, or
// udp:host:port) delivering to r. The UA calls it on Start and on
// Reconnect; the outcome is reported through Events.Flow (and a failed Start
// also as a failed registration).
type Dialer func(ctx context.Context, address string, r Receiver) (Transport, error)
