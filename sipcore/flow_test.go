package sipcore

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// flowLog records Events.Flow calls.
type flowLog struct {
	mu      sync.Mutex
	changes []string // "state" or "state|cause"
	changed chan struct{}
}

func (f *flowLog) record(st FlowState, cause error) {
	s := string(st)
	if cause != nil {
		s += "|" + cause.Error()
	}
	f.mu.Lock()
	f.changes = append(f.changes, s)
	f.mu.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

func (f *flowLog) all() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.changes...)
}

// waitLen waits until n changes were reported and returns them.
func (f *flowLog) waitLen(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.After(8 * time.Second)
	for {
		if got := f.all(); len(got) >= n {
			return got
		}
		select {
		case <-f.changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %d flow changes; got %v", n, f.all())
		}
	}
}

// newFlowTestUA is newTestUA with Events.Flow recorded and a dialer that
// fails while failDial is set.
func newFlowTestUA(t *testing.T, mutate func(*Config)) (*UA, *peer, *flowLog, *failSwitch) {
	t.Helper()
	cfg := NewConfig()
	cfg.Address = "ws://test.example/ws"
	cfg.Domain = "example.com"
	cfg.Username = "1001"
	cfg.Password = "secret"
	cfg.Register = false
	cfg.KeepaliveInterval = 0
	if mutate != nil {
		mutate(&cfg)
	}
	p := &peer{t: t, ev: newRecorder()}
	fl := &flowLog{changed: make(chan struct{}, 16)}
	fs := &failSwitch{}
	ev := p.ev.events()
	ev.Flow = fl.record
	dial := func(ctx context.Context, address string, r Receiver) (Transport, error) {
		if err := fs.err(); err != nil {
			return nil, err
		}
		return p.dialer(ctx, address, r)
	}
	ua := NewUA(cfg, dial, ev)
	p.ua = ua
	require.NoError(t, ua.Start(context.Background()))
	t.Cleanup(func() {
		done := make(chan struct{})
		defer close(done)
		go p.answerRegisters(done)
		ua.Stop()
	})
	return ua, p, fl, fs
}

// failSwitch makes the test dialer fail.
type failSwitch struct {
	mu   sync.Mutex
	fail error
}

func (s *failSwitch) set(err error) {
	s.mu.Lock()
	s.fail = err
	s.mu.Unlock()
}

func (s *failSwitch) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fail
}

func TestFlowLossIsReportedWithoutRegistration(t *testing.T) {
	ua, p, fl, _ := newFlowTestUA(t, nil)
	assert.Equal(t, []string{"up"}, fl.waitLen(t, 1))

	p.current().r.Closed(errors.New("websocket closed: code 1006, not clean"))
	got := fl.waitLen(t, 2)
	assert.Equal(t, "lost|websocket closed: code 1006, not clean", got[1])
	assert.False(t, ua.Connected())

	require.NoError(t, ua.Reconnect(context.Background()))
	assert.Equal(t, "replaced", fl.waitLen(t, 3)[2])
	assert.True(t, ua.Connected())
	p.inject(farRequest("OPTIONS", "after", "t", "", 1, "", ""))
	p.expectResponse(200)

	p.ev.mu.Lock()
	defer p.ev.mu.Unlock()
	assert.Empty(t, p.ev.regs, "no registration was wanted: the connection is not reported as one")
}

func TestFlowLostOnceAndRegistrationFailsWhenWanted(t *testing.T) {
	ua, p, fl, _ := newFlowTestUA(t, nil)
	go ua.Register()
	reg := p.expect(sip.REGISTER)
	p.respond(reg, 200, "OK", "s", nil, reg.Contact())
	p.ev.waitReg(t, "registered|")

	p.current().r.Closed(nil)
	p.current().r.Closed(errors.New("again")) // a second close of the same flow is not news
	assert.Equal(t, []string{"up", "lost|connection closed"}, fl.waitLen(t, 2))
	p.ev.waitReg(t, "failed|transport: connection closed")

	go ua.Reconnect(context.Background())
	assert.Equal(t, []string{"up", "lost|connection closed", "replaced"}, fl.waitLen(t, 3))
	reg = p.expect(sip.REGISTER) // a wanted registration is renewed on the new flow
	p.respond(reg, 200, "OK", "s", nil, reg.Contact())
	p.ev.waitReg(t, "registered|")
}

func TestDeadFlowFoundByKeepaliveIsReportedLost(t *testing.T) {
	_, p, fl, _ := newFlowTestUA(t, func(c *Config) {
		c.KeepaliveInterval = 50 * time.Millisecond
		c.DeadTimeout = 100 * time.Millisecond
	})
	// the server answers one ping, then goes silent
	deadline := time.After(3 * time.Second)
	for ponged := false; !ponged; {
		select {
		case data := <-p.current().sent:
			if string(data) == "\r\n\r\n" {
				p.inject("\r\n")
				ponged = true
			}
		case <-deadline:
			t.Fatal("no keepalive sent on an idle flow")
		}
	}
	got := fl.waitLen(t, 2)
	assert.Equal(t, "lost|no keepalive answer", got[1])
}

func TestReconnectOfALiveFlowReplacesItAndAFailedOneLosesIt(t *testing.T) {
	ua, _, fl, fs := newFlowTestUA(t, nil)
	require.NoError(t, ua.Reconnect(context.Background()))
	assert.Equal(t, []string{"up", "replaced"}, fl.waitLen(t, 2), "a live flow is replaced, not lost")

	fs.set(errors.New("refused"))
	require.Error(t, ua.Reconnect(context.Background()))
	got := fl.waitLen(t, 3)
	assert.Contains(t, got[2], "lost|")
	assert.Contains(t, got[2], "refused")
	assert.False(t, ua.Connected())

	require.Error(t, ua.Reconnect(context.Background()))
	fs.set(nil)
	require.NoError(t, ua.Reconnect(context.Background()))
	assert.Equal(t, "replaced", fl.waitLen(t, 4)[3], "a failed attempt on a lost flow reports nothing more")
	assert.Len(t, fl.all(), 4)
}

func TestStopReportsNoFlowChange(t *testing.T) {
	ua, p, fl, _ := newFlowTestUA(t, nil)
	fl.waitLen(t, 1)
	first := p.current()
	ua.Stop()
	first.r.Closed(errors.New("late close"))
	// the flow notifier is idle once everything queued was delivered
	require.Eventually(t, func() bool {
		ua.flow.notifier.mu.Lock()
		defer ua.flow.notifier.mu.Unlock()
		return !ua.flow.notifier.running
	}, 2*time.Second, time.Millisecond)
	assert.Equal(t, []string{"up"}, fl.all())
}

func TestAFailedReconnectOfALiveFlowEndsItsTransactions(t *testing.T) {
	ua, p, fl, fs := newFlowTestUA(t, nil)
	errc := make(chan error, 1)
	go func() { errc <- ua.Register() }()
	p.expect(sip.REGISTER) // never answered
	fs.set(errors.New("refused"))
	require.Error(t, ua.Reconnect(context.Background()))
	select {
	case err := <-errc:
		require.Error(t, err)
		assert.Contains(t, err.Error(), "transport closed", "ended with the flow, not by a timeout")
	case <-time.After(8 * time.Second):
		t.Fatal("the pending REGISTER did not end")
	}
	assert.Contains(t, fl.waitLen(t, 2)[1], "lost|")
}
