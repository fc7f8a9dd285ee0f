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

// fakeMixer records what the engine asks the mixer to mix.
type fakeMixer struct {
	mu    sync.Mutex
	calls []string // each MixLines' lines, "1,2"; "" for none
}

func (m *fakeMixer) MixLines(lines []int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, joinInts(lines))
	return nil
}

// last is the lines of the last MixLines ("-" before the first).
func (m *fakeMixer) last() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.calls) == 0 {
		return "-"
	}
	return m.calls[len(m.calls)-1]
}

// newConfPhone is newPhone with the mixer mx (nil: a platform without one).
func newConfPhone(t *testing.T, ds *demoserver.Server, user string, extra map[string]string, mx ConferenceMixer) *phone {
	t.Helper()
	p := &phone{user: user, rec: &recorder{}, media: &mediaBox{}}
	p.e = New(Options{Dialer: nettransport.Dial, Media: p.media.factory, Storage: NewMapStorage(),
		Emit: p.rec.emit, DTMFPause: 10 * time.Millisecond, AutoStartDelay: -1, Conference: mx})
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
	p.waitRegistered(t)
	return p
}

// confRig is the conference host a (1001, with a fake mixer) and the
// parties b, c, d (1002-1004), all answering by themselves.
type confRig struct {
	a       *phone
	mx      *fakeMixer
	parties map[string]*phone
}

func newConfRig(t *testing.T, aExtra map[string]string) *confRig {
	ds := startDemo(t)
	r := &confRig{mx: &fakeMixer{}, parties: map[string]*phone{}}
	for _, u := range []string{"1002", "1003", "1004"} {
		r.parties[u] = newConfPhone(t, ds, u, map[string]string{"autoaccept": "true"}, nil)
	}
	r.a = newConfPhone(t, ds, "1001", aExtra, r.mx)
	return r
}

// connect makes a call user and waits until line n is connected.
func (r *confRig) connect(t *testing.T, user string, n int) {
	t.Helper()
	require.True(t, r.a.e.Call(user))
	r.a.rec.waitFor(t, "line "+itoa(n)+" connected", onLine("connected", n))
}

// waitMix waits until the mixer was last told to mix lines.
func (r *confRig) waitMix(t *testing.T, lines string) {
	t.Helper()
	waitUntil(t, "mix of lines "+lines+" (last: "+r.mx.last()+")", func() bool { return r.mx.last() == lines })
}

func confCreated(ev event) bool {
	return ev.cb == "onCallStateChange" && ev.args[0] == "conference"
}

// conference("") mixes the two calls and reports the conference (the
// call state and the EVENT notification); conference("2", false) takes
// line 2 out (nothing left to mix; both calls stay); conference("") again
// brings it back, and conference("", false) ends the conference.
func TestConferenceOfCurrentCallsAndDrop(t *testing.T) {
	r := newConfRig(t, nil)
	r.connect(t, "1002", 1)
	r.connect(t, "1003", 2)
	assert.Equal(t, "-", r.mx.last(), "nothing mixed before conference()")

	require.True(t, r.a.e.Conference("", true))
	r.waitMix(t, "1,2")
	ev := r.a.rec.waitFor(t, "conference event", confCreated)
	assert.Equal(t, []any{"conference", "", "", "", "", ""}, ev.args)
	r.a.rec.waitFor(t, "conference created", notification("EVENT,EVENT,conference created"))
	r.a.rec.waitFor(t, "line status", notification("STATUS,2,Conference"))

	require.True(t, r.a.e.Conference("2", false))
	r.waitMix(t, "")
	assert.False(t, r.a.e.Conference("2", false), "line 2 is no longer in it")
	assert.Len(t, r.a.rec.find(callState("disconnected")), 0, "dropping a line keeps its call")
	assert.Equal(t, 2, r.a.e.lines.count())

	r.a.rec.reset()
	require.True(t, r.a.e.Conference("", true))
	r.waitMix(t, "1,2")
	r.a.rec.waitFor(t, "conference event again", confCreated)

	require.True(t, r.a.e.Conference("", false))
	r.waitMix(t, "")
	assert.False(t, r.a.e.Conference("", false), "no conference left to end")
	assert.Equal(t, 2, r.a.e.lines.count(), "the calls stay")
}

// conference(number) calls the number and joins it with the current call
// once connected; a second conference(number) adds a third party. A party
// that hangs up leaves the conference and the others stay mixed.
func TestConferenceCallsAndJoins(t *testing.T) {
	r := newConfRig(t, nil)
	r.connect(t, "1002", 1)

	require.True(t, r.a.e.Conference("1003", true))
	r.a.rec.waitFor(t, "line 2 connected", onLine("connected", 2))
	r.waitMix(t, "1,2")
	r.a.rec.waitFor(t, "conference event", confCreated)

	require.True(t, r.a.e.Conference("1004", true))
	r.a.rec.waitFor(t, "line 3 connected", onLine("connected", 3))
	r.waitMix(t, "1,2,3")
	assert.Len(t, r.a.rec.find(confCreated), 1, "a third party joins the existing conference")

	require.True(t, r.parties["1002"].e.Hangup(-1))
	lineCdr(t, r.a, 1)
	r.waitMix(t, "2,3")

	// a party that cannot be reached: its line (the free line 1) ends and
	// leaves
	r.a.rec.reset()
	require.True(t, r.a.e.Conference("1005", true)) // registered nowhere
	assert.NotEmpty(t, lineCdr(t, r.a, 1))
	assert.False(t, r.a.e.Conference("1", false), "the failed line is no longer in the conference")
	assert.Equal(t, "2,3", r.mx.last())
	assert.True(t, r.a.e.Conference("1004", false), "by peer name")
	r.waitMix(t, "")
}

// The FAQ's sequence (R-ML-4): call(A); call(B); setline(-2);
// conference() before either answered; both are mixed once connected;
// setline(B); hangup(true) leaves A alone (nothing to mix); the call with
// A goes on.
func TestConferenceFAQSequence(t *testing.T) {
	r := newConfRig(t, nil)
	require.True(t, r.a.e.Call("1002"))
	require.True(t, r.a.e.Call("1003"))
	require.True(t, r.a.e.SetLine("-2"))
	require.True(t, r.a.e.Conference("", true))
	r.a.rec.waitFor(t, "line 1 connected", onLine("connected", 1))
	r.a.rec.waitFor(t, "line 2 connected", onLine("connected", 2))
	r.waitMix(t, "1,2")
	r.a.rec.waitFor(t, "conference event", confCreated)
	require.True(t, r.a.e.SetLine("1003"))
	require.True(t, r.a.e.Hangup(-1))
	lineCdr(t, r.a, 2)
	r.waitMix(t, "")
	require.True(t, r.a.e.SetLine("1002"))
	require.True(t, r.a.e.Hold(true))
	assert.True(t, r.a.e.IsInCall())
}

// conference("N") with no conference yet joins line N with the current
// line; a line on hold is taken off hold when it joins.
func TestConferenceAddLineUnholds(t *testing.T) {
	r := newConfRig(t, nil)
	r.connect(t, "1002", 1)
	require.True(t, r.a.e.Hold(true))
	waitUntil(t, "hold offer", func() bool { return len(r.a.media.get(0).snapshot().offers) == 2 })
	r.connect(t, "1003", 2)

	assert.False(t, r.a.e.Conference("5", true), "line 5 has no call")
	require.True(t, r.a.e.Conference("1", true))
	r.waitMix(t, "1,2")
	waitUntil(t, "unhold offer", func() bool { return len(r.a.media.get(0).snapshot().offers) == 3 })
	assert.Equal(t, []string{"", "sendonly", ""}, r.a.media.get(0).snapshot().offers)
	require.True(t, r.a.e.SetLine("1"))
	assert.False(t, r.a.e.IsOnHold())
}

// The refusals: one call only, conferencetype 0, the server modes this
// engine does not do, and a platform without a mixer.
func TestConferenceRefusals(t *testing.T) {
	r := newConfRig(t, nil)
	assert.False(t, r.a.e.Conference("", true), "no calls")
	r.connect(t, "1002", 1)
	assert.False(t, r.a.e.Conference("", true), "one call")
	assert.Contains(t, r.a.e.GetLogs(), "needs at least 2 calls")
	r.connect(t, "1003", 2)

	r.a.e.SetParameter("conferencetype", "0")
	assert.False(t, r.a.e.Conference("", true))
	assert.Contains(t, r.a.e.GetLogs(), "disabled (conferencetype 0)")
	for _, v := range []string{"3", "5", "6", "7"} {
		r.a.e.SetParameter("conferencetype", v)
		assert.False(t, r.a.e.Conference("", true), "conferencetype "+v)
	}
	assert.True(t, strings.Contains(r.a.e.GetLogs(), "conferencetype 7 (server conference rooms) is not supported"))
	assert.Equal(t, "-", r.mx.last(), "nothing was mixed")
	assert.Len(t, r.a.rec.find(confCreated), 0)

	r.a.e.SetParameter("conferencetype", "4") // three-way calling: mixed here too
	require.True(t, r.a.e.Conference("", true))
	r.waitMix(t, "1,2")
}

// Without a mixer (a platform that cannot mix), conference fails.
func TestConferenceWithoutMixer(t *testing.T) {
	ds := startDemo(t)
	b := newConfPhone(t, ds, "1002", map[string]string{"autoaccept": "true"}, nil)
	c := newConfPhone(t, ds, "1003", map[string]string{"autoaccept": "true"}, nil)
	a := newConfPhone(t, ds, "1001", nil, nil)
	for i, p := range []*phone{b, c} {
		require.True(t, a.e.Call(p.user))
		a.rec.waitFor(t, "connected", onLine("connected", i+1))
	}
	assert.False(t, a.e.Conference("", true))
	assert.Contains(t, a.e.GetLogs(), "cannot mix")
}

// muteholdalllines 1: mute() and hold() of a line in the conference apply
// to every line in it; with the default 0 only to the current line.
func TestConferenceMuteHoldAllLines(t *testing.T) {
	for _, all := range []bool{false, true} {
		t.Run(map[bool]string{false: "0", true: "1"}[all], func(t *testing.T) {
			r := newConfRig(t, map[string]string{"muteholdalllines": map[bool]string{false: "0", true: "1"}[all]})
			r.connect(t, "1002", 1)
			r.connect(t, "1003", 2)
			require.True(t, r.a.e.Conference("", true))
			r.waitMix(t, "1,2")
			require.True(t, r.a.e.SetLine("2"))
			require.True(t, r.a.e.Mute(true, 2))
			require.True(t, r.a.e.Hold(true))
			waitUntil(t, "line 2 held", func() bool { return len(r.a.media.get(1).snapshot().offers) == 2 })
			if all {
				waitUntil(t, "line 1 held", func() bool { return len(r.a.media.get(0).snapshot().offers) == 2 })
				assert.Equal(t, []string{"", "sendonly"}, r.a.media.get(0).snapshot().offers)
				assert.Equal(t, []string{"2:true"}, r.a.media.get(0).snapshot().mutes)
			} else {
				assert.Equal(t, []string{""}, r.a.media.get(0).snapshot().offers, "line 1 is not held")
				assert.Empty(t, r.a.media.get(0).snapshot().mutes, "line 1 is not muted")
			}
			assert.Equal(t, []string{"2:true"}, r.a.media.get(1).snapshot().mutes)
		})
	}
}
