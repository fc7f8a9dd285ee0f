package sipcore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLenientMessagesAreHandledNotDropped(t *testing.T) {
	ua, p := newTestUA(t, nil)
	odd := strings.Replace(incomingInvite("odd"), "<sip:1002@example.com>", "<sip:1002@my_odd-host_name.local>", 1)
	odd = strings.Replace(odd, "Contact: <sip:1002@bob.invalid;transport=ws>", "Contact: <sip:10#02@bob.invalid;transport=ws>", 1)
	p.inject(odd)
	c := <-p.ev.incoming
	assert.Equal(t, "sip:1002@my_odd-host_name.local", c.RemoteURI())
	p.expectResponse(180)
	require.NoError(t, c.Accept([]byte(sdpAnswer)))
	ok := p.expectResponse(200)
	tag, _ := ok.To().Params.Get("tag")
	p.inject(farRequest("ACK", "odd", "bobtag", tag, 1, "", ""))
	require.NoError(t, c.Hangup())
	bye := p.expect(sip.BYE)
	assert.Equal(t, "10#02", bye.Recipient.User, "remote target with # in the user part")

	// a reason phrase with brackets, and a missing Content-Length
	go ua.Register()
	reg := p.expect(sip.REGISTER)
	res := sip.NewResponseFromRequest(reg, 200, "OK [accepted] (ok)", nil)
	res.AppendHeader(reg.Contact())
	text := strings.Replace(res.String(), "Content-Length: 0\r\n", "", 1)
	p.inject(text)
	p.ev.waitReg(t, "registered|")
}

func TestMalformedInputNeverPanicsAndBadRequestsGet400(t *testing.T) {
	ua, p := newTestUA(t, nil) // a panic the UA recovers fails the test
	for _, junk := range []string{
		"\x00\x01\x02garbage",
		"INVITE\r\n\r\n",
		"SIP/2.0 abc\r\n\r\n",
		"INVITE sip:a@b SIP/2.0\r\nVia: nonsense\r\n\r\n",
		strings.Repeat("A", 70000),
		"INVITE sip:a@b SIP/2.0\r\nContent-Length: 99999\r\n\r\nx",
	} {
		p.inject(junk)
	}
	// a request that parses but lacks CSeq gets 400
	noCSeq := strings.Replace(farRequest("OPTIONS", "bad1", "t", "", 1, "", ""), "CSeq: 1 OPTIONS\r\n", "", 1)
	p.inject(noCSeq)
	res := p.expectResponse(400)
	assert.Contains(t, res.Reason, "CSeq")
	// CSeq method differing from the request method
	mism := strings.Replace(farRequest("OPTIONS", "bad2", "t", "", 1, "", ""), "CSeq: 1 OPTIONS", "CSeq: 1 INVITE", 1)
	p.inject(mism)
	assert.Equal(t, 400, p.expectResponse(400).StatusCode)
	// the UA still works
	p.inject(farRequest("OPTIONS", "good", "t", "", 1, "", ""))
	assert.Equal(t, 200, p.expectResponse(200).StatusCode)
	waitInboundIdle(t, ua)
}

func TestKeepalivesAreAnsweredAndNeverParsed(t *testing.T) {
	_, p := newTestUA(t, nil)
	p.inject("\r\n\r\n")
	select {
	case data := <-p.current().sent:
		assert.Equal(t, "\r\n", string(data), "double-CRLF ping is answered with a CRLF pong")
	case <-time.After(2 * time.Second):
		t.Fatal("no pong")
	}
	p.inject("\r\n")
	p.inject(farRequest("OPTIONS", "k1", "t", "", 1, "", ""))
	p.expectResponse(200)
	p.ev.mu.Lock()
	defer p.ev.mu.Unlock()
	for _, tr := range p.ev.traces {
		assert.NotEqual(t, "in:\r\n", tr)
		assert.NotEqual(t, "in:\r\n\r\n", tr)
	}
}

func TestIdleFlowSendsKeepaliveAndDeadFlowIsDetected(t *testing.T) {
	ua, p := newTestUA(t, func(c *Config) {
		c.KeepaliveInterval = 100 * time.Millisecond
		c.DeadTimeout = 200 * time.Millisecond
	})
	go ua.Register()
	reg := p.expect(sip.REGISTER)
	p.respond(reg, 200, "OK", "s", nil, reg.Contact())
	p.ev.waitReg(t, "registered|")
	// the server answers one ping with a pong, then goes silent
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
	p.ev.waitFor(t, "dead flow reported", func(regs, _ []string) bool {
		last := regs[len(regs)-1]
		return strings.HasPrefix(last, "failed|transport: no keepalive answer")
	})
	assert.False(t, ua.Connected())
}

func TestTransportDropFailsPendingTransactionsAtOnce(t *testing.T) {
	ua, p := newTestUA(t, nil)
	errc := make(chan error, 1)
	go func() { errc <- ua.Register() }()
	p.expect(sip.REGISTER)
	p.current().r.Closed(assert.AnError)
	select {
	case err := <-errc:
		// the cause is the drop, not Timer F running out ("timeout")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "transport closed")
		assert.NotErrorIs(t, err, ErrTimeout)
	case <-time.After(8 * time.Second):
		t.Fatal("REGISTER did not fail when the connection dropped")
	}
	p.ev.waitFor(t, "failed registration", func(regs, _ []string) bool {
		return strings.HasPrefix(regs[len(regs)-1], "failed|")
	})
}

func TestReconnectCarriesLiveDialog(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, _ := establishOutgoing(t, ua, p)
	first := p.current()
	require.NoError(t, ua.Reconnect(context.Background()))
	assert.NotSame(t, first, p.current())
	assert.Equal(t, CallConnected, c.State(), "the call survives the new connection")
	require.NoError(t, c.Hangup())
	bye := p.expect(sip.BYE) // read from the new pipe
	assert.Equal(t, "bob.invalid", bye.Recipient.Host)
	// frames arriving on the old connection are ignored
	first.r.Received([]byte(farRequest("OPTIONS", "old", "t", "", 1, "", "")))
	p.nothing(150 * time.Millisecond)
}

// FuzzInboundMessage feeds arbitrary frames through the whole inbound path
// (transport receiver, read loop, dialog and transaction workers). An input
// fails when the UA recovers a panic while handling it, or when the UA does
// not answer an OPTIONS afterwards and finish all work the input caused.
func FuzzInboundMessage(f *testing.F) {
	f.Add([]byte(incomingInvite("f1")))
	f.Add([]byte(farRequest("BYE", "f2", "a", "b", 2, "", "")))
	f.Add([]byte(farRequest("INFO", "f3", "a", "b", 2, "Content-Type: application/dtmf-relay\r\n", "Signal=1\r\nDuration=100\r\n")))
	f.Add([]byte(farRequest("NOTIFY", "f4", "a", "b", 2, "Event: presence\r\nSubscription-State: active\r\n", "x")))
	f.Add([]byte(farRequest("MESSAGE", "f5", "a", "", 1, "Content-Type: text/plain\r\n", "hi")))
	f.Add([]byte(farRequest("SUBSCRIBE", "f6", "a", "", 1, "Event: presence\r\nExpires: 60\r\n", "")))
	f.Add([]byte(farRequest("UPDATE", "f1", "bobtag", "x", 2, "Content-Type: application/sdp\r\n", sdpOffer)))
	f.Add([]byte(farRequest("ACK", "f1", "bobtag", "x", 1, "", "")))
	f.Add([]byte("SIP/2.0 200 OK\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("SIP/2.0 200 OK\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bKy\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: f1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("\r\n\r\n"))
	f.Add([]byte("CANCEL sip:a@b SIP/2.0\r\nVia: SIP/2.0/WS x;branch=z9hG4bK1\r\n\r\n"))
	cfg := NewConfig()
	cfg.Address, cfg.Domain, cfg.Username, cfg.Register, cfg.KeepaliveInterval = "ws://test.example/ws", "example.com", "1001", false, 0
	p := &peer{t: f, ev: newRecorder()}
	ev := p.ev.events()
	ev.Incoming = func(c *Call) { _ = c.Accept([]byte(sdpAnswer)) }
	ua := NewUA(cfg, p.dialer, ev)
	panics := watchPanics(ua)
	if err := ua.Start(context.Background()); err != nil {
		f.Fatal(err)
	}
	defer ua.Stop()
	f.Fuzz(func(t *testing.T, data []byte) {
		p.inject(string(data))
		probe := "probe-" + randomHex(6)
		p.inject(farRequest("OPTIONS", probe, "t", "", 1, "", ""))
		awaitProbeAnswer(t, p.current(), probe)
		waitInboundIdle(t, ua)
		for _, msg := range panics.take() {
			t.Fatalf("the UA recovered a panic: %s", msg)
		}
	})
}

// awaitProbeAnswer reads what the UA sends until the 200 to the OPTIONS
// with Call-ID probe.
func awaitProbeAnswer(t *testing.T, pp *pipe, probe string) {
	t.Helper()
	deadline := time.After(8 * time.Second)
	for {
		select {
		case data := <-pp.sent:
			if msg, err := sip.ParseMessage(data); err == nil {
				if res, ok := msg.(*sip.Response); ok && res.CallID() != nil && res.CallID().Value() == probe {
					if res.StatusCode != 200 {
						t.Fatalf("OPTIONS answered %d after the input", res.StatusCode)
					}
					return
				}
			}
		case <-deadline:
			t.Fatal("the UA no longer answers OPTIONS after the input")
		}
	}
}
