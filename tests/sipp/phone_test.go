package sipp

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/engine"
	"github.com/opensoftphone/webphone/sipcore"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
	"github.com/opensoftphone/webphone/tests/infra"
)

// waitLong bounds every wait for an event; it only matters on failure.
const waitLong = 20 * time.Second

const offerSDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
	"m=audio 7000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na="

// silentMedia is a Media that negotiates plain SDP and never receives
// anything (it implements engine.MediaActivity: no packet ever arrived).
type silentMedia struct {
	mu        sync.Mutex
	answers   [][]byte
	rollbacks int
}

// Rollback counts the offers withdrawn (engine.MediaRollback).
func (m *silentMedia) Rollback(context.Context) error {
	m.mu.Lock()
	m.rollbacks++
	m.mu.Unlock()
	return nil
}

func (m *silentMedia) rolledBack() int { m.mu.Lock(); defer m.mu.Unlock(); return m.rollbacks }

func (m *silentMedia) Offer(_ context.Context, hold string) ([]byte, error) {
	if hold == "" {
		hold = "sendrecv"
	}
	return []byte(offerSDP + hold + "\r\n"), nil
}
func (m *silentMedia) Answer(_ context.Context, offer []byte, hold string) ([]byte, error) {
	dir := "sendrecv"
	switch {
	case hold != "":
		dir = hold
	case strings.Contains(string(offer), "a=sendonly"):
		dir = "recvonly"
	case strings.Contains(string(offer), "a=inactive"):
		dir = "inactive"
	}
	return []byte(offerSDP + dir + "\r\n"), nil
}
func (m *silentMedia) SetRemoteAnswer(_ context.Context, sdp []byte) error {
	m.mu.Lock()
	m.answers = append(m.answers, sdp)
	m.mu.Unlock()
	return nil
}
func (m *silentMedia) Mute(int, bool) error    { return nil }
func (m *silentMedia) SendDTMF(string) error   { return nil }
func (m *silentMedia) Close()                  {}
func (m *silentMedia) LastReceived() time.Time { return time.Time{} }
func (m *silentMedia) Failed() bool            { return false }
func (m *silentMedia) applied() int            { m.mu.Lock(); defer m.mu.Unlock(); return len(m.answers) }

// phone is an engine calling sipp directly over UDP, its events recorded.
type phone struct {
	e     *engine.Engine
	media *silentMedia
	mu    sync.Mutex
	evs   []string
	local chan string // the local address of each connection made
}

func newPhone(t *testing.T, sipp *infra.Sipp, extra map[string]string) *phone {
	t.Helper()
	return newPhoneAt(t, sipp.Address(), extra)
}

// newPhoneAt is newPhone for a server address ("udp:127.0.0.1:N").
func newPhoneAt(t *testing.T, server string, extra map[string]string) *phone {
	t.Helper()
	p := &phone{media: &silentMedia{}, local: make(chan string, 4)}
	dial := func(ctx context.Context, addr string, r sipcore.Receiver) (sipcore.Transport, error) {
		tr, err := nettransport.Dial(ctx, addr, r)
		if err == nil {
			select {
			case p.local <- tr.LocalHost():
			default:
			}
		}
		return tr, err
	}
	p.e = engine.New(engine.Options{
		Dialer:         dial,
		Media:          func(int, *engine.Params) (engine.Media, error) { return p.media, nil },
		Storage:        engine.NewMapStorage(),
		Emit:           p.emit,
		AutoStartDelay: -1,
	})
	t.Cleanup(p.e.Close)
	cfg := map[string]string{
		"serveraddress": server,
		"username":      "1001",
		"password":      "x",
		"register":      "0",
	}
	for k, v := range extra {
		cfg[k] = v
	}
	p.e.Init(cfg, "")
	p.e.AutoStart()
	return p
}

func (p *phone) emit(cb string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	parts := []string{cb}
	for _, a := range args {
		parts = append(parts, fmt.Sprint(a))
	}
	p.evs = append(p.evs, strings.Join(parts, "|")+"|")
}

// waitEvent waits for an event containing all the parts and returns it.
func (p *phone) waitEvent(t *testing.T, parts ...string) string {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		for _, ev := range p.evs {
			all := true
			for _, s := range parts {
				all = all && strings.Contains(ev, s)
			}
			if all {
				p.mu.Unlock()
				return ev
			}
		}
		p.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t.Fatalf("no event with %q; got:\n%s", parts, strings.Join(p.evs, "\n"))
	return ""
}

// index is the position of the first event containing part, -1 if none.
func (p *phone) index(part string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, ev := range p.evs {
		if strings.Contains(ev, part) {
			return i
		}
	}
	return -1
}

// waitFor polls cond.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// scenario starts sipp with a testdata scenario (extra: more sipp
// arguments).
func scenario(t *testing.T, name string, extra ...string) *infra.Sipp {
	t.Helper()
	return infra.StartSippServer(t, "testdata/"+name, 60*time.Second, extra...)
}

// finish waits for sipp to pass its scenario.
func finish(t *testing.T, s *infra.Sipp) {
	t.Helper()
	if err := s.Wait(waitLong); err != nil {
		t.Fatal(err)
	}
}
