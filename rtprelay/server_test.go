//go:build !js

package rtprelay

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

// The relay forwards RTP and RTCP both ways: the peer sees the packets come
// from the allocated pair, the page gets the peer's with their source.
func TestRelayForwardsBothWays(t *testing.T) {
	rg := startRelay(t, 2, nil)
	c := rg.client(t, "tok")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	s, err := c.Allocate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.IP().String() != "127.0.0.1" || s.Port() < rg.cfg.Ports.Min || s.Port()+1 > rg.cfg.Ports.Max || s.Port()%2 != 0 {
		t.Fatalf("allocated %v:%d outside %v", s.IP(), s.Port(), rg.cfg.Ports)
	}
	peer := rg.peerAddr()
	for _, side := range []struct {
		conn net.PacketConn
		port int
	}{{s.RTP(), s.Port()}, {s.RTCP(), s.Port() + 1}} {
		if _, err := side.conn.WriteTo([]byte("to peer"), peer); err != nil {
			t.Fatal(err)
		}
		got, from := rg.peerRead(t)
		if string(got) != "to peer" || from.Port != side.port {
			t.Fatalf("peer got %q from %v, want from port %d", got, from, side.port)
		}
		if _, err := rg.peer.WriteToUDP([]byte("to page"), from); err != nil {
			t.Fatal(err)
		}
		_ = side.conn.SetReadDeadline(time.Now().Add(wait))
		buf := make([]byte, 100)
		n, src, err := side.conn.ReadFrom(buf)
		if err != nil || string(buf[:n]) != "to page" || src.String() != peer.String() {
			t.Fatalf("page got %q from %v (%v), want from %v", buf[:n], src, err, peer)
		}
	}
	st := rg.srv.Stats()
	if st.PacketsToPeer != 2 || st.PacketsToPage != 2 || st.Streams != 1 {
		t.Fatalf("stats %+v", st)
	}
	// free releases the pair: control messages are handled in order, so
	// once the next alloc is answered the free was.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Allocate(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rg.srv.Stats().Streams; n != 1 {
		t.Fatalf("%d streams after a free and an alloc, want 1", n)
	}
}

func TestRelayRefusesUnknownToken(t *testing.T) {
	rg := startRelay(t, 1, nil)
	c := rg.client(t, "guess")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var re *Error
	if err := c.Ready(ctx); !errors.As(err, &re) || re.Code != CodeForbidden {
		t.Fatalf("Ready: %v", err)
	}
	if _, err := c.Allocate(ctx); err == nil {
		t.Fatal("allocated without admission")
	}
	if rg.srv.Stats().Streams != 0 {
		t.Fatal("a stream exists")
	}
}

func TestRelayNeedsHelloFirst(t *testing.T) {
	rg := startRelay(t, 1, func(c *Config) { c.HelloTimeout = 50 * time.Millisecond })
	r := dialRaw(t, rg.url)
	r.ctl(Control{Op: OpAlloc, ID: 1})
	if m := r.readControl(); m.Op != OpError || m.Code != CodeBadRequest || m.ID != 0 {
		t.Fatalf("got %+v", m)
	}
	r.readClose()

	// Binary before hello is junk, and no hello at all closes with 403.
	r = dialRaw(t, rg.url)
	r.packet(Packet{Kind: KindRTP, Stream: 1, Addr: rg.peerAddr().AddrPort(), Payload: []byte{1}})
	if m := r.readControl(); m.Op != OpError || m.Code != CodeForbidden || !strings.Contains(m.Reason, "hello") {
		t.Fatalf("got %+v", m)
	}
	r.readClose()
	rg.peerQuiet(t)
}

// A page cannot send to an address it was not given: the packet is
// dropped, counted, and the page hears one 403 for the stream.
func TestRelayDropsDisallowedDestination(t *testing.T) {
	rg := startRelay(t, 1, nil)
	other, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	r := rg.admitted(t)
	if m := r.alloc(1); m.Op != OpAlloc {
		t.Fatalf("alloc: %+v", m)
	}
	for i := 0; i < 3; i++ {
		r.packet(Packet{Kind: KindRTP, Stream: 1, Addr: other.LocalAddr().(*net.UDPAddr).AddrPort(), Payload: []byte("sneak")})
	}
	r.packet(Packet{Kind: KindRTP, Stream: 1, Addr: rg.peerAddr().AddrPort(), Payload: []byte("fine")})
	if m := r.readControl(); m.Op != OpError || m.ID != 1 || m.Code != CodeForbidden || !strings.Contains(m.Reason, "not allowed") {
		t.Fatalf("got %+v, want one 403 for stream 1", m)
	}
	if got, _ := rg.peerRead(t); string(got) != "fine" {
		t.Fatalf("peer got %q", got)
	}
	// The frames are handled in order: the forbidden ones came first.
	_ = other.SetReadDeadline(time.Now())
	if n, _, err := other.ReadFromUDP(make([]byte, 100)); err == nil {
		t.Fatalf("the disallowed address got %d bytes", n)
	}
	if st := rg.srv.Stats(); st.Forbidden != 3 || st.PacketsToPeer != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// Junk and oversized frames are counted and dropped; the connection lives
// on until it sent more than MaxJunk, then closes with a reason.
func TestRelaySurvivesJunkFrames(t *testing.T) {
	rg := startRelay(t, 1, func(c *Config) { c.MaxJunk = 8 })
	r := rg.admitted(t)
	if m := r.alloc(1); m.Op != OpAlloc {
		t.Fatalf("alloc: %+v", m)
	}
	oversized, _ := AppendPacket(nil, Packet{Kind: KindRTP, Stream: 1, Addr: rg.peerAddr().AddrPort()})
	oversized = append(oversized, make([]byte, 3000)...)
	r.send(ws.OpBinary, []byte{0xff, 0, 1})                                 // bad kind
	r.send(ws.OpBinary, oversized)                                          // oversized frame
	r.send(ws.OpText, []byte("{junk"))                                      // not JSON
	r.ctl(Control{Op: "launch", ID: 1})                                     // unknown op
	r.sendFrame(ws.NewFrame(ws.OpBinary, false, []byte{1, 0, 1, 4}))        // a fragment
	r.sendFrame(ws.NewFrame(ws.OpContinuation, true, []byte{127, 0, 0, 1})) // its continuation
	r.send(ws.OpPing, []byte("still there?"))
	// Still alive: a packet gets through.
	r.packet(Packet{Kind: KindRTP, Stream: 1, Addr: rg.peerAddr().AddrPort(), Payload: []byte("after junk")})
	if got, _ := rg.peerRead(t); string(got) != "after junk" {
		t.Fatalf("peer got %q", got)
	}
	if st := rg.srv.Stats(); st.Junk != 6 || st.PacketsToPeer != 1 {
		t.Fatalf("stats %+v", st)
	}
	// Over the limit: an error without id, a close frame, ports freed.
	for i := 0; i < 3; i++ {
		r.send(ws.OpBinary, []byte("garbage"))
	}
	m := r.readControl()
	if m.Op != OpError || m.ID != 0 || m.Code != CodeBadRequest || !strings.Contains(m.Reason, "too many bad frames") {
		t.Fatalf("got %+v", m)
	}
	if reason := r.readClose(); !strings.Contains(reason, "too many bad frames") {
		t.Fatalf("close reason %q", reason)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := rg.srv.WaitConnections(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if n := rg.srv.Stats().Streams; n != 0 {
		t.Fatalf("%d streams left", n)
	}
}

// A frame far over any valid size closes the connection at once.
func TestRelayClosesOnHugeFrame(t *testing.T) {
	rg := startRelay(t, 1, nil)
	r := rg.admitted(t)
	r.send(ws.OpBinary, make([]byte, maxDiscard+1))
	if m := r.readControl(); m.Code != CodeBadRequest || m.Reason != "frame too large" {
		t.Fatalf("got %+v", m)
	}
	r.readClose()
}

// A page that vanishes mid-call (TCP gone, no close frame, no free) frees
// its ports.
func TestRelayFreesPortsOfVanishedPage(t *testing.T) {
	rg := startRelay(t, 2, nil)
	r := rg.admitted(t)
	ports := []int{r.alloc(1).Port, r.alloc(2).Port}
	if ports[0] == 0 || ports[1] == 0 || rg.srv.Stats().Streams != 2 {
		t.Fatalf("alloc: %v %+v", ports, rg.srv.Stats())
	}
	// Mid-call: media flows both ways when the page vanishes.
	r.packet(Packet{Kind: KindRTP, Stream: 1, Addr: rg.peerAddr().AddrPort(), Payload: []byte("rtp")})
	_, relayAddr := rg.peerRead(t)
	if _, err := rg.peer.WriteToUDP([]byte("back"), relayAddr); err != nil {
		t.Fatal(err)
	}
	if p := r.readPacket(); string(p.Payload) != "back" || p.Stream != 1 {
		t.Fatalf("page got %+v", p)
	}
	r.conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := rg.srv.WaitConnections(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if n := rg.srv.Stats().Streams; n != 0 {
		t.Fatalf("%d streams left", n)
	}
	for _, p := range ports {
		for _, port := range []int{p, p + 1} {
			c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
			if err != nil {
				t.Fatalf("port %d still bound: %v", port, err)
			}
			c.Close()
		}
	}
}

// Port exhaustion answers 503 "no free relay ports"; a freed pair is
// allocated again.
func TestRelayPortExhaustionIs503(t *testing.T) {
	rg := startRelay(t, 2, func(c *Config) { c.MaxStreams = 10 })
	c := rg.client(t, "tok")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	s1, err := c.Allocate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Allocate(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = c.Allocate(ctx)
	var re *Error
	if !errors.As(err, &re) || re.Code != CodeUnavailable || re.Reason != "no free relay ports" {
		t.Fatalf("third Allocate: %v", err)
	}
	if c.Err() != nil {
		t.Fatal("exhaustion ended the connection")
	}
	s1.Close()
	s3, err := c.Allocate(ctx)
	if err != nil {
		t.Fatalf("after a free: %v", err)
	}
	if s3.Port() != s1.Port() {
		t.Fatalf("got port %d, want the freed %d", s3.Port(), s1.Port())
	}
}

func TestRelayStreamLimitIs429(t *testing.T) {
	rg := startRelay(t, 3, func(c *Config) { c.MaxStreams = 1 })
	r := rg.admitted(t)
	if m := r.alloc(1); m.Op != OpAlloc {
		t.Fatalf("alloc: %+v", m)
	}
	if m := r.alloc(2); m.Op != OpError || m.ID != 2 || m.Code != CodeTooMany {
		t.Fatalf("second alloc: %+v", m)
	}
	if m := r.alloc(1); m.Op != OpError || m.Code != CodeBadRequest {
		t.Fatalf("id in use: %+v", m)
	}
}

// Packets over the rate are dropped (one 429 says so); the rate refills
// with the clock.
func TestRelayRateLimit(t *testing.T) {
	rg := startRelay(t, 1, func(c *Config) { c.MaxRate = 10 })
	r := rg.admitted(t)
	r.alloc(1)
	for i := 0; i < 15; i++ {
		r.packet(Packet{Kind: KindRTP, Stream: 1, Addr: rg.peerAddr().AddrPort(), Payload: []byte{byte(i)}})
	}
	if m := r.readControl(); m.Op != OpError || m.ID != 1 || m.Code != CodeTooMany {
		t.Fatalf("got %+v", m)
	}
	// A round trip: every packet before it was handled (frames are handled in order).
	if m := r.alloc(1); m.Code != CodeBadRequest {
		t.Fatalf("got %+v", m)
	}
	for i := 0; i < 10; i++ {
		if got, _ := rg.peerRead(t); got[0] != byte(i) {
			t.Fatalf("packet %d: %v", i, got)
		}
	}
	rg.clock.Advance(time.Second)
	r.packet(Packet{Kind: KindRTP, Stream: 1, Addr: rg.peerAddr().AddrPort(), Payload: []byte("later")})
	if got, _ := rg.peerRead(t); string(got) != "later" {
		t.Fatalf("after a second the peer got %q (packets 10-14 must have been dropped)", got)
	}
	if st := rg.srv.Stats(); st.RateLimited != 5 {
		t.Fatalf("stats %+v", st)
	}
}

// A stream without packets for IdleTimeout (by the injected clock) is freed
// and the page told; one with traffic stays.
func TestRelayIdleTimeout(t *testing.T) {
	rg := startRelay(t, 2, func(c *Config) { c.IdleTimeout = time.Minute })
	r := rg.admitted(t)
	r.alloc(1)
	r.alloc(2)
	rg.clock.Advance(40 * time.Second)
	r.packet(Packet{Kind: KindRTP, Stream: 2, Addr: rg.peerAddr().AddrPort(), Payload: []byte("alive")})
	rg.peerRead(t) // handled
	rg.clock.Advance(21 * time.Second)
	rg.srv.Sweep()
	if m := r.readControl(); m.Op != OpFreed || m.ID != 1 || m.Reason != "idle" {
		t.Fatalf("got %+v", m)
	}
	if n := rg.srv.Stats().Streams; n != 1 {
		t.Fatalf("%d streams, want stream 2 alive", n)
	}
	rg.clock.Advance(40 * time.Second)
	rg.srv.Sweep()
	if m := r.readControl(); m.Op != OpFreed || m.ID != 2 {
		t.Fatalf("got %+v", m)
	}
	if n := rg.srv.Stats().Streams; n != 0 {
		t.Fatalf("%d streams left", n)
	}
}

// Broadcast, multicast, unspecified and port 0 are refused even when a
// policy allows everything.
func TestRelayRefusesNonUnicast(t *testing.T) {
	rg := startRelay(t, 1, func(c *Config) {
		c.Admission = AdmitFunc(func(*http.Request, string) (Policy, error) {
			return PolicyFunc(func(netip.AddrPort, Kind) bool { return true }), nil
		})
	})
	r := rg.admitted(t)
	r.alloc(1)
	for _, dst := range []string{"255.255.255.255:4000", "224.0.0.1:4000", "0.0.0.0:4000", "127.0.0.1:0", "[ff02::1]:4000"} {
		r.packet(Packet{Kind: KindRTP, Stream: 1, Addr: netip.MustParseAddrPort(dst), Payload: []byte{1}})
	}
	r.packet(Packet{Kind: KindRTP, Stream: 1, Addr: rg.peerAddr().AddrPort(), Payload: []byte("ok")})
	if got, _ := rg.peerRead(t); string(got) != "ok" {
		t.Fatalf("peer got %q", got)
	}
	if st := rg.srv.Stats(); st.Forbidden != 5 || st.PacketsToPeer != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestSecretOrOriginAdmission(t *testing.T) {
	req := func(origin string) *http.Request {
		r, _ := http.NewRequest("GET", "http://relay/rtp", nil)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		return r
	}
	nets, err := ParseNetworks("192.0.2.0/24, 2001:db8::1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (SecretOrOrigin{}).Admit(req(""), ""); err == nil {
		t.Error("no secret and no origins admitted someone")
	}
	a := SecretOrOrigin{Secret: "s3", Policy: nets}
	if _, err := a.Admit(req(""), "s3"); err != nil {
		t.Error(err)
	}
	if _, err := a.Admit(req(""), "s4"); err == nil {
		t.Error("wrong secret admitted")
	}
	o := SecretOrOrigin{Origins: []string{"https://pbx.example.com/"}, Policy: nets}
	if _, err := o.Admit(req("https://pbx.example.com"), ""); err != nil {
		t.Error(err)
	}
	if _, err := o.Admit(req("https://evil.example"), ""); err == nil {
		t.Error("foreign origin admitted")
	}
	if _, err := o.Admit(req(""), ""); err == nil {
		t.Error("no origin admitted")
	}
	pol, _ := a.Admit(req(""), "s3")
	for dst, want := range map[string]bool{"192.0.2.9:4000": true, "198.51.100.1:4000": false, "[2001:db8::1]:5": true, "[2001:db8::2]:5": false, "192.0.2.9:0": false} {
		if got := pol.Allow(netip.MustParseAddrPort(dst), KindRTP); got != want {
			t.Errorf("Allow(%s) = %v", dst, got)
		}
	}
}

func TestRelayRefusesPlainUpgrade(t *testing.T) {
	rg := startRelay(t, 1, nil)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if _, _, _, err := (ws.Dialer{Protocols: []string{"sip"}}).Dial(ctx, rg.url); err == nil {
		t.Fatal("upgrade without the webphone-rtp subprotocol accepted")
	}
}

// releasingPolicy reports its Release on a channel.
type releasingPolicy struct {
	Networks
	released chan struct{}
}

func (p releasingPolicy) Release() { close(p.released) }

// An Admission may refuse with its own code (429 here), and a Policy that is
// a Releaser hears when its connection ended.
func TestRelayAdmissionCodeAndRelease(t *testing.T) {
	released := make(chan struct{})
	rg := startRelay(t, 1, func(c *Config) {
		c.Admission = AdmitFunc(func(r *http.Request, token string) (Policy, error) {
			if token == "busy" {
				return nil, &Error{Code: CodeTooMany, Reason: "too many connections"}
			}
			return releasingPolicy{released: released}, nil
		})
	})
	busy := rg.client(t, "busy")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var re *Error
	if err := busy.Ready(ctx); !errors.As(err, &re) || re.Code != CodeTooMany || re.Reason != "too many connections" {
		t.Fatalf("Ready: %v", err)
	}
	c := rg.client(t, "any")
	if err := c.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-released:
		t.Fatal("released while connected")
	default:
	}
	c.Close()
	select {
	case <-released:
	case <-ctx.Done():
		t.Fatal("the policy never heard that its connection ended")
	}
}
