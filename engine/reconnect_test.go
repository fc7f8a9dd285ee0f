package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/opensoftphone/webphone/sipcore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeNet is a Dialer whose connections the test controls: it records every
// dial attempt, refuses addresses on demand, and can drop a connection as a
// server or browser would.
type fakeNet struct {
	mu     sync.Mutex
	refuse map[string]bool
	hang   map[string]bool // never answer: the dial ends with its context
	conns  []*fakeConn
	dialed chan string
}

func newFakeNet() *fakeNet {
	return &fakeNet{refuse: map[string]bool{}, hang: map[string]bool{}, dialed: make(chan string, 256)}
}

func (n *fakeNet) dial(ctx context.Context, addr string, r sipcore.Receiver) (sipcore.Transport, error) {
	n.dialed <- addr
	n.mu.Lock()
	hang := n.hang[addr]
	n.mu.Unlock()
	if hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.refuse[addr] {
		return nil, errors.New("connection refused")
	}
	c := &fakeConn{addr: addr, r: r, sent: make(chan []byte, 256)}
	n.conns = append(n.conns, c)
	return c, nil
}

func (n *fakeNet) setRefused(addr string, on bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.refuse[addr] = on
}

func (n *fakeNet) count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.conns)
}

func (n *fakeNet) last() *fakeConn {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.conns[len(n.conns)-1]
}

// nextDial waits for the next dial attempt and returns its address.
func (n *fakeNet) nextDial(t *testing.T) string {
	t.Helper()
	select {
	case a := <-n.dialed:
		return a
	case <-time.After(waitLong):
		t.Fatal("no dial attempt")
		return ""
	}
}

// fakeConn is one connection of fakeNet.
type fakeConn struct {
	addr   string
	r      sipcore.Receiver
	sent   chan []byte
	mu     sync.Mutex
	closed bool
}

func (c *fakeConn) Send(data []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errors.New("closed")
	}
	select {
	case c.sent <- append([]byte(nil), data...):
	default:
	}
	return nil
}

func (c *fakeConn) Protocol() string  { return "WS" }
func (c *fakeConn) LocalHost() string { return "fake.invalid" }

func (c *fakeConn) Close() error {
	c.mu.Lock()
	was := c.closed
	c.closed = true
	c.mu.Unlock()
	if !was {
		go c.r.Closed(nil)
	}
	return nil
}

// drop ends the connection from the far side with cause.
func (c *fakeConn) drop(cause error) {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.r.Closed(cause)
}

// expectRequest waits for a request of method on c.
func (c *fakeConn) expectRequest(t *testing.T, method string) *sip.Request {
	t.Helper()
	deadline := time.After(waitLong)
	for {
		select {
		case data := <-c.sent:
			msg, err := sip.ParseMessage(data)
			if err != nil {
				continue // keepalive
			}
			if req, ok := msg.(*sip.Request); ok && string(req.Method) == method {
				return req
			}
		case <-deadline:
			t.Fatalf("no %s sent on %s", method, c.addr)
			return nil
		}
	}
}

// answer sends a response to req on c.
func (c *fakeConn) answer(req *sip.Request, code int, reason string) {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	res.To().Params.Add("tag", "srv")
	if ct := req.Contact(); ct != nil {
		res.AppendHeader(ct)
	}
	c.r.Received([]byte(res.String()))
}

// pending returns the delays of the armed timers of the fake clock.
func (c *fakeClock) pending() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Duration
	for _, t := range c.timers {
		if !t.stopped && !t.fired {
			out = append(out, t.at.Sub(c.now))
		}
	}
	return out
}

// armed waits until exactly one timer (the next reconnection attempt) is
// armed and returns its delay.
func armed(t *testing.T, clk *fakeClock) time.Duration {
	t.Helper()
	waitUntil(t, "a reconnection attempt armed", func() bool { return len(clk.pending()) == 1 })
	return clk.pending()[0]
}

// netEngine is a started engine over fakeNet on a manual clock; without
// registration unless cfg asks for it.
func netEngine(t *testing.T, n *fakeNet, cfg map[string]string) (*Engine, *recorder, *fakeClock) {
	t.Helper()
	rec := &recorder{}
	clk := newFakeClock()
	e := New(Options{Dialer: n.dial, Emit: rec.emit, Now: clk.Now, AfterFunc: clk.AfterFunc,
		Storage: NewMapStorage(), AutoStartDelay: -1})
	t.Cleanup(e.Close)
	all := map[string]string{
		"webrtcserveraddress": "ws://a.test/ws",
		"serveraddress":       "example.com",
		"register":            "0",
		"wskeepaliveival":     "0",
	}
	for k, v := range cfg {
		all[k] = v
	}
	e.Init(all, "")
	require.True(t, e.AutoStart())
	rec.waitFor(t, "started", named("onAppStateChange", "started"))
	return e, rec, clk
}

func display(text string) func(event) bool {
	return func(ev event) bool { return ev.cb == "onEvent" && ev.args[0] == "display" && ev.args[1] == ","+text }
}

func count(rec *recorder, pred func(event) bool) int { return len(rec.find(pred)) }

func TestUnregisteredPhoneReconnectsAfterConnectionLossAndTellsThePage(t *testing.T) {
	n := newFakeNet()
	e, rec, clk := netEngine(t, n, nil)
	rec.waitFor(t, "Ready", notification("STATUS,-1,Ready."))

	n.last().drop(errors.New("websocket closed: code 1006, not clean"))
	rec.waitFor(t, "display", display("Connection lost"))
	rec.waitFor(t, "status", notification("STATUS,-1,Connection lost"))
	assert.Contains(t, e.GetLogs(), "connection lost (websocket closed: code 1006, not clean), reconnecting in")

	d := armed(t, clk)
	assert.GreaterOrEqual(t, d, firstReconnectDelay/2)
	assert.LessOrEqual(t, d, firstReconnectDelay)
	clk.Advance(d)
	waitUntil(t, "Ready again", func() bool { return count(rec, notification("STATUS,-1,Ready.")) == 2 })
	assert.Equal(t, 2, n.count(), "a new connection")
	assert.Contains(t, e.GetLogs(), "EVENT, reconnected")
	assert.Equal(t, "STATUS,-1,Ready.", e.GetStatus())
	assert.Empty(t, clk.pending(), "nothing more to do once connected")
	assert.Empty(t, rec.find(named("onRegStateChange", "failed")), "no registration was wanted")
}

func TestReconnectsWhenTheFirstRegisterNeverSucceeded(t *testing.T) {
	n := newFakeNet()
	e, rec, clk := netEngine(t, n, map[string]string{"register": "1", "username": "1001", "password": "pw"})
	first := n.last()
	first.expectRequest(t, "REGISTER") // never answered

	first.drop(errors.New("websocket closed: code 1006, not clean"))
	rec.waitFor(t, "registration failed", named("onRegStateChange", "failed"))
	rec.waitFor(t, "display", display("Connection lost"))
	clk.Advance(armed(t, clk))
	waitUntil(t, "second connection", func() bool { return n.count() == 2 })
	second := n.last()
	second.answer(second.expectRequest(t, "REGISTER"), 200, "OK")
	rec.waitFor(t, "registered", named("onRegStateChange", "registered"))
	assert.True(t, e.IsRegistered())
	waitUntil(t, "status Registered.", func() bool { return e.GetStatus() == "STATUS,-1,Registered." })
	assert.Empty(t, clk.pending())
}

func TestReconnectBackoffGrowsWithJitterAndIsCapped(t *testing.T) {
	n := newFakeNet()
	e, _, clk := netEngine(t, n, nil)
	n.nextDial(t) // the start
	n.setRefused("ws://a.test/ws", true)
	n.last().drop(errors.New("gone"))

	jittered := false
	for i := 0; i < 9; i++ {
		base := firstReconnectDelay << i
		if base > maxReconnectDelay {
			base = maxReconnectDelay
		}
		d := armed(t, clk)
		assert.GreaterOrEqual(t, d, base/2, "attempt %d", i)
		assert.LessOrEqual(t, d, base, "attempt %d", i)
		jittered = jittered || d != base
		clk.Advance(d)
		assert.Equal(t, "ws://a.test/ws", n.nextDial(t))
	}
	assert.True(t, jittered, "the delays are randomised")
	assert.Contains(t, e.GetLogs(), "reconnect failed: ")

	n.setRefused("ws://a.test/ws", false)
	clk.Advance(armed(t, clk))
	waitUntil(t, "connected again", func() bool { return n.count() == 2 })
	assert.Empty(t, clk.pending())
}

func TestStopCancelsReconnection(t *testing.T) {
	n := newFakeNet()
	e, rec, clk := netEngine(t, n, nil)
	n.nextDial(t)
	n.setRefused("ws://a.test/ws", true)
	n.last().drop(errors.New("gone"))
	clk.Advance(armed(t, clk))
	n.nextDial(t) // the first attempt fails
	armed(t, clk) // the second is armed

	require.True(t, e.Stop())
	rec.waitFor(t, "stopped", named("onAppStateChange", "stopped"))
	assert.Empty(t, clk.pending(), "the pending attempt is cancelled")
	clk.Advance(time.Hour)
	select {
	case a := <-n.dialed:
		t.Fatalf("dialed %s after stop()", a)
	default:
	}
	assert.Equal(t, "STATUS,-1,Stopped", e.GetStatus())
}

func TestReconnectFailsOverToTheNextAddress(t *testing.T) {
	n := newFakeNet()
	e, rec, clk := netEngine(t, n, map[string]string{"webrtcserveraddress": "ws://a.test/ws, ws://b.test/ws"})
	assert.Equal(t, "ws://a.test/ws", n.last().addr)
	n.setRefused("ws://a.test/ws", true)
	n.last().drop(errors.New("gone"))
	clk.Advance(armed(t, clk))
	waitUntil(t, "Ready again", func() bool { return count(rec, notification("STATUS,-1,Ready.")) == 2 })
	assert.Equal(t, "ws://b.test/ws", n.last().addr)
	logs := e.GetLogs()
	assert.Contains(t, logs, "connect ws://a.test/ws failed")
	assert.Contains(t, logs, "connected to ws://b.test/ws")
}

func TestSipcoreLogsReachGetlogsByLoglevel(t *testing.T) {
	n := newFakeNet()
	e, rec, _ := netEngine(t, n, nil)
	n.last().drop(errors.New("websocket closed: code 1006, not clean"))
	warn := `WARNING, sipcore: transport closed reason="websocket closed: code 1006, not clean"`
	rec.waitFor(t, "log line", func(ev event) bool { return ev.cb == "onEvent" && ev.args[0] == "log" && ev.args[1] == warn })
	logs := e.GetLogs()
	assert.Contains(t, logs, warn)
	assert.Contains(t, logs, "EVENT, sipcore: transport connected flow=up", "info lines are kept in getlogs")
	assert.Empty(t, rec.find(func(ev event) bool {
		return ev.cb == "onEvent" && ev.args[0] == "log" && strings.Contains(ev.args[1].(string), "transport connected")
	}), "info lines reach onEvent only from loglevel 3")
}

func TestLogHandlerLevelsAttributesAndGroups(t *testing.T) {
	e, rec, _ := offlineEngine(t)
	log := e.sipcoreLogger()
	assert.False(t, log.Enabled(context.Background(), -4), "debug needs loglevel 5")
	log.With("flow", 2).WithGroup("tx").Error("panic while handling inbound message", "panic", "boom x", "n", 1)
	log.Debug("invisible")
	flush(e)
	logs := e.GetLogs()
	assert.Contains(t, logs, `ERROR, sipcore: panic while handling inbound message flow=2 tx.panic="boom x" tx.n=1`)
	assert.NotContains(t, logs, "invisible")
	assert.Len(t, rec.find(named("onEvent", "log")), 1, "errors reach the page at loglevel 1")

	e.SetParameter("loglevel", "5")
	assert.True(t, log.Enabled(context.Background(), -4))
	log.Debug("visible")
	assert.Contains(t, e.GetLogs(), "EVENT, sipcore: visible")
}

func TestAConnectionLostSoonAfterReconnectingContinuesTheBackoff(t *testing.T) {
	n := newFakeNet()
	_, rec, clk := netEngine(t, n, nil)
	ready := notification("STATUS,-1,Ready.")
	rec.waitFor(t, "Ready", ready)
	for i, base := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		n.last().drop(errors.New("accepted, then dropped"))
		d := armed(t, clk)
		assert.GreaterOrEqual(t, d, base/2, "loss %d", i)
		assert.LessOrEqual(t, d, base, "loss %d", i)
		clk.Advance(d)
		waitUntil(t, "connected again", func() bool { return count(rec, ready) == i+2 })
	}
	clk.Advance(stableFlow) // the last connection stays up
	n.last().drop(errors.New("gone after a while"))
	d := armed(t, clk)
	assert.LessOrEqual(t, d, firstReconnectDelay, "a connection that was stable starts the backoff afresh")
}

func TestStartKeepsTryingWhileTheServerIsDown(t *testing.T) {
	n := newFakeNet()
	n.setRefused("ws://a.test/ws", true)
	rec := &recorder{}
	clk := newFakeClock()
	e := New(Options{Dialer: n.dial, Emit: rec.emit, Now: clk.Now, AfterFunc: clk.AfterFunc,
		Storage: NewMapStorage(), AutoStartDelay: -1})
	t.Cleanup(e.Close)
	e.Init(map[string]string{"webrtcserveraddress": "ws://a.test/ws", "serveraddress": "example.com",
		"username": "1001", "wskeepaliveival": "0"}, "")
	require.True(t, e.AutoStart())
	rec.waitFor(t, "display", display("Server address unreachable"))
	assert.Equal(t, "ws://a.test/ws", n.nextDial(t))

	clk.Advance(armed(t, clk))
	assert.Equal(t, "ws://a.test/ws", n.nextDial(t), "retried in the background")
	n.setRefused("ws://a.test/ws", false)
	clk.Advance(armed(t, clk))
	rec.waitFor(t, "started", named("onAppStateChange", "started"))
	rec.waitFor(t, "Ready", notification("STATUS,-1,Ready."))
	n.last().answer(n.last().expectRequest(t, "REGISTER"), 200, "OK")
	rec.waitFor(t, "registered", named("onRegStateChange", "registered"))
	assert.Contains(t, e.GetLogs(), "connect failed: ")
	assert.Empty(t, clk.pending())
}

func TestStartAfterAFailedStartUsesTheNewSettings(t *testing.T) {
	n := newFakeNet()
	n.setRefused("ws://a.test/ws", true)
	rec := &recorder{}
	clk := newFakeClock()
	e := New(Options{Dialer: n.dial, Emit: rec.emit, Now: clk.Now, AfterFunc: clk.AfterFunc,
		Storage: NewMapStorage(), AutoStartDelay: -1})
	t.Cleanup(e.Close)
	e.Init(map[string]string{"webrtcserveraddress": "ws://a.test/ws", "serveraddress": "example.com",
		"register": "0", "wskeepaliveival": "0"}, "")
	require.True(t, e.AutoStart())
	armed(t, clk) // retrying a in the background
	require.True(t, e.SetParameter("webrtcserveraddress", "ws://b.test/ws"))
	require.True(t, e.Start())
	rec.waitFor(t, "started", named("onAppStateChange", "started"))
	assert.Equal(t, "ws://b.test/ws", n.last().addr)
	assert.Empty(t, clk.pending(), "the background retry of the old settings is cancelled")
}

func TestRegisterWhileTheConnectionIsDownRegistersOnceItIsBack(t *testing.T) {
	n := newFakeNet()
	e, rec, clk := netEngine(t, n, map[string]string{"username": "1001"})
	n.setRefused("ws://a.test/ws", true)
	n.last().drop(errors.New("gone"))
	rec.waitFor(t, "display", display("Connection lost"))
	require.True(t, e.Register())
	waitUntil(t, "register deferred", func() bool { return strings.Contains(e.GetLogs(), "registering once it is back") })
	n.setRefused("ws://a.test/ws", false)
	clk.Advance(armed(t, clk))
	waitUntil(t, "second connection", func() bool { return n.count() == 2 })
	n.last().answer(n.last().expectRequest(t, "REGISTER"), 200, "OK")
	rec.waitFor(t, "registered", named("onRegStateChange", "registered"))
}

func TestAnAddressThatNeverAnswersLeavesTimeForTheNext(t *testing.T) {
	old := reconnectTimeout
	reconnectTimeout = 400 * time.Millisecond // one attempt; a share each for a and b
	t.Cleanup(func() { reconnectTimeout = old })
	n := newFakeNet()
	e, rec, clk := netEngine(t, n, map[string]string{"webrtcserveraddress": "ws://a.test/ws,ws://b.test/ws"})
	n.mu.Lock()
	n.hang["ws://a.test/ws"] = true
	n.mu.Unlock()
	n.last().drop(errors.New("gone"))
	clk.Advance(armed(t, clk))
	waitUntil(t, "Ready again", func() bool { return count(rec, notification("STATUS,-1,Ready.")) == 2 })
	assert.Equal(t, "ws://b.test/ws", n.last().addr)
	assert.Contains(t, e.GetLogs(), "connect ws://a.test/ws failed: context deadline exceeded")
}
