package sipcore

import (
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
)

// withRequestURI replaces the Request-URI of a farRequest message.
func withRequestURI(msg, uri string) string {
	method, rest, _ := strings.Cut(msg, " ")
	_, rest, _ = strings.Cut(rest, " SIP/2.0\r\n")
	return method + " " + uri + " SIP/2.0\r\n" + rest
}

// probe checks the UA still answers: an OPTIONS gets 200, and nothing
// else was sent before that answer.
func (p *peer) probe(t *testing.T) {
	t.Helper()
	p.inject(farRequest("OPTIONS", "probe-"+randomHex(4), "probe", "", 1, "", ""))
	msg := p.next()
	res, ok := msg.(*sip.Response)
	if !ok || res.StatusCode != 200 || !strings.HasPrefix(res.CallID().Value(), "probe-") {
		t.Fatalf("expected only the 200 to the probe OPTIONS, got:\n%s", msg)
	}
}

// noIncoming asserts Events.Incoming was not called.
func (p *peer) noIncoming(t *testing.T) {
	t.Helper()
	select {
	case c := <-p.ev.incoming:
		t.Fatalf("call %s rang", c.CallID())
	default:
	}
}

func TestRequireOfAnUnsupportedExtensionGets420(t *testing.T) {
	_, p := newTestUA(t, nil)
	p.inject(farRequest("OPTIONS", "bext", "t", "", 1, "Require: nothingSupportsThis, outbound\r\nProxy-Require: x\r\n", ""))
	res := p.expectResponse(420)
	assert.Equal(t, "nothingSupportsThis", headerValue(res, "Unsupported"))

	p.inject(farRequest("INVITE", "rel", "bobtag", "", 1, "Require: 100rel\r\nRequire: timer, foo\r\nContent-Type: application/sdp\r\n", sdpOffer))
	res = p.expectResponse(420)
	assert.Equal(t, "foo", headerValue(res, "Unsupported"), "100rel and timer are supported")
	p.noIncoming(t)

	// what we support passes
	p.inject(farRequest("OPTIONS", "ok", "t", "", 1, "Require: outbound, path, replaces, timer, 100rel\r\n", ""))
	p.expectResponse(200)
}

func TestRequestURISchemeOtherThanSipGets416(t *testing.T) {
	_, p := newTestUA(t, nil)
	for _, uri := range []string{"tel:+15551234", "im:alice@example.com", "http://example.com/x"} {
		p.inject(withRequestURI(farRequest("OPTIONS", "scheme-"+uri, "t", "", 1, "", ""), uri))
		res := p.expectResponse(416)
		assert.Equal(t, "scheme-"+uri, res.CallID().Value())
	}
	p.inject(withRequestURI(farRequest("OPTIONS", "sips", "t", "", 1, "", ""), "sips:1001@example.com"))
	p.expectResponse(200)
	p.inject(withRequestURI(incomingInvite("tel-inv"), "tel:+15551234"))
	p.expectResponse(416)
	p.noIncoming(t)
}

func TestBadContentLengthGets400AndNeverRings(t *testing.T) {
	for name, msg := range map[string]string{
		"several": strings.Replace(incomingInvite("cl-several"), "Content-Length: ", "Content-Length: 13\r\nContent-Length: ", 1),
		"negative": strings.Replace(incomingInvite("cl-negative"), "Content-Length: "+itoa(len(sdpOffer)),
			"Content-Length: -999", 1),
		"longer than the body": strings.Replace(incomingInvite("cl-long"), "Content-Length: "+itoa(len(sdpOffer)),
			"Content-Length: 9999", 1),
		"not a number": strings.Replace(incomingInvite("cl-nan"), "Content-Length: "+itoa(len(sdpOffer)),
			"Content-Length: ten", 1),
	} {
		t.Run(name, func(t *testing.T) {
			_, p := newTestUA(t, nil)
			p.inject(msg)
			p.expectResponse(400)
			p.noIncoming(t)
			p.probe(t)
		})
	}
}

func TestMergedRequestGets482(t *testing.T) {
	_, p := newTestUA(t, nil)
	first := incomingInvite("merged")
	p.inject(first)
	c := <-p.ev.incoming
	p.expectResponse(180)
	// the same request (From tag, Call-ID, CSeq) forked back to us by another path
	second := strings.Replace(first, ";branch=z9hG4bK", ";branch=z9hG4bKother", 1)
	p.inject(second)
	res := p.expectResponse(482)
	assert.Equal(t, "merged", res.CallID().Value())
	p.noIncoming(t)
	// a retransmission of the first is not a merged request
	p.inject(first)
	p.expectResponse(180)
	assert.NoError(t, c.Reject(486))
	p.expectResponse(486)

}

func TestMergedNonInviteRequestGets482(t *testing.T) {
	ua, p := newTestUA(t, nil)
	entered, release := make(chan string, 2), make(chan struct{})
	ua.ev.Subscribe = func(event, from string, req RawRequest) int {
		entered <- req.GetHeader("Via")
		<-release
		return 200
	}
	first := farRequest("SUBSCRIBE", "merged-sub", "t", "", 7, "Event: presence\r\nExpires: 60\r\n", "")
	p.inject(first)
	via := <-entered // the first is being processed
	p.inject(strings.Replace(first, ";branch=z9hG4bK", ";branch=z9hG4bKother", 1))
	res := p.expectResponse(482)
	assert.NotEqual(t, via, headerValue(res, "Via"), "482 goes to the second path")
	close(release)
	res = p.expectResponse(200)
	assert.Equal(t, via, headerValue(res, "Via"))
	assert.Empty(t, entered, "the merged request never reached the application")
}

func TestACKIsNeverAnswered(t *testing.T) {
	_, p := newTestUA(t, nil)
	for _, ack := range []string{
		farRequest("ACK", "a1", "t", "x", 1, "Require: nothingSupportsThis\r\n", ""),
		withRequestURI(farRequest("ACK", "a2", "t", "x", 1, "", ""), "tel:+1555"),
		strings.Replace(farRequest("ACK", "a3", "t", "x", 1, "", ""), "Content-Length: 0", "Content-Length: 0\r\nContent-Length: 0", 1),
		strings.Replace(farRequest("ACK", "a4", "t", "x", 1, "", ""), "Content-Length: 0", "Content-Length: -1", 1),
		strings.Replace(farRequest("ACK", "a5", "t", "x", 1, "", ""), "CSeq: 1 ACK\r\n", "", 1),
	} {
		p.inject(ack)
	}
	p.probe(t)
}

func TestOtherSIPVersionGets505(t *testing.T) {
	_, p := newTestUA(t, nil)
	p.inject(strings.Replace(farRequest("OPTIONS", "v7", "t", "", 1, "", ""), " SIP/2.0\r\n", " SIP/7.0\r\n", 1))
	res := p.expectResponse(505)
	assert.Equal(t, "SIP/2.0", res.SipVersion)
	p.probe(t)
}
