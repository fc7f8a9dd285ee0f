package sipcore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	// Short RFC timers keep timeout tests fast (Timer B/F = 64*T1 = 3.2s).
	sip.SetTimers(50*time.Millisecond, 400*time.Millisecond, 500*time.Millisecond)
	os.Exit(m.Run())
}

// pipe is a Transport whose far end is the test: what the UA sends lands in
// sent; the test injects frames through the Receiver.
type pipe struct {
	proto  string
	host   string
	sent   chan []byte
	r      Receiver
	mu     sync.Mutex
	closed bool
	// hold, when set, is called with every frame before it is sent; it may
	// block to hold up the sender.
	hold func(data []byte)
}

func (p *pipe) Send(data []byte) error {
	if p.hold != nil {
		p.hold(data)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("closed")
	}
	b := append([]byte(nil), data...)
	select {
	case p.sent <- b:
	default:
	}
	return nil
}
func (p *pipe) Protocol() string  { return p.proto }
func (p *pipe) LocalHost() string { return p.host }
func (p *pipe) Close() error {
	p.mu.Lock()
	was := p.closed
	p.closed = true
	p.mu.Unlock()
	if !was {
		go p.r.Closed(errors.New("closed locally"))
	}
	return nil
}

// peer plays the server (and far-end phone) side of a scripted exchange.
type peer struct {
	t     testing.TB
	mu    sync.Mutex
	pipes []*pipe
	ua    *UA
	ev    *recorder
	// proto is the transport protocol of the pipes ("WS" when empty; "UDP"
	// makes the flow unreliable: sipgo retransmits and keeps transactions).
	proto string
	// hold is given to every new pipe (see pipe.hold).
	hold func(data []byte)
	// events, when set, may change the recorder's callbacks before the UA
	// is created.
	events func(*Events)
}

func (p *peer) current() *pipe {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pipes[len(p.pipes)-1]
}

func (p *peer) dialer(ctx context.Context, address string, r Receiver) (Transport, error) {
	p.mu.Lock()
	proto := p.proto
	if proto == "" {
		proto = "WS"
	}
	pp := &pipe{proto: proto, host: "abc123.invalid", sent: make(chan []byte, 256), r: r, hold: p.hold}
	p.pipes = append(p.pipes, pp)
	p.mu.Unlock()
	return pp, nil
}

// recorder collects UA events. Its callbacks never block: an event that
// finds its channel full is counted in dropped and lost (a test waiting for
// it then fails by timeout).
type recorder struct {
	mu       sync.Mutex
	regs     []string
	states   []string
	incoming chan *Call
	dtmf     chan string
	msgs     chan IncomingMessage
	results  chan string
	notifies chan NotifyInfo
	sdp      chan []byte
	traces   []string
	changed  chan struct{}
	dropped  int
}

func newRecorder() *recorder {
	return &recorder{incoming: make(chan *Call, 8), dtmf: make(chan string, 64), msgs: make(chan IncomingMessage, 8),
		results: make(chan string, 8), notifies: make(chan NotifyInfo, 8), sdp: make(chan []byte, 8), changed: make(chan struct{}, 1)}
}

// offer sends v on ch without blocking.
func offer[T any](r *recorder, ch chan T, v T) {
	select {
	case ch <- v:
	default:
		r.mu.Lock()
		r.dropped++
		r.mu.Unlock()
	}
}

// poke wakes waitFor; a wake-up already pending is enough.
func (r *recorder) poke() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *recorder) events() Events {
	return Events{
		RegState: func(s RegState, reason string) {
			r.mu.Lock()
			r.regs = append(r.regs, string(s)+"|"+reason)
			r.mu.Unlock()
			r.poke()
		},
		CallState: func(c *Call, s CallState, reason string) {
			r.mu.Lock()
			r.states = append(r.states, string(s)+"|"+reason)
			r.mu.Unlock()
			r.poke()
		},
		Incoming: func(c *Call) { offer(r, r.incoming, c) },
		DTMF:     func(c *Call, d string, ms int) { offer(r, r.dtmf, d) },
		Message:  func(m IncomingMessage) { offer(r, r.msgs, m) },
		MessageResult: func(id, to string, code int, reason string) {
			offer(r, r.results, id+"|"+to+"|"+itoa(code)+"|"+reason)
		},
		Notify:    func(s *Subscription, n NotifyInfo) { offer(r, r.notifies, n) },
		RemoteSDP: func(c *Call, sdp []byte) { offer(r, r.sdp, sdp) },
		Trace: func(dir string, data []byte, _ *TracedMessage) {
			r.mu.Lock()
			r.traces = append(r.traces, dir+":"+string(data))
			r.mu.Unlock()
		},
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// waitFor waits until cond holds on the recorder.
func (r *recorder) waitFor(t *testing.T, what string, cond func(regs, states []string) bool) {
	t.Helper()
	deadline := time.After(8 * time.Second)
	for {
		r.mu.Lock()
		ok := cond(append([]string(nil), r.regs...), append([]string(nil), r.states...))
		regs, states := r.regs, r.states
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.changed:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s; regs=%v states=%v", what, regs, states)
		}
	}
}

func (r *recorder) waitReg(t *testing.T, want string) {
	t.Helper()
	r.waitFor(t, "registration "+want, func(regs, _ []string) bool {
		return len(regs) > 0 && regs[len(regs)-1] == want
	})
}

func (r *recorder) waitState(t *testing.T, want string) {
	t.Helper()
	r.waitFor(t, "call state "+want, func(_, states []string) bool {
		for _, s := range states {
			if s == want {
				return true
			}
		}
		return false
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func newTestUA(t *testing.T, mutate func(*Config)) (*UA, *peer) {
	t.Helper()
	return startTestUA(t, &peer{}, mutate)
}

// startTestUA starts a UA whose flow is a pipe of p (p.proto, p.hold and
// p.events set by the caller). A panic the UA recovers fails the test.
func startTestUA(t *testing.T, p *peer, mutate func(*Config)) (*UA, *peer) {
	t.Helper()
	cfg := NewConfig()
	cfg.Address = "ws://test.example/ws"
	cfg.Domain = "example.com"
	cfg.Username = "1001"
	cfg.Password = "secret"
	cfg.DisplayName = "Alice"
	cfg.Register = false
	cfg.KeepaliveInterval = 0
	if mutate != nil {
		mutate(&cfg)
	}
	p.t, p.ev = t, newRecorder()
	ev := p.ev.events()
	if p.events != nil {
		p.events(&ev)
	}
	ua := NewUA(cfg, p.dialer, ev)
	p.ua = ua
	panics := watchPanics(ua)
	t.Cleanup(func() {
		for _, msg := range panics.take() {
			t.Errorf("the UA recovered a panic: %s", msg)
		}
	})
	require.NoError(t, ua.Start(context.Background()))
	t.Cleanup(func() {
		// answer the unregistration Stop sends, so cleanup does not wait for it
		done := make(chan struct{})
		defer close(done)
		go p.answerRegisters(done)
		ua.Stop()
	})
	return ua, p
}

// panicWatch collects the panics a UA recovered (the UA only logs them).
type panicWatch struct {
	mu     sync.Mutex
	panics []string
}

// watchPanics sets ua's panic hook; call before Start.
func watchPanics(ua *UA) *panicWatch {
	w := &panicWatch{}
	ua.panicHook = func(where string, v any) {
		w.mu.Lock()
		w.panics = append(w.panics, where+": "+fmt.Sprint(v))
		w.mu.Unlock()
	}
	return w
}

// take returns and forgets the panics seen so far.
func (w *panicWatch) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.panics
	w.panics = nil
	return p
}

// waitInboundIdle waits until the UA's inbound workers have nothing queued
// or running.
func waitInboundIdle(t testing.TB, ua *UA) {
	t.Helper()
	deadline := time.After(8 * time.Second)
	for _, e := range []*serialExecutor{ua.dialogWork, ua.txs.work} {
		select {
		case <-e.idle():
		case <-deadline:
			t.Fatal("inbound work did not finish")
		}
	}
}

// answerRegisters accepts every REGISTER until done.
func (p *peer) answerRegisters(done chan struct{}) {
	for {
		select {
		case data := <-p.current().sent:
			if msg, err := sip.ParseMessage(data); err == nil {
				if req, ok := msg.(*sip.Request); ok && req.Method == sip.REGISTER {
					p.respond(req, 200, "OK", "srv", nil)
				}
			}
		case <-done:
			return
		}
	}
}

// next returns the next SIP message the UA sent (skipping keepalives).
func (p *peer) next() sip.Message {
	p.t.Helper()
	for {
		select {
		case data := <-p.current().sent:
			if isKeepalive(data) {
				continue
			}
			msg, err := sip.ParseMessage(data)
			require.NoError(p.t, err, "UA sent an unparsable message:\n%s", data)
			return msg
		case <-time.After(8 * time.Second):
			p.t.Fatal("timed out waiting for a message from the UA")
			return nil
		}
	}
}

// expect returns the next request of a method, skipping others listed in skip.
func (p *peer) expect(method sip.RequestMethod) *sip.Request {
	p.t.Helper()
	for {
		msg := p.next()
		if req, ok := msg.(*sip.Request); ok && req.Method == method {
			return req
		}
		p.t.Logf("skipping %s", strings.SplitN(msg.String(), "\r\n", 2)[0])
	}
}

// expectResponse returns the next response sent by the UA.
func (p *peer) expectResponse(code int) *sip.Response {
	p.t.Helper()
	for {
		msg := p.next()
		if res, ok := msg.(*sip.Response); ok && res.StatusCode == code {
			return res
		}
		p.t.Logf("skipping %s", strings.SplitN(msg.String(), "\r\n", 2)[0])
	}
}

// nothing asserts the UA sends no SIP message for d.
func (p *peer) nothing(d time.Duration) {
	p.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case data := <-p.current().sent:
			if isKeepalive(data) {
				continue
			}
			p.t.Fatalf("unexpected message:\n%s", data)
		case <-deadline:
			return
		}
	}
}

func (p *peer) inject(data string) {
	p.current().r.Received([]byte(data))
}

// respond answers req; toTag is added when the request has none.
func (p *peer) respond(req *sip.Request, code int, reason, toTag string, body []byte, hdrs ...sip.Header) *sip.Response {
	res := sip.NewResponseFromRequest(req, code, reason, body)
	if toTag != "" {
		res.To().Params.Add("tag", toTag)
	}
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if len(body) > 0 {
		ct := sip.ContentTypeHeader("application/sdp")
		res.AppendHeader(&ct)
	}
	p.inject(res.String())
	return res
}

// request builds a request from the far end (bob) to the UA.
func farRequest(method, callID, fromTag, toTag string, cseq int, extra string, body string) string {
	var b bytes.Buffer
	b.WriteString(method + " sip:1001@abc123.invalid;transport=ws SIP/2.0\r\n")
	b.WriteString("Via: SIP/2.0/WS proxy.example.com;branch=z9hG4bK" + randomHex(6) + "\r\n")
	b.WriteString("Max-Forwards: 70\r\n")
	b.WriteString("From: \"Bob\" <sip:1002@example.com>;tag=" + fromTag + "\r\n")
	to := "To: <sip:1001@example.com>"
	if toTag != "" {
		to += ";tag=" + toTag
	}
	b.WriteString(to + "\r\n")
	b.WriteString("Call-ID: " + callID + "\r\n")
	b.WriteString("CSeq: " + itoa(cseq) + " " + method + "\r\n")
	b.WriteString("Contact: <sip:1002@bob.invalid;transport=ws>\r\n")
	b.WriteString(extra)
	b.WriteString("Content-Length: " + itoa(len(body)) + "\r\n\r\n")
	b.WriteString(body)
	return b.String()
}

const sdpOffer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n"
const sdpAnswer = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=sendrecv\r\n"
