package demoserver

import (
	"context"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRegisterOverWSReturnsContactWithExpires(t *testing.T) {
	ds := startServer(t, "")
	p := newPhone(t, ds, "WS", "1001")

	res := p.registerWith(p.pass, 300)
	require.Equal(t, 200, res.StatusCode, res.StartLine())
	c := res.Contact()
	require.NotNil(t, c, "200 OK to REGISTER must carry the Contact")
	assert.Equal(t, p.contact.Address.User, c.Address.User)
	assert.Equal(t, p.contact.Address.Host, c.Address.Host)
	exp, ok := c.Params.Get("expires")
	require.True(t, ok, "Contact in 200 must carry expires")
	assert.Contains(t, []string{"299", "300"}, exp)
}

func TestRegisterChallengesFirst(t *testing.T) {
	ds := startServer(t, "")
	p := newPhone(t, ds, "UDP", "1002")
	req := p.newRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: p.domain})
	req.To().Address.User = p.user
	req.AppendHeader(sip.HeaderClone(&p.contact))
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	res, err := p.cl.Do(ctx, req)
	require.NoError(t, err)
	require.Equal(t, 401, res.StatusCode)
	auth := res.GetHeader("WWW-Authenticate")
	require.NotNil(t, auth)
	assert.Contains(t, auth.Value(), `qop="auth"`)
	assert.Contains(t, auth.Value(), "MD5")
	assert.Contains(t, auth.Value(), `realm="`+ds.Realm()+`"`)
}

func TestRegisterWrongPasswordIsForbidden(t *testing.T) {
	ds := startServer(t, "")
	p := newPhone(t, ds, "WS", "1001")
	res := p.registerWith("not-the-password", 300)
	assert.Equal(t, 403, res.StatusCode, res.StartLine())
	assert.Empty(t, ds.bindings.active("1001"))
}

func TestUnregisterRemovesBinding(t *testing.T) {
	ds := startServer(t, "")
	p := newPhone(t, ds, "WS", "1001")
	p.register()
	require.Len(t, ds.bindings.active("1001"), 1)

	res := p.registerWith(p.pass, 0)
	require.Equal(t, 200, res.StatusCode)
	assert.Nil(t, res.Contact(), "no binding left to report")
	assert.Empty(t, ds.bindings.active("1001"))

	caller := newPhone(t, ds, "WS", "1002")
	caller.register()
	_, err := caller.call("1001")
	requireFinal(t, err, 480)
}

func TestContactExpiresParamWins(t *testing.T) {
	ds := startServer(t, "")
	p := newPhone(t, ds, "UDP", "1003")
	p.contact.Params = sip.HeaderParams{{K: "expires", V: "120"}}
	res := p.registerWith(p.pass, 900)
	require.Equal(t, 200, res.StatusCode)
	exp, _ := res.Contact().Params.Get("expires")
	assert.Contains(t, []string{"119", "120"}, exp)
}

func TestWildcardUnregisterClearsAllBindings(t *testing.T) {
	ds := startServer(t, "")
	p1 := newPhone(t, ds, "WS", "1001")
	p2 := newPhone(t, ds, "UDP", "1001")
	p1.register()
	p2.register()
	require.Len(t, ds.bindings.active("1001"), 2)

	req := p1.newRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: p1.domain})
	req.To().Address.User = p1.user
	req.AppendHeader(sip.NewHeader("Contact", "*"))
	req.AppendHeader(sip.NewHeader("Expires", "0"))
	res := p1.do(req, p1.pass)
	require.Equal(t, 200, res.StatusCode, res.StartLine())
	assert.Empty(t, ds.bindings.active("1001"))
}

func TestRegisterForAnotherUserIsForbidden(t *testing.T) {
	ds := startServer(t, "")
	p := newPhone(t, ds, "WS", "1001")
	req := p.newRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: p.domain})
	req.To().Address.User = "1002" // authenticates as 1001, registers 1002
	req.AppendHeader(sip.HeaderClone(&p.contact))
	res := p.do(req, p.pass)
	assert.Equal(t, 403, res.StatusCode)
	assert.Empty(t, ds.bindings.active("1002"))
}
