package sipcore

import (
	"errors"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// publishAsync runs Publish on its own goroutine.
func publishAsync(ua *UA, body string) chan any {
	out := make(chan any, 1)
	go func() {
		pub, err := ua.Publish("presence", "application/pidf+xml", []byte(body), 600)
		if err != nil {
			out <- err
			return
		}
		out <- pub
	}()
	return out
}

func TestPublishModifyRemove(t *testing.T) {
	ua, p := newTestUA(t, nil)
	res := publishAsync(ua, "<presence>1</presence>")
	req := p.expect(sip.PUBLISH)
	assert.Equal(t, "sip:1001@example.com", req.Recipient.String())
	assert.Equal(t, "presence", headerValue(req, "Event"))
	assert.Equal(t, "600", headerValue(req, "Expires"))
	assert.Equal(t, "application/pidf+xml", headerValue(req, "Content-Type"))
	assert.Empty(t, headerValue(req, "SIP-If-Match"))
	assert.Equal(t, "<presence>1</presence>", string(req.Body()))
	p.respond(req, 200, "OK", "", nil, sip.NewHeader("SIP-ETag", "e1"), sip.NewHeader("Expires", "600"))
	pub, ok := (<-res).(*Publication)
	require.True(t, ok)

	// modify: the body with the entity tag
	done := make(chan error, 1)
	go func() { done <- pub.Update([]byte("<presence>2</presence>")) }()
	req = p.expect(sip.PUBLISH)
	assert.Equal(t, "e1", headerValue(req, "SIP-If-Match"))
	assert.Equal(t, "<presence>2</presence>", string(req.Body()))
	// the server lost the state: published anew without a tag
	p.respond(req, 412, "Conditional Request Failed", "", nil)
	req = p.expect(sip.PUBLISH)
	assert.Empty(t, headerValue(req, "SIP-If-Match"))
	assert.Equal(t, "<presence>2</presence>", string(req.Body()))
	p.respond(req, 200, "OK", "", nil, sip.NewHeader("SIP-ETag", "e2"))
	require.NoError(t, <-done)

	// remove: Expires 0, the tag, no body
	go func() { done <- pub.Remove() }()
	req = p.expect(sip.PUBLISH)
	assert.Equal(t, "0", headerValue(req, "Expires"))
	assert.Equal(t, "e2", headerValue(req, "SIP-If-Match"))
	assert.Empty(t, req.Body())
	p.respond(req, 200, "OK", "", nil)
	require.NoError(t, <-done)
	assert.ErrorIs(t, pub.Update([]byte("x")), ErrCallState)
}

func TestPublishRefused(t *testing.T) {
	ua, p := newTestUA(t, nil)
	res := publishAsync(ua, "<presence/>")
	req := p.expect(sip.PUBLISH)
	p.respond(req, 489, "Bad Event", "", nil)
	err, _ := (<-res).(error)
	var rf *ErrRequestFailed
	require.True(t, errors.As(err, &rf), "got %v", err)
	assert.Equal(t, 489, rf.Code)
}

func TestPublishMinExpires(t *testing.T) {
	ua, p := newTestUA(t, nil)
	res := publishAsync(ua, "<presence/>")
	req := p.expect(sip.PUBLISH)
	p.respond(req, 423, "Interval Too Brief", "", nil, sip.NewHeader("Min-Expires", "1800"))
	req = p.expect(sip.PUBLISH)
	assert.Equal(t, "1800", headerValue(req, "Expires"))
	p.respond(req, 200, "OK", "", nil, sip.NewHeader("SIP-ETag", "e1"))
	_, ok := (<-res).(*Publication)
	assert.True(t, ok)
}

// A subscription whose refresh is refused is dropped and reported; a NOTIFY
// for it afterwards gets 481.
func TestSubscriptionRefreshFailureIsReported(t *testing.T) {
	ended := make(chan string, 1)
	ua, p := startTestUA(t, &peer{events: func(ev *Events) {
		ev.SubscriptionEnded = func(s *Subscription, reason string) { ended <- s.Event() + "|" + reason }
	}}, nil)
	done := make(chan *Subscription, 1)
	go func() {
		s, err := ua.Subscribe("1002", "dialog", "application/dialog-info+xml", 1)
		assert.NoError(t, err)
		done <- s
	}()
	sub := p.expect(sip.SUBSCRIBE)
	p.respond(sub, 200, "OK", "srvtag", nil, sip.NewHeader("Expires", "1"))
	s := <-done
	require.NotNil(t, s)
	refresh := p.expect(sip.SUBSCRIBE) // at 3/4 of the granted second
	toTag, _ := refresh.To().Params.Get("tag")
	assert.Equal(t, "srvtag", toTag)
	p.respond(refresh, 403, "Forbidden", "", nil)
	assert.Equal(t, "dialog|403 Forbidden", <-ended)
	ft, _ := sub.From().Params.Get("tag")
	p.inject(farRequest("NOTIFY", sub.CallID().Value(), "srvtag", ft, 2,
		"Event: dialog\r\nSubscription-State: active\r\n", ""))
	assert.Equal(t, 481, p.expectResponse(481).StatusCode)
}

// A server that never answers: SUBSCRIBE and PUBLISH end with ErrTimeout
// (Timer F), and the subscription is not kept (a late NOTIFY gets 481).
func TestSubscribeAndPublishToASilentServerTimeOut(t *testing.T) {
	ua, p := newTestUA(t, nil)
	subErr := make(chan error, 1)
	go func() {
		_, err := ua.Subscribe("1002", "presence", "application/pidf+xml", 300)
		subErr <- err
	}()
	sub := p.expect(sip.SUBSCRIBE)
	pub := publishAsync(ua, "<presence/>")
	p.expect(sip.PUBLISH)
	assert.ErrorIs(t, <-subErr, ErrTimeout)
	err, _ := (<-pub).(error)
	assert.ErrorIs(t, err, ErrTimeout)
	ft, _ := sub.From().Params.Get("tag")
	p.inject(farRequest("NOTIFY", sub.CallID().Value(), "late", ft, 1,
		"Event: presence\r\nSubscription-State: active\r\n", ""))
	assert.Equal(t, 481, p.expectResponse(481).StatusCode)
}
