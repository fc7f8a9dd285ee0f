package rtprelay

import "fmt"

// Error codes the relay answers with (HTTP/SIP-like).
const (
	CodeBadRequest  = 400 // malformed or unexpected message
	CodeForbidden   = 403 // not admitted, or destination not allowed
	CodeTooMany     = 429 // rate or stream limit
	CodeUnavailable = 503 // no free ports
	CodeGone        = 410 // the relay released the stream by itself (idle)
)

// Error is a failure the relay reported: Code is one of the Code constants,
// Stream the stream it concerns (0: the connection).
type Error struct {
	Stream int
	Code   int
	Reason string
}

func (e *Error) Error() string {
	if e.Stream == 0 {
		return fmt.Sprintf("rtprelay: %d %s", e.Code, e.Reason)
	}
	return fmt.Sprintf("rtprelay: stream %d: %d %s", e.Stream, e.Code, e.Reason)
}
