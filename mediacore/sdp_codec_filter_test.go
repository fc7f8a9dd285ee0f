package mediacore

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromeOffer is the audio part of an offer as Chromium creates it.
const chromeOffer = "v=0\r\n" +
	"o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n" +
	"s=-\r\n" +
	"t=0 0\r\n" +
	"a=group:BUNDLE 0\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n" +
	"c=IN IP4 0.0.0.0\r\n" +
	"a=rtcp:9 IN IP4 0.0.0.0\r\n" +
	"a=mid:0\r\n" +
	"a=sendrecv\r\n" +
	"a=rtpmap:111 opus/48000/2\r\n" +
	"a=rtcp-fb:111 transport-cc\r\n" +
	"a=fmtp:111 minptime=10;useinbandfec=1\r\n" +
	"a=rtpmap:63 red/48000/2\r\n" +
	"a=fmtp:63 111/111\r\n" +
	"a=rtpmap:9 G722/8000\r\n" +
	"a=rtpmap:0 PCMU/8000\r\n" +
	"a=rtpmap:8 PCMA/8000\r\n" +
	"a=rtpmap:13 CN/8000\r\n" +
	"a=rtpmap:110 telephone-event/48000\r\n" +
	"a=rtpmap:126 telephone-event/8000\r\n" +
	"a=ssrc:1 cname:x\r\n"

func mLine(t *testing.T, sdp string) string {
	t.Helper()
	for _, l := range strings.Split(sdp, "\r\n") {
		if strings.HasPrefix(l, "m=audio") {
			return l
		}
	}
	t.Fatalf("no m=audio line in %q", sdp)
	return ""
}

func TestFilterAudioCodecsAllowAndPrefer(t *testing.T) {
	out, err := FilterAudioCodecs(chromeOffer, CodecPolicy{Allow: ParseCodecList("pcmu, PCMA"), Prefer: "pcma"})
	require.NoError(t, err)
	assert.Equal(t, "m=audio 9 UDP/TLS/RTP/SAVPF 8 0 13 110 126", mLine(t, out))
	assert.NotContains(t, out, "opus")
	assert.NotContains(t, out, "a=rtpmap:63", "RED must go with the codec it wraps")
	assert.NotContains(t, out, "G722")
	assert.NotContains(t, out, "a=rtcp-fb:111")
	assert.Contains(t, out, "a=rtpmap:126 telephone-event/8000\r\n")
	assert.Contains(t, out, "a=ssrc:1 cname:x\r\n", "other lines untouched")
	assert.True(t, strings.HasSuffix(out, "\r\n"))
}

func TestFilterAudioCodecsEmptyPolicyKeepsEverything(t *testing.T) {
	out, err := FilterAudioCodecs(chromeOffer, CodecPolicy{})
	require.NoError(t, err)
	assert.Equal(t, chromeOffer, out)
}

func TestFilterAudioCodecsPreferOnly(t *testing.T) {
	out, err := FilterAudioCodecs(chromeOffer, CodecPolicy{Prefer: "PCMU"})
	require.NoError(t, err)
	assert.Equal(t, "m=audio 9 UDP/TLS/RTP/SAVPF 0 111 63 9 8 13 110 126", mLine(t, out))
}

func TestFilterAudioCodecsKeepsREDWithItsCodec(t *testing.T) {
	out, err := FilterAudioCodecs(chromeOffer, CodecPolicy{Allow: []string{"opus"}})
	require.NoError(t, err)
	assert.Equal(t, "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 13 110 126", mLine(t, out))
	assert.Contains(t, out, "a=fmtp:63 111/111")
}

func TestFilterAudioCodecsNothingLeft(t *testing.T) {
	_, err := FilterAudioCodecs(chromeOffer, CodecPolicy{Allow: []string{"G729"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no allowed audio codec")
}

func TestFilterAudioCodecsBadInput(t *testing.T) {
	_, err := FilterAudioCodecs("", CodecPolicy{})
	assert.Error(t, err)
	_, err = FilterAudioCodecs("v=0\r\nm=audio\r\n", CodecPolicy{})
	assert.Error(t, err)
	_, err = FilterAudioCodecs("v=0\r\nm=video 9 RTP/AVP 96\r\n", CodecPolicy{})
	assert.Error(t, err)
}

func TestFilterAudioCodecsStaticPayloadWithoutRtpmap(t *testing.T) {
	in := "v=0\nm=audio 4000 RTP/AVP 0 8 101\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15\n"
	out, err := FilterAudioCodecs(in, CodecPolicy{Allow: []string{"PCMA"}})
	require.NoError(t, err)
	assert.Equal(t, "v=0\nm=audio 4000 RTP/AVP 8 101\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15\n", out)
}
