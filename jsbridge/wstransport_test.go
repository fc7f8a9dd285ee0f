//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeWebSocket is a WebSocket class with the browser's event shape. The
// instance is kept in globalThis.__fakews; __fakews.serverSend(data)
// delivers a frame, __fakews.serverClose(code, reason) closes it from the
// "server" side, and __fakews.sent records what the client sent.
const fakeWebSocket = `return class FakeWebSocket {
	constructor(url, protocols) {
		this.url = url; this.protocols = protocols; this.readyState = 0; this.sent = [];
		this.binaryType = "blob";
		globalThis.__fakews = this;
		if (a0) { setTimeout(() => { this.readyState = 3; this.onerror && this.onerror({}); this.onclose && this.onclose({code: 1006, reason: "", wasClean: false}); }, 0); return; }
		setTimeout(() => { this.readyState = 1; this.protocol = "sip"; this.onopen && this.onopen({}); }, 0);
	}
	send(d) {
		if (this.readyState !== 1) throw new DOMException("not open", "InvalidStateError");
		this.sent.push(typeof d === "string" ? d : "binary:" + d.length);
	}
	close(code) { this.serverClose(code || 1005, "", true); }
	serverSend(d) { this.onmessage({data: d}); }
	serverClose(code, reason, clean) {
		if (this.readyState === 3) return;
		this.readyState = 3;
		setTimeout(() => this.onclose && this.onclose({code, reason, wasClean: !!clean}), 0);
	}
}`

// recorder is a sipcore.Receiver that records what it got.
type recorder struct {
	frames chan string
	closed chan error
}

func newRecorder() *recorder {
	return &recorder{frames: make(chan string, 16), closed: make(chan error, 2)}
}
func (r *recorder) Received(data []byte) { r.frames <- string(data) }
func (r *recorder) Closed(err error)     { r.closed <- err }

func (r *recorder) next(t *testing.T) string {
	t.Helper()
	select {
	case f := <-r.frames:
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("no frame delivered")
		return ""
	}
}

func (r *recorder) waitClosed(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.closed:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("Closed not called")
		return nil
	}
}

func fakeCtor(t *testing.T, failConnect bool) safejs.Value {
	return jsRun(t, fakeWebSocket, failConnect)
}

func TestWSTransportFramesAndKeepalives(t *testing.T) {
	rec := newRecorder()
	dial := NewWSDialer(WSDialerOptions{Constructor: fakeCtor(t, false)})
	tr, err := dial(context.Background(), "wss://sip.example.com/ws", rec)
	require.NoError(t, err)

	assert.Equal(t, "WSS", tr.Protocol())
	assert.Regexp(t, regexp.MustCompile(`^[a-z0-9]{8}\.invalid$`), tr.LocalHost())
	assert.Equal(t, `["sip"]`, jsString(t, jsRun(t, `return JSON.stringify(globalThis.__fakews.protocols)`)))
	assert.Equal(t, "arraybuffer", jsString(t, jsRun(t, `return globalThis.__fakews.binaryType`)))

	// A server ping is answered with a pong and dropped; a text SIP
	// message and a binary one arrive whole, in order; a pong is handed on
	// as a bare CRLF (sipcore counts it as the answer to its ping).
	jsRun(t, `const ws = globalThis.__fakews;
		ws.serverSend("\r\n\r\n");
		ws.serverSend("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
		ws.serverSend(new TextEncoder().encode("OPTIONS sip:a@b SIP/2.0\r\n\r\n").buffer);
		ws.serverSend("\r\n");`)
	assert.Equal(t, "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", rec.next(t))
	assert.Equal(t, "OPTIONS sip:a@b SIP/2.0\r\n\r\n", rec.next(t))
	assert.Equal(t, "\r\n", rec.next(t))

	require.NoError(t, tr.Send([]byte("REGISTER sip:example.com SIP/2.0\r\n\r\n")))
	require.NoError(t, tr.Send([]byte{0xff, 0xfe, 0x00}))
	assert.Equal(t, `["\r\n","REGISTER sip:example.com SIP/2.0\r\n\r\n","binary:3"]`,
		jsString(t, jsRun(t, `return JSON.stringify(globalThis.__fakews.sent)`)))

	// The server goes away: Closed carries the close code.
	jsRun(t, `globalThis.__fakews.serverClose(1006, "", false)`)
	err = rec.waitClosed(t)
	var ce *CloseError
	require.True(t, errors.As(err, &ce), "got %v", err)
	assert.Equal(t, 1006, ce.Code)
	assert.False(t, ce.WasClean)
	assert.True(t, ce.Opened)
	assert.Contains(t, err.Error(), "websocket closed: code 1006, not clean; abnormal closure:")
	assert.Contains(t, err.Error(), "the browser refused that frame", "the usual meaning of 1006 on an open socket is spelled out")
	assert.Error(t, tr.Send([]byte("x")), "sending on a closed socket fails")
}

func TestWSTransportLocalCloseReportsNil(t *testing.T) {
	rec := newRecorder()
	tr, err := NewWSDialer(WSDialerOptions{Constructor: fakeCtor(t, false)})(context.Background(), "ws://127.0.0.1:5066", rec)
	require.NoError(t, err)
	assert.Equal(t, "WS", tr.Protocol())
	require.NoError(t, tr.Close())
	assert.NoError(t, rec.waitClosed(t))
	assert.Equal(t, "1000", jsString(t, jsRun(t, `return String(globalThis.__fakews.readyState === 3 ? 1000 : -1)`)))
}

func TestWSTransportConnectFailure(t *testing.T) {
	_, err := NewWSDialer(WSDialerOptions{Constructor: fakeCtor(t, true)})(context.Background(), "ws://127.0.0.1:5066", newRecorder())
	require.Error(t, err)
	var ce *CloseError
	require.True(t, errors.As(err, &ce), "got %v", err)
	assert.Equal(t, 1006, ce.Code)
	assert.False(t, ce.Opened)
	assert.NotContains(t, err.Error(), "refused that frame", "a failed connect is no refused frame")
}

func TestWSTransportRealBrowserErrors(t *testing.T) {
	dial := NewWSDialer(WSDialerOptions{})
	_, err := dial(context.Background(), "http://127.0.0.1/", newRecorder())
	assert.ErrorContains(t, err, "ws:// or wss://")

	// The browser's constructor throws (SyntaxError) for a malformed URL.
	_, err = dial(context.Background(), "ws://127.0.0.1:99999/", newRecorder())
	assert.ErrorContains(t, err, "is invalid")

	// A real connection attempt to a closed local port fails with 1006.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = dial(ctx, "ws://127.0.0.1:9/", newRecorder())
	var ce *CloseError
	require.True(t, errors.As(err, &ce), "got %v", err)
	assert.Equal(t, 1006, ce.Code)

	// The page's own HTTP server is no WebSocket endpoint: the handshake fails.
	host := jsString(t, jsRun(t, `return location.host`))
	_, err = dial(ctx, "ws://"+host+"/not-a-websocket", newRecorder())
	require.True(t, errors.As(err, &ce), "got %v", err)
	assert.Equal(t, 1006, ce.Code)
}

func TestWSTransportDialCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewWSDialer(WSDialerOptions{Constructor: fakeCtor(t, false)})(ctx, "ws://127.0.0.1:5066", newRecorder())
	assert.ErrorIs(t, err, context.Canceled)
}

// blockingReceiver blocks in Received until released, like a busy UA.
type blockingReceiver struct {
	release chan struct{}
	got     chan string
}

func (r *blockingReceiver) Received(data []byte) {
	<-r.release
	r.got <- string(data)
}
func (r *blockingReceiver) Closed(error) {}

// TestWSTransportOnMessageNeverBlocks: frames keep being accepted from
// JavaScript while the Receiver is stuck, and arrive in order afterwards.
func TestWSTransportOnMessageNeverBlocks(t *testing.T) {
	rec := &blockingReceiver{release: make(chan struct{}), got: make(chan string, 200)}
	tr, err := NewWSDialer(WSDialerOptions{Constructor: fakeCtor(t, false)})(context.Background(), "ws://127.0.0.1:5066", rec)
	require.NoError(t, err)
	defer tr.Close()

	// 100 frames in one synchronous JavaScript loop: had onmessage waited
	// for the Receiver, this call would never return.
	assert.Equal(t, "100", jsString(t, jsRun(t, `const ws = globalThis.__fakews; let n = 0;
		for (let i = 0; i < 100; i++) { ws.serverSend("MESSAGE " + i); n++; }
		return String(n);`)))
	close(rec.release)
	for i := 0; i < 100; i++ {
		select {
		case got := <-rec.got:
			require.Equal(t, "MESSAGE "+strconv.Itoa(i), got)
		case <-time.After(5 * time.Second):
			t.Fatalf("frame %d not delivered", i)
		}
	}
}
