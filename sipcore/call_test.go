package sipcore

import (
	"github.com/icholy/digest"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func recordRoute(uri string) sip.Header { return sip.NewHeader("Record-Route", uri) }

func TestOutgoingCallRingAnswerAckAndBye(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, err := ua.Call("1002", []byte(sdpOffer), Header{Name: "X-Call", Value: "7"})
	require.NoError(t, err)
	assert.Equal(t, 1, c.Line())
	inv := p.expect(sip.INVITE)
	assert.Equal(t, "sip:1002@example.com", inv.Recipient.String())
	assert.Equal(t, "7", headerValue(inv, "X-Call"))
	assert.Equal(t, "application/sdp", headerValue(inv, "Content-Type"))
	assert.Equal(t, sdpOffer, string(inv.Body()))
	require.NotNil(t, inv.Contact())
	p.respond(inv, 100, "Trying", "", nil)
	p.respond(inv, 180, "Ringing", "bobtag", nil)
	p.ev.waitState(t, "ringing|180 Ringing")

	ok := sip.NewResponseFromRequest(inv, 200, "OK", []byte(sdpAnswer))
	ok.To().Params.Add("tag", "bobtag")
	ok.AppendHeader(sip.NewHeader("Contact", "<sip:1002@bob.invalid;transport=ws>"))
	ok.AppendHeader(recordRoute("<sip:p2.example.com;lr>"))
	ok.AppendHeader(recordRoute("<sip:p1.example.com;lr>"))
	ct := sip.ContentTypeHeader("application/sdp")
	ok.AppendHeader(&ct)
	p.inject(ok.String())

	ack := p.expect(sip.ACK)
	assert.Equal(t, "sip:1002@bob.invalid;transport=ws", ack.Recipient.String(), "ACK goes to the remote target")
	routes := ack.GetHeaders("Route")
	require.Len(t, routes, 2)
	assert.Contains(t, routes[0].Value(), "p1.example.com", "route set is Record-Route reversed")
	assert.Equal(t, inv.CSeq().SeqNo, ack.CSeq().SeqNo)
	assert.NotEqual(t, viaBranch(inv), viaBranch(ack), "ACK for 2xx is a new transaction")
	select {
	case sdp := <-p.ev.sdp:
		assert.Equal(t, sdpAnswer, string(sdp))
	case <-time.After(2 * time.Second):
		t.Fatal("no remote SDP event")
	}
	p.ev.waitState(t, "connected|")
	assert.Equal(t, CallConnected, c.State())

	require.NoError(t, c.Hangup())
	bye := p.expect(sip.BYE)
	assert.Equal(t, inv.CSeq().SeqNo+1, bye.CSeq().SeqNo)
	tag, _ := bye.To().Params.Get("tag")
	assert.Equal(t, "bobtag", tag)
	assert.Len(t, bye.GetHeaders("Route"), 2)
	p.respond(bye, 200, "OK", "", nil)
	p.ev.waitState(t, "disconnected|local hangup")
	assert.Nil(t, ua.CallByLine(1))
}

func TestOutgoingCallProxyAuthentication(t *testing.T) {
	ua, p := newTestUA(t, nil)
	_, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	p.respond(inv, 407, "Proxy Authentication Required", "x", nil,
		sip.NewHeader("Proxy-Authenticate", `Digest realm="example.com", nonce="abc", qop="auth"`))
	ack := p.expect(sip.ACK) // the transaction ACKs the 407
	assert.Equal(t, viaBranch(inv), viaBranch(ack))
	inv2 := p.expect(sip.INVITE)
	assert.Equal(t, inv.CallID().Value(), inv2.CallID().Value())
	ft1, _ := inv.From().Params.Get("tag")
	ft2, _ := inv2.From().Params.Get("tag")
	assert.Equal(t, ft1, ft2)
	assert.Equal(t, inv.CSeq().SeqNo+1, inv2.CSeq().SeqNo)
	checkDigest(t, headerValue(inv2, "Proxy-Authorization"), "MD5", "INVITE", "1001", "example.com", "secret")
	p.respond(inv2, 486, "Busy Here", "bob", nil)
	p.ev.waitState(t, "disconnected|486 Busy Here")
}

// TestNextInviteReusesTheProxyChallenge: once a proxy challenged one
// INVITE, the next call's INVITE carries credentials for that challenge
// with the next nonce count (no 407 round trip); a proxy that refuses the
// reused nonce gets a fresh answer, and the call goes on.
func TestNextInviteReusesTheProxyChallenge(t *testing.T) {
	ua, p := newTestUA(t, nil)
	_, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	assert.Empty(t, headerValue(inv, "Proxy-Authorization"))
	p.respond(inv, 407, "Proxy Authentication Required", "x", nil,
		sip.NewHeader("Proxy-Authenticate", `Digest realm="example.com", nonce="abc", qop="auth"`))
	p.expect(sip.ACK)
	inv2 := p.expect(sip.INVITE)
	p.respond(inv2, 486, "Busy Here", "bob", nil)
	p.expect(sip.ACK)
	p.ev.waitState(t, "disconnected|486 Busy Here")

	_, err = ua.Call("1003", []byte(sdpOffer))
	require.NoError(t, err)
	next := p.expect(sip.INVITE)
	cred, err := digest.ParseCredentials(headerValue(next, "Proxy-Authorization"))
	require.NoError(t, err, "credentials sent up front")
	assert.Equal(t, "abc", cred.Nonce)
	assert.Equal(t, 2, cred.Nc)
	checkDigest(t, headerValue(next, "Proxy-Authorization"), "MD5", "INVITE", "1001", "example.com", "secret")
	// this proxy wants a fresh nonce: answered once more, not a wrong password
	p.respond(next, 407, "Proxy Authentication Required", "x", nil,
		sip.NewHeader("Proxy-Authenticate", `Digest realm="example.com", nonce="def", qop="auth"`))
	p.expect(sip.ACK)
	retry := p.expect(sip.INVITE)
	cred, err = digest.ParseCredentials(headerValue(retry, "Proxy-Authorization"))
	require.NoError(t, err)
	assert.Equal(t, "def", cred.Nonce)
	assert.Equal(t, 1, cred.Nc)
	p.respond(retry, 486, "Busy Here", "bob", nil)
	p.ev.waitState(t, "disconnected|486 Busy Here")
}

func TestCallerCancelsRingingCall(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	p.respond(inv, 180, "Ringing", "bob", nil)
	p.ev.waitState(t, "ringing|180 Ringing")
	require.NoError(t, c.Hangup())
	cancel := p.expect(sip.CANCEL)
	assert.Equal(t, viaBranch(inv), viaBranch(cancel), "CANCEL matches the INVITE branch")
	assert.Equal(t, inv.CSeq().SeqNo, cancel.CSeq().SeqNo)
	_, hasTag := cancel.To().Params.Get("tag")
	assert.False(t, hasTag)
	p.respond(cancel, 200, "OK", "bob", nil)
	p.respond(inv, 487, "Request Terminated", "bob", nil)
	p.expect(sip.ACK)
	p.ev.waitState(t, "disconnected|cancelled")
}

func TestCancelBeforeAnyResponseWaitsForProvisional(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	require.NoError(t, c.Hangup())
	p.nothing(150 * time.Millisecond) // RFC 3261 9.1: no CANCEL before a provisional
	p.respond(inv, 100, "Trying", "", nil)
	cancel := p.expect(sip.CANCEL)
	assert.Equal(t, viaBranch(inv), viaBranch(cancel))
}

func TestCancelRacingA200EndsWithAckAndBye(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	p.respond(inv, 180, "Ringing", "bob", nil)
	p.ev.waitState(t, "ringing|180 Ringing")
	require.NoError(t, c.Hangup())
	cancel := p.expect(sip.CANCEL)
	// the callee answered before the CANCEL arrived
	p.respond(inv, 200, "OK", "bob", []byte(sdpAnswer), sip.NewHeader("Contact", "<sip:1002@bob.invalid;transport=ws>"))
	p.respond(cancel, 481, "Call/Transaction Does Not Exist", "bob", nil)
	ack := p.expect(sip.ACK)
	assert.Equal(t, "bob.invalid", ack.Recipient.Host)
	bye := p.expect(sip.BYE)
	assert.Equal(t, "bob.invalid", bye.Recipient.Host)
	p.ev.waitState(t, "disconnected|cancelled")
}

func TestRedirectFollowsContact(t *testing.T) {
	ua, p := newTestUA(t, nil)
	_, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	p.respond(inv, 302, "Moved Temporarily", "x", nil, sip.NewHeader("Contact", "<sip:1003@example.com>"))
	p.expect(sip.ACK)
	inv2 := p.expect(sip.INVITE)
	assert.Equal(t, "sip:1003@example.com", inv2.Recipient.String())
	p.respond(inv2, 603, "Decline", "y", nil)
	p.ev.waitState(t, "disconnected|603 Decline")
}

func TestOutgoingCallTimeout(t *testing.T) {
	ua, p := newTestUA(t, nil)
	_, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	p.expect(sip.INVITE)
	p.ev.waitState(t, "disconnected|timeout")
}

func incomingInvite(callID string) string {
	return farRequest("INVITE", callID, "bobtag", "", 1,
		"Record-Route: <sip:proxy.example.com;lr>\r\nContent-Type: application/sdp\r\n", sdpOffer)
}

func TestIncomingCallRingAcceptAckAndRemoteBye(t *testing.T) {
	ua, p := newTestUA(t, nil)
	p.inject(incomingInvite("in-1"))
	var c *Call
	select {
	case c = <-p.ev.incoming:
	case <-time.After(3 * time.Second):
		t.Fatal("no incoming call")
	}
	assert.Equal(t, Incoming, c.Direction())
	assert.Equal(t, "1002", c.RemoteUser())
	assert.Equal(t, "Bob", c.RemoteName())
	assert.Equal(t, sdpOffer, string(c.RemoteSDP()))
	ringing := p.expectResponse(180)
	localTag, ok := ringing.To().Params.Get("tag")
	require.True(t, ok, "180 carries our To tag")
	p.ev.waitState(t, "ringing|")
	assert.Equal(t, c, ua.CallByID("in-1"))

	require.NoError(t, c.Accept([]byte(sdpAnswer)))
	ok200 := p.expectResponse(200)
	assert.Equal(t, sdpAnswer, string(ok200.Body()))
	require.NotNil(t, ok200.Contact())
	tag2, _ := ok200.To().Params.Get("tag")
	assert.Equal(t, localTag, tag2)
	p.ev.waitState(t, "connected|")
	p.inject(farRequest("ACK", "in-1", "bobtag", localTag, 1, "", ""))

	p.inject(farRequest("BYE", "in-1", "bobtag", localTag, 2, "", ""))
	byeOK := p.expectResponse(200)
	assert.Equal(t, sip.BYE, byeOK.CSeq().MethodName)
	p.ev.waitState(t, "disconnected|remote hangup")
}

func TestIncomingCallLocalByeUsesRouteSetAndContact(t *testing.T) {
	ua, p := newTestUA(t, nil)
	p.inject(incomingInvite("in-2"))
	c := <-p.ev.incoming
	p.expectResponse(180)
	require.NoError(t, c.Accept([]byte(sdpAnswer)))
	ok := p.expectResponse(200)
	tag, _ := ok.To().Params.Get("tag")
	p.inject(farRequest("ACK", "in-2", "bobtag", tag, 1, "", ""))
	require.NoError(t, c.Hangup())
	bye := p.expect(sip.BYE)
	assert.Equal(t, "bob.invalid", bye.Recipient.Host)
	require.NotNil(t, bye.Route())
	assert.Equal(t, "proxy.example.com", bye.Route().Address.Host)
	ft, _ := bye.From().Params.Get("tag")
	assert.Equal(t, tag, ft)
	p.ev.waitState(t, "disconnected|local hangup")
	_ = ua
}

func TestIncomingCallRejectForwardAndCallerCancel(t *testing.T) {
	_, p := newTestUA(t, nil)
	p.inject(incomingInvite("rej"))
	c := <-p.ev.incoming
	p.expectResponse(180)
	require.NoError(t, c.Reject(486))
	res := p.expectResponse(486)
	assert.Equal(t, "Busy Here", res.Reason)
	p.ev.waitState(t, "disconnected|rejected 486")

	p.inject(incomingInvite("fwd"))
	c = <-p.ev.incoming
	p.expectResponse(180)
	require.NoError(t, c.Forward("1005"))
	res = p.expectResponse(302)
	require.NotNil(t, res.Contact())
	assert.Equal(t, "sip:1005@example.com", res.Contact().Address.String())

	inv := incomingInvite("cnl")
	p.inject(inv)
	<-p.ev.incoming
	p.expectResponse(180)
	branch := strings.SplitN(strings.SplitN(inv, "branch=", 2)[1], "\r\n", 2)[0]
	cancel := strings.Replace(strings.Replace(inv, "INVITE sip:", "CANCEL sip:", 1), "CSeq: 1 INVITE", "CSeq: 1 CANCEL", 1)
	require.Contains(t, cancel, branch)
	p.inject(cancel)
	first := p.next().(*sip.Response)
	second := p.next().(*sip.Response)
	codes := []int{first.StatusCode, second.StatusCode}
	assert.ElementsMatch(t, []int{200, 487}, codes)
	p.ev.waitState(t, "disconnected|cancelled")
}

func TestUnknownDialogGets481(t *testing.T) {
	_, p := newTestUA(t, nil)
	p.inject(farRequest("BYE", "nope", "a", "b", 5, "", ""))
	assert.Equal(t, 481, p.expectResponse(481).StatusCode)
	p.inject(farRequest("INFO", "nope", "a", "b", 6, "Content-Type: application/dtmf-relay\r\n", "Signal=1\r\n"))
	assert.Equal(t, 481, p.expectResponse(481).StatusCode)
	p.inject(farRequest("INVITE", "nope", "a", "b", 7, "", ""))
	assert.Equal(t, 481, p.expectResponse(481).StatusCode)
}

func TestLinesAreNumberedAndReused(t *testing.T) {
	ua, p := newTestUA(t, nil)
	p.inject(incomingInvite("l1"))
	c1 := <-p.ev.incoming
	p.inject(incomingInvite("l2"))
	c2 := <-p.ev.incoming
	assert.Equal(t, 1, c1.Line())
	assert.Equal(t, 2, c2.Line())
	require.NoError(t, c1.Reject(486))
	p.ev.waitState(t, "disconnected|rejected 486")
	p.inject(incomingInvite("l3"))
	c3 := <-p.ev.incoming
	assert.Equal(t, 1, c3.Line(), "a freed line number is reused")
	assert.Len(t, ua.Calls(), 2)
}

func TestEarlyAnswerRepeatedIn2xxIsDeliveredOnce(t *testing.T) {
	ua, p := newTestUA(t, nil)
	_, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	p.respond(inv, 183, "Session Progress", "bobtag", []byte(sdpAnswer))
	assert.Equal(t, sdpAnswer, string(<-p.ev.sdp))
	p.respond(inv, 200, "OK", "bobtag", []byte(sdpAnswer), sip.NewHeader("Contact", "<sip:1002@bob.invalid;transport=ws>"))
	p.expect(sip.ACK)
	p.ev.waitState(t, "connected|")
	select {
	case sdp := <-p.ev.sdp:
		t.Fatalf("answer delivered twice: %q", sdp)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestNewCallFiresNothingUntilInvite(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, err := ua.NewCall("1002", Header{Name: "X-Call", Value: "7"})
	require.NoError(t, err)
	require.NotEmpty(t, c.CallID())
	assert.Equal(t, 1, c.Line())
	assert.Same(t, c, ua.CallByID(c.CallID()), "the call is known before anything is sent")
	p.ev.mu.Lock()
	assert.Empty(t, p.ev.states, "NewCall reports no state")
	p.ev.mu.Unlock()

	require.NoError(t, c.Invite([]byte(sdpOffer)))
	p.ev.mu.Lock()
	assert.Equal(t, []string{"setup|"}, p.ev.states, "CallSetup fires inside Invite")
	p.ev.mu.Unlock()
	inv := p.expect(sip.INVITE)
	assert.Equal(t, c.CallID(), inv.CallID().Value())
	assert.Equal(t, "7", headerValue(inv, "X-Call"))
	assert.Equal(t, sdpOffer, string(inv.Body()))
	assert.ErrorIs(t, c.Invite([]byte(sdpOffer)), ErrCallState, "a call is invited once")
	p.respond(inv, 486, "Busy Here", "bob", nil)
	p.ev.waitState(t, "disconnected|486 Busy Here")
}

func TestNewCallHungUpBeforeInviteSendsNothing(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, err := ua.NewCall("1002")
	require.NoError(t, err)
	require.NoError(t, c.Hangup())
	p.ev.waitState(t, "disconnected|cancelled")
	assert.Nil(t, ua.CallByID(c.CallID()), "released")
	assert.ErrorIs(t, c.Invite([]byte(sdpOffer)), ErrCallState)
	_, err = ua.NewCall("")
	assert.Error(t, err, "an invalid target fails before a call exists")
	assert.Empty(t, ua.Calls())
	// the next message on the wire is an OPTIONS answer, not an INVITE
	p.inject(farRequest("OPTIONS", "opt-1", "x", "", 1, "", ""))
	res, ok := p.next().(*sip.Response)
	require.True(t, ok, "nothing but the OPTIONS answer was sent")
	assert.Equal(t, 200, res.StatusCode)
}
