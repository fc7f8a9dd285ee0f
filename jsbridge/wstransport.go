//go:build js && wasm

package jsbridge

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/sipcore"
)

// WebSocket readyState values.
const (
	wsConnecting = 0
	wsOpen       = 1
)

// CloseError reports why a WebSocket closed (the CloseEvent fields). It is
// the cause handed to Receiver.Closed, so sipcore's Flow event, the engine's
// "connection lost" log line and getlogs() all carry the code and reason.
type CloseError struct {
	Code     int    // 1000 normal, 1006 abnormal (no close frame), ...
	Reason   string // the peer's close reason, often empty
	WasClean bool
	Opened   bool // the connection was established before it closed
}

// Error reads e.g. "websocket closed: code 1011 (server error), not clean".
// A 1006 on an established connection says what it usually means: the
// browser gives no close reason when it fails the connection itself, which
// it does for a frame it refuses (RFC 6455 section 8.1: a text frame that is
// not UTF-8, say).
func (e *CloseError) Error() string {
	s := "websocket closed: code " + strconv.Itoa(e.Code)
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	if !e.WasClean {
		s += ", not clean"
	}
	if e.Code == 1006 && e.Opened {
		s += "; abnormal closure: the network or server went away, or, right after a message from the server, " +
			"the browser refused that frame (e.g. a text frame that is not UTF-8)"
	}
	return s
}

// WSDialerOptions configure NewWSDialer. The zero value is usable.
type WSDialerOptions struct {
	// Constructor is the WebSocket constructor; the zero Value means
	// globalThis.WebSocket. Tests pass a fake.
	Constructor safejs.Value
	// Protocols are the requested subprotocols (default ["sip"]).
	Protocols []string
	// OnKeepalive, when set, is told about every keepalive frame received
	// ("ping" answered, or "pong"). It runs on a goroutine.
	OnKeepalive func(kind string)
}

// NewWSDialer returns a sipcore.Dialer that opens browser WebSockets to
// ws:// and wss:// addresses (RFC 7118: one SIP message per WebSocket
// message, subprotocol "sip"). Dial waits for the connection to open, for
// it to fail, or for ctx; it must be called from a goroutine.
func NewWSDialer(opts WSDialerOptions) sipcore.Dialer {
	if len(opts.Protocols) == 0 {
		opts.Protocols = []string{"sip"}
	}
	return func(ctx context.Context, address string, r sipcore.Receiver) (sipcore.Transport, error) {
		return dialWS(ctx, opts, address, r)
	}
}

// wsTransport is a sipcore.Transport over one browser WebSocket.
type wsTransport struct {
	sock      *browserSocket
	protocol  string
	localHost string
}

func dialWS(ctx context.Context, opts WSDialerOptions, address string, r sipcore.Receiver) (*wsTransport, error) {
	if r == nil {
		return nil, errors.New("jsbridge: nil Receiver")
	}
	proto := ""
	switch lower := strings.ToLower(address); {
	case strings.HasPrefix(lower, "wss://"):
		proto = "WSS"
	case strings.HasPrefix(lower, "ws://"):
		proto = "WS"
	default:
		return nil, fmt.Errorf("jsbridge: websocket address must start with ws:// or wss://, got %q", address)
	}
	ctor := opts.Constructor
	if ctor.IsUndefined() || ctor.IsNull() {
		var err error
		if ctor, err = global("WebSocket"); err != nil {
			return nil, err
		}
	}
	onKA := opts.OnKeepalive
	sock, err := openBrowserSocket(ctx, ctor, address, opts.Protocols, func(s *browserSocket, _ bool, data []byte) {
		sipFrame(s, data, onKA)
	})
	if err != nil {
		var closed *CloseError
		switch {
		case errors.As(err, &closed):
			return nil, fmt.Errorf("jsbridge: websocket connect to %s failed: %w", address, err)
		case ctx.Err() != nil && errors.Is(err, ctx.Err()):
			return nil, fmt.Errorf("jsbridge: websocket connect to %s: %w", address, err)
		default:
			return nil, fmt.Errorf("jsbridge: %w", err)
		}
	}
	t := &wsTransport{sock: sock, protocol: proto, localHost: randomInvalidHost()}
	go sock.deliver(func(_ bool, data []byte) { r.Received(data) }, r.Closed)
	return t, nil
}

// sipFrame queues one received SIP frame (in the message handler, so it
// returns at once).
//
// Keepalives: a server ping ("\r\n\r\n") is answered here with a pong and
// never reaches the UA; a pong (any other CR/LF-only frame) is handed on as
// a bare CRLF, which sipcore counts as the answer to its own ping and never
// parses.
func sipFrame(s *browserSocket, data []byte, onKA func(string)) {
	notify := func(kind string) {
		if onKA != nil {
			go onKA(kind)
		}
	}
	switch classifyFrame(data) {
	case framePing:
		// Answered off the JS thread and dropped: the UA must not answer it
		// again, nor take it for a pong to its own pings.
		go func() { _ = s.send(false, pongFrame) }()
		notify("ping")
	case framePong:
		s.push(socketEvent{data: pongFrame})
		notify("pong")
	default:
		s.push(socketEvent{data: data})
	}
}

// Send writes one SIP message: as a text frame when it is valid UTF-8
// (every SIP message without a binary body), else as a binary frame.
func (t *wsTransport) Send(data []byte) error {
	if err := t.sock.send(!utf8.Valid(data), data); err != nil {
		return fmt.Errorf("jsbridge: %w", err)
	}
	return nil
}

// Protocol is "WS" or "WSS".
func (t *wsTransport) Protocol() string { return t.protocol }

// LocalHost is a random RFC 7118 ".invalid" host.
func (t *wsTransport) LocalHost() string { return t.localHost }

// Close starts a normal close (code 1000); Receiver.Closed follows with a
// nil error once the browser reports the close.
func (t *wsTransport) Close() error {
	if err := t.sock.close(); err != nil {
		return fmt.Errorf("jsbridge: %w", err)
	}
	return nil
}

// randomInvalidHost returns "xxxxxxxx.invalid" with 8 random lowercase
// letters and digits (RFC 7118 section 5).
func randomInvalidHost() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [8]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:]) + ".invalid"
}
