package engine

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"

	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/sipcore"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// presenceChange matches onPresenceStateChange(peer, state, ...).
func presenceChange(peer, state string) func(event) bool {
	return func(ev event) bool {
		return ev.cb == "onPresenceStateChange" && ev.args[0] == peer && ev.args[1] == state
	}
}

// blfChange matches onBLFStateChange(peer, direction, state, ...).
func blfChange(peer, direction, state string) func(event) bool {
	return func(ev event) bool {
		return ev.cb == "onBLFStateChange" && ev.args[0] == peer && ev.args[1] == direction && ev.args[2] == state
	}
}

// Through the demo server's presence agent: B watches A; A's Away and DND
// reach B in order, and A's stop shows A offline.
func TestPresenceThroughDemoServer(t *testing.T) {
	ds := startDemo(t)
	a := newPhone(t, ds, "1001", nil)
	b := newPhone(t, ds, "1002", nil)
	a.waitRegistered(t)
	b.waitRegistered(t)

	require.True(t, b.e.CheckPresence("1001"))
	b.rec.waitFor(t, "1001 offline before publishing", presenceChange("1001", "Offline"))

	require.True(t, a.e.SetPresenceStatus("Away"))
	b.rec.waitFor(t, "1001 away", presenceChange("1001", "Away"))
	b.rec.waitFor(t, "PRESENCE notification", notification("PRESENCE,1001,Away,Away,,"))
	require.True(t, a.e.SetPresenceStatus("DND"))
	b.rec.waitFor(t, "1001 DND", presenceChange("1001", "DoNotDisturb"))
	require.True(t, a.e.SetPresenceStatus("Online"))
	b.rec.waitFor(t, "1001 online", presenceChange("1001", "Available"))
	// checkpresence's v4.2 summary: the last state reported per watched user
	assert.Equal(t, "1001,Available", b.e.PresenceSummary(" 1001 ,, 1001"))
	assert.Empty(t, b.e.PresenceSummary("1009"), "not watched")

	var states []any
	for _, ev := range b.rec.find(func(ev event) bool { return ev.cb == "onPresenceStateChange" }) {
		states = append(states, ev.args[1])
	}
	assert.Equal(t, []any{"Offline", "Away", "DoNotDisturb", "Available"}, states, "each change once, in order")

	require.True(t, a.e.Stop())
	a.rec.waitFor(t, "A stopped", named("onAppStateChange", "stopped"))
	offline := b.rec.find(presenceChange("1001", "Offline"))
	if len(offline) < 2 {
		waitUntil(t, "1001 offline after stop", func() bool { return len(b.rec.find(presenceChange("1001", "Offline"))) == 2 })
	}
}

func TestSetPresenceStatusVocabulary(t *testing.T) {
	e := New(Options{AutoStartDelay: -1})
	defer e.Close()
	for _, bad := range []string{"online", "Busy", "", "DND\r\nX: y"} {
		assert.False(t, e.SetPresenceStatus(bad), bad)
	}
	assert.False(t, e.CheckPresence(""))
	assert.False(t, e.CheckPresence(" , ,"))
	assert.False(t, e.CheckBLF(""))
}

// A user just subscribed (the server takes the connection and never
// answers) is Unknown in checkpresence's summary; a user not watched is
// left out.
func TestPresenceSummaryBeforeAnyState(t *testing.T) {
	e := New(Options{Dialer: nettransport.Dial, AutoStartDelay: -1})
	defer e.Close()
	require.True(t, e.SetParameter("webrtcserveraddress", "ws://"+silentServer(t)+"/ws"))
	require.True(t, e.SetParameter("serveraddress", "127.0.0.1"))
	require.True(t, e.CheckPresence("2001, 2002"))
	assert.Equal(t, "2001,Unknown;2002,Unknown", e.PresenceSummary("2001,2002,2003"))
	assert.Empty(t, e.PresenceSummary(""))
}

// Through the demo server: B watches 1003's line; 1001 calls 1003: ringing
// (early, 1003 the receiver, 1001 the remote), busy (confirmed), idle
// (terminated) after the hangup.
func TestBLFThroughDemoServer(t *testing.T) {
	ds := startDemo(t)
	watcher := newPhone(t, ds, "1002", nil)
	callee := newPhone(t, ds, "1003", nil)
	caller := newPhone(t, ds, "1001", nil)
	watcher.waitRegistered(t)
	callee.waitRegistered(t)
	caller.waitRegistered(t)

	require.True(t, watcher.e.CheckBLF("1003"))
	watcher.rec.waitFor(t, "idle lamp", blfChange("1003", "undefined", "terminated"))

	require.True(t, caller.e.Call("1003"))
	callee.rec.waitFor(t, "ringing", callState("ringing"))
	early := watcher.rec.waitFor(t, "ringing lamp", blfChange("1003", "receiver", "early"))
	assert.Equal(t, "1001", early.args[4], "the caller, as the server says it")
	callID := early.args[3].(string)
	assert.NotEmpty(t, callID)
	watcher.rec.waitFor(t, "BLF notification", notification("BLF,1003,receiver,early,"+callID))

	require.True(t, callee.e.Accept())
	watcher.rec.waitFor(t, "busy lamp", blfChange("1003", "receiver", "confirmed"))
	require.True(t, caller.e.Hangup(-1))
	callee.rec.waitFor(t, "disconnected", callState("disconnected"))
	end := watcher.rec.waitFor(t, "idle lamp after hangup", blfChange("1003", "receiver", "terminated"))
	assert.Equal(t, callID, end.args[3], "the call that ended")
	var states []any
	for _, ev := range watcher.rec.find(func(ev event) bool { return ev.cb == "onBLFStateChange" }) {
		states = append(states, ev.args[2])
	}
	assert.Equal(t, []any{"terminated", "trying", "early", "confirmed", "terminated"}, states)
}

// A watch of a user the server does not know fails with a clear event.
func TestBLFUnknownUserFails(t *testing.T) {
	ds := startDemo(t)
	w := newPhone(t, ds, "1002", nil)
	w.waitRegistered(t)
	require.True(t, w.e.CheckBLF("nosuchuser"))
	w.rec.waitFor(t, "failed lamp", blfChange("nosuchuser", "undefined", "failed"))
	w.rec.waitFor(t, "BLF failed notification", notification("BLF,nosuchuser,undefined,failed,"))
}

// NOTIFY bodies that do not parse change nothing and are reported as
// warnings; an unsolicited message-summary is reported as MWI.
func TestMalformedNotifyBodies(t *testing.T) {
	rec := &recorder{}
	e := New(Options{AutoStartDelay: -1, Emit: rec.emit})
	defer e.Close()
	w := &watch{kind: presenceKind, peer: "1001"}
	e.watches.watches = map[string]*watch{watchKey("presence", "1001"): w}
	sub := &sipcore.Subscription{}
	e.onNotify(sub, sipcore.NotifyInfo{Event: "presence", From: "sip:1001@x", Body: []byte("<presence><tuple>")})
	e.onNotify(sub, sipcore.NotifyInfo{Event: "presence", From: "sip:1001@x",
		Body: []byte(`<presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple id="a"><status><basic>open</basic></status></tuple></presence>`)})
	e.onNotify(nil, sipcore.NotifyInfo{Event: "message-summary", Body: []byte("Messages-Waiting: yes\r\nMessage-Account: sip:*97@pbx\r\nVoice-Message: 3/5\r\n")})
	e.onNotify(nil, sipcore.NotifyInfo{Event: "message-summary", Body: []byte("Voice-Message: 3/5\r\n")})
	e.onNotify(sub, sipcore.NotifyInfo{Event: "dialog", From: "sip:1009@x", Body: []byte("<dialog-info")})
	flush(e)
	assert.Len(t, rec.find(notification("EVENT,WARNING,malformed presence document from 1001")), 1)
	assert.Len(t, rec.find(presenceChange("1001", "Available")), 1)
	assert.Len(t, rec.find(func(ev event) bool { return ev.cb == "onPresenceStateChange" }), 1)
	assert.Len(t, rec.find(notification("MWI,3,5,1,sip:*97@pbx")), 1)
	assert.Equal(t, "*97", e.GetParameter("voicemailnum"), "the voicemail number the server announced")
	assert.Len(t, rec.find(notification("EVENT,WARNING,malformed voicemail notification")), 1)
	assert.Empty(t, rec.find(func(ev event) bool { return ev.cb == "onBLFStateChange" }), "NOTIFY for no subscription")
}

// Peer mode: on a proxy without a presence agent, the phone answers the
// presence SUBSCRIBE for its own user and NOTIFYs every status itself.
func TestPresencePeerModeOnAPlainProxy(t *testing.T) {
	ds, err := demoserver.New(demoserver.Options{Addr: "127.0.0.1:0", PlainProxy: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	require.NoError(t, ds.Start(context.Background()))
	t.Cleanup(func() { ds.Close() })
	a := newPhone(t, ds, "1001", nil)
	b := newPhone(t, ds, "1002", nil)
	a.waitRegistered(t)
	b.waitRegistered(t)

	require.True(t, b.e.CheckPresence("1001"))
	b.rec.waitFor(t, "1001 online (answered by the phone)", presenceChange("1001", "Available"))
	require.True(t, a.e.SetPresenceStatus("Away"))
	b.rec.waitFor(t, "1001 away", presenceChange("1001", "Away"))
	a.rec.waitFor(t, "PUBLISH refused by the plain proxy", notification("EVENT,WARNING,presence not published"))
	require.True(t, a.e.SetPresenceStatus("DND"))
	b.rec.waitFor(t, "1001 DND", presenceChange("1001", "DoNotDisturb"))
	require.True(t, a.e.Stop())
	b.rec.waitFor(t, "1001 offline after stop", presenceChange("1001", "Offline"))
	flush(b.e)
	assert.Len(t, b.rec.find(presenceChange("1001", "Offline")), 1, "offline once")

	// nobody answers for a user that is not registered
	require.True(t, b.e.CheckPresence("1003"))
	b.rec.waitFor(t, "1003 offline", presenceChange("1003", "Offline"))
}

// silentServer is a TCP address that takes connections and never says a
// word (a WebSocket handshake to it waits until its own timeout).
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}
