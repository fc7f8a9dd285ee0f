package rtprelay

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"
)

// fakeSocket records what a Client sends.
type fakeSocket struct {
	mu     sync.Mutex
	sent   [][]byte
	binary []bool
	closed bool
	sentCh chan struct{}
}

func newFakeSocket() *fakeSocket { return &fakeSocket{sentCh: make(chan struct{}, 100)} }

func (f *fakeSocket) Send(binary bool, data []byte) error {
	f.mu.Lock()
	f.sent = append(f.sent, append([]byte(nil), data...))
	f.binary = append(f.binary, binary)
	f.mu.Unlock()
	f.sentCh <- struct{}{}
	return nil
}

func (f *fakeSocket) Close() error {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	return nil
}

// next waits for the next frame sent.
func (f *fakeSocket) next(t *testing.T, i int) (bool, []byte) {
	t.Helper()
	select {
	case <-f.sentCh:
	case <-time.After(5 * time.Second):
		t.Fatalf("frame %d never sent", i)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.binary[i], f.sent[i]
}

func ctl(c Control) []byte { return c.Marshal() }

// allocated returns a client with one stream on port 40000 of 203.0.113.5.
func allocated(t *testing.T) (*fakeSocket, *Client, *Stream) {
	t.Helper()
	sock := newFakeSocket()
	c := NewClient(sock, "tok")
	_, hello := sock.next(t, 0)
	if m, _ := ParseControl(hello); m.Op != OpHello || m.Token != "tok" {
		t.Fatalf("hello: %s", hello)
	}
	c.Receive(false, ctl(Control{Op: OpReady}))
	type res struct {
		s   *Stream
		err error
	}
	done := make(chan res, 1)
	go func() {
		s, err := c.Allocate(context.Background())
		done <- res{s, err}
	}()
	_, alloc := sock.next(t, 1)
	m, _ := ParseControl(alloc)
	if m.Op != OpAlloc || m.ID == 0 {
		t.Fatalf("alloc: %s", alloc)
	}
	c.Receive(false, ctl(Control{Op: OpAlloc, ID: m.ID, IP: "203.0.113.5", Port: 40000}))
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	return sock, c, r.s
}

func TestClientStreamIsAPacketConn(t *testing.T) {
	sock, c, s := allocated(t)
	if la := s.RTP().LocalAddr().(*net.UDPAddr); la.String() != "203.0.113.5:40000" {
		t.Fatalf("RTP LocalAddr %v", la)
	}
	if la := s.RTCP().LocalAddr().(*net.UDPAddr); la.Port != 40001 {
		t.Fatalf("RTCP LocalAddr %v", la)
	}

	// WriteTo: a binary frame with the destination.
	dst := &net.UDPAddr{IP: net.ParseIP("192.0.2.10"), Port: 7078}
	if n, err := s.RTP().WriteTo([]byte{0x80, 0, 1}, dst); err != nil || n != 3 {
		t.Fatal(n, err)
	}
	bin, frame := sock.next(t, 2)
	p, err := ParsePacket(frame)
	if !bin || err != nil || p.Kind != KindRTP || int(p.Stream) != s.ID() || p.Addr.String() != "192.0.2.10:7078" || string(p.Payload) != "\x80\x00\x01" {
		t.Fatalf("frame %v %+v %v", bin, p, err)
	}

	// ReadFrom: the packet the relay received, with its source.
	in, _ := AppendPacket(nil, Packet{Kind: KindRTCP, Stream: uint16(s.ID()), Addr: netip.MustParseAddrPort("192.0.2.10:7079"), Payload: []byte("rtcp")})
	c.Receive(true, in)
	buf := make([]byte, 100)
	n, from, err := s.RTCP().ReadFrom(buf)
	if err != nil || string(buf[:n]) != "rtcp" || from.(*net.UDPAddr).String() != "192.0.2.10:7079" {
		t.Fatal(n, from, err)
	}

	// Deadline: a read times out with a net.Error whose Timeout is true.
	_ = s.RTP().SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, _, err = s.RTP().ReadFrom(buf)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past deadline: %v", err)
	}
	// A deadline in the past wakes a blocked reader (mediacore's Stop does that).
	woke := make(chan error, 1)
	_ = s.RTP().SetReadDeadline(time.Time{})
	go func() { _, _, err := s.RTP().ReadFrom(buf); woke <- err }()
	_ = s.RTP().SetReadDeadline(time.Now().Add(-time.Second))
	if err := <-woke; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("blocked reader: %v", err)
	}
	_ = s.RTP().SetReadDeadline(time.Time{})

	// Close: free sent, reads end with net.ErrClosed.
	go func() { _, _, err := s.RTP().ReadFrom(buf); woke <- err }()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-woke; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read after Close: %v", err)
	}
	_, free := sock.next(t, 3)
	if m, _ := ParseControl(free); m.Op != OpFree || m.ID != s.ID() {
		t.Fatalf("free: %s", free)
	}
	if _, err := s.RTP().WriteTo([]byte{1}, dst); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write after Close: %v", err)
	}
}

func TestClientSocketEndEndsStreams(t *testing.T) {
	_, c, s := allocated(t)
	c.Closed(errors.New("gone"))
	if _, _, err := s.RTP().ReadFrom(make([]byte, 10)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read: %v", err)
	}
	if s.Err() == nil || c.Err() == nil {
		t.Fatal("no reason kept")
	}
	if _, err := c.Allocate(context.Background()); err == nil {
		t.Fatal("Allocate on an ended client")
	}
}

func TestClientAllocateFailures(t *testing.T) {
	sock := newFakeSocket()
	c := NewClient(sock, "")
	sock.next(t, 0)
	c.Receive(false, ctl(Control{Op: OpReady}))
	errc := make(chan error, 1)
	go func() { _, err := c.Allocate(context.Background()); errc <- err }()
	_, alloc := sock.next(t, 1)
	m, _ := ParseControl(alloc)
	c.Receive(false, ctl(Control{Op: OpError, ID: m.ID, Code: CodeUnavailable, Reason: "no free ports"}))
	var re *Error
	if err := <-errc; !errors.As(err, &re) || re.Code != 503 {
		t.Fatalf("got %v", err)
	}

	// Bounded by ctx: no answer, then the late stream is freed.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := c.Allocate(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	sock.next(t, 2)
	_, free := sock.next(t, 3)
	if m, _ := ParseControl(free); m.Op != OpFree {
		t.Fatalf("no free after giving up: %s", free)
	}

	// A connection error (no id) ends the client.
	c.Receive(false, ctl(Control{Op: OpError, Code: CodeBadRequest, Reason: "too many bad frames"}))
	if !errors.As(c.Err(), &re) || re.Code != 400 {
		t.Fatalf("client error %v", c.Err())
	}
}

func TestClientRefusedToken(t *testing.T) {
	sock := newFakeSocket()
	c := NewClient(sock, "wrong")
	c.Receive(false, ctl(Control{Op: OpError, Code: CodeForbidden, Reason: "token not admitted"}))
	var re *Error
	if err := c.Ready(context.Background()); !errors.As(err, &re) || re.Code != 403 {
		t.Fatalf("Ready: %v", err)
	}
}

func TestClientSurvivesJunk(t *testing.T) {
	_, c, s := allocated(t)
	c.Receive(true, []byte{1, 2})
	c.Receive(false, []byte("{not json"))
	c.Receive(false, ctl(Control{Op: "alloc", ID: 999, IP: "x"}))
	in, _ := AppendPacket(nil, Packet{Kind: KindRTP, Stream: 4242, Addr: netip.MustParseAddrPort("192.0.2.1:1"), Payload: []byte{1}})
	c.Receive(true, in)
	dropped, junk := c.Stats()
	if junk != 2 || dropped != 1 {
		t.Fatalf("dropped %d junk %d", dropped, junk)
	}
	if c.Err() != nil || s.Err() != nil {
		t.Fatal("junk ended the client")
	}
}

func TestClientStreamFreedByRelay(t *testing.T) {
	_, c, s := allocated(t)
	var heard []*Error
	c.OnError(func(e *Error) { heard = append(heard, e) })
	c.Receive(false, ctl(Control{Op: OpError, ID: s.ID(), Code: CodeForbidden, Reason: "destination not allowed"}))
	if s.Err() != nil || s.LastError() == nil || len(heard) != 1 || heard[0].Code != CodeForbidden {
		t.Fatalf("403: err %v last %v heard %v", s.Err(), s.LastError(), heard)
	}
	c.Receive(false, ctl(Control{Op: OpFreed, ID: s.ID(), Reason: "idle"}))
	if len(heard) != 2 || heard[1].Code != CodeGone || heard[1].Stream != s.ID() {
		t.Fatalf("idle free not reported: %v", heard)
	}
	if _, _, err := s.RTP().ReadFrom(make([]byte, 10)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read: %v", err)
	}
	var re *Error
	if !errors.As(s.Err(), &re) || re.Code != CodeGone {
		t.Fatalf("stream error %v", s.Err())
	}
}
