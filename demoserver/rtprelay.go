package demoserver

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"sync"

	"github.com/opensoftphone/webphone/rtprelay"
)

// relayTokenHeader carries, in the REGISTER 200 OK, the token that admits the
// registered page to the RTP relay.
const relayTokenHeader = "X-Webphone-Relay-Token"

// relayPath is where the RTP relay is served (WebSocket subprotocol
// webphone-rtp); every other upgrade is SIP.
const relayPath = "/rtp"

// DefaultRelayPorts is the built-in relay's UDP port range by default.
var DefaultRelayPorts = rtprelay.PortRange{Min: 40000, Max: 40999}

// newRelayToken returns a fresh random relay token.
func newRelayToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// startRelay builds the built-in RTP relay: pages are admitted by the token
// of a live registration, and may send only to the media addresses of the
// calls of that user the proxy relayed.
func (s *Server) startRelay() error {
	if s.opts.NoRelay {
		return nil
	}
	public := s.opts.RelayPublicIP
	if public == "" {
		public = s.wsHost
	}
	ip, err := netip.ParseAddr(public)
	if err != nil {
		return fmt.Errorf("demoserver: relay public IP %q: %w", public, err)
	}
	ports := s.opts.RelayPorts
	if ports == (rtprelay.PortRange{}) {
		ports = DefaultRelayPorts
	}
	s.media = newMediaBook()
	relay, err := rtprelay.NewServer(rtprelay.Config{
		PublicIP:  ip.Unmap(),
		Ports:     ports,
		Admission: rtprelay.AdmitFunc(s.admitRelay),
		Logger:    s.log,
	})
	if err != nil {
		return fmt.Errorf("demoserver: %w", err)
	}
	s.rtpRelay = relay
	return nil
}

// maxRelayConnsPerUser bounds the relay connections of one user (each
// holds up to the relay's stream limit of port pairs).
const maxRelayConnsPerUser = 4

// admitRelay admits a page by its registration's token.
func (s *Server) admitRelay(_ *http.Request, token string) (rtprelay.Policy, error) {
	user, ok := s.bindings.userOfToken(token)
	if !ok {
		return nil, errors.New("no live registration holds this token")
	}
	if !s.relayUsers.take(user) {
		return nil, &rtprelay.Error{Code: rtprelay.CodeTooMany,
			Reason: fmt.Sprintf("%d relay connections of %s already", maxRelayConnsPerUser, user)}
	}
	s.log.Info("relay admitted", "user", user)
	return &relayPolicy{s: s, user: user}, nil
}

// relayPolicy lets a user's page send to the media of that user's calls.
type relayPolicy struct {
	s    *Server
	user string
	once sync.Once
}

// Allow reports whether dst is a media address of one of the user's calls.
func (p *relayPolicy) Allow(dst netip.AddrPort, kind rtprelay.Kind) bool {
	return p.s.media.allows(p.user, dst, kind == rtprelay.KindRTCP)
}

// Release counts the connection's end.
func (p *relayPolicy) Release() { p.once.Do(func() { p.s.relayUsers.give(p.user) }) }

// relayUsers counts the relay connections per user.
type relayUsers struct {
	mu    sync.Mutex
	conns map[string]int
}

// take counts a new connection of user; false at the limit.
func (r *relayUsers) take(user string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conns == nil {
		r.conns = map[string]int{}
	}
	if r.conns[user] >= maxRelayConnsPerUser {
		return false
	}
	r.conns[user]++
	return true
}

// give counts a connection of user gone.
func (r *relayUsers) give(user string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conns[user]--; r.conns[user] <= 0 {
		delete(r.conns, user)
	}
}

// RelayURL is the RTP relay's WebSocket URL (ws://host:port/rtp), or ""
// when the relay is off.
func (s *Server) RelayURL() string {
	if s.rtpRelay == nil || s.httpLn == nil {
		return ""
	}
	return "ws" + s.HTTPURL()[len("http"):len(s.HTTPURL())-1] + relayPath
}

// RelayStats are the built-in relay's counters (zero when it is off).
func (s *Server) RelayStats() rtprelay.Stats {
	if s.rtpRelay == nil {
		return rtprelay.Stats{}
	}
	return s.rtpRelay.Stats()
}
