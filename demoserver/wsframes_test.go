package demoserver

import (
	"bytes"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/icholy/digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawPhone is a SIP client written by hand over a WebSocket, so that the
// test chooses the opcode of every frame it sends and sees the opcode of
// every frame it receives.
type rawPhone struct {
	t      *testing.T
	conn   net.Conn
	user   string
	host   string // our .invalid host
	domain string
	cseq   int
}

func newRawPhone(t *testing.T, ds *Server, user string) *rawPhone {
	return &rawPhone{t: t, conn: dialWS(t, ds.WSURL(), "sip"), user: user, host: randHex(5) + ".invalid", domain: ds.Domain()}
}

func (p *rawPhone) send(op ws.OpCode, msg []byte) {
	p.t.Helper()
	require.NoError(p.t, wsutil.WriteClientMessage(p.conn, op, msg))
}

// read returns the next data frame from the server, unvalidated.
func (p *rawPhone) read() (ws.OpCode, sip.Message) {
	p.t.Helper()
	require.NoError(p.t, p.conn.SetReadDeadline(time.Now().Add(waitLong)))
	for {
		f, err := ws.ReadFrame(p.conn)
		require.NoError(p.t, err, "reading from the server")
		if f.Header.OpCode.IsControl() || len(bytes.Trim(f.Payload, "\r\n")) == 0 {
			continue
		}
		msg, err := sip.ParseMessage(f.Payload)
		require.NoError(p.t, err, "%q", f.Payload)
		return f.Header.OpCode, msg
	}
}

// request builds an out-of-dialog request from p.
func (p *rawPhone) request(method, ruri, to string, extra string, body []byte) []byte {
	p.cseq++
	var b bytes.Buffer
	b.WriteString(method + " " + ruri + " SIP/2.0\r\n")
	b.WriteString("Via: SIP/2.0/WS " + p.host + ";branch=z9hG4bK" + randHex(8) + "\r\n")
	b.WriteString("Max-Forwards: 70\r\n")
	b.WriteString("From: <sip:" + p.user + "@" + p.domain + ">;tag=" + randHex(4) + "\r\n")
	b.WriteString("To: <" + to + ">\r\n")
	b.WriteString("Call-ID: " + randHex(8) + "\r\n")
	b.WriteString("CSeq: " + strconv.Itoa(p.cseq) + " " + method + "\r\n")
	b.WriteString(extra)
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	b.Write(body)
	return b.Bytes()
}

// register answers the digest challenge and waits for 200.
func (p *rawPhone) register() {
	p.t.Helper()
	aor := "sip:" + p.user + "@" + p.domain
	contact := "Contact: <sip:" + p.user + "@" + p.host + ";transport=ws>;expires=300\r\n"
	p.send(ws.OpText, p.request("REGISTER", "sip:"+p.domain, aor, contact, nil))
	_, msg := p.read()
	res := msg.(*sip.Response)
	require.Equal(p.t, 401, res.StatusCode)
	chal, err := digest.ParseChallenge(res.GetHeader("WWW-Authenticate").Value())
	require.NoError(p.t, err)
	cred, err := digest.Digest(chal, digest.Options{Method: "REGISTER", URI: "sip:" + p.domain,
		Username: p.user, Password: DefaultAccounts()[p.user]})
	require.NoError(p.t, err)
	p.send(ws.OpText, p.request("REGISTER", "sip:"+p.domain, aor, contact+"Authorization: "+cred.String()+"\r\n", nil))
	_, msg = p.read()
	require.Equal(p.t, 200, msg.(*sip.Response).StatusCode)
}

func TestRelaysNonUTF8MessagesInBinaryFramesAndUTF8InText(t *testing.T) {
	ds := startServer(t, "")
	a := newRawPhone(t, ds, "1001")
	b := newRawPhone(t, ds, "1002")
	a.register()
	b.register()
	to := "sip:1002@" + ds.Domain()

	// A binary body (RFC 7118: a binary frame) reaches B in a binary frame.
	body := []byte("\x30\x82\x01\xff\xfe\x00binary S/MIME\x80")
	a.send(ws.OpBinary, a.request("MESSAGE", to, to, "Content-Type: application/pkcs7-mime\r\n", body))
	op, msg := b.read()
	assert.Equal(t, ws.OpBinary, op, "a message that is not UTF-8 must not reach a browser in a text frame")
	req := msg.(*sip.Request)
	assert.Equal(t, body, req.Body())
	b.send(ws.OpText, []byte(sip.NewResponseFromRequest(req, 200, "OK", nil).String()))
	_, msg = a.read()
	assert.Equal(t, 200, msg.(*sip.Response).StatusCode)

	// A UTF-8 message still travels as text, and B's connection is alive.
	a.send(ws.OpText, a.request("MESSAGE", to, to, "Content-Type: text/plain\r\n", []byte("héllo")))
	op, msg = b.read()
	assert.Equal(t, ws.OpText, op)
	req = msg.(*sip.Request)
	assert.Equal(t, "héllo", string(req.Body()))
	assert.True(t, strings.HasPrefix(string(req.Method), "MESSAGE"))
	b.send(ws.OpText, []byte(sip.NewResponseFromRequest(req, 200, "OK", nil).String()))
	_, msg = a.read()
	assert.Equal(t, 200, msg.(*sip.Response).StatusCode)
}

func TestTextToBinaryHoldsSplitFramesAndKeepsTheHandshake(t *testing.T) {
	var out bytes.Buffer
	w := &textToBinary{dst: &out}
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
	for _, part := range []string{resp[:10], resp[10 : len(resp)-2], resp[len(resp)-2:]} {
		_, err := w.Write([]byte(part))
		require.NoError(t, err)
	}
	assert.Equal(t, resp, out.String())

	writeFrame := func(payload string) {
		var hdr bytes.Buffer
		require.NoError(t, ws.WriteHeader(&hdr, ws.Header{Fin: true, OpCode: ws.OpText, Length: int64(len(payload))}))
		_, err := w.Write(hdr.Bytes()) // sipgo writes the header, then the payload
		require.NoError(t, err)
		_, err = w.Write([]byte(payload))
		require.NoError(t, err)
	}
	out.Reset()
	writeFrame("\xff binary")
	writeFrame("text")
	r := bytes.NewReader(out.Bytes())
	f, err := ws.ReadFrame(r)
	require.NoError(t, err)
	assert.Equal(t, ws.OpBinary, f.Header.OpCode)
	assert.Equal(t, "\xff binary", string(f.Payload))
	f, err = ws.ReadFrame(r)
	require.NoError(t, err)
	assert.Equal(t, ws.OpText, f.Header.OpCode)
	assert.Equal(t, "text", string(f.Payload))
}
