//go:build !js

package rtprelay

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/netip"
	"strings"
)

// Admission decides which connections may use the relay. Admit sees the
// WebSocket upgrade request and the hello's token; it returns the Policy of
// the destinations the connection may send to, or an error: the client gets
// its code and reason when it is an *Error (e.g. 429 for too many
// connections), else 403 with its text, and the connection closes.
type Admission interface {
	Admit(r *http.Request, token string) (Policy, error)
}

// Releaser is a Policy that wants to know when its connection ended (e.g.
// to count connections per user): Release is called once.
type Releaser interface {
	Release()
}

// Policy decides where an admitted connection may send: Allow reports
// whether a packet of kind may go to dst. It is called for every packet and
// must be fast and safe for concurrent use.
type Policy interface {
	Allow(dst netip.AddrPort, kind Kind) bool
}

// AdmitFunc adapts a function to Admission.
type AdmitFunc func(r *http.Request, token string) (Policy, error)

// Admit calls f.
func (f AdmitFunc) Admit(r *http.Request, token string) (Policy, error) { return f(r, token) }

// PolicyFunc adapts a function to Policy.
type PolicyFunc func(dst netip.AddrPort, kind Kind) bool

// Allow calls f.
func (f PolicyFunc) Allow(dst netip.AddrPort, kind Kind) bool { return f(dst, kind) }

// Networks is a Policy allowing every address inside one of its prefixes
// (the standalone relay's -allow list).
type Networks []netip.Prefix

// Allow reports whether dst is inside one of the networks.
func (n Networks) Allow(dst netip.AddrPort, _ Kind) bool {
	ip := dst.Addr().Unmap()
	if dst.Port() == 0 {
		return false
	}
	for _, p := range n {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// ParseNetworks parses a comma-separated list of CIDR prefixes or addresses.
func ParseNetworks(list string) (Networks, error) {
	var out Networks
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// SecretOrOrigin is the standalone relay's Admission: a connection is admitted
// when its token equals Secret (if set) and its Origin header is in Origins
// (if any are listed). With neither set nobody is admitted. Admitted
// connections get Policy.
type SecretOrOrigin struct {
	Secret  string
	Origins []string
	Policy  Policy
}

// Admit checks the token and the Origin.
func (a SecretOrOrigin) Admit(r *http.Request, token string) (Policy, error) {
	if a.Secret == "" && len(a.Origins) == 0 {
		return nil, errors.New("relay has neither a secret nor an origin list")
	}
	if a.Secret != "" && subtle.ConstantTimeCompare([]byte(token), []byte(a.Secret)) != 1 {
		return nil, errors.New("wrong secret")
	}
	if len(a.Origins) > 0 {
		origin := r.Header.Get("Origin")
		ok := false
		for _, o := range a.Origins {
			if origin != "" && strings.EqualFold(strings.TrimRight(o, "/"), origin) {
				ok = true
			}
		}
		if !ok {
			return nil, errors.New("origin not allowed")
		}
	}
	if a.Policy == nil {
		return Networks(nil), nil
	}
	return a.Policy, nil
}
