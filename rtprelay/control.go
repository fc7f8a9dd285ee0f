package rtprelay

import (
	"encoding/json"
	"errors"
)

// The control operations (the "op" of a text frame).
const (
	OpHello = "hello" // client: first message, with the admission token
	OpReady = "ready" // relay: admitted
	OpAlloc = "alloc" // client: allocate stream id; relay: allocated, with ip and port
	OpFree  = "free"  // client: release stream id
	OpFreed = "freed" // relay: released
	OpError = "error" // relay: a failure of stream id (or of the connection without id)
)

// Control is one JSON control message (a text frame).
type Control struct {
	Op     string `json:"op"`
	Token  string `json:"token,omitempty"`
	ID     int    `json:"id,omitempty"`
	IP     string `json:"ip,omitempty"`
	Port   int    `json:"port,omitempty"`
	Code   int    `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// MaxControl bounds a control message's length in bytes.
const MaxControl = 1024

// ErrBadControl means a text frame is not a valid control message.
var ErrBadControl = errors.New("rtprelay: bad control message")

// ParseControl decodes a text frame.
func ParseControl(b []byte) (Control, error) {
	var c Control
	if len(b) > MaxControl {
		return Control{}, ErrBadControl
	}
	if err := json.Unmarshal(b, &c); err != nil || c.Op == "" || c.ID < 0 || c.ID > 65535 {
		return Control{}, ErrBadControl
	}
	return c, nil
}

// Marshal encodes c as a text frame.
func (c Control) Marshal() []byte {
	b, _ := json.Marshal(c) // a struct of strings and ints always encodes
	return b
}
