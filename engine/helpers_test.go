package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// waitLong bounds every wait for an event; it only matters on failure.
const waitLong = 10 * time.Second

// event is one recorded page callback.
type event struct {
	cb   string
	args []any
}

func (e event) String() string { return fmt.Sprintf("%s%v", e.cb, e.args) }

// recorder is an EmitFunc that keeps every event.
type recorder struct {
	mu  sync.Mutex
	evs []event
}

func (r *recorder) emit(cb string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, event{cb, args})
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = nil
}

func (r *recorder) all() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event(nil), r.evs...)
}

// find returns the matching events.
func (r *recorder) find(pred func(event) bool) []event {
	var out []event
	for _, e := range r.all() {
		if pred(e) {
			out = append(out, e)
		}
	}
	return out
}

// waitFor waits until an event matches and returns the first match.
func (r *recorder) waitFor(t *testing.T, what string, pred func(event) bool) event {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		if m := r.find(pred); len(m) > 0 {
			return m[0]
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %s event; got:\n%s", what, r.dump())
	return event{}
}

func (r *recorder) dump() string {
	var b strings.Builder
	for _, e := range r.all() {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// callState matches onCallStateChange(event, ...).
func callState(name string) func(event) bool {
	return func(e event) bool { return e.cb == "onCallStateChange" && e.args[0] == name }
}

// notification matches onEvent("event", msg) with msg starting with prefix.
func notification(prefix string) func(event) bool {
	return func(e event) bool {
		return e.cb == "onEvent" && e.args[0] == "event" && strings.HasPrefix(e.args[1].(string), prefix)
	}
}

func named(cb string, first any) func(event) bool {
	return func(e event) bool { return e.cb == cb && len(e.args) > 0 && e.args[0] == first }
}

// waitUntil polls cond.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// fakeMedia returns fixed SDP and records what the engine asks of it.
type fakeMedia struct {
	mu      sync.Mutex
	line    int
	offers  []string // hold argument of each Offer
	answers []string // hold argument of each Answer
	remote  [][]byte // offers received in Answer
	applied [][]byte // SetRemoteAnswer
	mutes   []string
	dtmf    []string
	closed  bool
}

func fakeSDP(dir string) []byte {
	if dir == "" {
		dir = "sendrecv"
	}
	return []byte("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=" + dir + "\r\n")
}

func (m *fakeMedia) Offer(_ context.Context, hold string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.offers = append(m.offers, hold)
	return fakeSDP(hold), nil
}

func (m *fakeMedia) Answer(_ context.Context, offer []byte, hold string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answers = append(m.answers, hold)
	m.remote = append(m.remote, offer)
	if hold == "" && isHoldSDP(offer) {
		hold = "recvonly"
	}
	return fakeSDP(hold), nil
}

func (m *fakeMedia) SetRemoteAnswer(_ context.Context, sdp []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.applied = append(m.applied, sdp)
	return nil
}

func (m *fakeMedia) Mute(direction int, on bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mutes = append(m.mutes, fmt.Sprintf("%d:%v", direction, on))
	return nil
}

func (m *fakeMedia) SendDTMF(d string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dtmf = append(m.dtmf, d)
	return nil
}

func (m *fakeMedia) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
}

func (m *fakeMedia) snapshot() fakeMedia {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fakeMedia{line: m.line, offers: append([]string(nil), m.offers...),
		answers: append([]string(nil), m.answers...), remote: append([][]byte(nil), m.remote...), applied: append([][]byte(nil), m.applied...),
		mutes: append([]string(nil), m.mutes...), dtmf: append([]string(nil), m.dtmf...), closed: m.closed}
}

// mediaBox is a MediaFactory that keeps every fakeMedia it made.
type mediaBox struct {
	mu  sync.Mutex
	all []*fakeMedia
}

func (b *mediaBox) factory(line int, _ *Params) (Media, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := &fakeMedia{line: line}
	b.all = append(b.all, m)
	return m, nil
}

func (b *mediaBox) get(i int) *fakeMedia {
	b.mu.Lock()
	defer b.mu.Unlock()
	if i < len(b.all) {
		return b.all[i]
	}
	return nil
}

func (b *mediaBox) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.all)
}

// fakeClock is a manual clock for Options.Now and Options.AfterFunc.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
	fired   bool
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped && !t.fired
		t.stopped = true
		return was
	}
}

// armedIn tells whether a timer is pending that fires d from now (a test
// waits for it before advancing the clock past it).
func (c *fakeClock) armedIn(d time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.timers {
		if !t.stopped && !t.fired && t.at.Equal(c.now.Add(d)) {
			return true
		}
	}
	return false
}

// Advance moves the clock and runs the timers that became due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*fakeTimer
	for _, t := range c.timers {
		if !t.stopped && !t.fired && !t.at.After(c.now) {
			t.fired = true
			due = append(due, t)
		}
	}
	c.mu.Unlock()
	for _, t := range due {
		t.f()
	}
}

func hdrString(hs []sipcore.Header) string {
	parts := make([]string, 0, len(hs))
	for _, h := range hs {
		parts = append(parts, h.Name+"="+h.Value)
	}
	return strings.Join(parts, ",")
}
