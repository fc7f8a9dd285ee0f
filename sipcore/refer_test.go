package sipcore

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referNotify builds the transferee's NOTIFY with a sipfrag body.
func referNotify(c *Call, cseq int, frag, state string) string {
	return farRequest("NOTIFY", c.CallID(), "bobtag", c.localTag, cseq,
		"Event: refer\r\nSubscription-State: "+state+"\r\nContent-Type: message/sipfrag;version=2.0\r\n", frag)
}

func waitProgress(t *testing.T, ch chan ReferProgress) ReferProgress {
	t.Helper()
	select {
	case p := <-ch:
		return p
	case <-time.After(5 * time.Second):
		t.Fatal("no transfer progress reported")
		return ReferProgress{}
	}
}

// A blind transfer: REFER with Refer-To and Referred-By in the dialog, 202,
// then the transferee's NOTIFYs are answered and reported in order, the
// 200 one as final. A NOTIFY whose body is no sipfrag gets 400.
func TestReferReportsSipfragProgress(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, _ := establishOutgoing(t, ua, p)
	progress := make(chan ReferProgress, 8)
	done := make(chan error, 1)
	go func() { done <- c.Refer("1003", nil, func(r ReferProgress) { progress <- r }) }()
	ref := p.expect(sip.REFER)
	assert.Equal(t, "<sip:1003@example.com>", headerValue(ref, "Refer-To"))
	assert.Contains(t, headerValue(ref, "Referred-By"), "sip:1001@example.com")
	tag, _ := ref.To().Params.Get("tag")
	assert.Equal(t, "bobtag", tag)
	assert.Equal(t, "bob.invalid", ref.Recipient.Host, "sent to the remote target")
	require.NotNil(t, ref.Contact())
	// the first NOTIFY may overtake the 202
	p.inject(referNotify(c, 20, "SIP/2.0 100 Trying\r\n", "active;expires=60"))
	assert.Equal(t, sip.NOTIFY, p.expectResponse(200).CSeq().MethodName)
	p.respond(ref, 202, "Accepted", "", nil)
	require.NoError(t, <-done)
	assert.Equal(t, ReferProgress{Code: 100, Reason: "Trying"}, waitProgress(t, progress))

	p.inject(referNotify(c, 21, "not a sipfrag", "active"))
	assert.Equal(t, sip.NOTIFY, p.expectResponse(400).CSeq().MethodName)
	p.inject(referNotify(c, 22, "SIP/2.0 180 Ringing\r\n", "active"))
	p.expectResponse(200)
	assert.Equal(t, ReferProgress{Code: 180, Reason: "Ringing"}, waitProgress(t, progress))
	p.inject(referNotify(c, 23, "SIP/2.0 200 OK\r\n", "terminated;reason=noresource"))
	p.expectResponse(200)
	assert.Equal(t, ReferProgress{Code: 200, Reason: "OK", Final: true}, waitProgress(t, progress))
	assert.Equal(t, CallConnected, c.State(), "the transferor decides when to hang up")
}

// A REFER the peer refuses returns its status; a failure sipfrag is final;
// a subscription terminated on a 1xx is final with an unknown outcome.
func TestReferRefusedOrFailed(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, _ := establishOutgoing(t, ua, p)
	done := make(chan error, 1)
	go func() { done <- c.Refer("1003", nil, nil) }()
	p.respond(p.expect(sip.REFER), 403, "Forbidden", "", nil)
	var rf *ErrRequestFailed
	require.True(t, errors.As(<-done, &rf))
	assert.Equal(t, 403, rf.Code)

	progress := make(chan ReferProgress, 8)
	go func() { done <- c.Refer("1003", nil, func(r ReferProgress) { progress <- r }) }()
	p.respond(p.expect(sip.REFER), 202, "Accepted", "", nil)
	require.NoError(t, <-done)
	p.inject(referNotify(c, 30, "SIP/2.0 486 Busy Here\r\n", "terminated"))
	p.expectResponse(200)
	assert.Equal(t, ReferProgress{Code: 486, Reason: "Busy Here", Final: true}, waitProgress(t, progress))

	go func() { done <- c.Refer("1003", nil, func(r ReferProgress) { progress <- r }) }()
	p.respond(p.expect(sip.REFER), 202, "Accepted", "", nil)
	require.NoError(t, <-done)
	p.inject(referNotify(c, 31, "SIP/2.0 100 Trying\r\n", "terminated;reason=timeout"))
	p.expectResponse(200)
	assert.Equal(t, ReferProgress{Code: 100, Reason: "Trying", Final: true}, waitProgress(t, progress))
}

// An attended transfer: the REFER on one call carries, in its Refer-To, the
// Replaces of the other call's dialog as its peer sees it.
func TestReferWithReplacesNamesTheOtherDialog(t *testing.T) {
	ua, p := newTestUA(t, nil)
	b, _ := establishOutgoing(t, ua, p)
	cc, err := ua.Call("1003", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	p.respond(inv, 200, "OK", "caroltag", []byte(sdpAnswer), sip.NewHeader("Contact", "<sip:1003@carol.invalid;transport=ws>"))
	p.expect(sip.ACK)
	require.Equal(t, CallConnected, cc.State())

	done := make(chan error, 1)
	go func() { done <- b.Refer(cc.RemoteURI(), cc, nil) }()
	ref := p.expect(sip.REFER)
	p.respond(ref, 202, "Accepted", "", nil)
	require.NoError(t, <-done)
	referTo := headerValue(ref, "Refer-To")
	want := cc.CallID() + ";to-tag=caroltag;from-tag=" + cc.localTag
	assert.Equal(t, "<sip:1003@example.com?Replaces="+url.QueryEscape(want)+">", referTo)
	target, replaces, err := ParseReferTo(referTo)
	require.NoError(t, err)
	assert.Equal(t, "sip:1003@example.com", target)
	assert.Equal(t, want, replaces)
}

// An accepted REFER: 202, then NOTIFY 100 Trying, then what the application
// reports, in order (also what it reported from inside the Refer callback),
// each waiting for the previous one's answer; the final one ends the
// subscription and nothing more can be reported.
func TestAcceptedReferNotifiesInOrder(t *testing.T) {
	ua, p := newTestUA(t, nil)
	var in *Call
	ua.ev.Refer = func(c *Call, to, by string) bool {
		in = c
		assert.Equal(t, "<sip:1003@example.com>", to)
		assert.Equal(t, "<sip:1002@example.com>", by)
		assert.NoError(t, c.NotifyRefer(180, "Ringing\r\nX-Injected: 1"))
		return true
	}
	c, _ := establishOutgoing(t, ua, p)
	p.inject(farRequest("REFER", c.CallID(), "bobtag", c.localTag, 7,
		"Refer-To: <sip:1003@example.com>\r\nReferred-By: <sip:1002@example.com>\r\n", ""))
	assert.Equal(t, 202, p.expectResponse(202).StatusCode)
	require.Equal(t, c, in)
	for i, want := range []struct{ frag, state string }{
		{"SIP/2.0 100 Trying\r\n", "active;expires=60"},
		{"SIP/2.0 180 Ringing  X-Injected: 1\r\n", "active;expires=60"},
		{"SIP/2.0 200 OK\r\n", "terminated;reason=noresource"},
	} {
		n := p.expect(sip.NOTIFY)
		assert.Equal(t, "refer", headerValue(n, "Event"))
		assert.Equal(t, "message/sipfrag;version=2.0", headerValue(n, "Content-Type"))
		assert.Equal(t, want.frag, string(n.Body()), "NOTIFY %d", i)
		assert.Equal(t, want.state, headerValue(n, "Subscription-State"))
		tag, _ := n.To().Params.Get("tag")
		assert.Equal(t, "bobtag", tag)
		if i == 1 {
			require.NoError(t, c.NotifyRefer(200, "OK"))
		}
		p.respond(n, 200, "OK", "", nil)
	}
	assert.ErrorIs(t, c.NotifyRefer(200, "OK"), ErrCallState, "the subscription ended")
	p.nothing(200 * time.Millisecond)
}

// A REFER the application declines gets 603 and no NOTIFY; one without
// Refer-To gets 400; one outside any dialog 481.
func TestDeclinedAndMalformedRefer(t *testing.T) {
	ua, p := newTestUA(t, nil)
	ua.ev.Refer = func(*Call, string, string) bool { return false }
	c, _ := establishOutgoing(t, ua, p)
	p.inject(farRequest("REFER", c.CallID(), "bobtag", c.localTag, 7, "Refer-To: <sip:1003@example.com>\r\n", ""))
	assert.Equal(t, 603, p.expectResponse(603).StatusCode)
	assert.ErrorIs(t, c.NotifyRefer(200, "OK"), ErrCallState)
	p.inject(farRequest("REFER", c.CallID(), "bobtag", c.localTag, 8, "", ""))
	assert.Equal(t, 400, p.expectResponse(400).StatusCode)
	p.inject(farRequest("REFER", "no-such-call", "bobtag", "x", 1, "Refer-To: <sip:1003@example.com>\r\n", ""))
	assert.Equal(t, 481, p.expectResponse(481).StatusCode)
	p.nothing(200 * time.Millisecond)
}

// acceptIncoming answers an incoming INVITE and returns the call and our tag.
func acceptIncoming(t *testing.T, p *peer, callID string) (*Call, string) {
	t.Helper()
	p.inject(incomingInvite(callID))
	c := <-p.ev.incoming
	tag, _ := p.expectResponse(180).To().Params.Get("tag")
	require.NoError(t, c.Accept([]byte(sdpAnswer)))
	p.expectResponse(200)
	p.inject(farRequest("ACK", callID, "bobtag", tag, 1, "", ""))
	return c, tag
}

// An INVITE with Replaces (RFC 3891) naming a confirmed dialog of ours is a
// new call that knows the call it replaces; a Replaces naming no dialog, or
// the wrong tags, gets 481; early-only for a confirmed dialog 486; an early
// dialog we placed cannot be replaced (481).
func TestInviteWithReplaces(t *testing.T) {
	ua, p := newTestUA(t, nil)
	old, tag := acceptIncoming(t, p, "in-old")
	invite := func(callID, replaces string) string {
		return farRequest("INVITE", callID, "newtag", "", 1,
			"Replaces: "+replaces+"\r\nContent-Type: application/sdp\r\n", sdpOffer)
	}
	p.inject(invite("in-x1", "in-old;to-tag=wrong;from-tag=bobtag"))
	assert.Equal(t, 481, p.expectResponse(481).StatusCode)
	p.inject(invite("in-x2", "nope;to-tag="+tag+";from-tag=bobtag"))
	assert.Equal(t, 481, p.expectResponse(481).StatusCode)
	p.inject(invite("in-x3", "in-old;to-tag="+tag+";from-tag=bobtag;early-only"))
	assert.Equal(t, 486, p.expectResponse(486).StatusCode)
	p.inject(invite("in-x4", "in-old;from-tag=bobtag"))
	assert.Equal(t, 400, p.expectResponse(400).StatusCode)

	p.inject(invite("in-new", "in-old;to-tag="+tag+";from-tag=bobtag"))
	nc := <-p.ev.incoming
	assert.Equal(t, "in-new", nc.CallID())
	assert.Equal(t, old, nc.Replaces())
	assert.Nil(t, old.Replaces())

	// an early dialog we placed
	out, err := ua.Call("1003", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	p.respond(inv, 180, "Ringing", "caroltag", nil)
	p.ev.waitState(t, "ringing|")
	p.inject(invite("in-x5", out.CallID()+";to-tag="+out.localTag+";from-tag=caroltag"))
	assert.Equal(t, 481, p.expectResponse(481).StatusCode)
}

func TestParseReferTo(t *testing.T) {
	for _, c := range []struct{ in, target, replaces string }{
		{"<sip:bob@example.com>", "sip:bob@example.com", ""},
		{"sip:bob@example.com", "sip:bob@example.com", ""},
		{"\"Bob\" <sip:bob@example.com;transport=udp>;x=1", "sip:bob@example.com;transport=udp", ""},
		{"<sip:bob@example.com?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>", "sip:bob@example.com", "abc@h;to-tag=1;from-tag=2"},
		{"<sip:bob@example.com?Foo=x&replaces=a%3Bto-tag%3D1%3Bfrom-tag%3D2>", "sip:bob@example.com", "a;to-tag=1;from-tag=2"},
	} {
		target, replaces, err := ParseReferTo(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.target, target, c.in)
		assert.Equal(t, c.replaces, replaces, c.in)
	}
	for _, bad := range []string{"", "<sip:bob@example.com", "<>", "<sip:b@h?Replaces=a%0D%0AX: 1>", "<sip:b@h?Replaces=%zz>"} {
		_, _, err := ParseReferTo(bad)
		assert.Error(t, err, "%q", bad)
	}
}

// A 481 to our NOTIFY (the transferor ended the call first) ends the
// subscription, not the dialog (RFC 5057).
func TestNotify481KeepsTheCall(t *testing.T) {
	ua, p := newTestUA(t, nil)
	ua.ev.Refer = func(*Call, string, string) bool { return true }
	c, _ := establishOutgoing(t, ua, p)
	p.inject(farRequest("REFER", c.CallID(), "bobtag", c.localTag, 7, "Refer-To: <sip:1003@example.com>\r\n", ""))
	p.expectResponse(202)
	p.respond(p.expect(sip.NOTIFY), 481, "Subscription Does Not Exist", "", nil)
	waitInboundIdle(t, ua)
	require.NoError(t, c.NotifyRefer(200, "OK"))
	p.respond(p.expect(sip.NOTIFY), 200, "OK", "", nil)
	assert.Equal(t, CallConnected, c.State())
}

// The transfer state of an ended call is forgotten when the next transfer
// starts: a REFER that never got its NOTIFYs does not stay behind.
func TestTransferStateOfEndedCallsIsForgotten(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c1, _ := establishOutgoing(t, ua, p)
	done := make(chan error, 1)
	go func() { done <- c1.Refer("1003", nil, nil) }()
	p.respond(p.expect(sip.REFER), 202, "Accepted", "", nil)
	require.NoError(t, <-done)
	require.NoError(t, c1.Hangup())
	p.expect(sip.BYE)

	c2, err := ua.Call("1004", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	p.respond(inv, 200, "OK", "c2tag", []byte(sdpAnswer), sip.NewHeader("Contact", "<sip:1004@d.invalid;transport=ws>"))
	p.expect(sip.ACK)
	go func() { done <- c2.Refer("1003", nil, nil) }()
	p.respond(p.expect(sip.REFER), 202, "Accepted", "", nil)
	require.NoError(t, <-done)
	ua.xfer.mu.Lock()
	defer ua.xfer.mu.Unlock()
	assert.Len(t, ua.xfer.watches, 1)
	assert.Nil(t, ua.xfer.watches[c1.CallID()])
}
