package infra

import (
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// Relay is a TCP proxy on 127.0.0.1 between a client (a browser page's
// WebSocket) and a server (Kamailio's WebSocket port) that a test can cut:
// Cut closes every connection it carries, as a dropped network would, and
// Refuse makes it turn new connections away until Accept. It forwards bytes
// only (the WebSocket handshake and frames pass through unchanged), so the
// server sees each client connection as a new TCP connection from the
// relay, with a new source port after every cut.
type Relay struct {
	// Addr is the relay's listening address ("127.0.0.1:port").
	Addr string
	// URL is "ws://" + Addr, what a page uses as its WebSocket server.
	URL string

	target string
	ln     net.Listener
	done   chan struct{}

	mu       sync.Mutex
	pairs    map[*relayPair]struct{}
	refusing bool
	accepted int // connections forwarded to the target so far
	refused  int // connections turned away while refusing
	changed  chan struct{}
	closed   bool
}

// relayPair is one client connection and its connection to the target.
type relayPair struct {
	client, server net.Conn
	once           sync.Once
}

func (p *relayPair) close() {
	p.once.Do(func() {
		// RST rather than FIN: the peers see the connection die at once, as
		// when a network path drops.
		if tc, ok := p.client.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		if tc, ok := p.server.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		p.client.Close()
		p.server.Close()
	})
}

// StartRelay listens on a free 127.0.0.1 port and forwards every
// connection to target (host:port). The test's cleanup closes it and every
// connection it carries.
func StartRelay(t testing.TB, target string) *Relay {
	t.Helper()
	if _, _, err := net.SplitHostPort(target); err != nil {
		t.Fatalf("infra: bad relay target %q: %v", target, err)
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("infra: relay: %v", err)
	}
	r := &Relay{
		Addr:    ln.Addr().String(),
		target:  target,
		ln:      ln,
		done:    make(chan struct{}),
		pairs:   map[*relayPair]struct{}{},
		changed: make(chan struct{}),
	}
	r.URL = "ws://" + r.Addr
	go r.acceptLoop()
	t.Cleanup(r.Close)
	return r
}

func (r *Relay) acceptLoop() {
	defer close(r.done)
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		go r.serve(c)
	}
}

// serve connects one client to the target, or turns it away while the
// relay refuses connections.
func (r *Relay) serve(client net.Conn) {
	r.mu.Lock()
	refusing, closed := r.refusing, r.closed
	if refusing {
		r.refused++
		r.signalLocked()
	}
	r.mu.Unlock()
	if refusing || closed {
		if tc, ok := client.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		client.Close()
		return
	}
	server, err := net.DialTimeout("tcp", r.target, 5*time.Second)
	if err != nil {
		client.Close()
		return
	}
	p := &relayPair{client: client, server: server}
	r.mu.Lock()
	if r.closed || r.refusing {
		r.mu.Unlock()
		p.close()
		return
	}
	r.pairs[p] = struct{}{}
	r.accepted++
	r.signalLocked()
	r.mu.Unlock()

	var wg sync.WaitGroup
	wg.Add(2)
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		_, _ = io.Copy(dst, src)
		p.close() // either side ending ends the pair
	}
	go pipe(server, client)
	go pipe(client, server)
	wg.Wait()
	r.mu.Lock()
	delete(r.pairs, p)
	r.signalLocked()
	r.mu.Unlock()
}

// signalLocked wakes everyone waiting for a change (caller holds r.mu).
func (r *Relay) signalLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// Cut closes every connection the relay carries now (both sides, with a
// TCP reset) and returns how many there were. New connections are still
// accepted unless Refuse is on.
func (r *Relay) Cut() int {
	r.mu.Lock()
	pairs := make([]*relayPair, 0, len(r.pairs))
	for p := range r.pairs {
		pairs = append(pairs, p)
	}
	r.mu.Unlock()
	for _, p := range pairs {
		p.close()
	}
	return len(pairs)
}

// Refuse makes the relay turn new connections away (accept, then reset)
// until Accept is called; connections already up are kept.
func (r *Relay) Refuse() {
	r.mu.Lock()
	r.refusing = true
	r.mu.Unlock()
}

// Accept ends Refuse: new connections are forwarded again.
func (r *Relay) Accept() {
	r.mu.Lock()
	r.refusing = false
	r.mu.Unlock()
}

// Accepted is the number of connections forwarded to the target so far.
func (r *Relay) Accepted() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.accepted
}

// Refused is the number of connections turned away while refusing.
func (r *Relay) Refused() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refused
}

// Active is the number of connections the relay carries now.
func (r *Relay) Active() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pairs)
}

// WaitFor waits until cond (called with the counts accepted, refused and
// active) holds, re-checking it whenever a connection comes or goes.
func (r *Relay) WaitFor(what string, timeout time.Duration, cond func(accepted, refused, active int) bool) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		ok := cond(r.accepted, r.refused, len(r.pairs))
		a, f, n, ch := r.accepted, r.refused, len(r.pairs), r.changed
		r.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			return fmt.Errorf("relay: no %s within %v (accepted %d, refused %d, active %d)", what, timeout, a, f, n)
		}
	}
}

// Close stops listening and closes every connection. Safe to call more
// than once.
func (r *Relay) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	r.mu.Unlock()
	r.ln.Close()
	<-r.done
	r.Cut()
}
