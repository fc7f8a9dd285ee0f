//go:build !js

package rtprelay

import (
	"bufio"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gobwas/ws"
)

// serverConn is the relay's side of one WebSocket connection: admission,
// the streams it allocated, its frames both ways.
type serverConn struct {
	srv  *Server
	conn net.Conn
	fr   *frameReader
	req  *http.Request // the upgrade request, for admission

	policy Policy // nil until admitted (written by the read loop under mu)
	junk   int    // bad frames so far (read loop only)

	wmu sync.Mutex // one frame written at a time

	mu      sync.Mutex
	streams map[uint16]*relayStream
	closed  bool
}

func newServerConn(s *Server, conn net.Conn, br *bufio.Reader, r *http.Request) *serverConn {
	if br == nil {
		br = bufio.NewReader(conn)
	}
	return &serverConn{srv: s, conn: conn, fr: newFrameReader(br), req: r, streams: map[uint16]*relayStream{}}
}

// run reads frames until the connection ends, then frees everything.
func (c *serverConn) run() {
	defer c.close()
	_ = c.conn.SetReadDeadline(time.Now().Add(c.srv.cfg.HelloTimeout))
	for {
		f, err := c.fr.next()
		if err != nil {
			if errors.Is(err, errFrameTooLarge) {
				c.closeWith(CodeBadRequest, "frame too large")
			} else if c.policy == nil && isTimeout(err) {
				c.closeWith(CodeForbidden, "no hello")
			}
			return
		}
		if !c.handle(f) {
			return
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// handle processes one frame; false ends the connection.
func (c *serverConn) handle(f frame) bool {
	if f.op.IsControl() {
		if !f.fin || f.payload == nil || len(f.payload) > 125 {
			return c.bad()
		}
		switch f.op {
		case ws.OpClose:
			c.writeFrame(ws.OpClose, f.payload[:min(len(f.payload), 2)])
			return false
		case ws.OpPing:
			c.writeFrame(ws.OpPong, f.payload)
		}
		return true
	}
	if !f.fin || !f.masked || f.payload == nil || (f.op != ws.OpText && f.op != ws.OpBinary) {
		return c.bad() // fragments, unmasked or oversized frames, continuations, unknown opcodes
	}
	if f.op == ws.OpBinary {
		if c.policy == nil {
			return c.bad()
		}
		p, err := ParsePacket(f.payload)
		if err != nil {
			return c.bad()
		}
		c.mu.Lock()
		st := c.streams[p.Stream]
		c.mu.Unlock()
		if st == nil {
			c.srv.stats.dropped.Add(1)
			return true
		}
		st.toPeer(p)
		return true
	}
	m, err := ParseControl(f.payload)
	if err != nil {
		return c.bad()
	}
	return c.control(m)
}

// bad counts a junk frame; false when the connection sent too many.
func (c *serverConn) bad() bool {
	c.junk++
	c.srv.stats.junk.Add(1)
	if c.junk > c.srv.cfg.MaxJunk {
		c.closeWith(CodeBadRequest, "too many bad frames ("+strconv.Itoa(c.junk)+")")
		return false
	}
	return true
}

// control handles a control message; false ends the connection.
func (c *serverConn) control(m Control) bool {
	if c.policy == nil {
		if m.Op != OpHello {
			c.closeWith(CodeBadRequest, "hello expected")
			return false
		}
		pol, err := c.srv.cfg.Admission.Admit(c.req, m.Token)
		if err != nil || pol == nil {
			code, reason := CodeForbidden, "not admitted"
			var re *Error
			if errors.As(err, &re) {
				code, reason = re.Code, re.Reason
			} else if err != nil {
				reason += ": " + err.Error()
			}
			c.closeWith(code, reason)
			return false
		}
		c.mu.Lock()
		c.policy = pol // written here only; close reads it under mu
		closed := c.closed
		c.mu.Unlock()
		if closed {
			release(pol)
			return false
		}
		c.req = nil
		_ = c.conn.SetReadDeadline(time.Time{})
		c.writeControl(Control{Op: OpReady})
		return true
	}
	switch m.Op {
	case OpAlloc:
		if m.ID == 0 {
			return c.bad()
		}
		c.alloc(uint16(m.ID))
	case OpFree:
		if m.ID == 0 {
			return c.bad()
		}
		c.free(uint16(m.ID), "")
	default:
		return c.bad()
	}
	return true
}

// alloc allocates stream id and answers.
func (c *serverConn) alloc(id uint16) {
	fail := func(code int, reason string) {
		c.writeControl(Control{Op: OpError, ID: int(id), Code: code, Reason: reason})
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	if c.streams[id] != nil {
		c.mu.Unlock()
		fail(CodeBadRequest, "stream id in use")
		return
	}
	if len(c.streams) >= c.srv.cfg.MaxStreams {
		c.mu.Unlock()
		fail(CodeTooMany, "stream limit ("+strconv.Itoa(c.srv.cfg.MaxStreams)+" per connection) reached")
		return
	}
	rtp, rtcp, port, err := c.srv.pool.Allocate()
	if err != nil {
		c.mu.Unlock()
		c.srv.log.Warn("relay ports exhausted", "range", c.srv.cfg.Ports)
		fail(CodeUnavailable, "no free relay ports")
		return
	}
	st := newRelayStream(c, id, port, rtp, rtcp)
	c.streams[id] = st
	c.mu.Unlock()
	c.writeControl(Control{Op: OpAlloc, ID: int(id), IP: c.srv.cfg.PublicIP.String(), Port: port})
	st.start()
}

// free releases stream id (if it exists) and answers freed, with reason
// when the relay frees it by itself.
func (c *serverConn) free(id uint16, reason string) {
	c.mu.Lock()
	st := c.streams[id]
	delete(c.streams, id)
	c.mu.Unlock()
	if st != nil {
		st.close()
	}
	c.writeControl(Control{Op: OpFreed, ID: int(id), Reason: reason})
}

// sweep frees the streams idle at now.
func (c *serverConn) sweep(now time.Time) {
	var idle []uint16
	c.mu.Lock()
	for id, st := range c.streams {
		if now.Sub(st.lastActive()) > c.srv.cfg.IdleTimeout {
			idle = append(idle, id)
		}
	}
	c.mu.Unlock()
	for _, id := range idle {
		c.free(id, "idle")
	}
}

// close ends the connection and frees its streams (once).
func (c *serverConn) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	streams := c.streams
	c.streams = map[uint16]*relayStream{}
	pol := c.policy
	c.mu.Unlock()
	_ = c.conn.Close()
	for _, st := range streams {
		st.close()
	}
	release(pol)
	c.srv.remove(c)
}

// release tells a Policy that is a Releaser that its connection ended.
func release(p Policy) {
	if r, ok := p.(Releaser); ok {
		r.Release()
	}
}

// closeWith reports a connection error (code 0: none) and closes.
func (c *serverConn) closeWith(code int, reason string) {
	if code != 0 {
		c.writeControl(Control{Op: OpError, Code: code, Reason: reason})
	}
	status := ws.StatusPolicyViolation
	if code == 0 {
		status = ws.StatusGoingAway
	}
	c.writeFrame(ws.OpClose, ws.NewCloseFrameBody(status, truncate(reason, 120)))
	c.close()
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// writeControl sends a control message.
func (c *serverConn) writeControl(m Control) { c.writeFrame(ws.OpText, m.Marshal()) }

// writeFrame sends one unmasked frame.
func (c *serverConn) writeFrame(op ws.OpCode, payload []byte) {
	b := appendFrameHeader(make([]byte, 0, 4+len(payload)), ws.Header{Fin: true, OpCode: op, Length: int64(len(payload))})
	c.write(append(b, payload...))
}

// writePacket sends a binary frame whose payload is buf[start:end]; the
// frame header goes into the (at least 4) bytes before start.
func (c *serverConn) writePacket(buf []byte, start, end int) {
	n := end - start
	if n <= 125 {
		start -= 2
		buf[start], buf[start+1] = 0x80|byte(ws.OpBinary), byte(n)
	} else {
		start -= 4
		buf[start], buf[start+1] = 0x80|byte(ws.OpBinary), 126
		binary.BigEndian.PutUint16(buf[start+2:], uint16(n))
	}
	c.write(buf[start:end])
}

// write writes b within the write timeout; a failed write closes the
// connection (in the background: a stream's reader may be the writer).
func (c *serverConn) write(b []byte) {
	c.wmu.Lock()
	_ = c.conn.SetWriteDeadline(time.Now().Add(c.srv.cfg.WriteTimeout))
	_, err := c.conn.Write(b)
	c.wmu.Unlock()
	if err != nil {
		go c.close()
	}
}
