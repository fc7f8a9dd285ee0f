package sipcore

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The three request paths (out-of-dialog do, the initial INVITE, in-dialog
// requests) share runTx: each answers a challenge the same way.

func TestReInviteIsAuthenticatedAndItsRetransmitted2xxReAcked(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c, _ := establishOutgoing(t, ua, p)
	done := make(chan error, 1)
	go func() {
		_, err := c.Renegotiate([]byte(sdpHold))
		done <- err
	}()
	re := p.expect(sip.INVITE)
	p.respond(re, 407, "Proxy Authentication Required", "", nil,
		sip.NewHeader("Proxy-Authenticate", `Digest realm="example.com", nonce="n1", qop="auth"`))
	p.expect(sip.ACK) // the transaction ACKs the 407
	re2 := p.expect(sip.INVITE)
	assert.Equal(t, re.CSeq().SeqNo+1, re2.CSeq().SeqNo, "a retry takes the next CSeq")
	assert.NotEqual(t, viaBranch(re), viaBranch(re2))
	checkDigest(t, headerValue(re2, "Proxy-Authorization"), "MD5", "INVITE", "1001", "example.com", "secret")
	ok := sip.NewResponseFromRequest(re2, 200, "OK", []byte(sdpAnswer))
	ok.AppendHeader(sip.NewHeader("Contact", "<sip:1002@bob.invalid;transport=ws>"))
	ct := sip.ContentTypeHeader("application/sdp")
	ok.AppendHeader(&ct)
	p.inject(ok.String())
	ack := p.expect(sip.ACK)
	assert.Equal(t, re2.CSeq().SeqNo, ack.CSeq().SeqNo)
	assert.Equal(t, headerValue(re2, "Proxy-Authorization"), headerValue(ack, "Proxy-Authorization"))
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("re-INVITE did not complete")
	}
	p.inject(ok.String()) // the 2xx again: our ACK was lost
	again := p.expect(sip.ACK)
	assert.Equal(t, ack.CSeq().SeqNo, again.CSeq().SeqNo)

	// the next in-dialog request continues after the authenticated CSeq
	go func() { _, _ = c.Request("INFO", "", nil) }()
	info := p.expect(sip.INFO)
	assert.Equal(t, re2.CSeq().SeqNo+1, info.CSeq().SeqNo)
	p.respond(info, 200, "OK", "", nil)
}

func TestChallengesAreAnsweredAtMostThreeTimes(t *testing.T) {
	ua, p := newTestUA(t, nil)
	_, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	for i := 0; i < 4; i++ {
		inv := p.expect(sip.INVITE)
		// stale challenges do not count as a wrong password, so only the
		// retry bound stops them
		p.respond(inv, 407, "Proxy Authentication Required", "x", nil,
			sip.NewHeader("Proxy-Authenticate", `Digest realm="example.com", nonce="n`+itoa(i)+`", qop="auth", stale=true`))
		p.expect(sip.ACK)
	}
	p.ev.waitState(t, "disconnected|407 Proxy Authentication Required")
}
