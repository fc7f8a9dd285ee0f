package sipcore

import (
	"bytes"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recv waits (bounded) for a value from ch.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(8 * time.Second):
		t.Fatal("timed out waiting for " + what)
		var zero T
		return zero
	}
}

// nextDigit waits (bounded) for the next DTMF event.
func nextDigit(t *testing.T, p *peer) string {
	t.Helper()
	return recv(t, p.ev.dtmf, "a DTMF event")
}

func dtmfInfo(c *Call, cseq int, digit string) string {
	return farRequest("INFO", c.CallID(), "bobtag", c.localTag, cseq,
		"Content-Type: application/dtmf-relay\r\n", "Signal="+digit+"\r\nDuration=100\r\n")
}

func TestInfoDigitsOfOneDialogReachTheApplicationInOrder(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, _ := establishOutgoing(t, ua, p)
	const digits = "0123456789*#ABCD0123456789"
	for i, d := range digits {
		p.inject(dtmfInfo(c, 2+i, string(d)))
	}
	var got strings.Builder
	for range digits {
		got.WriteString(nextDigit(t, p))
	}
	assert.Equal(t, digits, got.String())
}

func TestBlockedCallbackInOneDialogDoesNotHoldUpAnother(t *testing.T) {
	blocked := make(chan string, 1)
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	ua, p := startTestUA(t, &peer{events: func(ev *Events) {
		record := ev.DTMF
		ev.DTMF = func(c *Call, d string, ms int) {
			if d == "1" {
				blocked <- c.CallID()
				<-release
			}
			record(c, d, ms)
		}
	}}, nil)
	t.Cleanup(unblock)
	a, _ := establishOutgoing(t, ua, p)
	b, _ := establishOutgoing(t, ua, p)
	require.NotEqual(t, a.CallID(), b.CallID())

	p.inject(dtmfInfo(a, 2, "1"))
	select {
	case id := <-blocked:
		require.Equal(t, a.CallID(), id)
	case <-time.After(8 * time.Second):
		t.Fatal("the DTMF callback of dialog A was not called")
	}
	p.inject(dtmfInfo(a, 3, "2")) // waits behind the blocked callback
	p.inject(dtmfInfo(b, 2, "3"))
	assert.Equal(t, "3", nextDigit(t, p), "dialog B goes on while dialog A's callback blocks")
	unblock()
	assert.Equal(t, "1", nextDigit(t, p))
	assert.Equal(t, "2", nextDigit(t, p))
}

func TestRetransmittedFinalResponseDoesNotStallInbound(t *testing.T) {
	// Over UDP, sipgo answers a retransmitted non-2xx final response to
	// INVITE by sleeping T2 before it re-sends the ACK, inside
	// ClientTx.Receive. The pipe holds that second ACK until the test lets
	// it go, so the transaction stays blocked while an OPTIONS comes in.
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	var acks atomic.Int32
	ua, p := startTestUA(t, &peer{proto: "UDP", hold: func(data []byte) {
		if bytes.HasPrefix(data, []byte("ACK ")) && acks.Add(1) == 2 {
			<-release
		}
	}}, nil)
	t.Cleanup(unblock)

	_, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	busy := p.respond(inv, 486, "Busy Here", "bobtag", nil)
	p.expect(sip.ACK)
	p.ev.waitState(t, "disconnected|486 Busy Here")

	p.inject(busy.String()) // the retransmission
	p.inject(farRequest("OPTIONS", "after-486", "t", "", 1, "", ""))
	// answered although the transaction cannot have finished: its second
	// ACK is held until now
	ok := p.expectResponse(200)
	assert.Equal(t, "after-486", ok.CallID().Value())

	unblock()
	ack := p.expect(sip.ACK)
	assert.Equal(t, inv.CallID().Value(), ack.CallID().Value())
	assert.Equal(t, int32(2), acks.Load(), "the retransmission was answered with a second ACK, after the OPTIONS")
}

func TestCallerCancelWaitsForTheIncomingCallback(t *testing.T) {
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	stateOnReturn := make(chan CallState, 1)
	_, p := startTestUA(t, &peer{events: func(ev *Events) {
		ev.Incoming = func(c *Call) {
			entered <- struct{}{}
			<-release
			stateOnReturn <- c.State()
		}
	}}, nil)
	t.Cleanup(unblock)

	inv := incomingInvite("cancel-order")
	p.inject(inv)
	select {
	case <-entered:
	case <-time.After(8 * time.Second):
		t.Fatal("no incoming call")
	}
	cancel := strings.Replace(strings.Replace(inv, "INVITE sip:", "CANCEL sip:", 1), "CSeq: 1 INVITE", "CSeq: 1 CANCEL", 1)
	p.inject(cancel)
	ok := p.expectResponse(200)
	assert.Equal(t, sip.CANCEL, ok.CSeq().MethodName, "CANCEL is answered at once")
	unblock()
	assert.Equal(t, CallSetup, recv(t, stateOnReturn, "Incoming to return"), "the call did not end while the application was still in Incoming")
	assert.Equal(t, 180, p.next().(*sip.Response).StatusCode)
	assert.Equal(t, 487, p.next().(*sip.Response).StatusCode)
	p.ev.waitState(t, "disconnected|cancelled")
	p.ev.mu.Lock()
	defer p.ev.mu.Unlock()
	assert.Equal(t, []string{"setup|", "ringing|", "disconnected|cancelled"}, p.ev.states)
}

func TestAckForRejectStopsRetransmissionsOverUDP(t *testing.T) {
	var mu sync.Mutex
	rejects := 0
	_, p := startTestUA(t, &peer{proto: "UDP", hold: func(data []byte) {
		if bytes.HasPrefix(data, []byte("SIP/2.0 486 ")) {
			mu.Lock()
			rejects++
			mu.Unlock()
		}
	}}, nil)
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return rejects
	}
	inv := strings.Replace(incomingInvite("udp-reject"), "SIP/2.0/WS", "SIP/2.0/UDP", 1)
	inv = strings.Replace(inv, ";transport=ws SIP/2.0", ";transport=udp SIP/2.0", 1)
	p.inject(inv)
	c := recv(t, p.ev.incoming, "an incoming call")
	c.mu.Lock()
	tx := c.callee.serverTx
	c.mu.Unlock()
	require.NoError(t, c.Reject(486))
	busy := p.expectResponse(486)
	p.expectResponse(486) // retransmitted (Timer G) while no ACK came

	tag, _ := busy.To().Params.Get("tag")
	ack := strings.Replace(strings.Replace(inv, "INVITE sip:", "ACK sip:", 1), "CSeq: 1 INVITE", "CSeq: 1 ACK", 1)
	ack = strings.Replace(ack, "To: <sip:1001@example.com>", "To: <sip:1001@example.com>;tag="+tag, 1)
	p.inject(ack)
	waitInboundIdle(t, p.ua) // the ACK reached the transaction
	after := count()
	select {
	case <-tx.Done(): // Timer I
	case <-time.After(8 * time.Second):
		t.Fatal("the INVITE server transaction did not end")
	}
	assert.Equal(t, after, count(), "no 486 retransmission after the ACK")
}

func TestFullDialogQueueAnswers503(t *testing.T) {
	blocked := make(chan struct{}, 1)
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	ua, p := startTestUA(t, &peer{events: func(ev *Events) {
		ev.DTMF = func(c *Call, d string, ms int) {
			select {
			case blocked <- struct{}{}:
				<-release
			default:
			}
		}
	}}, nil)
	t.Cleanup(unblock)
	c, _ := establishOutgoing(t, ua, p)
	p.inject(dtmfInfo(c, 2, "1"))
	select {
	case <-blocked:
	case <-time.After(8 * time.Second):
		t.Fatal("the DTMF callback was not called")
	}
	p.expectResponse(200)
	for i := 0; i <= dialogQueueLimit; i++ {
		p.inject(dtmfInfo(c, 3+i, "2"))
	}
	res := p.expectResponse(503)
	assert.Equal(t, uint32(3+dialogQueueLimit), res.CSeq().SeqNo, "the first request beyond the queue limit")
	unblock()
}
