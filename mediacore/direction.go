package mediacore

import "fmt"

// Direction is an SDP media direction attribute (RFC 3264 section 6.1, hold in section 8.4).
type Direction int

// The four SDP directions. The zero value is SendRecv.
const (
	SendRecv Direction = iota
	SendOnly
	RecvOnly
	Inactive
)

// String returns the SDP attribute name.
func (d Direction) String() string {
	switch d {
	case SendRecv:
		return "sendrecv"
	case SendOnly:
		return "sendonly"
	case RecvOnly:
		return "recvonly"
	case Inactive:
		return "inactive"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// ParseDirection parses an SDP direction attribute name.
func ParseDirection(s string) (Direction, error) {
	switch s {
	case "sendrecv":
		return SendRecv, nil
	case "sendonly":
		return SendOnly, nil
	case "recvonly":
		return RecvOnly, nil
	case "inactive":
		return Inactive, nil
	}
	return SendRecv, fmt.Errorf("mediacore: unknown direction %q", s)
}

// Sends reports whether this side sends media.
func (d Direction) Sends() bool { return d == SendRecv || d == SendOnly }

// Receives reports whether this side receives media.
func (d Direction) Receives() bool { return d == SendRecv || d == RecvOnly }

// Valid reports whether d is one of the four directions.
func (d Direction) Valid() bool { return d >= SendRecv && d <= Inactive }

// directionFrom builds a direction from send/receive flags.
func directionFrom(send, recv bool) Direction {
	switch {
	case send && recv:
		return SendRecv
	case send:
		return SendOnly
	case recv:
		return RecvOnly
	}
	return Inactive
}

// AnswerDirection is the direction to answer an offer with when this side wants local:
// we send only if we want to and the offerer receives, and receive only if we want to and the
// offerer sends. A sendonly offer is answered recvonly, a recvonly offer sendonly, an inactive
// offer inactive.
func AnswerDirection(offered, local Direction) Direction {
	return directionFrom(local.Sends() && offered.Receives(), local.Receives() && offered.Sends())
}

// HoldDirection maps the engine's hold argument ("" = not held, "sendonly", "inactive", or any
// direction name) to the direction to offer or answer with.
func HoldDirection(hold string) (Direction, error) {
	if hold == "" {
		return SendRecv, nil
	}
	return ParseDirection(hold)
}
