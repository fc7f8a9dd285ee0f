package mediacore

import (
	"testing"
)

// FuzzSDP feeds arbitrary text to the SDP parsing path (ParseRemoteMedia, BuildAnswer,
// ParseAnswer). Nothing may panic; accepted input must yield a sane result. The seed corpus runs
// as part of the ordinary unit tests.
func FuzzSDP(f *testing.F) {
	f.Add(baresipOffer)
	f.Add("")
	f.Add("v=0\r\n")
	f.Add("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 65535 RTP/AVP 0 8 127\r\na=rtpmap:127 telephone-event/8000\r\na=rtcp:99999\r\na=ptime:-5\r\n")
	f.Add("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4/127\r\nt=0 0\r\nm=audio 4000/2 RTP/AVP 0\r\na=rtpmap:0\r\na=rtpmap:0 PCMU\r\na=fmtp:0\r\n")
	f.Add("v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::\r\nt=0 0\r\nm=audio 4000 RTP/AVPF 8 200\r\n")
	// Found by fuzzing: an empty a=rtcp value used to panic.
	f.Add("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtcp:\r\n")
	f.Fuzz(func(t *testing.T, text string) {
		rm, err := ParseRemoteMedia([]byte(text))
		if err == nil {
			if rm.Port < 1 || rm.Port > 65535 || len(rm.PayloadTypes) == 0 || len(rm.Codecs) != len(rm.PayloadTypes) {
				t.Fatalf("accepted SDP gave insane media %+v", rm)
			}
		}
		body, neg, err := BuildAnswer([]byte(text), localCfg())
		if err == nil {
			if len(body) == 0 || len(neg.Accepted) == 0 {
				t.Fatalf("answer without codecs: %q", body)
			}
			if _, err := ParseRemoteMedia(body); err != nil {
				t.Fatalf("our own answer does not parse: %v", err)
			}
		}
		_, _ = ParseAnswer([]byte(text), localCfg())
	})
}
