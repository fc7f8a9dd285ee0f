package rtprelay

// Subprotocol is the WebSocket subprotocol of the relay.
const Subprotocol = "webphone-rtp"

// Socket is a message-oriented connection to the relay: the browser's
// WebSocket (jsbridge) or a native WebSocket (DialWebSocket). Its owner feeds
// every received frame to Client.Receive and reports its end with
// Client.Closed.
type Socket interface {
	// Send writes one frame, binary or text. It must not keep data after
	// it returns, and must not block for long.
	Send(binary bool, data []byte) error
	// Close closes the connection.
	Close() error
}
