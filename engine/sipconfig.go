package engine

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// stripScheme removes a URL scheme and path: "wss://h:1/ws" gives "h:1".
func stripScheme(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	} else if strings.HasPrefix(strings.ToLower(s), "udp:") || strings.HasPrefix(strings.ToLower(s), "sip:") {
		s = s[4:]
	}
	if i := strings.IndexAny(s, "/?;"); i >= 0 {
		s = s[:i]
	}
	return s
}

// hostOnly removes a port from host[:port] (IPv6 in brackets is kept).
func hostOnly(hp string) string {
	if strings.HasPrefix(hp, "[") {
		if i := strings.IndexByte(hp, ']'); i >= 0 {
			return hp[:i+1]
		}
		return hp
	}
	if i := strings.LastIndexByte(hp, ':'); i >= 0 && strings.Count(hp, ":") == 1 {
		return hp[:i]
	}
	return hp
}

// ServerAddresses returns the transport addresses to try, in order:
// webrtcserveraddress (a comma-separated list means failover); without it,
// a serveraddress that already is a ws://, wss:// or udp: address; else
// wss://<serveraddress host> when autodetectwebrtc is on.
func ServerAddresses(p *Params) []string {
	var out []string
	for _, a := range strings.Split(p.Get("webrtcserveraddress"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	if len(out) > 0 {
		return out
	}
	sa := strings.TrimSpace(p.Get("serveraddress"))
	if sa == "" {
		return nil
	}
	l := strings.ToLower(sa)
	if strings.HasPrefix(l, "ws://") || strings.HasPrefix(l, "wss://") || strings.HasPrefix(l, "udp:") {
		return []string{sa}
	}
	if p.Int("autodetectwebrtc", 1) == 0 {
		return nil
	}
	hp := stripScheme(sa)
	h := hostOnly(hp)
	if hp != h && !strings.HasSuffix(hp, ":5060") && !strings.HasSuffix(hp, ":5061") {
		h = hp
	}
	return []string{"wss://" + h}
}

// SIPDomain is the SIP domain: serveraddress without scheme, else the host
// of the first WebSocket address.
func SIPDomain(p *Params) string {
	if sa := strings.TrimSpace(p.Get("serveraddress")); sa != "" {
		return stripScheme(sa)
	}
	if addrs := ServerAddresses(p); len(addrs) > 0 {
		if u, err := url.Parse(addrs[0]); err == nil && u.Host != "" {
			return u.Host
		}
		return stripScheme(addrs[0])
	}
	return ""
}

// Credentials returns the AOR user and the digest user: if only one of
// username / sipusername is set it serves both roles.
func Credentials(p *Params) (user, authUser string) {
	user = strings.TrimSpace(p.Get("username"))
	authUser = strings.TrimSpace(p.Get("sipusername"))
	if user == "" {
		user = authUser
	}
	if authUser == "" {
		authUser = user
	}
	return user, authUser
}

// ParseHeaderLines parses customsipheader / setsipheader text: headers
// separated by CRLF, or by ';' when there is no line break. Entries without
// a name are skipped; an entry "Name:" has an empty value.
func ParseHeaderLines(s string) []sipcore.Header {
	var parts []string
	if strings.ContainsAny(s, "\r\n") {
		parts = strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' })
	} else {
		parts = strings.Split(s, ";")
	}
	var out []sipcore.Header
	for _, p := range parts {
		i := strings.IndexByte(p, ':')
		if i <= 0 {
			continue
		}
		name := strings.TrimSpace(p[:i])
		if name == "" || strings.ContainsAny(name, " \t") {
			continue
		}
		out = append(out, sipcore.Header{Name: name, Value: strings.TrimSpace(p[i+1:])})
	}
	return out
}

// registerWanted tells whether start registers: register=0 never; 1 when a
// username is known; 2 always.
func registerWanted(p *Params) bool {
	user, _ := Credentials(p)
	switch p.Int("register", 1) {
	case 0:
		return false
	case 2:
		return true
	}
	return user != ""
}

// mustRegisterBeforeCalls is register=2 or mustconnect=true.
func mustRegisterBeforeCalls(p *Params) bool {
	return p.Int("register", 1) == 2 || p.Bool("mustconnect", false)
}

// BuildSIPConfig maps the parameters to a sipcore.Config. Address is the
// first server address; the engine's dialer fails over along the list.
func BuildSIPConfig(p *Params, instanceID string) (sipcore.Config, error) {
	cfg := sipcore.NewConfig()
	addrs := ServerAddresses(p)
	if len(addrs) == 0 {
		return cfg, errors.New("no server address (set webrtcserveraddress or serveraddress)")
	}
	cfg.Address = addrs[0]
	cfg.Domain = SIPDomain(p)
	cfg.Username, cfg.AuthUsername = Credentials(p)
	if cfg.Username == "" {
		cfg.Username = "anonymous"
	}
	cfg.Password = p.Get("password")
	cfg.DisplayName = strings.TrimSpace(p.Get("displayname"))
	cfg.Realm = strings.TrimSpace(p.Get("realm"))
	if px := strings.TrimSpace(p.Get("proxyaddress")); px != "" {
		if !strings.HasPrefix(strings.ToLower(px), "sip:") && !strings.HasPrefix(strings.ToLower(px), "sips:") {
			px = "sip:" + px
		}
		if !strings.Contains(strings.ToLower(px), ";lr") {
			px += ";lr"
		}
		cfg.OutboundProxy = px
	}
	if ua := strings.TrimSpace(p.Get("useragent")); ua != "" {
		cfg.UserAgent = ua
	}
	ri := p.Int("registerinterval", 300)
	if ri < 30 {
		ri = 30
	}
	if ri > 3600 {
		ri = 3600
	}
	cfg.RegisterExpires = ri
	cfg.Register = false // the engine registers itself after "started"
	cfg.ExtraHeaders = ParseHeaderLines(p.Get("customsipheader"))
	cfg.InstanceID = instanceID
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	if ka := p.Int("wskeepaliveival", 30000); ka > 0 {
		cfg.KeepaliveInterval = time.Duration(ka) * time.Millisecond
	} else {
		cfg.KeepaliveInterval = 0
	}
	return cfg, nil
}

// failoverDialer tries each address in turn, starting with the one that
// worked last, and returns the first transport that connects. Each address
// gets an equal share of the time left, so one that never answers (a
// blackholed host) cannot use up the whole attempt.
func (e *Engine) failoverDialer(addrs []string) sipcore.Dialer {
	var last atomic.Int32
	return func(ctx context.Context, _ string, r sipcore.Receiver) (sipcore.Transport, error) {
		if e.opts.Dialer == nil {
			return nil, errors.New("no dialer")
		}
		var errs []string
		start := int(last.Load())
		for i := range addrs {
			a := addrs[(start+i)%len(addrs)]
			actx, cancel := shareOfDeadline(ctx, len(addrs)-i)
			tr, err := e.opts.Dialer(actx, a, r)
			cancel()
			if err == nil {
				last.Store(int32((start + i) % len(addrs)))
				e.logEvent(LogDetail, "Webrtc connection details: connected to "+a)
				return tr, nil
			}
			e.logWarn("connect " + a + " failed: " + err.Error())
			errs = append(errs, a+": "+err.Error())
			if ctx.Err() != nil {
				break
			}
		}
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
}
