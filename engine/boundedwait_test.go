package engine

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stuckMedia is a fakeMedia whose chosen operations never return, like a
// Promise that never settles; it ignores its context, as a broken platform
// might. Blocked calls are released when the test ends.
type stuckMedia struct {
	fakeMedia
	mu      sync.Mutex
	stuck   map[string]bool // "offer", "answer", "remote"
	entered chan string     // receives the name of each operation that got stuck
	release chan struct{}
}

func (m *stuckMedia) block(op string) bool {
	m.mu.Lock()
	stuck := m.stuck[op]
	m.mu.Unlock()
	if stuck {
		m.entered <- op
		<-m.release
	}
	return stuck
}

func (m *stuckMedia) setStuck(op string, on bool) {
	m.mu.Lock()
	m.stuck[op] = on
	m.mu.Unlock()
}

func (m *stuckMedia) Offer(ctx context.Context, hold string) ([]byte, error) {
	m.block("offer")
	return m.fakeMedia.Offer(ctx, hold)
}

func (m *stuckMedia) Answer(ctx context.Context, offer []byte, hold string) ([]byte, error) {
	m.block("answer")
	return m.fakeMedia.Answer(ctx, offer, hold)
}

func (m *stuckMedia) SetRemoteAnswer(ctx context.Context, sdp []byte) error {
	m.block("remote")
	return m.fakeMedia.SetRemoteAnswer(ctx, sdp)
}

// clockPhone is a phone on a manual clock whose every call gets one shared
// stuckMedia (nothing stuck until the test says so).
type clockPhone struct {
	*phone
	clk   *fakeClock
	media *stuckMedia
}

func newClockPhone(t *testing.T, ds *demoserver.Server, user string) *clockPhone {
	t.Helper()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	m := &stuckMedia{stuck: map[string]bool{}, entered: make(chan string, 4), release: release}
	clk := newFakeClock()
	p := &phone{user: user, rec: &recorder{}, media: &mediaBox{}}
	p.e = New(Options{Dialer: nettransport.Dial, Storage: NewMapStorage(), Emit: p.rec.emit,
		Now: clk.Now, AfterFunc: clk.AfterFunc, AutoStartDelay: -1,
		Media: func(int, *Params) (Media, error) { return m, nil }})
	t.Cleanup(p.e.Close)
	p.e.Init(map[string]string{
		"webrtcserveraddress": ds.WSURL(),
		"serveraddress":       ds.Domain(),
		"username":            user,
		"password":            demoserver.DefaultAccounts()[user],
	}, "")
	p.e.AutoStart()
	p.waitRegistered(t)
	return &clockPhone{phone: p, clk: clk, media: m}
}

// expire waits until the media operation op is stuck, then moves the clock
// past the media timeout.
func (p *clockPhone) expire(t *testing.T, op string) {
	t.Helper()
	select {
	case got := <-p.media.entered:
		require.Equal(t, op, got)
	case <-time.After(waitLong):
		t.Fatalf("media %s was never called", op)
	}
	p.clk.Advance(DefaultMediaTimeout)
}

func TestIncomingCallWhoseMediaNeverAnswersIsDeclined(t *testing.T) {
	ds := startDemo(t)
	b := newClockPhone(t, ds, "1002")
	// no redial of the 500: the demo proxy (sipgo's transaction layer
	// handles each message on its own goroutine) may pass the callee's 500
	// before its 180 sent a millisecond earlier, and a call that failed
	// before it rang is redialled once (redialonfail), ringing b again
	a := newPhone(t, ds, "1001", map[string]string{"redialonfail": "0"})
	a.waitRegistered(t)
	b.media.setStuck("answer", true)

	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b ringing", callState("ringing"))
	require.True(t, b.e.Accept())
	b.expire(t, "answer")

	assert.Equal(t, "500 media timeout", cdrOf(t, b.phone).args[6], "the callee's CDR says why")
	assert.Regexp(t, "^500 ", cdrOf(t, a).args[6], "the caller got a final response")
	b.rec.waitFor(t, "readable reason", func(ev event) bool {
		return ev.cb == "onEvent" && ev.args[0] == "display" && ev.args[1] == ",ERROR, media timeout"
	})
	assert.False(t, b.e.IsInCall())
	assert.Contains(t, b.e.GetLogs(), "media timeout")
}

func TestOutgoingCallWhoseMediaNeverOffersEnds(t *testing.T) {
	ds := startDemo(t)
	a := newClockPhone(t, ds, "1001")
	b := newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)
	a.media.setStuck("offer", true)

	require.True(t, a.e.Call("1002"))
	a.expire(t, "offer")

	assert.Equal(t, "-1 media timeout", cdrOf(t, a.phone).args[6])
	assert.False(t, a.e.IsInCall())
	flush(b.e)
	assert.Empty(t, b.rec.find(callState("setup")), "no INVITE went out")
}

func TestRemoteAnswerThatMediaNeverTakesEndsTheCall(t *testing.T) {
	ds := startDemo(t)
	a := newClockPhone(t, ds, "1001")
	b := newPhone(t, ds, "1002", map[string]string{"autoaccept": "true"})
	b.waitRegistered(t)
	a.media.setStuck("remote", true)

	require.True(t, a.e.Call("1002"))
	a.expire(t, "remote")

	assert.Equal(t, "BYE media timeout", cdrOf(t, a.phone).args[6])
	assert.Equal(t, "BYE bye received", cdrOf(t, b).args[6])
}

// connectedPair is a call from a (normal media) to b (on a manual clock).
func connectedPair(t *testing.T) (a *phone, b *clockPhone) {
	ds := startDemo(t)
	b = newClockPhone(t, ds, "1002")
	a = newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)
	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b ringing", callState("ringing"))
	require.True(t, b.e.Accept())
	a.rec.waitFor(t, "a connected", callState("connected"))
	b.rec.waitFor(t, "b connected", callState("connected"))
	return a, b
}

func TestPeerReInviteThatMediaNeverAnswersIsRefusedAndTheCallGoesOn(t *testing.T) {
	a, b := connectedPair(t)
	b.media.setStuck("answer", true)

	require.True(t, a.e.Hold(true))
	b.expire(t, "answer")

	a.rec.waitFor(t, "hold refused", notification("STATUS,-1,Failed to hold call"))
	assert.False(t, a.e.IsOnHold(), "the caller's hold was refused (488)")
	assert.Contains(t, a.e.GetLogs(), "488")
	assert.Contains(t, b.e.GetLogs(), "media timeout")
	assert.True(t, b.e.IsInCall(), "the call goes on")
	assert.Empty(t, b.rec.find(notification("STATUS,-1,Placed on hold by remote party")))

	b.media.setStuck("answer", false)
	require.True(t, a.e.Hangup(-1))
	assert.Equal(t, "BYE bye received", cdrOf(t, b.phone).args[6])
}

func TestHoldWhoseMediaNeverOffersIsUndone(t *testing.T) {
	a, b := connectedPair(t)
	b.media.setStuck("offer", true)

	require.True(t, b.e.Hold(true))
	assert.True(t, b.e.IsOnHold())
	b.expire(t, "offer")

	b.rec.waitFor(t, "hold failed", notification("STATUS,-1,Failed to hold call"))
	assert.False(t, b.e.IsOnHold(), "the call is as it was")
	assert.True(t, b.e.IsInCall())
	flush(a.e)
	assert.Empty(t, a.rec.find(notification("STATUS,-1,Placed on hold by remote party")), "no re-INVITE went out")

	require.True(t, b.e.Hangup(-1))
	assert.Equal(t, "BYE bye received", cdrOf(t, a).args[6])
}

func TestCloseDoesNotWaitForeverForAPageCallback(t *testing.T) {
	clk := newFakeClock()
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	entered := make(chan struct{})
	e := New(Options{Now: clk.Now, AfterFunc: clk.AfterFunc, Emit: func(cb string, _ ...any) {
		if cb == "onCdr" {
			close(entered)
			<-stuck // a page listener that never returns
		}
	}})
	addLine(e, 1, "1111", "c1")
	require.True(t, e.Hangup(-1))
	<-entered

	closed := make(chan struct{})
	go func() {
		e.Close()
		close(closed)
	}()
	waitUntil(t, "Close waits with a bound", func() bool { return len(clk.pending()) > 0 })
	clk.Advance(closeDrainTimeout)
	select {
	case <-closed:
	case <-time.After(waitLong):
		t.Fatal("Close waited for the page callback")
	}
	assert.Contains(t, e.GetLogs(), "page callback did not return")
}

func TestAutoAnswerDoesNotWaitForAStuckPageCallback(t *testing.T) {
	ds := startDemo(t)
	clk := newFakeClock()
	entered := make(chan struct{})
	stuck := make(chan struct{})
	var once sync.Once
	b := New(Options{Dialer: nettransport.Dial, Storage: NewMapStorage(), Media: (&mediaBox{}).factory,
		Now: clk.Now, AfterFunc: clk.AfterFunc, AutoStartDelay: -1,
		Emit: func(cb string, args ...any) {
			if cb == "onCallStateChange" && args[0] == "setup" {
				once.Do(func() { close(entered) })
				<-stuck // a page listener that never returns
			}
		}})
	t.Cleanup(b.Close)
	t.Cleanup(func() { close(stuck) }) // runs before Close
	b.Init(map[string]string{"webrtcserveraddress": ds.WSURL(), "serveraddress": ds.Domain(),
		"username": "1002", "password": demoserver.DefaultAccounts()["1002"], "autoaccept": "true"}, "")
	b.AutoStart()
	waitUntil(t, "b registered", b.IsRegistered)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)

	require.True(t, a.e.Call("1002"))
	select {
	case <-entered:
	case <-time.After(waitLong):
		t.Fatal("no incoming call at b")
	}
	// the auto-answer timer is armed after the setup event was queued:
	// wait for it before moving the clock past it
	waitUntil(t, "auto-answer timer", func() bool { return clk.armedIn(autoAnswerWait) })
	clk.Advance(autoAnswerWait)
	a.rec.waitFor(t, "answered although b's page is stuck", callState("connected"))
	require.True(t, a.e.Hangup(-1))
	cdrOf(t, a)
}
