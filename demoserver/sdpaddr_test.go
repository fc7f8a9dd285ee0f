package demoserver

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSDPMediaAddrs(t *testing.T) {
	body := "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
		"m=audio 4000 RTP/AVP 0\r\n" + // session c=
		"m=video 0 RTP/AVP 96\r\nc=IN IP4 192.0.2.9\r\n" + // rejected stream
		"m=audio 5004/2 RTP/AVP 8\r\nc=IN IP6 2001:db8::7\r\na=rtcp:6000 IN IP4 198.51.100.3\r\n" +
		"m=audio 7000 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\n" + // hold by unspecified address
		"m=audio x RTP/AVP 0\r\nm=audio 8000\r\na=rtcp:8009\r\n"
	got := sdpMediaAddrs([]byte(body))
	assert.Equal(t, []sdpMedia{
		{rtp: netip.MustParseAddrPort("192.0.2.1:4000")},
		{rtp: netip.MustParseAddrPort("[2001:db8::7]:5004"), rtcp: netip.MustParseAddrPort("198.51.100.3:6000")},
		{rtp: netip.MustParseAddrPort("192.0.2.1:8000"), rtcp: netip.MustParseAddrPort("192.0.2.1:8009")},
	}, got)
	assert.Empty(t, sdpMediaAddrs([]byte("junk\x00\nc=IN\nm=")))
}

func TestMediaBookAllowsOnlyTheCallsOfTheUser(t *testing.T) {
	b := newMediaBook()
	b.learn("call-1", "1001", []byte("v=0\r\nc=IN IP4 192.0.2.5\r\nm=audio 4000 RTP/AVP 0\r\n"))
	b.learn("call-1", "1003", []byte("v=0\r\nc=IN IP4 192.0.2.5\r\nm=audio 4000 RTP/AVP 0\r\n"))
	b.learn("call-1", "1003", []byte("v=0\r\nc=IN IP4 198.51.100.77\r\nm=audio 6000 RTP/AVP 0\r\n"))
	ap := netip.MustParseAddrPort
	assert.True(t, b.allows("1001", ap("192.0.2.5:4000"), false))
	assert.True(t, b.allows("1003", ap("192.0.2.5:4000"), false))
	assert.True(t, b.allows("1001", ap("192.0.2.5:4001"), true), "RTCP at port+1")
	assert.True(t, b.allows("1001", ap("192.0.2.5:4000"), true), "rtcp-mux")
	assert.False(t, b.allows("1001", ap("192.0.2.5:4001"), false), "RTP at the RTCP port")
	assert.False(t, b.allows("1001", ap("192.0.2.5:4002"), true))
	assert.False(t, b.allows("1001", ap("192.0.2.6:4000"), false))
	assert.False(t, b.allows("1002", ap("192.0.2.5:4000"), false), "a user outside the call")
	assert.True(t, b.allows("1003", ap("198.51.100.77:6000"), false))
	assert.False(t, b.allows("1001", ap("198.51.100.77:6000"), false), "what one party of a call was sent is not the other's")
	b.ended("call-1")
	assert.True(t, b.allows("1001", ap("192.0.2.5:4000"), true), "RTCP BYE just after the BYE")

	// Bounded: the oldest calls of a user go first.
	for i := 0; i < maxCallsPerUser+5; i++ {
		b.learn("c"+string(rune('A'+i)), "1002", []byte("c=IN IP4 198.51.100.1\r\nm=audio "+itoa(10000+2*i)+" RTP/AVP 0\r\n"))
	}
	assert.Len(t, b.users["1002"], maxCallsPerUser)
	assert.NotContains(t, b.calls, "cA", "an evicted call stays in the Call-ID index")
	assert.False(t, b.allows("1002", ap("198.51.100.1:10000"), false))
	assert.True(t, b.allows("1002", ap("198.51.100.1:"+itoa(10000+2*(maxCallsPerUser+4))), false))
}
