//go:build !js

package rtprelay

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"
)

// Server is the relay: an http.Handler for WebSocket upgrades with the
// webphone-rtp subprotocol (serve it on a path such as /rtp). Each admitted
// connection may allocate port pairs; packets travel between its frames and
// the pairs' UDP sockets.
type Server struct {
	cfg  Config
	log  *slog.Logger
	pool *PortPool

	mu      sync.Mutex
	conns   map[*serverConn]struct{}
	changed chan struct{} // closed and replaced when conns changes
	closed  bool

	stop     chan struct{}
	stopOnce sync.Once
	sweeper  sync.WaitGroup

	stats counters
}

// counters are the relay's statistics (atomic).
type counters struct {
	toPeer, toPage, forbidden, rateLimited, junk, dropped atomic.Uint64
}

// Stats is a snapshot of a Server's counters.
type Stats struct {
	Connections   int    // live WebSocket connections
	Streams       int    // allocated port pairs
	PacketsToPeer uint64 // packets sent from pages to UDP peers
	PacketsToPage uint64 // packets received on UDP and sent to pages
	Forbidden     uint64 // dropped: destination not allowed by the policy
	RateLimited   uint64 // dropped: over the packet rate
	Junk          uint64 // bad frames (unparsable, oversized, fragmented, unmasked)
	Dropped       uint64 // other drops: unknown stream, oversized datagram
}

// NewServer checks cfg and starts the idle sweeper.
func NewServer(cfg Config) (*Server, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	pool, err := NewPortPool(cfg.BindIP, cfg.Ports)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{cfg: cfg, log: log, pool: pool, conns: map[*serverConn]struct{}{},
		changed: make(chan struct{}), stop: make(chan struct{})}
	s.sweeper.Add(1)
	go s.sweepLoop()
	return s, nil
}

// ServeHTTP upgrades a WebSocket request offering the webphone-rtp
// subprotocol and runs the connection until it ends.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !offersSubprotocol(r) {
		http.Error(w, "the RTP relay needs a WebSocket upgrade with Sec-WebSocket-Protocol: "+Subprotocol, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		http.Error(w, "relay closed", http.StatusServiceUnavailable)
		return
	}
	up := ws.HTTPUpgrader{Protocol: func(p string) bool { return p == Subprotocol }}
	conn, rw, _, err := up.Upgrade(r, w)
	if err != nil {
		s.log.Debug("relay upgrade failed", "error", err, "remote", r.RemoteAddr)
		return
	}
	c := newServerConn(s, conn, rw.Reader, r)
	if !s.add(c) {
		c.close()
		return
	}
	c.run()
}

func offersSubprotocol(r *http.Request) bool {
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			if strings.TrimSpace(p) == Subprotocol {
				return true
			}
		}
	}
	return false
}

func (s *Server) add(c *serverConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	s.changedLocked()
	return true
}

func (s *Server) remove(c *serverConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.conns[c]; ok {
		delete(s.conns, c)
		s.changedLocked()
	}
}

func (s *Server) changedLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// WaitConnections waits until at most n connections are live (their streams
// freed), or ctx ends.
func (s *Server) WaitConnections(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		live, ch := len(s.conns), s.changed
		s.mu.Unlock()
		if live <= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	n := len(s.conns)
	s.mu.Unlock()
	return Stats{
		Connections: n, Streams: s.pool.InUse(),
		PacketsToPeer: s.stats.toPeer.Load(), PacketsToPage: s.stats.toPage.Load(),
		Forbidden: s.stats.forbidden.Load(), RateLimited: s.stats.rateLimited.Load(),
		Junk: s.stats.junk.Load(), Dropped: s.stats.dropped.Load(),
	}
}

// Sweep frees the streams idle for longer than Config.IdleTimeout by the
// Config.Clock. The server calls it every SweepInterval.
func (s *Server) Sweep() {
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	conns := make([]*serverConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.sweep(now)
	}
}

func (s *Server) sweepLoop() {
	defer s.sweeper.Done()
	t := time.NewTicker(s.cfg.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.Sweep()
		case <-s.stop:
			return
		}
	}
}

// Close disconnects every connection, frees every port and stops the
// sweeper. Later upgrades are refused.
func (s *Server) Close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	s.sweeper.Wait()
	s.mu.Lock()
	s.closed = true
	conns := make([]*serverConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.closeWith(0, "relay shutting down")
	}
	return nil
}
