//go:build linux

package rtprelay

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

// BenchmarkRelayRoundTrip measures the relay: each op is one 172-byte RTP
// packet (20 ms of G.711) from the page through the relay to a UDP peer and
// the peer's echo back to the page, so two relayed packets. The page writes
// a prebuilt frame and reads with a reused buffer, the peer echoes without
// allocating: allocs/op are the relay's. cpu-%/call is the process CPU per
// relayed packet times the 100 packets/s of a 20 ms call (50 each way); it
// includes the benchmark's page and peer, so it bounds the relay's share
// from above.
func BenchmarkRelayRoundTrip(b *testing.B) {
	peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer peer.Close()
	go func() { // echo
		buf := make([]byte, 2000)
		for {
			n, from, err := peer.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			_, _ = peer.WriteToUDPAddrPort(buf[:n], from)
		}
	}()
	peerAddr := peer.LocalAddr().(*net.UDPAddr).AddrPort()

	srv, err := NewServer(Config{
		PublicIP:  netip.MustParseAddr("127.0.0.1"),
		Ports:     PortRange{Min: 47000, Max: 47999},
		MaxRate:   1 << 30,
		Admission: SecretOrOrigin{Secret: "s", Policy: Networks{netip.MustParsePrefix("127.0.0.1/32")}},
	})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer func() {
		hs.Close()
		srv.Close()
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, br, _, err := ws.Dialer{Protocols: []string{Subprotocol}}.Dial(ctx, "ws://"+ln.Addr().String()+"/rtp")
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	if br == nil {
		br = bufio.NewReader(conn)
	}
	fr := newFrameReader(br)
	send := func(op ws.OpCode, payload []byte) {
		h := ws.Header{Fin: true, OpCode: op, Masked: true, Mask: ws.NewMask(), Length: int64(len(payload))}
		f := appendFrameHeader(nil, h)
		start := len(f)
		f = append(f, payload...)
		ws.Cipher(f[start:], h.Mask, 0)
		if _, err := conn.Write(f); err != nil {
			b.Fatal(err)
		}
	}
	expect := func(op string) {
		f, err := fr.next()
		if err != nil {
			b.Fatal(err)
		}
		if m, err := ParseControl(f.payload); err != nil || m.Op != op {
			b.Fatalf("got %q, want %s", f.payload, op)
		}
	}
	send(ws.OpText, Control{Op: OpHello, Token: "s"}.Marshal())
	expect(OpReady)
	send(ws.OpText, Control{Op: OpAlloc, ID: 1}.Marshal())
	expect(OpAlloc)

	// One prebuilt, masked frame: 12-byte RTP header + 160 bytes of audio.
	rtp := make([]byte, 172)
	rtp[0] = 0x80
	pkt, _ := AppendPacket(nil, Packet{Kind: KindRTP, Stream: 1, Addr: peerAddr, Payload: rtp})
	h := ws.Header{Fin: true, OpCode: ws.OpBinary, Masked: true, Mask: ws.NewMask(), Length: int64(len(pkt))}
	frame := appendFrameHeader(nil, h)
	start := len(frame)
	frame = append(frame, pkt...)
	ws.Cipher(frame[start:], h.Mask, 0)

	roundTrip := func() {
		if _, err := conn.Write(frame); err != nil {
			b.Fatal(err)
		}
		f, err := fr.next()
		if err != nil || len(f.payload) != len(pkt) {
			b.Fatalf("echo: %d bytes, %v", len(f.payload), err)
		}
	}
	for range 100 { // warm up
		roundTrip()
	}
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		roundTrip()
	}
	b.StopTimer()
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
	packets := float64(2 * b.N)
	b.ReportMetric(packets/b.Elapsed().Seconds(), "pkts/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/packets, "cpu-ns/pkt")
	b.ReportMetric(float64(cpu.Nanoseconds())/packets*100/1e9*100, "cpu-%/call")
}
