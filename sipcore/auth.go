package sipcore

import (
	"errors"
	"strings"
	"sync"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// authenticator answers digest challenges (RFC 3261 22, RFC 8760): MD5 and
// SHA-256 (the strongest offered wins), qop=auth, and a stale nonce retried
// once without counting as a wrong password.
type authenticator struct {
	cfg   Config
	tries map[string]int // realm -> non-stale attempts
	memo  *challengeMemo
}

// newAuthenticator answers the challenges of one request, or of a series
// (REGISTER refreshes) that keeps it: it remembers its last challenge.
func newAuthenticator(cfg Config) *authenticator {
	return newSharedAuthenticator(cfg, &challengeMemo{})
}

// newSharedAuthenticator answers the challenges of one request and shares
// the remembered challenge with others (the UA's INVITEs: the proxy that
// challenged one call takes the next call's credentials up front).
func newSharedAuthenticator(cfg Config, memo *challengeMemo) *authenticator {
	return &authenticator{cfg: cfg, tries: map[string]int{}, memo: memo}
}

// challengeMemo is the last accepted digest challenge, reused with an
// increasing nonce count (RFC 2617 3.2.2); several requests may share it.
type challengeMemo struct {
	mu   sync.Mutex
	chal *digest.Challenge
	hdr  string // the credentials header it asks for
	nc   int    // the last nonce count used
}

// remember makes chal, just answered with nonce count 1, the one to reuse.
func (m *challengeMemo) remember(chal *digest.Challenge, hdr string) {
	m.mu.Lock()
	m.chal, m.hdr, m.nc = chal, hdr, 1
	m.mu.Unlock()
}

// next is the remembered challenge with the next nonce count; ok is false
// when there is none or it has no qop (a nonce count needs one).
func (m *challengeMemo) next() (chal *digest.Challenge, hdr string, nc int, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.chal == nil || len(m.chal.QOP) == 0 {
		return nil, "", 0, false
	}
	m.nc++
	return m.chal, m.hdr, m.nc, true
}

// forget drops the remembered challenge (the server refused it).
func (m *challengeMemo) forget() {
	m.mu.Lock()
	m.chal = nil
	m.mu.Unlock()
}

// authorize returns a copy of req carrying credentials for the challenges in
// res, with CSeq incremented and a new branch. ok is false when the request
// should not be retried (credentials already rejected).
func (a *authenticator) authorize(req *sip.Request, res *sip.Response) (*sip.Request, bool, error) {
	challengeHdr, credHdr := "WWW-Authenticate", "Authorization"
	if res.StatusCode == 407 {
		challengeHdr, credHdr = "Proxy-Authenticate", "Proxy-Authorization"
	}
	chal := pickChallenge(res.GetHeaders(challengeHdr))
	if chal == nil {
		return nil, false, errors.New("no usable digest challenge")
	}
	if a.cfg.Realm != "" && !strings.EqualFold(a.cfg.Realm, chal.Realm) {
		return nil, false, errors.New("challenge for unexpected realm " + chal.Realm)
	}
	if !chal.Stale {
		a.tries[chal.Realm]++
		if a.tries[chal.Realm] > 1 {
			return nil, false, nil
		}
	}
	cred, err := a.credentials(chal, req, 1)
	if err != nil {
		return nil, false, err
	}
	a.memo.remember(chal, credHdr)
	next := req.Clone()
	next.SetBody(req.Body())
	next.RemoveHeader(credHdr)
	next.RemoveHeader("Via")
	next.AppendHeader(sip.NewHeader(credHdr, cred.String()))
	if cseq := next.CSeq(); cseq != nil {
		cseq.SeqNo++
	}
	return next, true, nil
}

func (a *authenticator) credentials(chal *digest.Challenge, req *sip.Request, nc int) (*digest.Credentials, error) {
	return digest.Digest(chal, digest.Options{
		Method:   string(req.Method),
		URI:      req.Recipient.String(),
		Username: a.cfg.AuthUsername,
		Password: a.cfg.Password,
		Count:    nc,
	})
}

// begin starts a new request: challenges count afresh.
func (a *authenticator) begin() { a.tries = map[string]int{} }

// preauthorize adds credentials for the remembered challenge to req, with
// the next nonce count, saving the 401/407 round trip (RFC 2617 3.2.2).
func (a *authenticator) preauthorize(req *sip.Request) bool {
	chal, hdr, nc, ok := a.memo.next()
	if !ok {
		return false
	}
	cred, err := a.credentials(chal, req, nc)
	if err != nil {
		return false
	}
	req.RemoveHeader(hdr)
	req.AppendHeader(sip.NewHeader(hdr, cred.String()))
	return true
}

// forget drops the remembered challenge (the server refused it).
func (a *authenticator) forget() { a.memo.forget() }

// pickChallenge chooses the strongest supported digest challenge.
func pickChallenge(hdrs []sip.Header) *digest.Challenge {
	var best *digest.Challenge
	rank := func(alg string) int {
		switch strings.ToUpper(alg) {
		case "SHA-512-256":
			return 3
		case "SHA-256":
			return 2
		default:
			return 1
		}
	}
	for _, h := range hdrs {
		c, err := digest.ParseChallenge(h.Value())
		if err != nil || !digest.CanDigest(c) {
			continue
		}
		if best == nil || rank(c.Algorithm) > rank(best.Algorithm) {
			best = c
		}
	}
	return best
}
