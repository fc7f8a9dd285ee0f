package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The REGISTER notifications of the extra account 1003 (main=false).
var (
	extraRegistered = notification("REGISTER,0,1,Registered,false,,1003,")
	extraFailed     = notification("REGISTER,0,2,Register failed,false,,1003,")
)

// extraOn starts an unregistered main phone on ws://a.test/ws with the
// extra account 1003 on ws://b.test/ws, registered; it returns the
// account's connection.
func extraOn(t *testing.T, n *fakeNet) (*Engine, *recorder, *fakeClock, *fakeConn) {
	t.Helper()
	e, rec, clk := netEngine(t, n, nil)
	require.True(t, e.RegisterEx("ws://b.test/ws,1003,pw"))
	waitUntil(t, "the account's connection", func() bool { return n.count() == 2 })
	b := n.last()
	require.Equal(t, "ws://b.test/ws", b.addr)
	b.answer(b.expectRequest(t, "REGISTER"), 200, "OK")
	rec.waitFor(t, "the account registered", extraRegistered)
	rec.waitFor(t, "its progress", notification("REGISTER,0,0,Registering...,false,,1003,"))
	return e, rec, clk, b
}

// An extra account whose connection drops is reported failed to the page
// (REGISTER notification, main=false), reconnects after the backoff and
// registers again; the main account's onRegStateChange says nothing.
func TestExtraAccountReconnectsAfterADropAndTellsThePage(t *testing.T) {
	n := newFakeNet()
	e, rec, clk, b := extraOn(t, n)

	b.drop(errors.New("websocket closed: code 1006, not clean"))
	rec.waitFor(t, "the account failed", extraFailed)
	d := armed(t, clk)
	assert.LessOrEqual(t, d, firstReconnectDelay)
	clk.Advance(d)
	waitUntil(t, "the account's new connection", func() bool { return n.count() == 3 })
	b2 := n.last()
	assert.Equal(t, "ws://b.test/ws", b2.addr)
	b2.answer(b2.expectRequest(t, "REGISTER"), 200, "OK")
	waitUntil(t, "registered again", func() bool { return count(rec, extraRegistered) == 2 })
	for _, st := range e.ExtraAccountStates() {
		assert.Equal(t, "registered", string(st))
	}
	assert.Empty(t, clk.pending())
	assert.Empty(t, rec.find(func(ev event) bool { return ev.cb == "onRegStateChange" }),
		"the extra account's state is not the main registration's")
	assert.Contains(t, e.GetLogs(), "account 1003@")
}

// An extra account waiting out a long backoff tries at once when the main
// connection comes back.
func TestExtraAccountReconnectsAtOnceWhenTheMainConnectionIsBack(t *testing.T) {
	n := newFakeNet()
	_, rec, clk, b := extraOn(t, n)
	for len(n.dialed) > 0 {
		<-n.dialed
	}
	n.setRefused("ws://b.test/ws", true)
	b.drop(errors.New("gone"))
	for i := 0; i < 3; i++ { // the account's backoff grows to 4-8 s
		clk.Advance(armed(t, clk))
		assert.Equal(t, "ws://b.test/ws", n.nextDial(t))
	}
	wait := armed(t, clk)
	assert.GreaterOrEqual(t, wait, 4*time.Second)

	n.setRefused("ws://b.test/ws", false)
	n.conns[0].drop(errors.New("main gone too"))
	rec.waitFor(t, "main connection lost", display("Connection lost"))
	var mainWait time.Duration
	waitUntil(t, "the main reconnection armed", func() bool {
		for _, p := range clk.pending() {
			if p != wait {
				mainWait = p
				return true
			}
		}
		return false
	})
	require.Less(t, mainWait, wait)
	clk.Advance(mainWait)
	assert.Equal(t, "ws://a.test/ws", n.nextDial(t))
	assert.Equal(t, "ws://b.test/ws", n.nextDial(t), "the account tries as soon as the main connection is back")
	waitUntil(t, "the account's new connection", func() bool {
		n.mu.Lock()
		defer n.mu.Unlock()
		return n.conns[len(n.conns)-1].addr == "ws://b.test/ws" && len(n.conns) == 4
	})
	b2 := n.last()
	b2.answer(b2.expectRequest(t, "REGISTER"), 200, "OK")
	waitUntil(t, "registered again", func() bool { return count(rec, extraRegistered) == 2 })
	assert.Empty(t, clk.pending(), "nothing armed: both connections are up")
}

// sendregisternotifications=0 keeps the extra accounts' REGISTER
// notifications off; stop cancels an account's pending reconnection.
func TestExtraAccountNotificationsOffAndStopCancelsItsReconnection(t *testing.T) {
	n := newFakeNet()
	e, rec, clk := netEngine(t, n, map[string]string{"sendregisternotifications": "0"})
	require.True(t, e.RegisterEx("ws://b.test/ws,1003,pw"))
	waitUntil(t, "the account's connection", func() bool { return n.count() == 2 })
	b := n.last()
	b.answer(b.expectRequest(t, "REGISTER"), 200, "OK")
	waitUntil(t, "registered", func() bool {
		for _, st := range e.ExtraAccountStates() {
			return st == "registered"
		}
		return false
	})
	assert.Empty(t, rec.find(notification("REGISTER,")))

	b.drop(errors.New("gone"))
	armed(t, clk)
	require.True(t, e.Stop())
	rec.waitFor(t, "stopped", named("onAppStateChange", "stopped"))
	waitUntil(t, "the account's reconnection cancelled", func() bool { return len(clk.pending()) == 0 })
	assert.Empty(t, rec.find(notification("REGISTER,")))
}

// An extra account whose server refuses the first connection keeps trying
// and registers once it connects.
func TestExtraAccountWhoseFirstConnectionFailsRegistersLater(t *testing.T) {
	n := newFakeNet()
	e, rec, clk := netEngine(t, n, nil)
	for len(n.dialed) > 0 {
		<-n.dialed
	}
	n.setRefused("ws://b.test/ws", true)
	require.True(t, e.RegisterEx("ws://b.test/ws,1003,pw"))
	rec.waitFor(t, "the account failed", extraFailed)
	assert.Equal(t, "ws://b.test/ws", n.nextDial(t))
	clk.Advance(armed(t, clk))
	assert.Equal(t, "ws://b.test/ws", n.nextDial(t), "tried again, refused again")
	n.setRefused("ws://b.test/ws", false)
	clk.Advance(armed(t, clk))
	waitUntil(t, "the account's connection", func() bool { return n.count() == 2 })
	b := n.last()
	require.Equal(t, "ws://b.test/ws", b.addr)
	b.answer(b.expectRequest(t, "REGISTER"), 200, "OK")
	rec.waitFor(t, "the account registered", extraRegistered)
	assert.Empty(t, clk.pending())
}
