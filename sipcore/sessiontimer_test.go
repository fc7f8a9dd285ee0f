package sipcore

import (
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shortSessions lets session intervals of one second run as they are.
func shortSessions(t *testing.T) {
	old := minSessionInterval.Load()
	minSessionInterval.Store(int64(time.Second))
	t.Cleanup(func() { minSessionInterval.Store(old) })
}

// answerInvite answers an INVITE 200 with SDP, a Contact and extra headers,
// then takes the ACK.
func answerInvite(t *testing.T, p *peer, inv *sip.Request, hdrs ...sip.Header) {
	t.Helper()
	hdrs = append(hdrs, sip.NewHeader("Contact", "<sip:1002@bob.invalid;transport=ws>"))
	p.respond(inv, 200, "OK", "bobtag", []byte(sdpAnswer), hdrs...)
	p.expect(sip.ACK)
}

func TestInviteAsksForSessionTimerAndRetriesAfter422(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	assert.Equal(t, "1800", headerValue(inv, "Session-Expires"))
	assert.Equal(t, "90", headerValue(inv, "Min-SE"))
	assert.True(t, hasOptionTag(inv, "Supported", "timer"))
	assert.True(t, hasOptionTag(inv, "Supported", "100rel"))

	p.respond(inv, 422, "Session Interval Too Small", "bobtag", nil, sip.NewHeader("Min-SE", "3600"))
	p.expect(sip.ACK) // the 422's ACK, part of the INVITE transaction
	again := p.expect(sip.INVITE)
	assert.Equal(t, inv.CSeq().SeqNo+1, again.CSeq().SeqNo)
	assert.Equal(t, "3600", headerValue(again, "Session-Expires"))
	assert.Equal(t, "3600", headerValue(again, "Min-SE"))
	assert.Equal(t, sdpOffer, string(again.Body()))

	answerInvite(t, p, again, sip.NewHeader("Session-Expires", "3600;refresher=uas"))
	p.ev.waitState(t, "connected|")
	d, weRefresh := c.SessionInterval()
	assert.Equal(t, time.Hour, d)
	assert.False(t, weRefresh)
}

func TestRepeated422EndsTheCall(t *testing.T) {
	ua, p := newTestUA(t, nil)
	_, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	// a 422 that asks for no more than we offered gives nothing to retry with
	p.respond(inv, 422, "Session Interval Too Small", "bobtag", nil, sip.NewHeader("Min-SE", "1800"))
	p.ev.waitState(t, "disconnected|422 Session Interval Too Small")
}

func TestRefresherRefreshesByUpdateWhenAllowed(t *testing.T) {
	shortSessions(t)
	ua, p := newTestUA(t, nil)
	c, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	answerInvite(t, p, inv, sip.NewHeader("Session-Expires", "1;refresher=uac"),
		sip.NewHeader("Allow", "INVITE, ACK, BYE, CANCEL, UPDATE"))
	p.ev.waitState(t, "connected|")
	for i := 0; i < 2; i++ { // each 2xx re-arms the timer
		up := p.expect(sip.UPDATE)
		assert.Equal(t, "1;refresher=uac", headerValue(up, "Session-Expires"))
		assert.Empty(t, up.Body(), "a refresh UPDATE leaves the media alone")
		p.respond(up, 200, "OK", "", nil, sip.NewHeader("Session-Expires", "1;refresher=uac"))
	}
	assert.Equal(t, CallConnected, c.State())
}

func TestRefresherRefreshesByReInviteWithTheSameSDP(t *testing.T) {
	shortSessions(t)
	ua, p := newTestUA(t, nil)
	_, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	answerInvite(t, p, inv, sip.NewHeader("Session-Expires", "1;refresher=uac"))
	p.ev.waitState(t, "connected|")
	re := p.expect(sip.INVITE)
	assert.Equal(t, sdpOffer, string(re.Body()))
	assert.Equal(t, "1;refresher=uac", headerValue(re, "Session-Expires"))
	p.respond(re, 200, "OK", "", []byte(sdpAnswer), sip.NewHeader("Session-Expires", "1;refresher=uac"))
	p.expect(sip.ACK)
}

func TestSessionWithoutRefreshEndsWithBye(t *testing.T) {
	shortSessions(t)
	ua, p := newTestUA(t, nil)
	_, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	answerInvite(t, p, inv, sip.NewHeader("Session-Expires", "1;refresher=uas"))
	p.ev.waitState(t, "connected|")
	bye := p.expect(sip.BYE)
	p.respond(bye, 200, "OK", "", nil)
	p.ev.waitState(t, "disconnected|session timer expired")
}

func TestPeerRefreshKeepsTheSessionAndIsAnsweredWithSessionExpires(t *testing.T) {
	shortSessions(t)
	_, p := newTestUA(t, func(c *Config) { c.MinSE = 1 })
	p.inject(farRequest("INVITE", "st-in", "bobtag", "", 1,
		"Supported: timer\r\nSession-Expires: 4\r\nContent-Type: application/sdp\r\n", sdpOffer))
	var c *Call
	select {
	case c = <-p.ev.incoming:
	case <-time.After(3 * time.Second):
		t.Fatal("no incoming call")
	}
	ring := p.expectResponse(180)
	tag, _ := ring.To().Params.Get("tag")
	require.NoError(t, c.Accept([]byte(sdpAnswer)))
	ok := p.expectResponse(200)
	assert.Equal(t, "4;refresher=uac", headerValue(ok, "Session-Expires"))
	assert.Equal(t, "timer", headerValue(ok, "Require"))
	p.inject(farRequest("ACK", "st-in", "bobtag", tag, 1, "", ""))
	// the peer refreshes by UPDATE every 1.2 s, three times: longer than the
	// 2.67 s (4 s minus a third) after which an unrefreshed session ends,
	// with 1.4 s to spare each time
	for i := 0; i < 3; i++ {
		time.Sleep(1200 * time.Millisecond) // the peer's own refresh rhythm, not a synchronisation
		p.inject(farRequest("UPDATE", "st-in", "bobtag", tag, 2+i, "Session-Expires: 4;refresher=uac\r\n", ""))
		res := p.expectResponse(200)
		assert.Equal(t, "4;refresher=uac", headerValue(res, "Session-Expires"))
	}
	assert.Equal(t, CallConnected, c.State())
	// then it stops refreshing: we end the session
	bye := p.expect(sip.BYE)
	p.respond(bye, 200, "OK", "", nil)
	p.ev.waitState(t, "disconnected|session timer expired")
}

func TestIncomingIntervalBelowMinSEGets422(t *testing.T) {
	_, p := newTestUA(t, nil)
	p.inject(farRequest("INVITE", "st-small", "bobtag", "", 1,
		"Session-Expires: 60\r\nContent-Type: application/sdp\r\n", sdpOffer))
	res := p.expectResponse(422)
	assert.Equal(t, "90", headerValue(res, "Min-SE"))
	p.noIncoming(t)
}

func TestSessionExpiresParsing(t *testing.T) {
	for in, want := range map[string][2]any{
		"1800;refresher=uac":    {1800, "uac"},
		"90 ; Refresher = UAS ": {90, "uas"},
		"300":                   {300, ""},
		"x;refresher=uac":       {0, ""},
		"-5":                    {0, ""},
		strings.Repeat("9", 30): {0, ""},
	} {
		req := sip.NewRequest(sip.UPDATE, sip.Uri{Host: "x"})
		req.AppendHeader(sip.NewHeader("Session-Expires", in))
		secs, ref, _ := sessionExpiresOf(req)
		assert.Equal(t, want[0], secs, in)
		assert.Equal(t, want[1], ref, in)
	}
}

func TestReInviteRefreshRetriedAfter422WithTheLargerInterval(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	answerInvite(t, p, inv, sip.NewHeader("Session-Expires", "1800;refresher=uas"))
	p.ev.waitState(t, "connected|")
	done := make(chan error, 1)
	go func() { _, err := c.Renegotiate([]byte(sdpOffer)); done <- err }()
	re := p.expect(sip.INVITE)
	assert.Equal(t, "1800;refresher=uas", headerValue(re, "Session-Expires"))
	p.respond(re, 422, "Session Interval Too Small", "", nil, sip.NewHeader("Min-SE", "3600"))
	again := p.expect(sip.INVITE)
	assert.Equal(t, "3600;refresher=uas", headerValue(again, "Session-Expires"))
	p.respond(again, 200, "OK", "", []byte(sdpAnswer), sip.NewHeader("Session-Expires", "3600;refresher=uas"))
	p.expect(sip.ACK)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("re-INVITE did not complete")
	}
	d, _ := c.SessionInterval()
	assert.Equal(t, time.Hour, d)
}
