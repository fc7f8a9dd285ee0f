//go:build js && wasm

package jsbridge

import (
	"context"
	"fmt"
	"sync"

	"github.com/hack-pad/safejs"
)

// browserSocket is one browser WebSocket seen from Go. Its JavaScript
// handlers never block: what arrives is queued, and deliver hands the
// frames to the owner in order on a goroutine, then the close. Both the SIP
// transport (wsTransport) and the RTP relay's socket (relaySocket) are
// built on it.
type browserSocket struct {
	ws     safejs.Value
	sendMu sync.Mutex

	mu        sync.Mutex
	funcs     []safejs.Func
	queue     []socketEvent // events waiting for deliver
	wake      chan struct{}
	opened    chan struct{} // closed on the open event
	closedEv  chan struct{} // closed on the close event
	closeErr  error
	localStop bool // we closed it (or gave up on it) ourselves
	finished  bool
}

// socketEvent is one queued event: a frame, or the close.
type socketEvent struct {
	binary bool
	data   []byte
	closed bool
	err    error
}

// socketHandlers are the event handlers browserSocket installs.
var socketHandlers = []string{"onopen", "onmessage", "onclose", "onerror"}

// openBrowserSocket opens a WebSocket to url with ctor (new ctor(url,
// protocols)) and waits until it is open, it fails, or ctx ends. onMessage
// runs in the JavaScript message handler for every frame (binary tells a
// binary frame from a text one); it must return at once, usually by calling
// push. The returned error is the close cause or ctx's error, unwrapped.
func openBrowserSocket(ctx context.Context, ctor safejs.Value, url string, protocols []string,
	onMessage func(s *browserSocket, binary bool, data []byte)) (*browserSocket, error) {
	protos := make([]any, len(protocols))
	for i, p := range protocols {
		protos[i] = p
	}
	ws, err := ctor.New(url, protos)
	if err != nil {
		return nil, fmt.Errorf("websocket %s: %w", url, err)
	}
	s := &browserSocket{ws: ws, wake: make(chan struct{}, 1), opened: make(chan struct{}), closedEv: make(chan struct{})}
	if err := s.listen(onMessage); err != nil {
		_, _ = ws.Call("close")
		s.release()
		return nil, err
	}
	select {
	case <-s.opened:
		return s, nil
	case <-s.closedEv:
		s.release()
		s.mu.Lock()
		cause := s.closeErr
		s.mu.Unlock()
		return nil, cause
	case <-ctx.Done():
		s.mu.Lock()
		s.localStop = true
		s.mu.Unlock()
		_, _ = ws.Call("close")
		s.release()
		return nil, ctx.Err()
	}
}

// listen installs the event handlers; each returns at once.
func (s *browserSocket) listen(onMessage func(s *browserSocket, binary bool, data []byte)) error {
	if err := s.ws.Set("binaryType", "arraybuffer"); err != nil {
		return err
	}
	handlers := map[string]func(ev safejs.Value){
		"onopen": func(safejs.Value) { closeOnce(s.opened) },
		"onmessage": func(ev safejs.Value) {
			d, err := ev.Get("data")
			if err != nil {
				return
			}
			text := d.Type() == safejs.TypeString
			data, err := bytesFromJS(d)
			if err != nil {
				return
			}
			onMessage(s, !text, data)
		},
		"onclose": s.onClose,
		"onerror": func(safejs.Value) {}, // always followed by close, which carries the code
	}
	for _, name := range socketHandlers {
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
		s.mu.Lock()
		s.funcs = append(s.funcs, fn)
		s.mu.Unlock()
		if err := s.ws.Set(name, fn); err != nil {
			return err
		}
	}
	return nil
}

// onClose queues the close with its cause (a CloseError), or nil when we
// closed the socket ourselves and it closed cleanly.
func (s *browserSocket) onClose(ev safejs.Value) {
	cause := &CloseError{Code: getInt(ev, "code"), Reason: getString(ev, "reason"), WasClean: getBool(ev, "wasClean")}
	select {
	case <-s.opened:
		cause.Opened = true
	default:
	}
	s.mu.Lock()
	s.closeErr = cause
	local := s.localStop
	s.mu.Unlock()
	closeOnce(s.closedEv)
	var err error = cause
	if local && cause.WasClean {
		err = nil
	}
	s.push(socketEvent{closed: true, err: err})
}

// push queues an event without ever blocking the JavaScript thread.
func (s *browserSocket) push(ev socketEvent) {
	s.mu.Lock()
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// deliver hands the queued frames to frame in order, then the close to
// closed, and returns. Run it on its own goroutine once the socket is open.
func (s *browserSocket) deliver(frame func(binary bool, data []byte), closed func(error)) {
	for {
		s.mu.Lock()
		q := s.queue
		s.queue = nil
		s.mu.Unlock()
		for _, ev := range q {
			if ev.closed {
				s.release()
				closed(ev.err)
				return
			}
			frame(ev.binary, ev.data)
		}
		<-s.wake
	}
}

// send writes one frame: binary from an ArrayBuffer copy, else text.
func (s *browserSocket) send(binary bool, data []byte) error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	state, err := s.ws.Get("readyState")
	if err != nil {
		return err
	}
	if n, _ := state.Int(); n != wsOpen {
		return fmt.Errorf("websocket not open (readyState %d)", n)
	}
	var payload any = string(data)
	if binary {
		if payload, err = bytesToJS(data); err != nil {
			return err
		}
	}
	if _, err := s.ws.Call("send", payload); err != nil {
		return fmt.Errorf("websocket send: %w", err)
	}
	return nil
}

// close starts a normal close (code 1000); deliver reports it with a nil
// error once the browser says it is closed.
func (s *browserSocket) close() error {
	s.mu.Lock()
	s.localStop = true
	s.mu.Unlock()
	if _, err := s.ws.Call("close", 1000); err != nil {
		return fmt.Errorf("websocket close: %w", err)
	}
	return nil
}

// release drops the event handlers once the socket is finished.
func (s *browserSocket) release() {
	s.mu.Lock()
	if s.finished {
		s.mu.Unlock()
		return
	}
	s.finished = true
	funcs := s.funcs
	s.funcs = nil
	s.mu.Unlock()
	detachHandlers(s.ws, socketHandlers, funcs)
}

func closeOnce(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
}
