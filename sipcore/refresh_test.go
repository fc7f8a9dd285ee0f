package sipcore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// establishWithAllow places a call whose 2xx carries allow (none when "").
func establishWithAllow(t *testing.T, ua *UA, p *peer, allow string) *Call {
	t.Helper()
	c, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	inv := p.expect(sip.INVITE)
	hdrs := []sip.Header{sip.NewHeader("Contact", "<sip:1002@bob.invalid;transport=ws>")}
	if allow != "" {
		hdrs = append(hdrs, sip.NewHeader("Allow", allow))
	}
	p.respond(inv, 200, "OK", "bobtag", []byte(sdpAnswer), hdrs...)
	p.expect(sip.ACK)
	p.ev.waitState(t, "connected|")
	return c
}

func TestPeerAllowsReadsTheAllowOfTheAnswer(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c := establishWithAllow(t, ua, p, "INVITE, ACK, BYE,update")
	assert.True(t, c.PeerAllows("UPDATE"), "Allow lists update (any case)")
	assert.False(t, c.PeerAllows("REFER"))

	ua2, p2 := newTestUA(t, nil)
	c2 := establishWithAllow(t, ua2, p2, "")
	assert.False(t, c2.PeerAllows("UPDATE"), "no Allow header: UPDATE is not assumed")
}

func TestPeerAllowsReadsTheAllowOfAnIncomingInvite(t *testing.T) {
	_, p := newTestUA(t, nil)
	p.inject(farRequest("INVITE", "allow-in", "bobtag", "", 1, "Allow: INVITE, UPDATE\r\nContent-Type: application/sdp\r\n", sdpOffer))
	select {
	case c := <-p.ev.incoming:
		assert.True(t, c.PeerAllows("UPDATE"))
		assert.False(t, c.PeerAllows("REFER"))
	case <-time.After(3 * time.Second):
		t.Fatal("no incoming call")
	}
}

// After the flow is replaced, RefreshTarget sends an UPDATE without a body
// on the new connection with the new flow's Contact; the peer's new Contact
// becomes the target of our next request.
func TestRefreshTargetSendsBodylessUpdateWithTheNewContact(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c := establishWithAllow(t, ua, p, "INVITE, ACK, BYE, UPDATE")
	first := p.current()
	require.NoError(t, ua.Reconnect(context.Background()))
	require.NotSame(t, first, p.current())
	p.current().host = "new4flow.invalid" // the new connection's RFC 7118 host

	done := make(chan error, 1)
	go func() { done <- c.RefreshTarget(context.Background()) }()
	up := p.expect(sip.UPDATE) // read from the new connection
	assert.Empty(t, up.Body(), "a target refresh carries no SDP")
	assert.Nil(t, up.ContentType(), "no Content-Type without a body")
	require.NotNil(t, up.Contact())
	assert.Equal(t, "new4flow.invalid", up.Contact().Address.Host)
	assert.Equal(t, "bob.invalid", up.Recipient.Host)
	tag, _ := up.To().Params.Get("tag")
	assert.Equal(t, "bobtag", tag)
	p.respond(up, 200, "OK", "", nil, sip.NewHeader("Contact", "<sip:1002@bob2.invalid;transport=ws>"))
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(3 * time.Second):
		t.Fatal("RefreshTarget did not return")
	}
	assert.Equal(t, CallConnected, c.State())
	require.NoError(t, c.Hangup())
	bye := p.expect(sip.BYE)
	assert.Equal(t, "bob2.invalid", bye.Recipient.Host, "the 2xx's Contact is the new remote target")
}

func TestRefreshTargetRefusedKeepsTheCall(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c := establishWithAllow(t, ua, p, "")
	done := make(chan error, 1)
	go func() { done <- c.RefreshTarget(context.Background()) }()
	up := p.expect(sip.UPDATE)
	p.respond(up, 501, "Not Implemented", "", nil)
	err := <-done
	var rf *ErrRequestFailed
	require.True(t, errors.As(err, &rf), "error %v", err)
	assert.Equal(t, 501, rf.Code)
	assert.Equal(t, CallConnected, c.State(), "a peer without UPDATE keeps the call")
}

func TestRefreshTargetAnswered481EndsTheCall(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c := establishWithAllow(t, ua, p, "INVITE, UPDATE")
	done := make(chan error, 1)
	go func() { done <- c.RefreshTarget(context.Background()) }()
	up := p.expect(sip.UPDATE)
	p.respond(up, 481, "Call/Transaction Does Not Exist", "", nil)
	require.Error(t, <-done)
	p.ev.waitState(t, "disconnected|481 Call/Transaction Does Not Exist")
	assert.Equal(t, CallDisconnected, c.State())
}

func TestRefreshTargetWithoutTransportFails(t *testing.T) {
	ua, p := newTestUA(t, nil)
	c := establishWithAllow(t, ua, p, "INVITE, UPDATE")
	p.current().r.Closed(errors.New("network down"))
	err := c.RefreshTarget(context.Background())
	require.Error(t, err)
	assert.Equal(t, CallConnected, c.State(), "the application decides what a failed refresh means")
}
