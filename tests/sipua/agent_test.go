package sipua

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/opensoftphone/webphone/sipcore"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
)

// server is what a scenario needs to know about the SIP server under test.
type server struct {
	wsURL  string
	domain string
	users  map[string]string
}

// agent is a sipcore UA over a native WebSocket, with its events recorded.
type agent struct {
	t        *testing.T
	ua       *sipcore.UA
	user     string
	mu       sync.Mutex
	regs     []string
	states   map[string][]string // Call-ID -> states
	incoming chan *sipcore.Call
	offers   chan string
	dtmf     chan string
	msgs     chan sipcore.IncomingMessage
	results  chan int
	changed  chan struct{}
	trace    func(dir string, data []byte)
}

// onTrace sets a function that sees every SIP message sent and received.
func (a *agent) onTrace(f func(dir string, data []byte)) {
	a.mu.Lock()
	a.trace = f
	a.mu.Unlock()
}

const plainSDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
	"m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n"

// sdpWith returns the test SDP with another direction attribute.
func sdpWith(dir string) []byte { return []byte(strings.Replace(plainSDP, "a=sendrecv", "a="+dir, 1)) }

// answerDirection is what a phone answers to an offered direction.
func answerDirection(offer string) string {
	switch {
	case strings.Contains(offer, "a=sendonly"):
		return "recvonly"
	case strings.Contains(offer, "a=recvonly"):
		return "sendonly"
	case strings.Contains(offer, "a=inactive"):
		return "inactive"
	}
	return "sendrecv"
}

func newAgent(t *testing.T, srv server, user, password string, register bool, tune ...func(*sipcore.Config)) *agent {
	t.Helper()
	a := &agent{t: t, user: user, states: map[string][]string{}, incoming: make(chan *sipcore.Call, 4),
		offers: make(chan string, 8), dtmf: make(chan string, 16), msgs: make(chan sipcore.IncomingMessage, 4),
		results: make(chan int, 4), changed: make(chan struct{}, 256)}
	cfg := sipcore.NewConfig()
	cfg.Address = srv.wsURL
	cfg.Domain = srv.domain
	cfg.Username = user
	cfg.Password = password
	cfg.DisplayName = strings.ToUpper(user)
	cfg.Register = false
	for _, f := range tune {
		f(&cfg)
	}
	ev := sipcore.Events{
		RegState: func(s sipcore.RegState, reason string) {
			a.mu.Lock()
			a.regs = append(a.regs, string(s)+"|"+reason)
			a.mu.Unlock()
			a.poke()
		},
		CallState: func(c *sipcore.Call, s sipcore.CallState, reason string) {
			a.mu.Lock()
			a.states[c.CallID()] = append(a.states[c.CallID()], string(s)+"|"+reason)
			a.mu.Unlock()
			a.poke()
		},
		Incoming: func(c *sipcore.Call) { a.incoming <- c },
		Offer: func(c *sipcore.Call, sdp []byte) ([]byte, error) {
			a.offers <- string(sdp)
			return sdpWith(answerDirection(string(sdp))), nil
		},
		DTMF:          func(c *sipcore.Call, d string, ms int) { a.dtmf <- d },
		Message:       func(m sipcore.IncomingMessage) { a.msgs <- m },
		MessageResult: func(id, to string, code int, reason string) { a.results <- code },
		Trace: func(dir string, data []byte, _ *sipcore.TracedMessage) {
			a.mu.Lock()
			f := a.trace
			a.mu.Unlock()
			if f != nil {
				f(dir, data)
			}
		},
	}
	a.ua = sipcore.NewUA(cfg, nettransport.Dial, ev)
	require.NoError(t, a.ua.Start(context.Background()))
	t.Cleanup(a.ua.Stop)
	if register {
		require.NoError(t, a.ua.Register())
		require.Equal(t, sipcore.RegRegistered, a.ua.RegState())
	}
	return a
}

func (a *agent) poke() {
	select {
	case a.changed <- struct{}{}:
	default:
	}
}

// waitState waits until the call reached a state (reason prefix optional).
func (a *agent) waitState(c *sipcore.Call, want string) string {
	a.t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		a.mu.Lock()
		got := append([]string(nil), a.states[c.CallID()]...)
		a.mu.Unlock()
		for _, s := range got {
			if strings.HasPrefix(s, want) {
				return s
			}
		}
		select {
		case <-a.changed:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			a.t.Fatalf("%s: call %s never reached %q; states %v", a.user, c.CallID(), want, got)
		}
	}
}

func (a *agent) waitIncoming() *sipcore.Call {
	a.t.Helper()
	select {
	case c := <-a.incoming:
		return c
	case <-time.After(15 * time.Second):
		a.t.Fatalf("%s: no incoming call", a.user)
		return nil
	}
}

func recv[T any](t *testing.T, ch chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(15 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}
