package demoserver

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

// rawOptions is a valid OPTIONS to the server, sent by hand.
func rawOptions(transport, via, branch string) string {
	return "OPTIONS sip:127.0.0.1 SIP/2.0\r\n" +
		"Via: SIP/2.0/" + transport + " " + via + ";branch=z9hG4bK" + branch + "\r\n" +
		"From: <sip:probe@127.0.0.1>;tag=p1\r\nTo: <sip:127.0.0.1>\r\n" +
		"Call-ID: " + branch + "@probe\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
}

func udpExchange(t *testing.T, conn net.PacketConn, to net.Addr, msg string) string {
	t.Helper()
	_, err := conn.WriteTo([]byte(msg), to)
	require.NoError(t, err)
	buf := make([]byte, 4096)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(waitLong)))
	n, _, err := conn.ReadFrom(buf)
	require.NoError(t, err)
	return string(buf[:n])
}

func TestMalformedUDPDoesNotKillServer(t *testing.T) {
	ds := startServer(t, "")
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	defer conn.Close()
	srvAddr, err := net.ResolveUDPAddr("udp", ds.UDPAddr())
	require.NoError(t, err)
	me := conn.LocalAddr().String()

	for _, junk := range []string{"\x00\x01garbage\r\n\r\n", "INVITE\r\n\r\n", "SIP/2.0 abc\r\n\r\n",
		"INVITE sip:1001@x SIP/2.0\r\nVia: nonsense\r\nCSeq: x\r\n\r\n"} {
		_, err := conn.WriteTo([]byte(junk), srvAddr)
		require.NoError(t, err)
	}
	// A request lacking Call-ID parses but is invalid: 400.
	noCallID := strings.Replace(rawOptions("UDP", me, "nocid"), "Call-ID: nocid@probe\r\n", "", 1)
	assert.True(t, strings.HasPrefix(udpExchange(t, conn, srvAddr, noCallID), "SIP/2.0 400"))
	// CSeq method differing from the request method: 400.
	badCSeq := strings.Replace(rawOptions("UDP", me, "badcseq"), "CSeq: 1 OPTIONS", "CSeq: 1 INVITE", 1)
	assert.True(t, strings.HasPrefix(udpExchange(t, conn, srvAddr, badCSeq), "SIP/2.0 400"))
	// The server still works.
	assert.True(t, strings.HasPrefix(udpExchange(t, conn, srvAddr, rawOptions("UDP", me, "ok1")), "SIP/2.0 200"))
}

func dialWS(t *testing.T, url string, protocols ...string) net.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	conn, _, hs, err := ws.Dialer{Protocols: protocols}.Dial(ctx, url)
	require.NoError(t, err)
	assert.Equal(t, "sip", hs.Protocol)
	t.Cleanup(func() { conn.Close() })
	return conn
}

func wsExchange(t *testing.T, conn net.Conn, msg string) string {
	t.Helper()
	require.NoError(t, wsutil.WriteClientText(conn, []byte(msg)))
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(waitLong)))
	data, err := wsutil.ReadServerText(conn)
	require.NoError(t, err)
	return string(data)
}

func TestMalformedWSFrameKeepsConnection(t *testing.T) {
	ds := startServer(t, "")
	conn := dialWS(t, ds.WSURL(), "sip")
	me := conn.LocalAddr().String()
	require.NoError(t, wsutil.WriteClientText(conn, []byte("this is not SIP\r\n\r\n")))
	require.NoError(t, wsutil.WriteClientText(conn, []byte("INVITE sip:x SIP/2.0\r\nCSeq: nope\r\n\r\n")))
	// Same connection still answered.
	res := wsExchange(t, conn, rawOptions("WS", me, "ws1"))
	assert.True(t, strings.HasPrefix(res, "SIP/2.0 200"), res)
}

func TestWebSocketOnAnyPathAndSubprotocolRequired(t *testing.T) {
	ds := startServer(t, "")
	base := strings.TrimSuffix(ds.WSURL(), "/ws")
	conn := dialWS(t, base+"/some/other/path?x=1", "sip")
	res := wsExchange(t, conn, rawOptions("WS", conn.LocalAddr().String(), "anypath"))
	assert.True(t, strings.HasPrefix(res, "SIP/2.0 200"), res)

	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	_, _, _, err := ws.Dialer{}.Dial(ctx, ds.WSURL())
	assert.Error(t, err, "an upgrade without the sip subprotocol is refused")
}

func TestStaticFilesWasmTypeAndGzip(t *testing.T) {
	dir := t.TempDir()
	wasm := append([]byte("\x00asm\x01\x00\x00\x00"), make([]byte, 4096)...)
	require.NoError(t, writeFile(dir+"/webphone.wasm", wasm))
	require.NoError(t, writeFile(dir+"/index.html", []byte("<!doctype html><title>demo</title>")))
	ds := startServer(t, dir)
	base := strings.TrimSuffix(ds.WSURL(), "/ws")
	base = "http" + strings.TrimPrefix(base, "ws")

	// Plain request (Transport adds gzip itself unless we set the header).
	req, _ := http.NewRequest("GET", base+"/webphone.wasm", nil)
	req.Header.Set("Accept-Encoding", "identity")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body := readAll(t, res)
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "application/wasm", res.Header.Get("Content-Type"))
	assert.Empty(t, res.Header.Get("Content-Encoding"))
	assert.Equal(t, wasm, body)

	// Default client asks for gzip and transparently decompresses.
	res, err = http.Get(base + "/webphone.wasm")
	require.NoError(t, err)
	body = readAll(t, res)
	assert.True(t, res.Uncompressed, "served gzip-encoded")
	assert.Equal(t, "application/wasm", res.Header.Get("Content-Type"))
	assert.Equal(t, wasm, body)

	res, err = http.Get(base + "/")
	require.NoError(t, err)
	assert.Contains(t, string(readAll(t, res)), "<title>demo</title>")

	res, err = http.Get(base + "/missing.js")
	require.NoError(t, err)
	readAll(t, res)
	assert.Equal(t, 404, res.StatusCode)
}
