package demoserver

// Sharing one port between HTTP and SIP over WebSocket.
//
// sipgo's WebSocket transport (sip.TransportWS) only offers Serve(net.Listener):
// it accepts raw TCP connections, performs the RFC 6455 handshake itself with
// gobwas/ws and then owns the connection (connection pool, framing, parser,
// transaction layer). Rather than re-implementing that, the HTTP server
// recognises upgrade requests (any path with "Upgrade: websocket"), hijacks
// the TCP connection, and hands it to sipgo through wsListener, an in-memory
// net.Listener. Because net/http has already consumed the request bytes, the
// handed-over connection replays them (request line + headers, re-serialised,
// followed by anything net/http had buffered) before reading from the socket,
// so sipgo's upgrader sees the original handshake. No second port, no proxying
// of frames (only their opcodes are adjusted for binary messages, see
// wsframes.go), and every WebSocket connection lives in sipgo's pool keyed by
// its remote address — which is what the proxy uses to reach a client again.

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// wsListener is a net.Listener whose connections come from the HTTP server.
type wsListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newWSListener(addr net.Addr) *wsListener {
	return &wsListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *wsListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *wsListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *wsListener) Addr() net.Addr { return l.addr }

// handoff passes a hijacked connection to sipgo; false when closed.
func (l *wsListener) handoff(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.done:
		return false
	}
}

// replayConn reads first from r (the replayed handshake) and then the
// socket, and writes through w; r and w fix the WebSocket framing for sipgo
// (wsframes.go). onClose runs once when sipgo closes the connection (peer
// gone or server closing), so the registrar can forget bindings on it at
// once.
type replayConn struct {
	net.Conn
	r       io.Reader
	w       io.Writer
	once    sync.Once
	onClose func()
}

func (c *replayConn) Read(b []byte) (int, error)  { return c.r.Read(b) }
func (c *replayConn) Write(b []byte) (int, error) { return c.w.Write(b) }

func (c *replayConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		if c.onClose != nil {
			c.onClose()
		}
	})
	return err
}

// isWebSocketUpgrade reports whether r asks for a WebSocket upgrade.
func isWebSocketUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket") &&
		headerHasToken(r.Header.Values("Connection"), "upgrade")
}

func headerHasToken(values []string, token string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// serveUpgrade hands a WebSocket upgrade request over to sipgo.
func (s *Server) serveUpgrade(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || !headerHasToken(r.Header.Values("Sec-WebSocket-Protocol"), "sip") {
		http.Error(w, "SIP over WebSocket needs GET with Sec-WebSocket-Protocol: sip", http.StatusBadRequest)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "websocket upgrade unsupported", http.StatusInternalServerError)
		return
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		s.log.Warn("websocket hijack failed", "error", err)
		return
	}
	_ = conn.SetDeadline(time.Time{})

	var head bytes.Buffer
	fmt.Fprintf(&head, "GET %s HTTP/1.1\r\nHost: %s\r\n", r.URL.RequestURI(), r.Host)
	_ = r.Header.Write(&head)
	head.WriteString("\r\n")
	var pending []byte
	if n := brw.Reader.Buffered(); n > 0 {
		pending, _ = brw.Reader.Peek(n)
		pending = bytes.Clone(pending)
	}
	f := flow{Transport: "WS", Addr: conn.RemoteAddr().String()}
	closed := s.live.opened(f)
	frames := &binaryToText{src: io.MultiReader(bytes.NewReader(pending), conn)}
	rc := &replayConn{Conn: conn, r: io.MultiReader(&head, frames), w: &textToBinary{dst: conn},
		onClose: func() {
			closed()
			s.bindings.dropFlow(f)
		}}
	if !s.wsLn.handoff(rc) {
		closed()
		conn.Close()
	}
}

// dropUnparsable is a transport read filter: it drops WebSocket frames that
// sipgo cannot parse, because sipgo closes a WebSocket connection on a parse
// error and one bad frame must not disconnect a client. (Over UDP sipgo
// already just logs and drops such datagrams.)
func dropUnparsable(props sip.TransportReadProps, data []byte) ([]byte, error) {
	if !strings.EqualFold(props.Transport, "WS") {
		return data, nil
	}
	if _, err := sip.NewParser().ParseSIP(data); err != nil {
		return nil, nil
	}
	return data, nil
}
