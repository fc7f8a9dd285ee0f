package nettransport

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type sink struct {
	frames chan []byte
	closed chan error
}

func newSink() *sink { return &sink{frames: make(chan []byte, 8), closed: make(chan error, 1)} }

func (s *sink) Received(b []byte) { s.frames <- append([]byte(nil), b...) }
func (s *sink) Closed(err error)  { s.closed <- err }

func TestUDPSendsToServerAndDeliversDatagrams(t *testing.T) {
	srv, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer srv.Close()
	s := newSink()
	tr, err := Dial(context.Background(), "udp:"+srv.LocalAddr().String(), s)
	require.NoError(t, err)
	assert.Equal(t, "UDP", tr.Protocol())
	assert.True(t, strings.HasPrefix(tr.LocalHost(), "127.0.0.1:"))

	require.NoError(t, tr.Send([]byte("OPTIONS sip:x SIP/2.0\r\n\r\n")))
	buf := make([]byte, 1500)
	srv.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, from, err := srv.ReadFromUDP(buf)
	require.NoError(t, err)
	assert.Equal(t, "OPTIONS sip:x SIP/2.0\r\n\r\n", string(buf[:n]))
	assert.Equal(t, tr.LocalHost(), from.String())

	_, err = srv.WriteToUDP([]byte("SIP/2.0 200 OK\r\n\r\n"), from)
	require.NoError(t, err)
	assert.Equal(t, "SIP/2.0 200 OK\r\n\r\n", string(<-s.frames))
	require.NoError(t, tr.Close())
	assert.EqualError(t, <-s.closed, "closed locally")
}

// wsServer accepts one WebSocket, offering the given subprotocol, and echoes text frames.
func wsServer(t *testing.T, proto string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := ws.HTTPUpgrader{Protocol: func(p string) bool { return p == proto }}
		conn, _, _, err := u.Upgrade(r, w)
		if err != nil {
			return
		}
		defer conn.Close()
		for {
			data, op, err := wsutil.ReadClientData(conn)
			if err != nil {
				return
			}
			if op == ws.OpText {
				_ = wsutil.WriteServerMessage(conn, ws.OpText, append([]byte("echo:"), data...))
			}
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "ws://" + ln.Addr().String() + "/ws"
}

func TestWebSocketNegotiatesSIPSubprotocolAndCarriesFrames(t *testing.T) {
	s := newSink()
	tr, err := DialWebSocket(context.Background(), wsServer(t, "sip"), s)
	require.NoError(t, err)
	assert.Equal(t, "WS", tr.Protocol())
	assert.True(t, strings.HasSuffix(tr.LocalHost(), ".invalid"), "RFC 7118 host")
	require.NoError(t, tr.Send([]byte("REGISTER")))
	select {
	case f := <-s.frames:
		assert.Equal(t, "echo:REGISTER", string(f))
	case <-time.After(2 * time.Second):
		t.Fatal("no frame back")
	}
	require.NoError(t, tr.Close())
	select {
	case <-s.closed:
	case <-time.After(2 * time.Second):
		t.Fatal("Closed not reported")
	}
}

func TestWebSocketWithoutSIPSubprotocolIsRefused(t *testing.T) {
	_, err := DialWebSocket(context.Background(), wsServer(t, "chat"), newSink())
	require.Error(t, err)
}

func TestWebSocketUnreachableFailsFast(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := DialWebSocket(ctx, "ws://127.0.0.1:1/", newSink())
	require.Error(t, err)
}
