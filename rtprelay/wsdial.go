//go:build !js

package rtprelay

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// DialOptions configure DialWebSocket.
type DialOptions struct {
	// Token is the hello token (see NewClient).
	Token string
	// Origin, when set, is sent as the Origin header (a standalone relay may
	// admit by origin).
	Origin string
}

// DialWebSocket connects natively (for Go programs and tests; the page uses
// the browser's WebSocket through jsbridge) and returns a Client reading the
// socket in the background. Call Ready or Allocate next; Close ends it.
func DialWebSocket(ctx context.Context, url string, opts DialOptions) (*Client, error) {
	d := ws.Dialer{Protocols: []string{Subprotocol}}
	if opts.Origin != "" {
		d.Header = ws.HandshakeHeaderHTTP(http.Header{"Origin": {opts.Origin}})
	}
	conn, br, hs, err := d.Dial(ctx, url)
	if err != nil {
		return nil, err
	}
	if hs.Protocol != Subprotocol {
		conn.Close()
		return nil, errors.New("rtprelay: the server did not accept the " + Subprotocol + " subprotocol")
	}
	if br != nil {
		ws.PutReader(br) // gobwas: nothing is buffered after a plain handshake
	}
	s := &netSocket{conn: conn}
	c := NewClient(s, opts.Token)
	go s.readLoop(c)
	return c, nil
}

// netSocket is a native client WebSocket.
type netSocket struct {
	conn net.Conn
	wmu  sync.Mutex
	wbuf []byte
	once sync.Once
}

func (s *netSocket) readLoop(c *Client) {
	for {
		data, op, err := wsutil.ReadServerData(s.conn)
		if err != nil {
			s.conn.Close()
			c.Closed(err)
			return
		}
		c.Receive(op == ws.OpBinary, data)
	}
}

// Send writes one masked frame (header and payload in one write).
func (s *netSocket) Send(binary bool, data []byte) error {
	op := ws.OpText
	if binary {
		op = ws.OpBinary
	}
	h := ws.Header{Fin: true, OpCode: op, Masked: true, Mask: ws.NewMask(), Length: int64(len(data))}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	buf := appendFrameHeader(s.wbuf[:0], h)
	start := len(buf)
	buf = append(buf, data...)
	ws.Cipher(buf[start:], h.Mask, 0)
	s.wbuf = buf
	_, err := s.conn.Write(buf)
	return err
}

// Close sends a close frame and closes the connection.
func (s *netSocket) Close() error {
	s.once.Do(func() {
		s.wmu.Lock()
		_ = wsutil.WriteClientMessage(s.conn, ws.OpClose, ws.NewCloseFrameBody(ws.StatusNormalClosure, ""))
		s.wmu.Unlock()
		_ = s.conn.Close()
	})
	return nil
}
