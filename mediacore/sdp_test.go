package mediacore

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func localCfg() SDPConfig {
	return SDPConfig{Address: "192.0.2.10", Port: 40000, SessionID: 42, SessionVersion: 1}
}

// baresipOffer is an offer as baresip sends it (dynamic telephone-event type 101, rtcp attribute).
const baresipOffer = "v=0\r\n" +
	"o=- 1234 5678 IN IP4 192.0.2.20\r\n" +
	"s=-\r\n" +
	"c=IN IP4 192.0.2.20\r\n" +
	"t=0 0\r\n" +
	"m=audio 30000 RTP/AVP 8 0 96\r\n" +
	"b=AS:64\r\n" +
	"a=rtpmap:8 PCMA/8000\r\n" +
	"a=rtpmap:0 PCMU/8000\r\n" +
	"a=rtpmap:96 telephone-event/8000\r\n" +
	"a=fmtp:96 0-15\r\n" +
	"a=rtcp:30011\r\n" +
	"a=ptime:20\r\n" +
	"a=sendrecv\r\n"

func TestBuildOffer(t *testing.T) {
	cfg := localCfg()
	cfg.Codecs = []Codec{PCMA, PCMU}
	body, err := BuildOffer(cfg)
	require.NoError(t, err)
	s := string(body)
	for _, line := range []string{
		"v=0\r\n",
		"o=- 42 1 IN IP4 192.0.2.10\r\n",
		"c=IN IP4 192.0.2.10\r\n",
		"m=audio 40000 RTP/AVP 8 0 101\r\n",
		"a=rtpmap:8 PCMA/8000\r\n",
		"a=rtpmap:0 PCMU/8000\r\n",
		"a=rtpmap:101 telephone-event/8000\r\n",
		"a=fmtp:101 0-16\r\n",
		"a=ptime:20\r\n",
		"a=sendrecv\r\n",
	} {
		assert.Contains(t, s, line)
	}
	assert.NotContains(t, s, "a=rtcp:", "RTCP on port+1 needs no attribute")

	cfg.NoDTMF, cfg.Direction, cfg.PTime, cfg.RTCPPort = true, SendOnly, 30, 50000
	body, err = BuildOffer(cfg)
	require.NoError(t, err)
	s = string(body)
	assert.Contains(t, s, "m=audio 40000 RTP/AVP 8 0\r\n")
	assert.NotContains(t, s, "telephone-event")
	assert.Contains(t, s, "a=sendonly\r\n")
	assert.Contains(t, s, "a=ptime:30\r\n")
	assert.Contains(t, s, "a=rtcp:50000\r\n")

	cfg = localCfg()
	cfg.Address = "2001:db8::1"
	body, err = BuildOffer(cfg)
	require.NoError(t, err)
	assert.Contains(t, string(body), "c=IN IP6 2001:db8::1\r\n")
}

func TestBuildOfferRejectsBadConfig(t *testing.T) {
	bad := []func(*SDPConfig){
		func(c *SDPConfig) { c.Address = "example.com" },
		func(c *SDPConfig) { c.Port = 0 },
		func(c *SDPConfig) { c.Port = 70000 },
		func(c *SDPConfig) { c.Direction = Direction(9) },
		func(c *SDPConfig) { c.PTime = 25 },
		func(c *SDPConfig) { c.Codecs = []Codec{{Name: "G729", PayloadType: 18, ClockRate: 8000}} },
		func(c *SDPConfig) { c.DTMFPayloadType = 50 },
	}
	for i, f := range bad {
		cfg := localCfg()
		f(&cfg)
		_, err := BuildOffer(cfg)
		assert.Error(t, err, "case %d", i)
	}
}

func TestBuildAnswerPicksOurPreferenceAndTheirPayloadTypes(t *testing.T) {
	cfg := localCfg()
	cfg.Codecs = []Codec{PCMU, PCMA}
	body, neg, err := BuildAnswer([]byte(baresipOffer), cfg)
	require.NoError(t, err)
	assert.Equal(t, PCMU, neg.Codec, "our preference wins")
	assert.Equal(t, uint8(0), neg.PayloadType)
	assert.Equal(t, uint8(96), neg.DTMFPayloadType, "the offerer's telephone-event type")
	assert.Equal(t, []Codec{PCMU, PCMA}, neg.Accepted)
	assert.Equal(t, SendRecv, neg.Direction)
	assert.Equal(t, "192.0.2.20", neg.Remote.Address)
	assert.Equal(t, 30000, neg.Remote.Port)
	assert.Equal(t, 30011, neg.Remote.RTCPPort)
	s := string(body)
	assert.Contains(t, s, "m=audio 40000 RTP/AVP 0 8 96\r\n")
	assert.Contains(t, s, "a=rtpmap:96 telephone-event/8000\r\n")
	assert.Contains(t, s, "a=fmtp:96 0-16\r\n")
	assert.Contains(t, s, "a=sendrecv\r\n")

	cfg.Codecs = []Codec{PCMA}
	_, neg, err = BuildAnswer([]byte(baresipOffer), cfg)
	require.NoError(t, err)
	assert.Equal(t, PCMA, neg.Codec)
	assert.Equal(t, uint8(8), neg.PayloadType)
}

func TestBuildAnswerDirections(t *testing.T) {
	cases := []struct {
		offered, local, want Direction
	}{
		{SendRecv, SendRecv, SendRecv},
		{SendOnly, SendRecv, RecvOnly},
		{RecvOnly, SendRecv, SendOnly},
		{Inactive, SendRecv, Inactive},
		{SendRecv, SendOnly, SendOnly},
		{SendRecv, Inactive, Inactive},
		{SendOnly, SendOnly, Inactive},
		{RecvOnly, RecvOnly, Inactive},
	}
	for _, c := range cases {
		offer := strings.Replace(baresipOffer, "a=sendrecv", "a="+c.offered.String(), 1)
		cfg := localCfg()
		cfg.Direction = c.local
		body, neg, err := BuildAnswer([]byte(offer), cfg)
		require.NoError(t, err)
		assert.Equal(t, c.want, neg.Direction, "offer %v, local %v", c.offered, c.local)
		assert.Contains(t, string(body), "a="+c.want.String()+"\r\n")
	}
}

func TestBuildAnswerOldStyleHold(t *testing.T) {
	offer := strings.Replace(baresipOffer, "c=IN IP4 192.0.2.20", "c=IN IP4 0.0.0.0", 1)
	_, neg, err := BuildAnswer([]byte(offer), localCfg())
	require.NoError(t, err)
	assert.Equal(t, SendOnly, neg.Remote.Direction, "c=0.0.0.0 means the peer does not receive")
	assert.Equal(t, RecvOnly, neg.Direction)
}

func TestBuildAnswerNoCommonCodec(t *testing.T) {
	offer := "v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\n" +
		"m=audio 30000 RTP/AVP 18 111 101\r\na=rtpmap:18 G729/8000\r\na=rtpmap:111 opus/48000/2\r\n" +
		"a=rtpmap:101 telephone-event/8000\r\n"
	_, _, err := BuildAnswer([]byte(offer), localCfg())
	require.ErrorIs(t, err, ErrNoCommonCodec)
	assert.True(t, IsNotAcceptable(err))
	assert.Contains(t, err.Error(), "G729")

	// PCMU name at a clock rate we do not have is no match either.
	offer = strings.Replace(offer, "RTP/AVP 18 111 101", "RTP/AVP 97", 1) + "a=rtpmap:97 PCMU/16000\r\n"
	_, _, err = BuildAnswer([]byte(offer), localCfg())
	assert.ErrorIs(t, err, ErrNoCommonCodec)
}

func TestBuildAnswerNoAudio(t *testing.T) {
	head := "v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\n"
	for name, media := range map[string]string{
		"video only": "m=video 30000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n",
		"srtp":       "m=audio 30000 RTP/SAVP 0\r\n",
		"webrtc":     "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
		"port 0":     "m=audio 0 RTP/AVP 0\r\n",
		"no media":   "",
	} {
		_, _, err := BuildAnswer([]byte(head+media), localCfg())
		assert.ErrorIs(t, err, ErrNoAudio, name)
		assert.True(t, IsNotAcceptable(err), name)
	}
}

func TestBuildAnswerFollowsOfferPTime(t *testing.T) {
	offer := strings.Replace(baresipOffer, "a=ptime:20", "a=ptime:30", 1)
	body, neg, err := BuildAnswer([]byte(offer), localCfg())
	require.NoError(t, err)
	assert.Equal(t, 30, neg.PTime)
	assert.Contains(t, string(body), "a=ptime:30\r\n")
}

func TestBuildAnswerMalformed(t *testing.T) {
	_, _, err := BuildAnswer([]byte("this is not SDP"), localCfg())
	require.Error(t, err)
	assert.False(t, IsNotAcceptable(err))
}

func TestParseAnswer(t *testing.T) {
	cfg := localCfg()
	cfg.Direction = SendOnly
	answer := strings.Replace(baresipOffer, "a=sendrecv", "a=recvonly", 1)
	answer = strings.Replace(answer, "RTP/AVP 8 0 96", "RTP/AVP 0 96", 1)
	neg, err := ParseAnswer([]byte(answer), cfg)
	require.NoError(t, err)
	assert.Equal(t, PCMU, neg.Codec, "the answerer's first codec")
	assert.Equal(t, SendOnly, neg.Direction)
	assert.Equal(t, uint8(96), neg.DTMFPayloadType)

	cfg.Codecs = []Codec{PCMA}
	_, err = ParseAnswer([]byte(answer), cfg)
	assert.ErrorIs(t, err, ErrNoCommonCodec, "answer chose a codec we did not offer")
}

func TestParseRemoteMedia(t *testing.T) {
	sdpText := "v=0\r\no=alice 7 9 IN IP4 192.0.2.1\r\ns=call\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=sendonly\r\n" +
		"m=video 5000 RTP/AVP 31\r\n" +
		"m=audio 6000 RTP/AVP 0 101 13\r\nc=IN IP4 198.51.100.7\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=rtcp-mux\r\na=ptime:40\r\n"
	rm, err := ParseRemoteMedia([]byte(sdpText))
	require.NoError(t, err)
	assert.Equal(t, "198.51.100.7", rm.Address, "media-level c= wins")
	assert.Equal(t, 6000, rm.Port)
	assert.True(t, rm.RTCPMux)
	assert.Equal(t, 6000, rm.RTCPAddr().Port)
	assert.Equal(t, []uint8{0, 101, 13}, rm.PayloadTypes)
	assert.Equal(t, SendOnly, rm.Direction, "session-level direction applies")
	assert.Equal(t, 40, rm.PTime)
	assert.Equal(t, uint64(7), rm.SessionID)
	assert.Equal(t, uint64(9), rm.SessionVer)
	m, ok := rm.Codec(0)
	require.True(t, ok)
	assert.Equal(t, "PCMU", m.Name, "static payload type without rtpmap")
	m, _ = rm.Codec(101)
	assert.Equal(t, "0-16", m.Fmtp)
	m, _ = rm.Codec(13)
	assert.Equal(t, "", m.Name, "unknown static type (CN) stays unnamed")
	assert.Equal(t, "198.51.100.7:6000", rm.Addr().String())

	_, err = ParseRemoteMedia([]byte("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"))
	assert.ErrorContains(t, err, "connection address")
	_, err = ParseRemoteMedia([]byte("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP x\r\n"))
	assert.Error(t, err)
}

func TestAnswerDirectionIsSymmetric(t *testing.T) {
	all := []Direction{SendRecv, SendOnly, RecvOnly, Inactive}
	for _, o := range all {
		for _, l := range all {
			a := AnswerDirection(o, l)
			assert.False(t, a.Sends() && !o.Receives(), "never send to a peer that does not receive")
			assert.False(t, a.Receives() && !o.Sends(), "never expect media the peer does not send")
		}
		d, err := ParseDirection(o.String())
		require.NoError(t, err)
		assert.Equal(t, o, d)
	}
	_, err := ParseDirection("sideways")
	assert.Error(t, err)
}

func TestRTCPMuxNegotiation(t *testing.T) {
	cfg := localCfg()
	cfg.RTCPMux = true
	offer, err := BuildOffer(cfg)
	require.NoError(t, err)
	assert.Contains(t, string(offer), "a=rtcp-mux\r\n")

	// Peer without mux: the answer must not claim it.
	body, neg, err := BuildAnswer([]byte(baresipOffer), cfg)
	require.NoError(t, err)
	assert.False(t, neg.RTCPMux)
	assert.NotContains(t, string(body), "rtcp-mux")

	// Peer with mux, and we accept it.
	muxOffer := baresipOffer + "a=rtcp-mux\r\n"
	body, neg, err = BuildAnswer([]byte(muxOffer), cfg)
	require.NoError(t, err)
	assert.True(t, neg.RTCPMux)
	assert.Contains(t, string(body), "a=rtcp-mux\r\n")

	// Peer with mux, but we have a separate RTCP socket.
	_, neg, err = BuildAnswer([]byte(muxOffer), localCfg())
	require.NoError(t, err)
	assert.False(t, neg.RTCPMux)
}

func TestParseAnswerTakesTheirPTime(t *testing.T) {
	answer := strings.Replace(baresipOffer, "a=ptime:20", "a=ptime:40", 1)
	neg, err := ParseAnswer([]byte(answer), localCfg())
	require.NoError(t, err)
	assert.Equal(t, 40, neg.PTime)
}

func TestHoldDirection(t *testing.T) {
	for hold, want := range map[string]Direction{"": SendRecv, "sendonly": SendOnly, "inactive": Inactive} {
		d, err := HoldDirection(hold)
		require.NoError(t, err)
		assert.Equal(t, want, d)
	}
	_, err := HoldDirection("yes")
	assert.Error(t, err)
}

func TestBuildAnswerKeepsOtherMediaLinesRejected(t *testing.T) {
	offer := "v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\n" +
		"m=video 30002 RTP/AVP 96 97\r\na=rtpmap:96 H264/90000\r\n" +
		"m=audio 30000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n" +
		"m=audio 30004 RTP/SAVP 0\r\n"
	body, neg, err := BuildAnswer([]byte(offer), localCfg())
	require.NoError(t, err)
	assert.Equal(t, 1, neg.Remote.MediaIndex)
	s := string(body)
	iv := strings.Index(s, "m=video 0 RTP/AVP 96\r\n")
	ia := strings.Index(s, "m=audio 40000 RTP/AVP 0 101\r\n")
	is := strings.Index(s, "m=audio 0 RTP/SAVP 0\r\n")
	require.True(t, iv >= 0 && ia >= 0 && is >= 0, "all three m= lines answered:\n%s", s)
	assert.True(t, iv < ia && ia < is, "in the offer's order")
	rm, err := ParseRemoteMedia(body)
	require.NoError(t, err)
	assert.Equal(t, 40000, rm.Port)
}
