package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sendsms sends a MESSAGE with X-Sms: yes; the receiver reports it through
// onSMS (not onChat), the sender gets the delivery reports; an offline
// peer's failure is reported with its reason.
func TestSendSMSThroughDemoServer(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)

	require.True(t, a.e.SendSMS("1002", "sms, text", "5551234"))
	ev := b.rec.waitFor(t, "onSMS", func(ev event) bool { return ev.cb == "onSMS" })
	assert.Equal(t, []any{"1001", "sms, text"}, ev.args)
	a.rec.waitFor(t, "sent report", notification("CHATREPORT,-1,1002,2,"))
	assert.Empty(t, b.rec.find(func(ev event) bool { return ev.cb == "onChat" }))

	require.True(t, a.e.SendSMS("1003", "offline", ""))
	a.rec.waitFor(t, "failed report", notification("CHATREPORT,-1,1003,3,480 Temporarily Unavailable"))
	assert.False(t, a.e.SendSMS("", "x", ""))
}

// Composing indications (RFC 3994) reach the peer as CHATCOMPOSING; the
// sender gets no CHATREPORT for them.
func TestComposingIndicationsThroughDemoServer(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)

	require.True(t, a.e.SendChatComposing("1002", true))
	b.rec.waitFor(t, "typing", notification("CHATCOMPOSING,-1,1001,1"))
	require.True(t, a.e.SendChatComposing("1002", false))
	b.rec.waitFor(t, "idle", notification("CHATCOMPOSING,-1,1001,0"))
	require.True(t, a.e.SendChat("1002", "done"))
	a.rec.waitFor(t, "sent report of the chat", notification("CHATREPORT,-1,1002,2,"))
	flush(a.e)
	assert.Len(t, a.rec.find(notification("CHATREPORT,")), 2, "sending and sent, for the chat message only")
	assert.Empty(t, b.rec.find(func(ev event) bool { return ev.cb == "onChat" && ev.args[1] != "done" }))
}
