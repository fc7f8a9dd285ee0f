package sipcore

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// establishOutgoing places a call and completes it; returns the call and
// the 200 OK the peer sent.
func establishOutgoing(t *testing.T, ua *UA, p *peer) (*Call, *sip.Request) {
	t.Helper()
	c, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	p.respond(inv, 200, "OK", "bobtag", []byte(sdpAnswer), sip.NewHeader("Contact", "<sip:1002@bob.invalid;transport=ws>"))
	p.expect(sip.ACK)
	p.ev.waitState(t, "connected|")
	return c, inv
}

const sdpHold = "v=0\r\no=- 2 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=sendonly\r\n"

func TestHoldAndUnholdByReInviteFromUs(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, inv := establishOutgoing(t, ua, p)
	for i, dir := range []string{"sendonly", "sendrecv"} {
		offer := strings.Replace(sdpOffer, "a=sendrecv", "a="+dir, 1)
		done := make(chan []byte, 1)
		go func() {
			ans, err := c.Renegotiate([]byte(offer))
			assert.NoError(t, err)
			done <- ans
		}()
		re := p.expect(sip.INVITE)
		assert.Equal(t, inv.CSeq().SeqNo+uint32(i)+1, re.CSeq().SeqNo)
		assert.Contains(t, string(re.Body()), "a="+dir)
		assert.Equal(t, "bob.invalid", re.Recipient.Host)
		tag, _ := re.To().Params.Get("tag")
		assert.Equal(t, "bobtag", tag)
		answer := strings.Replace(sdpAnswer, "a=sendrecv", "a=recvonly", 1)
		p.respond(re, 200, "OK", "", []byte(answer), sip.NewHeader("Contact", "<sip:1002@bob.invalid;transport=ws>"))
		ack := p.expect(sip.ACK)
		assert.Equal(t, re.CSeq().SeqNo, ack.CSeq().SeqNo)
		select {
		case ans := <-done:
			assert.Equal(t, answer, string(ans))
		case <-time.After(3 * time.Second):
			t.Fatal("re-INVITE did not complete")
		}
	}
	assert.Equal(t, CallConnected, c.State())
}

func TestReInviteFromPeerIsAnsweredByOfferCallback(t *testing.T) {
	ua, p := newTestUA(t, nil)
	offers := make(chan string, 2)
	ua.ev.Offer = func(c *Call, sdp []byte) ([]byte, error) {
		offers <- string(sdp)
		if strings.Contains(string(sdp), "a=sendonly") {
			return []byte(strings.Replace(sdpOffer, "a=sendrecv", "a=recvonly", 1)), nil
		}
		return nil, errors.New("no codec")
	}
	c, _ := establishOutgoing(t, ua, p)
	p.inject(farRequest("INVITE", c.CallID(), "bobtag", c.localTag, 5, "Content-Type: application/sdp\r\n", sdpHold))
	res := p.expectResponse(200)
	assert.Contains(t, string(res.Body()), "a=recvonly")
	assert.Equal(t, sdpHold, <-offers)
	p.inject(farRequest("ACK", c.CallID(), "bobtag", c.localTag, 5, "", ""))
	assert.Equal(t, sdpHold, string(c.RemoteSDP()))
	assert.Contains(t, string(c.LastInvite(true)), "a=sendonly")

	// an offer the media layer cannot take is refused with 488
	p.inject(farRequest("INVITE", c.CallID(), "bobtag", c.localTag, 6, "Content-Type: application/sdp\r\n", sdpOffer))
	assert.Equal(t, 488, p.expectResponse(488).StatusCode)
}

func TestUpdateWithOffer(t *testing.T) {
	ua, p := newTestUA(t, nil)
	ua.ev.Offer = func(c *Call, sdp []byte) ([]byte, error) { return []byte(sdpAnswer), nil }
	c, _ := establishOutgoing(t, ua, p)
	p.inject(farRequest("UPDATE", c.CallID(), "bobtag", c.localTag, 9, "Content-Type: application/sdp\r\n", sdpHold))
	res := p.expectResponse(200)
	assert.Equal(t, sdpAnswer, string(res.Body()))
}

func TestInfoDTMFBothWays(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, _ := establishOutgoing(t, ua, p)
	errc := make(chan error, 1)
	go func() { errc <- c.SendDTMF("5#", 120) }()
	for _, d := range []string{"5", "#"} {
		info := p.expect(sip.INFO)
		assert.Equal(t, "application/dtmf-relay", headerValue(info, "Content-Type"))
		assert.Equal(t, "Signal="+d+"\r\nDuration=120\r\n", string(info.Body()))
		p.respond(info, 200, "OK", "", nil)
	}
	require.NoError(t, <-errc)
	require.Error(t, c.SendDTMF("x", 100))

	p.inject(farRequest("INFO", c.CallID(), "bobtag", c.localTag, 3, "Content-Type: application/dtmf-relay\r\n", "Signal=7\r\nDuration=160\r\n"))
	assert.Equal(t, 200, p.expectResponse(200).StatusCode)
	p.inject(farRequest("INFO", c.CallID(), "bobtag", c.localTag, 4, "Content-Type: application/dtmf\r\n", "11"))
	p.expectResponse(200)
	assert.Equal(t, "7", <-p.ev.dtmf)
	assert.Equal(t, "#", <-p.ev.dtmf)
	p.inject(farRequest("INFO", c.CallID(), "bobtag", c.localTag, 5, "Content-Type: application/x-unknown\r\n", "zz"))
	assert.Equal(t, 415, p.expectResponse(415).StatusCode)
}

func TestMessageBothWays(t *testing.T) {
	ua, p := newTestUA(t, nil)
	id, err := ua.SendMessage("1002", "", []byte("hello bob"), Header{Name: "X-Sms", Value: "yes"})
	require.NoError(t, err)
	m := p.expect(sip.MESSAGE)
	assert.Equal(t, "yes", headerValue(m, "X-Sms"))
	assert.Equal(t, "hello bob", string(m.Body()))
	assert.Equal(t, "text/plain;charset=UTF-8", headerValue(m, "Content-Type"))
	p.respond(m, 202, "Accepted", "x", nil)
	assert.Equal(t, id+"|sip:1002@example.com|202|Accepted", <-p.ev.results)

	id2, err := ua.SendMessage("1003", "", []byte("anyone?"))
	require.NoError(t, err)
	m2 := p.expect(sip.MESSAGE)
	p.respond(m2, 404, "Not Found", "x", nil)
	assert.Equal(t, id2+"|sip:1003@example.com|404|Not Found", <-p.ev.results)

	p.inject(farRequest("MESSAGE", "m-in", "mt", "", 1, "Content-Type: text/plain\r\n", "hi alice"))
	assert.Equal(t, 200, p.expectResponse(200).StatusCode)
	in := <-p.ev.msgs
	assert.Equal(t, "sip:1002@example.com", in.From)
	assert.Equal(t, "Bob", in.FromName)
	assert.Equal(t, "hi alice", string(in.Body))
}

func TestOptionsAnsweredAndUnknownMethod405(t *testing.T) {
	_, p := newTestUA(t, nil)
	p.inject(farRequest("OPTIONS", "o1", "ot", "", 1, "", ""))
	res := p.expectResponse(200)
	assert.Contains(t, headerValue(res, "Allow"), "INVITE")
	p.inject(farRequest("PUBLISH", "o2", "ot", "", 1, "", ""))
	assert.Equal(t, 405, p.expectResponse(405).StatusCode)
}

func TestSubscribeAndNotify(t *testing.T) {
	ua, p := newTestUA(t, nil)
	done := make(chan *Subscription, 1)
	go func() {
		s, err := ua.Subscribe("1002", "presence", "application/pidf+xml", 300)
		assert.NoError(t, err)
		done <- s
	}()
	sub := p.expect(sip.SUBSCRIBE)
	assert.Equal(t, "presence", headerValue(sub, "Event"))
	assert.Equal(t, "300", headerValue(sub, "Expires"))
	p.respond(sub, 200, "OK", "srvtag", nil, sip.NewHeader("Expires", "300"))
	s := <-done
	require.NotNil(t, s)
	ft, _ := sub.From().Params.Get("tag")
	p.inject(farRequest("NOTIFY", sub.CallID().Value(), "srvtag", ft, 1,
		"Event: presence\r\nSubscription-State: active;expires=300\r\nContent-Type: application/pidf+xml\r\n", "<presence/>"))
	assert.Equal(t, 200, p.expectResponse(200).StatusCode)
	n := <-p.ev.notifies
	assert.Equal(t, "presence", n.Event)
	assert.Equal(t, "<presence/>", string(n.Body))
	assert.Equal(t, "active", s.State())

	p.inject(farRequest("NOTIFY", "unknown-sub", "x", "y", 1, "Event: presence\r\nSubscription-State: active\r\n", ""))
	assert.Equal(t, 481, p.expectResponse(481).StatusCode)
	// incoming SUBSCRIBE without an application handler: 489 Bad Event
	p.inject(farRequest("SUBSCRIBE", "s-in", "x", "", 1, "Event: foo\r\nExpires: 60\r\n", ""))
	assert.Equal(t, 489, p.expectResponse(489).StatusCode)
}

func TestReferInDialog(t *testing.T) {
	ua, p := newTestUA(t, nil)
	got := make(chan string, 1)
	ua.ev.Refer = func(c *Call, to, by string) bool { got <- to; return true }
	c, _ := establishOutgoing(t, ua, p)
	p.inject(farRequest("REFER", c.CallID(), "bobtag", c.localTag, 7, "Refer-To: <sip:1003@example.com>\r\n", ""))
	assert.Equal(t, 202, p.expectResponse(202).StatusCode)
	assert.Equal(t, "<sip:1003@example.com>", <-got)
}

func TestUpdateFromUs(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, _ := establishOutgoing(t, ua, p)
	done := make(chan []byte, 1)
	go func() {
		ans, err := c.Update([]byte(sdpHold))
		assert.NoError(t, err)
		done <- ans
	}()
	up := p.expect(sip.UPDATE)
	assert.Equal(t, sdpHold, string(up.Body()))
	require.NotNil(t, up.Contact())
	p.respond(up, 200, "OK", "", []byte(sdpAnswer))
	assert.Equal(t, sdpAnswer, string(<-done))
	p.nothing(100 * time.Millisecond) // no ACK for UPDATE
}

func TestAckCarriesExtraHeaders(t *testing.T) {
	ua, p := newTestUA(t, func(c *Config) { c.ExtraHeaders = []Header{{Name: "X-Tenant", Value: "blue"}} })
	_, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	p.respond(inv, 200, "OK", "bobtag", []byte(sdpAnswer), sip.NewHeader("Contact", "<sip:1002@bob.invalid;transport=ws>"))
	ack := p.expect(sip.ACK)
	assert.Equal(t, "blue", headerValue(ack, "X-Tenant"))
}

func TestExtraHeadersPerCallAndChangedAtRunTime(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, _ := establishOutgoing(t, ua, p)
	c.SetExtraHeaders([]Header{{Name: "X-Line", Value: "1"}})
	ua.SetExtraHeaders([]Header{{Name: "X-Global", Value: "g"}})
	go func() { _ = c.SendDTMF("1", 100) }()
	info := p.expect(sip.INFO)
	assert.Equal(t, "1", headerValue(info, "X-Line"))
	assert.Equal(t, "g", headerValue(info, "X-Global"))
	p.respond(info, 200, "OK", "", nil)
	_, err := ua.SendMessage("1003", "", []byte("x"))
	require.NoError(t, err)
	m := p.expect(sip.MESSAGE)
	assert.Equal(t, "g", headerValue(m, "X-Global"))
	assert.Empty(t, headerValue(m, "X-Line"), "line headers stay in their dialog")
}
