package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/sipcore"
)

func TestParseAccounts(t *testing.T) {
	got, err := parseAccounts(" sip.example.com,1003,pw,120 ; ws://h/ws,1004,pw2,,proxy.example.com,realm,auth4#x.org,u")
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, accountSpec{server: "sip.example.com", user: "1003", password: "pw", interval: 120}, got[0])
	assert.Equal(t, accountSpec{server: "ws://h/ws", user: "1004", password: "pw2", proxy: "proxy.example.com",
		realm: "realm", authUser: "auth4"}, got[1])
	assert.Equal(t, "u", got[2].user)
	for _, bad := range []string{"", ";;", "srv", ",user", "srv,u,p,abc", "s,u;s,u;s,u;s,u;s,u;s,u;s,u;s,u;s,u"} {
		_, err := parseAccounts(bad)
		assert.Error(t, err, bad)
	}
}

// A second account registers on its own and its incoming calls ring on a
// line like the main account's; the main registration is untouched.
func TestRegisterExSecondAccountReceivesCalls(t *testing.T) {
	ds := startDemo(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)
	pw := demoserver.DefaultAccounts()["1003"]
	assert.False(t, a.e.RegisterEx("no-user-here"))
	require.True(t, a.e.RegisterEx(ds.Domain()+",1003,"+pw))
	waitUntil(t, "1003 registered", func() bool {
		for _, st := range a.e.ExtraAccountStates() {
			return st == sipcore.RegRegistered
		}
		return false
	})
	assert.True(t, a.e.IsRegistered())

	b := newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)
	require.True(t, b.e.Call("1003"))
	in := a.rec.waitFor(t, "incoming on 1003", callState("ringing"))
	assert.Equal(t, 2, in.args[1])
	assert.Equal(t, "1002", in.args[2])
	require.True(t, a.e.Accept())
	b.rec.waitFor(t, "connected", callState("connected"))
	a.e.Hangup(-1)
	b.rec.waitFor(t, "disconnected", callState("disconnected"))

	// stop also stops the extra accounts (each UA unregisters as it stops)
	require.True(t, a.e.Stop())
	a.rec.waitFor(t, "stopped", named("onAppStateChange", "stopped"))
	waitUntil(t, "accounts gone", func() bool { return len(a.e.ExtraAccountStates()) == 0 })
}

func TestExtraRegisterAccountsParameterRegistersAtStart(t *testing.T) {
	ds := startDemo(t)
	pw := demoserver.DefaultAccounts()["1004"]
	a := newPhone(t, ds, "1001", map[string]string{"extraregisteraccounts": ds.Domain() + ",1004," + pw})
	a.waitRegistered(t)
	waitUntil(t, "1004 registered", func() bool {
		return a.e.ExtraAccountStates()["1004@"+ds.Domain()] == sipcore.RegRegistered
	})
}
