//go:build !js

package rtprelay

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

const wait = 5 * time.Second

// manualClock is a Clock the test moves.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func newManualClock() *manualClock { return &manualClock{now: time.Unix(1_800_000_000, 0)} }

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// freePortRange finds pairs port pairs on 127.0.0.1 that are free now.
func freePortRange(t *testing.T, pairs int) PortRange {
	t.Helper()
	for try := 0; try < 50; try++ {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := c.LocalAddr().(*net.UDPAddr).Port
		c.Close()
		base += base % 2
		if base+2*pairs > 65535 {
			continue
		}
		var held []net.PacketConn
		ok := true
		for p := base; p < base+2*pairs; p++ {
			pc, err := net.ListenPacket("udp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
			if err != nil {
				ok = false
				break
			}
			held = append(held, pc)
		}
		for _, pc := range held {
			pc.Close()
		}
		if ok {
			return PortRange{base, base + 2*pairs - 1}
		}
	}
	t.Fatal("no free port range")
	return PortRange{}
}

// relayRig is a relay served on 127.0.0.1 and a UDP peer.
type relayRig struct {
	srv   *Server
	url   string
	clock *manualClock
	peer  *net.UDPConn
	cfg   Config
}

// allowPeer admits token "tok" and allows only the rig's peer address.
func startRelay(t *testing.T, pairs int, tune func(*Config)) *relayRig {
	t.Helper()
	peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	peerAddr := peer.LocalAddr().(*net.UDPAddr).AddrPort()
	rg := &relayRig{clock: newManualClock(), peer: peer}
	rg.cfg = Config{
		PublicIP: netip.MustParseAddr("127.0.0.1"),
		Ports:    freePortRange(t, pairs),
		Clock:    rg.clock,
		Admission: AdmitFunc(func(r *http.Request, token string) (Policy, error) {
			if token != "tok" {
				return nil, errors.New("unknown token")
			}
			return PolicyFunc(func(dst netip.AddrPort, kind Kind) bool {
				return dst == peerAddr || (kind == KindRTCP && dst.Addr() == peerAddr.Addr())
			}), nil
		}),
		SweepInterval: time.Hour, // the tests sweep by hand
	}
	if tune != nil {
		tune(&rg.cfg)
	}
	rg.srv, err = NewServer(rg.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/rtp", rg.srv)
	hs := &http.Server{Handler: mux}
	go hs.Serve(ln)
	t.Cleanup(func() {
		hs.Close()
		rg.srv.Close()
	})
	rg.url = "ws://" + ln.Addr().String() + "/rtp"
	return rg
}

func (rg *relayRig) peerAddr() *net.UDPAddr { return rg.peer.LocalAddr().(*net.UDPAddr) }

// client dials with the real Client and waits for admission.
func (rg *relayRig) client(t *testing.T, token string) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c, err := DialWebSocket(ctx, rg.url, DialOptions{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// peerRead reads one datagram at the peer.
func (rg *relayRig) peerRead(t *testing.T) ([]byte, *net.UDPAddr) {
	t.Helper()
	buf := make([]byte, 2000)
	_ = rg.peer.SetReadDeadline(time.Now().Add(wait))
	n, from, err := rg.peer.ReadFromUDP(buf)
	if err != nil {
		t.Fatalf("peer got nothing: %v", err)
	}
	return buf[:n], from
}

// peerQuiet asserts nothing is waiting at the peer.
func (rg *relayRig) peerQuiet(t *testing.T) {
	t.Helper()
	_ = rg.peer.SetReadDeadline(time.Now())
	if n, from, err := rg.peer.ReadFromUDP(make([]byte, 2000)); err == nil {
		t.Fatalf("peer got %d bytes from %v", n, from)
	}
}

// rawConn is a WebSocket client that sends any frame and reads frames in
// order.
type rawConn struct {
	t    *testing.T
	conn net.Conn
}

func dialRaw(t *testing.T, url string) *rawConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	conn, _, _, err := ws.Dialer{Protocols: []string{Subprotocol}}.Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawConn{t: t, conn: conn}
}

func (r *rawConn) send(op ws.OpCode, data []byte) {
	r.t.Helper()
	if err := wsutil.WriteClientMessage(r.conn, op, data); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rawConn) sendFrame(f ws.Frame) {
	r.t.Helper()
	if err := ws.WriteFrame(r.conn, ws.MaskFrameInPlace(f)); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rawConn) ctl(c Control) { r.send(ws.OpText, c.Marshal()) }

func (r *rawConn) packet(p Packet) {
	b, err := AppendPacket(nil, p)
	if err != nil {
		r.t.Fatal(err)
	}
	r.send(ws.OpBinary, b)
}

// read returns the next data frame; close frames come back as op OpClose.
func (r *rawConn) read() (ws.OpCode, []byte, error) {
	_ = r.conn.SetReadDeadline(time.Now().Add(wait))
	for {
		h, err := ws.ReadHeader(r.conn)
		if err != nil {
			return 0, nil, err
		}
		p := make([]byte, h.Length)
		if _, err := readFull(r.conn, p); err != nil {
			return 0, nil, err
		}
		if h.OpCode == ws.OpPong {
			continue
		}
		return h.OpCode, p, nil
	}
}

func readFull(c net.Conn, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := c.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// readControl reads the next frame and requires a control message.
func (r *rawConn) readControl() Control {
	r.t.Helper()
	op, p, err := r.read()
	if err != nil {
		r.t.Fatalf("no control message: %v", err)
	}
	if op != ws.OpText {
		r.t.Fatalf("got op %v % x, want a control message", op, p)
	}
	m, err := ParseControl(p)
	if err != nil {
		r.t.Fatalf("bad control %q", p)
	}
	return m
}

// readPacket reads the next frame and requires a packet.
func (r *rawConn) readPacket() Packet {
	r.t.Helper()
	op, p, err := r.read()
	if err != nil || op != ws.OpBinary {
		r.t.Fatalf("no packet: op %v %q %v", op, p, err)
	}
	pk, err := ParsePacket(p)
	if err != nil {
		r.t.Fatal(err)
	}
	return pk
}

// readClose requires the close frame and the end of the connection.
func (r *rawConn) readClose() string {
	r.t.Helper()
	op, p, err := r.read()
	if err != nil || op != ws.OpClose {
		r.t.Fatalf("no close frame: op %v %q %v", op, p, err)
	}
	if _, _, err := r.read(); err == nil {
		r.t.Fatal("connection still open after the close frame")
	}
	_, reason := ws.ParseCloseFrameData(p)
	return reason
}

// admitted dials raw, says hello and waits for ready.
func (rg *relayRig) admitted(t *testing.T) *rawConn {
	t.Helper()
	r := dialRaw(t, rg.url)
	r.ctl(Control{Op: OpHello, Token: "tok"})
	if m := r.readControl(); m.Op != OpReady {
		t.Fatalf("got %+v, want ready", m)
	}
	return r
}

// allocRaw allocates stream id on r.
func (r *rawConn) alloc(id int) Control {
	r.t.Helper()
	r.ctl(Control{Op: OpAlloc, ID: id})
	return r.readControl()
}
