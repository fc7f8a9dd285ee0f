//go:build js && wasm

package jsbridge

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/sipcore"
)

// WebSocket readyState values.
const (
	wsConnecting = 0
	wsOpen       = 1
)

// CloseError reports why a WebSocket closed (the CloseEvent fields).
type CloseError struct {
	Code     int    // 1000 normal, 1006 abnormal (no close frame), ...
	Reason   string // the peer's close reason, often empty
	WasClean bool
}

func (e *CloseError) Error() string {
	s := "websocket closed: code " + strconv.Itoa(e.Code)
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	if !e.WasClean {
		s += ", not clean"
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
	ws        safejs.Value
	protocol  string
	localHost string
	recv      sipcore.Receiver
	onKA      func(string)

	sendMu sync.Mutex
	funcs  []safejs.Func

	mu        sync.Mutex
	queue     []inbound // frames waiting for the delivery goroutine
	wake      chan struct{}
	opened    chan struct{} // closed on the open event
	closedEv  chan struct{} // closed on the close event
	closeErr  error
	localStop bool
	finished  bool
}

// inbound is one queued event for the Receiver: a frame, or the close.
type inbound struct {
	data   []byte
	closed bool
	err    error
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
	protos := make([]any, len(opts.Protocols))
	for i, p := range opts.Protocols {
		protos[i] = p
	}
	ws, err := ctor.New(address, protos)
	if err != nil {
		return nil, fmt.Errorf("jsbridge: websocket %s: %w", address, err)
	}
	t := &wsTransport{
		ws:        ws,
		protocol:  proto,
		localHost: randomInvalidHost(),
		recv:      r,
		onKA:      opts.OnKeepalive,
		wake:      make(chan struct{}, 1),
		opened:    make(chan struct{}),
		closedEv:  make(chan struct{}),
	}
	if err := t.listen(); err != nil {
		_, _ = ws.Call("close")
		t.release()
		return nil, err
	}
	select {
	case <-t.opened:
		go t.deliver()
		return t, nil
	case <-t.closedEv:
		t.release()
		t.mu.Lock()
		cause := t.closeErr
		t.mu.Unlock()
		return nil, fmt.Errorf("jsbridge: websocket connect to %s failed: %w", address, cause)
	case <-ctx.Done():
		t.mu.Lock()
		t.localStop = true
		t.mu.Unlock()
		_, _ = ws.Call("close")
		t.release()
		return nil, fmt.Errorf("jsbridge: websocket connect to %s: %w", address, ctx.Err())
	}
}

// listen installs the event handlers. Each handler returns at once: frames
// are queued for the delivery goroutine.
//
// Keepalives: a server ping ("\r\n\r\n") is answered here with a pong and
// never reaches the UA; a pong (any other CR/LF-only frame) is handed on as
// a bare CRLF, which sipcore counts as the answer to its own ping and never
// parses.
func (t *wsTransport) listen() error {
	if err := t.ws.Set("binaryType", "arraybuffer"); err != nil {
		return err
	}
	handlers := map[string]func(ev safejs.Value){
		"onopen":    func(safejs.Value) { closeOnce(t.opened) },
		"onmessage": t.onMessage,
		"onclose":   t.onClose,
		"onerror":   func(safejs.Value) {}, // always followed by close, which carries the code
	}
	for _, name := range []string{"onopen", "onmessage", "onclose", "onerror"} {
		h := handlers[name]
		fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
			ev := safejs.Undefined()
			if len(args) > 0 {
				ev = args[0]
			}
			h(ev)
			return nil
		})
		if err != nil {
			return err
		}
		t.funcs = append(t.funcs, fn)
		if err := t.ws.Set(name, fn); err != nil {
			return err
		}
	}
	return nil
}

func (t *wsTransport) onMessage(ev safejs.Value) {
	d, err := ev.Get("data")
	if err != nil {
		return
	}
	data, err := bytesFromJS(d)
	if err != nil {
		return
	}
	switch classifyFrame(data) {
	case framePing:
		// Answered here (off the JS thread) and dropped: the UA must not
		// answer it again, nor take it for a pong to its own pings.
		go func() { _ = t.Send(pongFrame) }()
		t.notifyKA("ping")
	case framePong:
		t.push(inbound{data: pongFrame})
		t.notifyKA("pong")
	default:
		t.push(inbound{data: data})
	}
}

func (t *wsTransport) notifyKA(kind string) {
	if t.onKA != nil {
		go t.onKA(kind)
	}
}

func (t *wsTransport) onClose(ev safejs.Value) {
	cause := &CloseError{
		Code:     getInt(ev, "code"),
		Reason:   getString(ev, "reason"),
		WasClean: getBool(ev, "wasClean"),
	}
	t.mu.Lock()
	t.closeErr = cause
	local := t.localStop
	t.mu.Unlock()
	closeOnce(t.closedEv)
	var err error = cause
	if local && cause.WasClean {
		err = nil // we closed it ourselves
	}
	t.push(inbound{closed: true, err: err})
}

// push queues an event without ever blocking the JavaScript thread.
func (t *wsTransport) push(in inbound) {
	t.mu.Lock()
	t.queue = append(t.queue, in)
	t.mu.Unlock()
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// deliver hands queued frames to the Receiver in order, then the close.
func (t *wsTransport) deliver() {
	for {
		t.mu.Lock()
		q := t.queue
		t.queue = nil
		t.mu.Unlock()
		for _, in := range q {
			if in.closed {
				t.release()
				t.recv.Closed(in.err)
				return
			}
			t.recv.Received(in.data)
		}
		<-t.wake
	}
}

// Send writes one SIP message: as a text frame when it is valid UTF-8
// (every SIP message without a binary body), else as a binary frame.
func (t *wsTransport) Send(data []byte) error {
	t.sendMu.Lock()
	defer t.sendMu.Unlock()
	state, err := t.ws.Get("readyState")
	if err != nil {
		return err
	}
	if n, _ := state.Int(); n != wsOpen {
		return fmt.Errorf("jsbridge: websocket not open (readyState %d)", n)
	}
	var payload any = string(data)
	if !utf8.Valid(data) {
		if payload, err = bytesToJS(data); err != nil {
			return err
		}
	}
	if _, err := t.ws.Call("send", payload); err != nil {
		return fmt.Errorf("jsbridge: websocket send: %w", err)
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
	t.mu.Lock()
	t.localStop = true
	t.mu.Unlock()
	if _, err := t.ws.Call("close", 1000); err != nil {
		return fmt.Errorf("jsbridge: websocket close: %w", err)
	}
	return nil
}

// release drops the event handlers once the socket is finished.
func (t *wsTransport) release() {
	t.mu.Lock()
	if t.finished {
		t.mu.Unlock()
		return
	}
	t.finished = true
	funcs := t.funcs
	t.funcs = nil
	t.mu.Unlock()
	detachHandlers(t.ws, []string{"onopen", "onmessage", "onclose", "onerror"}, funcs)
}

func closeOnce(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
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
