package engine

import (
	"errors"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// After a reconnect, every subscription is made again on the new
// connection (the old one is ended there).
func TestSubscriptionsAreRenewedAfterAReconnect(t *testing.T) {
	n := newFakeNet()
	e, rec, clk := netEngine(t, n, map[string]string{"username": "1002"})
	first := n.last()
	require.True(t, e.CheckBLF("1001"))
	sub := first.expectRequest(t, "SUBSCRIBE")
	assert.Equal(t, "dialog", sub.GetHeader("Event").Value())
	first.answer(sub, 200, "OK")
	waitUntil(t, "subscribed", func() bool {
		e.watches.mu.Lock()
		defer e.watches.mu.Unlock()
		w := e.watches.watches[watchKey("dialog", "1001")]
		return w != nil && w.sub != nil
	})

	first.drop(errors.New("websocket closed: code 1006, not clean"))
	clk.Advance(armed(t, clk))
	waitUntil(t, "second connection", func() bool { return n.count() == 2 })
	second := n.last()
	var renewed, ended *sip.Request
	for renewed == nil || ended == nil {
		r := second.expectRequest(t, "SUBSCRIBE")
		if r.CallID().Value() == sub.CallID().Value() {
			ended = r
			assert.Equal(t, "0", r.GetHeader("Expires").Value())
		} else {
			renewed = r
			assert.Equal(t, "dialog", r.GetHeader("Event").Value())
			assert.Equal(t, "600", r.GetHeader("Expires").Value())
		}
	}
	assert.Empty(t, rec.find(func(ev event) bool { return ev.cb == "onBLFStateChange" }), "nothing failed")
}

// A refused subscription (489, 403) is reported once as a failed lamp and
// not kept.
func TestRefusedSubscriptionIsReportedFailed(t *testing.T) {
	n := newFakeNet()
	e, rec, _ := netEngine(t, n, map[string]string{"username": "1002"})
	c := n.last()
	require.True(t, e.CheckBLF("1001"))
	c.answer(c.expectRequest(t, "SUBSCRIBE"), 489, "Bad Event")
	rec.waitFor(t, "failed lamp", blfChange("1001", "undefined", "failed"))
	require.True(t, e.CheckPresence("1003"))
	c.answer(c.expectRequest(t, "SUBSCRIBE"), 403, "Forbidden")
	rec.waitFor(t, "presence unknown", presenceChange("1003", "Unknown"))
	e.watches.mu.Lock()
	left := len(e.watches.watches)
	e.watches.mu.Unlock()
	assert.Zero(t, left, "no stuck subscription")
}

// A subscribe attempt the lost connection cut short is replaced by the
// one made after the reconnect, not reported failed.
func TestSubscriptionCutByALostConnectionIsMadeAgain(t *testing.T) {
	n := newFakeNet()
	e, rec, clk := netEngine(t, n, map[string]string{"username": "1002"})
	first := n.last()
	require.True(t, e.CheckPresence("1001"))
	first.expectRequest(t, "SUBSCRIBE") // never answered
	first.drop(errors.New("websocket closed: code 1006, not clean"))
	clk.Advance(armed(t, clk))
	waitUntil(t, "second connection", func() bool { return n.count() == 2 })
	second := n.last()
	sub := second.expectRequest(t, "SUBSCRIBE")
	assert.Equal(t, "presence", sub.GetHeader("Event").Value())
	second.answer(sub, 200, "OK")
	waitUntil(t, "subscribed", func() bool {
		e.watches.mu.Lock()
		defer e.watches.mu.Unlock()
		w := e.watches.watches[watchKey("presence", "1001")]
		return w != nil && w.sub != nil
	})
	flush(e)
	assert.Empty(t, rec.find(func(ev event) bool { return ev.cb == "onPresenceStateChange" }), "no failure reported")
}

// voicemail=3 subscribes to our own message summary once started; its
// NOTIFY is reported as MWI.
func TestVoicemailSubscriptionReportsMWI(t *testing.T) {
	n := newFakeNet()
	_, rec, _ := netEngine(t, n, map[string]string{"username": "1002", "voicemail": "3"})
	c := n.last()
	sub := c.expectRequest(t, "SUBSCRIBE")
	assert.Equal(t, "message-summary", sub.GetHeader("Event").Value())
	assert.Equal(t, "1002", sub.Recipient.User)
	c.answer(sub, 200, "OK")
	ft, _ := sub.From().Params.Get("tag")
	body := "Messages-Waiting: yes\r\nVoice-Message: 2/7\r\n"
	c.r.Received([]byte("NOTIFY sip:1002@fake.invalid;transport=ws SIP/2.0\r\n" +
		"Via: SIP/2.0/WS srv.example.com;branch=z9hG4bKmwi1\r\n" +
		"From: <sip:1002@example.com>;tag=srv\r\nTo: <sip:1002@example.com>;tag=" + ft + "\r\n" +
		"Call-ID: " + sub.CallID().Value() + "\r\nCSeq: 1 NOTIFY\r\nMax-Forwards: 70\r\n" +
		"Event: message-summary\r\nSubscription-State: active;expires=3600\r\n" +
		"Content-Type: application/simple-message-summary\r\nContent-Length: " + itoa(len(body)) + "\r\n\r\n" + body))
	rec.waitFor(t, "MWI", notification("MWI,2,7,1,"))
	rec.waitFor(t, "display", func(ev event) bool {
		return ev.cb == "onEvent" && ev.args[0] == "display" && ev.args[1] == "Voicemail,2 new voice message(s)"
	})
}
