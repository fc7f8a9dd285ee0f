package sipcore

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The answer in a 2xx reaches RemoteSDP before CallConnected is reported;
// an application that ends the call from RemoteSDP (its media refused the
// answer) must already see the call as answered, so it knows a BYE ends it.
func TestCallIsAnsweredWhenTheTwoHundredsAnswerArrives(t *testing.T) {
	type seen struct{ answered bool }
	got := make(chan seen, 4)
	ua, p := startTestUA(t, &peer{events: func(ev *Events) {
		ev.RemoteSDP = func(c *Call, sdp []byte) {
			got <- seen{answered: c.Answered()}
		}
	}}, nil)
	c, err := ua.Call("1002", []byte(sdpOffer))
	require.NoError(t, err)
	assert.False(t, c.Answered(), "not answered before any response")
	inv := p.expect(sip.INVITE)
	p.respond(inv, 180, "Ringing", "bobtag", nil)
	p.ev.waitState(t, "ringing|180 Ringing")
	assert.False(t, c.Answered(), "a 180 does not answer the call")

	ok := sip.NewResponseFromRequest(inv, 200, "OK", []byte(sdpAnswer))
	ok.To().Params.Add("tag", "bobtag")
	ok.AppendHeader(sip.NewHeader("Contact", "<sip:1002@bob.invalid;transport=ws>"))
	ct := sip.ContentTypeHeader("application/sdp")
	ok.AppendHeader(&ct)
	p.inject(ok.String())
	p.expect(sip.ACK)
	select {
	case s := <-got:
		assert.True(t, s.answered, "RemoteSDP of the 2xx sees the call answered")
	case <-time.After(3 * time.Second):
		t.Fatal("RemoteSDP was not called for the 2xx's answer")
	}
	p.ev.waitState(t, "connected|")
}
