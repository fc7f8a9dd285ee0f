package demoserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/opensoftphone/webphone/rtprelay"
)

// Options configure a Server.
type Options struct {
	// Addr is the HTTP + SIP-over-WebSocket listen address, e.g.
	// "127.0.0.1:8080" (port 0 picks a free port).
	Addr string
	// UDPAddr is the SIP/UDP listen address, e.g. "127.0.0.1:5060"; empty
	// disables UDP.
	UDPAddr string
	// WWWDir is the static folder served over HTTP; empty serves nothing.
	WWWDir string
	// Realm is the digest realm; empty uses the SIP domain.
	Realm string
	// Domain is the SIP domain users register under; empty uses the IP of
	// Addr (or of the first non-loopback interface when Addr is unspecified).
	Domain string
	// Accounts maps user -> password; nil uses DefaultAccounts().
	Accounts map[string]string
	// Logger receives server and sipgo logs; nil discards them.
	Logger *slog.Logger
	// PlainProxy leaves out the presence agent: PUBLISH gets 405 and
	// SUBSCRIBEs are relayed to the users' phones, like a proxy without a
	// presence server.
	PlainProxy bool
	// RelayPorts is the UDP port range of the built-in RTP relay (served at
	// /rtp, docs/rtprelay.md); zero uses DefaultRelayPorts.
	RelayPorts rtprelay.PortRange
	// RelayPublicIP is the address the relay announces for SDP; empty uses
	// the IP of Addr as WSURL shows it.
	RelayPublicIP string
	// NoRelay leaves the RTP relay out (no token in REGISTER answers).
	NoRelay bool
}

// Server is the demo registrar + proxy + static web server.
type Server struct {
	opts     Options
	log      *slog.Logger
	accounts map[string]string

	ua     *sipgo.UserAgent
	sip    *sipgo.Server
	client *sipgo.Client

	auth       *digestAuth
	bindings   *bindings
	flows      *flowTable
	live       *liveFlows       // open WebSocket connections (flowlife.go)
	presence   *presenceAgent   // presence and busy lamps (presence.go)
	rtpRelay   *rtprelay.Server // the RTP-over-WebSocket relay (rtprelay.go); nil when off
	media      *mediaBook       // media addresses of relayed calls, the relay's policy
	relayUsers relayUsers       // relay connections per user

	httpLn  net.Listener
	httpSrv *http.Server
	wsLn    *wsListener
	udpConn net.PacketConn

	domain   string
	wsHost   string
	wsPort   int
	udpHost  string
	udpPort  int
	udpLaddr sip.Addr

	wg        sync.WaitGroup
	closeOnce sync.Once
	started   bool
}

// New validates opts and builds a Server; Start makes it listen.
func New(opts Options) (*Server, error) {
	if opts.Addr == "" {
		return nil, errors.New("demoserver: Options.Addr is required")
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	acc := opts.Accounts
	if acc == nil {
		acc = DefaultAccounts()
	}
	if len(acc) == 0 {
		return nil, errors.New("demoserver: no accounts")
	}
	s := &Server{opts: opts, log: log, accounts: acc, bindings: newBindings(), flows: newFlowTable(), live: newLiveFlows()}
	if !opts.PlainProxy {
		s.presence = newPresenceAgent(s)
	}
	sipLog := sipgoLogger(log)

	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent("webphone-demo"),
		sipgo.WithUserAgentTransportLayerOptions(
			sip.WithTransportLayerLogger(sipLog),
			sip.WithTransportLayerReadFilter(dropUnparsable),
		),
		sipgo.WithUserAgentTransactionLayerOptions(
			sip.WithTransactionLayerLogger(sipLog),
			sip.WithTransactionLayerUnhandledResponseHandler(func(r *sip.Response) {
				log.Debug("stray response dropped", "res", r.Short())
			}),
		),
	)
	if err != nil {
		return nil, fmt.Errorf("demoserver: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(sipLog))
	if err != nil {
		ua.Close()
		return nil, fmt.Errorf("demoserver: %w", err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientLogger(sipLog))
	if err != nil {
		ua.Close()
		return nil, fmt.Errorf("demoserver: %w", err)
	}
	s.ua, s.sip, s.client = ua, srv, client
	srv.OnRegister(s.guard(s.onRegister))
	srv.OnNoRoute(s.guard(s.onRequest))
	return s, nil
}

// Start listens on Addr (and UDPAddr) and serves in the background. It
// returns once every socket is bound; cancelling ctx closes the server.
func (s *Server) Start(ctx context.Context) error {
	if s.started {
		return errors.New("demoserver: already started")
	}
	s.started = true
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("demoserver: listen %s: %w", s.opts.Addr, err)
	}
	s.httpLn = ln
	tcpAddr := ln.Addr().(*net.TCPAddr)
	s.wsHost, s.wsPort = advertisedIP(tcpAddr.IP), tcpAddr.Port

	if s.opts.UDPAddr != "" {
		pc, err := net.ListenPacket("udp", s.opts.UDPAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("demoserver: listen udp %s: %w", s.opts.UDPAddr, err)
		}
		s.udpConn = pc
		ua := pc.LocalAddr().(*net.UDPAddr)
		s.udpHost, s.udpPort = advertisedIP(ua.IP), ua.Port
		s.udpLaddr = sip.Addr{IP: ua.IP, Port: ua.Port}
	}

	s.domain = s.opts.Domain
	if s.domain == "" {
		s.domain = s.wsHost
	}
	realm := s.opts.Realm
	if realm == "" {
		realm = s.domain
	}
	s.auth = newDigestAuth(realm, s.accounts)
	if err := s.startRelay(); err != nil {
		ln.Close()
		if s.udpConn != nil {
			s.udpConn.Close()
		}
		return err
	}

	s.wsLn = newWSListener(ln.Addr())
	s.httpSrv = &http.Server{
		Handler:           s.httpHandler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		_ = s.sip.ServeWS(s.wsLn)
	}()
	go func() {
		defer s.wg.Done()
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http serve stopped", "error", err)
		}
	}()
	if s.udpConn != nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			_ = s.sip.ServeUDP(s.udpConn)
		}()
	}
	if ctx != nil && ctx.Done() != nil {
		go func() {
			<-ctx.Done()
			s.Close()
		}()
	}
	s.log.Info("demo SIP server listening", "http", ln.Addr().String(), "ws", s.WSURL(), "udp", s.UDPAddr(), "domain", s.domain)
	return nil
}

// WSURL is the WebSocket URL clients connect to (ws://host:port/ws). Any
// path is accepted.
func (s *Server) WSURL() string {
	if s.httpLn == nil {
		return ""
	}
	return "ws://" + net.JoinHostPort(s.wsHost, itoa(s.wsPort)) + "/ws"
}

// HTTPURL is the page URL to open (http://host:port/).
func (s *Server) HTTPURL() string {
	if s.httpLn == nil {
		return ""
	}
	return "http://" + net.JoinHostPort(s.wsHost, itoa(s.wsPort)) + "/"
}

// UDPAddr is the SIP/UDP host:port, or "" when UDP is disabled.
func (s *Server) UDPAddr() string {
	if s.udpConn == nil {
		return ""
	}
	return net.JoinHostPort(s.udpHost, itoa(s.udpPort))
}

// Domain is the SIP domain users register under (user@Domain).
func (s *Server) Domain() string { return s.domain }

// Realm is the digest realm of the challenges.
func (s *Server) Realm() string {
	if s.auth == nil {
		return ""
	}
	return s.auth.realm
}

// Close stops the listeners, closes every connection and waits for the
// serving goroutines. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.httpSrv != nil {
			_ = s.httpSrv.Close()
		}
		if s.wsLn != nil {
			_ = s.wsLn.Close()
		}
		if s.udpConn != nil {
			_ = s.udpConn.Close()
		}
		if s.rtpRelay != nil {
			_ = s.rtpRelay.Close()
		}
		_ = s.ua.Close()
		s.wg.Wait()
	})
	return nil
}

// guard wraps a handler so that a bug on odd input answers 500 instead of
// crashing the process.
func (s *Server) guard(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("handler panic", "panic", r, "req", req.StartLine())
				if tx != nil && !req.IsAck() {
					_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusInternalServerError, "Server Internal Error", nil))
				}
			}
		}()
		h(req, tx)
	}
}

// advertisedIP turns a listen IP into one peers can reach: the IP itself, or
// for an unspecified address the first non-loopback IPv4 (else 127.0.0.1).
func advertisedIP(ip net.IP) string {
	if ip != nil && !ip.IsUnspecified() {
		return ip.String()
	}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return "127.0.0.1"
}

// isOurHost reports whether host names this server.
func (s *Server) isOurHost(host string) bool {
	h := strings.ToLower(strings.Trim(host, "[]"))
	return h == strings.ToLower(s.domain) || h == s.wsHost || h == s.udpHost || h == "localhost"
}

// isOurURI reports whether u addresses this server (host and port).
func (s *Server) isOurURI(u sip.Uri) bool {
	if !s.isOurHost(u.Host) {
		return false
	}
	switch u.Port {
	case 0:
		return true
	case s.wsPort:
		return true
	case s.udpPort:
		return s.udpConn != nil
	}
	return false
}
