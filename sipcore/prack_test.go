package sipcore

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReliable183IsPrackedOnceAndItsEarlySDPDelivered(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	rel := []sip.Header{sip.NewHeader("Require", "100rel"), sip.NewHeader("RSeq", "7"),
		sip.NewHeader("Contact", "<sip:1002@early.invalid;transport=ws>")}
	p.respond(inv, 183, "Session Progress", "bobtag", []byte(sdpAnswer), rel...)
	pr := p.expect(sip.PRACK)
	assert.Equal(t, "7 "+itoa(int(inv.CSeq().SeqNo))+" INVITE", headerValue(pr, "RAck"))
	assert.Equal(t, "early.invalid", pr.Recipient.Host, "PRACK goes to the early dialog's target")
	tag, _ := pr.To().Params.Get("tag")
	assert.Equal(t, "bobtag", tag)
	assert.Greater(t, pr.CSeq().SeqNo, inv.CSeq().SeqNo)
	p.respond(pr, 200, "OK", "", nil)
	p.ev.waitState(t, "ringing|183 Session Progress")
	assert.Equal(t, sdpAnswer, string(<-p.ev.sdp))

	// a retransmission of the same 183 is not acknowledged again
	p.respond(inv, 183, "Session Progress", "bobtag", []byte(sdpAnswer), rel...)
	p.respond(inv, 200, "OK", "bobtag", []byte(sdpAnswer), sip.NewHeader("Contact", "<sip:1002@bob.invalid>"))
	assertNextIs(t, p, sip.ACK)
	p.ev.waitState(t, "connected|")
	require.NoError(t, c.Hangup())
	bye := p.expect(sip.BYE)
	assert.Greater(t, bye.CSeq().SeqNo, pr.CSeq().SeqNo, "the BYE's CSeq follows the PRACK's")
}

func TestUnreliable180GetsNoPrack(t *testing.T) {
	ua, p := newTestUA(t, nil)
	_, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	p.respond(inv, 180, "Ringing", "bobtag", nil, sip.NewHeader("RSeq", "1")) // no Require: 100rel
	p.ev.waitState(t, "ringing|180 Ringing")
	p.respond(inv, 200, "OK", "bobtag", []byte(sdpAnswer), sip.NewHeader("Contact", "<sip:1002@bob.invalid>"))
	assertNextIs(t, p, sip.ACK) // not a PRACK
}

// assertNextIs requires the UA's next message to be a request of method.
func assertNextIs(t *testing.T, p *peer, method sip.RequestMethod) {
	t.Helper()
	req, ok := p.next().(*sip.Request)
	require.True(t, ok, "expected a request")
	require.Equal(t, method, req.Method)
}

func TestCallerRequiring100relGetsAReliable180UntilItsPrack(t *testing.T) {
	_, p := newTestUA(t, nil)
	p.inject(farRequest("INVITE", "rel-in", "bobtag", "", 5,
		"Require: 100rel\r\nContent-Type: application/sdp\r\n", sdpOffer))
	var c *Call
	select {
	case c = <-p.ev.incoming:
	case <-time.After(3 * time.Second):
		t.Fatal("no incoming call")
	}
	ring := p.expectResponse(180)
	assert.Equal(t, "100rel", headerValue(ring, "Require"))
	assert.Equal(t, "1", headerValue(ring, "RSeq"))
	tag, _ := ring.To().Params.Get("tag")
	again := p.expectResponse(180) // repeated until the PRACK
	assert.Equal(t, "1", headerValue(again, "RSeq"))

	p.inject(farRequest("PRACK", "rel-in", "bobtag", tag, 6, "RAck: 2 5 INVITE\r\n", ""))
	assert.Equal(t, sip.PRACK, p.expectResponse(481).CSeq().MethodName, "a PRACK for another RSeq")
	p.inject(farRequest("PRACK", "rel-in", "bobtag", tag, 7, "RAck: 1 5 INVITE\r\n", ""))
	ok := p.expectResponse(200)
	assert.Equal(t, sip.PRACK, ok.CSeq().MethodName)
	p.nothing(300 * time.Millisecond) // no more 180s

	require.NoError(t, c.Accept([]byte(sdpAnswer)))
	assert.Equal(t, sip.INVITE, p.expectResponse(200).CSeq().MethodName)
}

func TestReliable180WithoutPrackEndsWith504(t *testing.T) {
	_, p := newTestUA(t, nil)
	p.inject(farRequest("INVITE", "rel-lost", "bobtag", "", 1,
		"Require: 100rel\r\nContent-Type: application/sdp\r\n", sdpOffer))
	p.expectResponse(504) // after 64*T1 (3.2 s with the test timers)
	p.ev.waitState(t, "disconnected|no PRACK for the reliable 180")
}
