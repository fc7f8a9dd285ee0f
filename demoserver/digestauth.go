package demoserver

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"sync"
	"time"

	"github.com/icholy/digest"
)

// nonceLifetime bounds how long a challenge stays valid.
const nonceLifetime = 5 * time.Minute

// authResult is the outcome of checking an Authorization or
// Proxy-Authorization header.
type authResult int

const (
	authMissing authResult = iota // no credentials for our realm: challenge
	authStale                     // unknown or expired nonce: challenge again (stale=true)
	authFailed                    // wrong password or unknown user: 403
	authOK
)

// digestAuth issues MD5/qop=auth challenges and verifies the answers
// (RFC 2617 / RFC 3261 §22) against the accounts.
type digestAuth struct {
	realm    string
	accounts map[string]string

	mu     sync.Mutex
	nonces map[string]time.Time // nonce -> issue time
}

func newDigestAuth(realm string, accounts map[string]string) *digestAuth {
	return &digestAuth{realm: realm, accounts: accounts, nonces: make(map[string]time.Time)}
}

// challenge returns a fresh header value for WWW-Authenticate or
// Proxy-Authenticate.
func (a *digestAuth) challenge(stale bool) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	nonce := hex.EncodeToString(b[:])
	now := time.Now()
	a.mu.Lock()
	for n, t := range a.nonces {
		if now.Sub(t) > nonceLifetime {
			delete(a.nonces, n)
		}
	}
	a.nonces[nonce] = now
	a.mu.Unlock()
	ch := digest.Challenge{
		Realm:     a.realm,
		Nonce:     nonce,
		Algorithm: "MD5",
		QOP:       []string{"auth"},
		Stale:     stale,
	}
	return ch.String()
}

// check verifies a credentials header value for method. It returns the
// authenticated user name with authOK.
func (a *digestAuth) check(header, method string) (string, authResult) {
	if header == "" {
		return "", authMissing
	}
	cred, err := digest.ParseCredentials(header)
	if err != nil || cred.Realm != a.realm {
		return "", authMissing
	}
	a.mu.Lock()
	issued, known := a.nonces[cred.Nonce]
	a.mu.Unlock()
	if !known || time.Since(issued) > nonceLifetime {
		return "", authStale
	}
	pass, ok := a.accounts[cred.Username]
	if !ok {
		return "", authFailed
	}
	ch := digest.Challenge{Realm: a.realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm}
	if cred.QOP != "" {
		ch.QOP = []string{cred.QOP}
		if cred.QOP != "auth" {
			return "", authFailed
		}
	}
	want, err := digest.Digest(&ch, digest.Options{
		Method:   method,
		URI:      cred.URI,
		Username: cred.Username,
		Password: pass,
		Cnonce:   cred.Cnonce,
		Count:    cred.Nc,
	})
	if err != nil {
		return "", authFailed
	}
	if subtle.ConstantTimeCompare([]byte(want.Response), []byte(cred.Response)) != 1 {
		return "", authFailed
	}
	return cred.Username, authOK
}
