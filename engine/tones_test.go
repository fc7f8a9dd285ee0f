package engine

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeAlerts records every tone change and key tone.
type fakeAlerts struct {
	mu       sync.Mutex
	tones    []Tone
	ringtone []string
	keys     []string
}

func (a *fakeAlerts) SetTone(t Tone, ringtone string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tones = append(a.tones, t)
	a.ringtone = append(a.ringtone, ringtone)
}

func (a *fakeAlerts) KeyTone(d string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys = append(a.keys, d)
}

func (a *fakeAlerts) current() Tone {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.tones) == 0 {
		return ToneNone
	}
	return a.tones[len(a.tones)-1]
}

func (a *fakeAlerts) history() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := make([]string, len(a.tones))
	for i, t := range a.tones {
		s[i] = t.String()
	}
	return strings.Join(s, " ")
}

func (a *fakeAlerts) keyTones() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.keys...)
}

// waitTone waits until the phone's current tone is want.
func (a *fakeAlerts) waitTone(t *testing.T, who string, want Tone) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for a.current() != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: tone is %v, want %v (history: %s)", who, a.current(), want, a.history())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// tonePhone is a phone (real UA over the demo server, fake media) with
// recorded alerts, on a manual clock when clk is not nil.
type tonePhone struct {
	*phone
	alerts *fakeAlerts
}

func newTonePhone(t *testing.T, ds *demoserver.Server, user string, clk *fakeClock, extra map[string]string) *tonePhone {
	t.Helper()
	p := &phone{user: user, rec: &recorder{}, media: &mediaBox{}}
	al := &fakeAlerts{}
	opts := Options{Dialer: nettransport.Dial, Media: p.media.factory, Storage: NewMapStorage(),
		Emit: p.rec.emit, DTMFPause: 10 * time.Millisecond, AutoStartDelay: -1, Alerts: al}
	if clk != nil {
		opts.Now, opts.AfterFunc = clk.Now, clk.AfterFunc
	}
	p.e = New(opts)
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
	p.waitRegistered(t)
	return &tonePhone{phone: p, alerts: al}
}

func TestRingAndRingbackStopOnAnswer(t *testing.T) {
	ds := startDemo(t)
	b := newTonePhone(t, ds, "1002", nil, map[string]string{"ringtone": "sounds/custom.wav"})
	a := newTonePhone(t, ds, "1001", nil, nil)

	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b ringing", callState("ringing"))
	b.alerts.waitTone(t, "callee", ToneRing)
	a.rec.waitFor(t, "a ringing", callState("ringing"))
	a.alerts.waitTone(t, "caller", ToneRingback)
	b.alerts.mu.Lock()
	assert.Equal(t, "sounds/custom.wav", b.alerts.ringtone[len(b.alerts.ringtone)-1], "the ringtone parameter reaches the platform")
	b.alerts.mu.Unlock()

	require.True(t, b.e.Accept())
	// accept silences the ring at once, before the call is connected
	assert.Equal(t, ToneNone, b.alerts.current(), "accept stops the ring at once")
	a.rec.waitFor(t, "a connected", callState("connected"))
	a.alerts.waitTone(t, "caller", ToneNone)
	assert.Equal(t, "ring none", b.alerts.history())
	assert.Equal(t, "ringback none", a.alerts.history())

	require.True(t, a.e.Hangup(-1))
	cdrOf(t, b.phone)
	assert.Equal(t, "ring none", b.alerts.history(), "no tone after the call")
}

func TestTonesStopOnCancelRejectIgnoreAndHangup(t *testing.T) {
	ds := startDemo(t)
	b := newTonePhone(t, ds, "1002", nil, nil)
	a := newTonePhone(t, ds, "1001", nil, nil)

	ring := func(what string) {
		t.Helper()
		flush(a.e)
		flush(b.e)
		a.rec.reset()
		b.rec.reset()
		waitUntil(t, "lines free", func() bool { return !a.e.IsInCall() && !b.e.IsInCall() })
		require.True(t, a.e.Call("1002"), what)
		b.alerts.waitTone(t, "callee before "+what, ToneRing)
		a.alerts.waitTone(t, "caller before "+what, ToneRingback)
	}

	ring("cancel")
	require.True(t, a.e.Hangup(-1))
	assert.Equal(t, ToneNone, a.alerts.current(), "hangup stops the caller's ringback at once")
	b.alerts.waitTone(t, "callee after the caller's CANCEL", ToneNone)

	ring("reject")
	require.True(t, b.e.Reject())
	assert.Equal(t, ToneNone, b.alerts.current(), "reject stops the ring at once")
	a.alerts.waitTone(t, "caller after the reject", ToneNone)

	ring("ignore")
	require.True(t, b.e.Ignore())
	assert.Equal(t, ToneNone, b.alerts.current(), "ignore stops the ring")
	assert.Equal(t, ToneRingback, a.alerts.current(), "the caller of an ignored call still hears ringback")
	require.True(t, a.e.Hangup(-1))
	assert.Equal(t, ToneNone, a.alerts.current())

	ring("hangup of the ringing call")
	require.True(t, b.e.Hangup(-1))
	assert.Equal(t, ToneNone, b.alerts.current(), "hangup of a ringing call stops the ring")
	a.alerts.waitTone(t, "caller", ToneNone)
}

func TestCallWaitingBeepWhileInACall(t *testing.T) {
	ds := startDemo(t)
	b := newTonePhone(t, ds, "1002", nil, nil)
	a := newTonePhone(t, ds, "1001", nil, nil)
	c := newTonePhone(t, ds, "1003", nil, nil)

	require.True(t, a.e.Call("1002"))
	b.alerts.waitTone(t, "b", ToneRing)
	require.True(t, b.e.Accept())
	b.rec.waitFor(t, "b connected", callState("connected"))

	require.True(t, c.e.Call("1002"))
	b.alerts.waitTone(t, "b in a call, second call ringing", ToneCallWaiting)
	require.True(t, c.e.Hangup(-1))
	b.alerts.waitTone(t, "b after the second caller's cancel", ToneNone)
	assert.Equal(t, "ring none callwaiting none", b.alerts.history())
}

func TestPlayingParameterDisablesTones(t *testing.T) {
	ds := startDemo(t)
	b := newTonePhone(t, ds, "1002", nil, map[string]string{"playing": "0"})
	a := newTonePhone(t, ds, "1001", nil, map[string]string{"playing": "1"})

	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b ringing", callState("ringing"))
	a.rec.waitFor(t, "a ringing", callState("ringing"))
	flush(a.e)
	flush(b.e)
	assert.Equal(t, "", b.alerts.history(), "playing=0: no ringtone")
	assert.Equal(t, "", a.alerts.history(), "playing=1: no ringback")

	// playing=1 keeps the ringtone
	require.True(t, a.e.Hangup(-1))
	cdrOf(t, b.phone)
	require.True(t, a.e.SetParameter("playing", "0"))
	require.True(t, b.e.SetParameter("playing", "1"))
	require.True(t, a.e.Call("1002"))
	b.alerts.waitTone(t, "b with playing=1", ToneRing)
	require.True(t, a.e.Hangup(-1))
	b.alerts.waitTone(t, "b after cancel", ToneNone)
}

func TestEarlyMediaStopsRingback(t *testing.T) {
	ds := startDemo(t)
	b := newTonePhone(t, ds, "1002", nil, nil)
	a := newTonePhone(t, ds, "1001", nil, nil)

	require.True(t, a.e.Call("1002"))
	a.alerts.waitTone(t, "caller", ToneRingback)
	b.alerts.waitTone(t, "callee", ToneRing)
	// the peer's 183 with SDP (sipcore reports it as RemoteSDP before the
	// call is connected)
	l := a.e.lines.current()
	require.NotNil(t, l)
	a.e.onRemoteSDP(l.call, fakeSDP(""))
	a.alerts.waitTone(t, "caller after early media: early media replaces the local ringback", ToneNone)
	assert.True(t, a.e.LineEarlyMedia(l.n))
	require.True(t, a.e.Hangup(-1))
}

func TestEarlyMediaKeepsRingbackWithChangesptoring5(t *testing.T) {
	ds := startDemo(t)
	b := newTonePhone(t, ds, "1002", nil, nil)
	a := newTonePhone(t, ds, "1001", nil, map[string]string{"changesptoring": "5"})

	require.True(t, a.e.Call("1002"))
	a.alerts.waitTone(t, "caller", ToneRingback)
	b.alerts.waitTone(t, "callee", ToneRing)
	l := a.e.lines.current()
	require.NotNil(t, l)
	a.e.onRemoteSDP(l.call, fakeSDP(""))
	waitUntil(t, "early media marked", func() bool { return a.e.LineEarlyMedia(l.n) })
	a.e.updateTones()
	assert.Equal(t, ToneRingback, a.alerts.current(), "changesptoring=5: the ringback goes on over early media")
	require.True(t, a.e.Hangup(-1))
}

func TestRingTimeoutStopsTheRing(t *testing.T) {
	ds := startDemo(t)
	clk := newFakeClock()
	b := newTonePhone(t, ds, "1002", clk, map[string]string{"ringtimeoutin": "30000"})
	a := newTonePhone(t, ds, "1001", nil, nil)

	require.True(t, a.e.Call("1002"))
	b.alerts.waitTone(t, "callee", ToneRing)
	clk.Advance(29 * time.Second)
	assert.Equal(t, ToneRing, b.alerts.current(), "still ringing before ringtimeoutin")
	clk.Advance(time.Second)
	assert.Equal(t, ToneNone, b.alerts.current(), "the ring timeout stops the ring")
	a.alerts.waitTone(t, "caller after the callee's ring timeout", ToneNone)
}

func TestDTMFKeyTonesFollowPlaydtmfsound(t *testing.T) {
	ds := startDemo(t)
	b := newTonePhone(t, ds, "1002", nil, nil)
	a := newTonePhone(t, ds, "1001", nil, nil)
	require.True(t, a.e.Call("1002"))
	b.alerts.waitTone(t, "callee", ToneRing)
	require.True(t, b.e.Accept())
	a.rec.waitFor(t, "a connected", callState("connected"))

	require.True(t, a.e.DTMF("5", -1))
	require.True(t, a.e.DTMF("123", -1))
	assert.Equal(t, []string{"5"}, a.alerts.keyTones(), "playdtmfsound=1 (default): single digits only")
	require.True(t, a.e.SetParameter("playdtmfsound", "2"))
	require.True(t, a.e.DTMF("1 2#", -1))
	assert.Equal(t, []string{"5", "12#"}, a.alerts.keyTones(), "playdtmfsound=2: every digit, pauses left out")
	require.True(t, a.e.SetParameter("playdtmfsound", "0"))
	require.True(t, a.e.DTMF("7", -1))
	assert.Equal(t, []string{"5", "12#"}, a.alerts.keyTones(), "playdtmfsound=0: none")
	require.False(t, b.e.DTMF("X", -1))
	assert.Empty(t, b.alerts.keyTones(), "an invalid digit plays nothing")
}
