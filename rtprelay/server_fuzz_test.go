//go:build !js

package rtprelay

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/netip"
	"testing"

	"github.com/gobwas/ws"
)

// maskedFrame builds a client frame.
func maskedFrame(op ws.OpCode, payload []byte) []byte {
	h := ws.Header{Fin: true, OpCode: op, Masked: true, Mask: [4]byte{1, 2, 3, 4}, Length: int64(len(payload))}
	b := appendFrameHeader(nil, h)
	start := len(b)
	b = append(b, payload...)
	ws.Cipher(b[start:], h.Mask, 0)
	return b
}

// FuzzServerConn: after an admitted hello, no byte stream makes the relay's
// connection panic or hang; when it ends, its streams are freed.
func FuzzServerConn(f *testing.F) {
	pk, _ := AppendPacket(nil, Packet{Kind: KindRTP, Stream: 1, Addr: netip.MustParseAddrPort("127.0.0.1:9"), Payload: []byte{0x80}})
	f.Add(append(maskedFrame(ws.OpText, Control{Op: OpAlloc, ID: 1}.Marshal()), maskedFrame(ws.OpBinary, pk)...))
	f.Add(maskedFrame(ws.OpText, []byte(`{"op":"free","id":1}`)))
	f.Add(maskedFrame(ws.OpPing, []byte("x")))
	f.Add([]byte{0x82, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff})
	f.Add(maskedFrame(ws.OpClose, nil))

	srv, err := NewServer(Config{
		PublicIP:  netip.MustParseAddr("127.0.0.1"),
		Ports:     PortRange{Min: 48000, Max: 48009},
		Admission: SecretOrOrigin{Secret: "s", Policy: Networks{netip.MustParsePrefix("127.0.0.1/32")}},
	})
	if err != nil {
		f.Fatal(err)
	}
	defer srv.Close()
	hello := maskedFrame(ws.OpText, Control{Op: OpHello, Token: "s"}.Marshal())
	f.Fuzz(func(t *testing.T, input []byte) {
		client, server := net.Pipe()
		go io.Copy(io.Discard, client) // the relay's answers
		c := newServerConn(srv, server, bufio.NewReader(server), &http.Request{Header: http.Header{}})
		if !srv.add(c) {
			t.Fatal("server closed")
		}
		done := make(chan struct{})
		go func() {
			c.run()
			close(done)
		}()
		_, _ = client.Write(hello)
		_, _ = client.Write(input)
		client.Close()
		<-done
		// A failed write may have started the close elsewhere: wait for its end.
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := srv.WaitConnections(ctx, 0); err != nil {
			t.Fatal(err)
		}
		if n := srv.pool.InUse(); n != 0 {
			t.Fatalf("%d pairs left after the connection ended", n)
		}
	})
}
