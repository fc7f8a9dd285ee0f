package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newXferClockPhone is newPhone on the fake clock clk.
func newXferClockPhone(t *testing.T, ds *demoserver.Server, user string, extra map[string]string, clk *fakeClock) *phone {
	t.Helper()
	p := &phone{user: user, rec: &recorder{}, media: &mediaBox{}}
	p.e = New(Options{Dialer: nettransport.Dial, Media: p.media.factory, Storage: NewMapStorage(),
		Emit: p.rec.emit, DTMFPause: 10 * time.Millisecond, AutoStartDelay: -1, Now: clk.Now, AfterFunc: clk.AfterFunc})
	t.Cleanup(p.e.Close)
	cfg := map[string]string{
		"webrtcserveraddress": ds.WSURL(), "serveraddress": ds.Domain(),
		"username": user, "password": demoserver.DefaultAccounts()[user],
	}
	for k, v := range extra {
		cfg[k] = v
	}
	p.e.Init(cfg, "")
	p.e.AutoStart()
	return p
}

// lineCdr waits for the CDR of line n and returns its reason.
func lineCdr(t *testing.T, p *phone, n int) string {
	t.Helper()
	ev := p.rec.waitFor(t, p.user+" CDR of line "+itoa(n), func(ev event) bool { return ev.cb == "onCdr" && ev.args[7] == n })
	return ev.args[6].(string)
}

// onLine matches onCallStateChange(name) of line n.
func onLine(name string, n int) func(event) bool {
	return func(e event) bool { return e.cb == "onCallStateChange" && e.args[0] == name && e.args[4] == n }
}

// talking: a calls b, b accepts; both connected on line 1.
func talking(t *testing.T, a, b *phone) {
	t.Helper()
	require.True(t, a.e.Call(b.user))
	b.rec.waitFor(t, "incoming ringing", callState("ringing"))
	require.True(t, b.e.Accept())
	a.rec.waitFor(t, "a connected", onLine("connected", 1))
	b.rec.waitFor(t, "b connected", onLine("connected", 1))
	waitUntil(t, "a's answer applied", func() bool { return len(a.media.get(0).snapshot().applied) == 1 })
}

// threePhones registers a (1001), b (1002) and c (1003, answering by
// itself when cAuto) on one demo server.
func threePhones(t *testing.T, aExtra map[string]string, cAuto bool) (a, b, c *phone) {
	ds := startDemo(t)
	c = newPhone(t, ds, "1003", map[string]string{"autoaccept": map[bool]string{true: "true", false: "false"}[cAuto]})
	c.waitRegistered(t)
	b = newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)
	a = newPhone(t, ds, "1001", aExtra)
	a.waitRegistered(t)
	return a, b, c
}

// transfertype 1 (blind): a's REFER makes b call c; a ends its line as soon
// as the REFER is accepted ("disconnect on transfer"), without hold. b's
// new call connects, the old one ends.
func TestBlindTransferThenDisconnect(t *testing.T) {
	a, b, c := threePhones(t, map[string]string{"transfertype": "1"}, true)
	talking(t, a, b)
	require.True(t, a.e.Transfer("1003"))
	assert.Equal(t, "BYE disconnect on transfer", lineCdr(t, a, 1))
	a.rec.waitFor(t, "transfer event", callState("transfer"))
	assert.Equal(t, []string{""}, a.media.get(0).snapshot().offers, "type 1 does not hold")

	b.rec.waitFor(t, "b's new call connected", onLine("connected", 2))
	in := c.rec.waitFor(t, "c connected", callState("connected"))
	assert.Equal(t, "1002", in.args[2], "c talks to b")
	assert.Equal(t, "BYE bye received", lineCdr(t, b, 1), "a ended the old call")
	assert.Contains(t, b.e.GetLogs(), "REFER received on line 1")
}

// The default transfertype (6): a holds the line, sends the REFER, and
// ends the line on the final NOTIFY's 200 ("transfer done"); the statuses
// tell the progress.
func TestTransferHoldsAndEndsOnNotify200(t *testing.T) {
	a, b, c := threePhones(t, nil, true)
	talking(t, a, b)
	require.True(t, a.e.Transfer("1003"))
	c.rec.waitFor(t, "c connected", callState("connected"))
	assert.Equal(t, "BYE transfer done", lineCdr(t, a, 1))
	a.rec.waitFor(t, "accepted", notification("STATUS,1,Call transfer accepted"))
	a.rec.waitFor(t, "completed", notification("STATUS,1,Call transfer completed"))
	// holdontransfer -1 holds once the REFER is accepted; when the final
	// NOTIFY has already ended the call by then, there is nothing to hold.
	offers := a.media.get(0).snapshot().offers
	if len(offers) == 1 {
		assert.Equal(t, []string{""}, offers)
	} else {
		assert.Equal(t, []string{"", "sendonly"}, offers, "held after the REFER was accepted, never taken off hold")
	}
	b.rec.waitFor(t, "b's new call connected", onLine("connected", 2))
	lineCdr(t, b, 1)
	assert.True(t, b.e.IsInCall())
}

// A transfer to a destination that fails: the NOTIFY carries the failure,
// a takes the line off hold and keeps the call; b keeps its call too.
func TestFailedTransferRevertsHold(t *testing.T) {
	a, b, _ := threePhones(t, nil, true)
	talking(t, a, b)
	require.True(t, a.e.Transfer("1005")) // registered nowhere
	a.rec.waitFor(t, "failed", notification("STATUS,1,Call transfer failed"))
	waitUntil(t, "unhold offer", func() bool { return len(a.media.get(0).snapshot().offers) == 3 })
	assert.Equal(t, []string{"", "sendonly", ""}, a.media.get(0).snapshot().offers)
	assert.Len(t, a.rec.find(func(ev event) bool { return ev.cb == "onCdr" }), 0, "the call is kept")
	assert.True(t, a.e.IsInCall())
	assert.False(t, a.e.IsOnHold())
	a.rec.waitFor(t, "display", func(ev event) bool {
		return ev.cb == "onEvent" && ev.args[0] == "display" && strings.Contains(ev.args[1].(string), "transfer fail")
	})
	b.rec.waitFor(t, "b's attempt ended", onLine("disconnected", 2))
	assert.Len(t, b.rec.find(onLine("disconnected", 1)), 0, "b keeps the call with a")
}

// transfer("") with two calls: the current line's peer is told to call the
// other line's peer with Replaces; that peer replaces its call with a by
// the new one (answered without ringing), and a ends both lines.
func TestTransferLineToLineWithReplaces(t *testing.T) {
	a, b, c := threePhones(t, nil, false)
	talking(t, a, b)
	require.True(t, a.e.Call("1003"))
	c.rec.waitFor(t, "c ringing", callState("ringing"))
	require.True(t, c.e.Accept())
	a.rec.waitFor(t, "a-c connected", onLine("connected", 2))
	require.True(t, a.e.SetLine("1"))
	require.True(t, a.e.Transfer(""))

	// b is told to call c with Replaces of the a-c dialog; c takes it at once
	c.rec.waitFor(t, "c's replacing call connected", onLine("connected", 2))
	assert.Len(t, c.rec.find(onLine("ringing", 2)), 0, "a replacing call does not ring")
	assert.Equal(t, "BYE transfer done", lineCdr(t, c, 1), "c ends the replaced call")
	b.rec.waitFor(t, "b's new call connected", onLine("connected", 2))
	assert.Contains(t, b.e.GetLastSentInvite(), "Replaces: ")
	assert.Equal(t, "BYE transfer done", lineCdr(t, a, 1))
	r2 := lineCdr(t, a, 2)
	assert.True(t, r2 == "BYE transfer done" || r2 == "BYE bye received", r2)
	assert.False(t, a.e.IsInCall())
}

// transfertype 5 (attended): transfer(C) holds the line and calls C; when
// that consultation call is hung up, the held peer is transferred to C with
// Replaces.
func TestAttendedTransferByConsultation(t *testing.T) {
	a, b, c := threePhones(t, map[string]string{"transfertype": "5"}, false)
	talking(t, a, b)
	require.True(t, a.e.Transfer("1003"))
	c.rec.waitFor(t, "c ringing", callState("ringing"))
	assert.Equal(t, 2, a.e.GetLine(), "the consultation call is the current line")
	assert.Equal(t, []string{"", "sendonly"}, a.media.get(0).snapshot().offers, "line 1 held first")
	require.True(t, c.e.Accept())
	a.rec.waitFor(t, "consultation connected", onLine("connected", 2))

	require.True(t, a.e.Hangup(-1)) // ends the consultation: the transfer happens
	c.rec.waitFor(t, "c's replacing call connected", onLine("connected", 2))
	b.rec.waitFor(t, "b's new call connected", onLine("connected", 2))
	assert.Equal(t, "BYE transfer done", lineCdr(t, a, 1))
	lineCdr(t, a, 2)
	assert.Equal(t, "BYE transfer done", lineCdr(t, c, 1))
	assert.Equal(t, []string{"", "sendonly", ""}, a.media.get(0).snapshot().offers,
		"unholdontransfer: off hold just before the REFER with Replaces")
}

// A consultation call that fails takes the held line off hold.
func TestFailedConsultationUnholds(t *testing.T) {
	a, b, c := threePhones(t, map[string]string{"transfertype": "5"}, false)
	talking(t, a, b)
	require.True(t, a.e.Transfer("1003"))
	c.rec.waitFor(t, "c ringing", callState("ringing"))
	require.True(t, c.e.Reject())
	a.rec.waitFor(t, "consultation ended", onLine("disconnected", 2))
	waitUntil(t, "unhold offer", func() bool { return len(a.media.get(0).snapshot().offers) == 3 })
	assert.Equal(t, []string{"", "sendonly", ""}, a.media.get(0).snapshot().offers)
	assert.False(t, a.e.IsOnHold())
	assert.Len(t, a.rec.find(onLine("disconnected", 1)), 0, "the call with b is kept")
}

// transfertype 0 disables transfer both ways: transfer() returns false and
// a REFER from the peer is declined.
func TestTransferDisabled(t *testing.T) {
	a, b, _ := threePhones(t, map[string]string{"transfertype": "0"}, true)
	talking(t, a, b)
	assert.False(t, a.e.Transfer("1003"))
	require.True(t, b.e.Transfer("1003"))
	b.rec.waitFor(t, "failed", notification("STATUS,1,Call transfer failed"))
	assert.Contains(t, a.e.GetLogs(), "declined: transfertype 0")
	assert.True(t, a.e.IsInCall())
}

// No final NOTIFY within transferNotifyTimeout (on the engine's clock): the
// transfer counts as failed ("transfer timeout"), the line is taken off
// hold and kept.
func TestTransferWithoutFinalNotifyTimesOut(t *testing.T) {
	ds := startDemo(t)
	c := newPhone(t, ds, "1003", nil) // rings, never answers
	c.waitRegistered(t)
	b := newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)
	clk := newFakeClock()
	a := newXferClockPhone(t, ds, "1001", nil, clk)
	a.waitRegistered(t)
	talking(t, a, b)
	require.True(t, a.e.Transfer("1003"))
	c.rec.waitFor(t, "c ringing", callState("ringing"))
	a.rec.waitFor(t, "ringing reported", notification("STATUS,1,Call Transfer: 180 Ringing"))
	waitUntil(t, "held", func() bool { return len(a.media.get(0).snapshot().offers) == 2 })
	// the timeout is armed once the hold's re-INVITE is through
	waitUntil(t, "notify timeout armed", func() bool { return clk.armedIn(transferNotifyTimeout) })
	clk.Advance(transferNotifyTimeout - time.Second)
	flush(a.e)
	assert.Len(t, a.rec.find(notification("STATUS,1,Call transfer failed")), 0)
	clk.Advance(time.Second)
	a.rec.waitFor(t, "failed", notification("STATUS,1,Call transfer failed"))
	waitUntil(t, "unhold offer", func() bool { return len(a.media.get(0).snapshot().offers) == 3 })
	assert.Contains(t, a.e.GetLogs(), "transfer timeout")
	assert.True(t, a.e.IsInCall())
}

// holdontransfer and discontransfer decide the hold and the disconnect of a
// successful transfer; transfertype 7 neither holds nor disconnects.
func TestTransferHoldAndDisconnectParameters(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params map[string]string
		offers []string
		ends   bool
	}{
		{"type 7", map[string]string{"transfertype": "7"}, []string{""}, false},
		{"type 6, no hold, never disconnect", map[string]string{"holdontransfer": "0", "discontransfer": "0"}, []string{""}, false},
		{"type 6, hold before", map[string]string{"holdontransfer": "1"}, []string{"", "sendonly"}, true},
		{"type 7, disconnect on success", map[string]string{"transfertype": "7", "discontransfer": "1"}, []string{""}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b, c := threePhones(t, tc.params, true)
			talking(t, a, b)
			require.True(t, a.e.Transfer("1003"))
			c.rec.waitFor(t, "c connected", callState("connected"))
			a.rec.waitFor(t, "completed", notification("STATUS,1,Call transfer completed"))
			if tc.ends {
				assert.Equal(t, "BYE transfer done", lineCdr(t, a, 1))
			} else {
				// b ends the old call itself once its new one is up
				b.rec.waitFor(t, "b's old call ended", onLine("disconnected", 1))
				assert.Equal(t, "BYE bye received", lineCdr(t, a, 1))
			}
			assert.Equal(t, tc.offers, a.media.get(0).snapshot().offers)
		})
	}
}

// transfer() needs a connected call on the current line, and transfer("")
// a second one; a bad destination is refused at once.
func TestTransferNeedsConnectedCalls(t *testing.T) {
	a, b, _ := threePhones(t, nil, true)
	assert.False(t, a.e.Transfer("1003"), "no call")
	require.True(t, a.e.Call(b.user))
	b.rec.waitFor(t, "b ringing", callState("ringing"))
	assert.False(t, a.e.Transfer("1003"), "the call is not connected yet")
	require.True(t, b.e.Accept())
	a.rec.waitFor(t, "a connected", onLine("connected", 1))
	assert.False(t, a.e.Transfer(""), "transfer(\"\") needs two calls")
	assert.False(t, a.e.Transfer("sip:bad\r\nX: 1@h"), "an invalid destination")
	flush(a.e)
	assert.Len(t, a.rec.find(callState("transfer")), 0)
	assert.True(t, a.e.IsInCall())
}

// A second REFER while the first one is being followed is declined.
func TestSecondReferWhileFollowingOneIsDeclined(t *testing.T) {
	a, b, c := threePhones(t, nil, false) // c rings: the first REFER stays in progress
	talking(t, a, b)
	require.True(t, a.e.Transfer("1003"))
	c.rec.waitFor(t, "c ringing", callState("ringing"))
	require.True(t, a.e.SetLine("1"))
	waitUntil(t, "the first transfer is accepted", func() bool {
		return len(a.rec.find(notification("STATUS,1,Call transfer accepted"))) > 0
	})
	a.e.xfers.mu.Lock()
	delete(a.e.xfers.out, a.e.lines.current()) // let a send a second REFER
	a.e.xfers.mu.Unlock()
	require.True(t, a.e.Transfer("1004"))
	a.rec.waitFor(t, "the second REFER refused", notification("STATUS,1,Call Transfer: 603 Decline"))
	assert.Contains(t, b.e.GetLogs(), "the previous one is still being followed")
}

// unholdontransfer 0 leaves the held line held while its REFER with
// Replaces goes out.
func TestUnholdOnTransferZeroKeepsTheHold(t *testing.T) {
	a, b, c := threePhones(t, map[string]string{"transfertype": "5", "unholdontransfer": "0"}, true)
	talking(t, a, b)
	require.True(t, a.e.Transfer("1003"))
	a.rec.waitFor(t, "consultation connected", onLine("connected", 2))
	require.True(t, a.e.Hangup(-1))
	c.rec.waitFor(t, "c's replacing call connected", onLine("connected", 2))
	assert.Equal(t, "BYE transfer done", lineCdr(t, a, 1))
	assert.Equal(t, []string{"", "sendonly"}, a.media.get(0).snapshot().offers)
}
