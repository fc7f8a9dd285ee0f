package engine

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	// sipgo logs through slog.Default; keep test output readable.
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

// startDemo starts the embedded SIP server on a free port; it is closed at
// cleanup (after the phones, which are registered later).
func startDemo(t *testing.T) *demoserver.Server {
	t.Helper()
	ds, err := demoserver.New(demoserver.Options{Addr: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	require.NoError(t, ds.Start(context.Background()))
	t.Cleanup(func() { ds.Close() })
	return ds
}

// phone is an Engine over a real sipcore UA and WebSocket, with fake media.
type phone struct {
	user  string
	e     *Engine
	rec   *recorder
	media *mediaBox
}

func newPhone(t *testing.T, ds *demoserver.Server, user string, extra map[string]string) *phone {
	t.Helper()
	p := &phone{user: user, rec: &recorder{}, media: &mediaBox{}}
	p.e = New(Options{Dialer: nettransport.Dial, Media: p.media.factory, Storage: NewMapStorage(),
		Emit: p.rec.emit, DTMFPause: 10 * time.Millisecond, AutoStartDelay: -1})
	t.Cleanup(p.e.Close)
	cfg := map[string]string{
		"webrtcserveraddress": ds.WSURL(),
		"serveraddress":       ds.Domain(),
		"username":            user,
		"password":            demoserver.DefaultAccounts()[user],
	}
	for k, v := range extra {
		cfg[k] = v
	}
	p.e.Init(cfg, "")
	p.e.AutoStart()
	return p
}

func (p *phone) waitRegistered(t *testing.T) {
	t.Helper()
	p.rec.waitFor(t, p.user+" registered", named("onRegStateChange", "registered"))
	require.True(t, p.e.IsRegistered())
}

// flush waits until every event queued so far was delivered.
func flush(e *Engine) {
	done := make(chan struct{})
	e.after(func() { close(done) })
	<-done
}

// registerOKs counts the 200 OK answers to REGISTER received.
func registerOKs(e *Engine) int {
	e.hist.mu.Lock()
	defer e.hist.mu.Unlock()
	n := 0
	for _, r := range e.hist.recs {
		if !r.out && r.code == 200 && r.method == "REGISTER" {
			n++
		}
	}
	return n
}

// registeredBeforeInvite tells whether a REGISTER was answered 200 before
// the first INVITE went out.
func registeredBeforeInvite(e *Engine) bool {
	e.hist.mu.Lock()
	defer e.hist.mu.Unlock()
	for _, r := range e.hist.recs {
		if !r.out && r.code == 200 && r.method == "REGISTER" {
			return true
		}
		if r.out && r.req && r.method == "INVITE" {
			return false
		}
	}
	return false
}

func cdrOf(t *testing.T, p *phone) event {
	t.Helper()
	return p.rec.waitFor(t, p.user+" CDR", func(ev event) bool { return ev.cb == "onCdr" })
}

func TestRegisterReportsStatesOnce(t *testing.T) {
	ds := startDemo(t)
	a := newPhone(t, ds, "1001", nil)
	a.rec.waitFor(t, "loaded", named("onAppStateChange", "loaded"))
	a.rec.waitFor(t, "started", named("onAppStateChange", "started"))
	a.waitRegistered(t)
	a.rec.waitFor(t, "STATUS Registered.", notification("STATUS,-1,Registered."))
	a.rec.waitFor(t, "REGISTER notification", notification("REGISTER,0,1,Registered,true,,1001,"))
	assert.Equal(t, "STATUS,-1,Registered.", a.e.GetStatus())
	assert.Contains(t, a.e.GetLogs(), "start engine:")

	require.True(t, a.e.Register(), "a second register() refreshes")
	waitUntil(t, "second REGISTER answered", func() bool { return registerOKs(a.e) == 2 && a.e.IsRegistered() })
	flush(a.e)
	assert.Len(t, a.rec.find(named("onRegStateChange", "registered")), 1, "registered fires once per episode")

	require.True(t, a.e.Unregister())
	a.rec.waitFor(t, "unregistered", named("onRegStateChange", "unregistered"))
	assert.False(t, a.e.IsRegistered())
}

func TestWrongPasswordFails(t *testing.T) {
	ds := startDemo(t)
	a := newPhone(t, ds, "1001", map[string]string{"password": "wrong"})
	ev := a.rec.waitFor(t, "failed", named("onRegStateChange", "failed"))
	assert.NotEmpty(t, ev.args[1])
	assert.False(t, a.e.IsRegistered())
	assert.NotEmpty(t, a.e.GetRegFailReason())
	a.rec.waitFor(t, "display", func(ev event) bool {
		return ev.cb == "onEvent" && ev.args[0] == "display" && ev.args[1] == ",Authentication failed"
	})
}

func TestServerListFailsOverToTheNextAddress(t *testing.T) {
	ds := startDemo(t)
	a := newPhone(t, ds, "1001", map[string]string{"webrtcserveraddress": "ws://127.0.0.1:1/ws, " + ds.WSURL()})
	a.waitRegistered(t)
	assert.Contains(t, a.e.GetLogs(), "connect ws://127.0.0.1:1/ws failed")
}

func TestAutostartZeroWaitsForStart(t *testing.T) {
	ds := startDemo(t)
	a := newPhone(t, ds, "1001", map[string]string{"autostart": "0"})
	started := a.e.app.currentUA() != nil
	assert.False(t, started, "autostart=0: nothing connects before start()")
	require.True(t, a.e.Start())
	a.waitRegistered(t)
}

func TestCallAcceptHoldDTMFMuteHangup(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)
	a := newPhone(t, ds, "1001", map[string]string{"dtmfmode": "1"})

	// a call made before "started" is queued until the phone is ready
	require.True(t, a.e.Call("1002"))
	assert.True(t, a.e.IsInCall())
	assert.Equal(t, 1, a.e.GetLine())

	in := b.rec.waitFor(t, "incoming setup", callState("setup"))
	assert.True(t, registeredBeforeInvite(a.e), "R-INIT-1: register first, then call")
	assert.Equal(t, []any{"setup", 2, "1001", "1001", 1, in.args[5]}, in.args)
	b.rec.waitFor(t, "incoming ringing", callState("ringing"))
	b.rec.waitFor(t, "STATUS Ringing", notification("STATUS,1,Ringing,1001,1002,2,"))
	a.rec.waitFor(t, "outgoing ringing", callState("ringing"))
	out := a.rec.waitFor(t, "outgoing setup", callState("setup"))
	assert.Equal(t, in.args[5], out.args[5], "both sides report the same Call-ID")
	assert.Equal(t, 1, out.args[1], "outgoing direction")
	assert.Equal(t, 1, a.e.CallIDToLine(out.args[5].(string)))

	require.True(t, b.e.Accept())
	a.rec.waitFor(t, "connected", callState("connected"))
	b.rec.waitFor(t, "connected", callState("connected"))
	a.rec.waitFor(t, "CallConnect", notification("STATUS,1,CallConnect,1002,1001,1,"))
	assert.Equal(t, "STATUS,-1,In Call", a.e.GetStatus())
	waitUntil(t, "answer applied", func() bool { return len(a.media.get(0).snapshot().applied) == 1 })
	assert.Contains(t, string(b.media.get(0).snapshot().remote[0]), "m=audio", "B answered A's offer")

	// SIP introspection
	assert.Contains(t, b.e.GetSIPHeader("From", false), "1001")
	assert.True(t, strings.HasPrefix(b.e.GetSIPHeader("X-None", false), "ERROR"))
	assert.True(t, strings.HasPrefix(b.e.GetLastRecInvite(), "INVITE sip:1002@"))
	assert.True(t, strings.HasPrefix(a.e.GetLastSentInvite(), "INVITE sip:1002@"))
	assert.True(t, strings.HasPrefix(a.e.GetSIPMessage(0, 4, false), "SIP/2.0 200 OK"))
	assert.True(t, strings.HasPrefix(a.e.GetSIPMessage(1, 3, false), "INVITE "))

	// hold and unhold with re-INVITEs
	require.True(t, a.e.Hold(true))
	assert.True(t, a.e.IsOnHold())
	b.rec.waitFor(t, "remote hold", notification("STATUS,-1,Placed on hold by remote party"))
	require.True(t, a.e.Hold(false))
	b.rec.waitFor(t, "remote unhold", notification("STATUS,-1,Taken off hold by remote party"))
	assert.False(t, a.e.IsOnHold())
	waitUntil(t, "unhold answer applied", func() bool { return len(a.media.get(0).snapshot().applied) == 3 })
	assert.Equal(t, []string{"", "sendonly", ""}, a.media.get(0).snapshot().offers)

	// DTMF by SIP INFO (dtmfmode=1), a space pauses
	require.True(t, a.e.DTMF("1 #", -1))
	b.rec.waitFor(t, "dtmf #", named("onDTMF", "#"))
	digits := b.rec.find(func(ev event) bool { return ev.cb == "onDTMF" })
	require.Len(t, digits, 2)
	assert.Equal(t, []any{"1", 1}, digits[0].args)
	b.rec.waitFor(t, "DTMF notification", notification("DTMF,1,1001,1,1"))

	// DTMF by RFC 4733 goes to the media
	a.e.SetParameter("dtmfmode", "4")
	require.True(t, a.e.DTMF("23", -1))
	waitUntil(t, "rtp dtmf", func() bool { return len(a.media.get(0).snapshot().dtmf) == 1 })
	assert.Equal(t, []string{"23"}, a.media.get(0).snapshot().dtmf)

	// mute the microphone
	require.True(t, a.e.Mute(true, 2))
	assert.True(t, a.e.IsMuted())
	assert.Equal(t, []string{"2:true"}, a.media.get(0).snapshot().mutes)

	// hang up from A
	require.True(t, a.e.Hangup(-1))
	assert.False(t, a.e.IsInCall())
	ac := cdrOf(t, a)
	assert.Equal(t, "1001", ac.args[0])
	assert.Equal(t, "1002", ac.args[1])
	assert.Equal(t, 1, ac.args[4])
	assert.Equal(t, "BYE User Hung Up", ac.args[6])
	assert.Equal(t, "1", ac.args[9])
	bc := cdrOf(t, b)
	assert.Equal(t, "1001", bc.args[0], "incoming: the caller is the peer")
	assert.Equal(t, "1002", bc.args[1])
	assert.Equal(t, 2, bc.args[4])
	assert.Equal(t, "BYE bye received", bc.args[6])
	assert.Equal(t, "2", bc.args[9])
	assert.Equal(t, in.args[5], bc.args[8])
	b.rec.waitFor(t, "CDR notification", notification("CDR,1,1001,1001,1002,"))
	waitUntil(t, "B line free", func() bool { return !b.e.IsInCall() })
	waitUntil(t, "media closed", func() bool { return a.media.get(0).snapshot().closed && b.media.get(0).snapshot().closed })
	assert.Len(t, a.rec.find(callState("disconnected")), 1)
	assert.Len(t, b.rec.find(callState("disconnected")), 1)
	a.rec.waitFor(t, "Call Finished", notification("STATUS,-1,Call Finished"))
	assert.Equal(t, "STATUS,-1,Registered.", a.e.GetStatus(), "back to the idle status")
}

func TestPostDialDTMFIsSentOnceConnected(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", map[string]string{"autoaccept": "true"})
	b.waitRegistered(t)
	a := newPhone(t, ds, "1001", map[string]string{"dtmfmode": "1"})
	a.waitRegistered(t)
	require.True(t, a.e.Call("1002,5#"))
	b.rec.waitFor(t, "auto-accepted", callState("connected"))
	b.rec.waitFor(t, "dtmf #", named("onDTMF", "#"))
	var got []any
	for _, ev := range b.rec.find(func(ev event) bool { return ev.cb == "onDTMF" }) {
		got = append(got, ev.args[0])
	}
	assert.Equal(t, []any{"5", "#"}, got)
	require.True(t, b.e.Hangup(-1))
	ac := cdrOf(t, a)
	assert.Equal(t, "BYE bye received", ac.args[6])
}

func TestRejectAndCancel(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)

	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "ringing", callState("ringing"))
	require.True(t, b.e.Reject())
	ac := cdrOf(t, a)
	assert.Equal(t, "603 Decline", ac.args[6])
	assert.Equal(t, "2", ac.args[9])
	assert.Equal(t, 0, ac.args[3], "never connected: duration 0")
	assert.Equal(t, "603 rejected", cdrOf(t, b).args[6])

	flush(a.e)
	flush(b.e)
	a.rec.reset()
	b.rec.reset()
	waitUntil(t, "lines free", func() bool { return !a.e.IsInCall() && !b.e.IsInCall() })
	require.True(t, a.e.Call("sip:1002@"+ds.Domain()))
	b.rec.waitFor(t, "ringing", callState("ringing"))
	a.rec.waitFor(t, "ringing", callState("ringing"))
	require.True(t, a.e.Hangup(-1))
	assert.Equal(t, "CANCEL User Hung Up", cdrOf(t, a).args[6])
	bc := cdrOf(t, b)
	assert.Equal(t, "CANCEL cancel received", bc.args[6])
	assert.Equal(t, "2", bc.args[9])
}

func TestChatBothWays(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)
	require.True(t, a.e.SendChat("1002", "hello, world"))
	ev := b.rec.waitFor(t, "chat", func(ev event) bool { return ev.cb == "onChat" })
	assert.Equal(t, []any{"1001", "hello, world", -1, ""}, ev.args)
	b.rec.waitFor(t, "CHAT notification", notification("CHAT,-1,1001,hello, world"))
	a.rec.waitFor(t, "sending report", notification("CHATREPORT,-1,1002,1,"))
	a.rec.waitFor(t, "sent report", notification("CHATREPORT,-1,1002,2,"))

	require.True(t, a.e.SendChat("1999", "nobody"))
	a.rec.waitFor(t, "failed report", notification("CHATREPORT,-1,1999,3,"))
	assert.False(t, a.e.SendChat("", "x"))
	assert.NotContains(t, a.e.GetLogs(), "X-Sms")

	require.True(t, a.e.SetParameter("textmessaging", "5"))
	require.True(t, a.e.SendChat("1002", "as sms"))
	b.rec.waitFor(t, "sms chat", notification("CHAT,-1,1001,as sms"))
	assert.Contains(t, a.e.GetLogs(), "X-Sms: yes", "textmessaging 5 marks the MESSAGE for an SMS gateway")
}

func TestRejectOnBusyAndHangupAll(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", map[string]string{"autoaccept": "1", "rejectonbusy": "true"})
	b.waitRegistered(t)
	c := newPhone(t, ds, "1003", map[string]string{"autoaccept": "1"})
	c.waitRegistered(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)

	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b connected", callState("connected"))
	require.True(t, a.e.Call("1003"))
	c.rec.waitFor(t, "c connected", callState("connected"))
	assert.Equal(t, 2, a.e.GetLine())
	assert.False(t, a.e.Call("1003"), "already in call with 1003")

	d := newPhone(t, ds, "1004", nil)
	d.waitRegistered(t)
	require.True(t, d.e.Call("1002"))
	assert.Equal(t, "486 Busy Here", cdrOf(t, d).args[6], "rejectonbusy")
	assert.True(t, b.e.IsInCall(), "B's first call goes on")

	require.True(t, a.e.Hangup(-2))
	assert.False(t, a.e.IsInCall())
	cdrOf(t, b)
	cdrOf(t, c)
	waitUntil(t, "A has two CDRs", func() bool {
		return len(a.rec.find(func(ev event) bool { return ev.cb == "onCdr" })) == 2
	})
}

func TestStopUnregistersAndReportsStopped(t *testing.T) {
	ds := startDemo(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)
	require.True(t, a.e.Stop())
	a.rec.waitFor(t, "stopped", named("onAppStateChange", "stopped"))
	a.rec.waitFor(t, "unregistered", named("onRegStateChange", "unregistered"))
	assert.False(t, a.e.IsRegistered())
	require.True(t, a.e.Start(), "the engine can start again")
	waitUntil(t, "registered again", a.e.IsRegistered)
}

func TestReconnectsAndReregistersAfterConnectionLoss(t *testing.T) {
	ds1, err := demoserver.New(demoserver.Options{Addr: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	require.NoError(t, ds1.Start(context.Background()))
	addr := strings.TrimSuffix(strings.TrimPrefix(ds1.WSURL(), "ws://"), "/ws")
	a := newPhone(t, ds1, "1001", nil)
	a.waitRegistered(t)

	ds1.Close()
	a.rec.waitFor(t, "failed", named("onRegStateChange", "failed"))
	assert.False(t, a.e.IsRegistered())
	ds2, err := demoserver.New(demoserver.Options{Addr: addr,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	require.NoError(t, ds2.Start(context.Background()))
	t.Cleanup(func() { ds2.Close() })

	waitUntil(t, "registered again", func() bool {
		return len(a.rec.find(named("onRegStateChange", "registered"))) == 2
	})
	assert.True(t, a.e.IsRegistered())
	assert.Contains(t, a.e.GetLogs(), "reconnected")
}

func TestAutoactionCallsCalltoWithURLParameters(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", map[string]string{"autoaccept": "true"})
	b.waitRegistered(t)

	rec := &recorder{}
	e := New(Options{Dialer: nettransport.Dial, Media: (&mediaBox{}).factory, Emit: rec.emit})
	t.Cleanup(e.Close)
	e.Init(map[string]string{"webrtcserveraddress": ds.WSURL(), "serveraddress": ds.Domain(), "username": "1001"},
		"http://page.example/phone.html?wp_password=pass1001&wp_callto=1002&wp_autoaction=1")
	// Init applies autostart by itself shortly after "loaded"
	rec.waitFor(t, "loaded", named("onAppStateChange", "loaded"))
	rec.waitFor(t, "started", named("onAppStateChange", "started"))
	assert.False(t, e.AutoStart(), "only once")
	rec.waitFor(t, "registered", named("onRegStateChange", "registered"))
	rec.waitFor(t, "connected", callState("connected"))
	b.rec.waitFor(t, "b connected", callState("connected"))
}

// The FAQ multi-line example (R-ML-4): two calls, select lines by peer name.
func TestMultiLineSelectByPeer(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", map[string]string{"autoaccept": "true"})
	b.waitRegistered(t)
	c := newPhone(t, ds, "1003", map[string]string{"autoaccept": "true"})
	c.waitRegistered(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)

	require.True(t, a.e.SetSIPHeader("X-Test: hello"), "global scope: no call yet")
	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b connected", callState("connected"))
	assert.Equal(t, "hello", b.e.GetSIPHeader("X-Test", false), "setsipheader reaches the INVITE")
	require.True(t, a.e.Call("1003"))
	c.rec.waitFor(t, "c connected", callState("connected"))
	waitUntil(t, "A has both connected", func() bool { return len(a.rec.find(callState("connected"))) == 2 })

	require.True(t, a.e.SetLine("1003"))
	assert.Equal(t, 2, a.e.GetLine())
	require.True(t, a.e.Hangup(-1), "hangup(true) acts on the current line")
	cdrOf(t, c)
	assert.True(t, a.e.IsInCall(), "the call with 1002 goes on")
	assert.Equal(t, -1, a.e.CallIDToLine(c.rec.find(callState("setup"))[0].args[5].(string)))

	require.True(t, a.e.SetLine("1002"))
	require.True(t, a.e.SetSIPHeader("X-Line: two"), "line scope: the line has a call")
	require.True(t, a.e.Hold(true))
	b.rec.waitFor(t, "b held", notification("STATUS,-1,Placed on hold by remote party"))
	assert.Equal(t, "two", b.e.GetSIPHeader("X-Line", false), "a line's header reaches its re-INVITE")

	// dtmfmode 2 (auto): the peer's SDP offers telephone-event, so RFC 4733
	require.True(t, a.e.DTMF("9", 1))
	waitUntil(t, "rtp dtmf", func() bool { return len(a.media.get(0).snapshot().dtmf) == 1 })
}

func TestForwardAndIgnore(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)
	c := newPhone(t, ds, "1003", nil)
	c.waitRegistered(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)

	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b ringing", callState("ringing"))
	require.True(t, b.e.Forward("1003"))
	assert.Equal(t, "302 forward", cdrOf(t, b).args[6])
	ev := c.rec.waitFor(t, "c ringing", callState("ringing"))
	assert.Equal(t, "1001", ev.args[2], "the caller followed the 302")
	assert.False(t, b.e.IsInCall())

	require.True(t, c.e.Ignore())
	assert.Equal(t, "-1 ignored", cdrOf(t, c).args[6])
	assert.False(t, c.e.IsInCall(), "ignore frees the line at once")
	assert.True(t, a.e.IsInCall(), "the caller still waits")
	require.True(t, a.e.Hangup(-1))
	assert.Equal(t, "CANCEL User Hung Up", cdrOf(t, a).args[6])
}

// panicMedia breaks in Offer.
type panicMedia struct{ fakeMedia }

func (*panicMedia) Offer(context.Context, string) ([]byte, error) { panic("broken media") }

func TestBrokenMediaEndsTheCallInsteadOfHanging(t *testing.T) {
	ds := startDemo(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)

	a.e.opts.Media = func(int, *Params) (Media, error) { return nil, errors.New("no microphone") }
	require.True(t, a.e.Call("1002"))
	assert.Equal(t, "-1 cannot start media", cdrOf(t, a).args[6])
	waitUntil(t, "line free", func() bool { return !a.e.IsInCall() })

	a.rec.reset()
	a.e.opts.Media = func(int, *Params) (Media, error) { return &panicMedia{}, nil }
	require.True(t, a.e.Call("1002"))
	assert.Equal(t, "-1 failed media", cdrOf(t, a).args[6])
	waitUntil(t, "line free", func() bool { return !a.e.IsInCall() })
	assert.Contains(t, a.e.GetLogs(), "broken media")
}

// refusingMedia cannot take the peer's answer.
type refusingMedia struct{ fakeMedia }

func (*refusingMedia) SetRemoteAnswer(context.Context, []byte) error {
	return errors.New("answer has no common codec")
}

func TestUnusableRemoteAnswerEndsTheCallWithBye(t *testing.T) {
	ds := startDemo(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)
	b := newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)
	a.e.opts.Media = func(int, *Params) (Media, error) { return &refusingMedia{}, nil }
	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b ringing", callState("ringing"))
	require.True(t, b.e.Accept())
	assert.Equal(t, "BYE media negotiation failed", cdrOf(t, a).args[6])
	cdrOf(t, b) // the far end got the BYE and logged the call
	assert.False(t, a.e.IsInCall())
	assert.Contains(t, a.e.GetLogs(), "no common codec")
}

func TestBlacklistedCallerIsDeclinedSilently(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", map[string]string{"blacklist": "1005, 1001"})
	b.waitRegistered(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)
	require.True(t, a.e.Call("1002"))
	assert.Equal(t, "603 Decline", cdrOf(t, a).args[6])
	flush(b.e)
	assert.Empty(t, b.rec.find(func(ev event) bool { return ev.cb == "onCallStateChange" || ev.cb == "onCdr" }),
		"the blocked call never shows on B")
	assert.False(t, b.e.IsInCall())
}
