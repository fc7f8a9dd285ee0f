package jsbridge

// RFC 5626 keepalives as they travel over a SIP WebSocket: a ping is a
// double CRLF, a pong a single CRLF. Neither is a SIP message, so neither
// may reach a SIP parser.

// keepaliveKind classifies a received frame.
type keepaliveKind int

const (
	frameSIP  keepaliveKind = iota // anything else: a SIP message (or garbage for the parser)
	framePing                      // "\r\n\r\n": answer with a pong
	framePong                      // other CR/LF/whitespace-only frame: a pong or filler
)

// pongFrame is what a ping is answered with.
var pongFrame = []byte("\r\n")

// classifyFrame tells keepalive frames from SIP messages.
func classifyFrame(data []byte) keepaliveKind {
	for _, b := range data {
		if b != '\r' && b != '\n' && b != ' ' && b != '\t' {
			return frameSIP
		}
	}
	if string(data) == "\r\n\r\n" {
		return framePing
	}
	return framePong
}
