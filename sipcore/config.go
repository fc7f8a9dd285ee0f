package sipcore

import (
	"log/slog"
	"time"
)

// Config is what a UA needs to know about its account and server.
type Config struct {
	// Address is what the Dialer connects to: "ws://127.0.0.1:8080/ws",
	// "wss://...", or "udp:127.0.0.1:5060".
	Address string
	// Domain is the SIP domain of the account (the host part of the AOR and
	// the Request-URI of REGISTER), e.g. "example.com" or "127.0.0.1:5060".
	Domain string
	// Username is the user part of the AOR.
	Username string
	// AuthUsername is the digest username when it differs from Username.
	AuthUsername string
	// Password for digest authentication.
	Password string
	// DisplayName goes in From and Contact.
	DisplayName string
	// Realm, when set, restricts the challenges answered to this realm.
	Realm string
	// OutboundProxy is a SIP URI placed as a loose Route on every request
	// outside a dialog (e.g. "sip:proxy.example.com;lr").
	OutboundProxy string
	// UserAgent is sent in User-Agent and Server headers.
	UserAgent string
	// RegisterExpires is the requested registration lifetime in seconds
	// (default 300). The server's answer wins; re-registration happens
	// before it runs out.
	RegisterExpires int
	// Register says whether Start registers (default true via NewConfig).
	Register bool
	// ExtraHeaders are added to every request the UA sends.
	ExtraHeaders []Header
	// InstanceID is the stable "+sip.instance" URN (urn:uuid:...). Generated
	// when empty; keep it across restarts for a stable identity.
	InstanceID string
	// KeepaliveInterval is how often a double-CRLF keepalive is sent when
	// the connection is idle (0 disables). Default 25s.
	KeepaliveInterval time.Duration
	// DeadTimeout: a connection silent for this long after a keepalive is
	// considered dead and closed (0 disables). Default 10s.
	DeadTimeout time.Duration
	// SessionExpires is the session interval (seconds) our INVITEs ask for
	// (RFC 4028 session timers); 0 asks for none (a peer's is still
	// honoured). NewConfig sets 1800.
	SessionExpires int
	// MinSE is the smallest session interval accepted (seconds, at least
	// 90); smaller requests get 422.
	MinSE int
	// Logger receives debug logs; nil discards.
	Logger *slog.Logger
}

// Header is one extra header line: Name: Value.
type Header struct {
	Name  string
	Value string
}

// NewConfig returns a Config with the defaults filled in.
func NewConfig() Config {
	return Config{
		UserAgent:         "webphone-go",
		RegisterExpires:   300,
		Register:          true,
		KeepaliveInterval: 25 * time.Second,
		DeadTimeout:       10 * time.Second,
		SessionExpires:    1800,
		MinSE:             90,
	}
}
