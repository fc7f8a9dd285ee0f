package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLineDetailsCallerDisplayNextCallIDAndEncryption(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)
	a := newPhone(t, ds, "1001", map[string]string{"displayname": "Alice Smith"})
	a.waitRegistered(t)

	assert.Equal(t, "", a.e.GetLineDetails(-1), "no call: no details")
	assert.Equal(t, 1, a.e.IsEncrypted(), "ws://: media encrypted, signalling not")

	// nextcallid: a chosen Call-ID is used by the next call only
	assert.Equal(t, "", a.e.NextCallID("bad id\r\nX: y"), "not a Call-ID")
	assert.Equal(t, "my-call-1@example", a.e.NextCallID("my-call-1@example"))
	require.True(t, a.e.Call("1002"))
	in := b.rec.waitFor(t, "incoming setup", callState("setup"))
	assert.Equal(t, "my-call-1@example", in.args[5])
	b.rec.waitFor(t, "incoming ringing", callState("ringing"))

	assert.Equal(t, "1001\nAlice Smith", b.e.GetCallerDisplayFull())
	assert.Equal(t, "", a.e.GetCallerDisplayFull(), "an outgoing call has no caller display")
	assert.Equal(t, "LINEDETAILS,1,Ringing,my-call-1@example,1001,1002,2,,"+SIPDomain(b.e.params)+",0,0,Alice Smith",
		b.e.GetLineDetails(-1))

	require.True(t, b.e.Accept())
	a.rec.waitFor(t, "connected", callState("connected"))
	require.True(t, a.e.Hold(true))
	waitUntil(t, "held", func() bool { return strings.Contains(a.e.GetLineDetails(1), ",Hold,") })
	assert.True(t, strings.HasPrefix(a.e.GetLineDetails(1), "LINEDETAILS,1,Hold,my-call-1@example,1002,1001,1,,"))
	assert.Regexp(t, ",0,2,(1002)?$", a.e.GetLineDetails(1))

	a.e.Hangup(-1)
	a.rec.waitFor(t, "disconnected", callState("disconnected"))
	assert.Equal(t, "", a.e.GetLineDetails(1))

	// the next call gets a fresh Call-ID again
	id := a.e.NextCallID("")
	assert.NotEmpty(t, id)
	assert.Equal(t, id, a.e.NextCallID(id))
}

func TestLineGettersBeforeStart(t *testing.T) {
	e := New(Options{AutoStartDelay: -1})
	defer e.Close()
	assert.Equal(t, -1, e.IsEncrypted())
	assert.Equal(t, "", e.GetLineDetails(-1))
	assert.Equal(t, "", e.GetCallerDisplayFull())
}
