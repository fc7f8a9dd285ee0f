package nettransport

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// frame is one WebSocket data frame as the test server saw it.
type frame struct {
	op   ws.OpCode
	data []byte
}

// opServer accepts one "sip" WebSocket, reports every data frame with its
// opcode, and sends back "re:"+payload in a binary frame.
func opServer(t *testing.T) (string, chan frame) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	got := make(chan frame, 8)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := ws.HTTPUpgrader{Protocol: func(p string) bool { return p == "sip" }}
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
			got <- frame{op, data}
			_ = wsutil.WriteServerMessage(conn, ws.OpBinary, append([]byte("re:"), data...))
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "ws://" + ln.Addr().String() + "/ws", got
}

func TestWebSocketSendsNonUTF8AsBinaryFrameAndReceivesBinaryFrames(t *testing.T) {
	url, got := opServer(t)
	s := newSink()
	tr, err := DialWebSocket(context.Background(), url, s)
	require.NoError(t, err)
	defer tr.Close()

	// RFC 7118 section 4: a message that is not valid UTF-8 (a binary
	// S/MIME part, say) must travel in a binary frame; a text frame would
	// make a browser fail the connection.
	binMsg := []byte("MESSAGE sip:b@x SIP/2.0\r\nContent-Length: 4\r\n\r\n\xff\xfe\x00\x80")
	require.NoError(t, tr.Send(binMsg))
	f := next(t, got)
	assert.Equal(t, ws.OpBinary, f.op)
	assert.Equal(t, binMsg, f.data)
	assert.Equal(t, append([]byte("re:"), binMsg...), nextData(t, s), "a binary frame from the server is delivered")

	txt := []byte("OPTIONS sip:x SIP/2.0\r\nSubject: caf\xc3\xa9\r\n\r\n")
	require.NoError(t, tr.Send(txt))
	f = next(t, got)
	assert.Equal(t, ws.OpText, f.op, "valid UTF-8 stays a text frame")
	assert.Equal(t, txt, f.data)
	assert.Equal(t, append([]byte("re:"), txt...), nextData(t, s))
}

func next(t *testing.T, ch chan frame) frame {
	t.Helper()
	select {
	case f := <-ch:
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("no frame at the server")
		return frame{}
	}
}

func nextData(t *testing.T, s *sink) []byte {
	t.Helper()
	select {
	case b := <-s.frames:
		return b
	case <-time.After(5 * time.Second):
		t.Fatal("nothing received")
		return nil
	}
}
