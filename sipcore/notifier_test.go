package sipcore

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A SUBSCRIBE served through Events.Watch: 200 with our tag, a NOTIFY with
// the state set in Watch, one per Notify, and a terminated one when the
// subscriber unsubscribes; Notify afterwards is refused.
func TestWatcherServesASubscription(t *testing.T) {
	got := make(chan *Watcher, 1)
	_, p := startTestUA(t, &peer{events: func(ev *Events) {
		ev.Watch = func(w *Watcher) int {
			if w.Event() != "presence" {
				return 489
			}
			w.SetState("application/pidf+xml", []byte("<presence>1</presence>"))
			got <- w
			return 200
		}
	}}, nil)
	p.inject(farRequest("SUBSCRIBE", "w1", "subtag", "", 1,
		"Event: presence\r\nExpires: 300\r\nRecord-Route: <sip:proxy.example.com;lr>\r\n", ""))
	res := p.expectResponse(200)
	ourTag, ok := res.To().Params.Get("tag")
	require.True(t, ok)
	assert.Equal(t, "300", headerValue(res, "Expires"))
	w := <-got
	assert.Equal(t, "sip:1002@example.com", w.From())

	n := p.expect(sip.NOTIFY)
	assert.Equal(t, "sip:1002@bob.invalid;transport=ws", n.Recipient.String())
	assert.Equal(t, "<sip:proxy.example.com;lr>", headerValue(n, "Route"))
	assert.Equal(t, "active;expires=300", headerValue(n, "Subscription-State"))
	assert.Equal(t, "<presence>1</presence>", string(n.Body()))
	ft, _ := n.From().Params.Get("tag")
	tt, _ := n.To().Params.Get("tag")
	assert.Equal(t, ourTag, ft)
	assert.Equal(t, "subtag", tt)
	p.respond(n, 200, "OK", "", nil)

	done := make(chan error, 1)
	go func() { done <- w.Notify("application/pidf+xml", []byte("<presence>2</presence>")) }()
	n = p.expect(sip.NOTIFY)
	assert.Equal(t, "<presence>2</presence>", string(n.Body()))
	assert.Equal(t, "active", headerValue(n, "Subscription-State"))
	p.respond(n, 200, "OK", "", nil)
	require.NoError(t, <-done)

	// unsubscribe: 200, then a terminated NOTIFY
	p.inject(farRequest("SUBSCRIBE", "w1", "subtag", ourTag, 2, "Event: presence\r\nExpires: 0\r\n", ""))
	assert.Equal(t, 200, p.expectResponse(200).StatusCode)
	n = p.expect(sip.NOTIFY)
	assert.Equal(t, "terminated;reason=timeout", headerValue(n, "Subscription-State"))
	p.respond(n, 200, "OK", "", nil)
	waitEnded(t, w)
	assert.ErrorIs(t, w.Notify("x", nil), ErrCallState)

	// another package is refused by the application
	p.inject(farRequest("SUBSCRIBE", "w2", "t2", "", 1, "Event: foo\r\n", ""))
	assert.Equal(t, 489, p.expectResponse(489).StatusCode)
}

// A watcher whose NOTIFY gets 481 is ended.
func TestWatcherEndsOn481(t *testing.T) {
	got := make(chan *Watcher, 1)
	_, p := startTestUA(t, &peer{events: func(ev *Events) {
		ev.Watch = func(w *Watcher) int { got <- w; return 200 }
	}}, nil)
	p.inject(farRequest("SUBSCRIBE", "w3", "subtag", "", 1, "Event: presence\r\n", ""))
	p.expectResponse(200)
	w := <-got
	n := p.expect(sip.NOTIFY)
	p.respond(n, 481, "Subscription Does Not Exist", "", nil)
	waitEnded(t, w)
	assert.ErrorIs(t, w.Notify("x", nil), ErrCallState)
}

// waitEnded waits until w has ended (bounded).
func waitEnded(t *testing.T, w *Watcher) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		w.mu.Lock()
		ended := w.ended
		w.mu.Unlock()
		if ended {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the subscription did not end")
		}
		time.Sleep(2 * time.Millisecond)
	}
}
