package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Beep makes fakeAlerts a Beeper: the beeps go into the key tone record
// as "beep:KIND".
func (a *fakeAlerts) Beep(b Beep) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys = append(a.keys, "beep:"+b.String())
}

// beeps returns the beeps played so far, space separated.
func (a *fakeAlerts) beeps() string {
	var out []string
	for _, k := range a.keyTones() {
		if strings.HasPrefix(k, "beep:") {
			out = append(out, strings.TrimPrefix(k, "beep:"))
		}
	}
	return strings.Join(out, " ")
}

// waitBeeps waits until the beeps played so far are want.
func (a *fakeAlerts) waitBeeps(t *testing.T, who, want string) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for a.beeps() != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: beeps %q, want %q", who, a.beeps(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBeepOnConnectModes(t *testing.T) {
	for _, c := range []struct {
		mode, dir int
		auto      bool
		want      bool
	}{
		{0, 1, false, false}, {0, 2, true, false},
		{1, 2, true, true}, {1, 2, false, false}, {1, 1, false, false},
		{2, 2, true, true}, {2, 2, false, true}, {2, 1, false, false},
		{3, 1, false, true}, {3, 2, false, false}, {3, 2, true, false},
		{4, 1, false, true}, {4, 2, false, true}, {4, 2, true, true},
		{5, 1, false, false}, {-1, 2, true, false},
	} {
		assert.Equal(t, c.want, beepOnConnect(c.mode, c.dir, c.auto), "beeponconnect=%d dir=%d auto=%v", c.mode, c.dir, c.auto)
	}
}

// beeponincoming beeps once when an incoming call starts to ring (besides
// the ringtone); beeponconnect beeps once when a call connects, per
// direction and auto-answer; playing=0 silences them.
func TestBeepOnIncomingAndOnConnect(t *testing.T) {
	ds := startDemo(t)
	b := newTonePhone(t, ds, "1002", nil, map[string]string{"beeponincoming": "1", "beeponconnect": "2"})
	a := newTonePhone(t, ds, "1001", nil, map[string]string{"beeponconnect": "3"})
	// endCall hangs up and waits until both phones are idle again
	endCall := func() {
		t.Helper()
		require.True(t, a.e.Hangup(-1))
		cdrOf(t, b.phone)
		cdrOf(t, a.phone)
		waitUntil(t, "lines free", func() bool { return !a.e.IsInCall() && !b.e.IsInCall() })
		flush(a.e)
		flush(b.e)
		a.rec.reset()
		b.rec.reset()
	}

	require.True(t, a.e.Call("1002"))
	b.alerts.waitTone(t, "callee", ToneRing)
	b.alerts.waitBeeps(t, "callee ringing", "incoming")
	a.alerts.waitTone(t, "caller", ToneRingback)
	assert.Equal(t, "", a.alerts.beeps(), "beeponincoming=0: no beep for the caller's ringing")
	require.True(t, b.e.Accept())
	b.alerts.waitBeeps(t, "callee connected (beeponconnect=2)", "incoming connect")
	a.alerts.waitBeeps(t, "caller connected (beeponconnect=3)", "connect")
	flush(a.e)
	flush(b.e)
	assert.Equal(t, "incoming connect", b.alerts.beeps(), "one beep each, not repeated by later state changes")
	endCall()

	// beeponconnect=1: only an auto-accepted incoming call; 3 on the
	// callee's side: no beep for an incoming call
	require.True(t, b.e.SetParameter("beeponconnect", "1"))
	require.True(t, b.e.SetParameter("beeponincoming", "0"))
	require.True(t, a.e.SetParameter("beeponconnect", "0"))
	require.True(t, a.e.Call("1002"))
	b.alerts.waitTone(t, "callee, second call", ToneRing)
	require.True(t, b.e.Accept())
	b.rec.waitFor(t, "b connected", callState("connected"))
	a.rec.waitFor(t, "a connected", callState("connected"))
	endCall()
	assert.Equal(t, "incoming connect", b.alerts.beeps(), "beeponconnect=1: no beep for a call the user accepted; beeponincoming=0: none on ring")
	assert.Equal(t, "connect", a.alerts.beeps(), "beeponconnect=0: no beep")

	require.True(t, b.e.SetParameter("autoaccept", "true"))
	require.True(t, a.e.Call("1002"))
	b.alerts.waitBeeps(t, "callee, auto-accepted (beeponconnect=1)", "incoming connect connect")
	a.rec.waitFor(t, "a connected", callState("connected"))
	endCall()

	require.True(t, b.e.SetParameter("playing", "0"))
	require.True(t, b.e.SetParameter("beeponincoming", "1"))
	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b connected with playing=0", callState("connected"))
	a.rec.waitFor(t, "a connected", callState("connected"))
	endCall()
	assert.Equal(t, "incoming connect connect", b.alerts.beeps(), "playing=0: no beeps")
}
