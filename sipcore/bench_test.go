package sipcore

import (
	"context"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// webrtcOffer is the size and shape of a browser's SDP offer.
var webrtcOffer = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
	"a=msid-semantic: WMS\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\nc=IN IP4 0.0.0.0\r\n" +
	"a=rtcp:9 IN IP4 0.0.0.0\r\na=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0\r\n" +
	"a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=ice-options:trickle\r\n" +
	"a=fingerprint:sha-256 " + strings.Repeat("AB:", 31) + "AB\r\na=setup:actpass\r\na=mid:0\r\na=sendrecv\r\n" +
	"a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n" +
	"a=rtpmap:126 telephone-event/8000\r\na=ssrc:1 cname:abcdefgh\r\n"

// BenchmarkParseInvite measures parsing a WebRTC INVITE as it arrives.
func BenchmarkParseInvite(b *testing.B) {
	msg := []byte(farRequest("INVITE", "bench", "ft", "", 1, "Content-Type: application/sdp\r\n", webrtcOffer))
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := parseMessage(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOptionsRoundTrip measures the whole inbound path: parse, server
// transaction, dispatch and the 200 OK written back.
func BenchmarkOptionsRoundTrip(b *testing.B) {
	ua, p := benchUA(b)
	defer ua.Stop()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.inject(farRequest("OPTIONS", "o"+itoa(i), "ft", "", 1, "", ""))
		<-p.current().sent
	}
}

// BenchmarkOutgoingCallSetup measures INVITE to connected (180, 200, ACK)
// and the BYE, against a scripted far end with no network delay.
func BenchmarkOutgoingCallSetup(b *testing.B) {
	ua, p := benchUA(b)
	defer ua.Stop()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c, err := ua.Call("1002", []byte(webrtcOffer))
		if err != nil {
			b.Fatal(err)
		}
		inv := p.expect(sip.INVITE)
		p.respond(inv, 180, "Ringing", "bobtag", nil)
		p.respond(inv, 200, "OK", "bobtag", []byte(sdpAnswer), sip.NewHeader("Contact", "<sip:1002@bob.invalid;transport=ws>"))
		p.expect(sip.ACK)
		_ = c.Hangup()
		bye := p.expect(sip.BYE)
		p.respond(bye, 200, "OK", "", nil)
	}
}

func benchUA(b *testing.B) (*UA, *peer) {
	cfg := NewConfig()
	cfg.Domain, cfg.Username, cfg.Register, cfg.KeepaliveInterval = "example.com", "1001", false, 0
	p := &peer{t: b, ev: newRecorder()}
	ua := NewUA(cfg, p.dialer, Events{})
	p.ua = ua
	if err := ua.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	return ua, p
}
