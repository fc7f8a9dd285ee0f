package nettransport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/opensoftphone/webphone/sipcore"
)

// WebSocket is a SIP-over-WebSocket client connection.
type WebSocket struct {
	conn    net.Conn
	proto   string
	host    string
	writeMu sync.Mutex
	once    sync.Once
	closeMu sync.Mutex
	closed  bool
}

// DialWebSocket is a sipcore.Dialer for ws:// and wss:// addresses.
func DialWebSocket(ctx context.Context, address string, r sipcore.Receiver) (sipcore.Transport, error) {
	d := ws.Dialer{Protocols: []string{"sip"}}
	conn, _, hs, err := d.Dial(ctx, address)
	if err != nil {
		return nil, err
	}
	if hs.Protocol != "sip" {
		conn.Close()
		return nil, errors.New("server did not accept the sip subprotocol")
	}
	proto := "WS"
	if strings.HasPrefix(strings.ToLower(address), "wss:") {
		proto = "WSS"
	}
	w := &WebSocket{conn: conn, proto: proto, host: randomInvalidHost()}
	go w.readLoop(r)
	return w, nil
}

func (w *WebSocket) readLoop(r sipcore.Receiver) {
	var err error
	for {
		var data []byte
		var op ws.OpCode
		data, op, err = wsutil.ReadServerData(w.conn)
		if err != nil {
			break
		}
		if op == ws.OpText || op == ws.OpBinary {
			r.Received(data)
		}
	}
	w.closeMu.Lock()
	local := w.closed
	w.closeMu.Unlock()
	if local {
		err = errors.New("closed locally")
	}
	w.conn.Close()
	r.Closed(err)
}

// Send writes one message: as a text frame when it is valid UTF-8 (every
// SIP message without a binary body), else as a binary frame (RFC 7118
// section 4; a text frame that is not UTF-8 makes the peer fail the
// connection, RFC 6455 section 8.1).
func (w *WebSocket) Send(data []byte) error {
	op := ws.OpText
	if !utf8.Valid(data) {
		op = ws.OpBinary
	}
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	return wsutil.WriteClientMessage(w.conn, op, data)
}

func (w *WebSocket) Protocol() string  { return w.proto }
func (w *WebSocket) LocalHost() string { return w.host }

// Close sends a close frame and closes the connection.
func (w *WebSocket) Close() error {
	w.once.Do(func() {
		w.closeMu.Lock()
		w.closed = true
		w.closeMu.Unlock()
		w.writeMu.Lock()
		_ = wsutil.WriteClientMessage(w.conn, ws.OpClose, ws.NewCloseFrameBody(ws.StatusNormalClosure, ""))
		w.writeMu.Unlock()
		_ = w.conn.Close()
	})
	return nil
}

// randomInvalidHost is the RFC 7118 section 5 Via/Contact host of a
// WebSocket client that cannot receive connections.
func randomInvalidHost() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b) + ".invalid"
}
