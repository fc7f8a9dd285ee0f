package sipcore

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func hexHash(alg, s string) string {
	if alg == "SHA-256" {
		h := sha256.Sum256([]byte(s))
		return hex.EncodeToString(h[:])
	}
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// checkDigest verifies an Authorization value independently (RFC 2617/8760, qop=auth).
func checkDigest(t *testing.T, value, alg, method, user, realm, password string) {
	t.Helper()
	cred, err := digest.ParseCredentials(value)
	require.NoError(t, err)
	assert.Equal(t, user, cred.Username)
	assert.Equal(t, realm, cred.Realm)
	assert.Equal(t, "auth", cred.QOP)
	ha1 := hexHash(alg, user+":"+realm+":"+password)
	ha2 := hexHash(alg, method+":"+cred.URI)
	want := hexHash(alg, ha1+":"+cred.Nonce+":"+fmt.Sprintf("%08x", cred.Nc)+":"+cred.Cnonce+":auth:"+ha2)
	assert.Equal(t, want, cred.Response, "digest response")
}

func challenge(realm, nonce, alg string, stale bool) sip.Header {
	v := `Digest realm="` + realm + `", nonce="` + nonce + `", qop="auth", algorithm=` + alg
	if stale {
		v += ", stale=true"
	}
	return sip.NewHeader("WWW-Authenticate", v)
}

func TestRegisterDigestMD5HonoursServerExpiresAndRefreshes(t *testing.T) {
	ua, p := newTestUA(t, func(c *Config) { c.AuthUsername = "auth1001"; c.RegisterExpires = 600 })
	go ua.Register()

	req := p.expect(sip.REGISTER)
	assert.Equal(t, "sip:example.com", req.Recipient.String())
	via := req.Via()
	assert.Equal(t, "WS", via.Transport)
	assert.True(t, strings.HasSuffix(via.Host, ".invalid"), "RFC 7118 Via host")
	_, rport := via.Params.Get("rport")
	assert.True(t, rport, "rport in Via")
	contact := req.Contact()
	require.NotNil(t, contact)
	assert.Equal(t, "ws", contact.Address.UriParams.GetOr("transport", ""))
	assert.True(t, strings.HasSuffix(contact.Address.Host, ".invalid"))
	inst, _ := contact.Params.Get("+sip.instance")
	assert.Contains(t, inst, "urn:uuid:")
	assert.Equal(t, "600", headerValue(req, "Expires"))
	assert.Equal(t, "Alice", req.From().DisplayName)
	assert.Equal(t, "sip:1001@example.com", req.From().Address.String())
	p.respond(req, 401, "Unauthorized", "srv", nil, challenge("example.com", "n1", "MD5", false))

	req2 := p.expect(sip.REGISTER)
	assert.Equal(t, req.CSeq().SeqNo+1, req2.CSeq().SeqNo, "CSeq increments on the authenticated retry")
	assert.Equal(t, req.CallID().Value(), req2.CallID().Value())
	checkDigest(t, headerValue(req2, "Authorization"), "MD5", "REGISTER", "auth1001", "example.com", "secret")
	// the server grants less than asked: 4 s, so a refresh comes within 3 s
	c := req2.Contact().Clone()
	c.Params.Remove("expires")
	c.Params.Add("expires", "4")
	p.respond(req2, 200, "OK", "srv", nil, c)
	p.ev.waitReg(t, "registered|")
	assert.Equal(t, RegRegistered, ua.RegState())

	ua.reg.mu.Lock()
	granted := ua.reg.expires
	ua.reg.mu.Unlock()
	assert.Equal(t, 4, granted, "the lifetime in our Contact's expires wins")
	assert.Equal(t, 3*time.Second, refreshAfter(granted), "refreshed before expiry")
	req3 := p.expect(sip.REGISTER) // the refresh
	assert.Equal(t, req.CallID().Value(), req3.CallID().Value())
	// the refresh reuses the nonce with the next count: no 401 round trip
	cred, err := digest.ParseCredentials(headerValue(req3, "Authorization"))
	require.NoError(t, err)
	assert.Equal(t, "n1", cred.Nonce)
	assert.Equal(t, 2, cred.Nc)
	p.respond(req3, 200, "OK", "srv", nil, c)

	go ua.Unregister()
	un := p.expect(sip.REGISTER)
	assert.Equal(t, "0", headerValue(un, "Expires"))
	p.respond(un, 200, "OK", "srv", nil)
	p.ev.waitReg(t, "unregistered|")
}

func TestRegistrationHeaderReadsTheLast2xx(t *testing.T) {
	ua, p := newTestUA(t, nil)
	assert.Equal(t, "", ua.RegistrationHeader("X-Webphone-Relay-Token"))
	go ua.Register()
	req := p.expect(sip.REGISTER)
	p.respond(req, 401, "Unauthorized", "srv", nil, challenge("example.com", "n1", "MD5", false),
		sip.NewHeader("X-Webphone-Relay-Token", "from-401"))
	req2 := p.expect(sip.REGISTER)
	p.respond(req2, 200, "OK", "srv", nil, req2.Contact(), sip.NewHeader("X-Webphone-Relay-Token", "tok-1"))
	p.ev.waitReg(t, "registered|")
	assert.Equal(t, "tok-1", ua.RegistrationHeader("X-Webphone-Relay-Token"))
	assert.Equal(t, "tok-1", ua.RegistrationHeader("x-webphone-relay-token"), "header names are case-insensitive")
	assert.Equal(t, "", ua.RegistrationHeader("X-Other"))

	go ua.Unregister()
	un := p.expect(sip.REGISTER)
	p.respond(un, 200, "OK", "srv", nil)
	p.ev.waitReg(t, "unregistered|")
	assert.Equal(t, "", ua.RegistrationHeader("X-Webphone-Relay-Token"), "no token once unbound")
}

func TestRegisterPrefersSHA256WhenOffered(t *testing.T) {
	ua, p := newTestUA(t, nil)
	go ua.Register()
	req := p.expect(sip.REGISTER)
	p.respond(req, 401, "Unauthorized", "srv", nil,
		challenge("example.com", "n1", "MD5", false), challenge("example.com", "n2", "SHA-256", false))
	req2 := p.expect(sip.REGISTER)
	auth := headerValue(req2, "Authorization")
	assert.Contains(t, auth, "SHA-256")
	checkDigest(t, auth, "SHA-256", "REGISTER", "1001", "example.com", "secret")
	p.respond(req2, 200, "OK", "srv", nil, req2.Contact())
	p.ev.waitReg(t, "registered|")
}

func TestRegisterWrongPasswordFailsWithReason(t *testing.T) {
	ua, p := newTestUA(t, nil)
	errc := make(chan error, 1)
	go func() { errc <- ua.Register() }()
	req := p.expect(sip.REGISTER)
	p.respond(req, 401, "Unauthorized", "srv", nil, challenge("example.com", "n1", "MD5", false))
	req2 := p.expect(sip.REGISTER)
	p.respond(req2, 403, "Forbidden", "srv", nil)
	p.ev.waitReg(t, "failed|403 Forbidden")
	require.EqualError(t, <-errc, "403 Forbidden")
}

func TestRegisterRepeatedChallengeIsWrongPassword(t *testing.T) {
	ua, p := newTestUA(t, nil)
	go ua.Register()
	req := p.expect(sip.REGISTER)
	p.respond(req, 401, "Unauthorized", "srv", nil, challenge("example.com", "n1", "MD5", false))
	req2 := p.expect(sip.REGISTER)
	p.respond(req2, 401, "Unauthorized", "srv", nil, challenge("example.com", "n2", "MD5", false))
	p.ev.waitReg(t, "failed|401 Unauthorized")
}

func TestRegisterStaleNonceIsRetried(t *testing.T) {
	ua, p := newTestUA(t, nil)
	go ua.Register()
	req := p.expect(sip.REGISTER)
	p.respond(req, 401, "Unauthorized", "srv", nil, challenge("example.com", "n1", "MD5", false))
	req2 := p.expect(sip.REGISTER)
	p.respond(req2, 401, "Unauthorized", "srv", nil, challenge("example.com", "n2", "MD5", true))
	req3 := p.expect(sip.REGISTER)
	cred, err := digest.ParseCredentials(headerValue(req3, "Authorization"))
	require.NoError(t, err)
	assert.Equal(t, "n2", cred.Nonce)
	p.respond(req3, 200, "OK", "srv", nil, req3.Contact())
	p.ev.waitReg(t, "registered|")
}

func TestRegisterTimeoutIsReported(t *testing.T) {
	ua, p := newTestUA(t, nil)
	go ua.Register()
	p.expect(sip.REGISTER)
	p.ev.waitReg(t, "failed|timeout")
}

func TestRegisterIntervalTooBriefUsesMinExpires(t *testing.T) {
	ua, p := newTestUA(t, func(c *Config) { c.RegisterExpires = 30 })
	go ua.Register()
	req := p.expect(sip.REGISTER)
	p.respond(req, 423, "Interval Too Brief", "srv", nil, sip.NewHeader("Min-Expires", "120"))
	req2 := p.expect(sip.REGISTER)
	assert.Equal(t, "120", headerValue(req2, "Expires"))
	p.respond(req2, 200, "OK", "srv", nil, req2.Contact())
	p.ev.waitReg(t, "registered|")
}

func TestExtraHeadersOutboundProxyAndUserAgentOnEveryRequest(t *testing.T) {
	ua, p := newTestUA(t, func(c *Config) {
		c.ExtraHeaders = []Header{{Name: "X-Tenant", Value: "blue"}}
		c.OutboundProxy = "sip:proxy.example.com"
		c.UserAgent = "test-agent/1"
	})
	go ua.Register()
	req := p.expect(sip.REGISTER)
	assert.Equal(t, "blue", headerValue(req, "X-Tenant"))
	assert.Equal(t, "test-agent/1", headerValue(req, "User-Agent"))
	route := req.Route()
	require.NotNil(t, route)
	assert.Equal(t, "proxy.example.com", route.Address.Host)
	_, lr := route.Address.UriParams.Get("lr")
	assert.True(t, lr)
	p.respond(req, 200, "OK", "srv", nil, req.Contact())

	_, err := ua.SendMessage("1002", "", []byte("hi"))
	require.NoError(t, err)
	msg := p.expect(sip.MESSAGE)
	assert.Equal(t, "blue", headerValue(msg, "X-Tenant"))
	require.NotNil(t, msg.Route())
}

func TestChallengeFromAnotherRealmIsNotAnswered(t *testing.T) {
	ua, p := newTestUA(t, func(c *Config) { c.Realm = "example.com" })
	errc := make(chan error, 1)
	go func() { errc <- ua.Register() }()
	req := p.expect(sip.REGISTER)
	p.respond(req, 401, "Unauthorized", "srv", nil, challenge("evil.example.net", "n1", "MD5", false))
	err := <-errc
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unexpected realm")
	p.nothing(100 * time.Millisecond) // credentials were not sent to the other realm
}

func TestRefusedReusedNonceFallsBackToANewChallenge(t *testing.T) {
	ua, p := newTestUA(t, func(c *Config) { c.RegisterExpires = 600 })
	go ua.Register()
	req := p.expect(sip.REGISTER)
	p.respond(req, 401, "Unauthorized", "srv", nil, challenge("example.com", "n1", "MD5", false))
	req2 := p.expect(sip.REGISTER)
	p.respond(req2, 200, "OK", "srv", nil, req2.Contact())
	p.ev.waitReg(t, "registered|")

	errc := make(chan error, 1)
	go func() { errc <- ua.Register() }()
	re := p.expect(sip.REGISTER)
	require.NotEmpty(t, headerValue(re, "Authorization"), "credentials sent up front")
	// this server wants a fresh nonce every time (and says so without stale=true)
	p.respond(re, 401, "Unauthorized", "srv", nil, challenge("example.com", "n2", "MD5", false))
	re2 := p.expect(sip.REGISTER)
	cred, err := digest.ParseCredentials(headerValue(re2, "Authorization"))
	require.NoError(t, err)
	assert.Equal(t, "n2", cred.Nonce)
	assert.Equal(t, 1, cred.Nc)
	p.respond(re2, 200, "OK", "srv", nil, re2.Contact())
	require.NoError(t, <-errc, "a refused reused nonce is not a wrong password")
}

func TestRefreshIsScheduledBeforeExpiry(t *testing.T) {
	assert.Equal(t, 270*time.Second, refreshAfter(300), "long lifetimes: 30 s before expiry")
	assert.Equal(t, 3570*time.Second, refreshAfter(3600))
	assert.Equal(t, 45*time.Second, refreshAfter(60), "short lifetimes: at 3/4")
	assert.Equal(t, 3*time.Second, refreshAfter(4))
}
