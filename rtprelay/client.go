package rtprelay

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
)

// ErrClientClosed means the connection to the relay ended.
var ErrClientClosed = errors.New("rtprelay: connection to the relay closed")

// Client is the page's side of one relay connection. Its owner feeds every
// frame of the Socket to Receive and reports the socket's end to Closed.
// All methods are safe for concurrent use.
type Client struct {
	sock Socket

	mu      sync.Mutex
	ready   chan struct{} // closed when admitted
	isReady bool
	done    chan struct{} // closed when the connection ended
	err     error         // why it ended
	streams map[uint16]*Stream
	pending map[uint16]chan allocResult
	nextID  uint16
	dropped uint64 // packets for unknown streams or full queues
	junk    uint64 // frames that did not parse
	onError func(*Error)
}

// OnError sets f to hear every failure the relay reports while it happens:
// a stream's (403 destination not allowed, 429 rate), a stream the relay
// freed by itself (410), the connection's (Stream 0, then it ends). f is
// called from Receive and must not block.
func (c *Client) OnError(f func(*Error)) {
	c.mu.Lock()
	c.onError = f
	c.mu.Unlock()
}

func (c *Client) report(e *Error) {
	c.mu.Lock()
	f := c.onError
	c.mu.Unlock()
	if f != nil {
		f(e)
	}
}

// allocResult is the relay's answer to an alloc.
type allocResult struct {
	s   *Stream
	err error
}

// NewClient starts the protocol on an open socket: it sends the hello with
// token (the REGISTER 200 OK's X-Webphone-Relay-Token on the demo server, the
// configured secret on a standalone relay).
func NewClient(sock Socket, token string) *Client {
	c := &Client{sock: sock, ready: make(chan struct{}), done: make(chan struct{}),
		streams: map[uint16]*Stream{}, pending: map[uint16]chan allocResult{}}
	if err := sock.Send(false, Control{Op: OpHello, Token: token}.Marshal()); err != nil {
		c.fail(err)
	}
	return c
}

// Receive handles one frame from the socket. It keeps data (a packet's
// payload is handed to ReadFrom without a copy): the caller must not reuse
// it. It never blocks.
func (c *Client) Receive(binary bool, data []byte) {
	if binary {
		p, err := ParsePacket(data)
		if err != nil {
			c.count(&c.junk)
			return
		}
		c.mu.Lock()
		s := c.streams[p.Stream]
		c.mu.Unlock()
		if s == nil || !s.deliver(p) {
			c.count(&c.dropped)
		}
		return
	}
	m, err := ParseControl(data)
	if err != nil {
		c.count(&c.junk)
		return
	}
	switch m.Op {
	case OpReady:
		c.mu.Lock()
		if !c.isReady {
			c.isReady = true
			close(c.ready)
		}
		c.mu.Unlock()
	case OpAlloc:
		ip, err := netip.ParseAddr(m.IP)
		if err != nil || m.Port <= 0 || m.Port > 65534 {
			c.answer(uint16(m.ID), allocResult{err: &Error{Stream: m.ID, Code: CodeBadRequest, Reason: "relay sent a bad address"}})
			return
		}
		c.answer(uint16(m.ID), allocResult{s: newStream(c, uint16(m.ID), ip.Unmap(), m.Port)})
	case OpFreed:
		// The answer to our free (the stream is gone already), or the relay
		// released the stream itself (idle).
		c.mu.Lock()
		s := c.streams[uint16(m.ID)]
		delete(c.streams, uint16(m.ID))
		c.mu.Unlock()
		if s != nil {
			e := &Error{Stream: m.ID, Code: CodeGone, Reason: "freed by the relay: " + m.Reason}
			s.end(e)
			c.report(e)
		}
	case OpError:
		e := &Error{Stream: m.ID, Code: m.Code, Reason: m.Reason}
		if m.ID == 0 {
			c.fail(e)
			_ = c.sock.Close()
			c.report(e)
			return
		}
		if c.answer(uint16(m.ID), allocResult{err: e}) {
			return
		}
		c.mu.Lock()
		s := c.streams[uint16(m.ID)]
		c.mu.Unlock()
		if s != nil {
			s.reported(e)
			c.report(e)
		}
	}
}

// answer passes the relay's answer to a waiting Allocate; false when none
// waits for id. A stream nobody waits for any more is freed again.
func (c *Client) answer(id uint16, r allocResult) bool {
	c.mu.Lock()
	ch, ok := c.pending[id]
	delete(c.pending, id)
	if ok && r.s != nil {
		c.streams[id] = r.s
	}
	c.mu.Unlock()
	if ok {
		ch <- r // buffered, one answer per id
	}
	return ok
}

// Closed reports that the socket ended (err may be nil): every stream and
// pending Allocate ends with it.
func (c *Client) Closed(err error) {
	if err == nil {
		err = ErrClientClosed
	}
	c.fail(err)
}

// fail ends the connection with err (once).
func (c *Client) fail(err error) {
	c.mu.Lock()
	select {
	case <-c.done:
		c.mu.Unlock()
		return
	default:
	}
	c.err = err
	close(c.done)
	streams := c.streams
	c.streams = map[uint16]*Stream{}
	c.mu.Unlock()
	for _, s := range streams {
		s.end(err)
	}
}

// Err is why the connection ended (nil while it lives).
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Ready waits until the relay admitted the connection. It fails with the
// relay's *Error (403: token refused), the socket's error, or ctx's.
func (c *Client) Ready(ctx context.Context) error {
	select {
	case <-c.ready:
		return nil
	default:
	}
	select {
	case <-c.ready:
		return nil
	case <-c.done:
		return c.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Allocate asks the relay for a port pair (waiting for admission first). It
// fails with the relay's *Error (503: no free ports, 429: stream limit),
// the connection's error, or ctx's; then nothing stays allocated.
func (c *Client) Allocate(ctx context.Context) (*Stream, error) {
	if err := c.Ready(ctx); err != nil {
		return nil, err
	}
	ch := make(chan allocResult, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, c.err
	}
	id, ok := c.freeIDLocked()
	if !ok {
		c.mu.Unlock()
		return nil, &Error{Code: CodeTooMany, Reason: "no free stream id"}
	}
	c.pending[id] = ch
	c.mu.Unlock()
	if err := c.send(false, Control{Op: OpAlloc, ID: int(id)}.Marshal()); err != nil {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return nil, err
	}
	select {
	case r := <-ch:
		return r.s, r.err
	case <-c.done:
		return nil, c.Err()
	case <-ctx.Done():
		c.mu.Lock()
		_, waiting := c.pending[id]
		delete(c.pending, id)
		s := c.streams[id]
		c.mu.Unlock()
		if s != nil { // the answer raced the cancellation
			_ = s.Close()
		} else if waiting {
			c.freeLate(id)
		}
		return nil, ctx.Err()
	}
}

// freeLate frees id in case the relay allocates it after we gave up.
func (c *Client) freeLate(id uint16) {
	_ = c.send(false, Control{Op: OpFree, ID: int(id)}.Marshal())
}

// freeIDLocked picks an unused stream id.
func (c *Client) freeIDLocked() (uint16, bool) {
	for range 65535 {
		c.nextID++
		if c.nextID == 0 {
			c.nextID = 1
		}
		_, used := c.streams[c.nextID]
		_, waiting := c.pending[c.nextID]
		if !used && !waiting {
			return c.nextID, true
		}
	}
	return 0, false
}

// forget removes a closed stream.
func (c *Client) forget(id uint16) {
	c.mu.Lock()
	delete(c.streams, id)
	c.mu.Unlock()
}

// send writes a frame unless the connection ended.
func (c *Client) send(binary bool, data []byte) error {
	select {
	case <-c.done:
		if err := c.Err(); err != nil {
			return err
		}
		return ErrClientClosed
	default:
	}
	return c.sock.Send(binary, data)
}

// Stats counts what the client dropped: packets for unknown streams or over
// a full read queue, and frames that did not parse.
func (c *Client) Stats() (dropped, junk uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dropped, c.junk
}

func (c *Client) count(n *uint64) {
	c.mu.Lock()
	*n++
	c.mu.Unlock()
}

// Close closes the socket; the owner's Closed call then ends the streams
// (Close also ends them itself, in case the owner never calls Closed).
func (c *Client) Close() error {
	err := c.sock.Close()
	c.fail(net.ErrClosed)
	return err
}
